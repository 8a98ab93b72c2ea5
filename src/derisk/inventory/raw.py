"""The table every format reader produces: headers and their cells, as text, with row numbers."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["RawTable", "cell_text", "row_numbers"]

# Integral floats below this are written without ".0" (beyond it floats are not exact integers).
_EXACT_INTEGERS = 2.0**53


@dataclass(frozen=True)
class RawTable:
    """Cells as read, before any column is recognised or any value checked.

    ``columns[i]`` holds the cells under ``headers[i]`` as strings (null or ``''`` when empty);
    ``rows`` the row number of each record as the user sees it.
    """

    headers: list[str]
    columns: list[Any]  # pyarrow string Array or ChunkedArray, one per header
    rows: Any  # pyarrow int64 Array or ChunkedArray
    header_row: int | None = None  # where the headers are (None for JSON: every object's keys)
    # Whether "1,000" may be read as one thousand. False in semicolon-separated files, whose
    # writers use the comma as the decimal mark.
    thousands_comma: bool = True


def row_numbers(first: int, count: int) -> Any:
    """``first, first + 1, ...``: ``count`` int64 row numbers, built without a Python loop."""
    ones = pa.repeat(pa.scalar(1, pa.int64()), count)
    return pc.add(pc.cumulative_sum(ones), first - 1)


def cell_text(value: object) -> str | None:
    """A spreadsheet or JSON cell as text: 12345.0 -> '12345', a date -> '2021-03-04'.

    ``None`` stays ``None``. Datetimes at midnight become dates (Excel stores dates that way);
    other datetimes keep their time, ``YYYY-MM-DD HH:MM:SS``.
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < _EXACT_INTEGERS:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)
