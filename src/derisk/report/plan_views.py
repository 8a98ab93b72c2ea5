"""Typed, read-only views of the plan documents (``derisk.plan/1`` and ``derisk.scenario/1``)
and the number, money and day formats every plan report uses.

Every string held here is untrusted input text (site names, record ids and vendor names come
from the operator's inventory): each writer escapes it for its own output.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from derisk.report.document import (
    Finding,
    _opt_text,
    parse_date,
    plural,
)

__all__ = [
    "Difference",
    "DomainRow",
    "ExtraBudget",
    "ExtraCrews",
    "Heuristic",
    "NotPlanned",
    "Plan",
    "PlanJob",
    "Quarter",
    "Scenario",
    "Shortfalls",
    "Solver",
    "Summary",
    "Unmeetable",
    "format_days",
    "format_finish_difference",
    "format_money",
    "format_number",
    "format_signed",
    "outcome_label",
]


# --- formats --------------------------------------------------------------------------------


def format_number(value: float | None, *, empty: str = "") -> str:
    """``1234`` -> ``1,234``; ``2.5`` -> ``2.5``; None (or not finite) -> ``empty``."""
    if value is None or not math.isfinite(value):
        return empty
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def format_money(amount: float | None, currency: str, *, empty: str = "") -> str:
    """``EUR 1,450,000``; cents only when there are any (``EUR 12.50``)."""
    if amount is None or not math.isfinite(amount):
        return empty
    figure = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
    return f"{currency} {figure}".strip()


def format_signed(value: float | None, currency: str = "", *, empty: str = "") -> str:
    """A difference with its sign: ``+2``, ``−3``, ``0``, ``+EUR 1,040,000``."""
    if value is None or not math.isfinite(value):
        return empty
    sign = "+" if value > 0 else "−" if value < 0 else ""
    magnitude = abs(value)
    text = format_money(magnitude, currency) if currency else format_number(magnitude)
    return sign + text


def format_days(days: int) -> str:
    return plural(days, "day")


def format_finish_difference(value: object) -> str:
    """The ``difference.finish`` of a scenario, in words ("same day", "12 days later").

    ``docs/plan-json.md`` calls every difference "scenario minus baseline" without saying what
    that is for a date; the planner writes ``{"baseline": date, "scenario": date}``. Read
    leniently: that object, a number of days, or anything else shown as given.
    """
    if isinstance(value, Mapping):
        before, after = _opt_text(value, "baseline"), _opt_text(value, "scenario")
        first, last = parse_date(before), parse_date(after)
        if first is None or last is None:
            return f"{before or '?'} → {after or '?'}"
        value = (last - first).days
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        return str(value)
    if value == 0:
        return "same day"
    return f"{format_days(abs(value))} {'later' if value > 0 else 'earlier'}"


# --- views ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanJob:
    """One job of the schedule (``docs/plan-json.md``, "A job")."""

    job_id: str
    site: str
    region: str
    domain: str
    records: tuple[str, ...]
    items: float | None
    replaces: tuple[str, ...]
    status: str
    rule_ids: tuple[str, ...]
    deadline: str | None
    weight: float
    vendor: str
    vendor_name: str
    alternatives: tuple[str, ...]
    lead_time_weeks: int | None
    start: str
    end: str
    duration_weeks: int | None
    cost: float | None
    cost_basis: str
    met: bool | None
    days_late: int
    depends_on: tuple[str, ...]
    #: The deadline had already passed when work could start: late whatever the plan.
    legal_overdue: bool

    @property
    def start_date(self) -> date | None:
        return parse_date(self.start)

    @property
    def end_date(self) -> date | None:
        return parse_date(self.end)

    @property
    def deadline_date(self) -> date | None:
        return parse_date(self.deadline)

    @property
    def missed(self) -> bool:
        """Finishes after its deadline (``met`` false, or any day late)."""
        return self.met is False or self.days_late > 0

    @property
    def weighted_late(self) -> float:
        """Weight × days late: the job's share of the first objective."""
        return self.weight * self.days_late

    @property
    def outcome(self) -> str:
        """``overdue`` (legal deadline passed before the start), ``missed``, ``met``, ``none``."""
        if self.missed:
            return "overdue" if self.legal_overdue else "missed"
        if self.met is True:
            return "met"
        return "none"

    @property
    def slack_days(self) -> int | None:
        """Days between the end and the deadline (negative when late); None without both."""
        end, deadline = self.end_date, self.deadline_date
        if end is None or deadline is None:
            return None
        return (deadline - end).days

    @property
    def site_label(self) -> str:
        """The site, or ``(no site)`` for a job of a single record without one."""
        return self.site or "(no site)"


def outcome_label(job: PlanJob) -> str:
    """The outcome of a job in words (never by colour alone)."""
    outcome = job.outcome
    if outcome == "overdue":
        return f"late {format_days(job.days_late)} (deadline passed before the start)"
    if outcome == "missed":
        return f"late {format_days(job.days_late)}"
    if outcome == "met":
        slack = job.slack_days
        return "met" if slack is None else f"met ({format_days(slack)} to spare)"
    return "no deadline"


@dataclass(frozen=True, slots=True)
class Quarter:
    quarter: str
    cost: float | None
    budget: float | None  # None: no budget limit
    cumulative_cost: float | None
    cumulative_budget: float | None
    jobs: int | None

    @property
    def over_budget(self) -> bool:
        """More spent by the end of this quarter than budgeted up to it."""
        cost, budget = self.cumulative_cost, self.cumulative_budget
        return cost is not None and budget is not None and cost > budget + 1e-9


@dataclass(frozen=True, slots=True)
class DomainRow:
    domain: str
    jobs: int | None
    items: float | None
    cost: float | None


@dataclass(frozen=True, slots=True)
class Unmeetable:
    job_id: str
    deadline: str
    reason: str
    least_days_late: int | None  # with unlimited crews and money (the planner adds it)


@dataclass(frozen=True, slots=True)
class ExtraCrews:
    region: str
    crews: float | None


@dataclass(frozen=True, slots=True)
class ExtraBudget:
    quarter: str
    amount: float | None


@dataclass(frozen=True, slots=True)
class Shortfalls:
    unmeetable: tuple[Unmeetable, ...]
    extra_crews: tuple[ExtraCrews, ...]
    extra_budget: tuple[ExtraBudget, ...]
    complete: bool | None
    text: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not (self.unmeetable or self.extra_crews or self.extra_budget or self.text)


@dataclass(frozen=True, slots=True)
class NotPlanned:
    record_id: str
    row: str
    reason: str


@dataclass(frozen=True, slots=True)
class Solver:
    name: str
    status: str
    time_limit_s: float | None
    wall_s: float | None
    objective_weighted_missed_days: float | None
    objective_cost: float | None
    bound: float | None
    gap: float | None
    workers: int | None

    @property
    def gap_text(self) -> str:
        """The optimality gap as a percentage (``3.1%``), empty when not given."""
        if self.gap is None or not math.isfinite(self.gap):
            return ""
        return f"{self.gap * 100:.1f}%"


@dataclass(frozen=True, slots=True)
class Summary:
    jobs: int
    items: float | None
    met: int
    missed: int
    missed_days: int
    weighted_missed_days: float | None
    legal_overdue_jobs: int
    cost: float | None
    finish: str


@dataclass(frozen=True, slots=True)
class Heuristic:
    name: str
    missed_jobs: int | None
    missed_days: int | None
    weighted_missed_days: float | None
    cost: float | None
    wall_s: float | None


@dataclass(frozen=True, slots=True)
class Plan:
    """A whole ``derisk.plan/1`` document, read."""

    schema: str
    generated_by: str
    as_of: str
    start: str
    horizon_end: str
    currency: str
    kb_version: str
    countries: tuple[str, ...]
    sector: str
    input_file: str
    input_records: int | None
    input_flagged: int | None
    resources: tuple[tuple[str, str], ...]  # (what, in words), for the solver details
    solver: Solver
    summary: Summary
    jobs: tuple[PlanJob, ...]
    by_quarter: tuple[Quarter, ...]
    by_domain: tuple[DomainRow, ...]
    shortfalls: Shortfalls
    not_planned: tuple[NotPlanned, ...]
    heuristic: Heuristic | None

    def money(self, amount: float | None, *, empty: str = "") -> str:
        return format_money(amount, self.currency, empty=empty)

    @property
    def sites(self) -> int:
        """Distinct sites (jobs of a record without a site are not counted)."""
        return len({job.site for job in self.jobs if job.site})

    @property
    def undated_jobs(self) -> int:
        """Jobs without a deadline (``met`` null): neither met nor missed."""
        return sum(1 for job in self.jobs if job.outcome == "none")


@dataclass(frozen=True, slots=True)
class Difference:
    cost: float | None
    jobs: int | None
    missed_jobs: int | None
    missed_days: int | None
    weighted_missed_days: float | None
    finish: str  # in words (see format_finish_difference)
    new_jobs: tuple[str, ...]
    dropped_jobs: tuple[str, ...]
    moved_jobs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Change:
    kind: str
    summary: str


@dataclass(frozen=True, slots=True)
class Scenario:
    """A whole ``derisk.scenario/1`` document, read."""

    schema: str
    generated_by: str
    name: str
    description: str
    file: str
    changes: tuple[Change, ...]
    kb_version: str
    scenario_kb_version: str
    baseline: Plan
    plan: Plan
    new_findings: tuple[Finding, ...]
    resolved_findings: tuple[Finding, ...]
    difference: Difference
