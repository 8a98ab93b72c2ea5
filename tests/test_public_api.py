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
            "classify",
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


def test_classify_in_one_call() -> None:
    # The case: the H20 needed no licence for China in June 2024, and one in June 2025
    # (the 'is informed' letters of 9 April 2025).
    from datetime import date

    assert (
        derisk.classify("H20", destination="CN", as_of=date(2024, 6, 1))["license_required"]
        is False
    )
    got = derisk.classify(tops={"fp16": 312}, die_area_mm2=826, as_of=date(2024, 1, 1))
    assert (got["tpp"], got["eccn"]) == (4992, "3A090.a")
    assert derisk.classify("H20", destination="CN", as_of=date(2025, 6, 1))["license_required"]
