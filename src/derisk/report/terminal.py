"""The terminal summary of a screening, printed with rich.

Input text (vendor names, record ids, the file name) goes into rich ``Text`` objects, never
into markup strings, so a vendor called ``[bold red]x[/]`` prints literally. Control and
bidirectional-override characters are shown as escapes (``\\x1b``, ``\\u202e``): rich passes
ANSI escape sequences through, and a hostile name must not recolour or rewrite the terminal.
Status is always written in words; colour only repeats it.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Mapping
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from derisk.report.document import (
    STATUS_MEANINGS,
    Deadline,
    Finding,
    Report,
    read_report,
    relative_deadline,
    severity_rank,
    status_label,
)

__all__ = ["TOP_FINDINGS", "print_summary", "printable"]

#: How many of the most severe findings the summary lists.
TOP_FINDINGS = 15

STATUS_STYLES: dict[str, str] = {
    "prohibited": "bold red",
    "overdue": "bold red",
    "remove_by": "yellow",
    "license_required": "magenta",
    "restricted": "cyan",
    "listed": "dim",
}

# C0 and C1 controls, DEL, and the bidi embedding/override/isolate characters.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with control and bidi-override characters written as visible escapes."""
    return _UNPRINTABLE.sub(_escape_char, text)


def _t(text: str | None, style: str = "") -> Text:
    """A rich Text holding ``text`` literally (no markup is parsed)."""
    return Text(printable(text or ""), style=style)


def _status(status: str) -> Text:
    return _t(status_label(status), STATUS_STYLES.get(status, ""))


def _n(count: int | None) -> str:
    return "?" if count is None else f"{count:,}"


def _when(report: Report, deadline: str | None, status: str) -> Text:
    words = relative_deadline(report.as_of, deadline, status)
    if status == "overdue":
        # In words as well as in red: readable without colour.
        return Text(words.replace("overdue", "OVERDUE") if words else "OVERDUE", "bold red")
    return Text(words)


def _header(report: Report) -> Text:
    countries = ", ".join(report.countries) or "none"
    header = Text.assemble(
        ("derisk screening", "bold"),
        "  as of ",
        _t(report.as_of or "?", "bold"),
        "  countries ",
        _t(countries),
        "  sector ",
        _t(report.sector or "?"),
        "  KB ",
        _t(report.kb_version or "?"),
    )
    header.append("\ninput ")
    header.append(_t(report.input_file or "?", "bold"))
    header.append(f"  {_n(report.records)} records")
    return header


def _status_table(report: Report) -> Table:
    records = dict(report.records_by_status)
    table = Table(title="Findings by status", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("Status")
    table.add_column("Findings", justify="right")
    table.add_column("Records", justify="right")
    table.add_column("Meaning", overflow="fold")
    for status, count in report.by_status:
        table.add_row(
            _status(status),
            f"{count:,}",
            f"{records.get(status, 0):,}",
            _t(STATUS_MEANINGS.get(status, "")),
        )
    return table


def _deadlines_table(report: Report) -> Table:
    def key(item: tuple[int, Deadline]) -> tuple[bool, str, int]:
        index, deadline = item
        return (deadline.status != "overdue", deadline.deadline or "9999", index)

    ordered = [d for _, d in sorted(enumerate(report.next_deadlines), key=key)]
    table = Table(title="Next deadlines", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("Deadline", no_wrap=True)
    table.add_column("When", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Rule", overflow="fold")
    table.add_column("Jurisdiction")
    table.add_column("Records", justify="right")
    for d in ordered:
        table.add_row(
            _t(d.deadline or "", "bold red" if d.status == "overdue" else ""),
            _when(report, d.deadline, d.status),
            _status(d.status),
            _t(d.rule_id),
            _t(d.jurisdiction),
            _n(d.records),
        )
    return table


def _top_key(finding: Finding) -> tuple[int, str, int, str]:
    row = finding.row if finding.row is not None else 2**62
    return (severity_rank(finding.status), finding.deadline or "9999", row, finding.record_id)


def _findings_table(report: Report, top: list[Finding]) -> Table:
    title = f"Most severe findings ({len(top):,} of {len(report.findings):,})"
    uncertain = any(f.uncertain for f in top)
    table = Table(
        title=title,
        box=box.SIMPLE_HEAD,
        title_justify="left",
        caption="* rests on a single source" if uncertain else None,
        caption_justify="left",
        pad_edge=False,
    )
    table.add_column("Row", justify="right", no_wrap=True)
    table.add_column("Vendor", overflow="fold")
    table.add_column("Entity", overflow="fold")
    table.add_column("Status", overflow="fold")
    table.add_column("Deadline", no_wrap=True)
    table.add_column("Rule", overflow="fold")
    for f in top:
        status = _status(f.status)
        if f.uncertain:
            status.append(" *")
        table.add_row(
            str(f.row) if f.row is not None else _t(f.row_text),
            _t(f.input_vendor),
            _t(f.entity_name or f.entity_id),
            status,
            _t(f.deadline or ""),
            _t(f.rule_id),
        )
    return table


def print_summary(document: Mapping[str, Any], console: Console) -> None:
    """Print the summary of a screening document to ``console``."""
    report = read_report(document)
    console.print(_header(report))
    console.print(_status_table(report))
    console.print(
        Text.assemble(
            ("Flagged records: ", "bold"),
            f"{report.flagged:,}",
            ("   Clear records: ", "bold"),
            f"{report.clear_count:,}",
            ("   Findings: ", "bold"),
            f"{report.findings_count:,}",
        )
    )
    if report.next_deadlines:
        console.print(_deadlines_table(report))
    if not report.findings:
        console.print(Text("No findings: every record is clear.", "bold green"))
        return
    top = heapq.nsmallest(TOP_FINDINGS, report.findings, key=_top_key)
    console.print(_findings_table(report, top))
    rest = len(report.findings) - len(top)
    if rest > 0:
        console.print(Text(f"… and {rest:,} more findings; see the full report.", "italic"))
