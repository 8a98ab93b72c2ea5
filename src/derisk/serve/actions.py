"""What a signed-in user can do, shared by the REST API and the web pages: each action calls
the engine, stores the result for the user's tenant, and the data layer audits it."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from pydantic import ValidationError

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.decisions import Action, Decision
from derisk.plan.model import Resources
from derisk.profile import Profile
from derisk.report import render_csv, render_html, render_plan_csv, render_plan_html
from derisk.serve.context import ServerContext
from derisk.serve.db.records import Run, User

__all__ = [
    "REPORT_TYPES",
    "PlanSource",
    "decide",
    "load_run",
    "plan_and_store",
    "render_run",
    "run_source",
    "screen_and_store",
]

REPORT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
}


def _profile_json(profile: Profile) -> dict[str, Any]:
    return profile.model_dump(mode="json", exclude_defaults=True)


def screen_and_store(
    ctx: ServerContext,
    user: User,
    content: bytes,
    filename: str,
    profile: Profile,
    as_of: date | None,
) -> tuple[str, dict[str, Any]]:
    """Screen an upload with the tenant's decisions; store the inventory and the run."""
    when = as_of or date.today()
    document = ctx.engine.screen(
        content,
        filename,
        profile,
        when,
        ctx.store.decisions(user.tenant_id),
        max_records=ctx.settings.max_records,
    )
    inventory_id = ctx.store.add_inventory(user, filename, content)
    return _store_run(ctx, user, "screen", inventory_id, profile, when, document), document


def _store_run(
    ctx: ServerContext,
    user: User,
    kind: str,
    inventory_id: str,
    profile: Profile,
    when: date,
    document: dict[str, Any],
) -> str:
    return ctx.store.add_run(
        user,
        kind=kind,
        inventory_id=inventory_id,
        profile=_profile_json(profile),
        as_of=when,
        kb_version=document["kb_version"],
        summary=document["summary"],
        document=json.dumps(document, ensure_ascii=False, separators=(",", ":")),
    )


def load_run(ctx: ServerContext, user: User, run_id: str) -> Run:
    run = ctx.store.run(user.tenant_id, run_id)
    if run is None:
        raise DeriskError(ErrorCode.NOT_FOUND, f"no run {run_id!r}")
    return run


def render_run(run: Run, fmt: str) -> str:
    if fmt not in REPORT_TYPES:
        raise DeriskError(ErrorCode.NOT_FOUND, f"no report format {fmt!r}: json, csv or html")
    assert run.document is not None
    if fmt == "json":
        return run.document
    document = json.loads(run.document)
    if run.kind == "plan":
        return render_plan_csv(document) if fmt == "csv" else render_plan_html(document)
    return render_csv(document) if fmt == "csv" else render_html(document)


PlanSource = tuple[bytes, str, Profile, date | None, str | None]


def run_source(ctx: ServerContext, user: User, run_id: str, field: str) -> PlanSource:
    """What a screening run screened, to plan from: (content, filename, profile, as_of,
    inventory id). ``field`` names the request field in errors."""
    run = load_run(ctx, user, run_id)
    if run.kind != "screen" or run.inventory_id is None:
        raise DeriskError(ErrorCode.REQUEST_INVALID, f"{field}: must be a screening run")
    inventory = ctx.store.inventory(user.tenant_id, run.inventory_id)
    if inventory is None:
        raise DeriskError(ErrorCode.NOT_FOUND, f"{field}: its inventory is gone")
    profile = Profile.model_validate(run.profile)
    return inventory.content, inventory.filename, profile, run.as_of, inventory.id


def plan_and_store(
    ctx: ServerContext,
    user: User,
    *,
    source: PlanSource,
    resources: dict[str, Any],
    start: date | None,
    time_limit: float,
) -> tuple[str, dict[str, Any]]:
    """Plan from (content, filename, profile, as_of, inventory id); store the plan run."""
    content, filename, profile, as_of, inventory_id = source
    res = _resources(resources)
    when = as_of or date.today()
    limit = min(time_limit, ctx.settings.plan_time_limit)
    document = ctx.engine.plan(
        content,
        filename,
        profile,
        when,
        ctx.store.decisions(user.tenant_id),
        res,
        start=start,
        time_limit=limit,
        max_records=ctx.settings.max_records,
    )
    if inventory_id is None:
        inventory_id = ctx.store.add_inventory(user, filename, content)
    return _store_run(ctx, user, "plan", inventory_id, profile, when, document), document


def _resources(data: dict[str, Any]) -> Resources:
    """The resources of a plan request, validated; DR203 naming the field."""
    try:
        return Resources.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in ("resources", *first["loc"]))
        raise DeriskError(ErrorCode.CONFIG_INVALID, f"{where}: {first['msg']}") from None


def decide(
    ctx: ServerContext,
    user: User,
    *,
    input_name: str,
    entity_id: str,
    action: Action,
    reason: str,
    run_id: str | None,
    record_id: str | None,
) -> Decision:
    if entity_id not in ctx.engine.kb.entities:
        raise DeriskError(ErrorCode.NOT_FOUND, f"no entity {entity_id!r} in the knowledge base")
    if run_id is not None:
        load_run(ctx, user, run_id)  # the run must be the tenant's own
    return ctx.store.add_decision(
        user,
        input_name=input_name,
        entity_id=entity_id,
        action=action,
        reason=reason,
        kb_version=ctx.engine.kb_version,
        run_id=run_id,
        record_id=record_id,
    )
