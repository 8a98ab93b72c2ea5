"""The deadline chart of the HTML report: an inline SVG bar chart, drawn in Python.

Findings with a deadline are counted per bucket: per date when there are few distinct
deadlines, else per quarter, else per year. Each bar is stacked by status (most severe at the
bottom); overdue findings are drawn hatched and labelled in words under the bar, so the chart
reads without colour. The SVG carries a ``<title>`` and ``<desc>`` for screen readers, and the
report shows the same numbers as a table.

Everything placed in the SVG is escaped, although only dates and counts derisk computed
itself ever reach it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from markupsafe import Markup, escape

from derisk.report.document import Finding, parse_date, plural, severity_rank, status_label

__all__ = [
    "STATUS_COLOURS",
    "Bucket",
    "DeadlineChart",
    "build_chart",
    "describe",
    "render_svg",
]

#: Fill colour per status; each has at least 3:1 contrast with the white background.
STATUS_COLOURS: dict[str, str] = {
    "prohibited": "#6b0f1a",
    "overdue": "#b3261e",
    "remove_by": "#9a4a00",
    "license_required": "#5b3f9e",
    "restricted": "#1f5fa8",
    "listed": "#5f6b7a",
}
_OTHER_COLOUR = "#3d3d3d"

#: At most this many distinct dates are shown one bar each; beyond, quarters, then years.
MAX_DATE_BARS = 12
MAX_QUARTER_BARS = 24


@dataclass(slots=True)
class Bucket:
    """One bar: the findings whose deadline falls in one date, quarter or year."""

    key: str
    label: str
    start: date
    end: date  # inclusive
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def overdue(self) -> int:
        return self.by_status.get("overdue", 0)

    def segments(self) -> list[tuple[str, int]]:
        """(status, count) from the most severe, the bottom of the bar."""
        return sorted(self.by_status.items(), key=lambda item: (severity_rank(item[0]), item[0]))


@dataclass(frozen=True, slots=True)
class DeadlineChart:
    """The chart's data: buckets in date order, their granularity, and what was left out."""

    buckets: tuple[Bucket, ...]
    granularity: str  # "date", "quarter" or "year"
    undated: int  # findings without a (valid) deadline

    @property
    def statuses(self) -> list[str]:
        """The statuses present in the chart, most severe first."""
        present = {status for bucket in self.buckets for status in bucket.by_status}
        return sorted(present, key=lambda s: (severity_rank(s), s))


def _quarter(day: date) -> tuple[str, str, date, date]:
    q = (day.month - 1) // 3 + 1
    start = date(day.year, 3 * q - 2, 1)
    end = date(day.year + 1, 1, 1) if q == 4 else date(day.year, 3 * q + 1, 1)
    return f"{day.year}-Q{q}", f"{day.year} Q{q}", start, end - timedelta(days=1)


def build_chart(findings: Iterable[Finding]) -> DeadlineChart:
    """Count the findings per deadline bucket."""
    per_day: dict[date, dict[str, int]] = {}
    undated = 0
    for finding in findings:
        day = parse_date(finding.deadline)
        if day is None:
            undated += 1
            continue
        counts = per_day.setdefault(day, {})
        counts[finding.status] = counts.get(finding.status, 0) + 1

    granularity = "date"
    keyed: dict[str, Bucket] = {}
    quarters = {_quarter(day)[0] for day in per_day}
    if len(per_day) > MAX_DATE_BARS:
        granularity = "quarter" if len(quarters) <= MAX_QUARTER_BARS else "year"
    for day, counts in per_day.items():
        if granularity == "date":
            key = label = day.isoformat()
            start = end = day
        elif granularity == "quarter":
            key, label, start, end = _quarter(day)
        else:
            key = label = str(day.year)
            start, end = date(day.year, 1, 1), date(day.year, 12, 31)
        bucket = keyed.setdefault(key, Bucket(key=key, label=label, start=start, end=end))
        for status, count in counts.items():
            bucket.by_status[status] = bucket.by_status.get(status, 0) + count
    buckets = tuple(sorted(keyed.values(), key=lambda b: b.start))
    return DeadlineChart(buckets=buckets, granularity=granularity, undated=undated)


# --- drawing --------------------------------------------------------------------------------

_LEFT, _RIGHT, _TOP = 56, 16, 36
_PLOT_HEIGHT = 200
_BAR_STEP, _BAR_WIDTH = 72, 40
_BOTTOM = 64
_LEGEND_HEIGHT = 28


def _nice_max(value: int) -> int:
    """The axis maximum: ``value`` rounded up to 1, 2, 2.5 or 5 times a power of ten."""
    if value <= 5:
        return max(value, 1)
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = int(step * magnitude)
        if top >= value:
            return top
    return value  # not reached


def _bar_title(bucket: Bucket) -> str:
    parts = ", ".join(f"{count:,} {status_label(s)}" for s, count in bucket.segments())
    return f"{bucket.label}: {plural(bucket.total, 'finding')} ({parts})"


def describe(chart: DeadlineChart) -> str:
    """A one-paragraph text description of the chart, for its ``<desc>``."""
    if not chart.buckets:
        return "No finding has a deadline."
    unit = {"date": "deadline date", "quarter": "quarter", "year": "year"}[chart.granularity]
    bars = "; ".join(_bar_title(b) for b in chart.buckets)
    tail = (
        f" {plural(chart.undated, 'finding')} without a deadline not shown."
        if chart.undated
        else ""
    )
    return f"Findings per {unit}. {bars}.{tail}"


def _colour(status: str) -> str:
    return STATUS_COLOURS.get(status, _OTHER_COLOUR)


def _fill(status: str) -> str:
    return "url(#dr-hatch)" if status == "overdue" else _colour(status)


def _legend_step(label: str) -> float:
    """Room for one legend entry: swatch, gap, text (about 7.5 px a character), spacing."""
    return 16 + 7.5 * len(label) + 18


def _as_of_x(chart: DeadlineChart, as_of: date) -> float | None:
    """Where the as-of date falls on the x axis: through the bar that contains it, else
    between the last bar before it and the first after it; None when all bars lie on one side.
    """
    for index, bucket in enumerate(chart.buckets):
        if bucket.start <= as_of <= bucket.end:
            return _LEFT + (index + 0.5) * _BAR_STEP
        if bucket.start > as_of:
            return None if index == 0 else float(_LEFT + index * _BAR_STEP)
    return None


def render_svg(
    chart: DeadlineChart, as_of: date | None = None, *, title: str = "Findings by deadline"
) -> Markup:
    """The chart as an inline ``<svg>`` element (empty markup when nothing has a deadline).

    With ``as_of``, a dashed line marks the as-of date when it falls among the bars.
    """
    if not chart.buckets:
        return Markup("")
    legend = [(status, status_label(status)) for status in chart.statuses]
    legend_width = sum(_legend_step(label) for _, label in legend)
    count = len(chart.buckets)
    width = max(_LEFT + count * _BAR_STEP + _RIGHT, _LEFT + legend_width + _RIGHT, 320)
    height = _TOP + _PLOT_HEIGHT + _BOTTOM + _LEGEND_HEIGHT
    top = _nice_max(max(b.total for b in chart.buckets))
    base = _TOP + _PLOT_HEIGHT
    e = escape
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="dr-chart-title dr-chart-desc">',
        f'<title id="dr-chart-title">{e(title)}</title>',
        f'<desc id="dr-chart-desc">{e(describe(chart))}</desc>',
        '<defs><pattern id="dr-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{STATUS_COLOURS["overdue"]}"/>'
        '<rect width="2" height="6" fill="#ffffff"/></pattern></defs>',
    ]
    # Axis and grid lines at 0, half and full scale.
    for fraction in (0.0, 0.5, 1.0):
        y = base - fraction * _PLOT_HEIGHT
        value = top * fraction
        tick = f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
        out.append(
            f'<line class="grid" x1="{_LEFT}" x2="{width - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    for index, bucket in enumerate(chart.buckets):
        x = _LEFT + index * _BAR_STEP + (_BAR_STEP - _BAR_WIDTH) / 2
        centre = x + _BAR_WIDTH / 2
        out.append(
            f'<g class="bar" data-bucket="{e(bucket.key)}" data-count="{bucket.total}" '
            f'data-overdue="{bucket.overdue}"><title>{e(_bar_title(bucket))}</title>'
        )
        y = float(base)
        for status, n in bucket.segments():
            h = n / top * _PLOT_HEIGHT
            y -= h
            out.append(
                f'<rect class="seg" data-status="{e(status)}" data-count="{n}" x="{x:.1f}" '
                f'y="{y:.1f}" width="{_BAR_WIDTH}" height="{h:.1f}" fill="{e(_fill(status))}" '
                f'stroke="{e(_colour(status))}"/>'
            )
        out.append(
            f'<text class="value" x="{centre:.1f}" y="{y - 6:.1f}" '
            f'text-anchor="middle">{bucket.total:,}</text>'
            f'<text class="label" x="{centre:.1f}" y="{base + 18}" '
            f'text-anchor="middle">{e(bucket.label)}</text>'
        )
        if bucket.overdue:
            out.append(
                f'<text class="overdue-label" x="{centre:.1f}" y="{base + 36}" '
                f'text-anchor="middle">{bucket.overdue:,} overdue</text>'
            )
        out.append("</g>")
    marker = _as_of_x(chart, as_of) if as_of is not None else None
    if marker is not None:
        anchor = "end" if marker > width / 2 else "start"
        shift = -4 if anchor == "end" else 4
        out.append(
            f'<g class="as-of"><line x1="{marker:.1f}" x2="{marker:.1f}" y1="4" y2="{base}" '
            f'stroke="#1a1a1a" stroke-width="1.5" stroke-dasharray="5 4"/>'
            f'<text class="legend" x="{marker + shift:.1f}" y="14" text-anchor="{anchor}">'
            f"as of {e(str(as_of))}</text></g>"
        )
    # Legend: a swatch and the status in words.
    lx, ly = float(_LEFT), float(height - _LEGEND_HEIGHT + 8)
    for status, label in legend:
        out.append(
            f'<rect x="{lx:.1f}" y="{ly:.1f}" width="12" height="12" fill="{e(_fill(status))}" '
            f'stroke="{e(_colour(status))}"/><text class="legend" x="{lx + 16:.1f}" '
            f'y="{ly + 10:.1f}">{e(label)}</text>'
        )
        lx += _legend_step(label)
    out.append("</svg>")
    return Markup("".join(out))
