"""The optimiser: OR-Tools CP-SAT over weeks, solved lexicographically.

1. (with a budget) the least money beyond the budget;
2. the least weighted days late (overdue legal deadlines weigh most);
3. the least cost;
4. among those, work as early as possible (the least sum of start weeks).

Each phase keeps the previous optimum as a constraint and starts from the previous schedule
(the first from the earliest-deadline-first plan). Constraints: one crew per job for its
whole duration, crews per region and week (blackouts excluded from the possible starts), the
chosen vendor's lead time and clear-until date, dependencies, and money per quarter (charged
in the quarter work starts; unspent money carries over unless switched off).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from derisk.plan.problem import Assignment, Problem, score

__all__ = ["Model", "SolveResult", "build_model", "extra_money", "hint", "solve"]

_STATUS = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.MODEL_INVALID: "invalid",
    cp_model.UNKNOWN: "unknown",
}


@dataclass
class Model:
    cp: cp_model.CpModel
    starts: list[Any]
    choice: list[list[Any]]  # per job, a boolean per alternative (None when only one)
    late: list[Any]  # per job, days late (None without a deadline)
    cost: list[Any]  # per job, a cost expression
    extra_budget: Any | None  # money beyond the budget
    extra_crews: dict[str, Any] = field(default_factory=dict)
    done: list[Any] = field(default_factory=list)  # per dependency group: when its first jobs end
    flags: list[list[tuple[int, Any]]] = field(
        default_factory=list
    )  # per job: (quarter, starts in q)
    spend: list[list[tuple[int, Any]]] = field(default_factory=list)  # per job: (quarter, money)
    overs: list[Any] = field(default_factory=list)  # per quarter, without carry-over

    def weighted_late(self, problem: Problem) -> Any:
        return sum(
            round(problem.jobs[j].weight) * t for j, t in enumerate(self.late) if t is not None
        )


@dataclass
class SolveResult:
    plan: dict[int, Assignment]
    status: str
    weighted_missed_days: int
    bound: int | None  # proven lower bound of weighted missed days (None: no proof)
    gap: float | None
    extra_budget: int
    wall_s: float
    phases: list[dict[str, Any]]


def _allowed_starts(problem: Problem, region: str, duration: int) -> list[int]:
    cal = problem.calendar
    blocked = cal.blocked(region)
    return [
        s
        for s in range(0, cal.weeks - duration + 1)
        if not any(w in blocked for w in range(s, s + duration))
    ]


def build_model(
    problem: Problem,
    *,
    extra_crews: bool = False,
    max_late: dict[int, int] | None = None,
) -> Model:
    """The CP-SAT model; ``extra_crews`` adds a crew count per region to minimise, and
    ``max_late`` caps jobs' days late (for the shortfall search)."""
    cal = problem.calendar
    m = cp_model.CpModel()
    starts: list[Any] = []
    choice: list[list[Any]] = []
    late: list[Any] = []
    cost: list[Any] = []
    allowed: dict[tuple[str, int], list[int]] = {}
    by_region: dict[str, list[Any]] = {r: [] for r in problem.regions}
    for j, job in enumerate(problem.jobs):
        key = (job.region, job.duration_weeks)
        if key not in allowed:
            allowed[key] = _allowed_starts(problem, *key)
        values = allowed[key] or [0]
        s = m.new_int_var_from_domain(cp_model.Domain.from_values(values), f"s{j}")
        starts.append(s)
        by_region[job.region].append(m.new_fixed_size_interval_var(s, job.duration_weeks, f"i{j}"))
        alts = problem.alternatives[j]
        bools: list[Any] = (
            [m.new_bool_var(f"x{j}_{a}") for a in range(len(alts))] if len(alts) > 1 else [None]
        )
        if len(alts) > 1:
            m.add_exactly_one(bools)
        choice.append(bools)
        costs = [problem.cost(j, a) for a in range(len(alts))]
        cost.append(
            costs[0] if len(alts) == 1 else sum(c * b for c, b in zip(costs, bools, strict=True))
        )
        for a, alt in enumerate(alts):
            lead = m.add(s >= alt.lead_time_weeks)
            latest = problem.latest_end_day(j, a)
            clear = (
                m.add(7 * (s + job.duration_weeks) - 1 <= latest) if latest is not None else None
            )
            if bools[0] is not None:
                lead.only_enforce_if(bools[a])
                if clear is not None:
                    clear.only_enforce_if(bools[a])
        deadline = problem.deadline_day(j)
        if deadline is None:
            late.append(None)
            continue
        t = m.new_int_var(0, 7 * cal.weeks + max(0, -deadline), f"t{j}")
        m.add(t >= 7 * (s + job.duration_weeks) - 1 - deadline)
        if max_late is not None and j in max_late:
            m.add(t <= max_late[j])
        late.append(t)
    model = Model(m, starts, choice, late, cost, None)
    _crews(problem, model, by_region, extra_crews)
    _dependencies(problem, model)
    _budget(problem, model)
    return model


def _crews(problem: Problem, model: Model, by_region: dict[str, list[Any]], extra: bool) -> None:
    cal, m = problem.calendar, model.cp
    for region, intervals in by_region.items():
        caps = [cal.crews(region, w) for w in range(cal.weeks)]
        top = max(caps)
        capacity: Any = top
        if extra:
            e = m.new_int_var(0, len(intervals), f"extra_{region}")
            model.extra_crews[region] = e
            capacity = top + e
        reductions, demands = [], []
        w = 0
        while w < cal.weeks:  # runs of equal reduced capacity, as fixed busy intervals
            if caps[w] >= top:
                w += 1
                continue
            end = w
            while end + 1 < cal.weeks and caps[end + 1] == caps[w]:
                end += 1
            reductions.append(m.new_interval_var(w, end - w + 1, end + 1, f"cap_{region}_{w}"))
            demands.append(top - caps[w])
            w = end + 1
        m.add_cumulative([*intervals, *reductions], [1] * len(intervals) + demands, capacity)


def _dependencies(problem: Problem, model: Model) -> None:
    m, weeks = model.cp, problem.calendar.weeks
    for g, (first, then) in enumerate(problem.groups):
        done = m.new_int_var(0, weeks, f"dep{g}")
        model.done.append(done)
        for j in first:
            m.add(done >= model.starts[j] + problem.jobs[j].duration_weeks)
        for k in then:
            m.add(model.starts[k] >= done)


def _budget(problem: Problem, model: Model) -> None:
    cal, m = problem.calendar, model.cp
    budget = cal.budget()
    if budget is None:
        return
    quarters = cal.quarters()
    money: list[Any] = [0] * len(quarters)
    most = [
        max(problem.cost(j, a) for a in range(len(alts)))
        for j, alts in enumerate(problem.alternatives)
    ]
    biggest = max(most, default=0)
    for j, job in enumerate(problem.jobs):
        s = model.starts[j]
        flags = []
        for q, (_, first, last) in enumerate(quarters):
            if last < 0 or first > cal.weeks - job.duration_weeks:
                continue
            y = m.new_bool_var(f"y{j}_{q}")
            m.add(s >= first).only_enforce_if(y)
            m.add(s <= last).only_enforce_if(y)
            flags.append((q, y))
        m.add_exactly_one([y for _, y in flags])
        model.flags.append(flags)
        model.spend.append([])
        if isinstance(model.cost[j], int):
            for q, y in flags:
                money[q] += model.cost[j] * y
            continue
        for q, y in flags:  # spend in q >= cost when the job starts in q
            z = m.new_int_var(0, biggest, f"z{j}_{q}")
            m.add(z >= model.cost[j] - biggest * (1 - y))
            money[q] += z
            model.spend[j].append((q, z))
    ceiling = sum(most) + 1  # more extra money than every job together is never needed
    extra = m.new_int_var(0, ceiling, "extra_budget")
    model.extra_budget = extra
    amounts = [round(budget[q]) for q, _, _ in quarters]
    if cal.resources.budget.carry_over:
        for q in range(len(quarters)):
            m.add(sum(money[: q + 1]) <= sum(amounts[: q + 1]) + extra)
    else:
        overs = [m.new_int_var(0, ceiling, f"over{q}") for q in range(len(quarters))]
        model.overs = overs
        for q in range(len(quarters)):
            m.add(money[q] <= amounts[q] + overs[q])
        m.add(extra == sum(overs))


def extra_money(problem: Problem, plan: dict[int, Assignment]) -> int:
    """Money beyond the budget ``plan`` needs (0 without a budget)."""
    cal = problem.calendar
    budget = cal.budget()
    if budget is None:
        return 0
    quarters = [q for q, _, _ in cal.quarters()]
    spent = dict.fromkeys(quarters, 0)
    for j, a in plan.items():
        spent[cal.quarter(a.start_week)] += problem.cost(j, a.alternative)
    if not cal.resources.budget.carry_over:
        return sum(max(0, spent[q] - round(budget[q])) for q in quarters)
    worst = total = 0
    for q in quarters:
        total += spent[q] - round(budget[q])
        worst = max(worst, total)
    return worst


def hint(problem: Problem, model: Model, plan: dict[int, Assignment]) -> None:
    """Hint a complete solution (every auxiliary variable too), so CP-SAT starts from it."""
    cp, cal = model.cp, problem.calendar
    cp.clear_hints()  # type: ignore[no-untyped-call]
    for j, a in plan.items():
        cp.add_hint(model.starts[j], a.start_week)
        for k, b in enumerate(model.choice[j]):
            if b is not None:
                cp.add_hint(b, int(k == a.alternative))
        if model.late[j] is not None:
            cp.add_hint(model.late[j], problem.days_late(j, a.start_week))
    for g, (first, _) in enumerate(problem.groups):
        cp.add_hint(
            model.done[g], max(plan[j].start_week + problem.jobs[j].duration_weeks for j in first)
        )
    if model.extra_budget is None:
        return
    quarters = [q for q, _, _ in cal.quarters()]
    for j, a in plan.items():
        q = quarters.index(cal.quarter(a.start_week))
        for k, y in model.flags[j]:
            cp.add_hint(y, int(k == q))
        for k, z in model.spend[j]:
            cp.add_hint(z, problem.cost(j, a.alternative) if k == q else 0)
    cp.add_hint(model.extra_budget, extra_money(problem, plan))
    if model.overs:
        budget = cal.budget() or {}
        spent = dict.fromkeys(quarters, 0)
        for j, a in plan.items():
            spent[cal.quarter(a.start_week)] += problem.cost(j, a.alternative)
        for var, name in zip(model.overs, quarters, strict=True):
            cp.add_hint(var, max(0, spent[name] - round(budget[name])))


def _value(problem: Problem, plan: dict[int, Assignment], objective: str) -> int:
    """A plan's value for one objective, computed the way the model does."""
    if objective == "extra_budget":
        return extra_money(problem, plan)
    if objective == "early_starts":
        return sum(a.start_week for a in plan.values())
    s = score(problem, plan)
    return s.weighted_missed_days if objective == "weighted_missed_days" else s.cost


def _fits(problem: Problem, plan: dict[int, Assignment], fixed: dict[str, int]) -> bool:
    return all(_value(problem, plan, name) <= value for name, value in fixed.items())


def _read(problem: Problem, model: Model, solver: cp_model.CpSolver) -> dict[int, Assignment]:
    plan = {}
    for j in range(len(problem.jobs)):
        bools = model.choice[j]
        a = 0 if bools[0] is None else next(k for k, b in enumerate(bools) if solver.value(b))
        plan[j] = Assignment(int(solver.value(model.starts[j])), a)
    return plan


def solve(
    problem: Problem,
    start_plan: dict[int, Assignment],
    *,
    time_limit: float,
    workers: int = 2,
) -> SolveResult:
    """Optimise, starting from ``start_plan``; the best schedule found within the time limit.

    ``status`` is the first objective's after the lateness phase: ``optimal`` or ``feasible``;
    ``heuristic`` when the optimiser found no schedule in time and ``start_plan`` is returned.
    """
    began = time.monotonic()
    model = build_model(problem)
    plan, phases = dict(start_plan), []
    objectives: list[tuple[str, Any]] = []
    if model.extra_budget is not None:
        if extra_money(problem, start_plan) == 0:  # the start plan fits the budget: so must all
            model.cp.add(model.extra_budget == 0)
            phases.append({"objective": "extra_budget", "status": "optimal", "wall_s": 0.0})
        else:
            objectives.append(("extra_budget", model.extra_budget))
    objectives += [("weighted_missed_days", model.weighted_late(problem))]
    objectives += [("cost", sum(model.cost))]
    objectives += [("early_starts", sum(model.starts))]  # among equals, the sooner the better
    weights = {"extra_budget": 0.2, "weighted_missed_days": 0.55, "cost": 0.15, "early_starts": 0.1}
    shares = [weights[name] for name, _ in objectives]
    status, bound = "heuristic", None
    values: dict[str, int] = {}
    for i, (name, expr) in enumerate(objectives):
        remaining = time_limit - (time.monotonic() - began)
        solver = cp_model.CpSolver()
        # This phase's share of the time still left (a phase that ends early leaves it over).
        solver.parameters.max_time_in_seconds = max(0.5, remaining * shares[i] / sum(shares[i:]))
        solver.parameters.num_workers = workers
        # Start from the better of the plan so far and the starting plan, if that one still
        # satisfies the optima already fixed.
        if _fits(problem, start_plan, values) and _value(problem, start_plan, name) < _value(
            problem, plan, name
        ):
            plan = dict(start_plan)
        hint(problem, model, plan)
        model.cp.minimize(expr)
        code = solver.solve(model.cp)
        phase_status = _STATUS.get(code, "unknown")
        phases.append({"objective": name, "status": phase_status, "wall_s": solver.wall_time})
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break
        found = _read(problem, model, solver)
        if _value(problem, found, name) <= _value(problem, plan, name) or not _fits(
            problem, plan, values
        ):
            plan = found
        value = _value(problem, plan, name)
        values[name] = value
        if name == "weighted_missed_days":
            bound = round(solver.best_objective_bound)
            status = phase_status
        model.cp.add(expr <= value)  # keep this optimum in the next phases
    weighted = values.get("weighted_missed_days", score(problem, plan).weighted_missed_days)
    gap = None if bound is None else max(0.0, (weighted - bound) / max(1, weighted))
    return SolveResult(
        plan=plan,
        status=status,
        weighted_missed_days=weighted,
        bound=bound,
        gap=None if gap is None else (0.0 if status == "optimal" else round(gap, 4)),
        extra_budget=values.get("extra_budget", extra_money(problem, plan)),
        wall_s=round(time.monotonic() - began, 3),
        phases=phases,
    )
