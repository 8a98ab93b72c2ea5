"""The ``derisk.plan/1`` JSON document (docs/plan-json.md) from a solved problem."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from derisk._version import __version__
from derisk.plan.jobs import DEFAULT_DURATIONS, DEFAULT_WEIGHTS
from derisk.plan.problem import Assignment, Problem, Score, score
from derisk.plan.shortfall import Shortfalls
from derisk.plan.solver import SolveResult

__all__ = ["PLAN_SCHEMA", "plan_document"]

PLAN_SCHEMA = "derisk.plan/1"


def _job_entry(problem: Problem, j: int, a: Assignment, depends: list[str]) -> dict[str, Any]:
    job = problem.jobs[j]
    alt = problem.alternatives[j][a.alternative]
    cal = problem.calendar
    late = problem.days_late(j, a.start_week)
    return {
        "job_id": job.job_id,
        "site": job.site,
        "region": job.region,
        "domain": job.domain,
        "records": list(job.records),
        "rows": list(job.rows),
        "items": job.items,
        "replaces": list(job.replaces),
        "status": job.status,
        "rule_ids": list(job.rule_ids),
        "deadline": job.deadline.isoformat() if job.deadline else None,
        "weight": job.weight,
        "vendor": alt.entity_id,
        "vendor_name": alt.name,
        "alternatives": [x.entity_id for x in problem.alternatives[j]],
        "lead_time_weeks": alt.lead_time_weeks,
        "start": cal.day(a.start_week).isoformat(),
        "end": cal.end_day(a.start_week, job.duration_weeks).isoformat(),
        "duration_weeks": job.duration_weeks,
        "cost": problem.cost(j, a.alternative),
        "cost_basis": job.cost_basis,
        "met": None if job.deadline is None else late == 0,
        "days_late": late,
        "depends_on": depends,
    }


def _depends(problem: Problem) -> list[list[str]]:
    out: list[set[str]] = [set() for _ in problem.jobs]
    for first, then in problem.groups:
        names = {problem.jobs[j].job_id for j in first}
        for k in then:
            out[k] |= names
    return [sorted(s) for s in out]


def _quarters(problem: Problem, s: Score, plan: dict[int, Assignment]) -> list[dict[str, Any]]:
    cal = problem.calendar
    budget = cal.budget()
    jobs_in: dict[str, int] = defaultdict(int)
    for a in plan.values():
        jobs_in[cal.quarter(a.start_week)] += 1
    last_week = max(
        (a.start_week + problem.jobs[j].duration_weeks - 1 for j, a in plan.items()), default=0
    )
    last_quarter = cal.quarter(min(last_week, cal.weeks - 1))
    out, spent, allowed = [], 0, 0.0
    for q, _, _ in cal.quarters():
        spent += s.spend.get(q, 0)
        amount = None if budget is None else budget[q]
        allowed += amount or 0.0
        out.append(
            {
                "quarter": q,
                "cost": s.spend.get(q, 0),
                "budget": amount,
                "cumulative_cost": spent,
                "cumulative_budget": None if budget is None else allowed,
                "jobs": jobs_in.get(q, 0),
            }
        )
        if q == last_quarter:
            break
    return out


def _domains(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    acc: dict[str, dict[str, Any]] = {}
    for e in entries:
        d = acc.setdefault(e["domain"], {"domain": e["domain"], "jobs": 0, "items": 0, "cost": 0})
        d["jobs"] += 1
        d["items"] += e["items"]
        d["cost"] += e["cost"]
    return sorted(acc.values(), key=lambda d: str(d["domain"]))


def plan_document(
    *,
    problem: Problem,
    result: SolveResult,
    shortfalls: Shortfalls,
    header: dict[str, Any],
    not_planned: list[dict[str, Any]],
    time_limit: float,
    workers: int,
    heuristic: tuple[dict[int, Assignment], float] | None = None,
) -> dict[str, Any]:
    """The document; ``header`` holds as_of, kb_version, profile and input."""
    plan = result.plan
    s = score(problem, plan)
    depends = _depends(problem)
    entries = [_job_entry(problem, j, plan[j], depends[j]) for j in range(len(problem.jobs))]
    entries.sort(key=lambda e: (e["start"], e["job_id"]))
    cal = problem.calendar
    res = cal.resources
    doc: dict[str, Any] = {
        "schema": PLAN_SCHEMA,
        "generated_by": f"derisk {__version__}",
        "as_of": header["as_of"],
        "start": cal.start.isoformat(),
        "horizon_end": cal.horizon_end.isoformat(),
        "currency": header["currency"],
        "kb_version": header["kb_version"],
        "profile": header["profile"],
        "input": header["input"],
        "resources": {
            **res.model_dump(mode="json", by_alias=True),
            "durations_weeks": {**DEFAULT_DURATIONS, **res.durations_weeks},
            "weights": {**DEFAULT_WEIGHTS, **res.weights},
        },
        "solver": {
            "name": "cp-sat",
            "status": result.status,
            "time_limit_s": time_limit,
            "wall_s": result.wall_s,
            "objective": {"weighted_missed_days": s.weighted_missed_days, "cost": s.cost},
            "bound": result.bound,
            "gap": result.gap,
            "workers": workers,
            "extra_budget_used": result.extra_budget,
            "phases": result.phases,
        },
        "summary": {
            "jobs": len(entries),
            "items": sum(e["items"] for e in entries),
            "met": sum(1 for e in entries if e["met"] is not False),
            "missed": s.missed_jobs,
            "missed_days": s.missed_days,
            "weighted_missed_days": s.weighted_missed_days,
            "legal_overdue_jobs": sum(
                1 for j in problem.jobs if j.deadline is not None and j.deadline < cal.start
            ),
            "cost": s.cost,
            "finish": s.finish.isoformat() if s.finish else None,
        },
        "jobs": entries,
        "by_quarter": _quarters(problem, s, plan),
        "by_domain": _domains(entries),
        "shortfalls": {
            "unmeetable": shortfalls.unmeetable,
            "extra_crews": shortfalls.extra_crews,
            "extra_budget": shortfalls.extra_budget,
            "complete": shortfalls.complete,
            "text": shortfalls.text,
        },
        "not_planned": not_planned,
    }
    if heuristic is not None:
        h = score(problem, heuristic[0])
        doc["heuristic"] = {
            "name": "earliest-deadline-first",
            "missed_jobs": h.missed_jobs,
            "missed_days": h.missed_days,
            "weighted_missed_days": h.weighted_missed_days,
            "cost": h.cost,
            "wall_s": round(heuristic[1], 3),
        }
    return doc
