"""Logging in and out, the dashboard and the stylesheet.

The login form carries a one-time token that must equal a cookie set with the form (a
double-submit check), so another site cannot log a browser into an account of its choosing.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from derisk.errors import DeriskError, ErrorCode
from derisk.serve.auth import SESSION_COOKIE
from derisk.serve.context import ServerContext, server
from derisk.serve.security import new_token, same
from derisk.serve.web.render import WebRoute, redirect, render
from derisk.serve.web.session import Who, safe_next, with_csrf

__all__ = ["LOGIN_COOKIE", "router"]

router = APIRouter(route_class=WebRoute)

Ctx = Annotated[ServerContext, Depends(server)]
LOGIN_COOKIE = "derisk_login"
_STATIC = {"derisk.css": "text/css; charset=utf-8"}


def _login_page(
    request: Request,
    ctx: ServerContext,
    next_url: str,
    *,
    status: int = 200,
    message: str = "",
    email: str = "",
) -> Response:
    token = new_token()
    response = render(
        request,
        "login.html.j2",
        status=status,
        login_token=token,
        next=safe_next(next_url),
        message=message,
        email=email,
    )
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=3600,
        path="/login",
        httponly=True,
        samesite="lax",
        secure=ctx.settings.secure_cookies,
    )
    return response


@router.get("/login")
def login_form(request: Request, ctx: Ctx, next: str = "/") -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token and ctx.store.session_user(token) is not None:  # already logged in
        return redirect(safe_next(next))
    return _login_page(request, ctx, next)


@router.post("/login")
async def login(request: Request, ctx: Ctx) -> Response:
    async with request.form(max_files=0, max_fields=10) as form:
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
    email, next_url = fields.get("email", ""), fields.get("next", "/")
    sent, expected = fields.get("login_token", ""), request.cookies.get(LOGIN_COOKIE, "")
    if not sent or not expected or not same(sent, expected):
        return _login_page(
            request,
            ctx,
            next_url,
            status=403,
            email=email,
            message="The login form had expired or came from another site: please log in again.",
        )
    try:  # argon2 is slow on purpose: off the event loop
        user = await run_in_threadpool(ctx.store.login, email, fields.get("password", ""))
    except DeriskError as exc:
        locked = exc.code is ErrorCode.TOO_MANY_ATTEMPTS
        return _login_page(
            request,
            ctx,
            next_url,
            status=429 if locked else 401,
            email=email,
            message=(
                "Too many failed log-ins for this e-mail: try again in 15 minutes."
                if locked
                else "Wrong email or password."
            ),
        )
    token, _ = ctx.store.create_session(user, ctx.settings.session_hours)
    response = redirect(safe_next(next_url))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=ctx.settings.session_hours * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=ctx.settings.secure_cookies,
    )
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request, ctx: Ctx, who: Who) -> Response:
    async with request.form(max_files=0, max_fields=10) as form:
        with_csrf(who, request, form.get("csrf_token"))
    if who.token is not None:
        ctx.store.end_session(who.user, who.token)
    response = redirect("/login")
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=ctx.settings.secure_cookies
    )
    return response


@router.get("/")
def dashboard(request: Request, ctx: Ctx, who: Who) -> Response:
    tenant = who.user.tenant_id
    latest = ctx.store.runs(tenant, kind="screen", limit=1)
    return render(
        request,
        "dashboard.html.j2",
        runs=ctx.store.runs(tenant, limit=20),
        latest=latest[0] if latest else None,
    )


@router.get("/static/{name}")
def static(name: str) -> Response:
    if name not in _STATIC:
        return Response("not found", status_code=404, media_type="text/plain")
    body = files("derisk.serve.web").joinpath("static", name).read_bytes()
    return Response(body, media_type=_STATIC[name], headers={"Cache-Control": "max-age=3600"})
