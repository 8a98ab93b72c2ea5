"""Report writers: turn a screening document (``docs/output-json.md``) into outputs.

* :func:`render_html` — one self-contained, accessible HTML page;
* :func:`render_csv` — one row per finding, safe against spreadsheet formula injection;
* :func:`write_report` — JSON, CSV or HTML to a file (atomically) or to standard output;
* :func:`print_summary` — the terminal summary.

Each takes the document as the plain JSON-shaped ``dict`` a screening produces.
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
from derisk.report.terminal import print_summary

__all__ = [
    "FORMATS",
    "print_summary",
    "render_csv",
    "render_html",
    "render_json",
    "safe_csv_cell",
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


def write_report(document: Mapping[str, Any], fmt: str, path: Path | None) -> None:
    """Write the report of ``document`` in format ``fmt`` (json, csv, html) to ``path``.

    ``path`` None writes to standard output. A file is written atomically (a temporary file in
    the same directory, then ``os.replace``), so a failure never leaves a partial report; any
    ``OSError`` becomes a DR501 error naming the file.
    """
    renderer = _RENDERERS.get(fmt)
    if renderer is None:
        raise DeriskError(
            ErrorCode.ARGUMENT_INVALID,
            f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}",
        )
    data = _encode(document, fmt, renderer(document))
    if path is None:
        write_stdout(data)
    else:
        write_atomic(Path(path), data)
