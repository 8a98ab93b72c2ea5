"""What an importer returns (:class:`ImportBatch`) and the builder the importers share.

An importer is a pure function ``Path -> ImportBatch``: it reads one public list file and
describes it with the knowledge-base models, every fact citing one :class:`Source` that names
the file. Nothing is merged into a store here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.importers._util import CsvTable, name_key, short_hash, slug
from derisk.kb.model import Alias, Entity, ListEntry, Ownership, RestrictedList, Source

__all__ = [
    "AliasKind",
    "AliasSpec",
    "BatchBuilder",
    "ImportBatch",
    "ListSpec",
    "Skipped",
    "source_id",
]

AliasKind = Literal["name", "alias", "legal", "former", "brand", "abbreviation", "local"]
AliasSpec = tuple[str, AliasKind, str | None]  # (name, kind, lang)


@dataclass(frozen=True)
class Skipped:
    row: int  # row as a spreadsheet shows it (header = 1)
    reason: str


@dataclass(frozen=True)
class ImportBatch:
    format: str  # the format id used
    file: str
    sha256: str  # of the file bytes
    sources: list[Source]
    entities: list[Entity]
    ownership: list[Ownership]
    lists: list[RestrictedList]
    skipped: list[Skipped]

    @property
    def source_id(self) -> str:
        return self.sources[0].id

    def entity(self, entity_id: str) -> Entity:
        """The entity with ``entity_id`` (KeyError if absent)."""
        for e in self.entities:
            if e.id == entity_id:
                return e
        raise KeyError(entity_id)

    def restricted_list(self, list_id: str) -> RestrictedList:
        """The list with ``list_id`` (KeyError if absent)."""
        for lst in self.lists:
            if lst.id == list_id:
                return lst
        raise KeyError(list_id)


@dataclass(frozen=True)
class ListSpec:
    """The fixed description of a list an importer fills."""

    id: str
    name: str
    jurisdiction: str
    publisher: str
    url: str | None = None
    covers_subsidiaries: bool = False
    description: str | None = None


def source_id(format_id: str, sha256: str) -> str:
    return f"import-{format_id}-{sha256[:12]}"


@dataclass
class _EntityAcc:
    id: str
    name: str
    country: str | None = None
    aliases: list[Alias] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _EntryAcc:
    listed: date
    removed: date | None
    open: bool  # some contributing row had no end date
    scopes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _add_unique(items: list[str], value: str | None) -> None:
    if value and value not in items:
        items.append(value)


class BatchBuilder:
    """Collects entities (deduplicated by name key), list entries, edges and skipped rows."""

    def __init__(self, format_id: str, table: CsvTable, source: Source) -> None:
        self.format_id = format_id
        self.table = table
        self.source = source
        self._entities: dict[str, _EntityAcc] = {}  # name key -> entity
        self._ids: set[str] = set()
        self._lists: dict[str, ListSpec] = {}
        self._entries: dict[tuple[str, str], _EntryAcc] = {}
        self._edges: dict[tuple[str, str], float | None] = {}
        self._skipped: list[Skipped] = []

    # -- entities ------------------------------------------------------------------------------

    def _new_id(self, name: str) -> str:
        candidate = "imp-" + slug(name)
        if candidate in self._ids:  # a different name with the same slug
            candidate = "imp-" + slug(name, 60) + "-" + short_hash(name, 6)
            n = 2
            base = candidate
            while candidate in self._ids:
                candidate = f"{base[:74]}-{n}"
                n += 1
        self._ids.add(candidate)
        return candidate

    def entity(
        self,
        name: str,
        *,
        country: str | None = None,
        aliases: Sequence[AliasSpec] = (),
        note: str | None = None,
    ) -> str:
        """The id of the organisation called ``name`` (created on first sight).

        ``aliases`` are ``(name, kind, lang)``; an alias with the same name key as the
        entity's name, or as an alias already recorded in the same language, is dropped.
        """
        name = name.strip()
        key = name_key(name) or name
        acc = self._entities.get(key)
        if acc is None:
            acc = _EntityAcc(id=self._new_id(name), name=name)
            self._entities[key] = acc
        if country and acc.country is None:
            acc.country = country
        for alias_name, kind, lang in aliases:
            self._alias(acc, alias_name, kind, lang)
        _add_unique(acc.notes, note)
        return acc.id

    def _alias(self, acc: _EntityAcc, name: str, kind: AliasKind, lang: str | None) -> None:
        name = name.strip()
        key = name_key(name) or name
        if not name or key == (name_key(acc.name) or acc.name):
            return
        for a in acc.aliases:
            if (name_key(a.name) or a.name) == key and a.lang == lang:
                return
        acc.aliases.append(Alias(name=name, kind=kind, lang=lang))

    # -- lists, entries, edges -----------------------------------------------------------------

    def entry(
        self,
        spec: ListSpec,
        entity_id: str,
        listed: date,
        *,
        removed: date | None = None,
        scope: str | None = None,
        note: str | None = None,
    ) -> None:
        """Record that the entity is on the list; repeated rows for the same entity and list
        merge: earliest ``listed``, ``removed`` only when every row has one (the latest)."""
        self._lists.setdefault(spec.id, spec)
        acc = self._entries.get((spec.id, entity_id))
        if acc is None:
            acc = _EntryAcc(listed=listed, removed=removed, open=removed is None)
            self._entries[(spec.id, entity_id)] = acc
        else:
            acc.listed = min(acc.listed, listed)
            acc.open = acc.open or removed is None
            if removed is not None:
                acc.removed = max(acc.removed, removed) if acc.removed else removed
        _add_unique(acc.scopes, scope)
        _add_unique(acc.notes, note)

    def set_list(self, spec: ListSpec) -> None:
        """Replace a list's description (e.g. a publisher known only after all rows)."""
        self._lists[spec.id] = spec

    def list_spec(self, list_id: str) -> ListSpec:
        return self._lists[list_id]

    def list_ids(self) -> list[str]:
        return sorted(self._lists)

    def own(self, parent: str, child: str, share: float | None = None) -> None:
        if parent != child:
            self._edges.setdefault((parent, child), share)

    def skip(self, row: int, reason: str) -> None:
        self._skipped.append(Skipped(row, reason))

    def malformed(self, row: int, column: str | None, message: str) -> DeriskError:
        return DeriskError(
            ErrorCode.IMPORT_MALFORMED, message, file=self.table.file, row=row, column=column
        )

    # -- result --------------------------------------------------------------------------------

    def build(self) -> ImportBatch:
        src = [self.source.id]
        entities = sorted(
            (
                Entity(
                    id=a.id,
                    name=a.name,
                    country=a.country,
                    aliases=a.aliases,
                    sources=src,
                    note=" ".join(a.notes) or None,
                )
                for a in self._entities.values()
            ),
            key=lambda e: e.id,
        )
        lists: list[RestrictedList] = []
        for list_id in sorted(self._lists):
            spec = self._lists[list_id]
            entries = [
                ListEntry(
                    entity=entity_id,
                    listed=acc.listed,
                    removed=None if acc.open else acc.removed,
                    scope=" | ".join(acc.scopes) or None,
                    note=" ".join(acc.notes) or None,
                    sources=src,
                )
                for (lid, entity_id), acc in sorted(self._entries.items())
                if lid == list_id
            ]
            lists.append(
                RestrictedList(
                    id=spec.id,
                    name=spec.name,
                    jurisdiction=spec.jurisdiction,
                    publisher=spec.publisher,
                    url=spec.url,
                    covers_subsidiaries=spec.covers_subsidiaries,
                    description=spec.description,
                    entries=entries,
                    sources=src,
                )
            )
        ownership = [
            Ownership(parent=p, child=c, share=share, sources=src)
            for (p, c), share in sorted(self._edges.items())
        ]
        return ImportBatch(
            format=self.format_id,
            file=self.table.file,
            sha256=self.table.sha256,
            sources=[self.source],
            entities=entities,
            ownership=ownership,
            lists=lists,
            skipped=sorted(self._skipped, key=lambda s: s.row),
        )
