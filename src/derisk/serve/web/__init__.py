"""The web pages (server-rendered, readable without JavaScript): log in and out, the
dashboard, screening and its run reports with decisions, planning, chip classification, and
the knowledge base's entities and regimes."""

from __future__ import annotations

from fastapi import APIRouter

from derisk.serve.web import classify, knowledge, pages, plans, runs

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
for module in (pages, runs, plans, classify, knowledge):
    router.include_router(module.router)
