"""Screening from the web: the upload form, a run's report page (summary, the findings table
with each finding's evidence chain and decision form) and the report downloads."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from derisk.errors import DeriskError, ErrorCode
from derisk.report.document import read_report
from derisk.serve.actions import REPORT_TYPES, decide, load_run, render_run, screen_and_store
from derisk.serve.api.submission import read_form_submission
from derisk.serve.auth import Principal
from derisk.serve.context import ServerContext, server
from derisk.serve.problems import status_of
from derisk.serve.web.findings import SORTS, FindingQuery, select
from derisk.serve.web.forms import SECTORS, country_choices, text_fields
from derisk.serve.web.render import REPORT_CSP, WebRoute, redirect, render, secure
from derisk.serve.web.session import Who, may, need_role, with_csrf

__all__ = ["router"]

router = APIRouter(route_class=WebRoute)

Ctx = Annotated[ServerContext, Depends(server)]
_FLASH = {
    "decision": "Decision recorded. It applies to this organisation's next screenings "
    "(this run's report stays as it was made).",
}
_PASS_THROUGH = (ErrorCode.AUTH_REQUIRED, ErrorCode.FORBIDDEN)


def _screen_page(
    request: Request,
    ctx: ServerContext,
    who: Principal,
    values: dict[str, Any],
    *,
    error: DeriskError | None = None,
) -> Response:
    return render(
        request,
        "screen.html.j2",
        status=status_of(error.code) if error else 200,
        countries=country_choices(ctx.engine.kb),
        sectors=SECTORS,
        values=values,
        error=error,
        allowed=may(who, "analyst"),
    )


@router.get("/screen")
def screen_form(request: Request, ctx: Ctx, who: Who) -> Response:
    return _screen_page(request, ctx, who, {"country": [], "sector": "telecom", "as_of": ""})


@router.post("/screen")
async def screen(request: Request, ctx: Ctx, who: Who) -> Response:
    need_role(who, "analyst", "Screening an inventory")
    form = await request.form(max_files=1, max_fields=50)
    try:
        with_csrf(who, request, form.get("csrf_token"))
        values = {
            "country": [c for c in form.getlist("country") if isinstance(c, str)],
            "sector": form.get("sector") or "any",
            "as_of": form.get("as_of") or "",
        }
        # reads the form parsed above (Starlette keeps it), and closes its file
        sub, _ = await read_form_submission(request, ctx.settings.max_upload_bytes)
        run_id, _ = await run_in_threadpool(
            screen_and_store, ctx, who.user, sub.content, sub.filename, sub.profile, sub.as_of
        )
    except DeriskError as exc:
        if exc.code in _PASS_THROUGH:
            raise
        return _screen_page(request, ctx, who, values, error=exc)
    finally:
        await form.close()
    return redirect(f"/runs/{run_id}")


def _screening(ctx: ServerContext, who: Principal, run_id: str) -> tuple[Any, dict[str, Any]]:
    run = load_run(ctx, who.user, run_id)
    assert run.document is not None
    return run, json.loads(run.document)


@router.get("/runs/{run_id}")
def run_page(request: Request, run_id: str, ctx: Ctx, who: Who, done: str = "") -> Response:
    run, document = _screening(ctx, who, run_id)
    if run.kind == "plan":
        return redirect(f"/plans/{run.id}")
    report = read_report(document)
    query = FindingQuery.read(request.query_params)
    selection = select(report, query)
    kb = ctx.engine.kb
    ids = {e for _, f in selection.rows for e in (f.entity_id, *f.ownership_path)}
    return render(
        request,
        "run.html.j2",
        run=run,
        report=report,
        query=query,
        selection=selection,
        sorts=SORTS,
        names={e: kb.entities[e].name for e in ids if e in kb.entities},
        formats=list(REPORT_TYPES),
        flash=_FLASH.get(done, ""),
    )


def _finding(document: dict[str, Any], index: str | None) -> dict[str, Any]:
    findings = document.get("findings") or []
    if index is None or not index.isdigit() or int(index) >= len(findings):
        raise DeriskError(ErrorCode.NOT_FOUND, f"finding: no finding {index!r} in this run")
    finding: dict[str, Any] = findings[int(index)]
    return finding


@router.post("/runs/{run_id}/decisions")
async def record_decision(request: Request, run_id: str, ctx: Ctx, who: Who) -> Response:
    need_role(who, "analyst", "Recording a decision")
    async with request.form(max_files=0, max_fields=20) as form:
        fields = text_fields(form)
    with_csrf(who, request, fields.get("csrf_token"))
    run, document = _screening(ctx, who, run_id)
    finding = _finding(document, fields.get("finding"))
    action = fields.get("action", "")
    reason = fields.get("reason", "").strip()
    if action not in ("confirm", "dismiss"):
        raise DeriskError(ErrorCode.REQUEST_INVALID, "action: choose confirm or dismiss")
    if not reason or len(reason) > 2000:
        raise DeriskError(ErrorCode.REQUEST_INVALID, "reason: give a reason (2,000 characters)")
    decide(
        ctx,
        who.user,
        input_name=str(finding.get("input_vendor") or ""),
        entity_id=str(finding.get("entity_id") or ""),
        action="confirm" if action == "confirm" else "dismiss",
        reason=reason,
        run_id=run.id,
        record_id=str(finding.get("record_id") or "") or None,
    )
    back = FindingQuery.read(parse_qsl(fields.get("back", "")))
    query = back.query()
    query = f"{query}&done=decision" if query else "done=decision"
    return redirect(f"/runs/{run.id}?{query}#f-{fields['finding']}")


@router.get("/runs/{run_id}/report.{fmt}")
def report(run_id: str, fmt: str, ctx: Ctx, who: Who) -> Response:
    run = load_run(ctx, who.user, run_id)
    body = render_run(run, fmt)
    if fmt == "html":
        return secure(Response(body, media_type=REPORT_TYPES[fmt]), REPORT_CSP)
    disposition = f'attachment; filename="derisk-{run.id}.{fmt}"'
    return Response(
        body, media_type=REPORT_TYPES[fmt], headers={"Content-Disposition": disposition}
    )
