"""The plan's time grid: weeks from a Monday, with the crews, blackouts and budgets per week.

Work is scheduled in whole weeks. Week ``w`` runs from ``start + 7w`` to ``start + 7w + 6``;
a job of ``d`` weeks starting in week ``s`` ends on day ``start + 7(s + d) - 1``. A week is
in the month and quarter of its Monday. A blackout takes out every week it touches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from derisk.errors import DeriskError, ErrorCode
from derisk.plan.model import Resources

__all__ = ["Calendar", "monday_on_or_after", "quarter_of"]


def monday_on_or_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7)


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


@dataclass
class Calendar:
    start: date  # a Monday
    weeks: int
    resources: Resources
    extra_crews: dict[str, int] = field(default_factory=dict)  # what-if crews per region
    _blocked: dict[str, set[int]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, start: date, resources: Resources) -> Calendar:
        weeks = resources.horizon_weeks()
        try:
            monday = monday_on_or_after(start)
            monday + timedelta(days=7 * weeks + 31)  # the last day any job could end
        except OverflowError:
            raise DeriskError(
                ErrorCode.ARGUMENT_INVALID,
                f"the plan cannot start on {start}: its {resources.horizon_months}-month horizon "
                "runs past the year 9999",
            ) from None
        return cls(monday, weeks, resources)

    @property
    def horizon_end(self) -> date:
        return self.day(self.weeks) - timedelta(days=1)

    def day(self, week: int) -> date:
        return self.start + timedelta(days=7 * week)

    def end_day(self, start_week: int, duration: int) -> date:
        return self.day(start_week + duration) - timedelta(days=1)

    def days_from_start(self, day: date) -> int:
        return (day - self.start).days

    def month(self, week: int) -> str:
        return self.day(week).strftime("%Y-%m")

    def quarter(self, week: int) -> str:
        return quarter_of(self.day(week))

    def quarters(self) -> list[tuple[str, int, int]]:
        """(quarter, first week, last week) over the horizon, in order."""
        out: list[tuple[str, int, int]] = []
        for w in range(self.weeks):
            q = self.quarter(w)
            if out and out[-1][0] == q:
                out[-1] = (q, out[-1][1], w)
            else:
                out.append((q, w, w))
        return out

    def crews(self, region: str, week: int) -> int:
        """Crews in ``region`` during ``week``: 0 in a blackout."""
        if week in self.blocked(region):
            return 0
        c = self.resources.crews
        month = self.month(week)
        by_region = c.region_months.get(region, {})
        if month in by_region:
            base = by_region[month]
        elif month in c.months:
            base = c.months[month]
        else:
            base = c.regions.get(region, c.default)
        return base + self.extra_crews.get(region, 0)

    def blocked(self, region: str) -> set[int]:
        """Weeks a blackout touches in ``region``."""
        if region not in self._blocked:
            weeks: set[int] = set()
            for b in self.resources.blackouts:
                if b.regions and region not in b.regions:
                    continue
                first = max(0, (b.start - self.start).days // 7)
                last = min(self.weeks - 1, (b.end - self.start).days // 7)
                weeks.update(range(first, last + 1))
            self._blocked[region] = weeks
        return self._blocked[region]

    def budget(self) -> dict[str, float] | None:
        """Money per quarter, or None when the budget is unlimited."""
        b = self.resources.budget
        if b.per_quarter is None and not b.quarters:
            return None
        return {q: b.quarters.get(q, b.per_quarter or 0.0) for q, _, _ in self.quarters()}
