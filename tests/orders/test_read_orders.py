"""Reading an exporter's order book: header synonyms, values, and errors naming row and column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from derisk.errors import DeriskError, ErrorCode
from derisk.orders import read_orders

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "orders" / "order_book.csv"


def write(tmp_path: Path, text: str, name: str = "orders.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_fixture_reads_with_its_headers_recognised() -> None:
    book = read_orders(FIXTURE)
    rows = book.table.to_pylist()
    assert len(rows) == 8
    first = rows[0]
    assert first["record_id"] == "SO-1"
    assert first["product"] == "H100 SXM"
    assert (first["customer_country"], first["headquarters"], first["destination"]) == (
        "SG",
        "CN",
        "SG",
    )
    assert first["quantity"] == 8
    assert first["ship_date"] == date(2024, 3, 1)
    assert rows[-1]["ship_date"] is None  # left empty: the screen's --as-of applies
    assert book.columns["headquarters"] == "HQ Country"
    assert book.ignored_columns == []


def test_figures_only_line_and_synonyms(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "End User,Ship-to Country,FP16 TFLOPS,Die Area,Data Center?,Datacenter\n"
        "Some Lab,cn,312,826,x,no\n",
    )
    row = read_orders(path).table.to_pylist()[0]
    assert row["customer"] == "Some Lab"
    assert row["destination"] == "CN"  # upper-cased
    assert row["fp16"] == 312 and row["die_area_mm2"] == 826
    assert row["datacenter"] is False
    assert row["product"] is None


@pytest.mark.parametrize(
    ("text", "row", "column", "words"),
    [
        # No product name and no figures.
        ("Customer,Destination,Product\nA Co,CN,\n", 2, "Product", "no product"),
        # A destination that is not an ISO code.
        ("Customer,Destination,Product\nA Co,China,H100 SXM\n", 2, "Destination", "ISO 3166-1"),
        # A negative figure.
        ("Customer,Destination,FP8\nA Co,CN,-5\n", 2, "FP8", "negative"),
        # A ship date in day/month order.
        (
            "Customer,Destination,Product,Ship Date\nA Co,CN,H20,01/06/2025\n",
            2,
            "Ship Date",
            "YYYY",
        ),
        # A datacenter flag that is neither yes nor no.
        ("Customer,Destination,FP8,Datacenter\nA Co,CN,300,maybe\n", 2, "Datacenter", "maybe"),
        # Nothing to check a line against.
        ("Customer,Destination,Product\n,,H100 SXM\n", 2, "Destination", "nothing to check"),
        # Duplicate order ids.
        ("Order ID,Customer,Product\nX,A,H20\nX,B,H20\n", 3, "Order ID", "duplicate id"),
    ],
)
def test_bad_lines_name_file_row_and_column(
    tmp_path: Path, text: str, row: int, column: str, words: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(DeriskError) as err:
        read_orders(path)
    e = err.value
    assert e.code is ErrorCode.INPUT_BAD_VALUE
    assert (e.row, e.column) == (row, column)
    assert words in e.message
    assert str(path) in str(e)


def test_missing_customer_column_is_dr106(tmp_path: Path) -> None:
    path = write(tmp_path, "Product,Destination\nH20,CN\n")
    with pytest.raises(DeriskError) as err:
        read_orders(path)
    assert err.value.code is ErrorCode.INPUT_MISSING_COLUMN
    assert "customer" in err.value.message


def test_xlsx_and_jsonl_order_books(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Customer", "Destination", "Product", "Ship Date"])
    ws.append(["A Co", "CN", "H20", date(2025, 6, 1)])
    wb.save(tmp_path / "o.xlsx")
    row = read_orders(tmp_path / "o.xlsx").table.to_pylist()[0]
    assert (row["product"], row["ship_date"]) == ("H20", date(2025, 6, 1))
    path = write(tmp_path, '{"customer": "A Co", "destination": "CN", "fp8": 296}\n', "o.jsonl")
    assert read_orders(path).table.to_pylist()[0]["fp8"] == 296
