"""Knowledge-base facts as plain JSON-ready dicts: an entity's "tag page" and a regime.

The web app and the REST API show these; every fact keeps its sources, resolved to title and
address.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.knowledge import KnowledgeBase
from derisk.kb.timeline import entity_timeline

__all__ = ["entity_view", "regime_summaries", "regime_view", "sources_view"]


def sources_view(kb: KnowledgeBase, ids: list[str] | tuple[str, ...]) -> list[dict[str, Any]]:
    return [kb.sources[s].model_dump(mode="json") for s in ids if s in kb.sources]


def _edge(kb: KnowledgeBase, other: str, edge: Any) -> dict[str, Any]:
    return {
        "entity_id": other,
        "name": kb.entities[other].name,
        "share": edge.share,
        "since": edge.since.isoformat() if edge.since else None,
        "until": edge.until.isoformat() if edge.until else None,
        "sources": sources_view(kb, edge.sources),
    }


def entity_view(kb: KnowledgeBase, entity_id: str, on: date) -> dict[str, Any]:
    """Names in every script, ownership on ``on`` (up and down), list memberships and the dated
    timeline of one entity. Unknown id: DR603."""
    entity = kb.entities.get(entity_id)
    if entity is None:
        raise DeriskError(ErrorCode.NOT_FOUND, f"no entity {entity_id!r} in the knowledge base")
    data = entity.model_dump(mode="json", exclude={"sources"})
    return {
        **data,
        "owned_by": [_edge(kb, e.parent, e) for e in kb.parents(entity_id, on)],
        "owns": [_edge(kb, e.child, e) for e in kb.children(entity_id, on)],
        "ownership_paths": [list(p) for p in kb.ownership_paths(entity_id, on)],
        "lists": [
            {
                "list_id": m.list.id,
                "list": m.list.name,
                "listed": m.entry.listed.isoformat(),
                "removed": m.entry.removed.isoformat() if m.entry.removed else None,
                "active": m.active(on),
                "covers_subsidiaries": m.list.covers_subsidiaries,
                "sources": sources_view(kb, m.entry.sources),
            }
            for m in kb.memberships(entity_id)
        ],
        "timeline": [
            {"date": ev.on.isoformat(), "event": ev.what, "sources": sources_view(kb, ev.sources)}
            for ev in entity_timeline(kb, entity_id)
        ],
        "sources": sources_view(kb, entity.sources),
        "as_of": on.isoformat(),
    }


def regime_summaries(kb: KnowledgeBase) -> list[dict[str, Any]]:
    return [
        {
            "id": r.id,
            "name": r.name,
            "jurisdiction": r.jurisdiction,
            "status": r.status.value,
            "instrument": r.instrument,
            "adopted": r.adopted.isoformat() if r.adopted else None,
            "provisions": len(r.provisions),
        }
        for r in sorted(kb.regimes.values(), key=lambda r: (r.jurisdiction, r.id))
    ]


def regime_view(kb: KnowledgeBase, regime_id: str) -> dict[str, Any]:
    regime = kb.regimes.get(regime_id)
    if regime is None:
        raise DeriskError(ErrorCode.NOT_FOUND, f"no regime {regime_id!r} in the knowledge base")
    data = regime.model_dump(mode="json")
    data["sources"] = sources_view(kb, regime.sources)
    for p, raw in zip(regime.provisions, data["provisions"], strict=True):
        raw["sources"] = sources_view(kb, p.sources)
    return data
