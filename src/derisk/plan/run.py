"""Plan end to end: findings -> jobs -> vendors -> schedule -> shortfalls -> document."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from difflib import get_close_matches
from typing import Any

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.knowledge import KnowledgeBase
from derisk.plan.calendar import Calendar
from derisk.plan.costs import CostModel
from derisk.plan.document import plan_document
from derisk.plan.heuristic import earliest_deadline_first
from derisk.plan.jobs import build_jobs
from derisk.plan.model import Resources
from derisk.plan.problem import Problem, precedence_groups
from derisk.plan.shortfall import find_shortfalls
from derisk.plan.solver import solve
from derisk.plan.vendors import VendorCatalogue, load_vendors
from derisk.profile import Profile

__all__ = ["PlanInput", "make_plan"]


@dataclass(frozen=True)
class PlanInput:
    """A screening's records and findings, and what it was screened against."""

    records: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    kb: KnowledgeBase
    profile: Profile
    as_of: date
    input_info: dict[str, Any]


def make_plan(
    inp: PlanInput,
    resources: Resources,
    costs: CostModel,
    *,
    start: date,
    time_limit: float = 30.0,
    workers: int = 2,
    compare: bool = False,
) -> dict[str, Any]:
    """The ``derisk.plan/1`` document for one screening."""
    _check_vendor_terms(resources)
    jobs, not_planned = build_jobs(inp.records, inp.findings, resources, costs)
    cal = Calendar.build(start, resources)
    vendors = VendorCatalogue(
        inp.kb, inp.profile, resources, cal.start, cal.horizon_end, tuple(load_vendors().vendors)
    )
    kept, alternatives = [], []
    for job in jobs:
        alts = vendors.alternatives(job.domain, job.country, job.kind, job.replaces)
        if not alts:
            why = f"no clear vendor in the catalogue serves {job.domain}"
            for record, row in zip(job.records, job.rows, strict=True):
                not_planned.append({"record_id": record, "row": row, "reason": why})
            continue
        kept.append(job)
        alternatives.append(alts)
    problem = Problem(kept, alternatives, cal, precedence_groups(kept, resources.dependencies))
    for region in problem.regions:
        if all(cal.crews(region, w) == 0 for w in range(cal.weeks)):
            raise DeriskError(
                ErrorCode.CONFIG_INVALID,
                f"region {region!r} has no crews in the whole horizon: give it crews "
                "(resources 'crews: regions:') or map its sites to another region",
            )
    began = time.monotonic()
    first = earliest_deadline_first(problem)
    heuristic_s = time.monotonic() - began
    # The time limit covers the whole plan: 70% to optimise, the rest to explain shortfalls.
    result = solve(problem, first, time_limit=0.7 * time_limit, workers=workers)
    left = max(1.0, time_limit - (time.monotonic() - began))
    shortfalls = find_shortfalls(
        problem, result.plan, time_limit=left, workers=workers, currency=costs.currency
    )
    header = {
        "as_of": inp.as_of.isoformat(),
        "currency": costs.currency,
        "kb_version": inp.kb.version,
        "profile": {"countries": list(inp.profile.countries), "sector": str(inp.profile.sector)},
        "input": {**inp.input_info, "flagged": len({r for j in kept for r in j.records})},
    }
    return plan_document(
        problem=problem,
        result=result,
        shortfalls=shortfalls,
        header=header,
        not_planned=sorted(not_planned, key=lambda n: int(n["row"])),
        time_limit=time_limit,
        workers=workers,
        heuristic=(first, heuristic_s) if compare else None,
    )


def _check_vendor_terms(resources: Resources) -> None:
    """Terms for a vendor the catalogue does not have are a typo, not a no-op (DR203)."""
    known = {v.entity for v in load_vendors().vendors}
    for name in resources.vendors:
        if name != "default" and name not in known:
            close = get_close_matches(name, sorted(known), n=1, cutoff=0.5)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise DeriskError(
                ErrorCode.CONFIG_INVALID,
                f"resources 'vendors': '{name}' is not a vendor of the catalogue (entity ids: "
                f"{', '.join(sorted(known))}){hint}",
            )
