"""The library API: screen an inventory, match a name or classify a chip, in one call each."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from derisk.classify.api import classify_product, resolve_end_user
from derisk.classify.catalogue import load_catalogue
from derisk.classify.metrics import ChipSpec
from derisk.inventory import read_inventory
from derisk.kb.knowledge import KnowledgeBase
from derisk.kb.loader import load_bundled
from derisk.profile import Profile
from derisk.resolve.index import NameIndex
from derisk.resolve.matcher import NameMatch, match_name
from derisk.screening.document import build_document
from derisk.screening.pipeline import ScreenContext, screen_table

__all__ = ["classify", "match", "screen_file"]


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


def classify(
    chip: str | None = None,
    *,
    tops: dict[str, float] | None = None,
    die_area_mm2: float | None = None,
    memory_bandwidth_gbps: float | None = None,
    interconnect_gbps: float | None = None,
    datacenter: bool = True,
    destination: str | None = None,
    headquarters: str | None = None,
    end_user: str | None = None,
    as_of: date | None = None,
    kb: KnowledgeBase | None = None,
) -> dict[str, Any]:
    """Classify a catalogue chip (by name) or any chip (by dense ``tops`` per precision) and
    decide the licence requirement; returns the ``derisk classify --format json`` object."""
    kb = kb or load_bundled()
    when = as_of or date.today()
    product: Any
    if chip is not None:
        product = load_catalogue().find(chip)
    else:
        product = ChipSpec(
            "given figures",
            dict(tops or {}),
            die_area_mm2,
            memory_bandwidth_gbps,
            interconnect_gbps,
            datacenter,
        )
    user = (
        resolve_end_user(end_user, kb, NameIndex(kb.entities.values()), when) if end_user else None
    )
    return classify_product(
        product,
        as_of=when,
        destination=destination,
        headquarters=headquarters,
        end_user=user,
        kb=kb,
    )
