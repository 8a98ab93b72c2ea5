"""Resolve a name to knowledge-base entities: retrieve candidates, score them, explain.

:func:`match_name` returns the best entity at or above the model's threshold (used by
screening); :func:`rank_candidates` returns every scored candidate with its feature
contributions (used by ``derisk match``). Each result carries a method label naming its
strongest evidence: ``exact`` (the same name), ``normalized`` (the same distinctive words once
legal forms, generic words and abbreviations are normalised), ``transliterated`` (the same in
Latin script), ``contains`` (the known name is part of a longer one) or ``fuzzy`` (typos).
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import Indel

from derisk.resolve.index import AliasRef, NameIndex
from derisk.resolve.normalize import NameKey, name_key
from derisk.resolve.score import (
    MatchModel,
    PairScore,
    default_model,
    score_pair,
    unaligned_words,
)

__all__ = [
    "Candidate",
    "NameMatch",
    "contains_known",
    "match_name",
    "method_of",
    "rank_candidates",
    "resolve_name",
]


@dataclass(frozen=True)
class NameMatch:
    entity_id: str
    matched_name: str
    score: float
    method: str


@dataclass(frozen=True)
class Candidate:
    ref: AliasRef
    result: PairScore
    method: str

    @property
    def entity_id(self) -> str:
        return self.ref.entity_id


def method_of(values: dict[str, float]) -> str:
    if values.get("exact"):
        return "exact"
    if values.get("same_key"):
        return "normalized"
    if values.get("transliterated"):
        return "transliterated"
    if values.get("unmatched_max") and not values.get("unmatched_min"):
        return "contains"
    return "fuzzy"


def rank_candidates(
    name: str,
    index: NameIndex,
    *,
    country: str | None = None,
    model: MatchModel | None = None,
    limit: int = 8,
) -> list[Candidate]:
    """Every retrieved candidate, scored, best first; one (the best alias) per entity."""
    if not name or not name.strip():
        return []
    model = model or default_model()
    q = name_key(name, index.vocab)
    return _score(q, index.candidates(q, limit), index, country, model)


def _score(
    q: NameKey, numbers: list[int], index: NameIndex, country: str | None, model: MatchModel
) -> list[Candidate]:
    best: dict[str, Candidate] = {}
    for i in numbers:
        ref = index.refs[i]
        result = score_pair(q, ref.key, model, q_country=country, c_country=ref.country)
        found = Candidate(ref, result, method_of(result.values))
        held = best.get(ref.entity_id)
        if held is None or _rank(q, found) < _rank(q, held):
            best[ref.entity_id] = found
    return sorted(best.values(), key=lambda c: _rank(q, c))


def _rank(q: NameKey, c: Candidate) -> tuple[int, float, float, str]:
    # Scores within 0.05 of each other count as a tie, which goes to the alias closest in
    # full: "Huawei Tech." is Huawei Technologies, not Huawei Device, though both share the
    # distinctive word and a legal form may tip the score by a hair.
    closeness = Indel.normalized_similarity(" ".join(q.tokens), " ".join(c.ref.key.tokens))
    return (-int(c.result.score * 20), -closeness, -c.result.score, c.ref.entity_id)


def contains_known(c: Candidate, q: NameKey | None = None) -> bool:
    """The query holds the known name's whole distinctive part, with nothing in conflict.

    "Hikvision Security Cameras Distribution Department" names a unit of Hikvision; since
    rules cover subsidiaries and units, screening reports it (method ``contains``) even when
    the pair score, which weighs the extra words, stays below the threshold. With the query
    ``q``, the known name's words must all be in it: "Moore Industries" lacks the "Threads"
    of "Moore Threads" and is no unit of it (the method alone, ``contains``, only says that
    one of the two names holds the other).
    """
    v = c.result.values
    return (
        c.method == "contains"
        and v.get("excess_edits", 0) == 0
        and not any(v.get(k) for k in ("number_conflict", "location_conflict", "generic_only"))
        and len(c.ref.key.compact) >= 5
        and not (c.ref.key.locations - _query_places(c))
        and (q is None or not unaligned_words(q, c.ref.key)[1])
    )


def _query_places(c: Candidate) -> frozenset[str]:
    # A known name with a place the query lacks is a located subsidiary, not a unit of it.
    return frozenset() if c.result.values.get("location_one_sided") else c.ref.key.locations


def match_name(
    name: str,
    index: NameIndex,
    *,
    country: str | None = None,
    model: MatchModel | None = None,
    allow_contains: bool = True,
    exclude: frozenset[str] = frozenset(),
) -> NameMatch | None:
    """The best entity for ``name`` if it scores at or above the match threshold, or (with
    ``allow_contains``) if ``name`` contains a known name whole (:func:`contains_known`).
    Entities in ``exclude`` (matches an analyst dismissed) are never returned."""
    found, _ = resolve_name(
        name, index, country=country, model=model, allow_contains=allow_contains, exclude=exclude
    )
    return found


def resolve_name(
    name: str,
    index: NameIndex,
    *,
    country: str | None = None,
    model: MatchModel | None = None,
    allow_contains: bool = True,
    exclude: frozenset[str] = frozenset(),
) -> tuple[NameMatch | None, Candidate | None]:
    """As :func:`match_name`, plus the best candidate when it falls in the review band."""
    if not name or not name.strip():
        return None, None
    model = model or default_model()
    q = name_key(name, index.vocab)
    direct, fuzzy = index.split_candidates(q, 5, always_fuzzy=bool(exclude))
    # A name found as it is (or once normalised) needs no typo candidates: they score lower.
    ranked = _score(q, direct or fuzzy, index, country, model)
    if exclude:
        ranked = [
            c
            for c in _score(q, [*direct, *fuzzy], index, country, model)
            if c.entity_id not in exclude
        ]
    for top in ranked[:1]:
        if top.result.match or (allow_contains and contains_known(top, q)):
            return NameMatch(top.entity_id, top.ref.name, top.result.score, top.method), None
        if top.result.decision == "review":
            return None, top
    return None, None
