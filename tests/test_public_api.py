"""The public API is exactly what __all__ says, and the error codes are exactly those documented."""

from __future__ import annotations

import re
from pathlib import Path

import derisk
from derisk.errors import ErrorCode

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_public_api_is_explicit() -> None:
    assert sorted(derisk.__all__) == sorted(
        [
            "DeriskError",
            "ErrorCode",
            "KnowledgeBase",
            "Profile",
            "Store",
            "__version__",
            "compare_names",
            "load_bundled",
            "match",
            "screen_file",
        ]
    )
    for name in derisk.__all__:
        assert hasattr(derisk, name), name


def test_error_codes_are_documented_exactly() -> None:
    text = (DOCS / "errors.md").read_text(encoding="utf-8")
    documented = dict(re.findall(r"^\| (DR\d{3}) \| ([a-z_]+) \|", text, re.MULTILINE))
    defined = {c.value: c.name.lower() for c in ErrorCode}
    assert documented == defined


def test_error_codes_are_unique() -> None:
    values = [c.value for c in ErrorCode]
    assert len(values) == len(set(values))
