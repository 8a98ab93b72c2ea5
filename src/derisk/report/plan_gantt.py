"""The Gantt chart of a plan's schedule: rows built from the plan's jobs, drawn as inline SVG.

Every piece of text placed in the chart (site names, job ids: inventory text) goes through
:func:`markupsafe.escape`, attribute values included.

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

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape

from derisk.report.document import plural
from derisk.report.plan_views import Plan, PlanJob, format_days

__all__ = [
    "GANTT_LEFT",
    "GANTT_PLOT_WIDTH",
    "MAX_GANTT_ROWS",
    "OUTCOME_COLOURS",
    "Gantt",
    "GanttRow",
    "build_gantt",
    "describe_gantt",
    "render_gantt_svg",
]

#: At most this many rows in the Gantt chart; more jobs are aggregated per site, then region.
MAX_GANTT_ROWS = 60

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
