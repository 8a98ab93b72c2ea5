"""The CSV report: one row per finding, safe to open in a spreadsheet.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula
(and treat a leading tab or carriage return the same way), which lets a hostile vendor name in
an inventory become ``=HYPERLINK(...)`` or worse in the compliance officer's spreadsheet
("CSV injection", OWASP). Every text cell therefore goes through :func:`safe_csv_cell`, which
prefixes such a cell with a single quote. Numbers derisk writes itself (``row``,
``match_score``) are not text and are written as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from derisk.report.bulk import gc_paused
from derisk.report.document import Finding, read_report
from derisk.screening.document import FINDING_FIELDS

__all__ = ["CSV_COLUMNS", "render_csv", "safe_csv_cell"]

#: The header row, in order: the finding fields of ``docs/output-json.md``.
CSV_COLUMNS: tuple[str, ...] = (*FINDING_FIELDS, "sources")

_TRIGGERS = frozenset("=+-@\t\r")
PATH_SEPARATOR = " > "
SOURCE_SEPARATOR = " | "


def safe_csv_cell(value: object) -> str:
    """The text of a CSV cell that no spreadsheet will run as a formula.

    ``None`` is the empty cell; ``True``/``False`` are ``true``/``false``; an ``int`` or
    ``float`` is written as a number (a number is not a formula, and a negative number must
    stay a number). Any other value is text: if it starts with ``=``, ``+``, ``-``, ``@``, a
    tab or a carriage return, or with whitespace followed by one of those, it gets a leading
    single quote, so that spreadsheets treat it as text.
    """
    if value.__class__ is str:
        text: str = value
    elif value is None:
        return ""
    elif isinstance(value, bool):
        return "true" if value else "false"
    elif isinstance(value, int | float):
        return str(value)
    else:
        text = str(value)
    if text and (text[0] in _TRIGGERS or (text[0].isspace() and _is_formula_like(text))):
        return "'" + text
    return text


def _is_formula_like(text: str) -> bool:
    """True if ``text`` starts with a trigger, possibly after leading whitespace.

    A tab or carriage return anywhere in the leading whitespace counts too (they are
    triggers themselves, and ``str.lstrip`` would otherwise skip over them).
    """
    rest = text.lstrip()
    if rest[:1] in _TRIGGERS:
        return True
    lead = text[: len(text) - len(rest)]
    return "\t" in lead or "\r" in lead


def _number(value: int | float | None, raw: str) -> str:
    """A number derisk wrote; anything else the document holds is treated as text."""
    return str(value) if value is not None else safe_csv_cell(raw)


def _score(finding: Finding) -> str:
    if finding.match_score is None:
        return safe_csv_cell(finding.match_score_text)
    return repr(finding.match_score)


def csv_row(finding: Finding) -> list[str]:
    """The cells of one finding, in :data:`CSV_COLUMNS` order."""
    cell = safe_csv_cell
    return [
        cell(finding.record_id),
        _number(finding.row, finding.row_text),
        cell(finding.input_vendor),
        cell(finding.entity_id),
        cell(finding.entity_name),
        _score(finding),
        cell(finding.matched_name),
        cell(finding.match_method),
        cell(finding.via),
        cell(finding.decision or ""),
        cell(PATH_SEPARATOR.join(finding.ownership_path)),
        cell(finding.rule_id),
        cell(finding.regime_id),
        cell(finding.jurisdiction),
        cell(finding.status),
        cell(finding.deadline),
        cell(finding.since),
        cell(finding.explanation),
        cell(finding.instrument),
        cell(finding.uncertain),
        cell(SOURCE_SEPARATOR.join(source.name for source in finding.sources)),
    ]


def render_csv(document: Mapping[str, Any]) -> str:
    """The CSV report of a screening document: a header row, then one row per finding.

    Rows come in the document's order (by row, then by severity). Lines end in ``\\r\\n`` as
    RFC 4180 says; cells are quoted only when they need it.
    """
    with gc_paused():
        report = read_report(document)
        out = io.StringIO(newline="")
        writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(csv_row(finding) for finding in report.findings)
        return out.getvalue()
