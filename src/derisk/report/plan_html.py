"""The HTML report of a plan (``derisk.plan/1``) and of a scenario (``derisk.scenario/1``).

One self-contained, print-friendly page: inline CSS, no script, no remote resource (a
Content-Security-Policy meta tag forbids both). The document is read into typed views by
:mod:`derisk.report.plan_document`; the Jinja2 template ``templates/plan.html.j2`` (autoescape
on) lays them out, so every piece of input text is escaped by the template engine. The two
charts are inline SVG: the Gantt chart of the schedule (:mod:`derisk.report.plan_gantt`, which
also states its aggregation rule) and the cost per quarter
(:mod:`derisk.report.plan_cost_chart`). The schedule table below the chart always lists every
job.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup

from derisk import __version__
from derisk.report.bulk import gc_paused
from derisk.report.document import plural, status_label
from derisk.report.plan_cost_chart import cost_chart_top, render_cost_svg
from derisk.report.plan_document import closest_met, deadline_risk, read_plan, read_scenario
from derisk.report.plan_gantt import MAX_GANTT_ROWS, OUTCOME_COLOURS, build_gantt, render_gantt_svg
from derisk.report.plan_views import (
    Plan,
    PlanJob,
    Quarter,
    Scenario,
    format_days,
    format_number,
    format_signed,
    outcome_label,
)
from derisk.report.templating import new_environment

__all__ = ["SCHEDULE_OPEN_MAX", "render_plan_html", "render_scenario_html"]

#: Up to this many jobs the full schedule table is shown open; more are folded into <details>.
SCHEDULE_OPEN_MAX = 500

# --- view rows ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MovedJob:
    job_id: str
    baseline: PlanJob | None
    scenario: PlanJob | None

    @property
    def shift(self) -> str:
        """How far the start moved, in words."""
        old = self.baseline.start_date if self.baseline else None
        new = self.scenario.start_date if self.scenario else None
        if old is None or new is None:
            return ""
        days = (new - old).days
        if days == 0:
            return "same start"
        return f"{format_days(abs(days))} {'later' if days > 0 else 'earlier'}"


@dataclass(frozen=True, slots=True)
class QuarterComparison:
    quarter: str
    baseline: float | None
    scenario: float | None

    @property
    def difference(self) -> float | None:
        if self.baseline is None and self.scenario is None:
            return None
        return (self.scenario or 0.0) - (self.baseline or 0.0)


@dataclass(frozen=True, slots=True)
class Metric:
    name: str
    baseline: str
    scenario: str
    difference: str


def _jobs_by_id(plan: Plan) -> dict[str, PlanJob]:
    return {job.job_id: job for job in plan.jobs}


def _pick(jobs: Mapping[str, PlanJob], ids: Iterable[str]) -> list[PlanJob]:
    return [jobs[i] for i in ids if i in jobs]


def _quarters(baseline: Plan, scenario: Plan) -> list[QuarterComparison]:
    old: dict[str, Quarter] = {q.quarter: q for q in baseline.by_quarter}
    new: dict[str, Quarter] = {q.quarter: q for q in scenario.by_quarter}
    keys = sorted(set(old) | set(new))
    return [
        QuarterComparison(
            quarter=key,
            baseline=old[key].cost if key in old else None,
            scenario=new[key].cost if key in new else None,
        )
        for key in keys
    ]


def _metrics(scenario: Scenario) -> list[Metric]:
    b, s, d = scenario.baseline.summary, scenario.plan.summary, scenario.difference
    currency = scenario.plan.currency or scenario.baseline.currency
    return [
        Metric("Jobs", f"{b.jobs:,}", f"{s.jobs:,}", format_signed(d.jobs)),
        Metric("Jobs late", f"{b.missed:,}", f"{s.missed:,}", format_signed(d.missed_jobs)),
        Metric(
            "Days late", f"{b.missed_days:,}", f"{s.missed_days:,}", format_signed(d.missed_days)
        ),
        Metric(
            "Weighted days late",
            format_number(b.weighted_missed_days),
            format_number(s.weighted_missed_days),
            format_signed(d.weighted_missed_days),
        ),
        Metric(
            "Cost",
            scenario.baseline.money(b.cost),
            scenario.plan.money(s.cost),
            format_signed(d.cost, currency),
        ),
        Metric("Finish", b.finish, s.finish, d.finish),
    ]


# --- rendering ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = new_environment()
    env.filters["num"] = lambda value: format_number(value)
    env.globals.update(
        status_label=status_label,
        outcome_label=outcome_label,
        format_days=format_days,
        format_signed=format_signed,
        plural=plural,
        outcome_colours=OUTCOME_COLOURS,
    )
    return env


def _plan_context(plan: Plan, prefix: str, *, cost_chart: bool = True) -> dict[str, Any]:
    gantt = build_gantt(plan)
    risk = deadline_risk(plan)
    return {
        "plan": plan,
        "risk": risk,
        "avoidable": [job for job in risk if not job.legal_overdue],
        "overdue": [job for job in risk if job.legal_overdue],
        "closest": closest_met(plan, 5),
        "gantt": gantt,
        "gantt_svg": render_gantt_svg(
            gantt, prefix=f"{prefix}-gantt", title=f"Schedule, one row per {gantt.unit}"
        ),
        "cost_svg": render_cost_svg(plan, prefix=f"{prefix}-cost") if cost_chart else Markup(""),
        "schedule_open": len(plan.jobs) <= SCHEDULE_OPEN_MAX,
        "prefix": prefix,
    }


def render_plan_html(document: Mapping[str, Any]) -> str:
    """The HTML report of a ``derisk.plan/1`` document: one self-contained UTF-8 page."""
    with gc_paused():
        plan = read_plan(document)
        template = _environment().get_template("plan.html.j2")
        return template.render(
            kind="plan",
            version=__version__,
            max_gantt_rows=MAX_GANTT_ROWS,
            **_plan_context(plan, "plan"),
        )


def render_scenario_html(document: Mapping[str, Any]) -> str:
    """The HTML report of a ``derisk.scenario/1`` document: the difference a scenario makes.

    The difference table, the jobs new, dropped and moved under the scenario, the findings new
    and gone, both plans' cost by quarter (charts on one scale, and a table), and the
    scenario plan's deadline risks and schedule.
    """
    with gc_paused():
        scenario = read_scenario(document)
        baseline_jobs = _jobs_by_id(scenario.baseline)
        scenario_jobs = _jobs_by_id(scenario.plan)
        top = cost_chart_top(scenario.baseline, scenario.plan)
        template = _environment().get_template("plan.html.j2")
        return template.render(
            kind="scenario",
            version=__version__,
            max_gantt_rows=MAX_GANTT_ROWS,
            scenario=scenario,
            metrics=_metrics(scenario),
            new_jobs=_pick(scenario_jobs, scenario.difference.new_jobs),
            dropped_jobs=_pick(baseline_jobs, scenario.difference.dropped_jobs),
            moved_jobs=[
                MovedJob(job_id, baseline_jobs.get(job_id), scenario_jobs.get(job_id))
                for job_id in scenario.difference.moved_jobs
            ],
            quarters=_quarters(scenario.baseline, scenario.plan),
            baseline_cost_svg=render_cost_svg(
                scenario.baseline, prefix="base-cost", title="Baseline: cost by quarter", top=top
            ),
            scenario_cost_svg=render_cost_svg(
                scenario.plan, prefix="scen-cost", title="Scenario: cost by quarter", top=top
            ),
            **_plan_context(scenario.plan, "scen", cost_chart=False),
        )
