"""Resolve one vendor name to the best knowledge-base entity, with the reason.

Methods, strongest first (each reports a fixed score band so a score says how it was made):

- ``exact`` (1.00): the folded name equals a known name or alias.
- ``normalized`` (0.97): the same distinctive words once legal forms ("Co., Ltd.", "GmbH",
  "有限公司"), generic words ("Technology", "Group") and abbreviations are normalised, and the
  same places. A query naming a place the known name lacks scores 0.90
  ("Huawei Technologies Polska" -> Huawei); a known name with a place the query lacks is
  a different entity and is not matched.
- ``transliterated`` (0.93): equal after transliteration to Latin ("华为" -> "huawei").
- ``fuzzy`` (0.95 - 0.03 per edit): optimal-string-alignment edits on the distinctive part,
  allowed only by length: none up to 4 characters (so ZTT is never ZTE), one up to 8, two up
  to 14, three beyond; digits must agree exactly ("Trust 2005" is not "Trust 2006").
- ``contains`` (0.88 to 0.95): every distinctive word of a known name appears (with the same
  edit allowance per word) among the query's words ("Huawei Technologies Deutschland
  Service GmbH" -> Huawei).

A match is accepted at :data:`THRESHOLD` or above.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel

from derisk.resolve.index import AliasRef, NameIndex, near_lengths
from derisk.resolve.normalize import NameKey, name_key

__all__ = ["THRESHOLD", "NameMatch", "allowed_edits", "match_name"]

THRESHOLD = 0.85


@dataclass(frozen=True)
class NameMatch:
    entity_id: str
    matched_name: str
    score: float
    method: str


def allowed_edits(length: int) -> int:
    if length <= 4:
        return 0
    if length <= 8:
        return 1
    if length <= 14:
        return 2
    return 3


def _digits(text: str) -> str:
    """Numbers in names must agree exactly: "Trust 2005" is not "Trust 2006"."""
    return "".join(c for c in text if c.isdigit())


def _place_score(query: NameKey, known: NameKey, equal: float) -> float | None:
    if known.locations - query.locations:
        return None  # the known name is a located subsidiary the query does not name
    return equal if query.locations == known.locations else 0.90


def _candidates(query: NameKey, index: NameIndex) -> list[tuple[float, str, int]]:
    found: list[tuple[float, str, int]] = []
    for i in index.exact.get(query.folded, []):
        found.append((1.0, "exact", i))
    for i in index.by_key.get(query.key, []):
        score = _place_score(query, index.refs[i].key, 0.97)
        if score is not None:
            found.append((score, "normalized", i))
    if query.latin and len(query.latin) > 4:
        for i in index.by_latin.get(query.latin, []):
            ref = index.refs[i].key
            if ref.compact != query.compact:  # a different script on one side
                score = _place_score(query, ref, 0.93)
                if score is not None:
                    found.append((min(score, 0.93), "transliterated", i))
    if found:
        return found
    found.extend(_fuzzy(query, index))
    found.extend(_contains(query, index))
    return found


def _fuzzy(query: NameKey, index: NameIndex) -> list[tuple[float, str, int]]:
    out: list[tuple[float, str, int]] = []
    for text, keys, pool in (
        (query.compact, index.by_compact, index.compact_keys),
        (query.latin, index.by_latin, index.latin_keys),
    ):
        limit = allowed_edits(len(text))
        if not limit:
            continue
        near = near_lengths(pool, len(text), limit)
        hits = process.extract(text, near, scorer=OSA.distance, score_cutoff=limit, limit=20)
        for known_text, edits, _ in hits:
            if allowed_edits(len(known_text)) < edits or _digits(known_text) != _digits(text):
                continue
            for i in keys[known_text]:
                score = _place_score(query, index.refs[i].key, 0.95 - 0.03 * edits)
                if score is not None:
                    out.append((min(score, 0.95 - 0.03 * edits), "fuzzy", i))
    return out


def _token_hit(token: str, index: NameIndex) -> dict[str, int]:
    """Known tokens equal to ``token`` or within its edit allowance, with their edits."""
    hits = {token: 0} if token in index.by_token else {}
    limit = allowed_edits(len(token))
    if limit:
        near = near_lengths(index.tokens, len(token), limit)
        for known, edits, _ in process.extract(
            token, near, scorer=OSA.distance, score_cutoff=limit, limit=10
        ):
            if allowed_edits(len(known)) >= edits and _digits(known) == _digits(token):
                hits.setdefault(known, int(edits))
    return hits


def _contains(query: NameKey, index: NameIndex) -> list[tuple[float, str, int]]:
    if len(query.distinctive) < 2:
        return []
    present: dict[str, int] = {}
    for tok in query.distinctive:
        for known, edits in _token_hit(tok, index).items():
            present[known] = min(edits, present.get(known, edits))
    out: list[tuple[float, str, int]] = []
    seen: set[int] = set()
    for known in present:
        for i in index.by_token[known]:
            if i in seen:
                continue
            seen.add(i)
            ref = index.refs[i].key
            if not all(t in present for t in ref.distinctive):
                continue
            if len(ref.compact) < 3 or len(ref.distinctive) >= len(query.distinctive):
                continue
            edits = sum(present[t] for t in ref.distinctive)
            share = len(ref.compact) / max(len(query.compact), 1)
            score = _place_score(query, ref, 0.88 + 0.07 * share - 0.03 * edits)
            if score is not None:
                out.append((min(score, 0.88 + 0.07 * share - 0.03 * edits), "contains", i))
    return out


def match_name(name: str, index: NameIndex) -> NameMatch | None:
    """The best entity for ``name`` at or above :data:`THRESHOLD`, or None."""
    if not name or not name.strip():
        return None
    query = name_key(name, index.vocab)
    found = [c for c in _candidates(query, index) if c[0] >= THRESHOLD]
    if not found:
        return None

    spelled = " ".join(query.tokens)

    def rank(c: tuple[float, str, int]) -> tuple[float, float, str]:
        # Ties in score go to the alias closest in full (legal forms dropped, abbreviations
        # expanded): "Huawei Tech." is Huawei Technologies, not Huawei Device.
        ref: AliasRef = index.refs[c[2]]
        closeness = Indel.normalized_similarity(spelled, " ".join(ref.key.tokens))
        return (-c[0], -closeness, ref.entity_id)

    score, method, i = min(found, key=rank)
    ref = index.refs[i]
    return NameMatch(ref.entity_id, ref.name, round(score, 4), method)
