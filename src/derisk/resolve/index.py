"""An index of every knowledge-base name and alias, built once per knowledge base."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from derisk.kb.model import Entity
from derisk.resolve.normalize import NameKey, Vocabulary, default_vocabulary, name_key

__all__ = ["AliasRef", "NameIndex", "near_lengths"]


@dataclass(frozen=True)
class AliasRef:
    entity_id: str
    name: str  # the alias as written in the knowledge base
    key: NameKey
    kind: str  # name, alias, legal, former, brand, abbreviation, local


class NameIndex:
    """Exact, normalised, transliterated and token look-ups over all names."""

    def __init__(self, entities: Iterable[Entity], vocab: Vocabulary | None = None) -> None:
        self.vocab = vocab or default_vocabulary()
        self.refs: list[AliasRef] = []
        self.exact: dict[str, list[int]] = defaultdict(list)
        self.by_key: dict[str, list[int]] = defaultdict(list)
        self.by_latin: dict[str, list[int]] = defaultdict(list)
        self.by_compact: dict[str, list[int]] = defaultdict(list)
        self.by_token: dict[str, list[int]] = defaultdict(list)
        seen: set[tuple[str, str]] = set()
        for entity in entities:
            names = [(entity.name, "name"), *((a.name, a.kind) for a in entity.aliases)]
            for name, kind in names:
                if (entity.id, name) in seen:
                    continue
                seen.add((entity.id, name))
                self._add(AliasRef(entity.id, name, name_key(name, self.vocab), kind))
        # Lists for bulk fuzzy comparison (rapidfuzz works on plain sequences).
        self.compact_keys = _by_length(self.by_compact)
        self.latin_keys = _by_length(self.by_latin)
        self.tokens = _by_length(self.by_token)

    def _add(self, ref: AliasRef) -> None:
        i = len(self.refs)
        self.refs.append(ref)
        self.exact[ref.key.folded].append(i)
        self.by_key[ref.key.key].append(i)
        self.by_compact[ref.key.compact].append(i)
        if ref.key.latin:
            self.by_latin[ref.key.latin].append(i)
        for tok in set(ref.key.distinctive):
            self.by_token[tok].append(i)

    def __len__(self) -> int:
        return len(self.refs)


def _by_length(keys: Iterable[str]) -> dict[int, list[str]]:
    """Keys grouped by length: an edit-distance search only looks at plausible lengths."""
    out: dict[int, list[str]] = defaultdict(list)
    for key in sorted(keys):
        out[len(key)].append(key)
    return dict(out)


def near_lengths(keys: dict[int, list[str]], length: int, edits: int) -> list[str]:
    """Keys whose length differs from ``length`` by at most ``edits``."""
    return [k for n in range(length - edits, length + edits + 1) for k in keys.get(n, ())]
