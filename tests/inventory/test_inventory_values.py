"""Checking and converting values: dates, numbers, countries, domains, technologies."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from derisk.errors import DeriskError, ErrorCode
from derisk.inventory import read_inventory

FIXTURES = Path(__file__).parent.parent / "fixtures" / "inventory"


def one_column(tmp_path: Path, header: str, cells: list[str], sep: str = ",") -> list[object]:
    """Read a file with a vendor column and ``header``; return the converted cells."""
    lines = [f"vendor{sep}{header}"] + [f"V{i}{sep}{cell}" for i, cell in enumerate(cells)]
    path = tmp_path / "values.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    inv = read_inventory(path)
    name = next(c for c, h in inv.columns.items() if h == header)
    cells_read: list[object] = inv.table.column(name).to_pylist()
    return cells_read


def bad(tmp_path: Path, header: str, cells: list[str], sep: str = ",") -> DeriskError:
    with pytest.raises(DeriskError) as caught:
        one_column(tmp_path, header, cells, sep)
    assert caught.value.code is ErrorCode.INPUT_BAD_VALUE
    assert caught.value.column == header
    return caught.value


def test_domain_synonyms(tmp_path: Path) -> None:
    cells = ["RAN", "radio", "Access", "mgmt", "OSS", "nms", "backhaul", "IP Transport"]
    cells += ["ip-transport", "DC", "Data Centre", "core", "Enterprise", "other", ""]
    assert one_column(tmp_path, "domain", cells) == [
        *("ran", "ran", "ran", "management", "management", "management", "transport"),
        *("transport", "transport", "datacenter", "datacenter", "core", "enterprise", "other"),
        None,
    ]


def test_unknown_domain_names_first_row_and_allowed_values() -> None:
    with pytest.raises(DeriskError) as caught:
        read_inventory(FIXTURES / "unknown_domain.csv")
    err = caught.value
    assert (err.code, err.row, err.column) == (ErrorCode.INPUT_BAD_VALUE, 4, "domain")
    assert "'satellite'" in err.message
    assert "core, ran, transport, management, datacenter, enterprise, other" in err.message


def test_technology_synonyms(tmp_path: Path) -> None:
    cells = ["LTE", "nr", "5G NR", "5g-nr", "GSM", "UMTS", "4G", "2g", "6G", "wcdma"]
    assert one_column(tmp_path, "technology", cells) == [
        *("4g", "5g", "5g", "5g", "2g", "3g", "4g", "2g", "6g", "3g"),
    ]


def test_unknown_technology(tmp_path: Path) -> None:
    err = bad(tmp_path, "technology", ["5g", "wifi 6", "7g"])
    assert err.row == 3
    assert "'wifi 6'" in err.message and "2g, 3g, 4g, 5g, 6g" in err.message


def test_country_codes_upper_cased(tmp_path: Path) -> None:
    assert one_column(tmp_path, "country", ["de", " Fr ", "CN", ""]) == ["DE", "FR", "CN", None]


@pytest.mark.parametrize("value", ["Germany", "DEU", "D", "1A", "ÄB"])
def test_country_must_be_two_letters(tmp_path: Path, value: str) -> None:
    err = bad(tmp_path, "country", ["DE", value])
    assert err.row == 3
    assert "two-letter" in err.message


def test_iso_dates(tmp_path: Path) -> None:
    cells = ["2020-02-29", "1999-12-31", "2021-03-04T10:30:00", "2021-03-04 10:30", ""]
    assert one_column(tmp_path, "installed", cells) == [
        date(2020, 2, 29),
        date(1999, 12, 31),
        date(2021, 3, 4),
        date(2021, 3, 4),
        None,
    ]


def test_bad_date_fixture_names_first_offender() -> None:
    with pytest.raises(DeriskError) as caught:
        read_inventory(FIXTURES / "bad_date.csv")
    err = caught.value
    assert (err.code, err.row, err.column) == (ErrorCode.INPUT_BAD_VALUE, 3, "installed")
    assert "'04/03/2021'" in err.message and "YYYY-MM-DD" in err.message


@pytest.mark.parametrize("value", ["2021-02-29", "2021-13-01", "2021-04-31"])
def test_impossible_dates(tmp_path: Path, value: str) -> None:
    err = bad(tmp_path, "installed", ["2021-01-01", "2021-01-02", value])
    assert err.row == 4
    assert "not a valid date" in err.message


@pytest.mark.parametrize("value", ["21-03-04", "2021/03/04", "0999-01-01", "2021-3-4", "44256"])
def test_non_iso_dates(tmp_path: Path, value: str) -> None:
    assert bad(tmp_path, "installed", [value]).row == 2


def test_numbers(tmp_path: Path) -> None:
    cells = ["1", "1.0", "0", "1,000", "12,345.50", "1,000,000", "2.5", ".5", "1e3", " 7 ", ""]
    assert one_column(tmp_path, "quantity", [f'"{c}"' for c in cells]) == [
        *(1.0, 1.0, 0.0, 1000.0, 12345.5, 1000000.0, 2.5, 0.5, 1000.0, 7.0, None),
    ]


def test_negative_quantity(tmp_path: Path) -> None:
    err = bad(tmp_path, "qty", ["3", "-1"])
    assert err.row == 3
    assert "negative" in err.message


@pytest.mark.parametrize("value", ["abc", "1,00", "12,5", "1.000,5", "NaN", "inf", "1 000", "0x10"])
def test_not_numbers(tmp_path: Path, value: str) -> None:
    err = bad(tmp_path, "unit cost", ["1", f'"{value}"'])
    assert err.row == 3
    assert repr(value) in err.message


def test_huge_number_rejected(tmp_path: Path) -> None:
    assert "too large" in bad(tmp_path, "unit cost", ["1e999"]).message


def test_thousands_comma_is_ambiguous_in_semicolon_files(tmp_path: Path) -> None:
    err = bad(tmp_path, "Menge", ["1", "1,000"], sep=";")
    assert err.row == 3
    assert "ambiguous" in err.message


def test_plain_numbers_in_semicolon_files(tmp_path: Path) -> None:
    assert one_column(tmp_path, "Menge", ["1000", "2.5"], sep=";") == [1000.0, 2.5]


def test_first_bad_value_wins_across_many_rows(tmp_path: Path) -> None:
    cells = ["core"] * 3000 + ["nowhere"] + ["core"] * 10 + ["elsewhere"]
    assert bad(tmp_path, "domain", cells).row == 3002


def test_text_is_trimmed_and_empty_is_null(tmp_path: Path) -> None:
    assert one_column(tmp_path, "model", ['"  A  "', "", '"   "', "B C"]) == [
        "A",
        None,
        None,
        "B C",
    ]


def test_earliest_row_wins_across_columns(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    lines = ["vendor,qty,installed", "A,1,2020-01-01", "B,1,01.01.2020", "C,1,", "D,-4,"]
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(DeriskError) as caught:
        read_inventory(path)
    assert (caught.value.row, caught.value.column) == (3, "installed")


def test_blank_vendor_before_bad_value_in_a_later_row(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("vendor,country\nA,DE\n,FR\nC,Germany\n", encoding="utf-8")
    with pytest.raises(DeriskError) as caught:
        read_inventory(path)
    assert (caught.value.row, caught.value.column) == (3, "vendor")


def test_kind_synonyms_map_and_unknown_kinds_are_kept(tmp_path: Path) -> None:
    # inventory_columns.yaml: GPU -> accelerator, CCTV -> camera; 'Widget' is no known kind.
    path = tmp_path / "k.csv"
    path.write_text("vendor,kind\nNVIDIA,GPU\nHikvision,CCTV\nAcme, Widget \n", encoding="utf-8")
    assert read_inventory(path).table.column("kind").to_pylist() == [
        "accelerator",
        "camera",
        "widget",
    ]


def test_uk_and_el_country_codes_mean_gb_and_gr(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("vendor,country\nHuawei,UK\nZTE,el\nNokia,de\n", encoding="utf-8")
    assert read_inventory(path).table.column("country").to_pylist() == ["GB", "GR", "DE"]
