"""What changed between two knowledge-base versions.

Facts are compared as their JSON documents, field by field. Nested objects are compared by
sub-field, so a change reads ``covers.entities`` or ``identifiers.lei``; lists (aliases, tags,
sources, binds) are compared whole. Facts are keyed by id; ownership edges by
``parent->child`` (``@since`` when the edge has a start date); list entries by entity id, and
a second entry for the same entity on the same list gets ``#2``. Everything is sorted, so the
same two versions always give the same diff.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from derisk.kb.knowledge import KnowledgeBase

__all__ = ["Changed", "FieldChange", "KbDiff", "ListDiff", "RegimeDiff", "SetDiff", "diff"]

Doc = dict[str, Any]


@dataclass(frozen=True)
class FieldChange:
    field: str  # dotted path into the fact's document, e.g. 'covers.entities'
    old: Any  # JSON values; None when the field was absent or null
    new: Any

    def to_dict(self) -> Doc:
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class Changed:
    key: str
    changes: tuple[FieldChange, ...]

    def to_dict(self) -> Doc:
        return {"key": self.key, "changes": [c.to_dict() for c in self.changes]}


@dataclass(frozen=True)
class SetDiff:
    """Keys added and removed, and the fields that changed on keys present in both."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[Changed, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def to_dict(self) -> Doc:
        return {
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": [c.to_dict() for c in self.changed],
        }


@dataclass(frozen=True)
class ListDiff:
    list_id: str
    status: str  # added | removed | changed
    changes: tuple[FieldChange, ...]  # the list's own fields (name, publisher, ...)
    entries: SetDiff  # keyed by entity id

    def to_dict(self) -> Doc:
        return {
            "id": self.list_id,
            "status": self.status,
            "changes": [c.to_dict() for c in self.changes],
            "entries": self.entries.to_dict(),
        }


@dataclass(frozen=True)
class RegimeDiff:
    regime_id: str
    status: str  # added | removed | changed
    changes: tuple[FieldChange, ...]  # the regime's own fields (status, binds, events, ...)
    provisions: SetDiff  # keyed by provision id

    def to_dict(self) -> Doc:
        return {
            "id": self.regime_id,
            "status": self.status,
            "changes": [c.to_dict() for c in self.changes],
            "provisions": self.provisions.to_dict(),
        }


@dataclass(frozen=True)
class KbDiff:
    old_version: str
    new_version: str
    sources: SetDiff = field(default_factory=SetDiff)
    entities: SetDiff = field(default_factory=SetDiff)
    ownership: SetDiff = field(default_factory=SetDiff)
    lists: tuple[ListDiff, ...] = ()
    regimes: tuple[RegimeDiff, ...] = ()
    products: SetDiff = field(default_factory=SetDiff)
    country_groups: SetDiff = field(default_factory=SetDiff)

    @property
    def empty(self) -> bool:
        sets = (self.sources, self.entities, self.ownership, self.products, self.country_groups)
        return not (any(sets) or self.lists or self.regimes)

    def to_dict(self) -> Doc:
        return {
            "old_version": self.old_version,
            "new_version": self.new_version,
            "sources": self.sources.to_dict(),
            "entities": self.entities.to_dict(),
            "ownership": self.ownership.to_dict(),
            "lists": [x.to_dict() for x in self.lists],
            "regimes": [r.to_dict() for r in self.regimes],
            "products": self.products.to_dict(),
            "country_groups": self.country_groups.to_dict(),
        }


def _field_changes(
    old: Doc, new: Doc, prefix: str = "", skip: Iterable[str] = ()
) -> list[FieldChange]:
    """Fields that differ, descending into nested objects."""
    out: list[FieldChange] = []
    for key in sorted((set(old) | set(new)) - set(skip)):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            out += _field_changes(a, b, f"{prefix}{key}.")
        else:
            out.append(FieldChange(f"{prefix}{key}", a, b))
    return out


def _set_diff(old: Mapping[str, Doc], new: Mapping[str, Doc]) -> SetDiff:
    changed = []
    for key in sorted(old.keys() & new.keys()):
        changes = _field_changes(old[key], new[key])
        if changes:
            changed.append(Changed(key, tuple(changes)))
    return SetDiff(
        tuple(sorted(new.keys() - old.keys())),
        tuple(sorted(old.keys() - new.keys())),
        tuple(changed),
    )


def _keyed(pairs: Iterable[tuple[str, Doc]]) -> dict[str, Doc]:
    """Documents by key; a repeated key gets '#2', '#3', ... in the order given."""
    out: dict[str, Doc] = {}
    seen: dict[str, int] = {}
    for key, doc in pairs:
        seen[key] = seen.get(key, 0) + 1
        out[key if seen[key] == 1 else f"{key}#{seen[key]}"] = doc
    return out


def _edge_key(doc: Doc) -> str:
    since = f"@{doc['since']}" if doc.get("since") else ""
    return f"{doc['parent']}->{doc['child']}{since}"


def _nested(
    old: Mapping[str, Doc], new: Mapping[str, Doc], inner: str, key: str
) -> list[tuple[str, str, list[FieldChange], SetDiff]]:
    """Lists or regimes: their own field changes and a diff of their entries or provisions."""
    out = []
    for ident in sorted(old.keys() | new.keys()):
        a, b = old.get(ident), new.get(ident)
        status = "added" if a is None else "removed" if b is None else "changed"
        inner_a = _keyed((d[key], d) for d in (a or {}).get(inner, []))
        inner_b = _keyed((d[key], d) for d in (b or {}).get(inner, []))
        own = _field_changes(a, b, skip=[inner]) if a is not None and b is not None else []
        sub = _set_diff(inner_a, inner_b)
        if status != "changed" or own or sub:
            out.append((ident, status, own, sub))
    return out


def diff(old: KnowledgeBase, new: KnowledgeBase) -> KbDiff:
    """Everything that differs from ``old`` to ``new``."""
    a, b = old.to_document(), new.to_document()

    def by_id(doc: Doc, part: str) -> dict[str, Doc]:
        return {d["id"]: d for d in doc[part]}

    def groups(doc: Doc) -> dict[str, Doc]:
        return {k: {"members": v} for k, v in doc["country_groups"].items()}

    lists = _nested(by_id(a, "lists"), by_id(b, "lists"), "entries", "entity")
    regimes = _nested(by_id(a, "regimes"), by_id(b, "regimes"), "provisions", "id")
    return KbDiff(
        old_version=old.version,
        new_version=new.version,
        sources=_set_diff(by_id(a, "sources"), by_id(b, "sources")),
        entities=_set_diff(by_id(a, "entities"), by_id(b, "entities")),
        ownership=_set_diff(
            _keyed((_edge_key(d), d) for d in a["ownership"]),
            _keyed((_edge_key(d), d) for d in b["ownership"]),
        ),
        lists=tuple(ListDiff(i, s, tuple(c), e) for i, s, c, e in lists),
        regimes=tuple(RegimeDiff(i, s, tuple(c), p) for i, s, c, p in regimes),
        products=_set_diff(by_id(a, "products"), by_id(b, "products")),
        country_groups=_set_diff(groups(a), groups(b)),
    )
