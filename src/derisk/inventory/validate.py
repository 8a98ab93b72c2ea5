"""Turn a :class:`RawTable` into the canonical inventory table, checking every value."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from derisk.errors import DeriskError, ErrorCode
from derisk.inventory import values
from derisk.inventory.columns import ALLOWED_VALUES, HeaderMap, load_vocabulary
from derisk.inventory.raw import RawTable

__all__ = ["CANONICAL_COLUMNS", "SCHEMA", "build_table"]

SCHEMA = pa.schema(
    [
        pa.field("row", pa.int64(), nullable=False),
        pa.field("record_id", pa.string(), nullable=False),
        pa.field("vendor", pa.string(), nullable=False),
        *(pa.field(n, pa.string()) for n in ("model", "description", "site", "currency", "kind")),
        pa.field("quantity", pa.float64()),
        *(pa.field(n, pa.string()) for n in ("country", "domain", "technology")),
        pa.field("installed", pa.date32()),
        pa.field("unit_cost", pa.float64()),
    ]
)
CANONICAL_COLUMNS: tuple[str, ...] = tuple(SCHEMA.names)


def _converters(raw: RawTable) -> dict[str, Callable[[Any], Any]]:
    voc = load_vocabulary()

    def number(cells: Any) -> Any:
        return values.number(cells, thousands_comma=raw.thousands_comma)

    def controlled(column: str) -> Callable[[Any], Any]:
        return lambda cells: values.controlled(cells, voc.values[column], ALLOWED_VALUES[column])

    return {
        "quantity": number,
        "unit_cost": number,
        "country": values.country,
        "domain": controlled("domain"),
        "technology": controlled("technology"),
        "kind": lambda cells: values.soft_controlled(cells, voc.values["kind"]),
        "installed": values.iso_date,
    }


def drop_blank_rows(raw: RawTable) -> RawTable:
    """Leave out records whose every cell is empty or whitespace (blank lines, ',,,' rows)."""
    blank: Any = None
    for cells in raw.columns:
        empty = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(cells), ""), True)
        blank = empty if blank is None else pc.and_(blank, empty)
    if blank is None or not pc.any(blank).as_py():
        return raw
    keep = pc.invert(blank)
    return replace(
        raw, columns=[pc.filter(c, keep) for c in raw.columns], rows=pc.filter(raw.rows, keep)
    )


def build_table(raw: RawTable, header: HeaderMap, *, file: str) -> pa.Table:
    """The canonical table: every column of :data:`SCHEMA`, in order. DR102 / DR107 on error."""
    if values.clean_text(raw.columns[header.positions["vendor"]]).null_count:
        raw = drop_blank_rows(raw)  # only rows without a vendor can be wholly blank
    count = len(raw.rows)
    if count == 0:
        raise DeriskError(ErrorCode.INPUT_EMPTY, "the file has no data rows", file=file)

    def bad(column: str, index: int, message: str) -> DeriskError:
        row = raw.rows[index].as_py()
        return DeriskError(
            ErrorCode.INPUT_BAD_VALUE, message, file=file, row=row, column=header.names[column]
        )

    converters = _converters(raw)
    out: dict[str, Any] = {"row": raw.rows}
    problems: list[DeriskError] = []  # at most one per column; the earliest row is reported
    for field in SCHEMA:
        if field.name == "row":
            continue
        position = header.positions.get(field.name)
        if position is None:
            out[field.name] = pa.nulls(count, field.type)
            continue
        cells = values.clean_text(raw.columns[position])
        try:
            out[field.name] = converters.get(field.name, _unchanged)(cells)
        except values.BadValue as exc:
            problems.append(bad(field.name, exc.index, exc.message))
        if field.name == "vendor" and (i := values.first_true(pc.is_null(cells))) is not None:
            problems.append(bad("vendor", i, "the vendor is empty; every row needs one"))
    if problems:
        raise min(problems, key=lambda problem: problem.row or 0)
    out["record_id"] = _record_ids(out["record_id"], raw.rows, header, file)
    return pa.Table.from_arrays([out[name] for name in SCHEMA.names], schema=SCHEMA)


def _unchanged(cells: Any) -> Any:
    return cells


def _record_ids(ids: Any, rows: Any, header: HeaderMap, file: str) -> Any:
    """The id column where filled in, else the row number; duplicates are DR107."""
    record_ids = pc.coalesce(ids, pc.cast(rows, pa.string()))
    if pc.count_distinct(record_ids).as_py() == len(record_ids):
        return record_ids
    first_seen: dict[str, tuple[int, bool]] = {}
    for record_id, row, given in zip(
        record_ids.to_pylist(), rows.to_pylist(), pc.is_valid(ids).to_pylist(), strict=True
    ):
        if record_id in first_seen:
            raise DeriskError(
                ErrorCode.INPUT_BAD_VALUE,
                _duplicate_message(record_id, given, *first_seen[record_id]),
                file=file,
                row=row,
                column=header.names.get("record_id"),
            )
        first_seen[record_id] = (row, given)
    raise AssertionError("count_distinct found a duplicate the scan did not")  # pragma: no cover


def _duplicate_message(record_id: str, given: bool, other_row: int, other_given: bool) -> str:
    shown = values.show(record_id)
    if given and other_given:
        return f"duplicate id {shown}: row {other_row} has the same id; ids must be unique"
    if given:
        return (
            f"id {shown} is also the row number of row {other_row}, which has no id and is "
            f"identified by its row number; give row {other_row} an id"
        )
    return (
        f"this row has no id, and its row number {shown} is the id of row {other_row}; "
        "give this row an id"
    )
