"""The knowledge base on the web: the entity "tag page" (names in every script, ownership up
and down, list memberships, dated timeline, sources), entity search, and the regimes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from derisk.kb.knowledge import KnowledgeBase
from derisk.kb.views import entity_view, regime_summaries, regime_view
from derisk.serve.context import ServerContext, server
from derisk.serve.web.forms import form_date
from derisk.serve.web.render import WebRoute, render
from derisk.serve.web.session import Who

__all__ = ["OwnershipNode", "ownership_tree", "router"]

router = APIRouter(route_class=WebRoute)

Ctx = Annotated[ServerContext, Depends(server)]
_DEPTH = 5  # levels of owners above, and of subsidiaries below, an entity
_SEARCH_TOP = 10


@dataclass(frozen=True)
class OwnershipNode:
    """An owner (or subsidiary) and, nested, its own owners (or subsidiaries)."""

    entity_id: str
    name: str
    share: float | None
    since: date | None
    until: date | None
    branches: tuple[OwnershipNode, ...]


def ownership_tree(
    kb: KnowledgeBase, entity_id: str, on: date, *, up: bool, seen: tuple[str, ...] = ()
) -> tuple[OwnershipNode, ...]:
    """Owners (``up``) or subsidiaries of ``entity_id`` on ``on``, nested; cycles cut."""
    if len(seen) >= _DEPTH:
        return ()
    path = (*seen, entity_id)
    edges = kb.parents(entity_id, on) if up else kb.children(entity_id, on)
    nodes = []
    for edge in edges:
        other = edge.parent if up else edge.child
        if other in path or other not in kb.entities:
            continue
        nodes.append(
            OwnershipNode(
                other,
                kb.entities[other].name,
                edge.share,
                edge.since,
                edge.until,
                ownership_tree(kb, other, on, up=up, seen=path),
            )
        )
    return tuple(sorted(nodes, key=lambda n: n.name.casefold()))


@router.get("/entities")
def entities(request: Request, ctx: Ctx, who: Who, q: str = "") -> Response:
    q = q.strip()[:200]
    kb = ctx.engine.kb
    candidates: list[dict[str, Any]] = []
    if q:
        found = ctx.engine.match([q], country=None, threshold=None, top=_SEARCH_TOP)
        candidates = found[0]["candidates"]
    everyone = sorted(kb.entities.values(), key=lambda e: e.name.casefold())
    return render(request, "entities.html.j2", q=q, candidates=candidates, everyone=everyone)


@router.get("/entities/{entity_id}")
def entity(request: Request, entity_id: str, ctx: Ctx, who: Who, on: str = "") -> Response:
    when = form_date({"on": on}, "on") or date.today()
    kb = ctx.engine.kb
    view = entity_view(kb, entity_id, when)
    return render(
        request,
        "entity.html.j2",
        e=view,
        on=when.isoformat(),
        owners=ownership_tree(kb, entity_id, when, up=True),
        subsidiaries=ownership_tree(kb, entity_id, when, up=False),
    )


@router.get("/regimes")
def regimes(request: Request, ctx: Ctx, who: Who) -> Response:
    return render(request, "regimes.html.j2", regimes=regime_summaries(ctx.engine.kb))


@router.get("/regimes/{regime_id}")
def regime(request: Request, regime_id: str, ctx: Ctx, who: Who) -> Response:
    kb = ctx.engine.kb
    view = regime_view(kb, regime_id)
    names = {e: x.name for e, x in kb.entities.items()}
    lists = {k: v.name for k, v in kb.lists.items()}
    return render(request, "regime.html.j2", r=view, names=names, lists=lists)
