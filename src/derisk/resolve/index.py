"""Candidate retrieval: an index of every known name and alias, queried without scanning.

Look-ups, each a dictionary access:

- the folded name, the distinctive key (sorted distinctive words), the joined distinctive part
  and its Latin transliteration: exact, normalised and cross-script equality;
- every distinctive word (and its transliteration): reordered and partial names;
- a deletion neighbourhood of every distinctive word (SymSpell): the word with up to one
  (five to eight letters) or two (longer words) characters deleted. A query word with a typo
  shares a deletion variant with the known word, so typos are found without comparing the
  query against every word. Words of four letters or fewer must match exactly.

Candidates are ranked by how much of the query's distinctive part they share, and only the
best few are scored in full (:mod:`derisk.resolve.score`).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from derisk.kb.model import Entity
from derisk.resolve.normalize import NameKey, Vocabulary, default_vocabulary, name_key
from derisk.resolve.score import allowed_edits

__all__ = ["AliasRef", "NameIndex", "deletions"]

MAX_DELETES = 1  # per side: two typos in one word are found when one is on each side
COMMON_TOKEN = 2000  # words on more names than this do not retrieve by themselves


@dataclass(frozen=True)
class AliasRef:
    entity_id: str
    name: str  # the alias as written in the knowledge base
    key: NameKey
    kind: str  # name, alias, legal, former, brand, abbreviation, local
    country: str | None = None


def deletions(word: str, depth: int) -> set[str]:
    """``word`` with every combination of up to ``depth`` characters deleted."""
    out = {word}
    level = {word}
    for _ in range(depth):
        level = {w[:i] + w[i + 1 :] for w in level if len(w) > 1 for i in range(len(w))}
        out |= level
    return out


def _word_forms(key: NameKey) -> set[str]:
    """The distinctive words of a name and, for other scripts, their Latin forms."""
    forms = set(key.distinctive)
    if not key.compact.isascii() and key.latin:
        forms.add(key.latin)
    return forms


class NameIndex:
    """Every name and alias of the given entities, indexed for retrieval."""

    def __init__(
        self,
        entities: Iterable[Entity],
        vocab: Vocabulary | None = None,
        *,
        known_keys: Mapping[str, NameKey] | None = None,
    ) -> None:
        """Index ``entities``; ``known_keys`` are stored normalised names to reuse."""
        self.vocab = vocab or default_vocabulary()
        self.refs: list[AliasRef] = []
        self.exact: dict[str, list[int]] = defaultdict(list)
        self.by_key: dict[str, list[int]] = defaultdict(list)
        self.by_compact: dict[str, list[int]] = defaultdict(list)
        self.by_latin: dict[str, list[int]] = defaultdict(list)
        self.by_word: dict[str, list[int]] = defaultdict(list)
        self.neighbours: dict[str, list[str]] = defaultdict(list)  # deletion -> words
        self._shape: list[tuple[frozenset[str], bool, int]] = []  # places, ASCII, spelled length
        seen: set[tuple[str, str]] = set()
        self.entity_ids: set[str] = set()
        for entity in entities:
            self.entity_ids.add(entity.id)
            names = [(entity.name, "name"), *((a.name, a.kind) for a in entity.aliases)]
            for name, kind in names:
                if (entity.id, name) in seen:
                    continue
                seen.add((entity.id, name))
                key = known_keys.get(name) if known_keys else None
                if key is None:
                    key = name_key(name, self.vocab)
                ref = AliasRef(entity.id, name, key, kind, entity.country)
                self._add(ref)
        for word in self.by_word:
            depth = min(allowed_edits(len(word)), MAX_DELETES)
            if depth:
                for variant in deletions(word, depth):
                    self.neighbours[variant].append(word)

    def _add(self, ref: AliasRef) -> None:
        i = len(self.refs)
        self.refs.append(ref)
        k = ref.key
        self._shape.append((k.locations, k.compact.isascii(), len(" ".join(k.tokens))))
        self.exact[ref.key.folded].append(i)
        self.by_key[ref.key.key].append(i)
        self.by_compact[ref.key.compact].append(i)
        if ref.key.latin:
            self.by_latin[ref.key.latin].append(i)
        for word in _word_forms(ref.key):
            self.by_word[word].append(i)

    def __len__(self) -> int:
        return len(self.refs)

    def similar_words(self, word: str) -> dict[str, int]:
        """Known words equal to ``word`` or, for a word not known as it is, within its typo
        allowance, with their edits."""
        if word in self.by_word:
            return {word: 0}
        found: dict[str, int] = {}
        depth = min(allowed_edits(len(word)), MAX_DELETES)
        if depth:
            for variant in deletions(word, depth):
                for known in self.neighbours.get(variant, ()):
                    if known not in found:
                        edits = OSA.distance(word, known)
                        limit = min(allowed_edits(len(known)), allowed_edits(len(word)))
                        if edits <= limit:
                            found[known] = edits
        return found

    def candidates(self, q: NameKey, limit: int = 8) -> list[int]:
        """Alias numbers worth scoring for ``q``, best first (at most ``limit`` beyond exact)."""
        direct, fuzzy = self.split_candidates(q, limit)
        return [*direct, *fuzzy]

    def split_candidates(
        self, q: NameKey, limit: int, *, always_fuzzy: bool = True
    ) -> tuple[list[int], list[int]]:
        """(equal once normalised, sharing words or near-words) alias numbers for ``q``.

        With ``always_fuzzy`` False, names found equal skip the search for near ones.
        """
        exact = self.exact.get(q.folded)
        if exact and not always_fuzzy:  # the name as it is known: nothing can score higher
            return list(exact), []
        direct: dict[int, None] = {}
        for table, value in (
            (self.exact, q.folded),
            (self.by_key, q.key),
            (self.by_compact, q.compact),
            (self.by_latin, q.latin),
        ):
            for i in table.get(value, ()):
                direct[i] = None
        if direct and not always_fuzzy:
            return list(direct), []
        shared: dict[int, float] = defaultdict(float)
        for word in _word_forms(q):
            for known, edits in self.similar_words(word).items():
                postings = self.by_word[known]
                if len(postings) > COMMON_TOKEN:
                    continue
                weight = len(known) - edits
                for i in postings:
                    shared[i] += weight
        # One alias per entity: the one sharing most, naming no place the query lacks, in the
        # query's script, closest in length. Then the best ``limit`` entities.
        script = q.compact.isascii()
        spelled = len(" ".join(q.tokens))
        best: dict[str, tuple[float, int, int, int, int]] = {}
        for i, share in shared.items():
            if i in direct:
                continue
            places, ascii_name, length = self._shape[i]
            rank = (
                -share,
                int(bool(places - q.locations)),
                int(ascii_name != script),
                abs(length - spelled),
                i,
            )
            entity = self.refs[i].entity_id
            if entity not in best or rank < best[entity]:
                best[entity] = rank
        ranked = [v[-1] for v in heapq.nsmallest(limit, best.values())]
        return list(direct), ranked
