"""Classify a chip or system and determine the licence requirement: the JSON answer."""

from __future__ import annotations

import re
from datetime import date
from itertools import pairwise
from typing import Any

from derisk.classify.catalogue import Catalogue, Lookup, load_catalogue
from derisk.classify.catalogue_model import PRECISIONS, Chip, System
from derisk.classify.classification import ChipResult, Step, classify_chip, classify_system
from derisk.classify.controls import Controls, load_controls
from derisk.classify.licensing import EndUser, determine_license
from derisk.classify.metrics import ChipSpec
from derisk.kb.knowledge import KnowledgeBase
from derisk.kb.model import ListEntry
from derisk.resolve.index import NameIndex
from derisk.resolve.matcher import match_name

__all__ = [
    "ENTITY_LIST",
    "classify_product",
    "end_user_for",
    "product_for_line",
    "resolve_end_user",
]

ENTITY_LIST = "us-bis-entity-list"
_FOOTNOTE = re.compile(r"footnote\s*(\d)", re.IGNORECASE)


def _footnotes(entry: ListEntry) -> tuple[int, ...]:
    """The entry's footnotes, or those its scope text names (imported entries)."""
    if entry.footnotes:
        return tuple(entry.footnotes)
    return tuple(sorted({int(n) for n in _FOOTNOTE.findall(entry.scope or "")}))


def _path_uncertain(kb: KnowledgeBase, path: tuple[str, ...], on: date) -> bool:
    """Whether an ownership step of ``path`` has no stated share (so may be under 50%)."""
    for child, parent in pairwise(path):
        edge = next((e for e in kb.parents(child, on) if e.parent == parent), None)
        if edge is None or edge.share is None or edge.uncertain:
            return True
    return False


def end_user_for(entity_id: str | None, name: str, kb: KnowledgeBase, on: date) -> EndUser:
    """The Entity List entry that reaches ``entity_id`` on ``on``: its own, or an owner's."""
    if entity_id is None:
        return EndUser(name)
    for path in kb.ownership_paths(entity_id, on):
        for m in kb.memberships(path[-1]):
            if m.list.id == ENTITY_LIST and m.active(on):
                return EndUser(
                    name,
                    entity_id,
                    listed=path[-1],
                    via_affiliates=len(path) > 1,
                    path=path,
                    sources=tuple(m.entry.sources),
                    listed_since=m.entry.listed,
                    footnotes=_footnotes(m.entry),
                    uncertain=m.entry.uncertain or _path_uncertain(kb, path, on),
                )
    return EndUser(name, entity_id)


def resolve_end_user(name: str, kb: KnowledgeBase, index: NameIndex, on: date) -> EndUser:
    """Match ``name`` with the name matcher, then look for an Entity List entry."""
    found = match_name(name, index)
    return end_user_for(found.entity_id if found else None, name, kb, on)


_LINE_FIGURES = ("die_area_mm2", "memory_bandwidth_gbps", "interconnect_gbps")


def product_for_line(
    line: dict[str, Any], catalogue: Catalogue
) -> tuple[Chip | System | ChipSpec | None, Lookup | None]:
    """What an order or product line names: its figures if it gives any, else the catalogue
    item its ``product`` names (with the look-up, which says why when nothing was found)."""
    tops = {p: line[p] for p in PRECISIONS if line.get(p)}
    if tops:
        figures = {f: line[f] for f in _LINE_FIGURES if line.get(f)}
        dc = line["datacenter"] if line.get("datacenter") is not None else True
        name = line.get("product") or f"row {line['row']}"
        return ChipSpec(name, tops, datacenter=dc, **figures), None
    if line.get("product"):
        found = catalogue.lookup(line["product"])
        return found.item, found
    return None, None


def _sources(ids: list[str], kb: KnowledgeBase | None) -> list[dict[str, Any]]:
    if kb is None:
        return [{"id": i} for i in dict.fromkeys(ids)]
    return [_source(i, kb) for i in dict.fromkeys(ids)]


def _source(ident: str, kb: KnowledgeBase) -> dict[str, Any]:
    s = kb.sources.get(ident)
    return {"id": ident, "title": s.title, "url": s.url} if s else {"id": ident}


def classify_product(
    product: Chip | System | ChipSpec,
    *,
    as_of: date,
    destination: str | None = None,
    headquarters: str | None = None,
    end_user: EndUser | None = None,
    kb: KnowledgeBase | None = None,
    catalogue: Catalogue | None = None,
    controls: Controls | None = None,
) -> dict[str, Any]:
    """The classification and licence answer for one product, as a JSON-able dict."""
    controls = controls or load_controls()
    catalogue = catalogue or load_catalogue()
    steps: list[Step] = []
    sources: list[str] = []
    ident: str | None
    components: list[dict[str, Any]] = []
    if isinstance(product, System):
        parts: list[tuple[ChipResult, int]] = []
        for part in product.contains:
            chip = catalogue.chips[part.chip]
            r = classify_chip(ChipSpec.from_chip(chip), as_of, controls)
            parts.append((r, part.count))
            components.append(
                {
                    "chip": chip.id,
                    "name": chip.name,
                    "count": part.count,
                    "tpp": round(r.spec.tpp, 2),
                    "eccn": r.eccn,
                }
            )
            sources.extend([*r.sources, *chip.sources])
        eccn, system_steps = classify_system(product.name, parts, product.datacenter)
        best = max(parts, key=lambda p: p[0].spec.tpp)[0]
        steps.extend([*best.steps, *system_steps])
        spec, note2 = best.spec, any(r.note2_applies for r, _ in parts)
        sources.extend(product.sources)
        name, ident, kind = product.name, product.id, "system"
    else:
        spec = product if isinstance(product, ChipSpec) else ChipSpec.from_chip(product)
        result = classify_chip(spec, as_of, controls)
        eccn, note2 = result.eccn, result.note2_applies
        steps.extend(result.steps)
        sources.extend(result.sources)
        if isinstance(product, Chip):
            sources.extend(product.sources)
        name, ident, kind = spec.name, spec.chip_id, "chip"
    user = end_user
    lic = determine_license(
        eccn,
        spec,
        destination=destination,
        headquarters=headquarters,
        end_user=user,
        on=as_of,
        controls=controls,
    )
    sources.extend(lic.sources)
    return {
        "product": {"name": name, "id": ident, "kind": kind},
        "as_of": as_of.isoformat(),
        "tpp": round(spec.tpp, 2) if spec.dense_tops else None,
        "pd": round(spec.pd, 4) if spec.pd is not None else None,
        "bandwidth_density": spec.bandwidth_density,
        "eccn": eccn,
        "note2_applies": note2,
        "components": components,
        "destination": destination,
        "headquarters": headquarters,
        "end_user": None
        if user is None
        else {
            "name": user.name,
            "entity_id": user.entity_id,
            "entity_list": user.listed,
            "via_affiliates": user.via_affiliates,
            "path": list(user.path),
            "footnotes": list(user.footnotes),
        },
        "license_required": lic.license_required,
        "license_grounds": [
            {
                "kind": g.kind,
                "rule": g.rule,
                "instrument": g.instrument,
                "since": g.since.isoformat(),
                "text": g.text,
                "uncertain": g.uncertain,
                "sources": list(g.sources),
            }
            for g in lic.grounds
        ],
        "license_exceptions": lic.exceptions,
        "review_policy": lic.review_policy,
        "reasons": [s.as_dict() for s in [*steps, *lic.steps]],
        "sources": _sources(sources, kb),
    }
