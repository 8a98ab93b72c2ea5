"""The AI-chip Entity List data: list entries, footnote rules, end users and their sources.

Files under test: lists/us-bis-entity-list.yaml (the entries added for AI chips),
entities/ai_end_users.yaml, export_controls/entity_list_footnotes.yaml and
sources/entity_list_ai.yaml. The spot checks were written by hand from the sources named in
their comments (source ids are in data/sources/entity_list_ai.yaml unless noted), not copied
from the program's output.
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import yaml

from derisk.classify.rules_model import FootnoteFile, FootnoteRule
from derisk.kb.knowledge import KnowledgeBase
from derisk.kb.loader import load_bundled
from derisk.kb.model import EntityFile, ListEntry, SourceFile

DATA = Path(__file__).resolve().parents[2] / "src" / "derisk" / "data"
FOOTNOTES_FILE = DATA / "export_controls" / "entity_list_footnotes.yaml"
END_USERS_FILE = DATA / "entities" / "ai_end_users.yaml"
OWN_SOURCES = DATA / "sources" / "entity_list_ai.yaml"
ENTITY_LIST = "us-bis-entity-list"

# Entries this data set added or changed on the Entity List.
AI_ENTRIES = {
    "huawei",
    "sugon",
    "hygon",
    "chengdu-haiguang-ic",
    "chengdu-haiguang-micro",
    "phytium",
    "cambricon",
    "inspur-group",
    "biren",
    "moore-threads",
    "zhipu",
    "sophgo",
}
# Curated before this data set (ai_chips.yaml, huawei.yaml): reused by id, never redefined.
REUSED = {"huawei", "sugon", "hygon", "cambricon", "inspur-group", "biren", "moore-threads"}


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_bundled()


@pytest.fixture(scope="module")
def footnotes() -> FootnoteFile:
    return FootnoteFile.model_validate(_load(FOOTNOTES_FILE))


@pytest.fixture(scope="module")
def entries(kb: KnowledgeBase) -> dict[str, ListEntry]:
    return {e.entity: e for e in kb.lists[ENTITY_LIST].entries}


def _rules(footnotes: FootnoteFile, number: int) -> list[FootnoteRule]:
    return [f for f in footnotes.footnotes if f.footnote == number]


def _in_force(footnotes: FootnoteFile, number: int, on: date) -> FootnoteRule:
    found = [f for f in _rules(footnotes, number) if f.in_force(on)]
    assert len(found) == 1, (number, on, found)
    return found[0]


# --- structure ------------------------------------------------------------------------------


def test_files_validate_against_their_schemas() -> None:
    assert FootnoteFile.model_validate(_load(FOOTNOTES_FILE)).footnotes
    assert EntityFile.model_validate(_load(END_USERS_FILE)).ownership
    assert SourceFile.model_validate(_load(OWN_SOURCES)).sources


def test_bundled_kb_has_every_new_entry(kb: KnowledgeBase, entries: dict[str, ListEntry]) -> None:
    assert set(entries) >= AI_ENTRIES
    for entity in AI_ENTRIES:
        assert entity in kb.entities, entity


def test_existing_entities_are_reused_not_redefined() -> None:
    ids = {e.id for e in EntityFile.model_validate(_load(END_USERS_FILE)).entities}
    assert not ids & REUSED


def test_own_source_ids_are_prefixed_and_unique_across_files() -> None:
    own = [s.id for s in SourceFile.model_validate(_load(OWN_SOURCES)).sources]
    assert all(i.startswith("src-el-") for i in own)
    seen: dict[str, Path] = {}
    for path in sorted((DATA / "sources").glob("*.yaml")):
        for source in SourceFile.model_validate(_load(path)).sources:
            assert source.id not in seen, (source.id, path, seen.get(source.id))
            seen[source.id] = path
    assert all(seen[i] == OWN_SOURCES for i in own)


def test_every_cited_source_exists(
    kb: KnowledgeBase, entries: dict[str, ListEntry], footnotes: FootnoteFile
) -> None:
    cited = [s for e in AI_ENTRIES for s in entries[e].sources]
    end_users = EntityFile.model_validate(_load(END_USERS_FILE))
    cited += [s for e in end_users.entities for s in e.sources]
    cited += [s for o in end_users.ownership for s in o.sources]
    cited += [s for f in footnotes.footnotes for s in f.sources]
    missing = sorted({s for s in cited if s not in kb.sources})
    assert not missing


def test_single_source_facts_are_uncertain(footnotes: FootnoteFile) -> None:
    for rule in footnotes.footnotes:
        if len(set(rule.sources)) < 2:
            assert rule.uncertain, rule.id


# --- footnote rules -------------------------------------------------------------------------


def test_footnote_ids_unique_and_periods_do_not_overlap(footnotes: FootnoteFile) -> None:
    ids = [f.id for f in footnotes.footnotes]
    assert len(ids) == len(set(ids))
    for number in {f.footnote for f in footnotes.footnotes}:
        rules = sorted(_rules(footnotes, number), key=lambda r: r.effective)
        for earlier, later in pairwise(rules):
            assert earlier.ends is not None and earlier.ends < later.effective, number


def test_footnotes_cover_1_3_4_5_and_not_2(footnotes: FootnoteFile) -> None:
    # Footnote 2: 15 CFR 744.11(a)(2)(ii) is "[Reserved]" (src-el-ecfr-744-11-2024).
    assert {f.footnote for f in footnotes.footnotes} == {1, 3, 4, 5}


def test_footnote_1_dates(footnotes: FootnoteFile) -> None:
    # First version effective 15 May 2020 (85 FR 29849; src-el-fr-85-29849,
    # src-el-thompsonhine-2020-fdp); current form effective 17 August 2020 (85 FR 51596;
    # src-el-hugheshubbard-2020-huawei, src-el-pillsbury-2020-huawei).
    assert _in_force(footnotes, 1, date(2020, 5, 15)).instrument == "85 FR 29849"
    assert _in_force(footnotes, 1, date(2020, 8, 16)).instrument == "85 FR 29849"
    current = _in_force(footnotes, 1, date(2020, 8, 17))
    assert current.instrument == "85 FR 51596"
    assert current.cfr == "15 CFR 734.9(e)(1)"  # 744.11(a)(2)(i), src-el-ecfr-744-11-2024
    assert not [f for f in _rules(footnotes, 1) if f.in_force(date(2020, 5, 14))]


def test_footnote_3_russia_military_end_users(footnotes: FootnoteFile) -> None:
    # 87 FR 12226, published 3 March 2022, effective 24 February 2022 (src-el-fr-87-12226,
    # src-el-aianalytics-2022-04300); paragraph 734.9(g) (src-el-ecfr-734-9-2022).
    rule = _in_force(footnotes, 3, date(2022, 2, 24))
    assert (rule.instrument, rule.cfr) == ("87 FR 12226", "15 CFR 734.9(g)")
    assert not _rules(footnotes, 3)[0].in_force(date(2022, 2, 23))


def test_footnote_4_advanced_computing(footnotes: FootnoteFile) -> None:
    # 87 FR 62186; BIS lists effective dates 7, 12 and 21 October 2022 for its parts
    # (src-el-bis-fr-notices-2022, src-el-steptoe-2022-oct7); the footnote 4 part is taken
    # as 21 October, an inference the data marks uncertain.
    rule = _in_force(footnotes, 4, date(2022, 10, 21))
    assert (rule.instrument, rule.cfr) == ("87 FR 62186", "15 CFR 734.9(e)(2)")
    assert rule.uncertain
    assert not rule.in_force(date(2022, 10, 20))


def test_footnote_5_december_2024(footnotes: FootnoteFile) -> None:
    # 89 FR 96790, published 5 December 2024, effective 2 December 2024
    # (src-el-fr-89-96790, src-el-hklaw-2024-fn5).
    rule = _in_force(footnotes, 5, date(2024, 12, 2))
    assert (rule.instrument, rule.cfr) == ("89 FR 96790", "15 CFR 734.9(e)(3)")
    assert not rule.in_force(date(2024, 12, 1))


def test_every_footnote_on_the_list_has_a_rule(
    entries: dict[str, ListEntry], footnotes: FootnoteFile
) -> None:
    for entry in entries.values():
        for number in entry.footnotes:
            _in_force(footnotes, number, max(entry.listed, date(2026, 1, 1)))


# --- list entries ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entity", "listed", "footnotes"),
    [
        # Huawei listed effective 16 May 2019 (src-fr-84-22961); footnote 1 from 85 FR 29849.
        ("huawei", date(2019, 5, 16), [1]),
        # 84 FR 29371, effective 24 June 2019 (src-el-fr-84-29371, src-el-str-2019-sugon).
        ("sugon", date(2019, 6, 24), []),
        ("hygon", date(2019, 6, 24), []),
        ("chengdu-haiguang-ic", date(2019, 6, 24), []),
        # Effective 8 April 2021, published 9 April 2021 (src-el-lexology-2021-phytium).
        ("phytium", date(2021, 4, 8), []),
        # 87 FR 77505 effective 16 December 2022 (src-el-bis-fr-notices-2022); footnote 4 for
        # the 21 AI-chip entities (src-el-thompsonhine-2022-36) incl. Cambricon
        # (src-el-benzinga-2022-cambricon).
        ("cambricon", date(2022, 12, 16), [4]),
        # 88 FR 71991 effective 17 October 2023 (src-el-fr-88-71991, src-el-bis-fr-notices-2023);
        # FDP restriction per src-el-thompsonhine-2023-13 (footnote 4).
        ("biren", date(2023, 10, 17), [4]),
        ("moore-threads", date(2023, 10, 17), [4]),
        # 90 FR 4617 and 90 FR 4621, effective 16 January 2025 (src-el-frtracker-2025-00704,
        # src-el-frtracker-2025-00480, src-el-ecd-2025-jan).
        ("zhipu", date(2025, 1, 16), []),
        ("sophgo", date(2025, 1, 16), []),
    ],
)
def test_listing_dates_and_footnotes(
    entries: dict[str, ListEntry], entity: str, listed: date, footnotes: list[int]
) -> None:
    assert entries[entity].listed == listed
    assert entries[entity].footnotes == footnotes


def test_inspur_group_date_is_flagged_uncertain(entries: dict[str, ListEntry]) -> None:
    # Announced 2 March 2023 (src-el-jwinsights-2023-inspur); no Federal Register citation found.
    entry = entries["inspur-group"]
    assert entry.listed == date(2023, 3, 2)
    assert entry.uncertain
    assert entry.note and "Federal Register" in entry.note


def test_inspur_information_is_not_listed(kb: KnowledgeBase) -> None:
    # Reuters (src-el-cna-2023-inspur): Inspur Electronic Information Industry was not covered.
    assert not [m for m in kb.memberships("inspur") if m.list.id == ENTITY_LIST]


# --- ownership: the 50% affiliates rule -----------------------------------------------------


def test_unlisted_smic_subsidiaries_reach_listed_smic(kb: KnowledgeBase) -> None:
    # SMIC Form 20-F 2017 and 2018 (src-el-sec-smic-20f-2017, src-sec-smic-20f-2018): SMIC Europe
    # S.R.L. (Italy) and SMIC Japan held 100%; not among the entities BIS listed in December
    # 2020 (src-el-thompsonhine-2020-smic).
    on = date(2025, 10, 1)
    for child, country in (("smic-europe", "IT"), ("smic-japan", "JP")):
        assert kb.entities[child].country == country
        assert not [m for m in kb.memberships(child) if m.list.id == ENTITY_LIST]
        edge = next(e for e in kb.parents(child, on) if e.parent == "smic")
        assert edge.share is not None and edge.share >= 0.5
        assert any(p[-1] == "smic" for p in kb.ownership_paths(child, on))
    assert [m for m in kb.memberships("smic") if m.list.id == ENTITY_LIST]
