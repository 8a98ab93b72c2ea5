"""``derisk screen``: the main job."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from derisk.classify.catalogue import load_catalogue
from derisk.classify.controls import load_controls
from derisk.cli.common import err_console, handle_errors, open_kb, parse_date
from derisk.errors import DeriskError, ErrorCode
from derisk.evaluate.rules import STATUSES, severity
from derisk.inventory import read_inventory
from derisk.kb.decisions import active_decisions
from derisk.kb.model import Dealing, Sector
from derisk.kb.snapshots import load_snapshot
from derisk.orders import read_orders
from derisk.profile import load_profile
from derisk.report import print_summary, write_report
from derisk.resolve.keystore import cached_index
from derisk.screening.document import build_document
from derisk.screening.exporter import screen_orders
from derisk.screening.pipeline import ScreenContext, screen_table
from derisk.screening.since import compare_findings, with_since

__all__ = ["screen"]

PROGRESS_MIN_ROWS = 20_000
PROGRESS_MIN_LINES = 5_000  # order lines are classified one by one: slower per line


@contextmanager
def _progress(total: int, show: bool) -> Iterator[Callable[[int], None]]:
    """A transient progress bar on standard error; the callable advances it."""
    with Progress(
        TextColumn("screening"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not show,
    ) as bar:
        task = bar.add_task("screen", total=total)
        yield lambda n: bar.advance(task, n)


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    HTML = "html"


@handle_errors
def screen(
    inventory: Path = typer.Argument(
        ..., help="Inventory file: CSV/TSV, XLSX or JSON lines.", show_default=False
    ),
    country: list[str] = typer.Option(
        [], "--country", "-c", help="Country the organisation operates in (ISO alpha-2; repeat)."
    ),
    sector: Sector | None = typer.Option(None, "--sector", "-s", help="Organisation's sector."),
    profile: Path | None = typer.Option(
        None, "--profile", "-p", help="YAML profile (countries, sector, attributes)."
    ),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Evaluate every rule as of this date (YYYY-MM-DD). Default: today."
    ),
    fmt: OutputFormat = typer.Option(
        OutputFormat.TABLE, "--format", "-f", help="Terminal summary, or a report format."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the report here (default: standard output)."
    ),
    db: Path | None = typer.Option(
        None, "--db", help="Knowledge-base store (default: $DERISK_DB or the user data dir)."
    ),
    encoding: str | None = typer.Option(
        None, "--encoding", help="Force the input's text encoding (e.g. gb18030, cp1252)."
    ),
    sheet: str | None = typer.Option(None, "--sheet", help="XLSX sheet (default: the first)."),
    listed: bool = typer.Option(
        True, "--listed/--no-listed", help="Include 'listed' (informational) findings."
    ),
    fail_on: str | None = typer.Option(
        None,
        "--fail-on",
        help="Exit with status 1 if any finding is at least this severe (e.g. remove_by).",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    since: str | None = typer.Option(
        None,
        "--since",
        help="Report only findings new since this knowledge-base version (see 'derisk kb "
        "versions'); prefixes accepted.",
    ),
) -> None:
    """Screen an inventory against every regime that binds your organisation."""
    as_of_date = parse_date(as_of, "--as-of")
    if fail_on is not None and fail_on not in STATUSES:
        raise DeriskError(
            ErrorCode.ARGUMENT_INVALID, f"--fail-on must be one of {', '.join(STATUSES)}"
        )
    overrides: dict[str, Any] = {"countries": country or None, "sector": sector}
    if not listed:
        overrides["include_listed"] = False
    org, profile_as_of = load_profile(profile, overrides)
    when = as_of_date or profile_as_of or date.today()
    exporter = org.sector is Sector.EXPORTER
    if exporter:
        book = read_orders(inventory, encoding=encoding, sheet=sheet)
        table, read_as = book.table, (book.format, book.encoding, book.columns)
    else:
        inv = read_inventory(inventory, encoding=encoding, sheet=sheet)
        table, read_as = inv.table, (inv.format, inv.encoding, inv.columns)
    store, kb = open_kb(db)
    with store:
        old_kb = load_snapshot(store, since) if since is not None else None
        decisions = active_decisions(store)
        index = cached_index(store, kb)
    for orphan in decisions.orphans(kb):
        err_console.print(
            f"warning: the decision on '{orphan.input_name}' names entity "
            f"'{orphan.entity_id}', which this knowledge base no longer has; it is not applied",
            markup=False,
        )
    dealing = Dealing.SELL if exporter else Dealing.BUY
    ctx = ScreenContext.build(kb, org, when, decisions, index, dealing)
    lines: list[dict[str, Any]] | None = None
    passes = 1 if old_kb is None else 2
    minimum = PROGRESS_MIN_LINES if exporter else PROGRESS_MIN_ROWS
    show = not quiet and len(table) >= minimum and err_console.is_terminal
    with _progress(len(table) * passes, show) as advance:
        if exporter:
            controls, catalogue = load_controls(), load_catalogue()
            export = screen_orders(table, ctx, controls, catalogue, progress=advance)
            records, findings, lines = export.records, export.findings, export.lines
            if old_kb is not None:
                old_ctx = ScreenContext.build(old_kb, org, when, dealing=dealing)
                old = screen_orders(table, old_ctx, controls, catalogue, progress=advance)
                compared = compare_findings(old.findings, findings)
                findings = compared.new
        else:
            records = table
            findings = screen_table(records, ctx, progress=advance)
            if old_kb is not None:
                old_ctx = ScreenContext.build(old_kb, org, when)
                before = screen_table(records, old_ctx, progress=advance)
                compared = compare_findings(before, findings)
                findings = compared.new
    if exporter and export.unclassified and not quiet:
        err_console.print(
            f"note: {export.unclassified} of {len(records)} order lines name a product "
            "that is not in the chip catalogue and give no figures; only the end-user "
            "checks were applied to them (see 'derisk classify --list')",
            markup=False,
        )
    document = build_document(
        findings=findings,
        records=records,
        kb=kb,
        profile=org,
        as_of=when,
        input_info={
            "file": str(inventory),
            "format": read_as[0],
            "encoding": read_as[1],
            "records": len(records),
            "columns": read_as[2],
        },
        dismissed=ctx.resolver.dismissed,
        review=ctx.resolver.review,
    )
    if lines is not None:
        document["exports"] = lines
    if old_kb is not None:
        document = with_since(document, compared.block(old_kb.version))
    if fmt is OutputFormat.TABLE:
        if output is not None:
            raise DeriskError(
                ErrorCode.ARGUMENT_INVALID, "--output needs --format json, csv or html"
            )
        console = Console(highlight=False)
        if old_kb is not None:
            n = document["since"]
            console.print(
                f"Since knowledge-base version {n['version']}: {n['new']} new findings, "
                f"{n['resolved']} resolved ({n['findings_before']} findings before).",
                markup=False,
            )
        print_summary(document, console)
    else:
        write_report(document, fmt.value, output)
        if output is not None and not quiet:
            err_console.print(
                f"wrote {fmt.value} report to {output}: {document['summary']['findings']} "
                f"findings on {document['summary']['flagged']} of {len(records)} records",
                markup=False,
            )
    if fail_on is not None and any(
        severity(f["status"]) <= severity(fail_on) for f in document["findings"]
    ):
        raise typer.Exit(1)
