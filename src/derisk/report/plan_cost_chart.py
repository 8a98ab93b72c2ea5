"""The cost-per-quarter bar chart of a plan, as inline SVG, against its cumulative budget."""

from __future__ import annotations

import math

from markupsafe import Markup, escape

from derisk.report.plan_views import Plan, format_number

__all__ = ["compact_money", "cost_chart_top", "describe_cost", "render_cost_svg"]

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
