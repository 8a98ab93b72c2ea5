"""The server's explicit context: settings, the state store and the engine, made once at start
and reached from a request through ``request.app.state.derisk``."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from derisk.serve.db.store import StateStore
from derisk.serve.engine import Engine
from derisk.serve.settings import ServeSettings

__all__ = ["ServerContext", "server"]


@dataclass
class ServerContext:
    settings: ServeSettings
    store: StateStore
    engine: Engine


def server(request: Request) -> ServerContext:
    ctx: ServerContext = request.app.state.derisk
    return ctx
