"""``derisk plan`` and ``derisk scenario``: remediation schedules and what-if comparisons."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from derisk.cli.common import err_console, handle_errors, open_kb, parse_date
from derisk.errors import DeriskError, ErrorCode
from derisk.kb.decisions import active_decisions
from derisk.kb.knowledge import KnowledgeBase
from derisk.kb.model import Sector
from derisk.plan.compare import scenario_document
from derisk.plan.costs import load_cost_model
from derisk.plan.inputs import load_resources, read_findings, screen_inventory
from derisk.plan.run import PlanInput, make_plan
from derisk.plan.scenario import apply_scenario, load_scenario
from derisk.profile import Profile, load_profile
from derisk.report import (
    print_plan_summary,
    print_scenario_summary,
    write_plan_report,
)
from derisk.resolve.index import NameIndex
from derisk.resolve.keystore import cached_index

__all__ = ["plan", "scenario"]


class PlanFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    HTML = "html"


_PROFILE_HELP = "Country the organisation operates in (ISO alpha-2; repeat)."


def _options(
    resources: Path | None, crews: int | None, budget: float | None, costs: Path | None
) -> tuple[Any, Any]:
    res = load_resources(resources, {"crews": crews, "budget": budget})
    return res, load_cost_model(res.currency, res.fx, costs)


def _profile(
    profile: Path | None, country: list[str], sector: Sector | None, as_of: str | None
) -> tuple[Profile, date]:
    org, profile_as_of = load_profile(profile, {"countries": country or None, "sector": sector})
    return org, parse_date(as_of, "--as-of") or profile_as_of or date.today()


def _emit(document: dict[str, Any], fmt: PlanFormat, output: Path | None, scenario: bool) -> None:
    if fmt is PlanFormat.TABLE:
        if output is not None:
            raise DeriskError(
                ErrorCode.ARGUMENT_INVALID, "--output needs --format json, csv or html"
            )
        console = Console(highlight=False)
        (print_scenario_summary if scenario else print_plan_summary)(document, console)
        return
    write_plan_report(document, fmt.value, output)
    if output is not None:
        err_console.print(f"wrote {fmt.value} plan to {output}", markup=False)


def _from_findings(path: Path, inventory: Path | None, kb: KnowledgeBase) -> PlanInput:
    document, records, org = read_findings(path, inventory)
    if document.get("kb_version") != kb.version:
        err_console.print(
            f"note: the findings were screened with knowledge base {document.get('kb_version')}; "
            f"they are planned as they are (the current one is {kb.version})",
            markup=False,
        )
    return PlanInput(
        records=records.to_pylist(),
        findings=document["findings"],
        kb=kb,
        profile=org,
        as_of=date.fromisoformat(document["as_of"]),
        input_info={"file": str(path), "records": len(records)},
    )


@handle_errors
def plan(
    inventory: Path | None = typer.Argument(None, help="Inventory file (or give --findings)."),
    findings: Path | None = typer.Option(
        None, "--findings", help="A saved screening document (derisk screen --format json)."
    ),
    inventory_for_findings: Path | None = typer.Option(
        None, "--inventory", help="With --findings: the inventory it was screened from."
    ),
    country: list[str] = typer.Option([], "--country", "-c", help=_PROFILE_HELP),
    sector: Sector | None = typer.Option(None, "--sector", "-s", help="Organisation's sector."),
    profile: Path | None = typer.Option(None, "--profile", "-p", help="YAML profile."),
    as_of: str | None = typer.Option(None, "--as-of", help="Screen as of this date."),
    start: str | None = typer.Option(None, "--start", help="First day of work (default: as-of)."),
    resources: Path | None = typer.Option(
        None, "--resources", "-r", help="Resources YAML: crews, budget, blackouts, lead times."
    ),
    crews: int | None = typer.Option(None, "--crews", help="Crews per month in every region."),
    budget: float | None = typer.Option(None, "--budget-per-quarter", help="Money per quarter."),
    costs: Path | None = typer.Option(None, "--costs", help="Your own cost figures (YAML)."),
    time_limit: float = typer.Option(30.0, "--time-limit", help="Seconds for the optimiser."),
    workers: int = typer.Option(2, "--workers", help="Optimiser threads."),
    compare: bool = typer.Option(False, "--compare", help="Also score an EDF heuristic plan."),
    fmt: PlanFormat = typer.Option(PlanFormat.TABLE, "--format", "-f", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the plan here."),
    db: Path | None = typer.Option(None, "--db", help="Knowledge-base store."),
) -> None:
    """Schedule the replacement of restricted equipment within crews, budget and deadlines."""
    if (inventory is None) == (findings is None):
        raise DeriskError(ErrorCode.ARGUMENT_INVALID, "give an INVENTORY or --findings FILE")
    res, cost_model = _options(resources, crews, budget, costs)
    store, kb = open_kb(db)
    if findings is not None:
        inp = _from_findings(findings, inventory_for_findings, kb)
    else:
        assert inventory is not None
        org, as_of_date = _profile(profile, country, sector, as_of)
        with store:
            decisions = active_decisions(store)
            index = cached_index(store, kb)
        screened = screen_inventory(
            inventory, kb, org, as_of_date, decisions=decisions, index=index
        )
        inp = screened.plan_input(kb, org, as_of_date)
    when = inp.as_of
    first = parse_date(start, "--start") or res.start or when
    document = make_plan(
        inp, res, cost_model, start=first, time_limit=time_limit, workers=workers, compare=compare
    )
    _emit(document, fmt, output, scenario=False)


@handle_errors
def scenario(
    scenario_file: Path = typer.Argument(..., help="Scenario YAML (hypothetical changes)."),
    inventory: Path = typer.Argument(..., help="Inventory file."),
    country: list[str] = typer.Option([], "--country", "-c", help=_PROFILE_HELP),
    sector: Sector | None = typer.Option(None, "--sector", "-s", help="Organisation's sector."),
    profile: Path | None = typer.Option(None, "--profile", "-p", help="YAML profile."),
    as_of: str | None = typer.Option(None, "--as-of", help="Screen as of this date."),
    start: str | None = typer.Option(None, "--start", help="First day of work (default: as-of)."),
    resources: Path | None = typer.Option(None, "--resources", "-r", help="Resources YAML."),
    crews: int | None = typer.Option(None, "--crews", help="Crews per month in every region."),
    budget: float | None = typer.Option(None, "--budget-per-quarter", help="Money per quarter."),
    costs: Path | None = typer.Option(None, "--costs", help="Your own cost figures (YAML)."),
    time_limit: float = typer.Option(30.0, "--time-limit", help="Seconds per plan."),
    workers: int = typer.Option(2, "--workers", help="Optimiser threads."),
    fmt: PlanFormat = typer.Option(PlanFormat.TABLE, "--format", "-f", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the report here."),
    db: Path | None = typer.Option(None, "--db", help="Knowledge-base store."),
) -> None:
    """Re-screen and re-plan under hypothetical changes; report the difference."""
    what_if = load_scenario(scenario_file)
    res, cost_model = _options(resources, crews, budget, costs)
    org, when = _profile(profile, country, sector, as_of)
    store, kb = open_kb(db)
    with store:
        decisions = active_decisions(store)
        index = cached_index(store, kb)
    changed = apply_scenario(kb, what_if)  # in memory; the store is never written
    base = screen_inventory(inventory, kb, org, when, decisions=decisions, index=index)
    other = screen_inventory(
        inventory,
        changed,
        org,
        when,
        decisions=decisions,
        index=NameIndex(changed.entities.values()),
        records=base.records,
    )
    first = parse_date(start, "--start") or res.start or when
    plans = [
        make_plan(
            s.plan_input(k, org, when),
            res,
            cost_model,
            start=first,
            time_limit=time_limit,
            workers=workers,
        )
        for s, k in ((base, kb), (other, changed))
    ]
    document = scenario_document(
        what_if, scenario_file, kb, changed, base.document, other.document, plans[0], plans[1]
    )
    _emit(document, fmt, output, scenario=True)
