"""Two small hand-written knowledge bases, an 'old' and a 'new' one, for diff and snapshot tests.

What changes from old to new (the tests list the expected diff by hand from this):

- entity acme: renamed, alias 'ACME Inc' added, identifier ticker added; beta: country CN -> HK;
  gamma removed; delta added
- ownership acme->beta gets until 2024-05-01; acme->delta added
- list test-list: acme's entry gets removed 2023-03-01; beta's entry listed 2021-06-01 ->
  2021-07-01 with a scope; gamma's entry removed; delta's entry added; list second-list added
- regime reg: provision p1 deadline 2025-12-31 -> 2026-12-31 and covers delta too; p2 removed;
  p3 added; regime reg2 added
- source s3 added; country group ZZ gains a member
"""

from __future__ import annotations

from datetime import date

from derisk.kb.importers.base import ImportBatch
from derisk.kb.knowledge import KnowledgeBase
from derisk.kb.model import (
    Alias,
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

S = ["s1", "s2"]


def _provision(pid: str, effect: Effect, covers: Covers, deadline: date | None = None) -> Provision:
    return Provision(
        id=pid,
        title=f"Provision {pid}",
        covers=covers,
        effect=effect,
        announced=date(2020, 1, 1),
        deadline=deadline,
        explanation=f"Provision {pid} applies.",
        sources=S,
    )


def _regime(rid: str, provisions: list[Provision]) -> Regime:
    return Regime(
        id=rid,
        name=f"Regime {rid}",
        jurisdiction="US",
        body="A body",
        instrument="An instrument",
        adopted=date(2020, 1, 1),
        summary="A summary.",
        binds=[Binds(countries=["US"])],
        provisions=provisions,
        sources=S,
    )


def _list(lid: str, entries: list[ListEntry]) -> RestrictedList:
    return RestrictedList(
        id=lid, name=f"List {lid}", jurisdiction="US", publisher="P", entries=entries, sources=S
    )


def _entry(entity: str, listed: date, **more: object) -> ListEntry:
    return ListEntry.model_validate({"entity": entity, "listed": listed, "sources": S, **more})


def old_kb() -> KnowledgeBase:
    return KnowledgeBase(
        sources=[Source(id="s1", title="One"), Source(id="s2", title="Two")],
        entities=[
            Entity(
                id="acme",
                name="Acme Corp",
                country="US",
                aliases=[Alias(name="Acme")],
                identifiers={"lei": "L1"},
                tags=["vendor"],
                sources=S,
            ),
            Entity(id="beta", name="Beta Ltd", country="CN", sources=S),
            Entity(id="gamma", name="Gamma GmbH", country="DE", sources=S),
        ],
        ownership=[Ownership(parent="acme", child="beta", sources=S)],
        lists=[
            _list(
                "test-list",
                [
                    _entry("acme", date(2020, 1, 1)),
                    _entry("beta", date(2021, 6, 1)),
                    _entry("gamma", date(2022, 1, 1)),
                ],
            )
        ],
        regimes=[
            _regime(
                "reg",
                [
                    _provision("p1", Effect.REMOVAL, Covers(entities=["acme"]), date(2025, 12, 31)),
                    _provision("p2", Effect.PROHIBITION, Covers(lists=["test-list"])),
                ],
            )
        ],
        country_groups={"ZZ": ["US"]},
    )


def new_kb() -> KnowledgeBase:
    return KnowledgeBase(
        sources=[
            Source(id="s1", title="One"),
            Source(id="s2", title="Two"),
            Source(id="s3", title="Three"),
        ],
        entities=[
            Entity(
                id="acme",
                name="Acme Corporation",
                country="US",
                aliases=[Alias(name="Acme"), Alias(name="ACME Inc")],
                identifiers={"lei": "L1", "ticker": "ACM"},
                tags=["vendor"],
                sources=S,
            ),
            Entity(id="beta", name="Beta Ltd", country="HK", sources=S),
            Entity(id="delta", name="Delta SA", country="FR", sources=["s1", "s3"]),
        ],
        ownership=[
            Ownership(parent="acme", child="beta", until=date(2024, 5, 1), sources=S),
            Ownership(parent="acme", child="delta", sources=S),
        ],
        lists=[
            _list(
                "test-list",
                [
                    _entry("acme", date(2020, 1, 1), removed=date(2023, 3, 1)),
                    _entry("beta", date(2021, 7, 1), scope="all affiliates"),
                    _entry("delta", date(2024, 1, 1)),
                ],
            ),
            _list("second-list", [_entry("delta", date(2024, 2, 1))]),
        ],
        regimes=[
            _regime(
                "reg",
                [
                    _provision(
                        "p1",
                        Effect.REMOVAL,
                        Covers(entities=["acme", "delta"]),
                        date(2026, 12, 31),
                    ),
                    _provision("p3", Effect.ADVISORY, Covers(tags=["vendor"])),
                ],
            ),
            _regime("reg2", [_provision("only", Effect.LICENSE, Covers(lists=["second-list"]))]),
        ],
        country_groups={"ZZ": ["US", "CA"]},
    )


def import_batch(names: list[str], sha: str = "a" * 64, list_id: str = "test-list") -> ImportBatch:
    """An import of ``names`` (ids imp-0, imp-1, ...) onto one list, listed 2024-05-01."""
    src = f"import-test-{sha[:12]}"
    ents = [Entity(id=f"imp-{i}", name=n, sources=[src]) for i, n in enumerate(names)]
    entries = [ListEntry(entity=e.id, listed=date(2024, 5, 1), sources=[src]) for e in ents]
    return ImportBatch(
        format="test",
        file="test.csv",
        sha256=sha,
        sources=[Source(id=src, title="a test file")],
        entities=ents,
        ownership=[],
        lists=[
            RestrictedList(
                id=list_id,
                name="Test List",
                jurisdiction="US",
                publisher="Tester",
                sources=[src],
                entries=entries,
            )
        ],
        skipped=[],
    )
