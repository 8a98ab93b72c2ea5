"""Read-only knowledge-base endpoints: version, entities, regimes."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from derisk.kb.views import entity_view, regime_summaries, regime_view
from derisk.serve.auth import Principal, require
from derisk.serve.context import ServerContext, server

__all__ = ["router"]

router = APIRouter(tags=["knowledge base"])

Ctx = Annotated[ServerContext, Depends(server)]
Viewer = Annotated[Principal, Depends(require("viewer"))]


@router.get("/kb/version", summary="The knowledge-base version the server screens against")
def kb_version(ctx: Ctx, _: Viewer) -> dict[str, Any]:
    kb = ctx.engine.kb
    return {
        "version": kb.version,
        "entities": len(kb.entities),
        "regimes": len(kb.regimes),
        "lists": len(kb.lists),
    }


@router.get(
    "/entities/{entity_id}",
    summary="An entity: names in every script, ownership, list memberships, dated timeline",
)
def get_entity(
    entity_id: str,
    ctx: Ctx,
    _: Viewer,
    on: Annotated[date | None, Query(description="Ownership as of (default: today)")] = None,
) -> dict[str, Any]:
    return entity_view(ctx.engine.kb, entity_id, on or date.today())


@router.get("/regimes", summary="Every regime, with jurisdiction and status")
def list_regimes(ctx: Ctx, _: Viewer) -> dict[str, Any]:
    return {"regimes": regime_summaries(ctx.engine.kb)}


@router.get("/regimes/{regime_id}", summary="A regime with its provisions and sources")
def get_regime(regime_id: str, ctx: Ctx, _: Viewer) -> dict[str, Any]:
    return regime_view(ctx.engine.kb, regime_id)
