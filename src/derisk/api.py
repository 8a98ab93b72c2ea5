"""The library API: screen an inventory file or match a name, in one call each."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from derisk.inventory import read_inventory
from derisk.kb.knowledge import KnowledgeBase
from derisk.kb.loader import load_bundled
from derisk.profile import Profile
from derisk.resolve.index import NameIndex
from derisk.resolve.matcher import NameMatch, match_name
from derisk.screening.document import build_document
from derisk.screening.pipeline import ScreenContext, screen_table

__all__ = ["match", "screen_file"]


def screen_file(
    path: str | Path,
    profile: Profile,
    *,
    as_of: date | None = None,
    kb: KnowledgeBase | None = None,
    encoding: str | None = None,
) -> dict[str, Any]:
    """Screen an inventory file; returns the ``derisk.screen/1`` JSON document as a dict.

    ``kb`` defaults to the bundled knowledge base (use :class:`derisk.Store` for imports).
    """
    kb = kb or load_bundled()
    when = as_of or date.today()
    inv = read_inventory(path, encoding=encoding)
    ctx = ScreenContext.build(kb, profile, when)
    findings = screen_table(inv.table, ctx)
    return build_document(
        findings=findings,
        records=inv.table,
        kb=kb,
        profile=profile,
        as_of=when,
        input_info={
            "file": str(path),
            "format": inv.format,
            "encoding": inv.encoding,
            "records": len(inv.table),
            "columns": inv.columns,
        },
    )


def match(name: str, kb: KnowledgeBase | None = None) -> NameMatch | None:
    """The knowledge-base entity a name resolves to, with score and method, or None."""
    kb = kb or load_bundled()
    return match_name(name, NameIndex(kb.entities.values()))
