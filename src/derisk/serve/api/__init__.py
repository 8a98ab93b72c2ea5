"""The REST API under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from derisk.serve.api import knowledge, people, runs, tools

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")
for module in (runs, tools, knowledge, people):
    router.include_router(module.router)
