"""Exporter screening of an order book: each line's classification and licence findings.

The order book is tests/fixtures/orders/order_book.csv (see its SOURCE.txt); the expected
answers follow the rules cited on each assertion (88 FR 73458 geography and headquarters rule,
Note 2, the April 2025 H20 letters, the Entity List entry for Huawei of 84 FR 22961).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from derisk.classify.catalogue import load_catalogue
from derisk.classify.controls import load_controls
from derisk.kb.loader import load_bundled
from derisk.kb.model import Dealing
from derisk.orders import read_orders
from derisk.profile import Profile
from derisk.screening.exporter import ADVANCED_COMPUTING, screen_orders
from derisk.screening.pipeline import ScreenContext

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "orders" / "order_book.csv"
AS_OF = date(2026, 11, 29)


@pytest.fixture(scope="module")
def result() -> Any:
    kb = load_bundled()
    ctx = ScreenContext.build(
        kb, Profile(countries=["US"], sector="exporter"), AS_OF, dealing=Dealing.SELL
    )
    orders = read_orders(FIXTURE).table
    return screen_orders(orders, ctx, load_controls(), load_catalogue())


def licences(result: Any, record_id: str) -> list[dict[str, Any]]:
    return [
        f
        for f in result.findings.to_pylist()
        if f["record_id"] == record_id and f["status"] == "license_required"
    ]


def line(result: Any, record_id: str) -> dict[str, Any]:
    return next(x for x in result.lines if x["record_id"] == record_id)


def test_headquarters_rule_reaches_a_singapore_customer_of_chinese_parentage(result: Any) -> None:
    (f,) = licences(result, "SO-1")  # H100 to SG, HQ CN, shipped 2024-03-01
    assert f["rule_id"] == f"{ADVANCED_COMPUTING}.d1-d4-d5-2023-11.headquarters"
    assert f["since"] == date(2023, 11, 17)
    assert f["instrument"] == "88 FR 73458"
    assert "3A090.a" in f["explanation"] and "headquartered in CN" in f["explanation"]


def test_rtx_4090_needs_a_licence_for_china_and_the_4090d_does_not(result: Any) -> None:
    (f,) = licences(result, "SO-2")
    assert f["rule_id"] == f"{ADVANCED_COMPUTING}.d1-d4-d5-2023-11"
    assert licences(result, "SO-3") == []
    assert line(result, "SO-3")["note2_applies"] is True


def test_h20_by_ship_date(result: Any) -> None:
    assert licences(result, "SO-4") == []  # shipped 2024-06-01
    (f,) = licences(result, "SO-5")  # shipped 2025-06-01, after the letters of 2025-04-09
    assert f["rule_id"] == f"{ADVANCED_COMPUTING}.h20-mi308-2025"
    assert line(result, "SO-5")["as_of"] == "2025-06-01"


def test_h100_to_germany_needs_no_licence(result: Any) -> None:
    assert licences(result, "SO-6") == []
    assert line(result, "SO-6")["license_required"] is False


def test_invented_customer_matches_nothing_so_clear_lines_have_no_finding(result: Any) -> None:
    # "Pemberton Analytics Pte Ltd" names no real organisation; it shares only the word
    # "Analytics" with TechInsights Strategy Analytics, a different company.
    flagged = {f["record_id"] for f in result.findings.to_pylist()}
    assert flagged.isdisjoint({"SO-3", "SO-4", "SO-6"})


def test_entity_list_customer_needs_a_licence_for_any_item(result: Any) -> None:
    found = licences(result, "SO-7")  # a patch cable to Huawei, delivered in Germany
    assert [f["rule_id"] for f in found] == ["us-ear-entity-list.license-requirement"]
    (f,) = found
    assert f["entity_id"] == "huawei"
    assert f["since"] == date(2019, 5, 16)
    assert line(result, "SO-7")["eccn"] == "unclassified"
    # The Entity List is decided once, by the order-book step: no second copy of it.
    regimes = [x["regime_id"] for x in result.findings.to_pylist() if x["record_id"] == "SO-7"]
    assert regimes.count("us-ear-entity-list") == 1


def test_line_without_ship_date_uses_the_screen_date_and_systems_are_4a090(result: Any) -> None:
    entry = line(result, "SO-8")  # DGX H100 to CN, no ship date
    assert entry["as_of"] == AS_OF.isoformat()
    assert entry["eccn"] == "4A090.a"
    assert any(f["rule_id"].endswith("d1-d4-d5-2023-11") for f in licences(result, "SO-8"))


def test_every_line_has_an_export_entry_and_findings_are_ordered(result: Any) -> None:
    assert [x["record_id"] for x in result.lines] == [f"SO-{i}" for i in range(1, 9)]
    idx = [f["idx"] for f in result.findings.to_pylist()]
    assert idx == sorted(idx)
    assert result.unclassified == 1


def test_procurement_rules_do_not_bind_sales() -> None:
    """Selling to Huawei is not buying from it: the FCC and section 889 rules stay 'listed'."""
    from derisk.evaluate.rules import binding_rules

    kb = load_bundled()
    profile = Profile(countries=["US"], sector="exporter")
    sell = {r.rule_id for r in binding_rules(kb, profile, AS_OF, Dealing.SELL)}
    buy = {r.rule_id for r in binding_rules(kb, profile, AS_OF, Dealing.BUY)}
    assert "us-ear-entity-list.license-requirement" in sell
    assert "us-ear-entity-list.license-requirement" not in buy
    assert not any(r.startswith("us-fcc-covered-list") for r in sell)
    assert any(r.startswith("us-fcc-covered-list") for r in buy)


def test_progress_counts_every_line_once() -> None:
    kb = load_bundled()
    ctx = ScreenContext.build(
        kb, Profile(countries=["US"], sector="exporter"), AS_OF, dealing=Dealing.SELL
    )
    orders = read_orders(FIXTURE).table
    seen: list[int] = []
    screen_orders(orders, ctx, load_controls(), load_catalogue(), progress=seen.append)
    assert sum(seen) == len(orders) == 8
