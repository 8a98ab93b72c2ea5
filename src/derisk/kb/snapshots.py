"""Every knowledge-base version a store has held, kept so it can be loaded again.

Whenever the store's content changes (a bundled refresh, an import) the resulting knowledge
base is saved in ``kb_snapshots`` as its canonical JSON document (the one its version hashes),
zlib-compressed. :func:`load_snapshot` rebuilds exactly that :class:`KnowledgeBase`, with the
same ``.version``; ``derisk kb diff`` and ``derisk screen --since`` use it. Versions may be
given by an unambiguous prefix of at least :data:`MIN_PREFIX` characters, as with git.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.knowledge import KnowledgeBase
from derisk.kb.model import Entity, Ownership, Regime, RestrictedList, Source
from derisk.kb.products import Product

if TYPE_CHECKING:
    from derisk.kb.store import Store

__all__ = [
    "MIN_PREFIX",
    "VersionInfo",
    "from_document",
    "has_snapshot",
    "list_versions",
    "load_snapshot",
    "resolve_version",
    "save_snapshot",
]

MIN_PREFIX = 4


@dataclass(frozen=True)
class VersionInfo:
    """A version the store has held: when it was first recorded, and what produced it."""

    version: str
    created_at: datetime  # UTC
    origin: str  # 'bundled', 'import:<id>', or 'existing' (found in an older store)


def from_document(doc: dict[str, Any]) -> KnowledgeBase:
    """The knowledge base a :meth:`KnowledgeBase.to_document` dump describes."""
    return KnowledgeBase(
        sources=[Source.model_validate(d) for d in doc["sources"]],
        entities=[Entity.model_validate(d) for d in doc["entities"]],
        ownership=[Ownership.model_validate(d) for d in doc["ownership"]],
        lists=[RestrictedList.model_validate(d) for d in doc["lists"]],
        regimes=[Regime.model_validate(d) for d in doc["regimes"]],
        products=[Product.model_validate(d) for d in doc["products"]],
        country_groups={str(k): [str(c) for c in v] for k, v in doc["country_groups"].items()},
    )


def has_snapshot(store: Store, version: str) -> bool:
    row = store.con.execute("SELECT 1 FROM kb_snapshots WHERE version = ?", [version]).fetchone()
    return row is not None


def save_snapshot(store: Store, kb: KnowledgeBase, origin: str) -> bool:
    """Record ``kb`` under its version; False (nothing written) if it is recorded already."""
    if has_snapshot(store, kb.version):
        return False
    text = json.dumps(kb.to_document(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    store.con.execute(
        "INSERT INTO kb_snapshots VALUES (?, ?, ?, ?)",
        [
            kb.version,
            datetime.now(UTC).replace(tzinfo=None),  # stored as naive UTC
            origin,
            zlib.compress(text.encode("utf-8"), 6),
        ],
    )
    return True


def list_versions(store: Store) -> list[VersionInfo]:
    """Every recorded version, oldest first."""
    rows = store.con.execute(
        "SELECT version, created_at, origin FROM kb_snapshots ORDER BY created_at, rowid"
    ).fetchall()
    return [VersionInfo(str(v), ts.replace(tzinfo=UTC), str(o)) for v, ts, o in rows]


def resolve_version(store: Store, ref: str) -> str:
    """The full version ``ref`` names: itself, or the one recorded version it starts."""
    known = [v.version for v in list_versions(store)]
    ref = ref.strip()
    if ref in known:
        return ref
    matches = [v for v in known if ref and v.startswith(ref)] if len(ref) >= MIN_PREFIX else []
    if len(matches) == 1:
        return matches[0]
    listed = ", ".join(known) if known else "none"
    if len(matches) > 1:
        problem = f"version prefix '{ref}' is ambiguous: it starts {', '.join(matches)}"
    elif ref and len(ref) < MIN_PREFIX and any(v.startswith(ref) for v in known):
        problem = f"version prefix '{ref}' is too short (give at least {MIN_PREFIX} characters)"
    else:
        problem = f"no knowledge-base version '{ref}' in this store"
    raise DeriskError(ErrorCode.KB_NOT_FOUND, f"{problem}; known versions: {listed}")


def load_snapshot(store: Store, ref: str) -> KnowledgeBase:
    """The knowledge base of version ``ref`` (full or unambiguous prefix), as recorded."""
    version = resolve_version(store, ref)
    row = store.con.execute("SELECT doc FROM kb_snapshots WHERE version = ?", [version]).fetchone()
    assert row is not None  # resolve_version found it
    try:  # a pydantic ValidationError is a ValueError too
        kb = from_document(json.loads(zlib.decompress(bytes(row[0])).decode("utf-8")))
    except (zlib.error, ValueError, KeyError) as exc:
        raise DeriskError(
            ErrorCode.KB_STORE, f"the snapshot of version {version} is unreadable: {exc}"
        ) from exc
    if kb.version != version:
        raise DeriskError(
            ErrorCode.KB_STORE,
            f"the snapshot of version {version} rebuilds as {kb.version}: the store is damaged "
            "or was written by a derisk with a different knowledge-base schema",
        )
    return kb
