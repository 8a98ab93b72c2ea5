"""Find the first malformed record of a CSV file, with Python's ``csv`` module.

pyarrow reads fast but reports a problem without its row (and in parallel, not necessarily the
first one). This slower scan runs only when pyarrow failed, or when an odd number of quote
characters suggests a quoted value that is never closed, which pyarrow would otherwise read
as one long last value.
"""

from __future__ import annotations

import csv
import io

from derisk.errors import DeriskError, ErrorCode

__all__ = ["find_malformed_row"]


def find_malformed_row(
    body: str, *, delimiter: str, width: int, first_row: int, file: str
) -> DeriskError | None:
    """DR105 for the first bad record of ``body`` (the text after the header), or None.

    Records are numbered from ``first_row``; a blank line counts as a record, as a spreadsheet
    counts it as a row. A record is bad when it has other than ``width`` fields or cannot be
    parsed (a value whose quotes are never closed).
    """
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter, strict=True)
    row = first_row - 1
    try:
        for row, record in enumerate(reader, start=first_row):
            if record and len(record) != width:
                return DeriskError(
                    ErrorCode.INPUT_MALFORMED,
                    f"expected {_fields(width)} (as in the header row), found {len(record)}"
                    + _hint(len(record), width, delimiter),
                    file=file,
                    row=row,
                )
    except csv.Error as exc:
        # ``row`` is the last record read whole: the failing one starts on the next row.
        return DeriskError(ErrorCode.INPUT_MALFORMED, _explain(str(exc)), file=file, row=row + 1)
    return None


def _fields(count: int) -> str:
    return f"{count} field" if count == 1 else f"{count} fields"


def _hint(found: int, width: int, delimiter: str) -> str:
    shown = "TAB" if delimiter == "\t" else delimiter
    if found > width:
        return f"; a value containing '{shown}' must be enclosed in double quotes"
    return ""


def _explain(message: str) -> str:
    if "unexpected end of data" in message or "field larger than field limit" in message:
        return (
            "a quoted value starting in this row is never closed (missing '\"'); "
            "everything after it was read as one value"
        )
    if "expected after" in message:
        return (
            f"malformed quoting ({message}): a value in double quotes must end at the closing "
            'quote; write a quote inside a quoted value as two quotes ("")'
        )
    return f"malformed CSV: {message}"
