"""Tenants, users, password log-ins, API keys and sessions."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from derisk.errors import DeriskError, ErrorCode
from derisk.serve.db.base import (
    LOGIN_FAILURES,
    LOGIN_WINDOW,
    StoreBase,
    normal_email,
    utc_now,
)
from derisk.serve.db.records import ApiKey, User
from derisk.serve.db.schema import (
    ROLES,
    api_keys,
    audit_log,
    sessions,
    tenants,
    users,
)
from derisk.serve.security import hash_password, hash_token, new_api_key, new_token, verify_password

__all__ = ["AccountStore"]


class AccountStore(StoreBase):
    """The people side of the state."""

    # --- tenants and users ----------------------------------------------------------------

    def create_tenant(self, name: str) -> int:
        with self._tx() as con:
            found = con.execute(sa.select(tenants.c.id).where(tenants.c.name == name)).first()
            if found is not None:
                raise DeriskError(ErrorCode.CONFLICT, f"tenant {name!r} already exists")
            tid = con.execute(
                tenants.insert().values(name=name, created_at=utc_now()).returning(tenants.c.id)
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
        email = normal_email(email)
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
                    created_at=utc_now(),
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
            rows = con.execute(self._users().where(users.c.email == normal_email(email))).all()
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
                self._users().where(users.c.email == normal_email(email), users.c.active)
            ).first()
        if row is None or not verify_password(row._mapping["password_hash"], password):
            return None
        return self._user(row)

    def login(self, email: str, password: str, *, now: datetime | None = None) -> User:
        """A password log-in. A wrong one raises DR601 and is audited (``session.login_failed``,
        in the user's tenant when the e-mail is known); after :data:`LOGIN_FAILURES` failures
        for one e-mail within :data:`LOGIN_WINDOW`, every attempt raises DR607 until the
        window has passed, right password or not, so passwords cannot be guessed at speed."""
        address, moment = normal_email(email)[:320], now or utc_now()
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
        now = utc_now()
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
            con.execute(
                api_keys.update().where(api_keys.c.id == key_id).values(revoked_at=utc_now())
            )
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
        now = utc_now()
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
        if row is None or row._mapping["expires_at"] <= utc_now():
            return None
        return self._user(row), str(row._mapping["csrf_token"])

    def end_session(self, user: User, token: str) -> None:
        with self._tx() as con:
            con.execute(sessions.delete().where(sessions.c.token_hash == hash_token(token)))
            self._audit(con, user, "session.logout", f"user:{user.id}")
