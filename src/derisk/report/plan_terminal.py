"""The terminal summary of a plan or scenario, printed with rich.

As in :mod:`derisk.report.terminal`, input text (site names, job and record ids, vendor names,
the shortfall sentences) only ever goes into rich ``Text`` objects, never into markup strings,
so a site called ``[bold red]x[/]`` prints literally; control and bidi-override characters are
shown as escapes (:func:`~derisk.report.terminal.printable`). Lateness is always written in
words ("late 30 days"); colour only repeats it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from derisk.report.document import plural
from derisk.report.plan_document import closest_met, deadline_risk, read_plan, read_scenario
from derisk.report.plan_views import (
    Plan,
    PlanJob,
    Scenario,
    format_days,
    format_money,
    format_number,
    format_signed,
)
from derisk.report.terminal import printable

__all__ = ["AT_RISK_ROWS", "print_plan_summary", "print_scenario_summary"]

#: How many jobs the "deadlines at risk" table lists (late ones first, then the closest met).
AT_RISK_ROWS = 10

#: How many job ids a scenario summary lists per kind (new, dropped, moved).
JOB_IDS_SHOWN = 10


def _t(text: str | None, style: str = "") -> Text:
    """A rich Text holding ``text`` literally (no markup is parsed)."""
    return Text(printable(text or ""), style=style)


def _solver_line(plan: Plan) -> Text:
    s = plan.solver
    line = Text.assemble(("solver ", "bold"), _t(s.name or "?"), " ", _t(s.status or "?", "bold"))
    if s.gap_text:
        line.append(f"  gap {s.gap_text}")
    if s.wall_s is not None:
        limit = f" of {format_number(s.time_limit_s)} s" if s.time_limit_s is not None else ""
        line.append(f"  {format_number(round(s.wall_s, 2))} s{limit}")
    if s.status == "feasible":
        line.append("  (time limit reached: may not be the best schedule)", "italic")
    return line


def _header(plan: Plan, title: str = "derisk plan") -> Text:
    header = Text.assemble(
        (title, "bold"),
        "  start ",
        _t(plan.start or "?", "bold"),
        "  currency ",
        _t(plan.currency or "?"),
        "  KB ",
        _t(plan.kb_version or "?"),
    )
    if plan.input_file:
        header.append("\ninput ")
        header.append(_t(plan.input_file, "bold"))
        if plan.input_records is not None:
            header.append(f"  {plural(plan.input_records, 'record')}")
        if plan.input_flagged is not None:
            header.append(f", {plan.input_flagged:,} flagged")
    header.append("\n")
    header.append_text(_solver_line(plan))
    return header


def _counts(plan: Plan) -> Text:
    s = plan.summary
    line = Text.assemble(
        ("Jobs: ", "bold"),
        f"{s.jobs:,} ({s.met:,} met, ",
        (f"{s.missed:,} missed", "bold red" if s.missed else ""),
    )
    if s.legal_overdue_jobs:
        line.append(f", {s.legal_overdue_jobs:,} legally overdue")
    if plan.undated_jobs:
        line.append(f", {plan.undated_jobs:,} without a deadline")
    line.append(")")
    line.append("   Days late: ", "bold")
    line.append(f"{s.missed_days:,}")
    if s.weighted_missed_days is not None:
        line.append(f" (weighted {format_number(s.weighted_missed_days)})")
    line.append("\nCost: ", "bold")
    line.append(_t(plan.money(s.cost, empty="?")))
    line.append("   Finish: ", "bold")
    line.append(_t(s.finish or "?"))
    return line


def _risk_note(job: PlanJob) -> Text:
    if job.outcome == "overdue":
        return Text(f"LATE {format_days(job.days_late)}, deadline passed before start", "bold red")
    if job.outcome == "missed":
        return Text(f"LATE {format_days(job.days_late)}", "bold red")
    slack = job.slack_days
    return Text("met" if slack is None else f"met, {format_days(slack)} to spare")


def _risk_table(plan: Plan) -> Table | None:
    late = deadline_risk(plan)
    shown = late[:AT_RISK_ROWS]
    shown += closest_met(plan, AT_RISK_ROWS - len(shown))
    if not shown:
        return None
    table = Table(
        title=f"Deadlines at risk ({len(late):,} late)",
        box=box.SIMPLE_HEAD,
        title_justify="left",
        caption=(
            "late jobs first (by weight × days late; legally overdue ones after them), "
            "then those met with the least time to spare"
        ),
        caption_justify="left",
    )
    table.add_column("Job", overflow="fold")
    table.add_column("Deadline", no_wrap=True)
    table.add_column("Ends", no_wrap=True)
    table.add_column("Weight×days", justify="right")
    table.add_column("Outcome", overflow="fold")
    for job in shown:
        table.add_row(
            _t(job.job_id),
            _t(job.deadline or ""),
            _t(job.end),
            format_number(job.weighted_late) if job.missed else "",
            _risk_note(job),
        )
    return table


def _amount(plan: Plan, value: float | None, *, empty: str = "") -> str:
    """An amount without the currency (the table's title names it)."""
    return format_money(value, "", empty=empty)


def _quarter_table(plan: Plan, title: str = "Cost by quarter") -> Table:
    if plan.currency:
        title += f" ({printable(plan.currency)})"
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("Quarter", no_wrap=True)
    table.add_column("Jobs", justify="right", no_wrap=True)
    table.add_column("Cost", justify="right", no_wrap=True)
    table.add_column("Budget", justify="right", no_wrap=True)
    table.add_column("Cumulative", justify="right", no_wrap=True)
    table.add_column("Cum. budget", justify="right", no_wrap=True)
    for q in plan.by_quarter:
        over = q.over_budget
        table.add_row(
            _t(q.quarter),
            format_number(q.jobs),
            _t(_amount(plan, q.cost), "bold red" if over else ""),
            _amount(plan, q.budget, empty="no limit"),
            _t(
                _amount(plan, q.cumulative_cost) + (" OVER" if over else ""),
                "bold red" if over else "",
            ),
            _amount(plan, q.cumulative_budget, empty="no limit"),
        )
    return table


def _shortfalls(plan: Plan) -> Text | None:
    s = plan.shortfalls
    lines = list(s.text)
    if not lines:
        lines += [
            f"{u.job_id}: deadline {u.deadline} cannot be met ({u.reason})" for u in s.unmeetable
        ]
        lines += [f"{format_number(c.crews)} extra crew(s) in {c.region}" for c in s.extra_crews]
        lines += [f"{plan.money(b.amount)} extra in {b.quarter}" for b in s.extra_budget]
    if not lines and s.complete is not False:
        return None
    text = Text("Shortfalls", "bold")
    for line in lines:
        text.append("\n  • ")
        text.append_text(_t(line))
    if s.complete is False:
        text.append("\n  (the extra-capacity search stopped at its time limit)", "italic")
    return text


def _heuristic(plan: Plan) -> Text | None:
    h = plan.heuristic
    if h is None:
        return None
    return Text.assemble(
        ("Heuristic ", "bold"),
        _t(h.name, "bold"),
        (": ", "bold"),
        f"{format_number(h.missed_jobs, empty='?')} missed, "
        f"{format_number(h.missed_days, empty='?')} days late "
        f"(weighted {format_number(h.weighted_missed_days, empty='?')}), ",
        _t(plan.money(h.cost, empty="?")),
    )


def print_plan_summary(document: Mapping[str, Any], console: Console) -> None:
    """Print the summary of a ``derisk.plan/1`` document to ``console``."""
    plan = read_plan(document)
    console.print(_header(plan))
    console.print(_counts(plan))
    risk = _risk_table(plan)
    if risk is not None:
        console.print(risk)
    shortfalls = _shortfalls(plan)
    if shortfalls is not None:
        console.print(shortfalls)
    if plan.by_quarter:
        console.print(_quarter_table(plan))
    heuristic = _heuristic(plan)
    if heuristic is not None:
        console.print(heuristic)
    if plan.not_planned:
        console.print(
            Text(
                f"{plural(len(plan.not_planned), 'flagged record')} not planned; "
                "see the full report.",
                "italic",
            )
        )


# --- scenario -------------------------------------------------------------------------------


def _difference_table(scenario: Scenario) -> Table:
    b, s, d = scenario.baseline.summary, scenario.plan.summary, scenario.difference
    currency = scenario.plan.currency or scenario.baseline.currency
    table = Table(title="Scenario minus baseline", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("Measure")
    table.add_column("Baseline", justify="right")
    table.add_column("Scenario", justify="right")
    table.add_column("Difference", justify="right")
    rows: list[tuple[str, str, str, str]] = [
        ("Jobs", f"{b.jobs:,}", f"{s.jobs:,}", format_signed(d.jobs)),
        ("Jobs late", f"{b.missed:,}", f"{s.missed:,}", format_signed(d.missed_jobs)),
        ("Days late", f"{b.missed_days:,}", f"{s.missed_days:,}", format_signed(d.missed_days)),
        (
            "Weighted days late",
            format_number(b.weighted_missed_days),
            format_number(s.weighted_missed_days),
            format_signed(d.weighted_missed_days),
        ),
        (
            "Cost",
            format_money(b.cost, currency),
            format_money(s.cost, currency),
            format_signed(d.cost, currency),
        ),
        ("Finish", b.finish, s.finish, d.finish),
    ]
    for name, old, new, diff in rows:
        table.add_row(name, _t(old), _t(new), _t(diff))
    return table


def _job_ids(label: str, ids: tuple[str, ...]) -> Text:
    text = Text.assemble((f"{label}: ", "bold"), f"{len(ids):,}")
    if ids:
        text.append("  ")
        text.append_text(_t(", ".join(ids[:JOB_IDS_SHOWN])))
        if len(ids) > JOB_IDS_SHOWN:
            text.append(f" … and {len(ids) - JOB_IDS_SHOWN:,} more")
    return text


def _quarter_comparison(scenario: Scenario) -> Table:
    currency = scenario.plan.currency or scenario.baseline.currency
    old = {q.quarter: q.cost for q in scenario.baseline.by_quarter}
    new = {q.quarter: q.cost for q in scenario.plan.by_quarter}
    title = "Cost by quarter" + (f" ({printable(currency)})" if currency else "")
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("Quarter", no_wrap=True)
    table.add_column("Baseline", justify="right", no_wrap=True)
    table.add_column("Scenario", justify="right", no_wrap=True)
    table.add_column("Difference", justify="right", no_wrap=True)
    for quarter in sorted(set(old) | set(new)):
        before, after = old.get(quarter), new.get(quarter)
        table.add_row(
            _t(quarter),
            format_money(before, ""),
            format_money(after, ""),
            format_signed((after or 0.0) - (before or 0.0)),
        )
    return table


def print_scenario_summary(document: Mapping[str, Any], console: Console) -> None:
    """Print the summary of a ``derisk.scenario/1`` document to ``console``."""
    scenario = read_scenario(document)
    header = Text.assemble(("derisk scenario ", "bold"), _t(scenario.name or "?", "bold"))
    if scenario.file:
        header.append("  file ")
        header.append_text(_t(scenario.file))
    header.append("  KB ")
    header.append_text(_t(scenario.kb_version or "?"))
    header.append(" → ")
    header.append_text(_t(scenario.scenario_kb_version or "?"))
    if scenario.description:
        header.append("\n")
        header.append_text(_t(scenario.description, "italic"))
    for change in scenario.changes:
        header.append("\n  • ")
        if change.kind:
            header.append_text(_t(change.kind + ": ", "dim"))
        header.append_text(_t(change.summary))
    console.print(header)
    console.print(_difference_table(scenario))
    d = scenario.difference
    console.print(_job_ids("New jobs", d.new_jobs))
    console.print(_job_ids("Dropped jobs", d.dropped_jobs))
    console.print(_job_ids("Moved jobs", d.moved_jobs))
    console.print(
        Text.assemble(
            ("Findings: ", "bold"),
            f"{len(scenario.new_findings):,} new, {len(scenario.resolved_findings):,} gone",
        )
    )
    if scenario.baseline.by_quarter or scenario.plan.by_quarter:
        console.print(_quarter_comparison(scenario))
    risk = _risk_table(scenario.plan)
    if risk is not None:
        risk.title = f"Scenario plan: {risk.title}"
        console.print(risk)
    shortfalls = _shortfalls(scenario.plan)
    if shortfalls is not None:
        console.print(shortfalls)
