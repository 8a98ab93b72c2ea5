"""The bundled planning data: cost model and vendor catalogue validate, are sourced, cover every
domain, name only clear vendors, and reproduce the public figures they were derived from."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from derisk.inventory.columns import KINDS
from derisk.kb.knowledge import KnowledgeBase
from derisk.kb.loader import bundled_data_dir, load_bundled
from derisk.kb.model import Domain, EntityFile, SourceFile
from derisk.plan.model import CostEntry, CostFile, VendorEntry, VendorFile

DATA = bundled_data_dir()
COSTS = DATA / "plan" / "costs.yaml"
VENDORS = DATA / "plan" / "vendors.yaml"
PLAN_SOURCES = DATA / "sources" / "plan.yaml"
VENDOR_ENTITIES = DATA / "entities" / "vendors.yaml"


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def costs() -> CostFile:
    return CostFile.model_validate(_load(COSTS))


@pytest.fixture(scope="module")
def vendors() -> VendorFile:
    return VendorFile.model_validate(_load(VENDORS))


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_bundled()


@pytest.fixture(scope="module")
def source_ids() -> set[str]:
    files = sorted((DATA / "sources").glob("*.yaml"))
    return {s.id for f in files for s in SourceFile.model_validate(_load(f)).sources}


@pytest.fixture(scope="module")
def by_id(costs: CostFile) -> dict[str, CostEntry]:
    return {c.id: c for c in costs.costs}


@pytest.fixture(scope="module")
def by_entity(vendors: VendorFile) -> dict[str, VendorEntry]:
    return {v.entity: v for v in vendors.vendors}


# --- schema and references ---------------------------------------------------------------------


def test_files_validate(costs: CostFile, vendors: VendorFile) -> None:
    assert len(costs.costs) >= 10
    assert len(vendors.vendors) >= 10


def test_one_entry_per_vendor(vendors: VendorFile) -> None:
    counts = Counter(v.entity for v in vendors.vendors)
    assert [e for e, n in counts.items() if n > 1] == []


def test_every_cited_source_exists(
    costs: CostFile, vendors: VendorFile, source_ids: set[str]
) -> None:
    cited = {s for c in costs.costs for s in c.sources}
    cited |= {s for v in vendors.vendors for s in v.sources}
    assert sorted(cited - source_ids) == []


def test_plan_source_ids_are_prefixed_and_unique_across_registry() -> None:
    own = [s.id for s in SourceFile.model_validate(_load(PLAN_SOURCES)).sources]
    assert own and all(i.startswith("src-plan-") for i in own)
    files = sorted((DATA / "sources").glob("*.yaml"))
    ids = [s.id for f in files for s in SourceFile.model_validate(_load(f)).sources]
    assert [i for i, n in Counter(ids).items() if n > 1] == []


def test_every_plan_source_is_cited(costs: CostFile, vendors: VendorFile) -> None:
    own = {s.id for s in SourceFile.model_validate(_load(PLAN_SOURCES)).sources}
    entities = EntityFile.model_validate(_load(VENDOR_ENTITIES)).entities
    used = {s for c in costs.costs for s in c.sources}
    used |= {s for v in vendors.vendors for s in v.sources}
    used |= {s for e in entities for s in e.sources}
    assert sorted(own - used) == []


def test_every_vendor_entity_is_in_the_bundled_kb(vendors: VendorFile, kb: KnowledgeBase) -> None:
    assert sorted(v.entity for v in vendors.vendors if v.entity not in kb.entities) == []


def test_added_vendor_entities_are_catalogue_vendors(by_entity: dict[str, VendorEntry]) -> None:
    added = EntityFile.model_validate(_load(VENDOR_ENTITIES)).entities
    assert added
    assert sorted(e.id for e in added if e.id not in by_entity) == []


def test_kinds_are_known_item_kinds(costs: CostFile, vendors: VendorFile) -> None:
    used = {k for c in costs.costs for k in c.kinds} | {k for v in vendors.vendors for k in v.kinds}
    assert sorted(used - set(KINDS)) == []


def test_cost_countries_are_codes_or_groups(costs: CostFile, kb: KnowledgeBase) -> None:
    for c in costs.costs:
        if c.country is not None:
            assert len(c.country) == 2 or c.country in kb.country_groups, c.id


# --- coverage ----------------------------------------------------------------------------------


@pytest.mark.parametrize("domain", list(Domain))
def test_every_domain_has_a_fallback_cost(costs: CostFile, domain: Domain) -> None:
    assert [c.id for c in costs.costs if c.domain is domain and c.country is None]


@pytest.mark.parametrize("domain", list(Domain))
def test_every_domain_has_a_vendor(vendors: VendorFile, domain: Domain) -> None:
    assert [v.entity for v in vendors.vendors if domain in v.domains]


@pytest.mark.parametrize("domain", list(Domain))
def test_every_domain_has_a_vendor_for_any_kind(vendors: VendorFile, domain: Domain) -> None:
    # Some vendor must not be limited to a few kinds, except in "other", where none is general.
    general = [v.entity for v in vendors.vendors if domain in v.domains and not v.kinds]
    assert general or domain is Domain.OTHER


def test_cost_selection_keys_are_unique(costs: CostFile) -> None:
    # Two entries for the same country, domain, kinds and unit would leave the choice ambiguous.
    keys = [(c.country, c.domain, tuple(sorted(c.kinds)), c.unit) for c in costs.costs]
    assert [k for k, n in Counter(keys).items() if n > 1] == []


def test_derived_and_fallback_figures_are_uncertain_and_explained(costs: CostFile) -> None:
    for c in costs.costs:
        assert c.basis.strip(), c.id
        if c.country is None or "/" in c.basis:  # a fallback, or a total divided by a count
            assert c.uncertain, c.id
        if c.uncertain:
            assert c.note and c.note.strip(), c.id


def test_fallbacks_restate_a_country_figure_or_a_sourced_average(costs: CostFile) -> None:
    # A fallback must rest on a figure that is itself sourced: the same amount appears in a
    # country entry, or it is one of the two documented averages (FCC per location, IDC server).
    country_amounts = {(c.amount, c.currency) for c in costs.costs if c.country is not None}
    averages = {(round(5.6e9 / 8400), "USD"), (round(25.8e9 / 3.3e6), "USD")}
    for c in costs.costs:
        if c.country is None:
            assert (c.amount, c.currency) in country_amounts | averages, c.id


# --- no restricted vendor ----------------------------------------------------------------------


def _covered(kb: KnowledgeBase) -> tuple[set[str], set[str]]:
    entities: set[str] = set()
    tags: set[str] = set()
    for regime in kb.regimes.values():
        for p in regime.provisions:
            entities.update(p.covers.entities)
            tags.update(p.covers.tags)
    return entities, tags


@pytest.mark.parametrize("on", [date(2026, 1, 1), date.today()])
def test_no_vendor_or_its_owner_is_listed_or_covered(
    vendors: VendorFile, kb: KnowledgeBase, on: date
) -> None:
    covered_entities, covered_tags = _covered(kb)
    for v in vendors.vendors:
        for path in kb.ownership_paths(v.entity, on):
            for eid in path:
                assert kb.memberships(eid) == [], (v.entity, eid)
                assert eid not in covered_entities, (v.entity, eid)
                assert not covered_tags.intersection(kb.entities[eid].tags), (v.entity, eid)


def test_no_vendor_is_a_known_high_risk_supplier(vendors: VendorFile, kb: KnowledgeBase) -> None:
    named = {"huawei", "zte", "hikvision", "dahua", "hytera", "inspur", "lenovo", "h3c", "xfusion"}
    assert sorted(named & {v.entity for v in vendors.vendors}) == []
    # None is headquartered in China (Nokia Shanghai Bell, a Chinese joint venture, stays out).
    assert sorted(v.entity for v in vendors.vendors if kb.entities[v.entity].country == "CN") == []


# --- spot checks against the published figures ------------------------------------------------


def test_germany_ran_site_is_barclays_50000_eur(by_id: dict[str, CostEntry]) -> None:
    # Barclays (2023, via WirtschaftsWoche): EUR 50,000 per antenna site, EUR 2.5bn in total.
    c = by_id["de-ran-site-barclays-2023"]
    assert (c.country, c.domain, c.unit) == ("DE", Domain.RAN, "site")
    assert (c.amount, c.currency, c.year) == (50_000, "EUR", 2023)
    assert c.sources == ["src-de-wiwo-2023"]


def test_france_ran_site_is_bouygues_82m_over_3000_sites(by_id: dict[str, CostEntry]) -> None:
    # Bouygues Telecom's EUR 82m claim (L'Informé, Apr 2023) / 3,000 Huawei sites (Reuters 2020).
    c = by_id["fr-ran-site-bouygues-2023"]
    assert (c.country, c.currency) == ("FR", "EUR")
    assert c.amount == round(82e6 / 3000)
    assert c.uncertain and "lower bound" in (c.note or "")


def test_uk_ran_site_is_bt_500m_over_12000_sites(by_id: dict[str, CostEntry]) -> None:
    # BT: the ban costs no more than GBP 500m (Reuters, Jul 2020); about 12,000 sites (2021).
    c = by_id["gb-ran-site-bt-2020"]
    assert (c.country, c.currency, c.year) == ("GB", "GBP", 2020)
    assert c.amount == round(500e6 / 12000)


def test_us_ran_site_is_fcc_demand_per_location(by_id: dict[str, CostEntry]) -> None:
    # FCC DA 22-131: nearly USD 5.6bn requested; about 8,400 locations (Inside Towers, 2022).
    c = by_id["us-ran-site-fcc-2022"]
    assert (c.country, c.currency, c.year, c.kinds) == ("US", "USD", 2022, [])
    assert c.amount == round(5.6e9 / 8400) == 666_667
    assert "src-plan-fcc-da-22-131" in c.sources


def test_us_base_station_is_abi_half_a_million(by_id: dict[str, CostEntry]) -> None:
    # ABI Research (2020): up to USD 0.5m per rural base station (USD 1bn / about 2,000).
    c = by_id["us-ran-radio-site-abi-2020"]
    assert (c.country, c.kinds, c.unit) == ("US", ["radio"], "site")
    assert (c.amount, c.currency) == (500_000, "USD")


def test_datacenter_item_is_idc_average_server_price(by_id: dict[str, CostEntry]) -> None:
    # IDC 4Q20: USD 25.8bn vendor revenue for nearly 3.3 million servers.
    c = by_id["any-datacenter-item-idc-2020"]
    assert (c.country, c.unit, c.currency) == (None, "item", "USD")
    assert c.amount == round(25.8e9 / 3.3e6)


def test_ran_fallback_is_the_german_site_figure(by_id: dict[str, CostEntry]) -> None:
    fallback, germany = by_id["any-ran-site-barclays-2023"], by_id["de-ran-site-barclays-2023"]
    assert (fallback.amount, fallback.currency) == (germany.amount, germany.currency)
    assert fallback.uncertain


def test_open_ran_vendors_are_flagged(by_entity: dict[str, VendorEntry]) -> None:
    # Mavenir (Dish, Triangle), Parallel Wireless, NEC (Vodafone UK) and Fujitsu (Dish) sell
    # Open RAN; Ericsson, Nokia and Samsung are listed as conventional RAN vendors.
    for entity in ("mavenir", "parallel-wireless", "nec", "fujitsu"):
        assert by_entity[entity].open_ran, entity
        assert Domain.RAN in by_entity[entity].domains
    for entity in ("ericsson", "nokia", "samsung-electronics"):
        assert not by_entity[entity].open_ran, entity


def test_ericsson_and_nokia_replace_ran_and_core(by_entity: dict[str, VendorEntry]) -> None:
    # Operators' Huawei swaps: BT, TDC, Telia Norway (RAN); Telefónica Spain, Viaero (core).
    for entity in ("ericsson", "nokia"):
        assert {Domain.RAN, Domain.CORE} <= set(by_entity[entity].domains), entity
        assert len(by_entity[entity].sources) >= 2 and not by_entity[entity].uncertain


def test_other_domain_vendors_are_limited_to_their_kinds(by_entity: dict[str, VendorEntry]) -> None:
    # Motorola Solutions: radios and cameras; Vertiv: site power ("other" kind) only.
    assert set(by_entity["motorola-solutions"].kinds) == {"radio-terminal", "camera"}
    assert by_entity["vertiv"].kinds == ["other"]
