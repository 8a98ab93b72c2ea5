"""The name index, stored with the knowledge-base version it was built from.

Normalising every name and alias is most of the cost of building the index; the normalised
keys are stored in the knowledge-base store under the KB version and a fingerprint of the
normaliser (its vocabulary files and derisk's version), and reused by every later run on the
same version. A new KB version or a new normaliser builds (and stores) afresh.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from derisk._version import __version__
from derisk.kb.knowledge import KnowledgeBase
from derisk.kb.store import Store
from derisk.resolve.index import NameIndex
from derisk.resolve.normalize import NameKey

__all__ = ["cached_index", "normaliser_fingerprint"]

_NAMES = Path(__file__).resolve().parent.parent / "data" / "names"
_TABLE = """CREATE TABLE IF NOT EXISTS name_keys (
  kb_version VARCHAR, normaliser VARCHAR, created_at TIMESTAMP DEFAULT current_timestamp,
  doc BLOB, PRIMARY KEY (kb_version, normaliser))"""


@lru_cache(maxsize=1)
def normaliser_fingerprint() -> str:
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(_NAMES.glob("*.yaml")):
        if path.name != "match_model.yaml":  # scoring does not change the keys
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _encode(keys: Mapping[str, NameKey]) -> bytes:
    rows = [
        [
            name,
            k.folded,
            list(k.tokens),
            list(k.distinctive),
            sorted(k.locations),
            list(k.legal_forms),
            k.latin,
            k.generic_only,
            sorted(k.legal_classes),
            sorted(k.generic),
        ]
        for name, k in keys.items()
    ]
    return zlib.compress(json.dumps(rows, ensure_ascii=False).encode("utf-8"), 6)


def _decode(blob: bytes) -> dict[str, NameKey]:
    rows: list[list[Any]] = json.loads(zlib.decompress(blob))
    return {
        r[0]: NameKey(
            folded=r[1],
            tokens=tuple(r[2]),
            distinctive=tuple(r[3]),
            locations=frozenset(r[4]),
            legal_forms=tuple(r[5]),
            latin=r[6],
            generic_only=r[7],
            legal_classes=frozenset(r[8]),
            generic=frozenset(r[9]),
        )
        for r in rows
    }


def cached_index(store: Store, kb: KnowledgeBase) -> NameIndex:
    """The name index for ``kb``, from stored keys when the store has them."""
    store.con.execute(_TABLE)
    fingerprint = normaliser_fingerprint()
    row = store.con.execute(
        "SELECT doc FROM name_keys WHERE kb_version = ? AND normaliser = ?",
        [kb.version, fingerprint],
    ).fetchone()
    known = _decode(row[0]) if row else None
    index = NameIndex(kb.entities.values(), known_keys=known)
    if row is None:
        keys = {ref.name: ref.key for ref in index.refs}
        store.con.execute(
            "INSERT OR REPLACE INTO name_keys (kb_version, normaliser, doc) VALUES (?, ?, ?)",
            [kb.version, fingerprint, _encode(keys)],
        )
    return index
