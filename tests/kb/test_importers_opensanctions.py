"""OpenSanctions source CSVs: cn_sanctions, DoD 1260H, special legislation, BIS MIEU.

Expected values are read off the fixture rows (tests/fixtures/importers, slices of the real
files) and, for the full-file tests, counted by hand from /work/shared/data.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from tests.shared_data import SHARED_DATA

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.importers import FORMATS, import_file
from derisk.kb.importers.base import ImportBatch
from derisk.kb.importers.opensanctions import split_trailing_short_name
from derisk.kb.model import ListEntry

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "importers"
SHARED = SHARED_DATA


def entry(batch: ImportBatch, list_id: str, entity_id: str) -> ListEntry:
    found = [e for e in batch.restricted_list(list_id).entries if e.entity == entity_id]
    assert len(found) == 1, (list_id, entity_id, found)
    return found[0]


def aliases(batch: ImportBatch, entity_id: str) -> set[tuple[str, str, str | None]]:
    return {(a.name, a.kind, a.lang) for a in batch.entity(entity_id).aliases}


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# -- cn_sanctions ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cn() -> ImportBatch:
    return import_file("opensanctions", FIXTURES / "cn_sanctions_slice.csv")


def test_cn_uel_entry_from_row(cn: ImportBatch) -> None:
    # slice row 10: Company,,TechInsights Inc.,,TechInsights公司,, ... UEL,09.10.2025
    e = entry(cn, "cn-unreliable-entity-list", "imp-techinsights-inc")
    assert e.listed == date(2025, 10, 9)
    assert e.removed is None
    ent = cn.entity("imp-techinsights-inc")
    assert ent.name == "TechInsights Inc."
    assert ent.country is None
    assert aliases(cn, ent.id) == {("TechInsights公司", "local", "zh-Hans")}
    # row 5: Lockheed Martin Corporation, UEL, 16.02.23 (two-digit year)
    assert entry(cn, "cn-unreliable-entity-list", "imp-lockheed-martin-corporation").listed == (
        date(2023, 2, 16)
    )


def test_cn_list_metadata(cn: ImportBatch) -> None:
    uel = cn.restricted_list("cn-unreliable-entity-list")
    assert (uel.name, uel.jurisdiction, uel.publisher) == (
        "Unreliable Entity List",
        "CN",
        "Ministry of Commerce (MOFCOM)",
    )
    assert [lst.id for lst in cn.lists] == [
        "cn-countermeasures",
        "cn-export-control-list",
        "cn-export-control-watch-list",
        "cn-unreliable-entity-list",
    ]
    # bodies of the countermeasure rows, in order of appearance (rows 2, 4, 7)
    assert cn.restricted_list("cn-countermeasures").publisher == (
        "Ministry of Foreign Affairs; Taiwan Affairs Office of the State Council"
    )
    assert len(cn.restricted_list("cn-unreliable-entity-list").entries) == 4
    assert len(cn.restricted_list("cn-countermeasures").entries) == 3


def test_cn_same_company_spelled_twice_is_one_entity(cn: ImportBatch) -> None:
    # row 7 "TCOM, Limited Partnership" (MFA decision 18.09.2024), row 9 "TCOM,Limited
    # Partnership" (UEL 04.03.2025)
    tcom = [e for e in cn.entities if e.name.startswith("TCOM")]
    assert len(tcom) == 1
    assert tcom[0].name == "TCOM, Limited Partnership"
    assert entry(cn, "cn-countermeasures", tcom[0].id).listed == date(2024, 9, 18)
    assert entry(cn, "cn-unreliable-entity-list", tcom[0].id).listed == date(2025, 3, 4)


def test_cn_aliases_countries_end_dates(cn: ImportBatch) -> None:
    # row 8: Teal Drones, Inc. | Alias "Teal Drones;iDrone" | 蒂尔无人机公司 | Export Controls
    assert aliases(cn, "imp-teal-drones-inc") == {
        ("Teal Drones", "alias", None),
        ("iDrone", "alias", None),
        ("蒂尔无人机公司", "local", "zh-Hans"),
    }
    assert entry(cn, "cn-export-control-list", "imp-teal-drones-inc").listed == date(2026, 6, 22)
    # row 12: SUBARU Corporation, Country "Japan", Export Control Watch List, 24.02.2026
    assert cn.entity("imp-subaru-corporation").country == "JP"
    watch = entry(cn, "cn-export-control-watch-list", "imp-subaru-corporation")
    assert watch.listed == date(2026, 2, 24)
    # row 4: Skyla, TW, Taiwan Affairs Office, no list named, 03.08.22 - 13.07.23
    skyla = entry(cn, "cn-countermeasures", "imp-skyla")
    assert (skyla.listed, skyla.removed) == (date(2022, 8, 3), date(2023, 7, 13))
    assert cn.entity("imp-skyla").country == "TW"


def test_cn_skipped_and_sources(cn: ImportBatch) -> None:
    # row 3 is a Person (James Donald Taiclet, UEL); row 6 has no Date
    assert [s.row for s in cn.skipped] == [3, 6]
    assert "person" in cn.skipped[0].reason
    assert len(cn.entities) == 8
    sid = cn.sources[0].id
    assert sid == f"import-opensanctions-{cn.sha256[:12]}"
    assert cn.sources[0].retrieved is None
    assert "cn_sanctions_slice.csv" in cn.sources[0].title
    assert all(e.sources == [sid] for e in cn.entities)
    assert all(lst.sources == [sid] for lst in cn.lists)
    assert all(e.sources == [sid] for lst in cn.lists for e in lst.entries)


def test_cn_bom_gives_the_same_batch(tmp_path: Path, cn: ImportBatch) -> None:
    data = (FIXTURES / "cn_sanctions_slice.csv").read_bytes()
    p = tmp_path / "bom.csv"
    p.write_bytes(b"\xef\xbb\xbf" + data)
    batch = import_file("opensanctions", p)
    assert batch.sha256 != cn.sha256  # the bytes differ, so does the source id
    drop = {"sources": True, "entries": {"__all__": {"sources"}}}
    assert [e.model_dump(exclude={"sources"}) for e in batch.entities] == [
        e.model_dump(exclude={"sources"}) for e in cn.entities
    ]
    assert [lst.model_dump(exclude=drop) for lst in batch.lists] == [
        lst.model_dump(exclude=drop) for lst in cn.lists
    ]


def test_cn_malformed_date_is_dr402_with_row_and_column(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "cn.csv",
        "Type,Name,Alias,Chinese name,Country,Body,List,Date,End date\n"
        "Company,Good Co,,,US,Ministry of Commerce,UEL,09.10.2025,\n"
        "Company,Bad Co,,,US,Ministry of Commerce,UEL,31.02.2025,\n",
    )
    with pytest.raises(DeriskError) as info:
        import_file("opensanctions", p)
    err = info.value
    assert err.code is ErrorCode.IMPORT_MALFORMED
    assert (err.row, err.column) == (3, "Date")
    assert "31.02.2025" in err.message


def test_cn_hostile_text_kept_verbatim(tmp_path: Path) -> None:
    name = '=HYPERLINK("http://x.example","<b>Evil</b>")'
    p = write(
        tmp_path,
        "cn.csv",
        'Type,Name,Alias,Chinese name,Country,Body,List,Date,End date\nCompany,"'
        + name.replace('"', '""')
        + '",,,US,Ministry of Commerce,UEL,09.10.2025,\n',
    )
    batch = import_file("opensanctions", p)
    assert [e.name for e in batch.entities] == [name]
    assert batch.entities[0].id.startswith("imp-hyperlink-http-x-example")


# -- DoD 1260H ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dod() -> ImportBatch:
    return import_file("opensanctions", FIXTURES / "dod_1260h_slice.csv")


def test_dod_huawei_one_entity_one_entry_with_parent(dod: ImportBatch) -> None:
    # rows 7, 9, 15: Huawei Technologies Co., Ltd. in the 2021, 2025 and 2026 tranches
    huawei = dod.entity("imp-huawei-technologies-co-ltd")
    assert huawei.name == "Huawei Technologies Co., Ltd."
    assert ("Huawei", "alias", None) in aliases(dod, huawei.id)
    e = entry(dod, "us-dod-1260h", huawei.id)
    assert (e.listed, e.removed) == (date(2021, 6, 3), None)
    assert [(o.parent, o.child, o.share) for o in dod.ownership if o.child == huawei.id] == [
        ("imp-huawei-investment-holding-co-ltd", huawei.id, None)
    ]
    lst = dod.restricted_list("us-dod-1260h")
    assert (lst.jurisdiction, lst.publisher, lst.covers_subsidiaries) == (
        "US",
        "U.S. Department of Defense",
        False,
    )


def test_dod_removals(dod: ImportBatch) -> None:
    # row 3: Megvii 2024-01-31 with End date 2025-01-07
    megvii = entry(dod, "us-dod-1260h", "imp-beijing-megvii-technology-co-ltd")
    assert (megvii.listed, megvii.removed) == (date(2024, 1, 31), date(2025, 1, 7))
    # row 4: CNOOC Limited only in the 2021 tranche, absent from the full 2025 tranche
    cnooc = entry(dod, "us-dod-1260h", "imp-cnooc-limited")
    assert (cnooc.listed, cnooc.removed) == (date(2021, 6, 3), date(2025, 1, 7))


def test_dod_rename_and_also_known_as_merge(dod: ImportBatch) -> None:
    # rows 2, 11: ZEMIC (2021, 2025); row 12: AVIC Chengdu Aircraft (2026), formerly ZEMIC
    avic = dod.entity("imp-avic-chengdu-aircraft-co-ltd")
    assert {
        ("Zhonghang Electronic Measuring Instruments Company Limited", "former", None),
        ("ZEMIC", "former", None),
    } <= aliases(dod, avic.id)
    assert entry(dod, "us-dod-1260h", avic.id).listed == date(2021, 6, 3)
    assert not any(e.name.startswith("Zhonghang") for e in dod.entities)
    # rows 5, 13: Hesai Technology (2024) and "Hesai Group (also known as Hesai Technology)"
    hesai = entry(dod, "us-dod-1260h", "imp-hesai-group")
    assert (hesai.listed, hesai.removed) == (date(2024, 1, 31), None)
    assert "2025-01-07" in (hesai.note or "")


def test_dod_trailing_short_name_and_unlisted_parents(dod: ImportBatch) -> None:
    # row 10 Clean Name "MGI Tech Co., Ltd. (MGI)" (2025), row 16 "MGI Tech Co., Ltd." (2026)
    mgi = entry(dod, "us-dod-1260h", "imp-mgi-tech-co-ltd")
    assert mgi.listed == date(2025, 1, 7)
    parents = {(o.parent, o.child) for o in dod.ownership}
    assert parents == {
        ("imp-huawei-investment-holding-co-ltd", "imp-huawei-technologies-co-ltd"),
        ("imp-aviation-industry-corporation-of-china-ltd", "imp-avic-chengdu-aircraft-co-ltd"),
        ("imp-china-national-offshore-oil-corporation", "imp-cnooc-limited"),
        ("imp-bgi-group", "imp-mgi-tech-co-ltd"),
    }
    listed = {e.entity for e in dod.restricted_list("us-dod-1260h").entries}
    assert len(listed) == 7
    assert len(dod.entities) == 10  # 7 listed + 3 parents not listed in the slice
    assert "imp-bgi-group" not in listed


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("MGI Tech Co., Ltd. (MGI)", ("MGI Tech Co., Ltd.", "MGI")),
        ("Aerospace CH UAV Co., Ltd (CH UAV)", ("Aerospace CH UAV Co., Ltd", "CH UAV")),
        ("China Communications Construction Group (Limited)", None),
        ("Semiconductor Manufacturing International (Beijing) Corporation", None),
        ("China Unicom (BVI) Co., Ltd.", None),
    ],
)
def test_split_trailing_short_name(name: str, expected: tuple[str, str] | None) -> None:
    assert split_trailing_short_name(name) == (expected or (name, None))


def test_dod_malformed_start_date(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "dod.csv",
        "Name,Clean Name,Alias,Previous Name,Parent Name,Note,Start date,End date,Source Url\n"
        "X Co. (X),X Co.,X,,,,2024-13-01,,\n",
    )
    with pytest.raises(DeriskError) as info:
        import_file("opensanctions", p)
    assert info.value.code is ErrorCode.IMPORT_MALFORMED
    assert (info.value.row, info.value.column) == (2, "Start date")


# -- special legislation -----------------------------------------------------------------------


def test_section_889_uses_enactment_date() -> None:
    batch = import_file("opensanctions", FIXTURES / "section_889.csv")
    lst = batch.restricted_list("us-ndaa-889")
    assert {e.entity for e in lst.entries} == {
        "imp-dahua-technology-company",
        "imp-hangzhou-hikvision-digital-technology-company",
        "imp-huawei-technologies-company",
        "imp-hytera-communications-corporation",
        "imp-zte-corporation",
    }
    assert {e.listed for e in lst.entries} == {date(2018, 8, 13)}
    assert lst.covers_subsidiaries is True


def test_section_154_and_1286() -> None:
    s154 = import_file("opensanctions", FIXTURES / "section_154_slice.csv")
    # row 3: Contemporary Amperex Technology Company, Limited | CATL | start-date October 1, 2027
    catl = entry(s154, "us-ndaa-154", "imp-contemporary-amperex-technology-company-limited")
    assert catl.listed == date(2027, 10, 1)
    assert ("CATL", "alias", None) in aliases(s154, catl.entity)
    s1286 = import_file("opensanctions", FIXTURES / "section_1286_slice.csv")
    assert s1286.entities == [] and s1286.lists == []
    assert [s.row for s in s1286.skipped] == [2, 3]
    assert "us-ndaa-1286" in s1286.skipped[0].reason


def test_inksna() -> None:
    batch = import_file("opensanctions", FIXTURES / "inksna_slice.csv")
    # row 3: EXPTRANS GMBH S.A.R.L., Lebanon, 2026-01-22 .. 2028-01-22
    e = entry(batch, "us-inksna", "imp-exptrans-gmbh-s-a-r-l")
    assert (e.listed, e.removed) == (date(2026, 1, 22), date(2028, 1, 22))
    assert e.scope == "and any successor, sub-unit, or subsidiary thereof"
    assert batch.entity(e.entity).country == "LB"
    # row 4: 1061st Material-Technical Support Center, MTSC, Russia
    mtsc = batch.entity("imp-1061st-material-technical-support-center")
    assert (mtsc.country, aliases(batch, mtsc.id)) == ("RU", {("MTSC", "alias", None)})
    assert [s.row for s in batch.skipped] == [2, 5]  # persons


def test_special_leg_unknown_program_is_dr402(tmp_path: Path) -> None:
    header = "schema,name,aliases,topics,program,authority,reason,report-date,start-date,"
    p = write(
        tmp_path,
        "leg.csv",
        header + "end-date,country,notes,source_url\n"
        "Company,X Co,,,Section 9999 of Something,Congress,,,2024-01-01,,,,\n",
    )
    with pytest.raises(DeriskError) as info:
        import_file("opensanctions", p)
    assert (info.value.code, info.value.row, info.value.column) == (
        ErrorCode.IMPORT_MALFORMED,
        2,
        "program",
    )


# -- BIS MIEU ----------------------------------------------------------------------------------


def test_bis_mieu() -> None:
    batch = import_file("opensanctions", FIXTURES / "bis_mieu_slice.csv")
    # row 4: Main Intelligence Directorate, GRU, RU, 2021-03-16
    gru = batch.entity("imp-main-intelligence-directorate")
    assert (gru.country, aliases(batch, gru.id)) == ("RU", {("GRU", "alias", None)})
    assert entry(batch, "us-bis-mieu", gru.id).listed == date(2021, 3, 16)
    assert len(batch.restricted_list("us-bis-mieu").entries) == 3


# -- errors ------------------------------------------------------------------------------------


def test_unknown_header_is_dr401(tmp_path: Path) -> None:
    p = write(tmp_path, "x.csv", "foo,bar\n1,2\n")
    with pytest.raises(DeriskError) as info:
        import_file("opensanctions", p)
    assert info.value.code is ErrorCode.IMPORT_FORMAT
    assert "cn_sanctions.csv" in info.value.message


def test_unknown_format_lists_known(tmp_path: Path) -> None:
    with pytest.raises(DeriskError) as info:
        import_file("nope", tmp_path / "x.csv")
    assert info.value.code is ErrorCode.IMPORT_FORMAT
    for name in FORMATS:
        assert name in info.value.message


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(DeriskError) as info:
        import_file("opensanctions", tmp_path / "absent.csv")
    assert info.value.code is ErrorCode.INPUT_NOT_FOUND
    p = tmp_path / "latin1.csv"
    p.write_bytes("Type,Name,List,Date\nCompany,Soci\xe9t\xe9,UEL,09.10.2025\n".encode("latin-1"))
    with pytest.raises(DeriskError) as info:
        import_file("opensanctions", p)
    assert info.value.code is ErrorCode.INPUT_ENCODING


def test_deterministic() -> None:
    a = import_file("opensanctions", FIXTURES / "dod_1260h_slice.csv")
    b = import_file("opensanctions", FIXTURES / "dod_1260h_slice.csv")
    assert a == b


# -- the full real files, when present ---------------------------------------------------------

CN_FILE = SHARED / "os-cn-sanctions" / "cn_sanctions.csv"
DOD_FILE = SHARED / "os-dod-1260h" / "dod_1260h_chinese_military_companies.csv"
LEG_DIR = SHARED / "os-us-special-leg"
MIEU_FILE = SHARED / "os-bis-mieu" / "bis_mieu.csv"


@pytest.mark.skipif(not CN_FILE.exists(), reason="shared data not available")
def test_real_cn_sanctions() -> None:
    batch = import_file("opensanctions", CN_FILE)
    counts = {lst.id: len(lst.entries) for lst in batch.lists}
    # UEL: 59 Company + 1 Organization rows (6 UEL persons skipped); Export Control List:
    # 145 + 8; Watch List: 40; countermeasures: 161 dated organisation rows, 130 organisations
    assert counts == {
        "cn-unreliable-entity-list": 60,
        "cn-export-control-list": 153,
        "cn-export-control-watch-list": 40,
        "cn-countermeasures": 130,
    }
    assert len(batch.entities) == 290  # 298 names; 7 spelled twice; 1 undated row
    assert len(batch.skipped) == 196  # 195 persons + "Alliance of Democracies Foundation"
    e = entry(batch, "cn-unreliable-entity-list", "imp-techinsights-inc")
    assert e.listed == date(2025, 10, 9)


@pytest.mark.skipif(not DOD_FILE.exists(), reason="shared data not available")
def test_real_dod_1260h() -> None:
    batch = import_file("opensanctions", DOD_FILE)
    entries = batch.restricted_list("us-dod-1260h").entries
    assert len(entries) == 217
    assert len(batch.entities) == 217  # every parent is itself listed
    assert sum(1 for e in entries if e.removed) == 29
    assert len(batch.ownership) == 133
    assert batch.skipped == []
    huawei = entry(batch, "us-dod-1260h", "imp-huawei-technologies-co-ltd")
    assert (huawei.listed, huawei.removed) == (date(2021, 6, 3), None)
    assert any(
        o.parent == "imp-huawei-investment-holding-co-ltd" and o.child == huawei.entity
        for o in batch.ownership
    )
    # Costar Group: 2021 and 2025 rows, End date 2026-02-17 on the 2025 row
    costar = entry(batch, "us-dod-1260h", "imp-costar-group-co-ltd")
    assert (costar.listed, costar.removed) == (date(2021, 6, 3), date(2026, 2, 17))


@pytest.mark.skipif(not LEG_DIR.exists(), reason="shared data not available")
@pytest.mark.parametrize(
    ("file", "list_id", "entries", "skipped"),
    [
        ("section_889.csv", "us-ndaa-889", 5, 0),
        ("section_5949.csv", "us-ndaa-5949", 3, 0),
        ("section_154.csv", "us-ndaa-154", 6, 0),
        ("section_1286.csv", None, 0, 443),  # no row has a start-date
        ("section_353.csv", None, 0, 167),  # all persons
        ("inksna.csv", "us-inksna", 14, 14),  # 14 companies, 14 persons
    ],
)
def test_real_special_leg(file: str, list_id: str | None, entries: int, skipped: int) -> None:
    batch = import_file("opensanctions", LEG_DIR / file)
    assert len(batch.skipped) == skipped
    if list_id is None:
        assert batch.lists == []
    else:
        assert [lst.id for lst in batch.lists] == [list_id]
        assert len(batch.lists[0].entries) == entries


@pytest.mark.skipif(not MIEU_FILE.exists(), reason="shared data not available")
def test_real_bis_mieu() -> None:
    batch = import_file("opensanctions", MIEU_FILE)
    assert len(batch.restricted_list("us-bis-mieu").entries) == 13
    assert batch.skipped == []
