"""Read an order book (CSV, TSV, XLSX, JSON lines) into the canonical order table.

Each line is one shipment: a product (a catalogue name, or a chip's datasheet figures), the
customer, the customer's country and headquarters, the destination and, optionally, the ship
date the licence question is asked for. Every problem is a DR1xx error naming file, row and
column, as for inventories.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from derisk.classify.catalogue_model import PRECISIONS
from derisk.errors import DeriskError, ErrorCode
from derisk.inventory import values
from derisk.inventory.columns import HeaderMap, Layout, load_vocabulary, map_headers
from derisk.inventory.raw import RawTable
from derisk.inventory.reader import read_raw
from derisk.inventory.validate import drop_blank_rows

__all__ = ["FIGURES", "ORDERS", "ORDER_SCHEMA", "PRODUCTS", "OrderBook", "read_orders"]

FIGURES = (*PRECISIONS, "die_area_mm2", "memory_bandwidth_gbps", "interconnect_gbps")
_TEXT = ("record_id", "customer", "customer_country", "headquarters", "destination", "product")
_COUNTRIES = ("customer_country", "headquarters", "destination")
ORDER_SCHEMA = pa.schema(
    [
        pa.field("row", pa.int64(), nullable=False),
        pa.field("record_id", pa.string(), nullable=False),
        *(pa.field(n, pa.string()) for n in _TEXT[1:]),
        pa.field("quantity", pa.float64()),
        pa.field("ship_date", pa.date32()),
        pa.field("datacenter", pa.bool_()),
        *(pa.field(n, pa.float64()) for n in FIGURES),
    ]
)
ORDERS = Layout(
    "order_columns.yaml",
    tuple(n for n in ORDER_SCHEMA.names if n != "row"),
    "customer",
    {"datacenter": ("true", "false")},
)
# A list of products to classify (``derisk classify --input``): the same columns, none required.
PRODUCTS = Layout(ORDERS.data_file, ORDERS.columns, None, ORDERS.allowed)


@dataclass(frozen=True)
class OrderBook:
    table: pa.Table  # ORDER_SCHEMA
    path: str
    format: str
    encoding: str | None
    columns: dict[str, str]  # canonical column -> header as written
    ignored_columns: list[str]


def read_orders(
    path: str | Path,
    *,
    encoding: str | None = None,
    format: str | None = None,
    sheet: str | None = None,
    products_only: bool = False,
) -> OrderBook:
    """Read and check an order book; see docs/classify.md for the columns.

    ``products_only`` reads a product list instead (``derisk classify --input``): no customer
    column is required, and a line needs no destination or party.
    """
    layout = PRODUCTS if products_only else ORDERS
    got = read_raw(path, encoding=encoding, format=format, sheet=sheet, layout=layout)
    header = map_headers(got.raw.headers, file=got.path, row=got.raw.header_row, layout=layout)
    table = _build(got.raw, header, got.path, need_party=not products_only)
    return OrderBook(
        table,
        got.path,
        got.format,
        got.encoding,
        {c: header.names[c] for c in ORDER_SCHEMA.names if c in header.names},
        header.ignored,
    )


def _convert(name: str, cells: Any, raw: RawTable) -> Any:
    if name in _COUNTRIES:
        return values.country(cells)
    if name == "ship_date":
        return values.iso_date(cells)
    if name == "datacenter":
        voc = load_vocabulary(ORDERS)
        text = values.controlled(cells, voc.values["datacenter"], ("true", "false"))
        return pc.equal(text, "true")
    if name == "quantity" or name in FIGURES:
        return values.number(cells, thousands_comma=raw.thousands_comma)
    return cells


def _build(raw: RawTable, header: HeaderMap, file: str, *, need_party: bool) -> pa.Table:
    raw = drop_blank_rows(raw)
    count = len(raw.rows)
    if count == 0:
        raise DeriskError(ErrorCode.INPUT_EMPTY, "the file has no data rows", file=file)

    def bad(column: str, index: int, message: str) -> DeriskError:
        return DeriskError(
            ErrorCode.INPUT_BAD_VALUE,
            message,
            file=file,
            row=raw.rows[index].as_py(),
            column=header.names.get(column, column),
        )

    out: dict[str, Any] = {"row": raw.rows}
    problems: list[DeriskError] = []
    for field in ORDER_SCHEMA:
        if field.name == "row":
            continue
        position = header.positions.get(field.name)
        if position is None:
            out[field.name] = pa.nulls(count, field.type)
            continue
        try:
            out[field.name] = _convert(field.name, values.clean_text(raw.columns[position]), raw)
        except values.BadValue as exc:
            problems.append(bad(field.name, exc.index, exc.message))
    if not problems:
        problems += _missing(out, bad, need_party)
    if problems:
        raise min(problems, key=lambda problem: problem.row or 0)
    out["record_id"] = pc.coalesce(out["record_id"], pc.cast(raw.rows, pa.string()))
    _unique_ids(out["record_id"], raw, header, bad)
    return pa.Table.from_arrays([out[n] for n in ORDER_SCHEMA.names], schema=ORDER_SCHEMA)


def _missing(out: dict[str, Any], bad: Any, need_party: bool) -> list[DeriskError]:
    """A line needs a product (name or figures) and, in an order book, a destination,
    customer or headquarters."""
    problems = []
    figures = [pc.is_valid(out[f]) for f in FIGURES]
    has_figures = figures[0]
    for more in figures[1:]:
        has_figures = pc.or_(has_figures, more)
    no_product = pc.and_(pc.is_null(out["product"]), pc.invert(has_figures))
    if (i := values.first_true(no_product)) is not None:
        problems.append(
            bad(
                "product",
                i,
                "no product: give a catalogue name (see 'derisk classify --list') or the "
                "chip's dense figures (fp16, fp8, int8, ... columns)",
            )
        )
    if not need_party:
        return problems
    nowhere = pc.and_(
        pc.and_(pc.is_null(out["destination"]), pc.is_null(out["customer"])),
        pc.is_null(out["headquarters"]),
    )
    if (i := values.first_true(nowhere)) is not None:
        problems.append(
            bad("destination", i, "no destination, customer or headquarters: nothing to check")
        )
    return problems


def _unique_ids(ids: Any, raw: RawTable, header: HeaderMap, bad: Any) -> None:
    if pc.count_distinct(ids).as_py() == len(ids):
        return
    seen: dict[str, int] = {}
    for i, record_id in enumerate(ids.to_pylist()):
        if record_id in seen:
            raise bad(
                "record_id",
                i,
                f"duplicate id {values.show(record_id)}: row "
                f"{raw.rows[seen[record_id]].as_py()} has the same id; ids must be unique",
            )
        seen[record_id] = i
