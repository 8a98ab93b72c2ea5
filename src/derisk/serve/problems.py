"""Errors as RFC 9457 problem details (``application/problem+json``) with derisk's stable
codes, and a guard that stops reading a request body past the upload limit."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException

from derisk.errors import DeriskError, ErrorCode

__all__ = [
    "PROBLEM_SCHEMA",
    "PROBLEM_TYPE",
    "BodyLimit",
    "install_problem_handlers",
    "problem",
    "status_of",
]

PROBLEM_TYPE = "https://github.com/derisk-dev/derisk/blob/main/docs/errors.md#"

PROBLEM_SCHEMA: dict[str, Any] = {  # what problem() sends, for the OpenAPI document
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details with derisk's stable error code (docs/errors.md).",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "code": {"type": "string", "pattern": "^DR[0-9]{3}$"},
        "instance": {"type": "string"},
        "file": {"type": "string"},
        "row": {"type": "integer"},
        "column": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "Every invalid field of the request (DR606).",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}

_STATUS = {
    ErrorCode.INPUT_TOO_LARGE: 413,
    ErrorCode.AUTH_REQUIRED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.KB_NOT_FOUND: 404,
    ErrorCode.CONFLICT: 409,
    ErrorCode.TOO_MANY_ATTEMPTS: 429,
    ErrorCode.STATE_STORE: 503,
    ErrorCode.KB_STORE: 503,
    ErrorCode.KB_INVALID: 500,
    ErrorCode.OUTPUT_WRITE: 500,
}
_BY_STATUS = {
    401: ErrorCode.AUTH_REQUIRED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.REQUEST_INVALID,
    409: ErrorCode.CONFLICT,
    413: ErrorCode.INPUT_TOO_LARGE,
}


def status_of(code: ErrorCode) -> int:
    """HTTP status for a code: bad files and arguments are 422 unless listed otherwise."""
    return _STATUS.get(code, 422)


def problem(
    code: ErrorCode,
    detail: str,
    *,
    status: int | None = None,
    instance: str | None = None,
    **extra: Any,
) -> JSONResponse:
    status = status or status_of(code)
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + code.value.lower(),
        "title": code.name.lower().replace("_", " "),
        "status": status,
        "detail": detail,
        "code": code.value,
    }
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v is not None})
    headers = {"WWW-Authenticate": 'Bearer realm="derisk"'} if status == 401 else None
    return JSONResponse(body, status, headers=headers, media_type="application/problem+json")


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "body"


def install_problem_handlers(app: FastAPI) -> None:
    async def derisk_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DeriskError)
        return problem(
            exc.code,
            exc.message,
            instance=request.url.path,
            file=exc.file,
            row=exc.row,
            column=exc.column,
        )

    async def invalid(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [{"field": _field(e["loc"]), "message": e["msg"]} for e in exc.errors()]
        first = errors[0] if errors else {"field": "body", "message": "invalid"}
        return problem(
            ErrorCode.REQUEST_INVALID,
            f"{first['field']}: {first['message']}",
            instance=request.url.path,
            errors=errors,
        )

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        code = _BY_STATUS.get(exc.status_code, ErrorCode.REQUEST_INVALID)
        return problem(code, str(exc.detail), status=exc.status_code, instance=request.url.path)

    app.add_exception_handler(DeriskError, derisk_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(HTTPException, http_error)


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyLimit:
    """ASGI middleware: refuse a body over ``max_bytes`` (HTTP 413, DR109), by its
    Content-Length before reading anything, or while streaming when it has none."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            response: Response = problem(
                ErrorCode.INPUT_TOO_LARGE, self._message(), instance=scope["path"]
            )
            if not str(scope["path"]).startswith("/api/"):  # a web page: answer in HTML
                text = html.escape(f"{ErrorCode.INPUT_TOO_LARGE.value}: {self._message()}")
                response = HTMLResponse(
                    '<!DOCTYPE html><html lang="en"><meta charset="utf-8">'
                    f"<title>Upload too large</title><h1>Upload too large</h1><p>{text}.</p>"
                    '<p><a href="/screen">Back</a></p></html>',
                    status_code=413,
                )
            await response(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise DeriskError(ErrorCode.INPUT_TOO_LARGE, self._message())
            return message

        await self.app(scope, limited, send)

    def _message(self) -> str:
        return f"the request body is larger than the upload limit of {self.max_bytes:,} bytes"
