"""Engines for the state store, and the write transaction every change runs in.

SQLite through Python's ``sqlite3`` does not begin a transaction before DDL or before a
SELECT, so by default a migration is not atomic and a read-then-write is two transactions.
Here the driver's own transaction handling is switched off and SQLAlchemy's begin emits the
``BEGIN`` itself (SQLAlchemy's documented recipe): a write transaction takes the write lock
at once (``BEGIN IMMEDIATE``, so two writers queue on the busy timeout instead of failing
with a lock upgrade deadlock) and a read is one consistent snapshot (``BEGIN``). PostgreSQL
needs none of this.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from derisk.errors import DeriskError, ErrorCode

__all__ = ["create_engine", "write_transaction"]

_WRITE = "derisk_write"  # execution option: this transaction will write


def create_engine(url: str) -> sa.Engine:
    """An engine for ``sqlite:///path`` or ``postgresql://...`` (psycopg 3); DR605 else."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise DeriskError(ErrorCode.STATE_STORE, f"not a database URL: {url!r}") from exc
    if parsed.get_backend_name() == "sqlite":
        return _sqlite(parsed)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3, not psycopg2
    try:
        return sa.create_engine(parsed, pool_pre_ping=True)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise DeriskError(ErrorCode.STATE_STORE, f"unsupported database URL: {exc}") from exc


def _sqlite(url: sa.URL) -> sa.Engine:
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        folder = Path(url.database).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DeriskError(
                ErrorCode.STATE_STORE, f"cannot create the database folder {folder}: {exc}"
            ) from exc
    engine = sa.create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_con: Any, _: Any) -> None:
        dbapi_con.isolation_level = None  # the driver never begins or commits on its own
        cur = dbapi_con.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA busy_timeout = 5000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(con: sa.Connection) -> None:
        con.exec_driver_sql(
            "BEGIN IMMEDIATE" if con.get_execution_options().get(_WRITE) else "BEGIN"
        )

    return engine


@contextmanager
def write_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """One transaction that will change the database: committed when the block ends,
    rolled back if it raises."""
    with engine.connect() as con:
        con.execution_options(**{_WRITE: True})
        with con.begin():
            yield con
