"""Rendering the web pages: the Jinja2 environment (autoescape on, undefined names an error),
the security headers every page carries, and the route class that turns errors into pages.

Every page is rendered from ``templates/`` with autoescape, so inventory and knowledge-base
text is always escaped; the only markup passed in is the SVG built (and escaped) by the report
modules. A route of the web router answers an error with an HTML page, never JSON: not logged
in is a redirect to ``/login?next=...``, anything else an error page with the DR code.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import lru_cache
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from derisk import __version__
from derisk.errors import DeriskError, ErrorCode
from derisk.report.document import STATUS_MEANINGS, STATUSES, plural, status_label
from derisk.report.html_report import safe_href
from derisk.report.templating import new_environment
from derisk.serve.auth import Principal
from derisk.serve.problems import status_of
from derisk.serve.web.session import may

__all__ = [
    "CSP",
    "REPORT_CSP",
    "WebRoute",
    "error_page",
    "redirect",
    "render",
    "secure",
]

#: No script at all, styles and images from this site only, forms post back here only.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
#: The downloadable HTML reports are self-contained: inline style, never a script.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = new_environment()
    env.loader = jinja2.PackageLoader("derisk", "serve/web/templates")
    env.globals.update(
        version=__version__,
        statuses=STATUSES,
        status_label=status_label,
        status_meanings=STATUS_MEANINGS,
        safe_href=safe_href,
        plural=plural,
    )
    env.filters["num"] = lambda value: "" if value is None else f"{value:,}"
    return env


def secure(response: Response, csp: str = CSP) -> Response:
    response.headers.setdefault("Content-Security-Policy", csp)
    for name, value in _HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _principal(request: Request) -> Principal | None:
    found = getattr(request.state, "principal", None)
    return found if isinstance(found, Principal) else None


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """A page; ``who`` (the signed-in user, for the navigation) is taken from the request."""
    who = _principal(request)
    body = (
        _environment()
        .get_template(template)
        .render(
            who=who,
            analyst=who is not None and may(who, "analyst"),
            path=request.url.path,
            **context,
        )
    )
    return HTMLResponse(body, status_code=status)


def redirect(url: str) -> RedirectResponse:
    """303 See Other: after a form post the browser GETs the result."""
    return RedirectResponse(url, status_code=303)


def error_page(request: Request, exc: DeriskError, status: int | None = None) -> Response:
    if exc.code is ErrorCode.AUTH_REQUIRED:
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        if request.method != "GET":
            target = "/"
        return redirect("/login?next=" + quote(target, safe="/"))
    return render(request, "error.html.j2", status=status or status_of(exc.code), error=exc)


class WebRoute(APIRoute):
    """A route whose errors are HTML pages and whose responses carry the security headers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                response = await handler(request)
            except DeriskError as exc:
                response = error_page(request, exc)
            except RequestValidationError as exc:
                first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid"}
                where = ".".join(str(p) for p in first["loc"][1:]) or "request"
                error = DeriskError(ErrorCode.REQUEST_INVALID, f"{where}: {first['msg']}")
                response = error_page(request, error)
            except HTTPException as exc:  # e.g. a malformed multipart body
                error = DeriskError(ErrorCode.REQUEST_INVALID, str(exc.detail))
                response = error_page(request, error, exc.status_code)
            return secure(response)

        return route
