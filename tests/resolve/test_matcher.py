"""Name resolution against the bundled knowledge base: table-driven, hand-labelled cases."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from derisk.kb.loader import load_bundled
from derisk.resolve.index import NameIndex
from derisk.resolve.matcher import match_name
from derisk.resolve.normalize import fold, name_key
from derisk.resolve.score import allowed_edits, default_model


@pytest.fixture(scope="module")
def index() -> NameIndex:
    return NameIndex(load_bundled().entities.values())


# (input as written in an inventory, expected entity id) - labelled by hand: each is the
# company the text names (legal-form, case, punctuation and script variants, typos).
POSITIVES = [
    ("Huawei Technologies Co., Ltd.", "huawei"),
    ("HUAWEI TECH. CO LTD", "huawei"),
    ("huawei technologies co.,ltd", "huawei"),
    ("Huawei", "huawei"),
    ("华为技术有限公司", "huawei"),
    ("Huawai", "huawei"),  # one substitution
    ("Hauwei", "huawei"),  # one transposition
    ("Huawei Technologies Düsseldorf GmbH", "huawei-duesseldorf"),
    ("Huawei Technologies Duesseldorf GmbH", "huawei-duesseldorf"),
    ("HiSilicon Technologies Co., Ltd.", "hisilicon"),
    ("ZTE Corporation", "zte"),
    ("ZTE Corp.", "zte"),
    ("中兴通讯股份有限公司", "zte"),
    ("ZTE Corporaton", "zte"),  # 'Corporaton' is a typo of a generic word: ZTE decides
    ("Hangzhou Hikvision Digital Technology Co., Ltd.", "hikvision"),
    ("杭州海康威视数字技术股份有限公司", "hikvision"),
    ("Zhejiang Dahua Technology Co., Ltd.", "dahua"),
    ("Hytera Communications Corporation Limited", "hytera"),
    ("Semiconductor Manufacturing International Corporation", "smic"),
    ("Yangtze Memory Technologies Co., Ltd.", "ymtc"),
    ("NVIDIA Corporation", "nvidia"),
    ("Telefonaktiebolaget LM Ericsson", "ericsson"),
    ("Nokia Oyj", "nokia"),
    ("AO Kaspersky Lab", "kaspersky-ao"),
    ("Huawei Marine Networks Co., Ltd.", "hmn-tech"),  # former name of a divested company
]

# Look-alikes and unrelated names that must NOT resolve to the restricted entity.
NEGATIVES = [
    ("ZTT", "zte"),
    ("Hua Hong Semiconductor Limited", "huawei"),
    ("Huahong Grace", "huawei"),
    ("ZTS Corp", "zte"),
    ("Hawaii Telecom", "huawei"),
    ("Dahlia Technology", "dahua"),
    ("Acme Widgets GmbH", None),
]


@pytest.mark.parametrize(("name", "expected"), POSITIVES)
def test_resolves(index: NameIndex, name: str, expected: str) -> None:
    m = match_name(name, index)
    assert m is not None, name
    assert m.entity_id == expected
    assert default_model().threshold <= m.score <= 1.0


@pytest.mark.parametrize(("name", "forbidden"), NEGATIVES)
def test_does_not_confuse_look_alikes(index: NameIndex, name: str, forbidden: str | None) -> None:
    m = match_name(name, index)
    if forbidden is None:
        assert m is None
    else:
        assert m is None or m.entity_id != forbidden


def test_look_alikes_resolve_to_themselves(index: NameIndex) -> None:
    ztt = match_name("ZTT", index)
    assert ztt is not None and ztt.entity_id == "ztt"
    hua_hong = match_name("Hua Hong Semiconductor Limited", index)
    assert hua_hong is not None and hua_hong.entity_id == "hua-hong"


def test_exact_scores_one_and_typo_scores_less(index: NameIndex) -> None:
    exact = match_name("ZTE Corporation", index)
    typo = match_name("Huawai", index)
    assert exact is not None and exact.score > 0.99 and exact.method == "exact"
    assert typo is not None and typo.method == "fuzzy" and typo.score < exact.score


def test_located_subsidiary_not_matched_by_bare_parent_name(index: NameIndex) -> None:
    # "Huawei" must resolve to Huawei itself, not to its Düsseldorf subsidiary.
    m = match_name("Huawei", index)
    assert m is not None and m.entity_id == "huawei"


def test_unknown_subsidiary_with_a_place_maps_to_parent(index: NameIndex) -> None:
    m = match_name("Huawei Technologies Polska Sp. z o.o.", index)
    assert m is not None and m.entity_id == "huawei" and m.method == "normalized"


def test_contains_maps_longer_names_to_the_named_company(index: NameIndex) -> None:
    m = match_name("Hikvision Security Cameras Distribution Department", index)
    assert m is not None and m.entity_id == "hikvision" and m.method == "contains"


@pytest.mark.parametrize(
    ("length", "edits"), [(3, 0), (4, 0), (5, 1), (8, 1), (9, 2), (14, 2), (15, 3)]
)
def test_edit_allowance_by_length(length: int, edits: int) -> None:
    assert allowed_edits(length) == edits


def test_blank_names_match_nothing(index: NameIndex) -> None:
    assert match_name("", index) is None
    assert match_name("   ", index) is None


def test_normalisation_examples() -> None:
    assert fold("Huawei Technologies Co.,Ltd.") == "huawei technologies co ltd"
    assert fold("AT&T") == "at and t"
    assert fold("Düsseldorf") == "dusseldorf"
    assert fold("Хуавэй") == "хуавэй"  # Cyrillic letters are kept whole
    assert name_key("HUAWEI TECH. CO LTD").distinctive == ("huawei",)
    assert name_key("华为技术有限公司").distinctive == ("华为",)
    assert name_key("华为技术有限公司").latin == "huawei"
    k = name_key("Huawei Technologies Düsseldorf GmbH")
    assert k.distinctive == ("huawei",) and k.locations == frozenset({"dusseldorf"})


@settings(deadline=None)  # the first example loads the vocabulary
@given(st.text(min_size=1, max_size=40))
def test_normalisation_never_fails_and_is_idempotent(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    key = name_key(text)
    assert isinstance(key.key, str)


@settings(deadline=None)  # the first example builds the index
@given(st.sampled_from([p[0] for p in POSITIVES]), st.sampled_from(["upper", "lower", "space"]))
def test_case_and_spacing_do_not_change_the_answer(name: str, variant: str) -> None:
    index = _INDEX()
    changed = {"upper": name.upper(), "lower": name.lower(), "space": f"  {name}  "}[variant]
    a, b = match_name(name, index), match_name(changed, index)
    assert a is not None and b is not None and a.entity_id == b.entity_id


_CACHE: list[NameIndex] = []


def _INDEX() -> NameIndex:  # hypothesis tests cannot take function-scoped fixtures
    if not _CACHE:
        _CACHE.append(NameIndex(load_bundled().entities.values()))
    return _CACHE[0]


def test_numbers_must_agree() -> None:
    from derisk.kb.model import Entity

    index = NameIndex([Entity(id="trust-2005", name="Alpha Trust 2005", sources=["s"])])
    hit = match_name("Alpha Trust 2005", index)
    assert hit is not None and hit.entity_id == "trust-2005"
    assert match_name("Alpha Trust 2006", index) is None  # one edit, but a different number
    assert match_name("Alpha Trsut 2005", index) is not None  # a typo in the words is fine
