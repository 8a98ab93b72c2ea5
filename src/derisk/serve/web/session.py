"""Who is looking at a web page: the login session (or an API key), the role checks and the
CSRF check of the forms, and where a login may send the browser afterwards."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request

from derisk.errors import DeriskError, ErrorCode
from derisk.serve.auth import Principal, check_csrf, optional_principal
from derisk.serve.db.records import role_allows

__all__ = ["Who", "may", "need_role", "safe_next", "web_user", "with_csrf"]


def web_user(
    request: Request, principal: Annotated[Principal | None, Depends(optional_principal)]
) -> Principal:
    """The signed-in user; without one the page answers with a redirect to /login."""
    if principal is None:
        raise DeriskError(ErrorCode.AUTH_REQUIRED, "log in to see this page")
    request.state.principal = principal  # for the error pages' navigation
    return principal


Who = Annotated[Principal, Depends(web_user)]


def may(who: Principal, role: str) -> bool:
    return role_allows(who.user.role, role)


def need_role(who: Principal, role: str, doing: str) -> None:
    """A 403 page explaining the role when ``who`` may not do ``doing``."""
    if not may(who, role):
        raise DeriskError(
            ErrorCode.FORBIDDEN,
            f"{doing} needs the {role} role; you ({who.user.email}) are a {who.user.role}. "
            "Ask an administrator of your organisation for the role.",
        )


def with_csrf(who: Principal, request: Request, sent: object) -> None:
    """The form's ``csrf_token`` must be the session's (a 403 page otherwise)."""
    check_csrf(who, request, sent if isinstance(sent, str) else None)


def safe_next(target: str | None) -> str:
    """``target`` when it is a path on this site, else ``/``: a login never sends the browser
    to another site (``//evil``, ``/\\evil``, ``https://evil`` and control characters are out).
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if any(ord(c) < 0x20 or c in "\\\x7f" for c in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target
