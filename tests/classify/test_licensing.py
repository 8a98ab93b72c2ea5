"""Dated licence answers for 3A090 / 4A090 items: destination, headquarters, end user.

Expected answers come from the rules as the issue and the reference notes state them (88 FR
73458 geography and headquarters rule; the April 2025 H20 letters; the rescinded AI diffusion
rule; 91 FR 1684's case-by-case band; the affiliates rule of 90 FR 47201 and its suspension),
and from the country-group dates in data/export_controls/country_groups.yaml with their sources.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from derisk.classify.api import classify_product, end_user_for
from derisk.classify.catalogue import load_catalogue
from derisk.classify.controls import Controls, load_controls
from derisk.classify.licensing import EndUser, determine_license
from derisk.classify.metrics import ChipSpec
from derisk.kb.loader import load_bundled


@pytest.fixture(scope="module")
def controls() -> Controls:
    return load_controls()


def answer(chip: str, on: date, **where: Any) -> dict[str, Any]:
    return classify_product(load_catalogue().find(chip), as_of=on, **where)


def kinds(result: dict[str, Any]) -> set[str]:
    return {g["kind"] for g in result["license_grounds"]}


# --- the acceptance cases ------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "required"),
    [
        (date(2022, 9, 1), False),  # before the first rule
        (date(2022, 10, 7), True),  # 87 FR 62186: TPP >= 4800 and NVLink 900 >= 600
        (date(2023, 11, 16), True),
        (date(2023, 11, 18), True),
        (date(2026, 11, 29), True),
    ],
)
def test_h100_to_china(on: date, required: bool) -> None:
    assert answer("H100 SXM", on, destination="CN")["license_required"] is required


def test_rtx_4090_to_china_from_17_november_2023_but_not_the_4090d() -> None:
    assert answer("RTX 4090", date(2023, 11, 16), destination="CN")["license_required"] is False
    got = answer("RTX 4090", date(2023, 11, 17), destination="CN")
    assert got["license_required"] is True and got["eccn"] == "3A090.a"
    d = answer("RTX 4090D", date(2023, 11, 17), destination="CN")
    assert d["license_required"] is False and d["note2_applies"] is True
    assert answer("RTX 4090D", date(2026, 11, 29), destination="CN")["license_required"] is False


def test_h20_to_china_shipped_in_2024_and_needs_a_licence_from_april_2025() -> None:
    assert answer("H20", date(2024, 6, 1), destination="CN")["license_required"] is False
    assert answer("H20", date(2025, 4, 8), destination="CN")["license_required"] is False
    got = answer("H20", date(2025, 6, 1), destination="CN")
    assert got["license_required"] is True
    assert kinds(got) == {"informed"}
    assert got["eccn"] == "not_3A090"  # the letter, not the ECCN, requires the licence


@pytest.mark.parametrize(
    "on",
    [date(2022, 11, 1), date(2024, 1, 1), date(2025, 2, 1), date(2025, 6, 1), date(2026, 11, 29)],
)
def test_h100_to_germany_never_needs_a_licence(on: date) -> None:
    got = answer("H100 SXM", on, destination="DE")
    assert got["license_required"] is False
    if on >= date(2025, 1, 15):  # the diffusion rule's publication is reported, not applied
        assert any(
            r["rule"] == "ai-diffusion-2025" and r["result"] is False for r in got["reasons"]
        )


def test_china_headquartered_company_in_singapore_needs_a_licence() -> None:
    got = answer("A100 SXM4 80GB", date(2024, 1, 1), destination="SG", headquarters="CN")
    assert got["license_required"] is True
    assert kinds(got) == {"headquarters"}
    # Singapore alone (A:6, not D) needs none.
    assert answer("A100 SXM4 80GB", date(2024, 1, 1), destination="SG")["license_required"] is False
    # The headquarters rule started on 17 November 2023.
    before = answer("A100 SXM4 80GB", date(2023, 11, 16), destination="SG", headquarters="CN")
    assert before["license_required"] is False


# --- geography by date -----------------------------------------------------------------------


def test_hong_kong_is_treated_as_china() -> None:
    got = answer("H100 SXM", date(2024, 1, 1), destination="HK")
    assert got["license_required"] is True
    assert any(r["rule"] == "treated-as" for r in got["reasons"])


def test_macau_from_17_january_2023() -> None:
    # 88 FR 2821 added Macau to the China licence requirement, effective 2023-01-17.
    assert (
        answer("A100 SXM4 80GB", date(2023, 1, 16), destination="MO")["license_required"] is False
    )
    assert answer("A100 SXM4 80GB", date(2023, 1, 17), destination="MO")["license_required"] is True


def test_d1_destination_outside_d5_presumption_of_approval() -> None:
    # Vietnam is in D:1 only: licence from 2023-11-17, presumption of approval.
    assert answer("A100 SXM4 80GB", date(2023, 6, 1), destination="VN")["license_required"] is False
    got = answer("A100 SXM4 80GB", date(2024, 6, 1), destination="VN")
    assert got["license_required"] is True
    assert got["review_policy"] == "presumption_of_approval"
    # A datacenter 3A090.a part: no licence exception (the 3A090 entry allows NAC for 3A090.a
    # only when the item is not designed or marketed for datacenters).
    assert got["license_exceptions"] == []


def test_consumer_3a090a_part_gets_nac_then_aca_outside_d5() -> None:
    # RTX 4090: 3A090.a, not for datacenters, TPP >= 4800 -> NAC eligible. Vietnam: NAC until
    # the April 2024 rule split it, ACA (no notice) from 2024-04-04.
    early = answer("RTX 4090", date(2024, 1, 1), destination="VN")
    assert (early["license_required"], early["license_exceptions"]) == (True, ["NAC"])
    late = answer("RTX 4090", date(2024, 6, 1), destination="VN")
    assert late["license_exceptions"] == ["ACA"]
    # China (D:5): NAC with advance notice, under a presumption of denial.
    cn = answer("RTX 4090", date(2024, 6, 1), destination="CN")
    assert cn["license_exceptions"] == ["NAC"]
    assert cn["review_policy"] == "presumption_of_denial"


def test_datacenter_3a090a_to_china_has_no_exception() -> None:
    got = answer("H100 SXM", date(2024, 6, 1), destination="CN")
    assert got["license_exceptions"] == []
    assert any(
        r["rule"] == "nac-2023" and r["result"] is False and "not for datacenter" in r["text"]
        for r in got["reasons"]
    )


def test_datacenter_3a090b_part_gets_nac_for_china() -> None:
    # A40-class: TPP 2395.2, PD 3.81 -> 3A090.b; datacenter .b items are NAC eligible.
    from derisk.classify.api import classify_product as cp

    spec = ChipSpec("A40-class", {"fp16": 149.7}, 628.4)
    got = cp(spec, as_of=date(2024, 6, 1), destination="CN")
    assert got["eccn"] == "3A090.b"
    assert got["license_exceptions"] == ["NAC"]


def test_uae_left_d4_for_a5_in_july_2026() -> None:
    # country_groups.yaml: AE in D:4 until 2026-07-13, in A:5 from 2026-07-14 (FR Doc 2026-14132).
    assert answer("H100 SXM", date(2025, 6, 1), destination="AE")["license_required"] is True
    assert answer("H100 SXM", date(2026, 8, 1), destination="AE")["license_required"] is False


def test_case_by_case_band_of_january_2026() -> None:
    # 91 FR 1684: China/Macau, TPP < 21,000 and DRAM bandwidth < 6,500 GB/s -> case by case.
    h200 = answer("H200 SXM", date(2026, 2, 1), destination="CN")  # TPP 15832, 4800 GB/s
    assert h200["license_required"] is True
    assert h200["review_policy"] == "case_by_case"
    before = answer("H200 SXM", date(2026, 1, 14), destination="CN")
    assert before["review_policy"] == "presumption_of_denial"
    b200 = answer("B200", date(2026, 2, 1), destination="CN")  # TPP 36000: outside the band
    assert b200["review_policy"] == "presumption_of_denial"


# --- end users: the Entity List and the affiliates rule ---------------------------------------


def test_entity_list_end_user_needs_a_licence_for_any_item_anywhere(controls: Controls) -> None:
    kb = load_bundled()
    on = date(2024, 1, 1)
    user = end_user_for("huawei", "Huawei Technologies", kb, on)
    assert user.listed == "huawei" and user.listed_since == date(2019, 5, 16)
    clear_chip = ChipSpec("small", {"fp16": 50}, 400)  # TPP 800: not 3A090
    got = determine_license(
        "not_3A090",
        clear_chip,
        destination="DE",
        headquarters=None,
        end_user=user,
        on=on,
        controls=controls,
    )
    assert got.license_required is True
    assert [g.kind for g in got.grounds] == ["end_user"]
    assert got.review_policy == "presumption_of_denial" and got.exceptions == []
    # Before Huawei was listed (2019-05-16) the same end user needs nothing.
    early = end_user_for("huawei", "Huawei Technologies", kb, date(2019, 5, 15))
    assert early.listed is None


@pytest.mark.parametrize(
    ("on", "required"),
    [
        (date(2025, 9, 28), False),  # before 90 FR 47201 took effect
        (date(2025, 9, 29), True),
        (date(2025, 11, 9), True),
        (date(2025, 11, 10), False),  # suspended from 10 November 2025 ...
        (date(2026, 11, 9), False),  # ... until 9 November 2026
        (date(2026, 11, 10), True),
    ],
)
def test_affiliates_rule_applies_by_date(controls: Controls, on: date, required: bool) -> None:
    user = EndUser(
        "Example Sub Ltd",
        "example-sub",
        listed="example-parent",
        via_affiliates=True,
        path=("example-sub", "example-parent"),
        sources=("src-x",),
        listed_since=date(2020, 1, 1),
    )
    got = determine_license(
        "not_3A090",
        None,
        destination="DE",
        headquarters=None,
        end_user=user,
        on=on,
        controls=controls,
    )
    assert got.license_required is required
    if required:
        assert [g.kind for g in got.grounds] == ["affiliates"]
        expected_since = date(2026, 11, 10) if on >= date(2026, 11, 10) else date(2025, 9, 29)
        assert got.grounds[0].since == expected_since


def test_no_destination_gives_null(controls: Controls) -> None:
    got = answer("H100 SXM", date(2024, 1, 1))
    assert got["license_required"] is None


def test_every_ground_and_step_cites_known_sources() -> None:
    kb = load_bundled()
    got = answer("A100 SXM4 80GB", date(2024, 6, 1), destination="VN", headquarters="CN")
    ids = [s["id"] for s in got["sources"]]
    assert ids and all(i in kb.sources for i in ids)
    for g in got["license_grounds"]:
        assert g["sources"] and all(i in kb.sources for i in g["sources"])
