"""The bundled knowledge base loads, every fact is sourced, errors are caught, it is versioned."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.loader import bundled_data_dir, load_bundled, load_directory
from derisk.kb.model import RegimeStatus


@pytest.fixture(scope="module")
def kb():
    return load_bundled()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(bundled_data_dir(), target)
    return target


REQUIRED_REGIMES = {
    # regime id -> jurisdiction, from the list and shared/reference/regimes.yaml
    "eu-5g-toolbox": "EU",
    "de-5g-bsig-9b-2024": "DE",
    "uk-huawei-designated-vendor-direction": "GB",
    "se-pts-5g-2020": "SE",
    "nl-bvit-2019": "NL",
    "ca-telecom-policy-2022": "CA",
    "us-ndaa-fy2019-889": "US",
    "us-fcc-covered-list": "US",
    "us-ndaa-fy2023-5949": "US",
    "us-dod-1260h": "US",
    "cn-unreliable-entity-list": "CN",
    "cn-state-funded-dc-ai-chips-2025": "CN",
}


def test_required_regimes_present(kb) -> None:
    for regime_id, jurisdiction in REQUIRED_REGIMES.items():
        assert kb.regimes[regime_id].jurisdiction == jurisdiction


def test_german_deadlines_match_the_2024_agreements(kb) -> None:
    # 11 July 2024 BMI agreements: core by end of 2026, management systems by end of 2029.
    provisions = {p.id: p for p in kb.regimes["de-5g-bsig-9b-2024"].provisions}
    assert provisions["core"].deadline == date(2026, 12, 31)
    assert provisions["management"].deadline == date(2029, 12, 31)
    assert set(provisions["core"].covers.entities) == {"huawei", "zte"}


def test_fcc_covered_list_dates_match_the_fcc_table(kb) -> None:
    # Dates from the FCC Covered List table (fcc.gov/supplychain/coveredlist).
    entries = {e.entity: e.listed for e in kb.lists["us-fcc-covered-list"].entries}
    assert entries["huawei"] == date(2021, 3, 12)
    assert entries["kaspersky-ao"] == date(2022, 3, 25)
    assert entries["china-unicom-americas"] == date(2022, 9, 20)
    assert entries["kaspersky-inc"] == date(2024, 7, 23)
    assert entries["digitalsystem-tech"] == date(2026, 7, 7)


def test_techinsights_on_the_uel_since_2025_10_09(kb) -> None:
    entries = {e.entity: e.listed for e in kb.lists["cn-unreliable-entity-list"].entries}
    assert entries["techinsights"] == date(2025, 10, 9)


def test_every_fact_cites_a_known_source(kb) -> None:
    facts = [
        *kb.entities.values(),
        *kb.ownership,
        *kb.lists.values(),
        *(e for x in kb.lists.values() for e in x.entries),
        *kb.regimes.values(),
        *(p for r in kb.regimes.values() for p in r.provisions),
        *kb.products,
    ]
    assert facts
    for fact in facts:
        assert fact.sources, fact
        assert all(s in kb.sources for s in fact.sources)
        if len(set(fact.sources)) < 2:
            assert fact.uncertain, f"single-source fact not marked uncertain: {fact}"


def test_proposals_have_no_binding_effect(kb) -> None:
    assert kb.regimes["eu-csa2-proposal-2026"].status is RegimeStatus.PROPOSED


def test_huawei_subsidiaries_reach_huawei(kb) -> None:
    for child in ("hisilicon", "huawei-device", "huawei-duesseldorf"):
        paths = kb.ownership_paths(child, date(2027, 1, 1))
        assert any(p[-1] == "huawei" for p in paths), child


def test_divested_subsidiary_no_longer_reaches_its_former_parent(kb) -> None:
    # Honor was sold by Huawei in November 2020 (entities/huawei.yaml edge 'until').
    assert any(p[-1] == "huawei" for p in kb.ownership_paths("honor", date(2019, 1, 1)))
    assert not any(p[-1] == "huawei" for p in kb.ownership_paths("honor", date(2027, 1, 1)))


def _edit(path: Path, change) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_entry_without_source_is_rejected(data_copy: Path) -> None:
    path = data_copy / "lists" / "us-statutory.yaml"
    _edit(path, lambda d: d["lists"][0]["entries"][0].update(sources=[]))
    with pytest.raises(DeriskError) as exc:
        load_directory(data_copy)
    assert exc.value.code is ErrorCode.KB_INVALID
    assert exc.value.file == str(Path("lists") / "us-statutory.yaml")
    assert "sources" in exc.value.message


def test_schema_error_names_file_and_field(data_copy: Path) -> None:
    path = data_copy / "regimes" / "de-5g-bsig-9b-2024.yaml"
    _edit(path, lambda d: d["provisions"][0].update(effect="ban-ish"))
    with pytest.raises(DeriskError) as exc:
        load_directory(data_copy)
    assert exc.value.code is ErrorCode.KB_INVALID
    assert "provisions.0.effect" in exc.value.message


def test_unknown_source_reference_is_rejected(data_copy: Path) -> None:
    path = data_copy / "regimes" / "de-5g-bsig-9b-2024.yaml"
    _edit(path, lambda d: d["provisions"][0].update(sources=["src-does-not-exist"]))
    with pytest.raises(DeriskError, match="src-does-not-exist"):
        load_directory(data_copy)


def test_removal_without_deadline_is_rejected(data_copy: Path) -> None:
    path = data_copy / "regimes" / "de-5g-bsig-9b-2024.yaml"
    _edit(path, lambda d: d["provisions"][0].pop("deadline"))
    with pytest.raises(DeriskError, match="deadline"):
        load_directory(data_copy)


def test_version_is_stable_and_changes_with_any_fact(data_copy: Path) -> None:
    first = load_directory(data_copy).version
    assert load_directory(data_copy).version == first
    path = data_copy / "regimes" / "de-5g-bsig-9b-2024.yaml"
    _edit(path, lambda d: d["provisions"][0].update(deadline=date(2027, 6, 30)))
    changed = load_directory(data_copy).version
    assert changed != first
    alias_file = data_copy / "entities" / "zte.yaml"
    _edit(alias_file, lambda d: d["entities"][0]["aliases"].append({"name": "ZTE Test Alias"}))
    assert load_directory(data_copy).version not in (first, changed)
