"""The in-memory knowledge base: validated facts plus the indexes screening needs.

A :class:`KnowledgeBase` is immutable and passed explicitly to every stage that needs it.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.model import (
    Entity,
    ListEntry,
    Ownership,
    Regime,
    RestrictedList,
    Source,
)
from derisk.kb.products import Product

__all__ = ["KnowledgeBase", "Membership"]

_T = TypeVar("_T", Source, Entity, RestrictedList, Regime)


@dataclass(frozen=True)
class Membership:
    """An entity's entry on a list."""

    list: RestrictedList
    entry: ListEntry

    def active(self, on: date) -> bool:
        return self.entry.listed <= on and (self.entry.removed is None or on < self.entry.removed)


class KnowledgeBase:
    """Facts and indexes. Build with :func:`derisk.kb.loader.load_bundled` or the store."""

    def __init__(
        self,
        *,
        sources: Iterable[Source],
        entities: Iterable[Entity],
        ownership: Iterable[Ownership],
        lists: Iterable[RestrictedList],
        regimes: Iterable[Regime],
        products: Iterable[Product] = (),
        country_groups: dict[str, list[str]] | None = None,
    ) -> None:
        self.sources: dict[str, Source] = _by_id("source", sources)
        self.entities: dict[str, Entity] = _by_id("entity", entities)
        self.lists: dict[str, RestrictedList] = _by_id(
            "list",
            # canonical entry order, so the content hash does not depend on file order
            (
                x.model_copy(
                    update={"entries": sorted(x.entries, key=lambda en: (en.listed, en.entity))}
                )
                for x in lists
            ),
        )
        self.regimes: dict[str, Regime] = _by_id("regime", regimes)
        self.ownership: list[Ownership] = sorted(
            ownership, key=lambda o: (o.parent, o.child, o.since or date.min)
        )
        self.products: list[Product] = list(products)
        self.country_groups: dict[str, list[str]] = dict(country_groups or {})
        self._parents: dict[str, list[Ownership]] = defaultdict(list)
        self._children: dict[str, list[Ownership]] = defaultdict(list)
        for edge in self.ownership:
            self._parents[edge.child].append(edge)
            self._children[edge.parent].append(edge)
        self._memberships: dict[str, list[Membership]] = defaultdict(list)
        for lst in self.lists.values():
            for entry in lst.entries:
                self._memberships[entry.entity].append(Membership(lst, entry))
        self._check_references()
        self.version = self._content_hash()

    # -- integrity -----------------------------------------------------------------------
    def _check_references(self) -> None:
        problems: list[str] = []

        def cite(where: str, ids: Sequence[str]) -> None:
            for sid in ids:
                if sid not in self.sources:
                    problems.append(f"{where} cites unknown source '{sid}'")

        def ent(where: str, eid: str) -> None:
            if eid not in self.entities:
                problems.append(f"{where} names unknown entity '{eid}'")

        for e in self.entities.values():
            cite(f"entity {e.id}", e.sources)
        for o in self.ownership:
            where = f"ownership {o.parent}->{o.child}"
            cite(where, o.sources)
            ent(where, o.parent)
            ent(where, o.child)
        for lst in self.lists.values():
            cite(f"list {lst.id}", lst.sources)
            for entry in lst.entries:
                cite(f"list {lst.id} entry {entry.entity}", entry.sources)
                ent(f"list {lst.id}", entry.entity)
        for r in self.regimes.values():
            cite(f"regime {r.id}", r.sources)
            for ev in r.events:
                cite(f"regime {r.id} event {ev.when}", ev.sources)
            for p in r.provisions:
                where = f"regime {r.id} provision {p.id}"
                cite(where, p.sources)
                for eid in p.covers.entities:
                    ent(where, eid)
                for lid in p.covers.lists:
                    if lid not in self.lists:
                        problems.append(f"{where} names unknown list '{lid}'")
            for b in [*r.binds, *(b for p in r.provisions for b in (p.binds or []))]:
                for c in b.countries:
                    if len(c) != 2 and c not in self.country_groups:
                        problems.append(f"regime {r.id} binds unknown country group '{c}'")
        for prod in self.products:
            cite(f"product {prod.id}", prod.sources)
            ent(f"product {prod.id}", prod.entity)
        if problems:
            shown = "; ".join(problems[:10])
            more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
            raise DeriskError(ErrorCode.KB_INVALID, f"broken references: {shown}{more}")

    def to_document(self) -> dict[str, Any]:
        """Every fact as JSON values, in the canonical order the version is hashed over."""
        return {
            "sources": [s.model_dump(mode="json") for s in sorted_by_id(self.sources)],
            "entities": [e.model_dump(mode="json") for e in sorted_by_id(self.entities)],
            "ownership": [o.model_dump(mode="json") for o in self.ownership],
            "lists": [x.model_dump(mode="json") for x in sorted_by_id(self.lists)],
            "regimes": [r.model_dump(mode="json") for r in sorted_by_id(self.regimes)],
            "products": [p.model_dump(mode="json") for p in self.products],
            "country_groups": self.country_groups,
        }

    def _content_hash(self) -> str:
        doc = self.to_document()
        blob = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]

    # -- queries -------------------------------------------------------------------------
    def expand_countries(self, codes: Iterable[str]) -> frozenset[str]:
        """Country codes with groups (EU, ...) expanded to their members."""
        out: set[str] = set()
        for code in codes:
            out.update(self.country_groups.get(code, [code]))
        return frozenset(out)

    def parents(self, entity_id: str, on: date) -> list[Ownership]:
        """Owners of ``entity_id`` that control it on ``on``."""
        return [e for e in self._parents.get(entity_id, []) if _edge_active(e, on)]

    def children(self, entity_id: str, on: date) -> list[Ownership]:
        return [e for e in self._children.get(entity_id, []) if _edge_active(e, on)]

    def ownership_paths(self, entity_id: str, on: date) -> list[tuple[str, ...]]:
        """Every upward path ``(entity, parent, grandparent, ...)``, starting with itself.

        Only controlling edges (share unknown or at least 50%) count, on the date given.
        """
        paths: list[tuple[str, ...]] = []
        stack: list[tuple[str, ...]] = [(entity_id,)]
        while stack:
            path = stack.pop()
            paths.append(path)
            for edge in self.parents(path[-1], on):
                if edge.parent in path:  # ownership cycle: stop, do not loop
                    continue
                if edge.share is not None and edge.share < 0.5:
                    continue
                stack.append((*path, edge.parent))
        return sorted(paths, key=len)

    def memberships(self, entity_id: str) -> list[Membership]:
        return list(self._memberships.get(entity_id, []))

    def entities_with_tags(self, tags: Iterable[str]) -> list[Entity]:
        wanted = set(tags)
        return [e for e in self.entities.values() if wanted.intersection(e.tags)]

    def source_refs(self, ids: Iterable[str]) -> list[Source]:
        return [self.sources[i] for i in dict.fromkeys(ids) if i in self.sources]

    def summary(self) -> dict[str, int]:
        return {
            "regimes": len(self.regimes),
            "entities": len(self.entities),
            "ownership_edges": len(self.ownership),
            "lists": len(self.lists),
            "list_entries": sum(len(x.entries) for x in self.lists.values()),
            "products": len(self.products),
            "sources": len(self.sources),
        }


def _by_id(kind: str, items: Iterable[_T]) -> dict[str, _T]:
    out: dict[str, _T] = {}
    for item in items:
        if item.id in out:
            raise DeriskError(ErrorCode.KB_INVALID, f"duplicate {kind} id '{item.id}'")
        out[item.id] = item
    return out


def _edge_active(edge: Ownership, on: date) -> bool:
    return (edge.since is None or edge.since <= on) and (edge.until is None or on <= edge.until)


def sorted_by_id(items: dict[str, _T]) -> list[_T]:
    return [items[k] for k in sorted(items)]
