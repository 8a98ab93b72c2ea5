"""Reading delimited text: values, row numbers, malformed files, file-level errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from derisk.errors import DeriskError, ErrorCode
from derisk.inventory import CANONICAL_COLUMNS, Inventory, read_inventory

FIXTURES = Path(__file__).parent.parent / "fixtures" / "inventory"


def fail(path: str | Path, **kwargs: str) -> DeriskError:
    with pytest.raises(DeriskError) as caught:
        read_inventory(path, **kwargs)
    return caught.value


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def column(inv: Inventory, name: str) -> list[object]:
    cells: list[object] = inv.table.column(name).to_pylist()
    return cells


def test_good_csv_every_column() -> None:
    inv = read_inventory(FIXTURES / "good.csv")
    assert inv.format == "csv"
    assert inv.encoding == "utf-8"
    assert inv.path.endswith("good.csv")
    assert inv.table.column_names == list(CANONICAL_COLUMNS)
    assert column(inv, "row") == [2, 3, 4, 5]
    assert column(inv, "record_id") == ["A-001", "A-002", "A-003", "A-004"]
    assert column(inv, "vendor") == ["Huawei Technologies Co. Ltd.", "ZTE", "Ericsson", "Nokia"]
    assert column(inv, "model") == ["OptiX OSN 8800", "ZXR10 M6000", "AIR 6449", "7750 SR-1"]
    assert column(inv, "description") == [
        "DWDM platform",
        "Edge router, 10G",
        "Radio unit",
        'Service router "SR"',
    ]
    assert column(inv, "site") == ["Berlin-1", "Munich-2", "Hamburg-3", "Köln"]
    assert column(inv, "country") == ["DE", "DE", None, "FR"]
    assert column(inv, "domain") == ["transport", "core", "ran", "management"]
    assert column(inv, "technology") == ["4g", "5g", "5g", None]
    assert column(inv, "installed") == [
        date(2019, 4, 1),
        date(2020, 11, 15),
        None,
        date(2021, 2, 28),
    ]
    assert column(inv, "quantity") == [2.0, 1.0, 12.0, 1000.0]
    assert column(inv, "unit_cost") == [12500.0, 8400.0, None, 0.5]
    assert column(inv, "currency") == ["EUR", "EUR", None, "EUR"]
    assert column(inv, "kind") == ["transmission", "network", "radio", None]  # synonyms mapped
    assert inv.columns == {
        "record_id": "Asset ID",
        "vendor": "Manufacturer",
        "model": "Part Number",
        "description": "Description",
        "site": "Site",
        "currency": "Currency",
        "kind": "Type",
        "quantity": "Qty",
        "country": "Country",
        "domain": "Network Domain",
        "technology": "Technology",
        "installed": "Install Date",
        "unit_cost": "Unit Price",
    }
    assert inv.ignored_columns == ["Notes"]


def test_schema_types() -> None:
    schema = read_inventory(FIXTURES / "good.csv").table.schema
    assert schema.field("row").type == pa.int64()
    assert schema.field("quantity").type == pa.float64()
    assert schema.field("unit_cost").type == pa.float64()
    assert schema.field("installed").type == pa.date32()
    assert schema.field("vendor").type == pa.string()
    assert not schema.field("vendor").nullable


def test_missing_optional_columns_are_all_null() -> None:
    inv = read_inventory(FIXTURES / "utf8_bom.csv")
    assert inv.table.column_names == list(CANONICAL_COLUMNS)
    assert column(inv, "site") == [None, None]
    assert column(inv, "installed") == [None, None]
    assert inv.table.schema.field("installed").type == pa.date32()


def test_semicolon_csv_with_german_headers() -> None:
    inv = read_inventory(FIXTURES / "semicolon.csv")
    assert column(inv, "vendor") == ["Huawei", "ZTE"]
    assert column(inv, "model") == ["NE40E-X8", "ZXCTN 6180H"]
    assert column(inv, "site") == ["Frankfurt", "Wien"]
    assert column(inv, "quantity") == [3.0, 1.5]
    assert column(inv, "country") == ["DE", "AT"]
    assert inv.columns["quantity"] == "Menge"


def test_blank_lines_and_empty_rows_keep_spreadsheet_row_numbers() -> None:
    # Lines: 1 blank, 2 header, 3 Huawei, 4 blank, 5 ",,", 6 ZTE, 7 blank (CRLF),
    # 8-9 Nokia (a quoted line break: one spreadsheet row), line 10 Ericsson = row 9.
    inv = read_inventory(FIXTURES / "blank_lines.csv")
    assert column(inv, "vendor") == ["Huawei", "ZTE", "Nokia", "Ericsson"]
    assert column(inv, "row") == [3, 6, 8, 9]
    assert column(inv, "record_id") == ["1", "2", "3", "4"]
    assert column(inv, "model") == ["NE40E", "ZXR10", "7750\nSR-1", "6000"]


def test_record_id_falls_back_to_row_number() -> None:
    inv = read_inventory(FIXTURES / "semicolon.csv")
    assert column(inv, "record_id") == ["2", "3"]


def test_tab_separated_and_pipe_separated(tmp_path: Path) -> None:
    tsv = read_inventory(write(tmp_path, "a.tsv", "Vendor\tModel\nHuawei\tA, B\n"))
    assert column(tsv, "model") == ["A, B"]
    assert tsv.format == "csv"
    piped = read_inventory(write(tmp_path, "b.txt", "Vendor|Model\nZTE|X;Y\n"))
    assert column(piped, "vendor") == ["ZTE"]
    assert column(piped, "model") == ["X;Y"]


def test_delimiter_sniffing_ignores_quoted_header_text(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", '"Notes; misc",Vendor,Model\nx;y,"Huawei",NE40E\n')
    inv = read_inventory(path)
    assert column(inv, "vendor") == ["Huawei"]
    assert inv.ignored_columns == ["Notes; misc"]


def test_single_column_file(tmp_path: Path) -> None:
    inv = read_inventory(write(tmp_path, "a.csv", "vendor\nHuawei\n\n   \nZTE"))
    assert column(inv, "vendor") == ["Huawei", "ZTE"]
    assert column(inv, "row") == [2, 5]


def test_inch_mark_inside_unquoted_value_is_text(tmp_path: Path) -> None:
    inv = read_inventory(write(tmp_path, "a.csv", 'vendor,model\nHuawei,19" rack\nZTE,1U\n'))
    assert column(inv, "model") == ['19" rack', "1U"]


def test_hostile_text_kept_verbatim() -> None:
    inv = read_inventory(FIXTURES / "hostile.csv")
    assert column(inv, "vendor") == ['=HYPERLINK("http://evil.example/","click")', "@SUM(1+1)"]
    assert column(inv, "model") == ["+cmd|' /C calc'!A0", "-2+3"]
    assert column(inv, "description") == [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
    ]


def test_wrong_field_count_names_the_row() -> None:
    err = fail(FIXTURES / "wrong_fields.csv")
    assert err.code is ErrorCode.INPUT_MALFORMED
    assert err.row == 4
    assert err.file is not None and err.file.endswith("wrong_fields.csv")
    assert "expected 3 fields (as in the header row), found 4" in err.message


def test_too_few_fields(tmp_path: Path) -> None:
    err = fail(write(tmp_path, "a.csv", "id,vendor,model\n1,Huawei,A\n2,ZTE\n"))
    assert (err.code, err.row) == (ErrorCode.INPUT_MALFORMED, 3)
    assert "expected 3 fields (as in the header row), found 2" in err.message


def test_first_malformed_row_is_reported(tmp_path: Path) -> None:
    lines = ["vendor,model"] + ["Huawei,A"] * 5000 + ["ZTE,B,C"] + ["Nokia,D"] * 10 + ["X,Y,Z"]
    err = fail(write(tmp_path, "a.csv", "\n".join(lines) + "\n"))
    assert err.row == 5002


def test_unterminated_quote_in_last_column() -> None:
    err = fail(FIXTURES / "unterminated_quote.csv")
    assert (err.code, err.row) == (ErrorCode.INPUT_MALFORMED, 3)
    assert "never closed" in err.message


def test_unterminated_quote_in_middle_column(tmp_path: Path) -> None:
    err = fail(write(tmp_path, "a.csv", 'id,vendor,model\n1,Huawei,A\n2,"ZTE,B\n3,Nokia,C\n'))
    assert (err.code, err.row) == (ErrorCode.INPUT_MALFORMED, 3)
    assert "never closed" in err.message


def test_unterminated_quote_in_header(tmp_path: Path) -> None:
    err = fail(write(tmp_path, "a.csv", 'vendor,"model\nHuawei,A\n'))
    assert (err.code, err.row) == (ErrorCode.INPUT_MALFORMED, 1)


def test_leading_blank_lines_move_the_header(tmp_path: Path) -> None:
    inv = read_inventory(write(tmp_path, "a.csv", "\n\nvendor\nHuawei\n"))
    assert column(inv, "row") == [4]


def test_missing_vendor_column() -> None:
    err = fail(FIXTURES / "missing_vendor.csv")
    assert err.code is ErrorCode.INPUT_MISSING_COLUMN
    assert err.row == 1
    assert "'Asset ID', 'Model', 'Site'" in err.message
    assert "manufacturer" in err.message and "供应商" in err.message


def test_two_vendor_columns(tmp_path: Path) -> None:
    err = fail(write(tmp_path, "a.csv", "Vendor,Model,Manufacturer\nA,B,C\n"))
    assert err.code is ErrorCode.INPUT_DUPLICATE_COLUMN
    assert "'Vendor' and 'Manufacturer'" in err.message
    assert err.column == "Manufacturer"


def test_repeated_identical_header(tmp_path: Path) -> None:
    err = fail(write(tmp_path, "a.csv", "Vendor,Site,Vendor\nA,B,C\n"))
    assert err.code is ErrorCode.INPUT_DUPLICATE_COLUMN
    assert "(columns 1 and 3)" in err.message


def test_weak_synonym_yields_to_a_real_name(tmp_path: Path) -> None:
    inv = read_inventory(write(tmp_path, "a.csv", "Name,Vendor,Location\nrtr-01,Huawei,Berlin\n"))
    assert column(inv, "vendor") == ["Huawei"]
    assert column(inv, "site") == ["Berlin"]
    assert inv.ignored_columns == ["Name"]


def test_weak_synonym_used_alone(tmp_path: Path) -> None:
    inv = read_inventory(write(tmp_path, "a.csv", "Name,Type\nHuawei,router\n"))
    assert column(inv, "vendor") == ["Huawei"]
    assert column(inv, "kind") == ["network"]  # "router" is a synonym of network


def test_blank_vendor_names_row_and_column(tmp_path: Path) -> None:
    err = fail(write(tmp_path, "a.csv", "id,Supplier,model\n1,Huawei,A\n2,  ,B\n3,,C\n"))
    assert err.code is ErrorCode.INPUT_BAD_VALUE
    assert (err.row, err.column) == (3, "Supplier")


def test_duplicate_ids_name_both_rows(tmp_path: Path) -> None:
    err = fail(write(tmp_path, "a.csv", "Asset Tag,vendor\nX1,Huawei\nX2,ZTE\n X1 ,Nokia\n"))
    assert err.code is ErrorCode.INPUT_BAD_VALUE
    assert (err.row, err.column) == (4, "Asset Tag")
    assert "'X1'" in err.message and "row 2" in err.message


def test_id_colliding_with_a_row_number(tmp_path: Path) -> None:
    err = fail(write(tmp_path, "a.csv", "id,vendor\n,Huawei\n2,ZTE\n"))
    assert err.code is ErrorCode.INPUT_BAD_VALUE
    assert err.row == 3
    assert "row number of row 2" in err.message


def test_empty_file() -> None:
    err = fail(FIXTURES / "empty.csv")
    assert err.code is ErrorCode.INPUT_EMPTY


def test_whitespace_only_file(tmp_path: Path) -> None:
    assert fail(write(tmp_path, "a.csv", " \n\n\t\n")).code is ErrorCode.INPUT_EMPTY


def test_header_only() -> None:
    err = fail(FIXTURES / "header_only.csv")
    assert err.code is ErrorCode.INPUT_EMPTY
    assert "no data rows" in err.message


def test_only_blank_rows_after_header(tmp_path: Path) -> None:
    err = fail(write(tmp_path, "a.csv", "vendor,model\n,\n , \n\n"))
    assert err.code is ErrorCode.INPUT_EMPTY


def test_file_not_found(tmp_path: Path) -> None:
    err = fail(tmp_path / "nope.csv")
    assert err.code is ErrorCode.INPUT_NOT_FOUND
    assert err.file == str(tmp_path / "nope.csv")


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "inv.csv"
    folder.mkdir()
    assert fail(folder).code is ErrorCode.INPUT_NOT_FOUND


@pytest.mark.parametrize("name", ["inventory.pdf", "inventory", "inventory.xls"])
def test_unknown_suffix(tmp_path: Path, name: str) -> None:
    err = fail(write(tmp_path, name, "vendor\nHuawei\n"))
    assert err.code is ErrorCode.INPUT_FORMAT
    assert "--format" in err.message


def test_format_argument_overrides_suffix(tmp_path: Path) -> None:
    path = write(tmp_path, "export.dat", "vendor;model\nHuawei;A\n")
    inv = read_inventory(path, format="CSV")
    assert column(inv, "model") == ["A"]


def test_unknown_format_argument(tmp_path: Path) -> None:
    err = fail(write(tmp_path, "a.csv", "vendor\nX\n"), format="parquet")
    assert err.code is ErrorCode.ARGUMENT_INVALID


def test_zip_named_csv(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"PK\x03\x04\x14\x00\x00\x00")
    err = fail(path)
    assert err.code is ErrorCode.INPUT_FORMAT
    assert "xlsx" in err.message


def test_sheet_argument_on_csv(tmp_path: Path) -> None:
    err = fail(write(tmp_path, "a.csv", "vendor\nX\n"), sheet="Sheet1")
    assert err.code is ErrorCode.ARGUMENT_INVALID


def test_error_str_is_one_line_with_location() -> None:
    text = str(fail(FIXTURES / "wrong_fields.csv"))
    assert text.startswith("error DR105 [input_malformed]: ")
    assert "wrong_fields.csv, row 4: " in text
