"""The scheduling problem both the optimiser and the heuristic solve, and how a schedule scores.

A schedule gives every job a start week and a replacement vendor. It is scored the same way
whoever made it: days late per job (against the job's deadline), weighted by the job's status,
and cost; budget use per quarter.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from derisk.errors import DeriskError, ErrorCode
from derisk.plan.calendar import Calendar
from derisk.plan.jobs import Job
from derisk.plan.model import Dependency
from derisk.plan.vendors import Alternative

__all__ = ["Assignment", "Problem", "Score", "precedence_groups", "score"]


@dataclass(frozen=True)
class Assignment:
    start_week: int
    alternative: int  # index into the job's alternatives


@dataclass
class Problem:
    jobs: list[Job]
    alternatives: list[list[Alternative]]  # per job, never empty
    calendar: Calendar
    groups: list[tuple[list[int], list[int]]]  # every job of the first list before the second
    regions: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.regions = sorted({j.region for j in self.jobs})

    def cost(self, j: int, a: int) -> int:
        """Whole currency units: the job's cost with the vendor's factor."""
        return round(self.jobs[j].cost * self.alternatives[j][a].cost_factor)

    def deadline_day(self, j: int) -> int | None:
        d = self.jobs[j].deadline
        return None if d is None else self.calendar.days_from_start(d)

    def latest_end_day(self, j: int, a: int) -> int | None:
        until = self.alternatives[j][a].clear_until
        return None if until is None else self.calendar.days_from_start(until)

    def days_late(self, j: int, start_week: int) -> int:
        deadline = self.deadline_day(j)
        if deadline is None:
            return 0
        end = 7 * (start_week + self.jobs[j].duration_weeks) - 1
        return max(0, end - deadline)

    def predecessors(self) -> list[list[int]]:
        """For each job, the groups it waits for (indexes into ``groups``)."""
        waits: list[list[int]] = [[] for _ in self.jobs]
        for g, (_, then) in enumerate(self.groups):
            for j in then:
                waits[j].append(g)
        return waits


def precedence_groups(
    jobs: list[Job], dependencies: list[Dependency]
) -> list[tuple[list[int], list[int]]]:
    """Dependency rules as groups of jobs; a cycle among domains is an error (DR203)."""
    _check_cycles(dependencies)
    groups: list[tuple[list[int], list[int]]] = []
    for dep in dependencies:
        first, then = set(dep.first), set(dep.then)
        scopes: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
        for j, job in enumerate(jobs):
            if dep.scope == "site":
                if job.site is None:
                    continue
                key = job.site
            else:
                key = job.region if dep.scope == "region" else "network"
            if job.domain in first:
                scopes[key][0].append(j)
            if job.domain in then:
                scopes[key][1].append(j)
        groups.extend(g for g in scopes.values() if g[0] and g[1])
    return groups


def _check_cycles(dependencies: list[Dependency]) -> None:
    edges: dict[str, set[str]] = defaultdict(set)
    for dep in dependencies:
        for a in dep.first:
            edges[str(a)].update(str(b) for b in dep.then)
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                raise DeriskError(
                    ErrorCode.CONFIG_INVALID,
                    "resources dependencies form a cycle: " + " -> ".join([*path, node, nxt]),
                )
            if nxt not in state:
                visit(nxt, [*path, node])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [])


@dataclass(frozen=True)
class Score:
    missed_jobs: int
    missed_days: int
    weighted_missed_days: int
    cost: int
    spend: dict[str, int]  # quarter -> money spent (charged in the quarter work starts)
    finish: date | None


def score(problem: Problem, plan: dict[int, Assignment]) -> Score:
    missed = days = weighted = cost = 0
    spend: dict[str, int] = defaultdict(int)
    last = None
    for j, a in plan.items():
        late = problem.days_late(j, a.start_week)
        missed += late > 0
        days += late
        weighted += round(late * problem.jobs[j].weight)
        c = problem.cost(j, a.alternative)
        cost += c
        spend[problem.calendar.quarter(a.start_week)] += c
        end = problem.calendar.end_day(a.start_week, problem.jobs[j].duration_weeks)
        last = end if last is None or end > last else last
    return Score(missed, days, weighted, cost, dict(spend), last)
