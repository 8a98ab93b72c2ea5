"""The ASGI app: ``create_app(settings)`` migrates the database, loads the knowledge base once,
and mounts the REST API (``/api/v1``, OpenAPI at ``/api/v1/openapi.json``) and the web pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from derisk._version import __version__
from derisk.serve import api, web
from derisk.serve.api.schemas import PlanRequest, ScreenRequest
from derisk.serve.context import ServerContext
from derisk.serve.db.store import StateStore
from derisk.serve.engine import Engine
from derisk.serve.problems import PROBLEM_SCHEMA, BodyLimit, install_problem_handlers
from derisk.serve.settings import ServeSettings

__all__ = ["create_app"]

_DESCRIPTION = """\
What in your technology supply chain is hit by geopolitical restrictions: the same engine as
the `derisk` command line. Authenticate with an API key (`Authorization: Bearer drk_...`).
Errors are RFC 9457 problem details with a stable `code` (docs/errors.md).
"""


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title="derisk API",
        version=__version__,
        description=_DESCRIPTION,
        routes=app.routes,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (ScreenRequest, PlanRequest):  # bodies read by hand (JSON or multipart)
        body = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(body.pop("$defs", {}))
        components[model.__name__] = body
    # Errors are problem details, not FastAPI's default 422 body: say so for every operation.
    components["Problem"] = PROBLEM_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    problem = {
        "description": "An error: RFC 9457 problem details with a stable code (docs/errors.md)",
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            responses["default"] = problem
    schema["components"]["securitySchemes"] = {
        "apiKey": {"type": "http", "scheme": "bearer", "description": "an API key, drk_..."}
    }
    schema["security"] = [{"apiKey": []}]
    app.openapi_schema = schema
    return schema


def create_app(settings: ServeSettings, *, engine: Engine | None = None) -> FastAPI:
    """The app; ``engine`` may be given (tests share one), else it is loaded at start."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = StateStore.open(settings.database_url)
        app.state.derisk = ServerContext(settings, store, engine or Engine.load(settings.kb_path))
        try:
            yield
        finally:
            store.close()

    app = FastAPI(
        title="derisk",
        version=__version__,
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    install_problem_handlers(app)
    app.include_router(api.router)
    app.include_router(web.router)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    app.add_middleware(BodyLimit, max_bytes=settings.max_upload_bytes)
    return app
