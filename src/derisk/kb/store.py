"""The knowledge-base store: one DuckDB file holding the bundled facts and the user's imports.

The bundled data files are loaded into the store on first use and again whenever the package
ships different ones (their content hash changes); imported lists are kept across those
refreshes. Every fact is stored as its validated JSON document beside the columns queries need,
so the store can be read back into exactly the models it was written from.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import platformdirs

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.knowledge import KnowledgeBase
from derisk.kb.loader import load_bundled
from derisk.kb.model import Entity, Ownership, Regime, RestrictedList, Source
from derisk.kb.products import Product
from derisk.kb.snapshots import save_snapshot

__all__ = ["Store", "default_db_path"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS sources (
  id VARCHAR, origin VARCHAR, title VARCHAR, url VARCHAR, doc JSON);
CREATE TABLE IF NOT EXISTS entities (
  id VARCHAR, origin VARCHAR, name VARCHAR, country VARCHAR, doc JSON);
CREATE TABLE IF NOT EXISTS aliases (
  entity_id VARCHAR, origin VARCHAR, name VARCHAR, lang VARCHAR, kind VARCHAR);
CREATE TABLE IF NOT EXISTS ownership (
  parent VARCHAR, child VARCHAR, origin VARCHAR, share DOUBLE, doc JSON);
CREATE TABLE IF NOT EXISTS lists (
  id VARCHAR, origin VARCHAR, name VARCHAR, jurisdiction VARCHAR, doc JSON);
CREATE TABLE IF NOT EXISTS list_entries (
  list_id VARCHAR, entity_id VARCHAR, origin VARCHAR, listed DATE, removed DATE, doc JSON);
CREATE TABLE IF NOT EXISTS regimes (
  id VARCHAR, origin VARCHAR, jurisdiction VARCHAR, status VARCHAR, doc JSON);
CREATE TABLE IF NOT EXISTS products (id VARCHAR, origin VARCHAR, entity_id VARCHAR, doc JSON);
CREATE TABLE IF NOT EXISTS imports (
  id VARCHAR PRIMARY KEY, format VARCHAR, file VARCHAR, sha256 VARCHAR, imported_at TIMESTAMP,
  lists VARCHAR, entities INTEGER, entries INTEGER, linked INTEGER, skipped INTEGER);
CREATE TABLE IF NOT EXISTS kb_snapshots (
  version VARCHAR PRIMARY KEY, created_at TIMESTAMP, origin VARCHAR, doc BLOB);
CREATE SEQUENCE IF NOT EXISTS decisions_seq;
CREATE TABLE IF NOT EXISTS decisions (
  seq BIGINT PRIMARY KEY DEFAULT nextval('decisions_seq'), key VARCHAR, entity_id VARCHAR,
  action VARCHAR, doc JSON);
"""
# kb_snapshots (derisk.kb.snapshots) and decisions (derisk.kb.decisions) hold no facts: a
# bundled refresh or an import never deletes from them.
_FACT_TABLES = (
    "sources",
    "entities",
    "aliases",
    "ownership",
    "lists",
    "list_entries",
    "regimes",
    "products",
)
BUNDLED = "bundled"


def default_db_path() -> Path:
    """``$DERISK_DB``, else ``<user data dir>/derisk/kb.duckdb``."""
    env = os.environ.get("DERISK_DB")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("derisk", appauthor=False)) / "kb.duckdb"


class Store:
    """A DuckDB-backed knowledge base. Use as a context manager."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_db_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.con = duckdb.connect(str(self.path))
            self.con.execute(_SCHEMA)
        except (OSError, duckdb.Error) as exc:
            raise DeriskError(
                ErrorCode.KB_STORE, f"cannot open the knowledge-base store: {exc}", file=self.path
            ) from exc

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    # -- metadata ------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self.con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    # -- writing -------------------------------------------------------------------------
    def sync_bundled(self, bundled: KnowledgeBase | None = None) -> bool:
        """Load the bundled facts if the store lacks them or has an older copy."""
        bundled = bundled or load_bundled()
        if self.meta("bundled_version") == bundled.version:
            return False
        with self.transaction():
            self._delete_origin(BUNDLED)
            self.write_facts(
                BUNDLED,
                sources=bundled.sources.values(),
                entities=bundled.entities.values(),
                ownership=bundled.ownership,
                lists=bundled.lists.values(),
                regimes=bundled.regimes.values(),
                products=bundled.products,
            )
            self.set_meta("bundled_version", bundled.version)
            save_snapshot(self, self.load(), BUNDLED)  # raises (and rolls back) if inconsistent
        return True

    def _delete_origin(self, origin: str) -> None:
        for table in _FACT_TABLES:
            self.con.execute(f"DELETE FROM {table} WHERE origin = ?", [origin])

    def write_facts(
        self,
        origin: str,
        *,
        sources: Any = (),
        entities: Any = (),
        ownership: Any = (),
        lists: Any = (),
        entries: Any = (),
        aliases: Any = (),
        regimes: Any = (),
        products: Any = (),
    ) -> None:
        """Insert facts under ``origin`` (``bundled`` or ``import:<id>``)."""

        def dump(model: Any, **exclude: Any) -> str:
            return str(model.model_dump_json(exclude=set(exclude) or None))

        def many(sql: str, rows: list[list[Any]]) -> None:
            if rows:
                self.con.executemany(sql, rows)

        many(
            "INSERT INTO sources VALUES (?, ?, ?, ?, ?)",
            [[s.id, origin, s.title, s.url, dump(s)] for s in sources],
        )
        ents: list[Entity] = list(entities)
        many(
            "INSERT INTO entities VALUES (?, ?, ?, ?, ?)",
            [[e.id, origin, e.name, e.country, dump(e, aliases=1)] for e in ents],
        )
        alias_rows = [[e.id, origin, a.name, a.lang, a.kind] for e in ents for a in e.aliases]
        alias_rows += [[eid, origin, a.name, a.lang, a.kind] for eid, a in aliases]
        many("INSERT INTO aliases VALUES (?, ?, ?, ?, ?)", alias_rows)
        many(
            "INSERT INTO ownership VALUES (?, ?, ?, ?, ?)",
            [[o.parent, o.child, origin, o.share, dump(o)] for o in ownership],
        )
        lsts: list[RestrictedList] = list(lists)
        many(
            "INSERT INTO lists VALUES (?, ?, ?, ?, ?)",
            [[x.id, origin, x.name, x.jurisdiction, dump(x, entries=1)] for x in lsts],
        )
        entry_rows = [(x.id, en) for x in lsts for en in x.entries] + list(entries)
        many(
            "INSERT INTO list_entries VALUES (?, ?, ?, ?, ?, ?)",
            [[lid, en.entity, origin, en.listed, en.removed, dump(en)] for lid, en in entry_rows],
        )
        many(
            "INSERT INTO regimes VALUES (?, ?, ?, ?, ?)",
            [[r.id, origin, r.jurisdiction, r.status.value, dump(r)] for r in regimes],
        )
        many(
            "INSERT INTO products VALUES (?, ?, ?, ?)",
            [[p.id, origin, p.entity, dump(p)] for p in products],
        )

    def remove_import(self, import_id: str) -> None:
        self._delete_origin(f"import:{import_id}")
        self.con.execute("DELETE FROM imports WHERE id = ?", [import_id])

    def record_import(self, row: dict[str, Any]) -> None:
        self.con.execute(
            "INSERT OR REPLACE INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                row["id"],
                row["format"],
                row["file"],
                row["sha256"],
                datetime.now(UTC),
                row["lists"],
                row["entities"],
                row["entries"],
                row["linked"],
                row["skipped"],
            ],
        )

    def imports(self) -> list[dict[str, Any]]:
        cur = self.con.execute("SELECT * FROM imports ORDER BY imported_at")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    # -- reading -------------------------------------------------------------------------
    def _docs(self, sql: str) -> list[Any]:
        return [json.loads(r[0]) for r in self.con.execute(sql).fetchall()]

    def load(self) -> KnowledgeBase:
        """The knowledge base as stored (bundled facts plus imports)."""
        aliases: dict[str, list[dict[str, Any]]] = {}
        for eid, name, lang, kind in self.con.execute(
            "SELECT entity_id, name, lang, kind FROM aliases ORDER BY origin, rowid"
        ).fetchall():
            aliases.setdefault(eid, []).append({"name": name, "lang": lang, "kind": kind})
        entities = []
        for doc in self._docs("SELECT doc FROM entities ORDER BY id"):
            doc["aliases"] = aliases.get(doc["id"], [])
            entities.append(Entity.model_validate(doc))
        entries: dict[str, list[dict[str, Any]]] = {}
        for lid, doc in self.con.execute(
            "SELECT list_id, doc FROM list_entries ORDER BY list_id, rowid"
        ).fetchall():
            entries.setdefault(lid, []).append(json.loads(doc))
        lists = []
        for doc in self._docs("SELECT doc FROM lists ORDER BY id"):
            doc["entries"] = entries.get(doc["id"], [])
            lists.append(RestrictedList.model_validate(doc))
        return KnowledgeBase(
            sources=[Source.model_validate(d) for d in self._docs("SELECT doc FROM sources")],
            entities=entities,
            ownership=[
                Ownership.model_validate(d) for d in self._docs("SELECT doc FROM ownership")
            ],
            lists=lists,
            regimes=[Regime.model_validate(d) for d in self._docs("SELECT doc FROM regimes")],
            products=[
                Product.model_validate(d)
                for d in self._docs("SELECT doc FROM products ORDER BY rowid")
            ],
            country_groups=load_bundled_groups(),
        )


def load_bundled_groups() -> dict[str, list[str]]:
    from derisk.kb.loader import bundled_data_dir, read_yaml

    doc = read_yaml(bundled_data_dir() / "countries.yaml") or {}
    return {str(k): [str(c) for c in v] for k, v in doc.get("groups", {}).items()}
