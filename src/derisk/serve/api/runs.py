"""``POST /screen`` and the runs it makes: ``GET /runs``, ``/runs/{id}``, its reports."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from derisk.serve.actions import REPORT_TYPES, load_run, render_run, screen_and_store
from derisk.serve.api.submission import multipart_schema, read_submission
from derisk.serve.auth import Principal, require
from derisk.serve.context import ServerContext, server

__all__ = ["router"]

router = APIRouter(tags=["screening"])

Ctx = Annotated[ServerContext, Depends(server)]

_SCREEN_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {"schema": multipart_schema()},
            "application/json": {"schema": {"$ref": "#/components/schemas/ScreenRequest"}},
        },
    }
}


@router.post(
    "/screen",
    status_code=201,
    summary="Screen an inventory (upload or JSON records) with a profile",
    openapi_extra=_SCREEN_BODY,
    responses={201: {"description": "The run id and the derisk.screen/1 document"}},
)
async def screen(
    request: Request, ctx: Ctx, who: Annotated[Principal, Depends(require("analyst"))]
) -> JSONResponse:
    sub, _ = await read_submission(request, ctx.settings.max_upload_bytes)
    run_id, document = await run_in_threadpool(
        screen_and_store, ctx, who.user, sub.content, sub.filename, sub.profile, sub.as_of
    )
    return JSONResponse(
        {"run_id": run_id, "links": _links(run_id), "document": document},
        status_code=201,
        headers={"Location": f"/api/v1/runs/{run_id}"},
    )


def _links(run_id: str) -> dict[str, str]:
    base = f"/api/v1/runs/{run_id}"
    return {"self": base, **{fmt: f"{base}/report.{fmt}" for fmt in REPORT_TYPES}}


@router.get("/runs", summary="The tenant's recent runs, newest first")
def list_runs(
    ctx: Ctx,
    who: Annotated[Principal, Depends(require("viewer"))],
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> dict[str, Any]:
    runs = ctx.store.runs(who.user.tenant_id, limit=limit)
    return {"runs": [r.public() | {"links": _links(r.id)} for r in runs]}


@router.get("/runs/{run_id}", summary="One run: what was screened, against what, and its summary")
def get_run(
    run_id: str, ctx: Ctx, who: Annotated[Principal, Depends(require("viewer"))]
) -> dict[str, Any]:
    run = load_run(ctx, who.user, run_id)
    return run.public() | {"links": _links(run.id)}


@router.get(
    "/runs/{run_id}/report.{fmt}",
    summary="A run's report: json (the full document), csv or html",
    responses={200: {"content": {t.split(";")[0]: {} for t in REPORT_TYPES.values()}}},
)
def get_report(
    run_id: str, fmt: str, ctx: Ctx, who: Annotated[Principal, Depends(require("viewer"))]
) -> Response:
    run = load_run(ctx, who.user, run_id)
    body = render_run(run, fmt)
    headers = {}
    if fmt != "html":
        headers["Content-Disposition"] = f'attachment; filename="derisk-{run.id}.{fmt}"'
    if fmt == "json":
        json.loads(body)  # stored by us; a cheap integrity check
    return Response(body, media_type=REPORT_TYPES[fmt], headers=headers)
