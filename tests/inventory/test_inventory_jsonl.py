"""Reading JSON lines and JSON arrays of objects."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from derisk.errors import DeriskError, ErrorCode
from derisk.inventory import read_inventory

FIXTURES = Path(__file__).parent.parent / "fixtures" / "inventory"


def fail(path: Path) -> DeriskError:
    with pytest.raises(DeriskError) as caught:
        read_inventory(path)
    return caught.value


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_jsonl() -> None:
    inv = read_inventory(FIXTURES / "good.jsonl")
    assert inv.format == "jsonl"
    assert inv.encoding == "utf-8"
    table = inv.table
    assert table.column("row").to_pylist() == [1, 3, 4]
    assert table.column("record_id").to_pylist() == ["J-1", "3", "4"]
    assert table.column("vendor").to_pylist() == ["Huawei", "中兴通讯", "Nokia"]
    assert table.column("model").to_pylist() == ["12345", "ZXR10", "7.5"]
    assert table.column("quantity").to_pylist() == [2.0, None, None]
    assert table.column("unit_cost").to_pylist() == [None, 1500.5, None]
    assert table.column("domain").to_pylist() == ["ran", None, None]
    assert table.column("country").to_pylist() == [None, None, "FI"]
    assert table.column("installed").to_pylist() == [None, None, date(2022, 6, 30)]
    assert inv.columns["vendor"] == "manufacturer"
    assert inv.ignored_columns == ["extra"]


def test_bad_line_names_the_line() -> None:
    err = fail(FIXTURES / "bad_line.jsonl")
    assert (err.code, err.row) == (ErrorCode.INPUT_MALFORMED, 4)
    assert "not valid JSON" in err.message


def test_line_that_is_not_an_object(tmp_path: Path) -> None:
    err = fail(write(tmp_path, "a.ndjson", '{"vendor": "A"}\n["vendor", "B"]\n'))
    assert (err.code, err.row) == (ErrorCode.INPUT_MALFORMED, 2)
    assert "found an array" in err.message


def test_duplicate_key_in_one_object(tmp_path: Path) -> None:
    err = fail(write(tmp_path, "a.jsonl", '{"vendor": "A", "vendor": "B"}\n'))
    assert (err.code, err.row) == (ErrorCode.INPUT_MALFORMED, 1)
    assert "'vendor'" in err.message


def test_non_scalar_in_recognised_column(tmp_path: Path) -> None:
    err = fail(write(tmp_path, "a.jsonl", '{"vendor": "A"}\n{"vendor": "B", "qty": [1]}\n'))
    assert (err.code, err.row, err.column) == (ErrorCode.INPUT_BAD_VALUE, 2, "qty")


def test_boolean_vendor(tmp_path: Path) -> None:
    err = fail(write(tmp_path, "a.jsonl", '{"vendor": true}\n'))
    assert (err.code, err.row, err.column) == (ErrorCode.INPUT_BAD_VALUE, 1, "vendor")


def test_missing_vendor_in_one_line(tmp_path: Path) -> None:
    err = fail(write(tmp_path, "a.jsonl", '{"vendor": "A"}\n{"model": "B"}\n'))
    assert (err.code, err.row, err.column) == (ErrorCode.INPUT_BAD_VALUE, 2, "vendor")


def test_different_vendor_keys_across_lines_conflict(tmp_path: Path) -> None:
    err = fail(write(tmp_path, "a.jsonl", '{"vendor": "A"}\n{"Vendor": "B"}\n'))
    assert err.code is ErrorCode.INPUT_DUPLICATE_COLUMN


def test_json_array_rows_are_starting_lines(tmp_path: Path) -> None:
    text = '[\n  {"vendor": "Huawei"},\n\n  {"vendor": "ZTE",\n   "id": "z"},  {"vendor": "N"}\n]\n'
    inv = read_inventory(write(tmp_path, "a.json", text))
    assert inv.table.column("row").to_pylist() == [2, 4, 5]
    assert inv.table.column("record_id").to_pylist() == ["2", "z", "5"]


def test_json_array_missing_comma(tmp_path: Path) -> None:
    err = fail(write(tmp_path, "a.json", '[\n{"vendor": "A"}\n{"vendor": "B"}\n]'))
    assert (err.code, err.row) == (ErrorCode.INPUT_MALFORMED, 3)


def test_json_array_broken_object(tmp_path: Path) -> None:
    err = fail(write(tmp_path, "a.json", '[\n{"vendor": "A"},\n{"vendor": }\n]'))
    assert (err.code, err.row) == (ErrorCode.INPUT_MALFORMED, 3)


def test_empty_json_array(tmp_path: Path) -> None:
    assert fail(write(tmp_path, "a.json", "[ ]\n")).code is ErrorCode.INPUT_EMPTY


def test_text_after_json_array(tmp_path: Path) -> None:
    err = fail(write(tmp_path, "a.json", '[{"vendor": "A"}] x'))
    assert err.code is ErrorCode.INPUT_MALFORMED


def test_crlf_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"vendor": "A"}\r\n\r\n{"vendor": "B"}\r\n')
    assert read_inventory(path).table.column("row").to_pylist() == [1, 3]


def test_line_separator_inside_a_string(tmp_path: Path) -> None:
    path = write(tmp_path, "a.jsonl", '{"vendor": "A\u2028B"}\n{"vendor": "C"}\n')
    inv = read_inventory(path)
    assert inv.table.column("vendor").to_pylist() == ["A\u2028B", "C"]
    assert inv.table.column("row").to_pylist() == [1, 2]


def test_first_bad_value_by_line_not_by_key(tmp_path: Path) -> None:
    text = '{"vendor": "A", "qty": 1, "model": "x"}\n{"vendor": "B", "model": {"a": 1}}\n'
    text += '{"vendor": "C", "qty": [2]}\n'
    err = fail(write(tmp_path, "a.jsonl", text))
    assert (err.code, err.row, err.column) == (ErrorCode.INPUT_BAD_VALUE, 2, "model")


def test_legacy_encoded_json_array(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_bytes('[{"供应商": "华为技术有限公司"},\n {"供应商": "中兴通讯"}]'.encode("gbk"))
    inv = read_inventory(path)
    assert inv.encoding == "gb18030"
    assert inv.table.column("vendor").to_pylist() == ["华为技术有限公司", "中兴通讯"]
