"""The CSV report: columns, content, and formula-injection safety."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from derisk.report import render_csv, safe_csv_cell

FIXTURE = Path(__file__).parent.parent / "fixtures" / "report" / "screening_telecom.json"

HEADER = [
    "record_id",
    "row",
    "input_vendor",
    "entity_id",
    "entity_name",
    "match_score",
    "matched_name",
    "match_method",
    "via",
    "decision",
    "ownership_path",
    "rule_id",
    "regime_id",
    "jurisdiction",
    "status",
    "deadline",
    "since",
    "explanation",
    "instrument",
    "uncertain",
    "sources",
]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _finding(**overrides: Any) -> dict[str, Any]:
    finding: dict[str, Any] = {
        "record_id": "A-1",
        "row": 2,
        "input_vendor": "Huawei",
        "entity_id": "huawei-technologies",
        "entity_name": "Huawei Technologies Co., Ltd.",
        "match_score": 0.97,
        "matched_name": "Huawei",
        "match_method": "normalized",
        "via": "vendor",
        "ownership_path": ["huawei-technologies"],
        "rule_id": "us-ndaa-889.b",
        "regime_id": "us-ndaa-889",
        "jurisdiction": "US",
        "status": "prohibited",
        "deadline": "2020-08-13",
        "since": "2020-08-13",
        "explanation": "Covered telecommunications equipment.",
        "instrument": "NDAA FY2019 s.889",
        "uncertain": False,
        "sources": [
            {
                "id": "far",
                "title": "FAR 52.204-25",
                "url": "https://www.acquisition.gov/far/52.204-25",
                "published": "2020-08-13",
            }
        ],
    }
    finding.update(overrides)
    return finding


def _document(*findings: dict[str, Any]) -> dict[str, Any]:
    return {"schema": "derisk.screen/1", "as_of": "2025-06-30", "findings": list(findings)}


def _parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_header_is_the_finding_fields_in_order() -> None:
    rows = _parse(render_csv(_document()))
    assert rows == [HEADER]


def test_one_row_per_finding_with_every_field() -> None:
    finding = _finding(
        ownership_path=["zte-kangxun", "zte"],
        sources=[
            {"id": "a", "title": "Designated vendor direction", "url": "https://x.example/a"},
            {"id": "b", "title": "", "url": "https://x.example/b", "published": None},
            {"id": "c", "title": "", "url": "", "published": None},
        ],
        regime_id=None,
        deadline=None,
        uncertain=True,
        match_score=1,
    )
    text = render_csv(_document(finding, _finding(record_id="A-2", row=3)))
    assert text.endswith("\r\n")
    rows = _parse(text)
    assert len(rows) == 3
    record = dict(zip(HEADER, rows[1], strict=True))
    assert record == {
        "record_id": "A-1",
        "row": "2",
        "input_vendor": "Huawei",
        "entity_id": "huawei-technologies",
        "entity_name": "Huawei Technologies Co., Ltd.",
        "match_score": "1.0",
        "matched_name": "Huawei",
        "match_method": "normalized",
        "via": "vendor",
        "decision": "",  # no analyst decision on this match
        "ownership_path": "zte-kangxun > zte",
        "rule_id": "us-ndaa-889.b",
        "regime_id": "",
        "jurisdiction": "US",
        "status": "prohibited",
        "deadline": "",
        "since": "2020-08-13",
        "explanation": "Covered telecommunications equipment.",
        "instrument": "NDAA FY2019 s.889",
        "uncertain": "true",
        # title, else URL, else id
        "sources": "Designated vendor direction | https://x.example/b | c",
    }
    assert rows[2][0] == "A-2"
    assert rows[2][HEADER.index("match_score")] == "0.97"


def test_rows_keep_the_document_order() -> None:
    doc = _document(
        _finding(row=5, record_id="r5"),
        _finding(row=2, record_id="r2", status="listed"),
        _finding(row=2, record_id="r2"),
    )
    assert [r[0] for r in _parse(render_csv(doc))[1:]] == ["r5", "r2", "r2"]


def test_hostile_vendor_names_are_prefixed_exactly() -> None:
    hostile = {
        '=HYPERLINK("http://x","y")': '\'=HYPERLINK("http://x","y")',
        "+1": "'+1",
        "-cmd": "'-cmd",
        "@SUM(A1)": "'@SUM(A1)",
        "\t=1": "'\t=1",
        "\r=1": "'\r=1",
        "  =1+2": "'  =1+2",
        " \t x": "' \t x",
        "\n@x": "'\n@x",
        "Huawei": "Huawei",
        "a=b": "a=b",
        "'=already": "'=already",
        "华为": "华为",
        "": "",
    }
    doc = _document(*(_finding(input_vendor=name, row=i) for i, name in enumerate(hostile)))
    cells = [row[HEADER.index("input_vendor")] for row in _parse(render_csv(doc))[1:]]
    assert cells == list(hostile.values())


def test_every_text_column_is_protected() -> None:
    finding: dict[str, Any] = {key: "=1+1" for key in HEADER}
    finding.update(row=-3, match_score=-0.5, uncertain=False, ownership_path=["=a", "b"])
    finding["sources"] = [{"id": "s", "title": "-title", "url": ""}]
    row = _parse(render_csv(_document(finding)))[1]
    cells = dict(zip(HEADER, row, strict=True))
    # Numbers derisk writes are numbers, not text: never prefixed.
    assert cells.pop("row") == "-3"
    assert cells.pop("match_score") == "-0.5"
    assert cells.pop("uncertain") == "false"
    assert cells.pop("ownership_path") == "'=a > b"
    assert cells.pop("sources") == "'-title"
    assert set(cells.values()) == {"'=1+1"}


def test_non_numeric_row_or_score_is_treated_as_text() -> None:
    row = _parse(render_csv(_document(_finding(row="=2", match_score="@1"))))[1]
    assert row[HEADER.index("row")] == "'=2"
    assert row[HEADER.index("match_score")] == "'@1"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (42, "42"),
        (-1, "-1"),
        (-0.25, "-0.25"),
        ("-1", "'-1"),
        ("=A1", "'=A1"),
        ("+A1", "'+A1"),
        ("@A1", "'@A1"),
        ("\tA1", "'\tA1"),
        ("\rA1", "'\rA1"),
        (" =A1", "' =A1"),
        ("\u3000=A1", "'\u3000=A1"),  # ideographic space is whitespace too
        (" A1", " A1"),
        ("A1=", "A1="),
        ("", ""),
        (Path("=x"), "'=x"),
    ],
)
def test_safe_csv_cell(value: object, expected: str) -> None:
    assert safe_csv_cell(value) == expected


def test_unicode_round_trips() -> None:
    names = ["华为技术有限公司", "Лаборатория Касперского", 'Comma, "quoted"\nnewline']
    doc = _document(*(_finding(input_vendor=name) for name in names))
    cells = [row[2] for row in _parse(render_csv(doc))[1:]]
    assert cells == names


def test_realistic_document() -> None:
    document = json.loads(FIXTURE.read_text(encoding="utf-8"))
    rows = _parse(render_csv(document))
    assert rows[0] == HEADER
    assert len(rows) == 1 + len(document["findings"])
    assert {r[HEADER.index("status")] for r in rows[1:]} == {
        "prohibited",
        "overdue",
        "remove_by",
        "license_required",
        "restricted",
        "listed",
    }


def test_empty_or_odd_document_does_not_crash() -> None:
    assert _parse(render_csv({})) == [HEADER]
    assert _parse(render_csv({"findings": "nope"})) == [HEADER]
    assert len(_parse(render_csv({"findings": [{}, 3, None]}))) == 2


@given(st.text())
def test_property_vendor_cell_is_never_a_formula(text: str) -> None:
    rows = _parse(render_csv(_document(_finding(input_vendor=text))))
    assert len(rows) == 2
    cell = rows[1][HEADER.index("input_vendor")]
    assert cell == safe_csv_cell(text)
    assert not cell.startswith(TRIGGERS)
    assert not cell.lstrip().startswith(TRIGGERS)
    # The cell is the text, or the text behind one single quote.
    assert cell == text or cell == "'" + text
    # Every other cell stays in place.
    assert rows[1][HEADER.index("entity_id")] == "huawei-technologies"


@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.none(), st.booleans()))
def test_property_safe_csv_cell(value: object) -> None:
    cell = safe_csv_cell(value)
    if isinstance(value, str):
        assert not cell.lstrip().startswith(TRIGGERS)
        assert not cell.startswith(TRIGGERS)
        assert cell in (value, "'" + value)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        assert cell == str(value)  # a number is written as it is, never prefixed
