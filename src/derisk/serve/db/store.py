"""The one data layer over the server's state, the same on SQLite and PostgreSQL.

Every method is one transaction. Every state change writes its audit-log entry (who, when,
what) in the same transaction, so the log can never miss a change that happened. Reads that
belong to a tenant take the tenant id and filter on it: a run of another tenant is simply not
found.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.decisions import Action, Decision
from derisk.resolve.normalize import fold
from derisk.serve.db import migrate
from derisk.serve.db.connect import create_engine, write_transaction
from derisk.serve.db.records import ApiKey, AuditEntry, Inventory, Run, User
from derisk.serve.db.schema import (
    FILENAME_MAX,
    ROLES,
    api_keys,
    audit_log,
    decisions,
    inventories,
    runs,
    sessions,
    tenants,
    users,
)
from derisk.serve.security import hash_password, hash_token, new_api_key, new_token, verify_password

__all__ = ["CLI_ACTOR", "LOGIN_FAILURES", "LOGIN_WINDOW", "StateStore"]

CLI_ACTOR = "cli"  # the actor of changes made from the command line (create-admin)
LOGIN_FAILURES = 5  # failed password log-ins for one e-mail ...
LOGIN_WINDOW = timedelta(minutes=15)  # ... within this window lock that e-mail out


def _text(blob: bytes | None) -> str | None:
    """A stored document: gzip-compressed UTF-8 JSON."""
    return None if blob is None else gzip.decompress(blob).decode("utf-8")


def _now() -> datetime:
    return datetime.now(UTC)


_ID = re.compile(r"[0-9a-f]{32}")  # run and inventory ids: uuid4 hex


def _email(email: str) -> str:
    """Addresses are compared case-insensitively: stored and looked up case-folded."""
    return email.strip().lower()


class StateStore:
    """Users, keys, sessions, inventories, runs, decisions and the audit log."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str, *, migrate_now: bool = True) -> StateStore:
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
                at=_now(),
            )
        )

    # --- tenants and users ----------------------------------------------------------------

    def create_tenant(self, name: str) -> int:
        with self._tx() as con:
            found = con.execute(sa.select(tenants.c.id).where(tenants.c.name == name)).first()
            if found is not None:
                raise DeriskError(ErrorCode.CONFLICT, f"tenant {name!r} already exists")
            tid = con.execute(
                tenants.insert().values(name=name, created_at=_now()).returning(tenants.c.id)
            ).scalar_one()
            self._audit(con, None, "tenant.create", f"tenant:{tid}", {"name": name}, tid)
            return int(tid)

    def tenant_id(self, name: str) -> int | None:
        with self._read() as con:
            found = con.execute(sa.select(tenants.c.id).where(tenants.c.name == name)).first()
        return None if found is None else int(found[0])

    def create_user(
        self,
        actor: User | None,
        *,
        tenant_id: int,
        email: str,
        name: str,
        role: str,
        password: str | None,
    ) -> User:
        if role not in ROLES:
            raise DeriskError(ErrorCode.REQUEST_INVALID, f"role must be one of {', '.join(ROLES)}")
        email = _email(email)
        with self._tx() as con:
            taken = con.execute(sa.select(users.c.id).where(users.c.email == email)).first()
            if taken is not None:
                raise DeriskError(ErrorCode.CONFLICT, f"a user {email!r} already exists")
            uid = con.execute(
                users.insert()
                .values(
                    tenant_id=tenant_id,
                    email=email,
                    name=name,
                    role=role,
                    password_hash=hash_password(password) if password else None,
                    active=True,
                    created_at=_now(),
                )
                .returning(users.c.id)
            ).scalar_one()
            self._audit(
                con, actor, "user.create", f"user:{uid}", {"email": email, "role": role}, tenant_id
            )
        user = self.user(int(uid))
        assert user is not None
        return user

    def _users(self) -> sa.Select[Any]:
        return sa.select(users, tenants.c.name.label("tenant")).join(
            tenants, tenants.c.id == users.c.tenant_id
        )

    @staticmethod
    def _user(row: Any) -> User:
        m = row._mapping
        return User(
            m["id"], m["tenant_id"], m["tenant"], m["email"], m["name"], m["role"], m["active"]
        )

    def user(self, user_id: int) -> User | None:
        with self._read() as con:
            row = con.execute(self._users().where(users.c.id == user_id)).first()
        return None if row is None else self._user(row)

    def users_by_email(self, email: str) -> list[User]:
        with self._read() as con:
            rows = con.execute(self._users().where(users.c.email == _email(email))).all()
        return [self._user(r) for r in rows]

    def users(self, tenant_id: int) -> list[User]:
        with self._read() as con:
            rows = con.execute(
                self._users().where(users.c.tenant_id == tenant_id).order_by(users.c.id)
            ).all()
        return [self._user(r) for r in rows]

    def authenticate(self, email: str, password: str) -> User | None:
        with self._read() as con:
            row = con.execute(
                self._users().where(users.c.email == _email(email), users.c.active)
            ).first()
        if row is None or not verify_password(row._mapping["password_hash"], password):
            return None
        return self._user(row)

    def login(self, email: str, password: str, *, now: datetime | None = None) -> User:
        """A password log-in. A wrong one raises DR601 and is audited (``session.login_failed``,
        in the user's tenant when the e-mail is known); after :data:`LOGIN_FAILURES` failures
        for one e-mail within :data:`LOGIN_WINDOW`, every attempt raises DR607 until the
        window has passed, right password or not, so passwords cannot be guessed at speed."""
        address, moment = _email(email)[:320], now or _now()
        target = f"login:{address}"
        with self._read() as con:
            failures = con.execute(
                sa.select(sa.func.count())
                .select_from(audit_log)
                .where(
                    audit_log.c.action == "session.login_failed",
                    audit_log.c.target == target,
                    audit_log.c.at > moment - LOGIN_WINDOW,
                )
            ).scalar_one()
        if failures >= LOGIN_FAILURES:
            minutes = int(LOGIN_WINDOW.total_seconds() // 60)
            raise DeriskError(
                ErrorCode.TOO_MANY_ATTEMPTS,
                f"{failures} failed log-ins for this e-mail in the last {minutes} minutes: "
                "try again later",
            )
        user = self.authenticate(address, password)
        if user is not None:
            return user
        known = self.users_by_email(address)
        with self._tx() as con:
            con.execute(
                audit_log.insert().values(
                    tenant_id=known[0].tenant_id if known else None,
                    actor_id=None,
                    actor=address or "(blank)",
                    action="session.login_failed",
                    target=target,
                    detail={},
                    at=moment,
                )
            )
        raise DeriskError(ErrorCode.AUTH_REQUIRED, "wrong e-mail or password")

    def set_active(self, actor: User | None, user_id: int, active: bool) -> User:
        """Deactivate (or reactivate) a user: an inactive user cannot log in, and neither
        their API keys nor their sessions authenticate."""
        with self._tx() as con:
            tenant = con.execute(
                sa.select(users.c.tenant_id).where(users.c.id == user_id)
            ).scalar_one_or_none()
            if tenant is None or (actor is not None and tenant != actor.tenant_id):
                raise DeriskError(ErrorCode.NOT_FOUND, f"no user {user_id}")
            con.execute(users.update().where(users.c.id == user_id).values(active=active))
            action = "user.activate" if active else "user.deactivate"
            self._audit(con, actor, action, f"user:{user_id}", tenant_id=tenant)
        user = self.user(user_id)
        assert user is not None
        return user

    # --- API keys and sessions ------------------------------------------------------------

    def create_api_key(self, actor: User | None, owner: User, label: str) -> tuple[str, ApiKey]:
        """A new key for ``owner``; the key itself is returned once and never stored."""
        key, prefix = new_api_key()
        now = _now()
        with self._tx() as con:
            kid = con.execute(
                api_keys.insert()
                .values(
                    user_id=owner.id,
                    prefix=prefix,
                    key_hash=hash_token(key),
                    label=label,
                    created_at=now,
                )
                .returning(api_keys.c.id)
            ).scalar_one()
            self._audit(
                con,
                actor,
                "api_key.create",
                f"api_key:{kid}",
                {"owner": owner.email, "prefix": prefix, "label": label},
                owner.tenant_id,
            )
        return key, ApiKey(int(kid), owner.id, prefix, label, now, None)

    def api_keys(self, tenant_id: int, user_id: int | None = None) -> list[tuple[ApiKey, str]]:
        """The tenant's keys (or one user's), with their owner's e-mail; never the key."""
        query = (
            sa.select(api_keys, users.c.email)
            .join(users, users.c.id == api_keys.c.user_id)
            .where(users.c.tenant_id == tenant_id)
        )
        if user_id is not None:
            query = query.where(api_keys.c.user_id == user_id)
        with self._read() as con:
            found = con.execute(query.order_by(api_keys.c.id)).all()
        return [
            (
                ApiKey(
                    m["id"], m["user_id"], m["prefix"], m["label"], m["created_at"], m["revoked_at"]
                ),
                m["email"],
            )
            for m in (r._mapping for r in found)
        ]

    def revoke_api_key(self, actor: User, key_id: int, *, own_only: bool = False) -> None:
        """Revoke a key of the actor's tenant (with ``own_only``, of the actor only)."""
        with self._tx() as con:
            owner = con.execute(
                sa.select(users.c.tenant_id, users.c.id)
                .join(api_keys, api_keys.c.user_id == users.c.id)
                .where(api_keys.c.id == key_id)
            ).first()
            if owner is None or owner[0] != actor.tenant_id:
                raise DeriskError(ErrorCode.NOT_FOUND, f"no API key {key_id}")
            if own_only and owner[1] != actor.id:
                raise DeriskError(ErrorCode.FORBIDDEN, "only admins revoke other users' keys")
            con.execute(api_keys.update().where(api_keys.c.id == key_id).values(revoked_at=_now()))
            self._audit(con, actor, "api_key.revoke", f"api_key:{key_id}")

    def user_for_api_key(self, key: str) -> User | None:
        with self._read() as con:
            row = con.execute(
                self._users()
                .join(api_keys, api_keys.c.user_id == users.c.id)
                .where(
                    api_keys.c.key_hash == hash_token(key),
                    api_keys.c.revoked_at.is_(None),
                    users.c.active,
                )
            ).first()
        return None if row is None else self._user(row)

    def create_session(self, user: User, hours: int) -> tuple[str, str]:
        """A login session: (token for the cookie, CSRF token for the forms)."""
        token, csrf = new_token(), new_token()
        now = _now()
        with self._tx() as con:
            con.execute(
                sessions.insert().values(
                    token_hash=hash_token(token),
                    csrf_token=csrf,
                    user_id=user.id,
                    created_at=now,
                    expires_at=now + timedelta(hours=hours),
                )
            )
            self._audit(con, user, "session.login", f"user:{user.id}")
        return token, csrf

    def session_user(self, token: str) -> tuple[User, str] | None:
        with self._read() as con:
            row = con.execute(
                self._users()
                .add_columns(sessions.c.csrf_token, sessions.c.expires_at)
                .join(sessions, sessions.c.user_id == users.c.id)
                .where(sessions.c.token_hash == hash_token(token), users.c.active)
            ).first()
        if row is None or row._mapping["expires_at"] <= _now():
            return None
        return self._user(row), str(row._mapping["csrf_token"])

    def end_session(self, user: User, token: str) -> None:
        with self._tx() as con:
            con.execute(sessions.delete().where(sessions.c.token_hash == hash_token(token)))
            self._audit(con, user, "session.logout", f"user:{user.id}")

    # --- inventories and runs -------------------------------------------------------------

    def add_inventory(self, actor: User, filename: str, content: bytes) -> str:
        if len(filename) > FILENAME_MAX:
            raise DeriskError(
                ErrorCode.REQUEST_INVALID,
                f"file: the name is longer than {FILENAME_MAX} characters",
                file=filename[:80] + "...",
            )
        iid = uuid.uuid4().hex
        digest = hashlib.sha256(content).hexdigest()
        with self._tx() as con:
            con.execute(
                inventories.insert().values(
                    id=iid,
                    tenant_id=actor.tenant_id,
                    filename=filename,
                    sha256=digest,
                    size=len(content),
                    content=content,
                    uploaded_by=actor.id,
                    created_at=_now(),
                )
            )
            self._audit(
                con,
                actor,
                "inventory.upload",
                f"inventory:{iid}",
                {"filename": filename, "size": len(content), "sha256": digest},
            )
        return iid

    def inventory(self, tenant_id: int, inventory_id: str) -> Inventory | None:
        if not _ID.fullmatch(inventory_id):
            return None
        with self._read() as con:
            row = con.execute(
                sa.select(inventories).where(
                    inventories.c.id == inventory_id, inventories.c.tenant_id == tenant_id
                )
            ).first()
        if row is None:
            return None
        m = row._mapping
        return Inventory(
            m["id"], m["tenant_id"], m["filename"], m["sha256"], m["size"], m["content"],
            m["created_at"],
        )  # fmt: skip

    def add_run(
        self,
        actor: User,
        *,
        kind: str,
        inventory_id: str | None,
        profile: dict[str, Any],
        as_of: date,
        kb_version: str,
        summary: dict[str, Any],
        document: str,
    ) -> str:
        rid = uuid.uuid4().hex
        with self._tx() as con:
            con.execute(
                runs.insert().values(
                    id=rid,
                    tenant_id=actor.tenant_id,
                    kind=kind,
                    inventory_id=inventory_id,
                    profile=profile,
                    as_of=as_of,
                    kb_version=kb_version,
                    summary=summary,
                    document=gzip.compress(document.encode("utf-8"), compresslevel=6),
                    created_by=actor.id,
                    created_at=_now(),
                )
            )
            self._audit(con, actor, f"run.{kind}", f"run:{rid}", {"inventory_id": inventory_id})
        return rid

    def _runs(self, with_document: bool) -> sa.Select[Any]:
        cols = [c for c in runs.c if with_document or c.name != "document"]
        return sa.select(*cols, users.c.email.label("creator")).join(
            users, users.c.id == runs.c.created_by
        )

    @staticmethod
    def _run(row: Any) -> Run:
        m = row._mapping
        return Run(
            m["id"], m["tenant_id"], m["kind"], m["inventory_id"], m["profile"], m["as_of"],
            m["kb_version"], m["summary"], m["creator"], m["created_at"], _text(m.get("document")),
        )  # fmt: skip

    def run(self, tenant_id: int, run_id: str, *, with_document: bool = True) -> Run | None:
        if not _ID.fullmatch(run_id):
            return None
        with self._read() as con:
            row = con.execute(
                self._runs(with_document).where(runs.c.id == run_id, runs.c.tenant_id == tenant_id)
            ).first()
        return None if row is None else self._run(row)

    def runs(self, tenant_id: int, *, kind: str | None = None, limit: int = 20) -> list[Run]:
        query = self._runs(False).where(runs.c.tenant_id == tenant_id)
        if kind is not None:
            query = query.where(runs.c.kind == kind)
        with self._read() as con:
            rows = con.execute(
                query.order_by(runs.c.created_at.desc(), runs.c.id).limit(limit)
            ).all()
        return [self._run(r) for r in rows]

    # --- decisions and audit --------------------------------------------------------------

    def add_decision(
        self,
        actor: User,
        *,
        input_name: str,
        entity_id: str,
        action: Action,
        reason: str,
        kb_version: str,
        run_id: str | None = None,
        record_id: str | None = None,
    ) -> Decision:
        try:
            decision = Decision(
                input_name=input_name,
                key=fold(input_name),
                entity_id=entity_id,
                action=action,
                reason=reason,
                decided_by=actor.email,
                decided_at=_now(),
                kb_version=kb_version,
            )
        except ValidationError as exc:
            first = exc.errors()[0]
            field, message = ".".join(str(p) for p in first["loc"]), first["msg"]
            if field == "key":  # a name of punctuation only folds to nothing
                field, message = "input_name", "must contain a letter or a digit"
            raise DeriskError(ErrorCode.REQUEST_INVALID, f"{field}: {message}") from None
        with self._tx() as con:
            did = con.execute(
                decisions.insert()
                .values(
                    tenant_id=actor.tenant_id,
                    input_name=decision.input_name,
                    key=decision.key,
                    entity_id=decision.entity_id,
                    action=decision.action,
                    reason=decision.reason,
                    run_id=run_id,
                    record_id=record_id,
                    user_id=actor.id,
                    decided_by=decision.decided_by,
                    decided_at=decision.decided_at,
                    kb_version=kb_version,
                )
                .returning(decisions.c.id)
            ).scalar_one()
            self._audit(
                con,
                actor,
                f"decision.{action}",
                f"decision:{did}",
                {
                    "input_name": input_name,
                    "entity_id": entity_id,
                    "reason": reason,
                    "run_id": run_id,
                    "record_id": record_id,
                },
            )
        return decision

    def decisions(self, tenant_id: int) -> list[Decision]:
        """Every decision of the tenant, oldest first (for :class:`DecisionSet`)."""
        return [decision for _, decision in self.decision_entries(tenant_id)]

    def decision_entries(self, tenant_id: int) -> list[tuple[dict[str, Any], Decision]]:
        """Every decision of the tenant, oldest first, with where it was taken: its id, and
        the run and record it was taken on (if any)."""
        with self._read() as con:
            rows = con.execute(
                sa.select(decisions)
                .where(decisions.c.tenant_id == tenant_id)
                .order_by(decisions.c.id)
            ).all()
        return [
            (
                {"id": m["id"], "run_id": m["run_id"], "record_id": m["record_id"]},
                Decision(
                    input_name=m["input_name"],
                    key=m["key"],
                    entity_id=m["entity_id"],
                    action=m["action"],
                    reason=m["reason"],
                    decided_by=m["decided_by"],
                    decided_at=m["decided_at"],
                    kb_version=m["kb_version"],
                ),
            )
            for m in (r._mapping for r in rows)
        ]

    def audit_entries(self, tenant_id: int, *, limit: int = 100) -> list[AuditEntry]:
        with self._read() as con:
            rows = con.execute(
                sa.select(audit_log)
                .where(audit_log.c.tenant_id == tenant_id)
                .order_by(audit_log.c.id.desc())
                .limit(limit)
            ).all()
        return [
            AuditEntry(
                m["id"], m["tenant_id"], m["actor"], m["action"], m["target"], m["detail"], m["at"]
            )
            for m in (r._mapping for r in rows)
        ]


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else ""
