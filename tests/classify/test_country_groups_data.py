"""The EAR Country Groups data (data/export_controls/country_groups.yaml) and its sources.

The spot checks below were written by hand from the sources the data file cites; each says
where its expectation comes from (source ids are in data/sources/export_controls.yaml).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from derisk.kb.model import SourceFile

DATA = Path(__file__).resolve().parents[2] / "src" / "derisk" / "data"
GROUPS_FILE = DATA / "export_controls" / "country_groups.yaml"
RULES_FILE = DATA / "export_controls" / "rules.yaml"
OWN_SOURCES = DATA / "sources" / "export_controls.yaml"

CODE = re.compile(r"^[A-Z]{2}$")
GROUPS = ("D:1", "D:4", "D:5", "A:5", "A:6")


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return _load(GROUPS_FILE)


@pytest.fixture(scope="module")
def source_ids() -> set[str]:
    ids: set[str] = set()
    for path in sorted((DATA / "sources").glob("*.yaml")):
        ids |= {s["id"] for s in _load(path)["sources"]}
    return ids


def members(doc: dict[str, Any], group: str, on: date) -> set[str]:
    """Codes in ``group`` on ``on`` (since/until inclusive, None = open)."""
    return {
        m["country"]
        for m in doc["groups"][group]["members"]
        if (m["since"] is None or m["since"] <= on) and (m["until"] is None or on <= m["until"])
    }


def licence_destinations(doc: dict[str, Any], on: date) -> set[str]:
    """D:1, D:4 or D:5 and not also A:5 or A:6 (the 3A090 geography from 2023-11-17)."""
    d = members(doc, "D:1", on) | members(doc, "D:4", on) | members(doc, "D:5", on)
    return d - members(doc, "A:5", on) - members(doc, "A:6", on)


def cited(doc: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for group in doc["groups"].values():
        out += group.get("sources", [])
        for m in group["members"]:
            out += m.get("sources", [])
    for rule in doc.get("treated_as", []):
        out += rule["sources"]
    for ms in doc.get("milestones", []):
        out += ms["sources"]
    return out


# --- structure ------------------------------------------------------------------------------


def test_yaml_parses_with_the_expected_groups(doc: dict[str, Any]) -> None:
    assert set(GROUPS) <= set(doc["groups"])
    for name in GROUPS:
        assert doc["groups"][name]["name"]
        assert doc["groups"][name]["members"]


def test_validates_against_the_classifier_schema(doc: dict[str, Any]) -> None:
    rules_model = pytest.importorskip("derisk.classify.rules_model")
    parsed = rules_model.CountryGroupFile.model_validate(doc)
    assert set(GROUPS) <= set(parsed.groups)


def test_member_codes_are_two_upper_case_letters(doc: dict[str, Any]) -> None:
    codes = [m["country"] for g in doc["groups"].values() for m in g["members"]]
    codes += [r["country"] for r in doc["treated_as"]] + [r["as"] for r in doc["treated_as"]]
    bad = [c for c in codes if not isinstance(c, str) or not CODE.match(c)]
    assert not bad, bad


def test_every_member_has_a_source_and_a_sane_period(doc: dict[str, Any]) -> None:
    for name, group in doc["groups"].items():
        for m in group["members"]:
            assert m.get("sources"), (name, m["country"])
            for key in ("since", "until"):
                assert m[key] is None or isinstance(m[key], date), (name, m["country"], key)
            if m["since"] is not None and m["until"] is not None:
                assert m["since"] <= m["until"], (name, m["country"])


def test_no_country_listed_twice_in_a_group_with_overlapping_periods(doc: dict[str, Any]) -> None:
    for name, group in doc["groups"].items():
        seen: dict[str, list[tuple[date, date]]] = {}
        for m in group["members"]:
            span = (m["since"] or date.min, m["until"] or date.max)
            for other in seen.get(m["country"], []):
                assert span[1] < other[0] or other[1] < span[0], (name, m["country"])
            seen.setdefault(m["country"], []).append(span)


def test_single_source_members_say_why(doc: dict[str, Any]) -> None:
    # A member with one source is flagged uncertain by the loader; the file must say why.
    for name, group in doc["groups"].items():
        for m in group["members"]:
            if len(set(m["sources"])) < 2:
                assert "uncertain" in (m.get("note") or ""), (name, m["country"])


def test_every_cited_source_exists(doc: dict[str, Any], source_ids: set[str]) -> None:
    missing = sorted(set(cited(doc)) - source_ids)
    assert not missing, missing


def test_own_sources_are_valid_prefixed_and_do_not_collide() -> None:
    own = SourceFile.model_validate(_load(OWN_SOURCES))
    own_ids = [s.id for s in own.sources]
    assert len(own_ids) == len(set(own_ids))
    assert all(i.startswith("src-ec-") for i in own_ids)
    others: set[str] = set()
    for path in sorted((DATA / "sources").glob("*.yaml")):
        if path != OWN_SOURCES:
            others |= {s["id"] for s in _load(path)["sources"]}
    assert not set(own_ids) & others


def cited_anywhere(node: Any) -> set[str]:
    """Every id in any ``sources`` list of a parsed YAML document."""
    if isinstance(node, dict):
        out = set(node.get("sources") or []) if isinstance(node.get("sources"), list) else set()
        for value in node.values():
            out |= cited_anywhere(value)
        return out
    if isinstance(node, list):
        return set().union(*(cited_anywhere(v) for v in node)) if node else set()
    return set()


def test_rules_cite_existing_sources(source_ids: set[str]) -> None:
    missing = sorted(cited_anywhere(_load(RULES_FILE)) - source_ids)
    assert not missing, missing


def test_every_own_source_is_cited(doc: dict[str, Any]) -> None:
    own_ids = {s["id"] for s in _load(OWN_SOURCES)["sources"]}
    used = set(cited(doc)) | cited_anywhere(_load(RULES_FILE))
    assert not own_ids - used, sorted(own_ids - used)


def test_milestones_are_dated_sourced_and_unique(doc: dict[str, Any]) -> None:
    ms = doc["milestones"]
    ids = [m["id"] for m in ms]
    assert len(ids) == len(set(ids))
    assert [m["date"] for m in ms] == sorted(m["date"] for m in ms)
    for m in ms:
        assert isinstance(m["date"], date) and m["what"] and m["sources"]


def test_milestone_dates(doc: dict[str, Any]) -> None:
    by_id = {m["id"]: m["date"] for m in doc["milestones"]}
    # BIS 2022 notices page: 87 FR 62186 effective 10/07/2022 (742.6 among the 10/07 parts).
    assert by_id["ms-2022-10-07-3a090-created"] == date(2022, 10, 7)
    # 88 FR 2821 "effective as of January 17, 2023" (Trade Practitioner; FR header 18 Jan 2023).
    assert by_id["ms-2023-01-17-macau"] == date(2023, 1, 17)
    # BIS 2023 notices page: 88 FR 73458 published 10/25/2023, effective 11/17/2023.
    assert by_id["ms-2023-11-17-acs-ifr"] == date(2023, 11, 17)
    # FR Doc. 2024-28270: effective December 2, 2024 (federalstatelaw copy of the FR).
    assert by_id["ms-2024-12-02-hbm"] == date(2024, 12, 2)
    # 90 FR 47201 DATES: "This rule is effective September 29, 2025."
    assert by_id["ms-2025-09-29-affiliates-rule"] == date(2025, 9, 29)
    # 91 FR 1684 DATES (govinfo): "The effective date of this rule is January 15, 2026."
    assert by_id["ms-2026-01-15-case-by-case"] == date(2026, 1, 15)


# --- spot checks ------------------------------------------------------------------------------

ACS_IFR = date(2023, 11, 17)  # 88 FR 73458 effective


def test_china_in_d1_d4_d5(doc: dict[str, Any]) -> None:
    # dmarcgo snapshot 2026-07-08; Baker McKenzie (HK, 2020): China is in D:1, D:3, D:4, D:5.
    for on in (date(2022, 10, 7), ACS_IFR, date(2026, 7, 8)):
        for g in ("D:1", "D:4", "D:5"):
            assert "CN" in members(doc, g, on), (g, on)


def test_germany_and_allies_in_a5(doc: dict[str, Any]) -> None:
    # Country Group A table (transcription verified against eCFR 2026-06-20): five marks A:1-A:5.
    for code in ("DE", "JP", "KR", "GB", "IN", "NL", "TR"):
        assert code in members(doc, "A:5", ACS_IFR), code
    assert "US" not in members(doc, "A:5", ACS_IFR)  # the US row has A:1-A:4 only


def test_russia(doc: dict[str, Any]) -> None:
    # D:1 (dmarcgo); D:4 from 2020-02-24 (Russia/Yemen rule, EY note); D:5 via ITAR 126.1(l)
    # from 2021-03-18 (86 FR 14802, National Law Review; D:5 = 126.1 per Fenwick).
    assert "RU" in members(doc, "D:1", ACS_IFR)
    assert "RU" in members(doc, "D:4", ACS_IFR)
    assert "RU" not in members(doc, "D:4", date(2020, 2, 23))
    assert "RU" in members(doc, "D:5", date(2022, 10, 7))
    assert "RU" not in members(doc, "D:5", date(2021, 3, 17))


def test_macau_in_d1_and_d4_but_not_d5(doc: dict[str, Any]) -> None:
    # dmarcgo: MO in D:1, D:3, D:4 and not D:5; ACA covers D:1/D:4 "except Macau and D:5"
    # (Baker McKenzie, April 2024), so Macau is named separately in the 3A090 rules.
    assert "MO" in members(doc, "D:1", ACS_IFR)
    assert "MO" in members(doc, "D:4", ACS_IFR)
    assert "MO" not in members(doc, "D:5", ACS_IFR)


def test_israel_in_d4_and_a6_so_outside_the_licence_geography(doc: dict[str, Any]) -> None:
    # dmarcgo: IL in D:2, D:3, D:4; A table transcription: Israel marked A:6 only.
    assert "IL" in members(doc, "D:4", ACS_IFR)
    assert "IL" in members(doc, "A:6", ACS_IFR)
    assert "IL" not in licence_destinations(doc, ACS_IFR)


def test_nicaragua_added_2024_03_15(doc: dict[str, Any]) -> None:
    # 89 FR 18780, effective 2024-03-15: from Country Group B to D:1, and added to D:5.
    for g in ("D:1", "D:5"):
        assert "NI" not in members(doc, g, date(2024, 3, 14))
        assert "NI" in members(doc, g, date(2024, 3, 15))


def test_cambodia_left_d5_but_not_d1(doc: dict[str, Any]) -> None:
    # 86 FR 70015 added KH to D:5 on 2021-12-09; the ITAR rule of 2025-11-07 removed it
    # (DLA Piper), BIS conformed on 2026-02-03 (FR Doc. 2026-02262); dmarcgo keeps KH in D:1.
    assert "KH" in members(doc, "D:5", ACS_IFR)
    assert "KH" in members(doc, "D:5", date(2025, 11, 6))
    assert "KH" not in members(doc, "D:5", date(2025, 11, 7))
    assert "KH" in members(doc, "D:1", date(2026, 7, 8))


def test_cyprus_left_d5_and_is_in_a6(doc: dict[str, Any]) -> None:
    # 89 FR 40369 (effective 2024-05-30): Cyprus no longer D:5. 85 FR 84211: A:6 from 2020-12-28.
    assert "CY" in members(doc, "D:5", ACS_IFR)
    assert "CY" not in members(doc, "D:5", date(2024, 5, 30))
    assert "CY" in members(doc, "A:6", ACS_IFR)
    assert "CY" not in licence_destinations(doc, ACS_IFR)


def test_uae_moves_from_d4_to_a5(doc: dict[str, Any]) -> None:
    # dmarcgo (2026-07-08) still lists AE in D:4; FR Doc. 2026-14132, published 2026-07-14,
    # removes it from D:3/D:4 and adds it to A:5.
    assert "AE" in members(doc, "D:4", date(2026, 7, 13))
    assert "AE" not in members(doc, "D:4", date(2026, 7, 14))
    assert "AE" in members(doc, "A:5", date(2026, 7, 14))
    assert "AE" in licence_destinations(doc, ACS_IFR)
    assert "AE" not in licence_destinations(doc, date(2026, 8, 1))


def test_belarus_in_d4_since_2022_03_02(doc: dict[str, Any]) -> None:
    # 87 FR 13048 (effective 2022-03-02): Belarus from A:4 to D:2 and D:4 (Baker McKenzie).
    assert "BY" not in members(doc, "D:4", date(2022, 3, 1))
    assert "BY" in members(doc, "D:4", date(2022, 10, 7))
    assert "BY" in members(doc, "D:5", date(2022, 10, 7))


def test_hong_kong_is_treated_as_china(doc: dict[str, Any]) -> None:
    # 85 FR 83765 (effective 2020-12-23): Hong Kong no longer a separate destination; it had
    # been in A:6 (Baker McKenzie).
    (rule,) = [r for r in doc["treated_as"] if r["country"] == "HK"]
    assert rule["as"] == "CN" and rule["since"] == date(2020, 12, 23)
    assert "HK" in members(doc, "A:6", date(2020, 12, 22))
    assert "HK" not in members(doc, "A:6", date(2020, 12, 23))
    for g in GROUPS:
        assert "HK" not in members(doc, g, ACS_IFR)


def test_licence_geography_after_the_2023_rule(doc: dict[str, Any]) -> None:
    # D:1/D:4/D:5 minus A:5/A:6 (88 FR 73458): Gulf states and Vietnam in, allies out.
    dest = licence_destinations(doc, ACS_IFR)
    assert {"CN", "RU", "IR", "SA", "AE", "VN", "KZ", "PK", "MO"} <= dest
    assert not {"DE", "JP", "IL", "TW", "SG", "IN", "HK"} & dest


def test_no_country_is_both_arms_embargoed_and_a5(doc: dict[str, Any]) -> None:
    for on in (date(2022, 10, 7), ACS_IFR, date(2025, 1, 1), date(2026, 8, 1)):
        assert not members(doc, "D:5", on) & members(doc, "A:5", on), on
