"""The bundled chip catalogue, with fuzzy look-up of chip and system names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from derisk.classify.catalogue_model import Chip, ChipFile, System
from derisk.errors import DeriskError, ErrorCode
from derisk.kb.loader import read_model

__all__ = ["Catalogue", "Lookup", "load_catalogue"]

_DATA = Path(__file__).resolve().parent.parent / "data" / "chips" / "catalogue.yaml"
_NOISE = re.compile(r"[^a-z0-9]+")
MIN_SCORE = 85
_CLEAR_MARGIN = 8  # whole-string similarity points one item must lead a tie by


@dataclass(frozen=True)
class Lookup:
    """What a name found: the item, or the closest names (and whether several tied)."""

    item: Chip | System | None
    closest: tuple[str, ...] = ()
    ambiguous: bool = False

    def problem(self) -> str:
        what = "is ambiguous" if self.ambiguous else "is not found"
        near = "could be" if self.ambiguous else "closest"
        return (
            f"{what} in the catalogue; {near}: {', '.join(self.closest) or 'none'} "
            "(give a fuller name, or the chip's figures; 'derisk classify --list' lists them)"
        )


def _norm(text: str) -> str:
    return _NOISE.sub(" ", text.casefold()).strip()


@dataclass(frozen=True)
class Catalogue:
    chips: dict[str, Chip]
    systems: dict[str, System]

    @classmethod
    def from_file(cls, data: ChipFile) -> Catalogue:
        return cls({c.id: c for c in data.chips}, {s.id: s for s in data.systems})

    @cached_property
    def _names(self) -> dict[str, str]:
        out: dict[str, str] = {}
        items: list[Chip | System] = [*self.chips.values(), *self.systems.values()]
        for item in items:
            for name in (item.id, item.name, *item.aliases):
                out.setdefault(_norm(name), item.id)
        return out

    def lookup(self, name: str) -> Lookup:
        """The one item ``name`` means, or None with the closest names.

        Exact names and aliases (compared without case or punctuation) win. Otherwise a fuzzy
        match must be unambiguous: every name scoring the top token-set score must belong to
        one item, and ties between items (``RTX 4090`` against ``RTX 4090`` and ``RTX 4090 D``)
        are settled only by whole-string similarity that clearly favours one of them.
        """
        names = self._names
        key = _norm(name)
        if key in names:
            return Lookup(self.get(names[key]))
        hits = process.extract(key, list(names), scorer=fuzz.token_set_ratio, limit=10)
        close = [h for h in hits if h[1] >= MIN_SCORE]
        if not close:
            return Lookup(None, tuple(dict.fromkeys(self.get(names[h[0]]).name for h in hits[:5])))
        top = [h for h in close if h[1] == close[0][1]]
        ids = {names[h[0]] for h in top}
        if len(ids) == 1:
            return Lookup(self.get(ids.pop()))
        ranked = sorted(((fuzz.ratio(key, h[0]), names[h[0]]) for h in top), reverse=True)
        best, runner = ranked[0], next(r for r in ranked if r[1] != ranked[0][1])
        if best[0] - runner[0] >= _CLEAR_MARGIN:
            return Lookup(self.get(best[1]))
        tied = tuple(dict.fromkeys(self.get(i).name for _, i in ranked))
        return Lookup(None, tied, ambiguous=True)

    def find(self, name: str) -> Chip | System:
        """The chip or system called ``name`` (fuzzy: 'H100 SXM' finds 'NVIDIA H100 SXM5')."""
        found = self.lookup(name)
        if found.item is not None:
            return found.item
        raise DeriskError(ErrorCode.ARGUMENT_INVALID, f"chip '{name}' {found.problem()}")

    def get(self, ident: str) -> Chip | System:
        return self.chips.get(ident) or self.systems[ident]


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    return Catalogue.from_file(read_model(_DATA, ChipFile))
