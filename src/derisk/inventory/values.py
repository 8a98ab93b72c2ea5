"""Vectorised conversion of text cells into typed, checked values.

Each converter takes a pyarrow string array whose cells are already trimmed (empty -> null)
and returns the converted array, or raises :class:`BadValue` with the index of the FIRST
offending cell. The happy path is pyarrow compute kernels only; Python looks at one value,
to word the message, when something is wrong.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from derisk.inventory.columns import normalise_label

__all__ = [
    "BadValue",
    "clean_text",
    "controlled",
    "country",
    "first_true",
    "iso_date",
    "number",
    "show",
]

_PLAIN_NUMBER = r"^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
_GROUPED_NUMBER = r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$"  # 1,000 / 12,345.50
_ISO_DATE = (
    r"^[1-9]\d{3}-\d{2}-\d{2}"  # the date; an unambiguous ISO time after it is allowed
    r"(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_COUNTRY = r"^[A-Z]{2}$"


class BadValue(Exception):
    """The cell at ``index`` is not acceptable; ``message`` says why, quoting it."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.message = message


def show(value: str) -> str:
    """A value quoted for a message: Python repr (escapes controls), at most ~60 characters."""
    return repr(value if len(value) <= 60 else value[:57] + "...")


def first_true(mask: Any) -> int | None:
    """Index of the first true cell of a boolean array (nulls count as false), or None."""
    found: int = pc.index(pc.fill_null(mask, False), True).as_py()
    return None if found < 0 else found


def _fail_where(mask: Any, values: Any, why: str) -> None:
    if (i := first_true(mask)) is not None:
        raise BadValue(i, f"{show(values[i].as_py())} {why}")


def clean_text(cells: Any) -> Any:
    """Trim surrounding whitespace; an empty cell becomes null. Nothing else is touched."""
    trimmed = pc.utf8_trim_whitespace(cells)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def number(cells: Any, *, thousands_comma: bool) -> Any:
    """Non-negative decimal numbers: 12, 12.5, 1e3; 1,000 when ``thousands_comma``."""
    ok = pc.match_substring_regex(cells, _PLAIN_NUMBER)
    if thousands_comma:
        ok = pc.or_(ok, pc.match_substring_regex(cells, _GROUPED_NUMBER))
    if (i := first_true(pc.invert(ok))) is not None:
        raise BadValue(i, _number_problem(cells[i].as_py(), thousands_comma))
    result = pc.cast(pc.replace_substring(cells, ",", ""), pa.float64())
    _fail_where(pc.invert(pc.is_finite(result)), cells, "is too large")
    return result


def _number_problem(value: str, thousands_comma: bool) -> str:
    body = value.removeprefix("-")
    if body != value and re.match(_PLAIN_NUMBER, body, re.ASCII):
        return f"{show(value)} is negative; quantities and costs must be zero or more"
    if "," in value and not thousands_comma:
        return (
            f"{show(value)} is ambiguous: in a semicolon-separated file a comma may be the "
            "decimal mark; write the number without thousands separators, with '.' for decimals"
        )
    return f"{show(value)} is not a number; write it like 1500 or 1500.75"


def iso_date(cells: Any) -> Any:
    """ISO 8601 dates, YYYY-MM-DD (a time after the date is allowed and dropped)."""
    _fail_where(
        pc.invert(pc.match_substring_regex(cells, _ISO_DATE)),
        cells,
        "is not a date written YYYY-MM-DD (derisk does not guess day/month orders)",
    )
    days = pc.utf8_slice_codeunits(cells, 0, 10)
    try:
        return pc.cast(days, pa.date32())
    except pa.ArrowInvalid:
        for i, text in enumerate(days.to_pylist()):
            try:
                if text is not None:
                    date.fromisoformat(text)
            except ValueError:
                raise BadValue(i, f"{show(cells[i].as_py())} is not a valid date") from None
        raise


# Codes people write that ISO 3166-1 spells differently (the UK; the EU's code for Greece).
_COUNTRY_ALIASES = {"UK": "GB", "EL": "GR"}


def country(cells: Any) -> Any:
    """ISO 3166-1 alpha-2 codes, upper-cased: 'de' -> 'DE'; 'UK' -> 'GB', 'EL' -> 'GR'."""
    upper = pc.utf8_upper(cells)
    for alias, code in _COUNTRY_ALIASES.items():
        upper = pc.if_else(pc.equal(upper, alias), pa.scalar(code, pa.string()), upper)
    _fail_where(
        pc.invert(pc.match_substring_regex(upper, _COUNTRY)),
        cells,
        "is not a two-letter ISO 3166-1 country code (like DE, GB or CN)",
    )
    return upper


def soft_controlled(cells: Any, spellings: dict[str, str]) -> Any:
    """Known spellings -> canonical value; anything else kept, lower-cased and trimmed."""
    distinct = pc.unique(cells)
    mapped = [
        spellings.get(normalise_label(v), v.strip().lower()) if v else None
        for v in distinct.to_pylist()
    ]
    return pc.take(pa.array(mapped, pa.string()), pc.index_in(cells, value_set=distinct))


def controlled(cells: Any, spellings: dict[str, str], allowed: tuple[str, ...]) -> Any:
    """Map accepted spellings (compared like headers) onto the canonical values.

    Such a column holds a handful of distinct values: they are looked up in Python, once each,
    and the answers spread back over the cells by index.
    """
    distinct = pc.unique(cells)
    canonical = [spellings.get(normalise_label(v)) if v else None for v in distinct.to_pylist()]
    answers = pa.array(canonical, pa.string())
    if (i := first_true(pc.and_(pc.is_valid(distinct), pc.is_null(answers)))) is not None:
        value = distinct[i].as_py()
        raise BadValue(
            pc.index(cells, value).as_py(),
            f"{show(value)} is not one of: {', '.join(allowed)} "
            "(or a synonym listed in docs/inventory-format.md)",
        )
    return pc.take(answers, pc.index_in(cells, value_set=distinct))
