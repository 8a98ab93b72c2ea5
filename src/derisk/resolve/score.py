"""Pair scoring: named features of two names, combined into a calibrated score in 0..1.

The score is a logistic model, ``1 / (1 + exp(-(intercept + sum(weight_i * feature_i))))``,
whose weights are data (``derisk/data/names/match_model.yaml``, fitted on a labelled
development set by ``benchmarks/matching/fit_model.py``). Every feature is reported with its
contribution, so a score can be explained term by term.

The features look only at the distinctive part of names (legal forms, generic words and places
removed); legal forms, places, numbers, countries and identifiers enter as agreement or
conflict features, never as similarity, so "Co., Ltd." shared by two names adds nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator
from rapidfuzz.distance import OSA

from derisk.resolve.normalize import NameKey

__all__ = [
    "FEATURES",
    "MatchModel",
    "PairScore",
    "allowed_edits",
    "default_model",
    "features",
    "score_pair",
    "unaligned_words",
]

FEATURES = (
    "exact",  # the whole names are equal once folded
    "same_key",  # the same distinctive words once legal forms etc. are normalised
    "transliterated",  # equal once both are transliterated to Latin (different scripts)
    "similarity",  # 0..1: best of token alignment and joined-string similarity
    "excess_edits",  # edits beyond what the word lengths allow (0..3)
    "short_mismatch",  # a distinctive part of 4 characters or fewer that is not equal
    "unmatched_max",  # share of distinctive characters without a counterpart, worse side
    "unmatched_min",  # the same, better side (both sides have extra words)
    "location_conflict",  # both name places, and different ones
    "location_one_sided",  # one names a place the other does not
    "number_conflict",  # the numbers in the names differ
    "legal_agree",  # both carry legal forms of the same kind (LLC, JSC, ...)
    "legal_conflict",  # both carry legal forms, of different kinds
    "country_agree",
    "country_conflict",
    "identifier_match",  # a shared identifier (LEI, registration number)
    "generic_only",  # one name has nothing but generic words
    "generic_diff",  # share of generic words ("Group", "Communications") not on both sides
    "acronym",  # one name is the initials of the other ("IRGC", "SMIC")
    "substitution",  # a shared distinctive word, and a different word on each side
)
_STOPWORDS = frozenset({"of", "and", "the", "for", "de", "du", "des", "la", "le", "und", "der"})

_DATA = Path(__file__).resolve().parent.parent / "data" / "names" / "match_model.yaml"


def allowed_edits(length: int) -> int:
    """Typos tolerated in a distinctive part of this many characters."""
    if length <= 4:
        return 0
    if length <= 8:
        return 1
    if length <= 14:
        return 2
    return 3


class MatchModel(BaseModel):
    """Weights, intercept and thresholds, with where they came from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    intercept: float
    weights: dict[str, float]
    threshold: float = Field(gt=0, lt=1)  # match at or above
    review: float = Field(gt=0, lt=1)  # 'review' band: [review, threshold)
    provenance: dict[str, str | int | float] = {}

    @model_validator(mode="after")
    def _known_features(self) -> MatchModel:
        unknown = set(self.weights) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown features: {sorted(unknown)}")
        if self.review > self.threshold:
            raise ValueError("the review band must lie below the threshold")
        return self


@lru_cache(maxsize=1)
def default_model() -> MatchModel:
    """The bundled model (read once)."""
    with _DATA.open(encoding="utf-8") as fh:
        return MatchModel.model_validate(yaml.safe_load(fh))


@dataclass(frozen=True)
class PairScore:
    score: float
    decision: str  # match | review | no_match
    contributions: dict[str, float]  # feature -> weight * value (non-zero only)
    values: dict[str, float]

    @property
    def match(self) -> bool:
        return self.decision == "match"


def _abbreviates(x: str, y: str) -> bool:
    """One word is a cut-off abbreviation of the other: "univ"/"university", "aviat"."""
    short, long = (x, y) if len(x) < len(y) else (y, x)
    return len(short) >= 4 and len(long) >= len(short) + 2 and long.startswith(short)


def _word_similarity(x: str, y: str) -> float:
    return 0.9 if _abbreviates(x, y) else OSA.normalized_similarity(x, y)


def _is_acronym(short: NameKey, long: NameKey) -> bool:
    letters = short.compact
    if not (2 <= len(letters) <= 6) or len(short.distinctive) != 1 or not letters.isalpha():
        return False
    words = [w for w in long.folded.split() if w not in _STOPWORDS]
    return len(words) == len(letters) and "".join(w[0] for w in words) == letters


def _align(
    a: tuple[str, ...], b: tuple[str, ...]
) -> tuple[float, float, float, int, tuple[str, ...], tuple[str, ...]]:
    """Greedy one-to-one alignment of words by similarity.

    Returns (similarity of the aligned words 0..1, weighted by length; the unmatched share of
    ``a`` and of ``b`` by characters; edits beyond the allowance in aligned words; the
    unaligned words of ``a`` and of ``b``).
    """
    pairs = sorted(
        ((_word_similarity(x, y), i, j) for i, x in enumerate(a) for j, y in enumerate(b)),
        reverse=True,
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    gained = 0.0
    weight = 0
    excess = 0
    for sim, i, j in pairs:
        if sim < 0.5 or i in used_a or j in used_b:
            continue
        x, y = a[i], b[j]
        edits = 0 if _abbreviates(x, y) else OSA.distance(x, y)
        if edits > allowed_edits(min(len(x), len(y))):
            excess += edits - allowed_edits(min(len(x), len(y)))
            if sim < 0.75:
                continue  # too different to count as the same word
        used_a.add(i)
        used_b.add(j)
        gained += sim * (len(x) + len(y))
        weight += len(x) + len(y)
    rest_a = tuple(x for i, x in enumerate(a) if i not in used_a)
    rest_b = tuple(y for j, y in enumerate(b) if j not in used_b)
    left_a = sum(map(len, rest_a)) / (sum(map(len, a)) or 1)
    left_b = sum(map(len, rest_b)) / (sum(map(len, b)) or 1)
    return (gained / weight if weight else 0.0), left_a, left_b, excess, rest_a, rest_b


def unaligned_words(a: NameKey, b: NameKey) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The distinctive words of ``a`` and of ``b`` that have no counterpart in the other."""
    return _align(a.distinctive, b.distinctive)[4:]


def _variant(x: str, y: str) -> bool:
    """Two words that may be one word written two ways: a few typos apart ('inudstrie' /
    'industrie'), one a shortening of the other, its letters in order ('mgt' /
    'management', 'solns' / 'solution'), or in two scripts (a translation: '集团' / 'group')."""
    if x.isascii() != y.isascii() or OSA.normalized_similarity(x, y) >= 0.5:
        return True
    short, long = (x, y) if len(x) <= len(y) else (y, x)
    short = short.removesuffix("s") or short  # 'solns': generic words are kept singular
    if short[0] != long[0]:
        return False
    rest = iter(long)
    return all(ch in rest for ch in short)


def _initials(key: NameKey) -> str:
    return "".join(w[0] for w in key.tokens if w not in _STOPWORDS)


def _left_over(rest: tuple[str, ...], other: NameKey) -> list[str]:
    """Unaligned words that count: not numbers, not initials of the other name's words."""
    return [
        w
        for w in rest
        if not w.isdigit() and not (len(w) <= len(other.tokens) and w in _initials(other))
    ]


def _substitution(q: NameKey, c: NameKey, rest_q: tuple[str, ...], rest_c: tuple[str, ...]) -> bool:
    """Each name has a word the other lacks, at least one of them distinctive, and neither
    could be the other's misspelling, abbreviation or translation: "Tencent Cloud" /
    "Huawei Cloud", "Moore Threads" / "Moore Industries". Called when the names share a
    distinctive word.

    A word missing on one side only ("Huawei Cloud Europe" / "Huawei Cloud") is an
    omission, which the unmatched shares measure; a different word in its place makes a
    different name. Generic words count as the other side's word ("Industries" for
    "Threads"); numbers do not (``number_conflict`` weighs them), nor initials of the other
    name's words ("NCO" for "Non-Commissioned Officer", "RAS").
    """
    generic_q = q.generic - c.generic - _STOPWORDS
    generic_c = c.generic - q.generic - _STOPWORDS
    if not ((rest_q or generic_q) and (rest_c or generic_c) and (rest_q or rest_c)):
        return False
    distinctive_q, distinctive_c = _left_over(rest_q, c), _left_over(rest_c, q)
    if not (distinctive_q or distinctive_c):
        return False
    words_q, words_c = {*distinctive_q, *generic_q}, {*distinctive_c, *generic_c}
    same_q: set[str] = set()
    same_c: set[str] = set()
    for x in words_q:
        for y in words_c:
            if _variant(x, y):
                same_q.add(x)
                same_c.add(y)
    only_q, only_c = words_q - same_q, words_c - same_c
    return bool(only_q and only_c and (only_q.intersection(rest_q) or only_c.intersection(rest_c)))


def features(
    q: NameKey,
    c: NameKey,
    *,
    q_country: str | None = None,
    c_country: str | None = None,
    identifiers_match: bool = False,
) -> dict[str, float]:
    """Feature values of a pair of normalised names (symmetric in the two names)."""
    # "Hua Wei" is "Huawei"; "MT Micro Systems" is "MT Microsystems".
    same_key = q.key == c.key or q.compact == c.compact or q.spelled == c.spelled
    if same_key:
        return _with_context(q, c, _SAME, q_country, c_country, identifiers_match)
    if _is_acronym(q, c) or _is_acronym(c, q):  # "IRGC" is "Iranian Revolutionary Guard Corps"
        initials = {**_SAME, "same_key": 0.0, "similarity": 0.0}
        return _with_context(q, c, initials, q_country, c_country, identifiers_match)
    if len(q.latin) > 4 and q.latin == c.latin:  # the same name in another script
        translit = {**_SAME, "same_key": 0.0, "transliterated": 1.0}
        return _with_context(q, c, translit, q_country, c_country, identifiers_match)
    align_sim, left_q, left_c, excess, rest_q, rest_c = _align(q.distinctive, c.distinctive)
    shares_word = len(rest_q) < len(q.distinctive)  # at least one word aligned
    joined_sim = OSA.normalized_similarity(q.compact, c.compact)
    joined_edits = OSA.distance(q.compact, c.compact)
    joined_excess = max(0, joined_edits - allowed_edits(min(len(q.compact), len(c.compact))))
    latin_sim = OSA.normalized_similarity(q.latin, c.latin) if q.latin and c.latin else 0.0
    similarity = max(align_sim, joined_sim, latin_sim)
    joined = joined_excess == 0 and joined_sim >= align_sim  # split or joined words, one typo
    if joined:
        excess, left_q, left_c = 0, 0.0, 0.0
    substituted = not joined and shares_word and _substitution(q, c, rest_q, rest_c)
    shorter, longer = sorted((q, c), key=lambda k: len(k.compact))
    short = len(shorter.compact) <= 4 and shorter.compact not in longer.distinctive
    values = {
        "exact": 0.0,
        "same_key": 0.0,
        "transliterated": 0.0,
        "similarity": similarity,
        "excess_edits": float(min(excess, 3)),
        "short_mismatch": float(short),
        "unmatched_max": max(left_q, left_c),
        "unmatched_min": min(left_q, left_c),
        "substitution": float(substituted),
    }
    return _with_context(q, c, values, q_country, c_country, identifiers_match)


_SAME = {
    "same_key": 1.0,
    "transliterated": 0.0,
    "similarity": 1.0,
    "excess_edits": 0.0,
    "short_mismatch": 0.0,
    "unmatched_max": 0.0,
    "unmatched_min": 0.0,
    "substitution": 0.0,
}


def _with_context(
    q: NameKey,
    c: NameKey,
    name_values: dict[str, float],
    q_country: str | None,
    c_country: str | None,
    identifiers_match: bool,
) -> dict[str, float]:
    """Add the agreement and conflict features (places, numbers, legal forms, country...)."""
    both_places = bool(q.locations and c.locations)
    values = {
        "exact": float(q.folded == c.folded),
        **name_values,
        "location_conflict": float(
            both_places and bool(q.locations - c.locations) and bool(c.locations - q.locations)
        ),
        "location_one_sided": float(q.locations != c.locations and not both_places),
        "number_conflict": float(q.digits != c.digits),
        "legal_agree": float(bool(q.legal_classes & c.legal_classes)),
        "legal_conflict": float(
            bool(q.legal_classes and c.legal_classes)
            and q.legal_classes.isdisjoint(c.legal_classes)
        ),
        "country_agree": float(bool(q_country and c_country and q_country == c_country)),
        "country_conflict": float(bool(q_country and c_country and q_country != c_country)),
        "identifier_match": float(identifiers_match),
        "generic_only": float(q.generic_only or c.generic_only),
        "generic_diff": len(q.generic ^ c.generic) / max(1, len(q.generic | c.generic)),
        "acronym": float(_is_acronym(q, c) or _is_acronym(c, q)),
    }
    return values


def combine(values: Mapping[str, float], model: MatchModel) -> PairScore:
    contributions: dict[str, float] = {}
    z = model.intercept
    weights = model.weights
    for name, value in values.items():
        if value:
            weight = weights.get(name)
            if weight:
                contributions[name] = weight * value
                z += weight * value
    score = 1.0 / (1.0 + math.exp(-z)) if z > -60 else 0.0
    decision = (
        "match" if score >= model.threshold else "review" if score >= model.review else "no_match"
    )
    return PairScore(round(score, 4), decision, contributions, dict(values))


def score_pair(
    q: NameKey,
    c: NameKey,
    model: MatchModel | None = None,
    *,
    q_country: str | None = None,
    c_country: str | None = None,
    identifiers_match: bool = False,
) -> PairScore:
    """Score two normalised names with the model (default: the bundled one)."""
    return combine(
        features(
            q, c, q_country=q_country, c_country=c_country, identifiers_match=identifiers_match
        ),
        model or default_model(),
    )
