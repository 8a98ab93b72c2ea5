"""Report writers: turn a screening document (``docs/output-json.md``) into outputs.

* :func:`render_html` — one self-contained, accessible HTML page;
* :func:`render_csv` — one row per finding, safe against spreadsheet formula injection;
* :func:`write_report` — JSON, CSV or HTML to a file (atomically) or to standard output;
* :func:`print_summary` — the terminal summary.

Each takes the document as the plain JSON-shaped ``dict`` a screening produces. The remediation
plan (``docs/plan-json.md``: ``derisk.plan/1``, and ``derisk.scenario/1`` comparing two plans)
has its own writers: :func:`render_plan_html`/:func:`render_scenario_html`,
:func:`render_plan_csv`/:func:`render_scenario_csv`, :func:`print_plan_summary`/
:func:`print_scenario_summary`, and :func:`write_plan_report`, which picks the plan or the
scenario writer from the document's ``schema``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from derisk.errors import DeriskError, ErrorCode
from derisk.report.atomic import write_atomic, write_stdout
from derisk.report.csv_report import render_csv, safe_csv_cell
from derisk.report.html_report import render_html
from derisk.report.plan_csv import render_plan_csv, render_scenario_csv
from derisk.report.plan_html import render_plan_html, render_scenario_html
from derisk.report.plan_terminal import print_plan_summary, print_scenario_summary
from derisk.report.terminal import print_summary

__all__ = [
    "FORMATS",
    "print_plan_summary",
    "print_scenario_summary",
    "print_summary",
    "render_csv",
    "render_html",
    "render_json",
    "render_plan_csv",
    "render_plan_html",
    "render_scenario_csv",
    "render_scenario_html",
    "safe_csv_cell",
    "write_plan_report",
    "write_report",
]


def render_json(document: Mapping[str, Any]) -> str:
    """The document as JSON: UTF-8 text, two-space indent, a final newline."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


_RENDERERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "json": render_json,
    "csv": render_csv,
    "html": render_html,
}

#: The formats :func:`write_report` writes.
FORMATS: tuple[str, ...] = tuple(_RENDERERS)


def _encode(document: Mapping[str, Any], fmt: str, text: str) -> bytes:
    """UTF-8 bytes of ``text``.

    A lone surrogate (text a decoder could not read, carried through) has no UTF-8 form: JSON
    then writes it as a ``\\udcxx`` escape, which is lossless; CSV and HTML show it as one.
    """
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        if fmt == "json":
            return (json.dumps(document, ensure_ascii=True, indent=2) + "\n").encode("ascii")
        return text.encode("utf-8", errors="backslashreplace")


def _write(
    document: Mapping[str, Any],
    fmt: str,
    path: Path | None,
    renderers: Mapping[str, Callable[[Mapping[str, Any]], str]],
) -> None:
    renderer = renderers.get(fmt)
    if renderer is None:
        raise DeriskError(
            ErrorCode.ARGUMENT_INVALID,
            f"unknown report format {fmt!r}; expected one of {', '.join(renderers)}",
        )
    data = _encode(document, fmt, renderer(document))
    if path is None:
        write_stdout(data)
    else:
        write_atomic(Path(path), data)


def write_report(document: Mapping[str, Any], fmt: str, path: Path | None) -> None:
    """Write the report of ``document`` in format ``fmt`` (json, csv, html) to ``path``.

    ``path`` None writes to standard output. A file is written atomically (a temporary file in
    the same directory, then ``os.replace``), so a failure never leaves a partial report; any
    ``OSError`` becomes a DR501 error naming the file.
    """
    _write(document, fmt, path, _RENDERERS)


_PLAN_RENDERERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "json": render_json,
    "csv": render_plan_csv,
    "html": render_plan_html,
}

_SCENARIO_RENDERERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "json": render_json,
    "csv": render_scenario_csv,
    "html": render_scenario_html,
}

#: The formats :func:`write_plan_report` writes (not in ``__all__``, which lists functions and
#: ``FORMATS`` only; import it by name).
PLAN_FORMATS: tuple[str, ...] = tuple(_PLAN_RENDERERS)

#: A document whose ``schema`` starts with this is a scenario (``derisk.scenario/1``).
SCENARIO_SCHEMA_PREFIX = "derisk.scenario/"


def write_plan_report(document: Mapping[str, Any], fmt: str, path: Path | None) -> None:
    """Write the report of a plan or scenario document in format ``fmt`` to ``path``.

    ``fmt`` is json, csv or html. A ``derisk.scenario/1`` document (by its ``schema``) gets the
    scenario writers (:func:`render_scenario_csv`, :func:`render_scenario_html`); anything else
    is read as a ``derisk.plan/1`` document. Writing is as for :func:`write_report`: ``path``
    None is standard output, a file is written atomically, and an ``OSError`` is a DR501 error
    naming the file.
    """
    schema = document.get("schema")
    scenario = isinstance(schema, str) and schema.startswith(SCENARIO_SCHEMA_PREFIX)
    _write(document, fmt, path, _SCENARIO_RENDERERS if scenario else _PLAN_RENDERERS)
