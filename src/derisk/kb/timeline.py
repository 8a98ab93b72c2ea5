"""A dated timeline of what concerns one entity: listings, ownership changes, rules, names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from derisk.kb.knowledge import KnowledgeBase

__all__ = ["TimelineEvent", "entity_timeline"]


@dataclass(frozen=True)
class TimelineEvent:
    on: date
    what: str
    sources: tuple[str, ...]


def _covering_provisions(kb: KnowledgeBase, entity_id: str) -> list[TimelineEvent]:
    lists = {m.list.id for m in kb.memberships(entity_id)}
    out: list[TimelineEvent] = []
    for regime in kb.regimes.values():
        for p in regime.provisions:
            named = entity_id in p.covers.entities
            via_list = sorted(lists.intersection(p.covers.lists))
            if not (named or via_list):
                continue
            src = tuple(p.sources)
            how = "named" if named else f"via {', '.join(via_list)}"
            out.append(TimelineEvent(p.announced, f"{regime.name}: {p.title} ({how})", src))
            if p.effective and p.effective != p.announced:
                out.append(
                    TimelineEvent(p.effective, f"{regime.name}: {p.title} takes effect", src)
                )
            if p.deadline:
                out.append(TimelineEvent(p.deadline, f"{regime.name}: deadline - {p.title}", src))
    return out


def entity_timeline(kb: KnowledgeBase, entity_id: str) -> list[TimelineEvent]:
    """Every dated event concerning ``entity_id``, oldest first."""
    entity = kb.entities[entity_id]
    events: list[TimelineEvent] = []
    for m in kb.memberships(entity_id):
        src = tuple(m.entry.sources)
        events.append(TimelineEvent(m.entry.listed, f"added to {m.list.name}", src))
        if m.entry.removed:
            events.append(TimelineEvent(m.entry.removed, f"removed from {m.list.name}", src))
    for edge in kb.ownership:
        if entity_id not in (edge.parent, edge.child):
            continue
        other = edge.child if edge.parent == entity_id else edge.parent
        name = kb.entities[other].name
        verb = "acquires control of" if edge.parent == entity_id else "comes under control of"
        if edge.since:
            events.append(TimelineEvent(edge.since, f"{verb} {name}", tuple(edge.sources)))
        if edge.until:
            end = "ceases to control" if edge.parent == entity_id else "leaves control of"
            events.append(TimelineEvent(edge.until, f"{end} {name}", tuple(edge.sources)))
    for alias in entity.aliases:
        if alias.kind == "former" and alias.until:
            events.append(
                TimelineEvent(alias.until, f"last day as '{alias.name}'", tuple(entity.sources))
            )
    events.extend(_covering_provisions(kb, entity_id))
    return sorted(events, key=lambda ev: (ev.on, ev.what))
