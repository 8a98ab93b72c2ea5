"""``POST /match``, ``POST /classify`` and ``POST /plan``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from derisk.errors import DeriskError, ErrorCode
from derisk.serve.actions import PlanSource, plan_and_store, run_source
from derisk.serve.api.schemas import ClassifyRequest, MatchRequest, PlanRequest
from derisk.serve.api.submission import multipart_schema, read_submission
from derisk.serve.auth import Principal, require
from derisk.serve.context import ServerContext, server

__all__ = ["router"]

router = APIRouter(tags=["tools"])

Ctx = Annotated[ServerContext, Depends(server)]


@router.post("/match", summary="Resolve names to knowledge-base entities, with evidence")
def match(
    body: MatchRequest, ctx: Ctx, _: Annotated[Principal, Depends(require("viewer"))]
) -> dict[str, Any]:
    results = ctx.engine.match(
        body.names, country=body.country, threshold=body.threshold, top=body.top
    )
    return {"results": results}


@router.post("/classify", summary="Classify a chip under the US export controls; licence decision")
def classify(
    body: ClassifyRequest, ctx: Ctx, _: Annotated[Principal, Depends(require("viewer"))]
) -> dict[str, Any]:
    if body.chip is None and not body.tops:
        raise DeriskError(ErrorCode.REQUEST_INVALID, "give 'chip' (a catalogue name) or 'tops'")
    return ctx.engine.classify(**body.model_dump())


_PLAN_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/PlanRequest"}},
            "multipart/form-data": {
                "schema": multipart_schema(
                    {"resources": {"type": "string", "description": "Resources as JSON."}}
                )
            },
        },
    }
}


@router.post(
    "/plan",
    status_code=201,
    summary="Plan the replacement of restricted equipment (from a run or an inventory)",
    openapi_extra=_PLAN_BODY,
)
async def plan(
    request: Request, ctx: Ctx, who: Annotated[Principal, Depends(require("analyst"))]
) -> JSONResponse:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            body = PlanRequest.model_validate_json(await request.body())
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "body"
            raise DeriskError(ErrorCode.REQUEST_INVALID, f"{where}: {first['msg']}") from None
        source = _source(ctx, who, body)
        if source is None:
            sub, _ = await read_submission(request, ctx.settings.max_upload_bytes)
            source = (sub.content, sub.filename, sub.profile, sub.as_of, None)
        resources, start, limit = body.resources, body.start, body.time_limit
    else:
        sub, form = await read_submission(request, ctx.settings.max_upload_bytes)
        source = (sub.content, sub.filename, sub.profile, sub.as_of, None)
        resources = _json_field(form.get("resources"), "resources")
        start, limit = None, ctx.settings.plan_time_limit
    run_id, document = await run_in_threadpool(
        plan_and_store,
        ctx,
        who.user,
        source=source,
        resources=resources,
        start=start,
        time_limit=limit,
    )
    return JSONResponse(
        {"run_id": run_id, "document": document},
        status_code=201,
        headers={"Location": f"/api/v1/runs/{run_id}"},
    )


def _source(ctx: ServerContext, who: Principal, body: PlanRequest) -> PlanSource | None:
    if body.run_id is None:
        if body.records is None or body.profile is None:
            raise DeriskError(
                ErrorCode.REQUEST_INVALID, "give 'run_id', or 'records' and 'profile'"
            )
        return None
    content, filename, profile, as_of, inventory_id = run_source(
        ctx, who.user, body.run_id, "run_id"
    )
    return content, filename, body.profile or profile, body.as_of or as_of, inventory_id


def _json_field(value: Any, field: str) -> dict[str, Any]:
    import json

    if value in (None, ""):
        return {}
    try:
        data = json.loads(str(value))
    except json.JSONDecodeError as exc:
        raise DeriskError(ErrorCode.REQUEST_INVALID, f"{field}: not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise DeriskError(ErrorCode.REQUEST_INVALID, f"{field}: must be a JSON object")
    return data
