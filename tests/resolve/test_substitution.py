"""Two names that share an ordinary word but carry a different distinctive word each.

"Tencent Cloud" and "Huawei Cloud" share "Cloud" and differ in the word that names the
company: a substitution, not an omission. Such pairs used to score just above the threshold
(0.52-0.60 with the model fitted before the `substitution` feature and the `neg_shared_word`
pairs of benchmarks/matching). The expected labels below come from what the names denote,
never from the program's output.
"""

from __future__ import annotations

import pytest

from derisk.kb.model import Entity
from derisk.resolve.compare import compare_names
from derisk.resolve.index import NameIndex
from derisk.resolve.matcher import resolve_name
from derisk.resolve.normalize import name_key
from derisk.resolve.score import features

# Different organisations: Tencent Cloud, Alibaba Cloud and Inspur Cloud are the cloud
# businesses of Tencent, Alibaba and Inspur, not of Huawei; "Acme Cloud Pte Ltd" and "Deutsche
# Cloud GmbH" are made-up Singaporean and German companies that share only the word "Cloud"
# with Huawei Cloud; Moore Threads is a Beijing GPU designer, Moore Industries a Californian
# maker of process instruments.
DIFFERENT = [
    ("Tencent Cloud", "Huawei Cloud"),
    ("Acme Cloud Pte Ltd", "Huawei Cloud"),
    ("Alibaba Cloud", "Huawei Cloud"),
    ("Inspur Cloud", "Huawei Cloud"),
    ("Moore Threads", "Moore Industries"),
    ("Deutsche Cloud GmbH", "Huawei Cloud"),
]

# The query holds the whole known name and adds a place: a regional unit or subsidiary of the
# named company, which the rules cover, so the pair is a match (a word missing on one side is
# an omission, not a substitution).
CONTAINED = [
    ("Huawei Cloud Europe", "Huawei Cloud"),
    ("Hikvision USA", "Hikvision"),
    ("Hikvision USA Inc.", "Hikvision Digital Technology Co., Ltd."),
]


@pytest.mark.parametrize(("name1", "name2"), DIFFERENT)
def test_a_different_distinctive_word_is_no_match(name1: str, name2: str) -> None:
    for a, b in ((name1, name2), (name2, name1)):  # symmetric
        result = compare_names(a, b)
        assert result.decision == "no_match", (a, b, result.score)
        assert result.values["substitution"] == 1.0


@pytest.mark.parametrize(("name1", "name2"), CONTAINED)
def test_a_contained_name_stays_a_match(name1: str, name2: str) -> None:
    result = compare_names(name1, name2)
    assert result.match, (name1, name2, result.score)
    assert not result.values.get("substitution")


# One word written two ways is not a substitution: an abbreviation ("Mgt", "Solns" for the
# plural "Solutions"), a typo, a translation ('集团' is 'group'), initials of the other name's
# words ("NCO"), or a number (weighed by number_conflict instead).
SAME_WORD_WRITTEN_TWO_WAYS = [
    ("Acme Mgt Services", "Acme Management Services"),
    ("Northwind Solns", "Northwind Solutions"),
    ("Northwind Inudstries", "Northwind Industries"),
    ("Northwind集团", "Northwind Group"),
    ("Rocket Force NCO School", "Rocket Force Non-Commissioned Officer School"),
    ("Northwind Institute 12", "Northwind Institute 13"),
]


@pytest.mark.parametrize(("name1", "name2"), SAME_WORD_WRITTEN_TWO_WAYS)
def test_variants_of_one_word_are_no_substitution(name1: str, name2: str) -> None:
    assert features(name_key(name1), name_key(name2))["substitution"] == 0.0


def test_an_omission_is_no_substitution() -> None:
    # "Computing Technologies" is missing on one side, nothing stands in its place.
    values = features(name_key("Huawei Cloud"), name_key("Huawei Cloud Computing Technologies"))
    assert values["substitution"] == 0.0


def test_screening_does_not_take_a_substitution_for_a_unit() -> None:
    index = NameIndex(
        [
            Entity(id="huawei-cloud", name="Huawei Cloud", sources=["s"]),
            Entity(id="moore-threads", name="Moore Threads", sources=["s"]),
            Entity(id="inspur", name="Inspur Group Co., Ltd.", sources=["s"]),
        ]
    )
    for name in ("Tencent Cloud", "Alibaba Cloud", "Moore Industries", "Moore Industries Inc"):
        found, doubtful = resolve_name(name, index)
        assert found is None and doubtful is None, (name, found, doubtful)
    # A unit of a listed company still is one: the query holds the known name whole.
    found, _ = resolve_name("Huawei Cloud Europe", index)
    assert found is not None and found.entity_id == "huawei-cloud"
    found, _ = resolve_name("Inspur Cloud", index)  # Inspur's cloud business
    assert found is not None and found.entity_id == "inspur" and found.method == "contains"
