"""The trade.gov Consolidated Screening List importer (format ``trade-csl``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from tests.shared_data import SHARED_DATA

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.importers import import_file
from derisk.kb.importers.base import ImportBatch
from derisk.kb.importers.csl import list_for_source
from derisk.kb.model import ListEntry

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "importers"
REAL = SHARED_DATA / "watchman-csl"


def entry(batch: ImportBatch, list_id: str, entity_id: str) -> ListEntry:
    (found,) = [e for e in batch.restricted_list(list_id).entries if e.entity == entity_id]
    return found


@pytest.fixture(scope="module")
def csl2025() -> ImportBatch:
    return import_file("trade-csl", FIXTURES / "csl_2025.csv")


@pytest.fixture(scope="module")
def csl2019() -> ImportBatch:
    return import_file("trade-csl", FIXTURES / "csl_2019_slice.csv")


def test_2025_entity_list_row(csl2025: ImportBatch) -> None:
    # row 13: Entity List (EL), "China Electronics Technology Group Corporation 13th Research
    # Institute (CETC 13)", addresses ending "..., Hebei Province, CN", start_date 2018-08-01,
    # alt_names "Hebei Semiconductor Research Institute; HSRI; ...; and CETC Research Institute 13"
    (cetc,) = [e for e in csl2025.entities if "13th Research Institute" in e.name]
    assert cetc.name == (
        "China Electronics Technology Group Corporation 13th Research Institute (CETC 13)"
    )
    assert cetc.country == "CN"
    assert [a.name for a in cetc.aliases] == [
        "Hebei Semiconductor Research Institute",
        "HSRI",
        "Hebei Institute of Semiconductors",
        "Hebei Semiconductor Institute",
        "Hebei Semiconductor",
        "CETC Research Institute 13",
    ]
    assert len(cetc.id) <= 80
    e = entry(csl2025, "us-bis-entity-list", cetc.id)
    assert e.listed == date(2018, 8, 1)
    assert e.scope is not None and e.scope.startswith("For all items subject to the EAR")


def test_2025_isn_successor_clause_and_meu(csl2025: ImportBatch) -> None:
    # row 2: ISN, "Sinobright Import and Export Company; and any successor, sub-unit, or
    # subsidiary thereof", start_date 2023-07-19
    e = entry(csl2025, "us-isn-nonproliferation", "imp-sinobright-import-and-export-company")
    assert csl2025.entity(e.entity).name == "Sinobright Import and Export Company"
    assert e.listed == date(2023, 7, 19)
    assert e.scope == "and any successor, sub-unit, or subsidiary thereof"
    # row 4: MEU, Academy of Aerospace Solid Propulsion Technology (AASPT), Xian, CN, 2020-12-23
    meu = entry(csl2025, "us-bis-meu", "imp-academy-of-aerospace-solid-propulsion-technology-aaspt")
    assert meu.listed == date(2020, 12, 23)
    assert csl2025.entity(meu.entity).country == "CN"


def test_2025_skips(csl2025: ImportBatch) -> None:
    by_row = {s.row: s.reason for s in csl2025.skipped}
    # individuals: rows 5, 6, 10, 11; undated: UVL row 3, DTC row 7, SSI rows 9, 12, 14
    assert sorted(by_row) == [3, 5, 6, 7, 9, 10, 11, 12, 14]
    assert by_row[5].startswith("individual")
    assert "no listing date" in by_row[9]
    assert len(csl2025.entities) == 4
    # row 8: DPL "I. ASH", 2002-03-04 .. 2056-06-29
    dpl = entry(csl2025, "us-bis-dpl", "imp-i-ash")
    assert (dpl.listed, dpl.removed) == (date(2002, 3, 4), date(2056, 6, 29))


def test_2019_header_and_quirks(csl2019: ImportBatch) -> None:
    # row 2: DPL " ADRIAN MANUEL HERNANDEZ" (leading space), no type, 2017-10-16 .. 2020-10-13
    adrian = entry(csl2019, "us-bis-dpl", "imp-adrian-manuel-hernandez")
    assert csl2019.entity(adrian.entity).name == "ADRIAN MANUEL HERNANDEZ"
    assert (adrian.listed, adrian.removed) == (date(2017, 10, 16), date(2020, 10, 13))
    # rows 12, 13: Gunther Migeotte on the Entity List twice (2010-06-28, 2010-07-01)
    gm = entry(csl2019, "us-bis-entity-list", "imp-gunther-migeotte")
    assert gm.listed == date(2010, 6, 28)
    assert csl2019.entity("imp-gunther-migeotte").country == "ZA"
    # rows 9, 10: AL NASER WINGS AIRLINES twice on the DPL -> one entity, one entry
    assert entry(csl2019, "us-bis-dpl", "imp-al-naser-wings-airlines").removed == date(2019, 12, 3)
    # row 11: ISN "GE Plan", start_date 1995-05-19
    assert entry(csl2019, "us-isn-nonproliferation", "imp-ge-plan").listed == date(1995, 5, 19)
    by_row = {s.row: s.reason for s in csl2019.skipped}
    assert sorted(by_row) == [4, 5, 6, 7]  # vessel, undated DTC, individual, inmate
    assert by_row[4].startswith("vessel")
    assert "inmate" in by_row[7]
    assert len(csl2019.entities) == 6


def test_federal_register_date_fallback(tmp_path: Path) -> None:
    text = (FIXTURES / "csl_2019_slice.csv").read_text(encoding="utf-8").splitlines()
    header = text[0]
    p = tmp_path / "csl.csv"
    row = (
        "Entity List (EL) - Bureau of Industry and Security,,,,Example Trading LLC,,"
        '"1 Road, Dubai, AE","76 FR 50407 (8/15/2011)",,,,,,,,,,,,,,,,,,,,\n'
    )
    p.write_text(header + "\n" + row, encoding="utf-8")
    batch = import_file("trade-csl", p)
    e = entry(batch, "us-bis-entity-list", "imp-example-trading-llc")
    assert e.listed == date(2011, 8, 15)
    assert batch.entity(e.entity).country == "AE"


def test_malformed_start_date_is_dr402(tmp_path: Path) -> None:
    header = (FIXTURES / "csl_2019_slice.csv").read_text(encoding="utf-8").splitlines()[0]
    p = tmp_path / "csl.csv"
    p.write_text(
        header + "\nEntity List (EL) - Bureau of Industry and Security,,,,X Ltd,,CN,,"
        "2018-02-30,,,,,,,,,,,,,,,,,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(DeriskError) as info:
        import_file("trade-csl", p)
    assert (info.value.code, info.value.row, info.value.column) == (
        ErrorCode.IMPORT_MALFORMED,
        2,
        "start_date",
    )


def test_wrong_header_is_dr401(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("name,country\nX,CN\n", encoding="utf-8")
    with pytest.raises(DeriskError) as info:
        import_file("trade-csl", p)
    assert info.value.code is ErrorCode.IMPORT_FORMAT


def test_source_mapping() -> None:
    assert list_for_source("Entity List (EL) - Bureau of Industry and Security").id == (
        "us-bis-entity-list"
    )
    assert list_for_source("ITAR Debarred (DTC) - State Department").id == "us-ddtc-debarred"
    other = list_for_source("Palestinian Legislative Council List (PLC) - Treasury Department")
    assert other.id == "us-csl-other-palestinian-legislative-council-list-plc-treasury-department"
    assert other.publisher == "Treasury Department"


@pytest.mark.skipif(not (REAL / "csl_fixture_2019.csv").exists(), reason="shared data absent")
def test_real_files() -> None:
    b25 = import_file("trade-csl", REAL / "csl_fixture_2025.csv")
    assert len(b25.entities) == 4
    assert len(b25.skipped) == 9
    b19 = import_file("trade-csl", REAL / "csl_fixture_2019.csv")
    # 115 rows: 20 individuals, 2 vessels, 2 DPL inmates, 60 undated (46 typed SDN/SSI/CAP
    # entities, 10 DTC, 4 UVL); imported: EL 22 rows (Gunther Migeotte x5) -> 18, DPL 6 rows
    # (AL NASER WINGS x2) -> 5, ISN 3
    assert len(b19.skipped) == 84
    assert {lst.id: len(lst.entries) for lst in b19.lists} == {
        "us-bis-dpl": 5,
        "us-bis-entity-list": 18,
        "us-isn-nonproliferation": 3,
    }
    assert len(b19.entities) == 26
