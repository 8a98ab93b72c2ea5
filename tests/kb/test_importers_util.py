"""Shared importer helpers: slugs and ids, name keys, dates, countries, CSV reading."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.importers._util import (
    PartialDateError,
    address_countries,
    country_code,
    fr_notice_dates,
    name_key,
    parse_date,
    read_csv,
    slug,
)
from derisk.kb.importers.base import BatchBuilder
from derisk.kb.model import Source

SLUG = re.compile(r"^[a-z0-9][a-z0-9.\-]*$")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Huawei Technologies Co., Ltd.", "huawei-technologies-co-ltd"),
        ("  AVIC Xi’an Aircraft  ", "avic-xi-an-aircraft"),
        ("华为技术有限公司", "huaweijishuyouxiangongsi"),
        ("Société Générale", "societe-generale"),
    ],
)
def test_slug(text: str, expected: str) -> None:
    assert slug(text) == expected


def test_long_slug_is_cut_with_a_stable_hash() -> None:
    long = "Academy of Military Medical Sciences, Institute of Radiation and Radiation Medicine"
    s = slug(long)
    assert len(s) <= 76
    assert s == slug(long)
    assert s != slug(long + " Annex")
    assert s.startswith("academy-of-military-medical-sciences")


@given(st.text(max_size=300))
def test_slug_is_always_a_valid_id(text: str) -> None:
    s = slug(text)
    assert SLUG.match(s)
    assert len("imp-" + s) <= 80


def test_name_key_ignores_spacing_and_punctuation() -> None:
    assert name_key("TCOM,Limited Partnership") == name_key("TCOM, Limited Partnership")
    assert name_key("AVIC Xi’an") == name_key("AVIC Xi'an")
    assert name_key("华为") != name_key("Huawei")


def test_ids_of_different_names_with_the_same_slug_differ(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("a\n1\n", encoding="utf-8")
    table = read_csv(p)
    b = BatchBuilder("test", table, Source(id="s", title="t"))
    a = b.entity("华为")
    c = b.entity("HuaWei")
    assert a == "imp-huawei"
    assert c != a and c.startswith("imp-huawei-") and SLUG.match(c)
    assert b.entity("Hua Wei!") == c  # same name key as "HuaWei"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("16.02.23", date(2023, 2, 16)),
        ("04.02.2025", date(2025, 2, 4)),
        ("2024-01-31", date(2024, 1, 31)),
        ("March 12, 2021", date(2021, 3, 12)),
        ("October 1, 2027", date(2027, 10, 1)),
        ("1 October 2027", date(2027, 10, 1)),
    ],
)
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31)))
def test_parse_date_round_trips(d: date) -> None:
    assert parse_date(d.isoformat()) == d
    assert parse_date(f"{d.day:02d}.{d.month:02d}.{d.year}") == d
    assert parse_date(f"{d.strftime('%B')} {d.day}, {d.year}") == d
    if d.year >= 2000:
        assert parse_date(f"{d.day:02d}.{d.month:02d}.{d.year % 100:02d}") == d


@pytest.mark.parametrize("text", ["2022", "December 2023"])
def test_partial_dates(text: str) -> None:
    with pytest.raises(PartialDateError):
        parse_date(text)


@pytest.mark.parametrize("text", ["31.02.2025", "2025/13/01", "soon", "Marchember 1, 2021"])
def test_bad_dates(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


def test_fr_notice_dates() -> None:
    assert fr_notice_dates("67 F.R. 56530 9/4/02 67 F.R. 10890 3/11/02 71 F.R. 38843 7/10/06") == [
        date(2002, 9, 4),
        date(2002, 3, 11),
        date(2006, 7, 10),
    ]
    assert fr_notice_dates("Vol. 60, No. 109, 06/07/95") == [date(1995, 6, 7)]
    assert fr_notice_dates("85 FR 83799") == []


def test_countries() -> None:
    assert country_code("Japan") == "JP"
    assert country_code("Russian") == "RU"
    assert country_code("DPRK") == "KP"
    assert country_code("us") == "US"
    assert country_code("Atlantis") is None
    assert address_countries(
        ["Komitas 26/114, Yerevan, Armenia, AM", "3037 S. 69TH, AZ, 85043"]
    ) == ["AM"]


def test_csv_row_too_long_is_dr402(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("a,b\n1,2\n1,2,3\n", encoding="utf-8")
    with pytest.raises(DeriskError) as info:
        read_csv(p)
    assert (info.value.code, info.value.row) == (ErrorCode.IMPORT_MALFORMED, 3)


def test_csv_empty_file_is_dr401(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("", encoding="utf-8")
    with pytest.raises(DeriskError) as info:
        read_csv(p)
    assert info.value.code is ErrorCode.IMPORT_FORMAT


def test_csv_rows_count_records_not_lines(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text('a,b\n"multi\nline",1\n\nx,2\n', encoding="utf-8")
    table = read_csv(p)
    assert [(r.num, r.get("a")) for r in table] == [(2, "multi\nline"), (4, "x")]
