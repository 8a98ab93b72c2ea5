"""Classifying a chip from the web: a GET form (read-only, so every answer has an address)
by catalogue name or by datasheet figures, with a destination, headquarters and end user; the
answer is the engine's, shown with every threshold test and source."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from derisk.classify.catalogue import load_catalogue
from derisk.classify.catalogue_model import PRECISIONS
from derisk.errors import DeriskError, ErrorCode
from derisk.serve.context import ServerContext, server
from derisk.serve.problems import status_of
from derisk.serve.web.forms import form_date, form_number, form_text
from derisk.serve.web.render import WebRoute, render
from derisk.serve.web.session import Who

__all__ = ["classify_request", "router"]

router = APIRouter(route_class=WebRoute)

Ctx = Annotated[ServerContext, Depends(server)]
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_FIGURES = ("die_area_mm2", "memory_bandwidth_gbps", "interconnect_gbps")


def _country(fields: dict[str, str], name: str) -> str | None:
    value = form_text(fields, name, limit=2)
    if value is not None and not _COUNTRY.match(value):
        raise DeriskError(ErrorCode.REQUEST_INVALID, f"{name}: a two-letter country code")
    return value.upper() if value else None


def classify_request(fields: dict[str, str]) -> dict[str, Any] | None:
    """The engine's keyword arguments from the form, or None when nothing was asked."""
    chip = form_text(fields, "chip", limit=200)
    tops = {
        p: value
        for p in PRECISIONS
        if (value := form_number(fields, f"tops_{p}", minimum=0.0)) is not None
    }
    if chip is None and not tops:
        if fields.get("go"):
            raise DeriskError(
                ErrorCode.REQUEST_INVALID,
                "chip: give a catalogue name, or the chip's dense TOPS for a precision",
            )
        return None
    request: dict[str, Any] = {
        "chip": chip,
        "tops": tops or None,
        "datacenter": fields.get("datacenter", "yes") != "no",
        "destination": _country(fields, "destination"),
        "headquarters": _country(fields, "headquarters"),
        "end_user": form_text(fields, "end_user", limit=500),
        "as_of": form_date(fields, "as_of"),
    }
    if chip is None:
        request.update({f: form_number(fields, f, minimum=0.0) for f in _FIGURES})
    return request


@router.get("/classify")
def classify(request: Request, ctx: Ctx, who: Who) -> Response:
    fields = dict(request.query_params)
    result: dict[str, Any] | None = None
    error: DeriskError | None = None
    try:
        asked = classify_request(fields)
        if asked is not None:
            result = ctx.engine.classify(**asked)
    except DeriskError as exc:
        error = exc
    user = (result or {}).get("end_user") or {}
    kb = ctx.engine.kb
    ids = (user.get("entity_id"), user.get("entity_list"))
    entity_names = {e: kb.entities[e].name for e in ids if e in kb.entities}
    catalogue = load_catalogue()
    chips = sorted({c.name for c in catalogue.chips.values() if c.kind == "accelerator"})
    chips += sorted(s.name for s in catalogue.systems.values())
    return render(
        request,
        "classify.html.j2",
        status=status_of(error.code) if error else 200,
        fields=fields,
        precisions=list(PRECISIONS),
        chips=chips,
        result=result,
        sources={s["id"]: s for s in (result or {}).get("sources", [])},
        error=error,
        names=entity_names,
    )
