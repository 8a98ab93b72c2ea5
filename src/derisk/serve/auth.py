"""Who is asking: an API key (``Authorization: Bearer drk_...`` or ``X-API-Key``) or a login
session cookie, and what their role lets them do.

Requests authenticated by the session cookie that change state must carry the session's CSRF
token (form field ``csrf_token`` on the web pages, header ``X-CSRF-Token`` on the API), so
another site cannot make a logged-in browser act.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from derisk.errors import DeriskError, ErrorCode
from derisk.serve.context import ServerContext, server
from derisk.serve.db.records import User, role_allows
from derisk.serve.security import same

__all__ = ["SESSION_COOKIE", "Principal", "current", "optional_principal", "require"]

SESSION_COOKIE = "derisk_session"
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Principal:
    user: User
    via: str  # "api_key" | "session"
    csrf: str | None = None  # the session's CSRF token
    token: str | None = None  # the session token (to log out)


def _api_key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    key = request.headers.get("x-api-key")
    return key.strip() if key else None


def optional_principal(
    request: Request, ctx: Annotated[ServerContext, Depends(server)]
) -> Principal | None:
    key = _api_key(request)
    if key is not None:
        user = ctx.store.user_for_api_key(key)
        if user is None:
            raise DeriskError(ErrorCode.AUTH_REQUIRED, "the API key is not valid or was revoked")
        return Principal(user, "api_key")
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        found = ctx.store.session_user(token)
        if found is not None:
            return Principal(found[0], "session", found[1], token)
    return None


def current(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    if principal is None:
        raise DeriskError(
            ErrorCode.AUTH_REQUIRED,
            "log in, or send an API key as 'Authorization: Bearer <key>'",
        )
    return principal


def check_csrf(principal: Principal, request: Request, sent: str | None) -> None:
    """Session-authenticated changes need the session's CSRF token."""
    if principal.via != "session" or request.method in _SAFE:
        return
    if not sent or principal.csrf is None or not same(sent, principal.csrf):
        raise DeriskError(ErrorCode.FORBIDDEN, "missing or wrong CSRF token")


def require(role: str) -> Callable[..., Principal]:
    """A dependency: the caller, who must hold at least ``role``."""

    def dependency(
        request: Request, principal: Annotated[Principal, Depends(current)]
    ) -> Principal:
        if not role_allows(principal.user.role, role):
            raise DeriskError(
                ErrorCode.FORBIDDEN,
                f"this needs the {role} role; {principal.user.email} is {principal.user.role}",
            )
        if request.url.path.startswith("/api/"):
            check_csrf(principal, request, request.headers.get("x-csrf-token"))
        return principal

    return dependency
