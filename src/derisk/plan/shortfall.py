"""What cannot be met, and the least extra crews and money that would meet the rest.

Each job has an *ideal* finish: its fastest clear vendor's lead time, then what must finish
before it (the dependencies), the first start free of blackouts, and its own duration, with
unlimited crews and money. A deadline the ideal finish misses cannot be met by any plan
(already passed on the start date, or too close for the lead time or dependencies); the least
lateness such a job can have is its ideal lateness, reported with it.

When the plan misses a meetable deadline, a second model makes every meetable deadline hard,
lets no other job be later than in the plan, gives every region extra crews to choose and the
budget extra money, and minimises the extra crews, then the extra money: the least that would
meet every deadline that can be met.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

from ortools.sat.python import cp_model

from derisk.plan.heuristic import earliest_deadline_first
from derisk.plan.model import Budget
from derisk.plan.problem import Assignment, Problem
from derisk.plan.solver import build_model, extra_money, hint

__all__ = ["Shortfalls", "earliest_starts", "find_shortfalls"]


@dataclass
class Shortfalls:
    unmeetable: list[dict[str, Any]] = field(default_factory=list)
    extra_crews: list[dict[str, Any]] = field(default_factory=list)
    extra_budget: list[dict[str, Any]] = field(default_factory=list)
    complete: bool = True
    text: list[str] = field(default_factory=list)


def _free_start(problem: Problem, j: int, earliest: int) -> int:
    """The first start at or after ``earliest`` whose weeks avoid the region's blackouts."""
    job = problem.jobs[j]
    blocked = problem.calendar.blocked(job.region)
    s = earliest
    while s + job.duration_weeks <= problem.calendar.weeks and any(
        w in blocked for w in range(s, s + job.duration_weeks)
    ):
        s += 1
    return s


def earliest_starts(problem: Problem) -> tuple[list[int], list[str]]:
    """Each job's earliest start with unlimited crews and money, and what sets it
    ('lead time', 'dependency' or 'start')."""
    starts, why = [], []
    for j in range(len(problem.jobs)):
        leads = [
            alt.lead_time_weeks
            for alt in problem.alternatives[j]
            if alt.clear_until is None or alt.clear_until >= problem.calendar.start
        ]
        first = min(leads, default=0)
        starts.append(_free_start(problem, j, first))
        why.append("lead time" if first > 0 else "start")
    changed = True
    while changed:  # relax along the (acyclic) dependencies
        changed = False
        for first_jobs, then_jobs in problem.groups:
            done = max(starts[j] + problem.jobs[j].duration_weeks for j in first_jobs)
            for k in then_jobs:
                if done > starts[k]:
                    starts[k], why[k], changed = _free_start(problem, k, done), "dependency", True
    return starts, why


def find_shortfalls(
    problem: Problem,
    plan: dict[int, Assignment],
    *,
    time_limit: float,
    workers: int = 2,
    currency: str = "",
) -> Shortfalls:
    out = Shortfalls()
    starts, why = earliest_starts(problem)
    ideal: dict[int, int] = {}
    for j in range(len(problem.jobs)):
        deadline = problem.deadline_day(j)
        if deadline is None:
            continue
        ideal[j] = problem.days_late(j, starts[j])
        if ideal[j] == 0:
            continue
        job = problem.jobs[j]
        assert job.deadline is not None
        out.unmeetable.append(
            {
                "job_id": job.job_id,
                "deadline": job.deadline.isoformat(),
                "reason": "deadline already passed" if deadline < 0 else why[j],
                "least_days_late": ideal[j],
            }
        )
    missed = [j for j in ideal if ideal[j] == 0 and problem.days_late(j, plan[j].start_week)]
    if missed:
        # Meet every meetable deadline; let no other job be later than it is now.
        caps = {j: 0 if ideal[j] == 0 else problem.days_late(j, plan[j].start_week) for j in ideal}
        _extra_capacity(problem, plan, caps, out, time_limit, workers)
    out.text = _sentences(out, len(missed), currency)
    return out


def _extra_capacity(
    problem: Problem,
    plan: dict[int, Assignment],
    caps: dict[int, int],
    out: Shortfalls,
    time_limit: float,
    workers: int,
) -> None:
    began = time.monotonic()
    model = build_model(problem, extra_crews=True, max_late=caps)
    goals: list[Any] = [sum(model.extra_crews.values())]
    if model.extra_budget is not None:
        goals.append(model.extra_budget)
    hint(problem, model, plan)
    solver = cp_model.CpSolver()
    for i, goal in enumerate(goals):
        solver = cp_model.CpSolver()
        left = time_limit - (time.monotonic() - began)
        solver.parameters.max_time_in_seconds = max(0.5, left / (len(goals) - i))
        solver.parameters.num_workers = workers
        model.cp.minimize(goal)
        code = solver.solve(model.cp)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            out.complete = False
            late = [j for j, cap in caps.items() if problem.days_late(j, plan[j].start_week) > cap]
            regions = _upstream_regions(problem, late)
            _heuristic_bound(problem, caps, regions, out, began + time_limit + 10)
            return
        out.complete = out.complete and code == cp_model.OPTIMAL
        model.cp.add(goal <= round(solver.objective_value))
    out.extra_crews = [
        {"region": r, "crews": int(solver.value(e))}
        for r, e in sorted(model.extra_crews.items())
        if solver.value(e) > 0
    ]
    if model.extra_budget is not None and solver.value(model.extra_budget) > 0:
        first_quarter = problem.calendar.quarters()[0][0]
        out.extra_budget = [
            {"quarter": first_quarter, "amount": int(solver.value(model.extra_budget))}
        ]


def _sentences(out: Shortfalls, missed: int, currency: str) -> list[str]:
    text = []
    passed = [u for u in out.unmeetable if u["reason"] == "deadline already passed"]
    if passed:
        text.append(
            f"{len(passed)} job(s) are past their legal deadline already (earliest: "
            f"{min(u['deadline'] for u in passed)}); they will be late whatever the resources."
        )
    for reason in ("lead time", "dependency"):
        hit = [u for u in out.unmeetable if u["reason"] == reason]
        if hit:
            text.append(
                f"{len(hit)} job(s) cannot meet their deadline because of {reason}s, even with "
                f"unlimited crews and money (e.g. {hit[0]['job_id']}, due {hit[0]['deadline']}, "
                f"at least {hit[0]['least_days_late']} days late)."
            )
    what = [f"meet the {missed} meetable deadline(s) this plan misses"] if missed else []
    extra = []
    if out.extra_crews:
        extra.append(
            ", ".join(f"{c['crews']} more crew(s) in {c['region']}" for c in out.extra_crews)
        )
    if out.extra_budget:
        e = out.extra_budget[0]
        extra.append(f"{currency} {e['amount']:,} more from {e['quarter']}".strip())
    if what and extra:
        text.append(f"To {' and '.join(what)}: {' and '.join(extra)}.")
    elif what and out.complete:
        text.append(f"The same resources could {' and '.join(what)}: raise --time-limit.")
    if what and not out.complete:
        text.append(
            "The search for the least extra capacity stopped at its time limit: the figures "
            "are an upper bound from the earliest-deadline-first heuristic (raise --time-limit "
            "for the least)."
            if extra
            else "The search for the least extra capacity stopped at its time limit."
        )
    if not text:
        text.append("Every deadline is met with these resources.")
    return text


def _upstream_regions(problem: Problem, late: list[int]) -> list[str]:
    """The regions of the late jobs and of every job they wait for, directly or not: crews
    added there can bring the late jobs forward."""
    waits = problem.predecessors()
    seen, todo = set(late), list(late)
    while todo:
        for g in waits[todo.pop()]:
            for j in problem.groups[g][0]:
                if j not in seen:
                    seen.add(j)
                    todo.append(j)
    return sorted({problem.jobs[j].region for j in seen})


def _heuristic_bound(
    problem: Problem, caps: dict[int, int], regions: list[str], out: Shortfalls, until: float
) -> None:
    """An upper bound when the search found nothing in time: the fewest extra crews (1, 2, 4,
    ... then halving back; the same in each region whose crews can bring the late jobs
    forward) with which the earliest-deadline-first plan, money no object, keeps every cap;
    then the money that plan needs beyond the budget. Stops at ``until`` (a
    time.monotonic() instant)."""
    unlimited = problem.calendar.resources.model_copy(update={"budget": Budget()})

    def attempt(k: int) -> dict[int, Assignment] | None:
        cal = replace(problem.calendar, resources=unlimited, extra_crews=dict.fromkeys(regions, k))
        trial = Problem(problem.jobs, problem.alternatives, cal, problem.groups)
        plan = earliest_deadline_first(trial)
        ok = all(trial.days_late(j, plan[j].start_week) <= cap for j, cap in caps.items())
        return plan if ok else None

    low, high, best = 0, 1, None
    while time.monotonic() < until and high <= 4 * max(1, len(problem.jobs)):
        best = attempt(high)
        if best is not None:
            break
        low, high = high, high * 2
    if best is None:
        return
    while high - low > 1 and time.monotonic() < until:  # the fewest that still works
        mid = (low + high) // 2
        plan = attempt(mid)
        if plan is not None:
            high, best = mid, plan
        else:
            low = mid
    out.extra_crews = [{"region": r, "crews": high} for r in regions]
    money = extra_money(problem, best)
    if money:
        out.extra_budget = [{"quarter": problem.calendar.quarters()[0][0], "amount": money}]
