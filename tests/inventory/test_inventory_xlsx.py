"""Reading XLSX workbooks (made here with openpyxl)."""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from derisk.errors import DeriskError, ErrorCode
from derisk.inventory import read_inventory


def fail(path: Path, **kwargs: str) -> DeriskError:
    with pytest.raises(DeriskError) as caught:
        read_inventory(path, **kwargs)
    return caught.value


def workbook(tmp_path: Path, *sheets: tuple[str, Mapping[str, object]]) -> Path:
    """A workbook with the given sheets, each given as {cell: value}."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, cells in sheets:
        sheet = book.create_sheet(title)
        for ref, value in cells.items():
            sheet[ref] = value
            if isinstance(value, str) and value.startswith("="):
                sheet[ref].data_type = "s"  # text that looks like a formula, not a formula
    path = tmp_path / "inventory.xlsx"
    book.save(path)
    return path


INVENTORY = {
    "A1": "Asset Tag",
    "B1": "Vendor",
    "C1": "PN",
    "D1": "Installed",
    "E1": "Qty",
    "F1": "Unit Cost",
    "G1": "Country",
    "A2": 1001,
    "B2": "Huawei",
    "C2": 12345,
    "D2": date(2021, 3, 4),
    "E2": 2,
    "F2": 1999.5,
    "G2": "cn",
    "A3": 1002,
    "B3": " ZTE ",
    "C3": "ZXR10",
    "D3": datetime(2022, 1, 2, 9, 30),
    "E3": 1.0,
    "A5": 1003,
    "B5": '=HYPERLINK("http://evil.example","x")',
    "C5": 12.5,
    "D5": "2023-05-06",
}


def test_values_types_and_row_numbers(tmp_path: Path) -> None:
    inv = read_inventory(workbook(tmp_path, ("Inventory", INVENTORY)))
    assert inv.format == "xlsx"
    assert inv.encoding is None
    table = inv.table
    assert table.column("row").to_pylist() == [2, 3, 5]
    assert table.column("record_id").to_pylist() == ["1001", "1002", "1003"]
    assert table.column("vendor").to_pylist() == [
        "Huawei",
        "ZTE",
        '=HYPERLINK("http://evil.example","x")',
    ]
    assert table.column("model").to_pylist() == ["12345", "ZXR10", "12.5"]
    assert table.column("installed").to_pylist() == [
        date(2021, 3, 4),
        date(2022, 1, 2),
        date(2023, 5, 6),
    ]
    assert table.column("quantity").to_pylist() == [2.0, 1.0, None]
    assert table.column("unit_cost").to_pylist() == [1999.5, None, None]
    assert table.column("country").to_pylist() == ["CN", None, None]
    assert inv.columns["model"] == "PN"


def test_formula_without_cached_value_reads_as_empty(tmp_path: Path) -> None:
    # openpyxl writes formulas without computing them; data_only mode then sees no value.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Vendor", "Model"])
    sheet.append(["Huawei", "=A2"])
    book.save(tmp_path / "f.xlsx")
    assert read_inventory(tmp_path / "f.xlsx").table.column("model").to_pylist() == [None]


def test_header_is_first_non_empty_row(tmp_path: Path) -> None:
    cells = {"B3": "Manufacturer", "C3": "Site", "B4": "Nokia", "C4": "Espoo", "B6": "Ericsson"}
    inv = read_inventory(workbook(tmp_path, ("S", cells)))
    assert inv.table.column("row").to_pylist() == [4, 6]
    assert inv.table.column("site").to_pylist() == ["Espoo", None]


def test_title_row_above_header_is_the_header(tmp_path: Path) -> None:
    cells = {"A1": "Network inventory 2024", "A3": "Vendor", "A4": "Huawei"}
    err = fail(workbook(tmp_path, ("S", cells)))
    assert (err.code, err.row) == (ErrorCode.INPUT_MISSING_COLUMN, 1)
    assert "'Network inventory 2024'" in err.message


def test_cells_right_of_the_header_are_ignored(tmp_path: Path) -> None:
    cells = {"A1": "Vendor", "A2": "Huawei", "C2": "stray note", "C3": "only a note"}
    inv = read_inventory(workbook(tmp_path, ("S", cells)))
    assert inv.table.column("vendor").to_pylist() == ["Huawei"]


def test_blank_vendor_in_xlsx(tmp_path: Path) -> None:
    cells = {"A1": "Vendor", "B1": "Model", "A2": "Huawei", "B2": "X", "B3": "Y"}
    err = fail(workbook(tmp_path, ("S", cells)))
    assert (err.code, err.row, err.column) == (ErrorCode.INPUT_BAD_VALUE, 3, "Vendor")


def test_text_date_that_is_not_iso(tmp_path: Path) -> None:
    cells = {"A1": "Vendor", "B1": "Installed", "A2": "Huawei", "B2": "03/04/2021"}
    err = fail(workbook(tmp_path, ("S", cells)))
    assert (err.code, err.row, err.column) == (ErrorCode.INPUT_BAD_VALUE, 2, "Installed")


def test_first_sheet_by_default_and_named_sheet(tmp_path: Path) -> None:
    path = workbook(
        tmp_path,
        ("Summary", {"A1": "Vendor", "A2": "Huawei"}),
        ("Detail", {"A1": "Vendor", "A2": "ZTE", "A3": "Nokia"}),
    )
    assert read_inventory(path).table.column("vendor").to_pylist() == ["Huawei"]
    detail = read_inventory(path, sheet="Detail")
    assert detail.table.column("vendor").to_pylist() == ["ZTE", "Nokia"]


def test_unknown_sheet_lists_sheets(tmp_path: Path) -> None:
    path = workbook(tmp_path, ("Summary", {"A1": "Vendor"}), ("Detail", {"A1": "Vendor"}))
    err = fail(path, sheet="Details")
    assert err.code is ErrorCode.ARGUMENT_INVALID
    assert "'Summary', 'Detail'" in err.message


def test_empty_sheet(tmp_path: Path) -> None:
    err = fail(workbook(tmp_path, ("Blank", {})))
    assert err.code is ErrorCode.INPUT_EMPTY
    assert "'Blank'" in err.message


def test_header_only_sheet(tmp_path: Path) -> None:
    assert fail(workbook(tmp_path, ("S", {"A1": "Vendor"}))).code is ErrorCode.INPUT_EMPTY


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"vendor,model\nHuawei,X\n")
    assert fail(path).code is ErrorCode.INPUT_MALFORMED


def test_truncated_workbook(tmp_path: Path) -> None:
    good = workbook(tmp_path, ("S", INVENTORY)).read_bytes()
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(good[: len(good) // 2])
    assert fail(path).code is ErrorCode.INPUT_MALFORMED


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "other.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert fail(path).code is ErrorCode.INPUT_MALFORMED


def test_legacy_xls_content(tmp_path: Path) -> None:
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    err = fail(path)
    assert err.code is ErrorCode.INPUT_MALFORMED
    assert ".xls" in err.message
