"""Merge an imported list file into the store, linking its entities to known ones.

An imported organisation whose name or alias equals a known entity's (exactly, or after
normalising legal forms and punctuation, with the same places) is the same entity: its entries
attach to the known id and its other names become aliases. Anything else becomes a new entity.
Fuzzy matches are never used to link: a wrong link would move list entries onto the wrong
company. A newer copy of the same format and lists replaces the older import.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.importers.base import ImportBatch
from derisk.kb.knowledge import KnowledgeBase
from derisk.kb.model import Alias, ListEntry, Ownership, RestrictedList
from derisk.kb.snapshots import save_snapshot
from derisk.kb.store import Store
from derisk.resolve.index import NameIndex
from derisk.resolve.matcher import match_name

__all__ = ["ImportSummary", "merge_import"]

_LINK_METHODS = {"exact", "normalized"}


@dataclass
class ImportSummary:
    import_id: str
    format: str
    file: str
    entities: int = 0
    linked: dict[str, str] = field(default_factory=dict)  # imported id -> known id
    entries: dict[str, int] = field(default_factory=dict)  # list id -> entries added
    skipped: int = 0
    replaced: list[str] = field(default_factory=list)
    version_before: str = ""
    version_after: str = ""


def _link(batch: ImportBatch, kb: KnowledgeBase) -> dict[str, str]:
    index = NameIndex(kb.entities.values())
    links: dict[str, str] = {}
    for ent in batch.entities:
        for name in [ent.name, *(a.name for a in ent.aliases)]:
            m = match_name(name, index)
            if m is not None and m.method in _LINK_METHODS and m.score >= 0.97:
                links[ent.id] = m.entity_id
                break
    return links


def _previous_imports(store: Store, batch: ImportBatch) -> list[str]:
    lists = {x.id for x in batch.lists}
    return [
        row["id"]
        for row in store.imports()
        if row["format"] == batch.format and lists & set(str(row["lists"]).split(","))
    ]


def merge_import(store: Store, batch: ImportBatch) -> ImportSummary:
    """Write ``batch`` into ``store`` in one transaction; the KB is re-validated before commit."""
    summary = ImportSummary(batch.source_id, batch.format, batch.file, skipped=len(batch.skipped))
    before = store.load()
    summary.version_before = before.version
    save_snapshot(store, before, "existing")  # a no-op unless an older derisk made the store
    origin = f"import:{batch.source_id}"
    with store.transaction():
        for old in _previous_imports(store, batch):
            store.remove_import(old)
            summary.replaced.append(old)
        store.remove_import(batch.source_id)  # re-importing the same file replaces it
        kb = store.load()
        links = _link(batch, kb)
        summary.linked = links

        def ident(eid: str) -> str:
            return links.get(eid, eid)

        new_entities = []
        extra_aliases: list[tuple[str, Alias]] = []
        for ent in batch.entities:
            if ent.id in links:
                known = kb.entities[links[ent.id]]
                have = {known.name, *(a.name for a in known.aliases)}
                extra_aliases += [
                    (known.id, a)
                    for a in [Alias(name=ent.name, kind="alias"), *ent.aliases]
                    if a.name not in have
                ]
            elif ent.id in kb.entities:
                raise DeriskError(
                    ErrorCode.IMPORT_MALFORMED,
                    f"imported entity id '{ent.id}' clashes with a different known entity",
                    file=batch.file,
                )
            else:
                new_entities.append(ent)
        summary.entities = len(batch.entities)
        known_edges = {(o.parent, o.child) for o in kb.ownership}
        edges = [
            Ownership(**{**o.model_dump(), "parent": ident(o.parent), "child": ident(o.child)})
            for o in batch.ownership
            if (ident(o.parent), ident(o.child)) not in known_edges
            and ident(o.parent) != ident(o.child)
        ]
        new_lists: list[RestrictedList] = []
        entries: list[tuple[str, ListEntry]] = []
        for lst in batch.lists:
            mapped = [
                ListEntry(**{**en.model_dump(), "entity": ident(en.entity)}) for en in lst.entries
            ]
            if lst.id in kb.lists:
                on_list = {en.entity for en in kb.lists[lst.id].entries}
                added = [en for en in mapped if en.entity not in on_list]
                entries += [(lst.id, en) for en in added]
            else:
                added = mapped
                new_lists.append(RestrictedList(**{**lst.model_dump(), "entries": added}))
            summary.entries[lst.id] = len(added)
        store.write_facts(
            origin,
            sources=batch.sources,
            entities=new_entities,
            aliases=extra_aliases,
            ownership=edges,
            lists=new_lists,
            entries=entries,
        )
        store.record_import(
            {
                "id": batch.source_id,
                "format": batch.format,
                "file": batch.file,
                "sha256": batch.sha256,
                "lists": ",".join(sorted(x.id for x in batch.lists)),
                "entities": len(batch.entities),
                "entries": sum(summary.entries.values()),
                "linked": len(links),
                "skipped": len(batch.skipped),
            }
        )
        after = store.load()  # raises (and rolls back) if inconsistent
        summary.version_after = after.version
        save_snapshot(store, after, origin)
    return summary
