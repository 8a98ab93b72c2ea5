"""Rule evaluation on a small hand-built knowledge base, with hand-derived expectations.

The toy world: 'Redco' is named by a removal rule (core, by 2026-12-31) and listed on a
list that covers subsidiaries; 'Redco Sub' is 80% owned by Redco; 'Minority Co' is 30% owned;
'Sold Co' was owned until 2020-12-31; 'Listed Child' is on a list that does not cover its
parent 'Clean Parent'.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from derisk.evaluate.batch import Evaluator
from derisk.evaluate.rules import binding_rules, provision_status
from derisk.kb.knowledge import KnowledgeBase
from derisk.kb.model import (
    Binds,
    Covers,
    Effect,
    Entity,
    ListEntry,
    Ownership,
    Provision,
    Regime,
    RestrictedList,
    Source,
)
from derisk.profile import Profile

S = ["s1", "s2"]


def _entity(eid: str, name: str) -> Entity:
    return Entity(id=eid, name=name, sources=S)


def _provision(pid: str, effect: Effect, **kw: object) -> Provision:
    covers = kw.pop("covers", Covers(entities=["redco"]))
    return Provision(
        id=pid,
        title=pid,
        covers=covers,
        effect=effect,
        explanation=f"rule {pid}",
        sources=S,
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    entities = [
        _entity("redco", "Redco"),
        _entity("redco-sub", "Redco Sub"),
        _entity("minority", "Minority Co"),
        _entity("sold", "Sold Co"),
        _entity("clean-parent", "Clean Parent"),
        _entity("listed-child", "Listed Child"),
    ]
    ownership = [
        Ownership(parent="redco", child="redco-sub", share=0.8, sources=S),
        Ownership(parent="redco", child="minority", share=0.3, sources=S),
        Ownership(parent="redco", child="sold", until=date(2020, 12, 31), sources=S),
        Ownership(parent="clean-parent", child="listed-child", share=1.0, sources=S),
    ]
    lists = [
        RestrictedList(
            id="wide-list",
            name="Wide List",
            jurisdiction="US",
            publisher="P",
            covers_subsidiaries=True,
            sources=S,
            entries=[ListEntry(entity="redco", listed=date(2019, 1, 1), sources=S)],
        ),
        RestrictedList(
            id="narrow-list",
            name="Narrow List",
            jurisdiction="US",
            publisher="P",
            sources=S,
            entries=[
                ListEntry(
                    entity="listed-child",
                    listed=date(2022, 1, 1),
                    removed=date(2026, 1, 1),
                    sources=S,
                )
            ],
        ),
    ]
    regime = Regime(
        id="toy",
        name="Toy regime",
        jurisdiction="DE",
        body="B",
        instrument="I",
        adopted=date(2024, 1, 1),
        summary="S",
        sources=S,
        binds=[Binds(countries=["DE"], sectors=["telecom"])],
        provisions=[
            _provision(
                "core",
                Effect.REMOVAL,
                announced=date(2024, 1, 1),
                deadline=date(2026, 12, 31),
                covers=Covers(entities=["redco"], domains=["core"]),
            ),
            _provision(
                "ban",
                Effect.PROHIBITION,
                announced=date(2024, 1, 1),
                effective=date(2028, 1, 1),
                covers=Covers(entities=["redco"], technologies=["5g"]),
            ),
        ],
    )
    sources = [Source(id="s1", title="one"), Source(id="s2", title="two")]
    return KnowledgeBase(
        sources=sources, entities=entities, ownership=ownership, lists=lists, regimes=[regime]
    )


def _records(rows: list[dict[str, object]]) -> pa.Table:
    cols = [
        "row",
        "record_id",
        "vendor",
        "model",
        "description",
        "quantity",
        "site",
        "country",
        "domain",
        "technology",
        "kind",
        "installed",
        "unit_cost",
        "currency",
    ]
    types = {
        "row": pa.int64(),
        "quantity": pa.float64(),
        "unit_cost": pa.float64(),
        "installed": pa.date32(),
    }
    data = {c: [r.get(c) for r in rows] for c in cols}
    data["row"] = list(range(2, len(rows) + 2))
    data["record_id"] = [str(i) for i in range(len(rows))]
    return pa.table(
        {c: pa.array(data[c], types.get(c, pa.string())) for c in cols}  # type: ignore[arg-type]
    )


def _links(entities: list[str | None]) -> pa.Table:
    pairs = [(i, e) for i, e in enumerate(entities) if e]
    return pa.table(
        {
            "idx": pa.array([i for i, _ in pairs], pa.int64()),
            "entity_id": [e for _, e in pairs],
            "match_score": [1.0] * len(pairs),
            "matched_name": [e for _, e in pairs],
            "match_method": ["exact"] * len(pairs),
            "via": ["vendor"] * len(pairs),
            "product_kind": pa.nulls(len(pairs), pa.string()),
            "decision": pa.nulls(len(pairs), pa.string()),
        }
    )


def _findings(
    kb: KnowledgeBase,
    rows: list[dict[str, object]],
    entities: list[str | None],
    as_of: date,
    **profile: object,
) -> list[dict[str, object]]:
    prof = Profile(**{"countries": ["DE"], "sector": "telecom", **profile})  # type: ignore[arg-type]
    ev = Evaluator(kb, prof, as_of)
    return ev.evaluate(_records(rows), _links(entities)).to_pylist()


def _by_rule(found: list[dict[str, object]], idx: int) -> dict[object, dict[str, object]]:
    return {f["rule_id"]: f for f in found if f["idx"] == idx}


def test_removal_status_before_and_after_deadline(kb: KnowledgeBase) -> None:
    rows = [{"vendor": "Redco", "domain": "core", "technology": "4g"}]
    before = _by_rule(_findings(kb, rows, ["redco"], date(2026, 12, 31)), 0)
    after = _by_rule(_findings(kb, rows, ["redco"], date(2027, 1, 1)), 0)
    # On the deadline day itself the item is not yet overdue; the day after it is.
    assert before["toy.core"]["status"] == "remove_by"
    assert after["toy.core"]["status"] == "overdue"
    assert after["toy.core"]["deadline"] == date(2026, 12, 31)


def test_domain_and_technology_scope(kb: KnowledgeBase) -> None:
    rows = [
        {"vendor": "Redco", "domain": "ran", "technology": "4g"},  # neither provision
        {"vendor": "Redco", "domain": "ran", "technology": "5g"},  # ban only
        {"vendor": "Redco"},  # nothing stated: both assumed in scope
    ]
    found = _findings(kb, rows, ["redco"] * 3, date(2027, 1, 1))
    assert "toy.core" not in _by_rule(found, 0) and "toy.ban" not in _by_rule(found, 0)
    assert set(_by_rule(found, 1)) == {"toy.ban", "wide-list"}
    unstated = _by_rule(found, 2)
    assert unstated["toy.core"]["status"] == "overdue"
    assert "network domain" in str(unstated["toy.core"]["explanation"])
    # Prohibition effective 2028-01-01, seen from 2027: act by its start date.
    assert unstated["toy.ban"]["status"] == "remove_by"
    assert unstated["toy.ban"]["deadline"] == date(2028, 1, 1)


def test_prohibition_in_force(kb: KnowledgeBase) -> None:
    found = _findings(kb, [{"vendor": "Redco", "technology": "5g"}], ["redco"], date(2028, 1, 1))
    assert _by_rule(found, 0)["toy.ban"]["status"] == "prohibited"


def test_rule_not_yet_announced_does_nothing(kb: KnowledgeBase) -> None:
    found = _findings(kb, [{"vendor": "Redco", "domain": "core"}], ["redco"], date(2023, 6, 1))
    assert "toy.core" not in _by_rule(found, 0)
    # But the list entry (since 2019) is there, informational.
    assert _by_rule(found, 0)["wide-list"]["status"] == "listed"


def test_subsidiary_covered_through_controlling_owner(kb: KnowledgeBase) -> None:
    found = _findings(
        kb, [{"vendor": "Redco Sub", "domain": "core"}], ["redco-sub"], date(2027, 1, 1)
    )
    core = _by_rule(found, 0)["toy.core"]
    assert core["ownership_path"] == ["redco-sub", "redco"]
    assert core["entity_id"] == "redco-sub"


def test_minority_stake_and_divested_company_not_covered(kb: KnowledgeBase) -> None:
    rows = [{"vendor": "Minority Co", "domain": "core"}, {"vendor": "Sold Co", "domain": "core"}]
    found = _findings(kb, rows, ["minority", "sold"], date(2027, 1, 1))
    assert found == []
    # Before the sale, Sold Co was controlled by Redco and the list covered it.
    early = _findings(kb, rows, ["minority", "sold"], date(2020, 6, 1))
    assert [f["rule_id"] for f in early] == ["wide-list"] and early[0]["idx"] == 1


def test_listed_subsidiary_does_not_taint_parent(kb: KnowledgeBase) -> None:
    rows = [{"vendor": "Clean Parent"}, {"vendor": "Listed Child"}]
    found = _findings(kb, rows, ["clean-parent", "listed-child"], date(2025, 1, 1))
    assert [(f["idx"], f["rule_id"]) for f in found] == [(1, "narrow-list")]
    # The entry was removed on 2026-01-01.
    assert _findings(kb, rows, ["clean-parent", "listed-child"], date(2026, 1, 1)) == []


def test_other_countries_and_sectors_are_not_bound(kb: KnowledgeBase) -> None:
    rows = [{"vendor": "Redco", "domain": "core"}]
    found = _findings(kb, rows, ["redco"], date(2027, 1, 1), countries=["FR"])
    assert [f["status"] for f in found] == ["listed"]
    found = _findings(kb, rows, ["redco"], date(2027, 1, 1), sector="datacenter")
    assert [f["status"] for f in found] == ["listed"]
    # A record installed in Germany is bound even for a French-based organisation.
    rows_de = [{"vendor": "Redco", "domain": "core", "country": "DE"}]
    found = _findings(kb, rows_de, ["redco"], date(2027, 1, 1), countries=["FR"])
    assert _by_rule(found, 0)["toy.core"]["status"] == "overdue"


def test_listed_findings_can_be_switched_off(kb: KnowledgeBase) -> None:
    rows = [{"vendor": "Redco", "domain": "core", "technology": "4g"}]
    found = _findings(kb, rows, ["redco"], date(2027, 1, 1), include_listed=False)
    assert [f["rule_id"] for f in found] == ["toy.core"]


def test_findings_ordered_by_severity(kb: KnowledgeBase) -> None:
    found = _findings(kb, [{"vendor": "Redco"}], ["redco"], date(2028, 6, 1))
    # prohibited (ban) before overdue (core) before listed.
    assert [f["status"] for f in found] == ["prohibited", "overdue", "listed"]


def test_provision_status_table() -> None:
    p = _provision(
        "x",
        Effect.REMOVAL,
        announced=date(2024, 1, 1),
        deadline=date(2025, 1, 1),
        ends=date(2030, 1, 1),
    )
    assert provision_status(p, date(2023, 12, 31)) is None
    assert provision_status(p, date(2024, 1, 1)) == ("remove_by", date(2025, 1, 1))
    assert provision_status(p, date(2025, 1, 2)) == ("overdue", date(2025, 1, 1))
    assert provision_status(p, date(2030, 1, 2)) is None
    adv = _provision("a", Effect.ADVISORY, announced=date(2024, 1, 1))
    assert provision_status(adv, date(2024, 1, 1)) == ("listed", None)


def test_attribute_conditions(kb: KnowledgeBase) -> None:
    regime = kb.regimes["toy"]
    assert (
        len(binding_rules(kb, Profile(countries=["DE"], sector="telecom"), date(2027, 1, 1))) == 2
    )
    assert regime.binds[0].sectors == ["telecom"]
    assert binding_rules(kb, Profile(countries=["DE"], sector="exporter"), date(2027, 1, 1)) == []
