"""Planning from the web: pick one of the organisation's screening runs, crews and budget, and
see the plan: deadline risks first, the Gantt chart and the cost by quarter (drawn by the
report modules, never redrawn here)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from derisk.errors import DeriskError, ErrorCode
from derisk.report.plan_cost_chart import render_cost_svg
from derisk.report.plan_document import deadline_risk, read_plan
from derisk.report.plan_gantt import build_gantt, render_gantt_svg
from derisk.report.plan_views import outcome_label
from derisk.serve.actions import REPORT_TYPES, load_run, plan_and_store, run_source
from derisk.serve.auth import Principal
from derisk.serve.context import ServerContext, server
from derisk.serve.problems import status_of
from derisk.serve.web.forms import form_date, form_number, text_fields
from derisk.serve.web.render import WebRoute, redirect, render
from derisk.serve.web.session import Who, may, need_role, with_csrf

__all__ = ["router"]

router = APIRouter(route_class=WebRoute)

Ctx = Annotated[ServerContext, Depends(server)]
_PASS_THROUGH = (ErrorCode.AUTH_REQUIRED, ErrorCode.FORBIDDEN)
_MAX_CREWS = 1000


def _plan_form(
    request: Request,
    ctx: ServerContext,
    who: Principal,
    values: dict[str, str],
    error: DeriskError | None = None,
) -> Response:
    return render(
        request,
        "plan_form.html.j2",
        status=status_of(error.code) if error else 200,
        runs=ctx.store.runs(who.user.tenant_id, kind="screen", limit=50),
        values=values,
        error=error,
        allowed=may(who, "analyst"),
    )


@router.get("/plan")
def plan_form(request: Request, ctx: Ctx, who: Who, run: str = "") -> Response:
    values = {"run": run, "crews": "2", "budget": "", "start": ""}
    return _plan_form(request, ctx, who, values)


@router.post("/plan")
async def plan(request: Request, ctx: Ctx, who: Who) -> Response:
    need_role(who, "analyst", "Planning")
    async with request.form(max_files=0, max_fields=20) as form:
        fields = text_fields(form)
    with_csrf(who, request, fields.get("csrf_token"))
    values = {k: fields.get(k, "") for k in ("run", "crews", "budget", "start")}
    try:
        crews = form_number(fields, "crews", minimum=0, whole=True)
        if crews is not None and crews > _MAX_CREWS:
            raise DeriskError(ErrorCode.REQUEST_INVALID, f"crews: at most {_MAX_CREWS}")
        budget = form_number(fields, "budget", minimum=1)
        resources: dict[str, Any] = {"crews": {"default": int(crews if crews is not None else 2)}}
        if budget is not None:
            resources["budget"] = {"per_quarter": budget}
        start = form_date(fields, "start")
        source = run_source(ctx, who.user, values["run"], "run")
        run_id, _ = await run_in_threadpool(
            plan_and_store,
            ctx,
            who.user,
            source=source,
            resources=resources,
            start=start,
            time_limit=ctx.settings.plan_time_limit,
        )
    except DeriskError as exc:
        if exc.code in _PASS_THROUGH:
            raise
        return _plan_form(request, ctx, who, values, exc)
    return redirect(f"/plans/{run_id}")


@router.get("/plans/{run_id}")
def plan_page(request: Request, run_id: str, ctx: Ctx, who: Who) -> Response:
    run = load_run(ctx, who.user, run_id)
    if run.kind != "plan":
        return redirect(f"/runs/{run.id}")
    assert run.document is not None
    plan = read_plan(json.loads(run.document))
    gantt = build_gantt(plan)
    return render(
        request,
        "plan.html.j2",
        run=run,
        plan=plan,
        risk=deadline_risk(plan),
        gantt=gantt,
        gantt_svg=render_gantt_svg(
            gantt, prefix="gantt", title=f"Schedule, one row per {gantt.unit}"
        ),
        cost_svg=render_cost_svg(plan, prefix="cost"),
        outcome_label=outcome_label,
        formats=list(REPORT_TYPES),
    )
