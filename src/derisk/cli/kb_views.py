"""Terminal views of knowledge-base facts: the entity 'tag page', regimes and lists."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from derisk.kb.knowledge import KnowledgeBase
from derisk.kb.timeline import entity_timeline

__all__ = ["list_table", "show_entity", "show_list", "show_regime"]


def _cite(kb: KnowledgeBase, ids: list[str]) -> str:
    return "; ".join(escape(s.url or s.title) for s in kb.source_refs(ids))


def list_table(kb: KnowledgeBase, kind: str) -> tuple[Table, list[dict[str, Any]]]:
    rows: list[dict[str, Any]]
    if kind == "regimes":
        rows = [
            {
                "id": r.id,
                "jurisdiction": r.jurisdiction,
                "status": r.status.value,
                "adopted": r.adopted.isoformat(),
                "name": r.name,
            }
            for r in sorted(kb.regimes.values(), key=lambda r: (r.jurisdiction, r.id))
        ]
    elif kind == "lists":
        rows = [
            {
                "id": x.id,
                "jurisdiction": x.jurisdiction,
                "entries": len(x.entries),
                "publisher": x.publisher,
                "name": x.name,
            }
            for x in sorted(kb.lists.values(), key=lambda x: x.id)
        ]
    else:
        rows = [
            {"id": e.id, "country": e.country or "", "aliases": len(e.aliases), "name": e.name}
            for e in sorted(kb.entities.values(), key=lambda e: e.id)
        ]
    table = Table(title=f"{kind} ({len(rows)})", title_justify="left")
    for col in rows[0] if rows else ["id"]:
        table.add_column(col)
    for row in rows:
        table.add_row(*(escape(str(v)) for v in row.values()))
    return table, rows


def show_entity(console: Console, kb: KnowledgeBase, entity_id: str) -> None:
    e = kb.entities[entity_id]
    today = date.today()
    flag = " [uncertain]" if e.uncertain else ""
    console.print(f"[bold]{escape(e.name)}[/bold]  ({escape(e.id)}, {e.country or '?'}){flag}")
    if e.tags:
        console.print("tags: " + escape(", ".join(e.tags)))
    for key, value in sorted(e.identifiers.items()):
        console.print(f"{escape(key)}: {escape(value)}")
    if e.aliases:
        names = Table(title="names and aliases", title_justify="left")
        for col in ("name", "kind", "language", "until"):
            names.add_column(col)
        for a in e.aliases:
            names.add_row(escape(a.name), a.kind, a.lang or "", str(a.until or ""))
        console.print(names)
    own = Table(title="ownership (controlling edges today)", title_justify="left")
    for col in ("direction", "entity", "share", "since", "until", "sources"):
        own.add_column(col)
    for edge in kb.parents(entity_id, today):
        own.add_row(
            "owned by",
            escape(kb.entities[edge.parent].name),
            _share(edge.share),
            str(edge.since or ""),
            str(edge.until or ""),
            _cite(kb, edge.sources),
        )
    for edge in kb.children(entity_id, today):
        own.add_row(
            "owns",
            escape(kb.entities[edge.child].name),
            _share(edge.share),
            str(edge.since or ""),
            str(edge.until or ""),
            _cite(kb, edge.sources),
        )
    console.print(own)
    lists = Table(title="list memberships", title_justify="left")
    for col in ("list", "listed", "removed", "sources"):
        lists.add_column(col)
    for m in kb.memberships(entity_id):
        lists.add_row(
            escape(m.list.name),
            str(m.entry.listed),
            str(m.entry.removed or ""),
            _cite(kb, m.entry.sources),
        )
    console.print(lists)
    timeline = Table(title="timeline", title_justify="left")
    for col in ("date", "event", "sources"):
        timeline.add_column(col)
    for ev in entity_timeline(kb, entity_id):
        timeline.add_row(str(ev.on), escape(ev.what), _cite(kb, list(ev.sources)))
    console.print(timeline)
    console.print("sources: " + _cite(kb, e.sources))


def _share(share: float | None) -> str:
    return "" if share is None else f"{share:.0%}"


def show_regime(console: Console, kb: KnowledgeBase, regime_id: str) -> None:
    r = kb.regimes[regime_id]
    flag = " [uncertain]" if r.uncertain else ""
    console.print(
        f"[bold]{escape(r.name)}[/bold]  ({r.id}, {r.jurisdiction}, {r.status.value}){flag}"
    )
    console.print(f"instrument: {escape(r.instrument)}")
    console.print(f"body: {escape(r.body)}")
    console.print(f"adopted: {r.adopted}")
    console.print(escape(r.summary))
    for b in r.binds:
        console.print(
            "binds: "
            + escape(
                f"countries={','.join(b.countries) or 'any'} "
                f"sectors={','.join(s.value for s in b.sectors) or 'any'} "
                + " ".join(f"{c.attribute} {c.op} {c.value}" for c in b.attributes)
            )
        )
    console.print("[bold]provisions[/bold]")
    for p in r.provisions:
        c = p.covers
        covers = ", ".join(
            [*c.entities, *(f"list:{x}" for x in c.lists), *(f"tag:{x}" for x in c.tags)]
        )
        scope = " ".join(
            f"{k}={','.join(str(v) for v in vals)}"
            for k, vals in (
                ("domains", c.domains),
                ("kinds", c.item_kinds),
                ("tech", c.technologies),
            )
            if vals
        )
        dates = f"announced {p.announced}"
        if p.effective:
            dates += f", effective {p.effective}"
        if p.deadline:
            dates += f", deadline {p.deadline}"
        if p.ends:
            dates += f", ends {p.ends}"
        flag = " [uncertain]" if p.uncertain else ""
        console.print(f"- {escape(p.id)}: {p.effect.value}; {dates}{escape(flag)}")
        console.print(f"  {escape(p.title)}", soft_wrap=True)
        console.print(f"  covers: {escape(f'{covers} {scope}'.strip())}", soft_wrap=True)
        console.print(f"  sources: {_cite(kb, p.sources)}", soft_wrap=True)
    if r.events:
        events = Table(title="events", title_justify="left")
        for col in ("date", "event"):
            events.add_column(col)
        for ev in sorted(r.events, key=lambda ev: ev.when):
            events.add_row(str(ev.when), escape(ev.what))
        console.print(events)
    if r.note:
        console.print("note: " + escape(r.note))
    console.print("sources: " + _cite(kb, r.sources))


def show_list(console: Console, kb: KnowledgeBase, list_id: str) -> None:
    x = kb.lists[list_id]
    console.print(
        f"[bold]{escape(x.name)}[/bold]  ({x.id}, {x.jurisdiction}, {escape(x.publisher)})"
    )
    if x.description:
        console.print(escape(x.description))
    console.print(f"covers subsidiaries: {'yes' if x.covers_subsidiaries else 'no'}")
    table = Table(title=f"entries ({len(x.entries)})", title_justify="left")
    for col in ("entity", "listed", "removed", "scope"):
        table.add_column(col)
    for en in sorted(x.entries, key=lambda en: (en.listed, en.entity)):
        name = kb.entities[en.entity].name if en.entity in kb.entities else en.entity
        table.add_row(escape(name), str(en.listed), str(en.removed or ""), escape(en.scope or ""))
    console.print(table)
    console.print("sources: " + _cite(kb, x.sources))
