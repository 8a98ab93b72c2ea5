"""The optimiser and the heuristic on small problems whose best schedules are worked out by hand.

Time grid (derisk/plan/calendar.py): week w starts on start + 7w; a job of d weeks starting
in week s ends on day 7(s + d) - 1 counted from the start (day 0); days late = end - deadline.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

import pytest

from derisk.errors import DeriskError
from derisk.plan.calendar import Calendar
from derisk.plan.heuristic import earliest_deadline_first
from derisk.plan.jobs import Job
from derisk.plan.model import Dependency, Resources
from derisk.plan.problem import Problem, precedence_groups, score
from derisk.plan.shortfall import Shortfalls, _heuristic_bound, _upstream_regions, find_shortfalls
from derisk.plan.solver import solve
from derisk.plan.vendors import Alternative

START = date(2027, 1, 4)  # a Monday


def day(n: int) -> date:
    return START + timedelta(days=n)


def job(
    name: str,
    *,
    weeks: int = 1,
    deadline: int | None = None,
    weight: float = 10,
    site: str | None = None,
    domain: str = "ran",
    region: str = "r",
    cost: float = 100,
) -> Job:
    return Job(
        job_id=name,
        site=site,
        region=region,
        country=None,
        domain=domain,
        kind=None,
        records=(name,),
        rows=(2,),
        items=1,
        replaces=("huawei",),
        status="remove_by",
        rule_ids=("x.y",),
        deadline=None if deadline is None else day(deadline),
        weight=weight,
        duration_weeks=weeks,
        cost=cost,
        cost_basis="test",
    )


def alt(
    name: str = "v", lead: int = 0, factor: float = 1.0, until: int | None = None
) -> Alternative:
    return Alternative(name, name, lead, factor, None if until is None else day(until))


def problem(
    jobs: list[Job],
    resources: dict[str, Any] | None = None,
    alts: list[list[Alternative]] | None = None,
) -> Problem:
    res = Resources.model_validate({"horizon_months": 6, **(resources or {})})
    cal = Calendar.build(START, res)
    return Problem(
        jobs, alts or [[alt()] for _ in jobs], cal, precedence_groups(jobs, res.dependencies)
    )


def run(p: Problem) -> tuple[dict[str, int], Any]:
    result = solve(p, earliest_deadline_first(p), time_limit=10, workers=1)
    starts = {p.jobs[j].job_id: a.start_week for j, a in result.plan.items()}
    return starts, result


def test_one_crew_runs_jobs_one_after_the_other_and_meets_both_deadlines() -> None:
    # A (2 weeks, due day 13 = end of week 1) then B (2 weeks, due day 27): both on time.
    p = problem(
        [job("A", weeks=2, deadline=13), job("B", weeks=2, deadline=27)], {"crews": {"default": 1}}
    )
    starts, result = run(p)
    assert starts == {"A": 0, "B": 2}
    assert result.weighted_missed_days == 0 and result.status == "optimal"


def test_weights_decide_who_is_late_and_the_heuristic_is_beaten() -> None:
    # One crew. A: 3 weeks, due day 20, weight 1000 (an overdue legal deadline); B: 1 week,
    # due day 6, weight 10. A first: A ends day 20 (on time), B ends day 27: 21 days x 10 = 210.
    # B first (what earliest-deadline-first does): A ends day 27, 7 days x 1000 = 7000.
    p = problem(
        [job("A", weeks=3, deadline=20, weight=1000), job("B", deadline=6)],
        {"crews": {"default": 1}},
    )
    heuristic = score(p, earliest_deadline_first(p))
    assert heuristic.weighted_missed_days == 7000
    starts, result = run(p)
    assert starts == {"A": 0, "B": 3}
    assert result.weighted_missed_days == 210
    assert score(p, result.plan).missed_days == 21


def test_lead_time_and_cost_choose_the_vendor() -> None:
    # Due day 27 (end of week 3), 1 week of work. Vendor "cheap" (factor 1) has a 4-week lead:
    # earliest end day 34, 7 days late. "fast" costs 1.5x with no lead: on time. Lateness first.
    p = problem([job("A", deadline=27)], alts=[[alt("cheap", lead=4), alt("fast", factor=1.5)]])
    _, result = run(p)
    assert result.plan[0].alternative == 1 and result.weighted_missed_days == 0
    # With a later deadline both meet it, and the cheaper vendor wins (cost 100 against 150).
    p = problem([job("A", deadline=60)], alts=[[alt("cheap", lead=4), alt("fast", factor=1.5)]])
    _, result = run(p)
    assert result.plan[0].alternative == 0 and score(p, result.plan).cost == 100


def test_vendor_must_still_be_clear_when_the_job_ends() -> None:
    # "soon-listed" is clear only until day 6: a 2-week job cannot end by then; "other" is used.
    p = problem([job("A", weeks=2)], alts=[[alt("soon-listed", until=6), alt("other", factor=2)]])
    _, result = run(p)
    assert result.plan[0].alternative == 1


def test_blackout_weeks_are_never_worked() -> None:
    # Blackout 2027-01-04..2027-01-15 touches weeks 0 and 1: the job starts in week 2.
    p = problem(
        [job("A", deadline=100)], {"blackouts": [{"from": "2027-01-04", "to": "2027-01-15"}]}
    )
    starts, _ = run(p)
    assert starts == {"A": 2}


def test_quarterly_budget_with_carry_over_pushes_work_to_the_next_quarter() -> None:
    # Two jobs of 100; 100 per quarter. Q1 2027 has weeks 0-12 (Mondays 4 Jan - 29 Mar), Q2
    # starts in week 13. A is due at the end of week 0, so it takes Q1's money; B can start in
    # week 13 at the earliest, though two crews are free in week 0.
    p = problem(
        [job("A", deadline=6), job("B", deadline=200)],
        {"crews": {"default": 2}, "budget": {"per_quarter": 100}},
    )
    starts, result = run(p)
    assert starts["A"] == 0 and starts["B"] >= 13
    assert result.extra_budget == 0 and result.weighted_missed_days == 0
    # Without carry-over and 50 a quarter, no job of 100 fits any quarter: each overruns its
    # quarter by 50, so the least extra money is 100 (reported, and the jobs still run).
    p = problem(
        [job("A", deadline=6), job("B", deadline=200)],
        {"crews": {"default": 2}, "budget": {"per_quarter": 50, "carry_over": False}},
    )
    _, result = run(p)
    assert result.extra_budget == 100


def test_dependencies_core_before_ran_at_a_site() -> None:
    jobs = [
        job("S1/core", weeks=2, site="S1", domain="core", deadline=100),
        job("S1/ran", site="S1", domain="ran", deadline=100),
    ]
    p = problem(
        jobs, {"crews": {"default": 2}, "dependencies": [{"first": ["core"], "then": ["ran"]}]}
    )
    starts, _ = run(p)
    assert starts["S1/ran"] >= starts["S1/core"] + 2


def test_dependency_cycle_is_refused() -> None:
    deps = [Dependency(first=["core"], then=["ran"]), Dependency(first=["ran"], then=["core"])]
    with pytest.raises(DeriskError, match="cycle"):
        precedence_groups([job("a")], deps)


def test_capacity_per_region_and_month() -> None:
    # Region r has 1 crew, but 0 in January 2027 (weeks 0-3: Mondays 4..25 Jan): start week 4.
    p = problem([job("A", deadline=100)], {"crews": {"default": 1, "months": {"2027-01": 0}}})
    starts, _ = run(p)
    assert starts == {"A": 4}


def test_shortfalls_unmeetable_and_least_extra_crews() -> None:
    jobs = [
        job("late-already", deadline=-1, weight=1),  # due the day before the start
        job("lead", deadline=13),  # the only vendor needs 4 weeks: earliest end day 34
        job("c1", deadline=6),
        job("c2", deadline=6),
        job("c3", deadline=6),  # week 0 only
    ]
    alts = [[alt()], [alt(lead=4)], [alt()], [alt()], [alt()]]
    p = problem(jobs, {"crews": {"default": 1}}, alts)
    _, result = run(p)
    found = find_shortfalls(p, result.plan, time_limit=10, workers=1)
    reasons = {u["job_id"]: (u["reason"], u["least_days_late"]) for u in found.unmeetable}
    # late-already: at best it ends day 6, 7 days after its deadline (day -1). lead: the
    # earliest end is day 7 x (4 + 1) - 1 = 34, 21 days after day 13.
    assert reasons == {"late-already": ("deadline already passed", 7), "lead": ("lead time", 21)}
    # One crew: the plan runs c1-c3 in weeks 0-2 (weight 10 each) and late-already (weight 1)
    # after them. Meeting c1-c3 means all three in week 0: two more crews, and late-already
    # may be no later than in the plan; "lead" waits for its vendor anyway.
    assert found.extra_crews == [{"region": "r", "crews": 2}]
    assert found.complete
    assert any("2 more crew(s) in r" in t for t in found.text)


def test_fallback_bound_adds_crews_where_the_late_jobs_predecessors_work() -> None:
    # Management in region m waits (network-wide) for two 1-week core jobs in region a. One crew
    # per region: cores in weeks 0 and 1, management in week 2, ending day 20, 7 days after its
    # deadline (day 13). Crews in m alone cannot help; one more crew in a lets both cores run in
    # week 0 and management in week 1, ending day 13: on time. So the fallback bound is one
    # crew in each of a and m (it adds the same number in every region it considers).
    jobs = [
        job("a1", domain="core", region="a", deadline=400, cost=10),
        job("a2", domain="core", region="a", deadline=400, cost=10),
        job("m", domain="management", region="m", deadline=13, cost=10),
    ]
    deps = [{"first": ["core"], "then": ["management"], "scope": "network"}]
    p = problem(jobs, {"crews": {"default": 1}, "dependencies": deps})
    plan = earliest_deadline_first(p)
    assert p.days_late(2, plan[2].start_week) == 7
    caps = {0: 0, 1: 0, 2: 0}
    regions = _upstream_regions(p, [2])
    assert regions == ["a", "m"]
    found = Shortfalls()
    _heuristic_bound(p, caps, regions, found, time.monotonic() + 10)
    assert found.extra_crews == [{"region": "a", "crews": 1}, {"region": "m", "crews": 1}]
    alone = Shortfalls()
    _heuristic_bound(p, caps, ["m"], alone, time.monotonic() + 2)
    assert alone.extra_crews == []  # the old, region-of-the-late-job-only bound found nothing
