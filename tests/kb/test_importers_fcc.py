"""The FCC Covered List table importer (format ``fcc-covered-list``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.shared_data import SHARED_DATA

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.importers import import_file
from derisk.kb.importers.base import ImportBatch
from derisk.kb.importers.fcc import Named, extract_entities

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "importers"
REAL = SHARED_DATA / "os-fcc-covered-list" / "fcc_covered_list_table.csv"
HEADER = "covered_equipment_or_services,date_of_inclusion_on_covered_list\n"


@pytest.fixture(scope="module")
def fcc() -> ImportBatch:
    return import_file("fcc-covered-list", FIXTURES / "fcc_covered_list_table.csv")


def listed(batch: ImportBatch) -> dict[str, date]:
    return {e.entity: e.listed for e in batch.restricted_list("us-fcc-covered-list").entries}


def test_named_producers_and_dates(fcc: ImportBatch) -> None:
    assert listed(fcc) == {
        "imp-huawei-technologies-company": date(2021, 3, 12),
        "imp-zte-corporation": date(2021, 3, 12),
        "imp-hytera-communications-corporation": date(2021, 3, 12),
        "imp-hangzhou-hikvision-digital-technology-company": date(2021, 3, 12),
        "imp-dahua-technology-company": date(2021, 3, 12),
        "imp-ao-kaspersky-lab": date(2022, 3, 25),
        "imp-china-mobile-international-usa-inc": date(2022, 3, 25),
        "imp-china-telecom-americas-corp": date(2022, 3, 25),
        "imp-pacific-networks-corp": date(2022, 9, 20),
        "imp-comnet-usa-llc": date(2022, 9, 20),
        "imp-china-unicom-americas-operations-limited": date(2022, 9, 20),
        "imp-kaspersky-lab-inc": date(2024, 7, 23),
        "imp-digitalsystem-technology-inc": date(2026, 7, 7),
    }
    names = {e.id: e.name for e in fcc.entities}
    assert names["imp-kaspersky-lab-inc"] == "Kaspersky Lab, Inc."
    assert names["imp-china-telecom-americas-corp"] == "China Telecom (Americas) Corp."
    assert names["imp-digitalsystem-technology-inc"] == "Digitalsystem Technology Inc."
    assert names["imp-comnet-usa-llc"] == "ComNet (USA) LLC"


def test_two_entities_from_one_row_with_ownership(fcc: ImportBatch) -> None:
    entries = fcc.restricted_list("us-fcc-covered-list").entries
    row10 = (
        "International telecommunications services provided by Pacific Networks Corp and its "
        "wholly-owned subsidiary ComNet (USA) LLC subject to section 214 of the Communications "
        "Act of 1934."
    )
    assert {e.entity for e in entries if e.scope == row10} == {
        "imp-pacific-networks-corp",
        "imp-comnet-usa-llc",
    }
    assert [(o.parent, o.child, o.share) for o in fcc.ownership] == [
        ("imp-pacific-networks-corp", "imp-comnet-usa-llc", 1.0)
    ]


def test_categories_skipped_and_list_metadata(fcc: ImportBatch) -> None:
    # rows 13 (UAS), 14 (routers), 16 (power inverters), 17 (advanced robotic devices)
    assert [(s.row, s.reason) for s in fcc.skipped] == [
        (n, "category entry, no named entity") for n in (13, 14, 16, 17)
    ]
    lst = fcc.restricted_list("us-fcc-covered-list")
    assert (lst.jurisdiction, lst.publisher, lst.covers_subsidiaries) == (
        "US",
        "Federal Communications Commission",
        True,
    )
    assert fcc.sources[0].url == "https://www.fcc.gov/supplychain/coveredlist"
    assert fcc.sources[0].retrieved is None


def test_update_dates_kept(tmp_path: Path) -> None:
    p = tmp_path / "fcc.csv"
    p.write_text(
        HEADER + '"Equipment produced by Example Drone Co., including services.",'
        '"December 22, 2025Updated:January 7, 2026Updated:March 18, 2026"\n',
        encoding="utf-8",
    )
    batch = import_file("fcc-covered-list", p)
    (e,) = batch.restricted_list("us-fcc-covered-list").entries
    assert e.entity == "imp-example-drone-co"
    assert e.listed == date(2025, 12, 22)
    assert e.note == "Updated: 2026-01-07, 2026-03-18."
    assert e.scope == "Equipment produced by Example Drone Co., including services."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Telecommunications equipment produced by Huawei Technologies Company, including "
            "telecommunications or video surveillance services provided by such entity.",
            [Named("Huawei Technologies Company")],
        ),
        (
            "Information security products, solutions, and services supplied, directly or "
            "indirectly, by AO Kaspersky Lab or any of its predecessors, successors, parents.",
            [Named("AO Kaspersky Lab")],
        ),
        (
            "Cybersecurity and anti-virus software produced or provided by Kaspersky Lab, Inc. "
            "or any of its successors and assignees.",
            [Named("Kaspersky Lab, Inc.")],
        ),
        (
            "International telecommunications services provided by Digitalsystem Technology "
            "Inc., subject to section 214 of the Communications Act of 1934.",
            [Named("Digitalsystem Technology Inc.")],
        ),
        (
            "Routers ^ produced in a foreign country, except routers which have been granted a "
            "Conditional Approval by DoW or DHS.",
            [],
        ),
        ("Services provided by such entity.", []),
    ],
)
def test_extract_entities(text: str, expected: list[Named]) -> None:
    assert extract_entities(text) == expected


_WORD = st.from_regex(r"[A-Z][a-z]{1,8}", fullmatch=True)
_NAME = st.builds(
    lambda words, suffix: " ".join([*words, suffix]).strip(),
    st.lists(_WORD, min_size=1, max_size=4),
    st.sampled_from(["", "Inc.", "Corp.", "Company", "Co., Ltd.", "(USA) LLC"]),
)


_TAILS = [", including services.", " or any of its affiliates.", " subject to section 214."]


@given(_NAME, st.sampled_from(_TAILS))
def test_extract_entities_finds_any_producer_name(name: str, tail: str) -> None:
    assert extract_entities(f"Equipment produced by {name}{tail}") == [Named(name)]


def test_malformed_date_is_dr402(tmp_path: Path) -> None:
    p = tmp_path / "fcc.csv"
    p.write_text(HEADER + '"Equipment produced by X Corp.","Marchember 12, 2021"\n', "utf-8")
    with pytest.raises(DeriskError) as info:
        import_file("fcc-covered-list", p)
    err = info.value
    assert (err.code, err.row, err.column) == (
        ErrorCode.IMPORT_MALFORMED,
        2,
        "date_of_inclusion_on_covered_list",
    )


def test_wrong_header_is_dr401(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("name,date\nX,2021-01-01\n", encoding="utf-8")
    with pytest.raises(DeriskError) as info:
        import_file("fcc-covered-list", p)
    assert info.value.code is ErrorCode.IMPORT_FORMAT


@pytest.mark.skipif(not REAL.exists(), reason="shared data not available")
def test_real_file() -> None:
    batch = import_file("fcc-covered-list", REAL)
    # 16 rows: 11 rows naming one producer, one naming two, 4 category rows
    assert len(batch.entities) == 13
    assert len(batch.restricted_list("us-fcc-covered-list").entries) == 13
    assert len(batch.skipped) == 4
    assert listed(batch)["imp-kaspersky-lab-inc"] == date(2024, 7, 23)
