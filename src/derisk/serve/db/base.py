"""The base of the data layer: engine, transactions, the audit entry every change writes,
and the helpers the parts share."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, Self

import sqlalchemy as sa

from derisk.errors import DeriskError, ErrorCode
from derisk.serve.db import migrate
from derisk.serve.db.connect import create_engine, write_transaction
from derisk.serve.db.records import User
from derisk.serve.db.schema import (
    audit_log,
)

__all__ = [
    "CLI_ACTOR",
    "HEX_ID",
    "LOGIN_FAILURES",
    "LOGIN_WINDOW",
    "StoreBase",
    "document_text",
    "normal_email",
    "utc_now",
]

CLI_ACTOR = "cli"  # the actor of changes made from the command line (create-admin)
LOGIN_FAILURES = 5  # failed password log-ins for one e-mail ...
LOGIN_WINDOW = timedelta(minutes=15)  # ... within this window lock that e-mail out


def document_text(blob: bytes | None) -> str | None:
    """A stored document: gzip-compressed UTF-8 JSON."""
    return None if blob is None else gzip.decompress(blob).decode("utf-8")


def utc_now() -> datetime:
    return datetime.now(UTC)


HEX_ID = re.compile(r"[0-9a-f]{32}")  # run and inventory ids: uuid4 hex


def normal_email(email: str) -> str:
    """Addresses are compared case-insensitively: stored and looked up case-folded."""
    return email.strip().lower()


class StoreBase:
    """Users, keys, sessions, inventories, runs, decisions and the audit log."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str, *, migrate_now: bool = True) -> Self:
        store = cls(create_engine(url))
        if migrate_now:
            try:
                store.migrate()
            except BaseException:
                store.close()
                raise
        return store

    def migrate(self) -> None:
        try:
            migrate.upgrade(self.engine)
        except sa.exc.SQLAlchemyError as exc:
            raise DeriskError(
                ErrorCode.STATE_STORE,
                f"cannot migrate the database: {exc.__class__.__name__}: {_first_line(exc)}",
            ) from exc

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _tx(self) -> Iterator[sa.Connection]:
        """A transaction that changes state (and writes its audit entry)."""
        try:
            with write_transaction(self.engine) as con:
                yield con
        except sa.exc.IntegrityError as exc:
            raise DeriskError(
                ErrorCode.CONFLICT, "that conflicts with the stored state (a duplicate?)"
            ) from exc
        except sa.exc.DataError as exc:  # too long for its column, NUL in PostgreSQL text
            raise DeriskError(ErrorCode.REQUEST_INVALID, "a value the database refuses") from exc
        except sa.exc.OperationalError as exc:
            raise DeriskError(ErrorCode.STATE_STORE, "the database is not available") from exc

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        """A transaction that only reads (rolled back when it ends)."""
        try:
            with self.engine.connect() as con:
                yield con
        except sa.exc.DataError as exc:
            raise DeriskError(ErrorCode.REQUEST_INVALID, "a value the database refuses") from exc
        except sa.exc.OperationalError as exc:
            raise DeriskError(ErrorCode.STATE_STORE, "the database is not available") from exc

    @staticmethod
    def _audit(
        con: sa.Connection,
        actor: User | None,
        action: str,
        target: str,
        detail: dict[str, Any] | None = None,
        tenant_id: int | None = None,
    ) -> None:
        con.execute(
            audit_log.insert().values(
                tenant_id=actor.tenant_id if actor else tenant_id,
                actor_id=actor.id if actor else None,
                actor=actor.email if actor else CLI_ACTOR,
                action=action,
                target=target,
                detail=detail or {},
                at=utc_now(),
            )
        )


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else ""
