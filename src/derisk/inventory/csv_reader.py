"""Read delimited text (CSV, TSV, semicolon- or pipe-separated) with pyarrow.

The header record is split with Python's ``csv`` module; the body goes to ``pyarrow.csv`` with
every column typed as a string, so nothing is converted behind our back. Blank lines are kept
as (empty) records so that record ``i`` is row ``header row + 1 + i``: row numbers are the rows
a spreadsheet shows, and blank rows are dropped later like every other empty row.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.csv as pv

from derisk.errors import DeriskError, ErrorCode
from derisk.inventory.csv_diagnose import find_malformed_row
from derisk.inventory.raw import RawTable, row_numbers

__all__ = ["DELIMITERS", "header_fields", "read_csv_text", "sniff_delimiter"]

DELIMITERS = (",", ";", "\t", "|")  # candidates, in order of preference on a tie
_LINE_END = re.compile(r"\r\n|\n|\r")
_NOT_BLANK = re.compile(r"\S")


@dataclass(frozen=True)
class _Header:
    fields: list[str]
    row: int  # row number of the header record (1 unless blank lines precede it)
    delimiter: str
    body: str  # the text after the header record


def sniff_delimiter(header: str) -> str:
    """The candidate delimiter occurring most often outside quotes in the header, else ','."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=counts.__getitem__)  # the first of equals wins
    return best if counts[best] else ","


def _header_span(text: str) -> tuple[int, int, int, int, bool] | None:
    """(row, start, end, body start, quotes closed) of the first non-blank record, or None."""
    pos, row = 0, 1
    while True:
        match = _LINE_END.search(text, pos)
        end = match.start() if match else len(text)
        if text[pos:end].strip():
            break
        if match is None:
            return None
        pos, row = match.end(), row + 1
    start, odd = pos, text.count('"', pos, end) % 2 == 1
    while odd and match is not None:  # a quoted header name spans a line break
        nxt = _LINE_END.search(text, match.end())
        new_end = nxt.start() if nxt else len(text)
        odd ^= text.count('"', end, new_end) % 2 == 1
        match, end = nxt, new_end
    return row, start, end, (match.end() if match else len(text)), not odd


def _read_header(text: str, delimiter: str | None, file: str) -> _Header | None:
    span = _header_span(text)
    if span is None:
        return None
    row, start, end, body_start, closed = span
    line = text[start:end]
    delimiter = delimiter or sniff_delimiter(line)
    try:
        if not closed:
            raise csv.Error("unexpected end of data")
        fields = next(csv.reader(io.StringIO(line, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise DeriskError(
            ErrorCode.INPUT_MALFORMED, f"cannot read the header row: {exc}", file=file, row=row
        ) from None
    return _Header(fields, row, delimiter, text[body_start:])


def header_fields(text: str, delimiter: str | None = None) -> list[str]:
    """The header names of delimited text, or ``[]`` when it has no readable header."""
    try:
        header = _read_header(text, delimiter, file="")
    except DeriskError:
        return []
    return header.fields if header else []


def read_csv_text(text: str, *, file: str, delimiter: str | None = None) -> RawTable:
    """Split delimited text into a :class:`RawTable`; DR105 names the first malformed row."""
    header = _read_header(text, delimiter, file)
    if header is None:
        raise DeriskError(ErrorCode.INPUT_EMPTY, "the file is empty", file=file)
    width, first = len(header.fields), header.row + 1
    if not _NOT_BLANK.search(header.body):
        empty = [pa.array([], pa.string())] * width
        return RawTable(header.fields, empty, row_numbers(first, 0), header_row=header.row)
    names = [f"c{i}" for i in range(width)]

    def diagnose() -> DeriskError | None:
        return find_malformed_row(
            header.body, delimiter=header.delimiter, width=width, first_row=first, file=file
        )

    try:
        table = pv.read_csv(
            pa.BufferReader(header.body.encode("utf-8")),
            read_options=pv.ReadOptions(column_names=names),
            parse_options=pv.ParseOptions(
                delimiter=header.delimiter, newlines_in_values=True, ignore_empty_lines=False
            ),
            convert_options=pv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=False,  # encoded from a str just above
            ),
        )
    except pa.ArrowInvalid as exc:
        raise diagnose() or DeriskError(
            ErrorCode.INPUT_MALFORMED, f"malformed CSV: {str(exc)[:300]}", file=file
        ) from None
    if header.body.count('"') % 2 and (problem := diagnose()):
        raise problem
    return RawTable(
        headers=header.fields,
        columns=table.columns,
        rows=row_numbers(first, table.num_rows),
        header_row=header.row,
        thousands_comma=header.delimiter != ";",
    )
