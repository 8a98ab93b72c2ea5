"""The HTML report of a plan (``derisk.plan/1``) and of a scenario (``derisk.scenario/1``).

One self-contained, print-friendly page: inline CSS, no script, no remote resource (a
Content-Security-Policy meta tag forbids both). The document is read into typed views by
:mod:`derisk.report.plan_document`; the Jinja2 template ``templates/plan.html.j2`` (autoescape
on) lays them out, so every piece of input text is escaped by the template engine. The two
charts, the Gantt chart of the schedule and the cost per quarter, are inline SVG built here;
every piece of text placed in them (site names, job ids: inventory text) goes through
:func:`markupsafe.escape`, attribute values included.

The Gantt chart
---------------
The x axis is time, from the first day of the month of the earliest job start to the last day
of the month of the latest job end (the axis starts at the plan's start instead when that is
earlier, to show the wait for lead times); ticks are months when that span is at most 18 months,
quarters up to 72 months, else years. A bar runs from the first day of a job (``start``) to the
end of its last day (``end`` is inclusive), so a bar is ``(end - start + 1)`` days wide. A short
vertical line on the row marks the end of the deadline day: a bar that ends left of it meets
the deadline. A deadline outside the axis (for example one that passed before the plan's start)
is drawn as a triangle just outside the edge it lies beyond, pointing away from the plot. Bars
are coloured and patterned by outcome (met; late; late because the legal deadline passed before
the start; no deadline) and the outcome is also written in words at the end of each row, so the
chart reads without colour. A dashed line marks the plan's start.

Aggregation rule (:data:`MAX_GANTT_ROWS` = 60): a plan of at most 60 jobs gets one row per job,
in schedule order. A larger plan gets one row per site (jobs of a single record without a site
form a "(no site)" row) when it has at most 60 sites, else one row per region. An aggregated
row's bar spans its jobs' earliest start to their latest end; it is drawn as late when any of
its jobs is (a job the plan could have met first, then a legal-overdue one), its marker is the
earliest deadline among its late jobs (else among all its jobs), and the row says how many jobs
it holds and how many are late. When even the regions are more than 60, the 60 regions with the
most weighted lateness are drawn and a note says how many were left out. The schedule table
below the chart always lists every job.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup, escape

from derisk import __version__
from derisk.report.bulk import gc_paused
from derisk.report.document import plural, status_label
from derisk.report.plan_document import (
    Plan,
    PlanJob,
    Quarter,
    Scenario,
    closest_met,
    deadline_risk,
    format_days,
    format_number,
    format_signed,
    outcome_label,
    read_plan,
    read_scenario,
)

__all__ = [
    "GANTT_LEFT",
    "GANTT_PLOT_WIDTH",
    "MAX_GANTT_ROWS",
    "OUTCOME_COLOURS",
    "SCHEDULE_OPEN_MAX",
    "Gantt",
    "GanttRow",
    "build_gantt",
    "render_cost_svg",
    "render_gantt_svg",
    "render_plan_html",
    "render_scenario_html",
]

#: At most this many rows in the Gantt chart; more jobs are aggregated per site, then region.
MAX_GANTT_ROWS = 60

#: Up to this many jobs the full schedule table is shown open; more are folded into <details>.
SCHEDULE_OPEN_MAX = 500

#: Fill colour per outcome; each has at least 4.5:1 contrast with white.
OUTCOME_COLOURS: dict[str, str] = {
    "met": "#1b6e3a",
    "missed": "#b3261e",
    "overdue": "#6b0f1a",
    "none": "#5f6b7a",
}

OUTCOME_LEGEND: dict[str, str] = {
    "met": "meets its deadline",
    "missed": "late",
    "overdue": "late: deadline passed before the start",
    "none": "no deadline",
}

_OUTCOME_ORDER = ("missed", "overdue", "met", "none")


# --- the Gantt chart ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GanttRow:
    """One row of the chart: one job, or the jobs of one site or region."""

    key: str  # the job id, site or region
    label: str
    start: date
    end: date  # inclusive: the last day of work
    deadline: date | None
    outcome: str  # met, missed, overdue, none
    jobs: int
    late: int  # jobs that miss their deadline
    days_late: int  # in total
    weighted_late: float

    @property
    def note(self) -> str:
        """The row's outcome in words, written at the end of the row."""
        if self.jobs == 1:
            if self.outcome in ("missed", "overdue"):
                return f"late {format_days(self.days_late)}"
            return "met" if self.outcome == "met" else "no deadline"
        return f"{plural(self.jobs, 'job')}, {self.late:,} late"

    @property
    def title(self) -> str:
        deadline = f"deadline {self.deadline.isoformat()}" if self.deadline else "no deadline"
        jobs = "" if self.jobs == 1 else f"{plural(self.jobs, 'job')}, "
        return (
            f"{self.label}: {jobs}{self.start.isoformat()} to {self.end.isoformat()}, "
            f"{deadline}, {self.note}"
        )


@dataclass(frozen=True, slots=True)
class Gantt:
    rows: tuple[GanttRow, ...]
    grouping: str  # job, site or region
    axis_start: date  # the first day shown
    axis_end: date  # the day after the last day shown
    plan_start: date | None
    jobs: int  # jobs drawn (with valid dates)
    undated: int  # jobs left out for want of valid start/end dates
    hidden: int  # aggregated rows left out beyond MAX_GANTT_ROWS

    @property
    def days(self) -> int:
        return (self.axis_end - self.axis_start).days

    @property
    def unit(self) -> str:
        return {"job": "job", "site": "site", "region": "region"}[self.grouping]


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def _job_row(job: PlanJob, start: date, end: date) -> GanttRow:
    late = job.missed
    return GanttRow(
        key=job.job_id,
        label=job.job_id,
        start=start,
        end=end,
        deadline=job.deadline_date,
        outcome=job.outcome,
        jobs=1,
        late=1 if late else 0,
        days_late=job.days_late,
        weighted_late=job.weighted_late,
    )


def _group_row(key: str, items: Sequence[tuple[PlanJob, date, date]]) -> GanttRow:
    outcomes = {job.outcome for job, _, _ in items}
    outcome = next(o for o in _OUTCOME_ORDER if o in outcomes)
    late = [job for job, _, _ in items if job.missed]
    deadlines = [d for d in (job.deadline_date for job in late or [j for j, _, _ in items]) if d]
    return GanttRow(
        key=key,
        label=key,
        start=min(start for _, start, _ in items),
        end=max(end for _, _, end in items),
        deadline=min(deadlines) if deadlines else None,
        outcome=outcome,
        jobs=len(items),
        late=len(late),
        days_late=sum(job.days_late for job in late),
        weighted_late=sum(job.weighted_late for job in late),
    )


def build_gantt(plan: Plan, max_rows: int = MAX_GANTT_ROWS) -> Gantt:
    """The rows of the Gantt chart of ``plan``, aggregated as the module docstring says."""
    dated: list[tuple[PlanJob, date, date]] = []
    for job in plan.jobs:
        start, end = job.start_date, job.end_date
        if start is not None and end is not None and end >= start:
            dated.append((job, start, end))
    undated = len(plan.jobs) - len(dated)
    hidden = 0
    if len(dated) <= max_rows:
        grouping = "job"
        rows = [_job_row(job, start, end) for job, start, end in dated]
    else:
        sites = {job.site_label for job, _, _ in dated}
        grouping = "site" if len(sites) <= max_rows else "region"
        groups: dict[str, list[tuple[PlanJob, date, date]]] = {}
        for item in dated:
            job = item[0]
            key = job.site_label if grouping == "site" else (job.region or "(no region)")
            groups.setdefault(key, []).append(item)
        rows = [_group_row(key, items) for key, items in groups.items()]
        if len(rows) > max_rows:
            rows.sort(key=lambda r: (-r.weighted_late, -r.days_late, r.start, r.label))
            hidden = len(rows) - max_rows
            rows = rows[:max_rows]
        rows.sort(key=lambda r: (r.start, r.label))
    plan_start = _parse(plan.start) if plan.start else None
    if rows:
        first = min(r.start for r in rows)
        if plan_start is not None and plan_start < first:
            first = plan_start  # show the wait for lead times before the first job
        axis_start = _month_start(first)
        axis_end = _next_month(max(r.end for r in rows))
    else:  # nothing to draw: a one-month axis, never shown
        axis_start = _month_start(plan_start or date(2000, 1, 1))
        axis_end = _next_month(axis_start)
    return Gantt(
        rows=tuple(rows),
        grouping=grouping,
        axis_start=axis_start,
        axis_end=axis_end,
        plan_start=plan_start,
        jobs=len(dated),
        undated=undated,
        hidden=hidden,
    )


def _parse(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


#: Layout of the Gantt chart, in SVG user units (pixels at 100 %).
GANTT_LEFT = 250  # the label column
GANTT_PLOT_WIDTH = 900
GANTT_RIGHT = 190  # the outcome column
GANTT_TOP = 46
GANTT_ROW = 22
GANTT_BAR = 14
GANTT_LEGEND = 40
GANTT_LABEL_CHARS = 36


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _ticks(axis_start: date, axis_end: date) -> list[tuple[date, date, str]]:
    """(first day, day after the last, label) of each month, quarter or year on the axis."""
    months = (axis_end.year - axis_start.year) * 12 + axis_end.month - axis_start.month
    ticks: list[tuple[date, date, str]] = []
    if months <= 18:
        day = axis_start
        while day < axis_end:
            following = _next_month(day)
            ticks.append((day, following, day.strftime("%Y-%m")))
            day = following
    elif months <= 72:
        day = date(axis_start.year, 3 * ((axis_start.month - 1) // 3) + 1, 1)
        while day < axis_end:
            following = _next_month(_next_month(_next_month(day)))
            ticks.append((day, following, f"{day.year} Q{(day.month - 1) // 3 + 1}"))
            day = following
    else:
        for year in range(axis_start.year, axis_end.year + (axis_end.month > 1)):
            ticks.append((date(year, 1, 1), date(year + 1, 1, 1), str(year)))
    return ticks


def _patterns(prefix: str) -> str:
    missed, overdue = OUTCOME_COLOURS["missed"], OUTCOME_COLOURS["overdue"]
    return (
        f'<defs><pattern id="{prefix}-missed" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{missed}"/>'
        '<rect width="2" height="6" fill="#ffffff"/></pattern>'
        f'<pattern id="{prefix}-overdue" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="{overdue}"/>'
        '<rect width="2" height="2" fill="#ffffff"/></pattern></defs>'
    )


def _fill(outcome: str, prefix: str) -> str:
    if outcome in ("missed", "overdue"):
        return f"url(#{prefix}-{outcome})"
    return OUTCOME_COLOURS.get(outcome, OUTCOME_COLOURS["none"])


def describe_gantt(gantt: Gantt) -> str:
    """A text description of the chart, for its ``<desc>``."""
    if not gantt.rows:
        return "No job has valid start and end dates."
    late = sum(r.late for r in gantt.rows)
    parts = [
        f"Schedule of {plural(gantt.jobs, 'job')}, one row per {gantt.unit}, "
        f"from {min(r.start for r in gantt.rows).isoformat()} "
        f"to {max(r.end for r in gantt.rows).isoformat()}.",
        f"{plural(late, 'job')} miss their deadline."
        if late != 1
        else "1 job misses its deadline.",
    ]
    if gantt.hidden:
        parts.append(f"{plural(gantt.hidden, gantt.unit)} with less lateness not shown.")
    if gantt.undated:
        parts.append(f"{plural(gantt.undated, 'job')} without valid dates not shown.")
    return " ".join(parts)


def render_gantt_svg(gantt: Gantt, *, prefix: str = "gantt", title: str = "Schedule") -> Markup:
    """The Gantt chart as an inline ``<svg>`` (empty markup when there is no row).

    Each row is a ``<g class="gantt-row">`` holding one ``<rect class="bar">`` with
    ``data-start``/``data-end`` (the dates it was drawn from) and, when the row has a deadline,
    one ``line.deadline`` (inside the axis) or ``path.deadline-edge`` (beyond it).
    """
    if not gantt.rows:
        return Markup("")
    e = escape
    scale = GANTT_PLOT_WIDTH / max(gantt.days, 1)

    def x_of(day: date) -> float:
        return GANTT_LEFT + (day - gantt.axis_start).days * scale

    plot_right = GANTT_LEFT + GANTT_PLOT_WIDTH
    width = plot_right + GANTT_RIGHT
    rows_bottom = GANTT_TOP + len(gantt.rows) * GANTT_ROW
    height = rows_bottom + GANTT_LEGEND
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart gantt" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{prefix}-title {prefix}-desc">',
        f'<title id="{prefix}-title">{e(title)}</title>',
        f'<desc id="{prefix}-desc">{e(describe_gantt(gantt))}</desc>',
        _patterns(prefix),
    ]
    # Time axis: a band label per month/quarter/year, a grid line at each boundary.
    for index, (first, following, label) in enumerate(_ticks(gantt.axis_start, gantt.axis_end)):
        left = max(x_of(first), GANTT_LEFT)
        right = min(x_of(following), plot_right)
        if index % 2 == 0:
            out.append(
                f'<rect class="band" x="{left:.1f}" y="{GANTT_TOP}" width="{right - left:.1f}" '
                f'height="{rows_bottom - GANTT_TOP}"/>'
            )
        out.append(
            f'<line class="grid" x1="{left:.1f}" x2="{left:.1f}" y1="{GANTT_TOP - 18}" '
            f'y2="{rows_bottom}"/>'
        )
        if right - left >= 34:
            out.append(
                f'<text class="tick" x="{(left + right) / 2:.1f}" y="{GANTT_TOP - 6}" '
                f'text-anchor="middle">{e(label)}</text>'
            )
    if gantt.plan_start is not None and gantt.axis_start <= gantt.plan_start < gantt.axis_end:
        sx = x_of(gantt.plan_start)
        out.append(
            f'<g class="plan-start"><line x1="{sx:.1f}" x2="{sx:.1f}" y1="{GANTT_TOP - 30}" '
            f'y2="{rows_bottom}" stroke="#1a1a1a" stroke-width="1" stroke-dasharray="4 3"/>'
            f'<text class="legend" x="{sx + 4:.1f}" y="{GANTT_TOP - 24}">'
            f"start {e(gantt.plan_start.isoformat())}</text></g>"
        )
    for index, row in enumerate(gantt.rows):
        top = GANTT_TOP + index * GANTT_ROW
        bar_y = top + (GANTT_ROW - GANTT_BAR) / 2
        mid = top + GANTT_ROW / 2
        x = x_of(row.start)
        bar_width = ((row.end - row.start).days + 1) * scale
        colour = OUTCOME_COLOURS.get(row.outcome, OUTCOME_COLOURS["none"])
        deadline = row.deadline.isoformat() if row.deadline else ""
        out.append(
            f'<g class="gantt-row" data-key="{e(row.key)}" data-outcome="{e(row.outcome)}" '
            f'data-jobs="{row.jobs}" aria-label="{e(row.title)}"><title>{e(row.title)}</title>'
            f'<text class="label" x="{GANTT_LEFT - 13}" y="{mid + 4:.1f}" text-anchor="end">'
            f"{e(_truncate(row.label, GANTT_LABEL_CHARS))}</text>"
            f'<rect class="bar" data-start="{e(row.start.isoformat())}" '
            f'data-end="{e(row.end.isoformat())}" data-deadline="{e(deadline)}" '
            f'x="{x:.1f}" y="{bar_y:.1f}" width="{max(bar_width, 1.0):.1f}" '
            f'height="{GANTT_BAR}" fill="{e(_fill(row.outcome, prefix))}" stroke="{colour}"/>'
        )
        if row.deadline is not None:
            dx = x_of(row.deadline + timedelta(days=1))  # the end of the deadline day
            # A deadline beyond the axis: a triangle just outside the plot, pointing at it.
            if dx < GANTT_LEFT:
                out.append(
                    f'<path class="deadline-edge" d="M{GANTT_LEFT - 3} {mid - 6:.1f} '
                    f'L{GANTT_LEFT - 9} {mid:.1f} L{GANTT_LEFT - 3} {mid + 6:.1f} Z"/>'
                )
            elif dx > plot_right:
                out.append(
                    f'<path class="deadline-edge" d="M{plot_right + 3} {mid - 6:.1f} '
                    f'L{plot_right + 9} {mid:.1f} L{plot_right + 3} {mid + 6:.1f} Z"/>'
                )
            else:
                out.append(
                    f'<line class="deadline" x1="{dx:.1f}" x2="{dx:.1f}" y1="{top + 1}" '
                    f'y2="{top + GANTT_ROW - 1}"/>'
                )
        note_class = "note late" if row.late else "note"
        out.append(
            f'<text class="{note_class}" x="{plot_right + 14}" y="{mid + 4:.1f}">'
            f"{e(row.note)}</text></g>"
        )
    out.append(
        f'<line class="axis" x1="{GANTT_LEFT}" x2="{plot_right}" y1="{rows_bottom}" '
        f'y2="{rows_bottom}"/>'
    )
    # Legend: swatches and the deadline marks, in words.
    lx, ly = float(GANTT_LEFT), float(rows_bottom + 14)
    present = {row.outcome for row in gantt.rows}
    for outcome in ("met", "missed", "overdue", "none"):
        if outcome not in present:
            continue
        label = OUTCOME_LEGEND[outcome]
        out.append(
            f'<rect x="{lx:.1f}" y="{ly:.1f}" width="14" height="12" '
            f'fill="{_fill(outcome, prefix)}" stroke="{OUTCOME_COLOURS[outcome]}"/>'
            f'<text class="legend" x="{lx + 18:.1f}" y="{ly + 10:.1f}">{e(label)}</text>'
        )
        lx += 18 + 6.5 * len(label) + 20
    out.append(
        f'<line class="deadline" x1="{lx + 4:.1f}" x2="{lx + 4:.1f}" y1="{ly - 1:.1f}" '
        f'y2="{ly + 13:.1f}"/><text class="legend" x="{lx + 12:.1f}" y="{ly + 10:.1f}">'
        "deadline (end of day); ◂ ▸ beyond the axis</text>"
    )
    out.append("</svg>")
    return Markup("".join(out))


# --- the cost chart -------------------------------------------------------------------------

_COST_LEFT, _COST_RIGHT, _COST_TOP = 84, 16, 28
_COST_PLOT_HEIGHT = 200
_COST_BOTTOM = 46
_COST_LEGEND = 26
_COST_BAR_COLOUR = "#1f5fa8"
_OVER_COLOUR = "#b3261e"


def _nice_max(value: float) -> float:
    """The axis maximum: ``value`` rounded up to 1, 2, 2.5 or 5 times a power of ten."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value * (1 - 1e-12):
            return float(step * magnitude)
    return value  # not reached


def compact_money(amount: float) -> str:
    """``1988000`` -> ``1.99M``; ``150000`` -> ``150k``; ``950`` -> ``950``."""
    for divisor, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(amount) >= divisor:
            figure = f"{amount / divisor:.2f}".rstrip("0").rstrip(".")
            return figure + suffix
    return format_number(round(amount, 2))


def cost_chart_top(*plans: Plan) -> float:
    """A common y-axis maximum for the cost charts of ``plans`` (so they compare)."""
    values = [
        v for plan in plans for q in plan.by_quarter for v in (q.cost, q.budget) if v is not None
    ]
    return _nice_max(max(values, default=0.0))


def describe_cost(plan: Plan) -> str:
    if not plan.by_quarter:
        return "No quarter in the plan."
    parts = []
    for q in plan.by_quarter:
        text = f"{q.quarter}: {plan.money(q.cost, empty='no cost')}"
        if q.budget is not None:
            text += f" of a {plan.money(q.budget)} budget"
        if q.over_budget:
            text += " (over the cumulative budget)"
        parts.append(text)
    unit = f" in {plan.currency}" if plan.currency else ""
    return f"Cost per quarter{unit}, with the budget. " + "; ".join(parts) + "."


def render_cost_svg(
    plan: Plan, *, prefix: str = "cost", title: str = "Cost by quarter", top: float | None = None
) -> Markup:
    """Cost per quarter as an inline SVG bar chart, with each quarter's budget as a line.

    A quarter whose cumulative cost exceeds the cumulative budget is hatched and labelled
    "over" under its bar. Empty markup when the plan has no quarter.
    """
    quarters = plan.by_quarter
    if not quarters:
        return Markup("")
    e = escape
    step = max(30.0, min(80.0, 900 / len(quarters)))
    bar = step * 0.6
    width = max(int(_COST_LEFT + step * len(quarters) + _COST_RIGHT), 360)
    height = _COST_TOP + _COST_PLOT_HEIGHT + _COST_BOTTOM + _COST_LEGEND
    base = _COST_TOP + _COST_PLOT_HEIGHT
    scale_top = top if top is not None else cost_chart_top(plan)
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart cost" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{prefix}-title {prefix}-desc">',
        f'<title id="{prefix}-title">{e(title)}</title>',
        f'<desc id="{prefix}-desc">{e(describe_cost(plan))}</desc>',
        f'<defs><pattern id="{prefix}-over" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{_OVER_COLOUR}"/>'
        '<rect width="2" height="6" fill="#ffffff"/></pattern></defs>',
    ]
    for fraction in (0.0, 0.5, 1.0):
        y = base - fraction * _COST_PLOT_HEIGHT
        out.append(
            f'<line class="grid" x1="{_COST_LEFT}" x2="{width - _COST_RIGHT}" y1="{y:.1f}" '
            f'y2="{y:.1f}"/><text class="tick" x="{_COST_LEFT - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end">{e(compact_money(scale_top * fraction))}</text>'
        )
    show_values = step >= 48
    label_every = 1 if step >= 48 else math.ceil(48 / step)
    for index, q in enumerate(quarters):
        x = _COST_LEFT + index * step + (step - bar) / 2
        centre = x + bar / 2
        cost = q.cost or 0.0
        h = min(cost / scale_top, 1.0) * _COST_PLOT_HEIGHT
        fill = f"url(#{prefix}-over)" if q.over_budget else _COST_BAR_COLOUR
        stroke = _OVER_COLOUR if q.over_budget else _COST_BAR_COLOUR
        tip = f"{q.quarter}: {plan.money(q.cost, empty='no cost')}"
        if q.budget is not None:
            tip += f" (budget {plan.money(q.budget)})"
        out.append(
            f'<g class="quarter" data-quarter="{e(q.quarter)}" data-cost="{e(str(cost))}">'
            f"<title>{e(tip)}</title>"
            f'<rect class="bar" x="{x:.1f}" y="{base - h:.1f}" width="{bar:.1f}" '
            f'height="{h:.1f}" fill="{fill}" stroke="{stroke}"/>'
        )
        if q.budget is not None:
            by = base - min(q.budget / scale_top, 1.0) * _COST_PLOT_HEIGHT
            out.append(
                f'<line class="budget" x1="{x - 4:.1f}" x2="{x + bar + 4:.1f}" '
                f'y1="{by:.1f}" y2="{by:.1f}"/>'
            )
        if show_values and cost:
            # Inside the top of a tall bar (clear of the budget line), else above it.
            inside = h >= 24 and not q.over_budget
            out.append(
                f'<text class="{"value inside" if inside else "value"}" x="{centre:.1f}" '
                f'y="{base - h + 15 if inside else base - h - 5:.1f}" '
                f'text-anchor="middle">{e(compact_money(cost))}</text>'
            )
        if index % label_every == 0:
            out.append(
                f'<text class="label" x="{centre:.1f}" y="{base + 16}" '
                f'text-anchor="middle">{e(q.quarter)}</text>'
            )
        if q.over_budget:
            out.append(
                f'<text class="over-label" x="{centre:.1f}" y="{base + 32}" '
                f'text-anchor="middle">over</text>'
            )
        out.append("</g>")
    lx, ly = float(_COST_LEFT), float(height - _COST_LEGEND + 6)
    unit = f"cost ({plan.currency})" if plan.currency else "cost"
    out.append(
        f'<rect x="{lx:.1f}" y="{ly:.1f}" width="14" height="12" fill="{_COST_BAR_COLOUR}"/>'
        f'<text class="legend" x="{lx + 18:.1f}" y="{ly + 10:.1f}">{e(unit)}</text>'
    )
    lx += 18 + 6.5 * len(unit) + 20
    if any(q.budget is not None for q in quarters):
        out.append(
            f'<line class="budget" x1="{lx:.1f}" x2="{lx + 16:.1f}" y1="{ly + 6:.1f}" '
            f'y2="{ly + 6:.1f}"/><text class="legend" x="{lx + 22:.1f}" y="{ly + 10:.1f}">'
            "budget for the quarter</text>"
        )
        lx += 22 + 6.5 * 22 + 20
    if any(q.over_budget for q in quarters):
        out.append(
            f'<rect x="{lx:.1f}" y="{ly:.1f}" width="14" height="12" fill="url(#{prefix}-over)" '
            f'stroke="{_OVER_COLOUR}"/><text class="legend" x="{lx + 18:.1f}" '
            f'y="{ly + 10:.1f}">over the cumulative budget</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))


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
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("derisk", "report/templates"),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm", "xml", "j2"),
            default_for_string=True,
            default=True,
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
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
