"""Earliest-deadline-first list scheduling: the simple plan the optimiser is compared with,
and the starting point it is given.

Jobs whose predecessors are all placed are taken in order of deadline (none last), weight
(heavier first) and id; each gets the vendor and start week that finish it earliest, where a
crew is free in its region for every week of the job, no blackout falls, the vendor's lead
time has passed and it is still clear, and the quarter's budget (with carry-over) allows. When
no week within the horizon fits the budget, the job goes at the earliest week crews allow.
"""

from __future__ import annotations

import heapq
from collections import defaultdict

from derisk.plan.problem import Assignment, Problem

__all__ = ["earliest_deadline_first"]

_NO_DEADLINE = 10**9


def earliest_deadline_first(problem: Problem) -> dict[int, Assignment]:
    cal = problem.calendar
    usage: dict[str, list[int]] = {r: [0] * cal.weeks for r in problem.regions}
    capacity = {r: [cal.crews(r, w) for w in range(cal.weeks)] for r in problem.regions}
    budget = cal.budget()
    carry = problem.calendar.resources.budget.carry_over
    quarters = cal.quarters()
    q_index = {q: i for i, (q, _, _) in enumerate(quarters)}
    spent = [0] * len(quarters)
    waits = problem.predecessors()
    group_left = [len(first) for first, _ in problem.groups]
    group_end = [0] * len(problem.groups)
    members: dict[int, list[int]] = defaultdict(list)  # job -> groups it is first in
    for g, (first, _) in enumerate(problem.groups):
        for j in first:
            members[j].append(g)
    blocked_by = [0] * len(problem.jobs)  # groups a job still waits for
    for j, groups in enumerate(waits):
        blocked_by[j] = len(groups)

    def key(j: int) -> tuple[int, float, str]:
        d = problem.deadline_day(j)
        return (_NO_DEADLINE if d is None else d, -problem.jobs[j].weight, problem.jobs[j].job_id)

    ready = [(key(j), j) for j in range(len(problem.jobs)) if blocked_by[j] == 0]
    heapq.heapify(ready)
    plan: dict[int, Assignment] = {}
    while ready:
        _, j = heapq.heappop(ready)
        after = max((group_end[g] for g in waits[j]), default=0)
        choice = _place(problem, j, after, usage, capacity, budget, carry, q_index, spent)
        plan[j] = choice
        job = problem.jobs[j]
        for w in range(choice.start_week, choice.start_week + job.duration_weeks):
            usage[job.region][w] += 1
        spent[q_index[cal.quarter(choice.start_week)]] += problem.cost(j, choice.alternative)
        for g in members[j]:
            group_end[g] = max(group_end[g], choice.start_week + job.duration_weeks)
            group_left[g] -= 1
            if group_left[g] == 0:
                for k in problem.groups[g][1]:
                    blocked_by[k] -= 1
                    if blocked_by[k] == 0:
                        heapq.heappush(ready, (key(k), k))
    return plan


def _place(
    problem: Problem,
    j: int,
    after: int,
    usage: dict[str, list[int]],
    capacity: dict[str, list[int]],
    budget: dict[str, float] | None,
    carry: bool,
    q_index: dict[str, int],
    spent: list[int],
) -> Assignment:
    cal = problem.calendar
    job = problem.jobs[j]
    d = job.duration_weeks
    best: tuple[int, int, Assignment] | None = None  # (end week, cost, assignment)
    fallback: Assignment | None = None
    budgets = list(budget.values()) if budget is not None else None
    for a, alt in enumerate(problem.alternatives[j]):
        latest = problem.latest_end_day(j, a)
        first = max(after, alt.lead_time_weeks)
        cost = problem.cost(j, a)
        for s in range(first, cal.weeks - d + 1):
            if latest is not None and 7 * (s + d) - 1 > latest:
                break
            if any(usage[job.region][w] >= capacity[job.region][w] for w in range(s, s + d)):
                continue
            if fallback is None or s < fallback.start_week:
                fallback = Assignment(s, a)
            if budgets is not None and not _affordable(
                q_index[cal.quarter(s)], cost, budgets, spent, carry
            ):
                continue
            if best is None or (s + d, cost) < best[:2]:
                best = (s + d, cost, Assignment(s, a))
            break
    if best is not None:
        return best[2]
    if fallback is not None:
        return fallback
    return Assignment(max(0, cal.weeks - d), 0)  # nothing fits: last possible week


def _affordable(q: int, cost: int, budgets: list[float], spent: list[int], carry: bool) -> bool:
    if not carry:
        return spent[q] + cost <= budgets[q]
    # Cumulative spend must stay within cumulative budget in this quarter and every later one.
    total_budget = sum(budgets[: q + 1])
    total_spent = sum(spent[: q + 1]) + cost
    if total_spent > total_budget:
        return False
    for later in range(q + 1, len(budgets)):
        total_budget += budgets[later]
        total_spent += spent[later]
        if total_spent > total_budget:
            return False
    return True
