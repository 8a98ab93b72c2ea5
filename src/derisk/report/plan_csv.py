"""The CSV report of a plan: one row per job, safe to open in a spreadsheet.

Site names, record ids and vendor names come from the operator's inventory, so every cell goes
through :func:`~derisk.report.csv_report.safe_csv_cell` (a text cell that a spreadsheet would
run as a formula gets a leading single quote; numbers stay numbers). Lists (records, replaced
vendors, dependencies, rules) are joined with ``;`` into one cell, and the joined text is what
is checked, so a list whose first element starts with ``=`` is neutralised as a whole. A whole
number held as a float (``36.0`` items) is written as an integer.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from derisk.report.bulk import gc_paused
from derisk.report.csv_report import safe_csv_cell

__all__ = ["LIST_SEPARATOR", "PLAN_CSV_COLUMNS", "render_plan_csv", "render_scenario_csv"]

#: The header row, in order.
PLAN_CSV_COLUMNS: tuple[str, ...] = (
    "job_id",
    "site",
    "region",
    "domain",
    "records",
    "items",
    "replaces",
    "status",
    "deadline",
    "vendor",
    "vendor_name",
    "start",
    "end",
    "duration_weeks",
    "cost",
    "currency",
    "met",
    "days_late",
    "lead_time_weeks",
    "depends_on",
    "rule_ids",
)

#: Joins the elements of a list into one cell.
LIST_SEPARATOR = ";"


def _cell(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # the planner sums quantities as floats: 36.0 items is 36
    elif isinstance(value, list | tuple):
        value = LIST_SEPARATOR.join("" if item is None else str(item) for item in value)
    elif isinstance(value, Mapping):
        value = str(dict(value))
    return safe_csv_cell(value)


def _row(job: Mapping[str, Any], currency: object) -> list[str]:
    return [
        _cell(currency if column == "currency" else job.get(column)) for column in PLAN_CSV_COLUMNS
    ]


def _jobs(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    jobs = document.get("jobs")
    if not isinstance(jobs, list):
        return []
    return [job for job in jobs if isinstance(job, Mapping)]


def _writer(out: io.StringIO) -> Any:
    return csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")


def render_plan_csv(document: Mapping[str, Any]) -> str:
    """The CSV report of a ``derisk.plan/1`` document: a header row, then one row per job.

    Rows come in the document's order (by start, then job id). Lines end in ``\\r\\n`` as RFC
    4180 says; cells are quoted only when they need it. ``met`` is ``true``, ``false`` or
    empty (no deadline); ``currency`` repeats the plan's currency on every row.
    """
    with gc_paused():
        out = io.StringIO(newline="")
        writer = _writer(out)
        writer.writerow(PLAN_CSV_COLUMNS)
        currency = document.get("currency")
        writer.writerows(_row(job, currency) for job in _jobs(document))
        return out.getvalue()


def render_scenario_csv(document: Mapping[str, Any]) -> str:
    """The CSV report of a ``derisk.scenario/1`` document: the jobs of both plans.

    The first column, ``plan``, is ``baseline`` or ``scenario``; the others are those of
    :func:`render_plan_csv`. Baseline rows come first.
    """
    with gc_paused():
        out = io.StringIO(newline="")
        writer = _writer(out)
        writer.writerow(("plan", *PLAN_CSV_COLUMNS))
        for label, key in (("baseline", "baseline"), ("scenario", "scenario_plan")):
            plan = document.get(key)
            if not isinstance(plan, Mapping):
                continue
            currency = plan.get("currency")
            writer.writerows([label, *_row(job, currency)] for job in _jobs(plan))
        return out.getvalue()
