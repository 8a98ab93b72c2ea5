"""Reading the plan documents (``derisk.plan/1`` and ``derisk.scenario/1``), and the orderings
the plan reports share.

The plan writers receive the document as the plain JSON-shaped ``dict`` the planner produces
(``docs/plan-json.md``). As :mod:`derisk.report.document` does for screenings, this module reads
it once into the small frozen dataclasses of :mod:`derisk.report.plan_views`. Reading is
lenient: a missing key reads as empty, a value of an unexpected type is turned into text (or
dropped, for a number), and the summary falls back to counting the jobs when it does not say.
Every string read here is still untrusted input text (site names, record ids and vendor names
come from the operator's inventory): each writer escapes it for its own output.

The terminal, HTML and CSV reports agree because they share :func:`deadline_risk` (which jobs
are at risk, in what order) and :func:`closest_met` from here, and the formats of
:mod:`derisk.report.plan_views`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from derisk.report.document import (
    Finding,
    _int,
    _mapping,
    _mappings,
    _number,
    _opt_text,
    _text,
    _texts,
    parse_date,
)
from derisk.report.plan_views import (
    Change,
    Difference,
    DomainRow,
    ExtraBudget,
    ExtraCrews,
    Heuristic,
    NotPlanned,
    Plan,
    PlanJob,
    Quarter,
    Scenario,
    Shortfalls,
    Solver,
    Summary,
    Unmeetable,
    format_finish_difference,
    format_money,
)

__all__ = [
    "closest_met",
    "deadline_risk",
    "read_plan",
    "read_scenario",
]


# --- reading --------------------------------------------------------------------------------


def _float(mapping: Mapping[str, Any], key: str) -> float | None:
    value = _number(mapping, key)
    return value if value is not None and math.isfinite(value) else None


def _bool(mapping: Mapping[str, Any], key: str) -> bool | None:
    value = mapping.get(key)
    return value if isinstance(value, bool) else None


def _read_job(raw: Mapping[str, Any], start: date | None) -> PlanJob:
    deadline = _opt_text(raw, "deadline")
    days_late = _int(raw, "days_late")
    met = _bool(raw, "met")
    deadline_day = parse_date(deadline)
    end_day = parse_date(_text(raw, "end"))
    if days_late is None:  # not given: count it from the dates, as the document defines it
        days_late = max(0, (end_day - deadline_day).days) if end_day and deadline_day else 0
    weight = _float(raw, "weight")
    return PlanJob(
        job_id=_text(raw, "job_id"),
        site=_text(raw, "site"),
        region=_text(raw, "region"),
        domain=_text(raw, "domain"),
        records=_texts(raw, "records"),
        items=_float(raw, "items"),
        replaces=_texts(raw, "replaces"),
        status=_text(raw, "status"),
        rule_ids=_texts(raw, "rule_ids"),
        deadline=deadline,
        weight=1.0 if weight is None else weight,
        vendor=_text(raw, "vendor"),
        vendor_name=_text(raw, "vendor_name"),
        alternatives=_texts(raw, "alternatives"),
        lead_time_weeks=_int(raw, "lead_time_weeks"),
        start=_text(raw, "start"),
        end=_text(raw, "end"),
        duration_weeks=_int(raw, "duration_weeks"),
        cost=_float(raw, "cost"),
        cost_basis=_text(raw, "cost_basis"),
        met=met,
        days_late=max(0, days_late),
        depends_on=_texts(raw, "depends_on"),
        legal_overdue=(
            deadline_day is not None
            and start is not None
            and deadline_day < start
            and (met is False or days_late > 0)
        ),
    )


def _sum(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _read_summary(raw: Mapping[str, Any], jobs: tuple[PlanJob, ...]) -> Summary:
    def count(key: str, fallback: int) -> int:
        value = _int(raw, key)
        return fallback if value is None else value

    ends = [job.end for job in jobs if job.end_date is not None]
    weighted = _float(raw, "weighted_missed_days")
    return Summary(
        jobs=count("jobs", len(jobs)),
        items=_float(raw, "items") if "items" in raw else _sum(j.items for j in jobs),
        met=count("met", sum(1 for j in jobs if j.outcome == "met")),
        missed=count("missed", sum(1 for j in jobs if j.missed)),
        missed_days=count("missed_days", sum(j.days_late for j in jobs)),
        weighted_missed_days=(
            weighted if weighted is not None else sum(j.weighted_late for j in jobs)
        ),
        legal_overdue_jobs=count("legal_overdue_jobs", sum(1 for j in jobs if j.legal_overdue)),
        cost=_float(raw, "cost") if "cost" in raw else _sum(j.cost for j in jobs),
        finish=_text(raw, "finish") or (max(ends) if ends else ""),
    )


def _read_solver(raw: Mapping[str, Any]) -> Solver:
    objective = _mapping(raw, "objective")
    return Solver(
        name=_text(raw, "name"),
        status=_text(raw, "status"),
        time_limit_s=_float(raw, "time_limit_s"),
        wall_s=_float(raw, "wall_s"),
        objective_weighted_missed_days=_float(objective, "weighted_missed_days"),
        objective_cost=_float(objective, "cost"),
        bound=_float(raw, "bound"),
        gap=_float(raw, "gap"),
        workers=_int(raw, "workers"),
    )


def _read_shortfalls(raw: Mapping[str, Any]) -> Shortfalls:
    return Shortfalls(
        unmeetable=tuple(
            Unmeetable(
                _text(u, "job_id"),
                _text(u, "deadline"),
                _text(u, "reason"),
                _int(u, "least_days_late"),
            )
            for u in _mappings(raw, "unmeetable")
        ),
        extra_crews=tuple(
            ExtraCrews(_text(c, "region"), _float(c, "crews"))
            for c in _mappings(raw, "extra_crews")
        ),
        extra_budget=tuple(
            ExtraBudget(_text(b, "quarter"), _float(b, "amount"))
            for b in _mappings(raw, "extra_budget")
        ),
        complete=_bool(raw, "complete"),
        text=_texts(raw, "text"),
    )


def _describe_resources(raw: Mapping[str, Any], currency: str) -> tuple[tuple[str, str], ...]:
    """The resources the plan used, in words (crews, budget, blackouts): lenient."""
    out: list[tuple[str, str]] = []
    crews = _mapping(raw, "crews")
    if crews:
        parts = []
        default = _int(crews, "default")
        if default is not None:
            parts.append(f"{default} per region by default")
        per_region = _mapping(crews, "regions")
        parts += [f"{region}: {n}" for region, n in sorted(per_region.items(), key=str)]
        out.append(("Crews", "; ".join(str(p) for p in parts) or "as configured"))
    budget = _mapping(raw, "budget")
    if budget:
        per_quarter = _float(budget, "per_quarter")
        text = (
            "no limit"
            if per_quarter is None and not _mapping(budget, "quarters")
            else (f"{format_money(per_quarter, currency)} per quarter" if per_quarter else "")
        )
        overrides = _mapping(budget, "quarters")
        if overrides:
            text += ("; " if text else "") + ", ".join(
                f"{q}: {format_money(v, currency) if isinstance(v, int | float) else v}"
                for q, v in sorted(overrides.items(), key=str)
            )
        carry = _bool(budget, "carry_over")
        if carry is not None:
            text += "; unspent money carries over" if carry else "; no carry-over"
        out.append(("Budget", text))
    blackouts = _mappings(raw, "blackouts")
    if blackouts:
        texts = []
        for blackout in blackouts:
            regions = ", ".join(_texts(blackout, "regions")) or "all regions"
            reason = _text(blackout, "reason")
            when = f"{_text(blackout, 'from')} to {_text(blackout, 'to')} ({regions})"
            texts.append(when + (f": {reason}" if reason else ""))
        out.append(("Blackouts", "; ".join(texts)))
    return tuple(out)


def read_plan(document: Mapping[str, Any]) -> Plan:
    """Read a ``derisk.plan/1`` document into a :class:`Plan`."""
    start = _text(document, "start")
    start_day = parse_date(start)
    jobs = tuple(_read_job(raw, start_day) for raw in _mappings(document, "jobs"))
    currency = _text(document, "currency")
    profile = _mapping(document, "profile")
    inp = _mapping(document, "input")
    heuristic = document.get("heuristic")
    return Plan(
        schema=_text(document, "schema"),
        generated_by=_text(document, "generated_by"),
        as_of=_text(document, "as_of"),
        start=start,
        horizon_end=_text(document, "horizon_end"),
        currency=currency,
        kb_version=_text(document, "kb_version"),
        countries=_texts(profile, "countries"),
        sector=_text(profile, "sector"),
        input_file=_text(inp, "file"),
        input_records=_int(inp, "records"),
        input_flagged=_int(inp, "flagged"),
        resources=_describe_resources(_mapping(document, "resources"), currency),
        solver=_read_solver(_mapping(document, "solver")),
        summary=_read_summary(_mapping(document, "summary"), jobs),
        jobs=jobs,
        by_quarter=tuple(
            Quarter(
                quarter=_text(q, "quarter"),
                cost=_float(q, "cost"),
                budget=_float(q, "budget"),
                cumulative_cost=_float(q, "cumulative_cost"),
                cumulative_budget=_float(q, "cumulative_budget"),
                jobs=_int(q, "jobs"),
            )
            for q in _mappings(document, "by_quarter")
        ),
        by_domain=tuple(
            DomainRow(_text(d, "domain"), _int(d, "jobs"), _float(d, "items"), _float(d, "cost"))
            for d in _mappings(document, "by_domain")
        ),
        shortfalls=_read_shortfalls(_mapping(document, "shortfalls")),
        not_planned=tuple(
            NotPlanned(_text(n, "record_id"), _text(n, "row"), _text(n, "reason"))
            for n in _mappings(document, "not_planned")
        ),
        heuristic=(
            Heuristic(
                name=_text(heuristic, "name") or "earliest-deadline-first",
                missed_jobs=_int(heuristic, "missed_jobs"),
                missed_days=_int(heuristic, "missed_days"),
                weighted_missed_days=_float(heuristic, "weighted_missed_days"),
                cost=_float(heuristic, "cost"),
                wall_s=_float(heuristic, "wall_s"),
            )
            if isinstance(heuristic, Mapping)
            else None
        ),
    )


def read_scenario(document: Mapping[str, Any]) -> Scenario:
    """Read a ``derisk.scenario/1`` document into a :class:`Scenario`."""
    scenario = _mapping(document, "scenario")
    findings = _mapping(document, "findings")
    diff = _mapping(document, "difference")
    return Scenario(
        schema=_text(document, "schema"),
        generated_by=_text(document, "generated_by"),
        name=_text(scenario, "name"),
        description=_text(scenario, "description"),
        file=_text(scenario, "file"),
        changes=tuple(
            Change(_text(c, "kind"), _text(c, "summary")) for c in _mappings(scenario, "changes")
        ),
        kb_version=_text(document, "kb_version"),
        scenario_kb_version=_text(document, "scenario_kb_version"),
        baseline=read_plan(_mapping(document, "baseline")),
        plan=read_plan(_mapping(document, "scenario_plan")),
        new_findings=tuple(Finding.read(f) for f in _mappings(findings, "new")),
        resolved_findings=tuple(Finding.read(f) for f in _mappings(findings, "resolved")),
        difference=Difference(
            cost=_float(diff, "cost"),
            jobs=_int(diff, "jobs"),
            missed_jobs=_int(diff, "missed_jobs"),
            missed_days=_int(diff, "missed_days"),
            weighted_missed_days=_float(diff, "weighted_missed_days"),
            finish=format_finish_difference(diff.get("finish")),
            new_jobs=_texts(diff, "new_jobs"),
            dropped_jobs=_texts(diff, "dropped_jobs"),
            moved_jobs=_texts(diff, "moved_jobs"),
        ),
    )


# --- orderings ------------------------------------------------------------------------------


def _risk_key(job: PlanJob) -> tuple[float, str, str]:
    return (-job.weighted_late, job.deadline or "9999", job.job_id)


def deadline_risk(plan: Plan) -> list[PlanJob]:
    """The jobs that miss their deadline, in the order the reports list them.

    First the jobs the plan could have met but does not (their lateness is a choice the
    resources forced), by weighted lateness (weight × days late, largest first), then
    deadline, then job id; then the legal-overdue jobs (deadline already passed on the plan's
    start, late whatever the plan), in the same order.
    """
    missed = [job for job in plan.jobs if job.missed]
    avoidable = sorted((j for j in missed if not j.legal_overdue), key=_risk_key)
    overdue = sorted((j for j in missed if j.legal_overdue), key=_risk_key)
    return avoidable + overdue


def closest_met(plan: Plan, limit: int) -> list[PlanJob]:
    """Up to ``limit`` jobs that meet their deadline, the least time to spare first."""
    met = [job for job in plan.jobs if job.outcome == "met" and job.slack_days is not None]
    met.sort(key=lambda j: (j.slack_days, j.deadline or "", j.job_id))
    return met[:limit]
