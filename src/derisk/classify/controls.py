"""Load the export-control rules and country groups, and answer 'which countries, when'."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from derisk.classify.rules_model import (
    CountryGroupFile,
    Dated,
    FootnoteFile,
    FootnoteRule,
    RulesFile,
)
from derisk.kb.loader import read_model

__all__ = ["Controls", "load_controls"]

_DATA = Path(__file__).resolve().parent.parent / "data" / "export_controls"


@dataclass(frozen=True)
class Controls:
    rules: RulesFile
    groups: CountryGroupFile
    footnotes: tuple[FootnoteRule, ...] = ()  # Entity List footnotes (FDP rules)
    _members: dict[tuple[str, date], frozenset[str]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def members(self, group: str, on: date) -> frozenset[str]:
        """Country codes in ``group`` on ``on`` (a plain country code stands for itself)."""
        key = (group, on)
        found = self._members.get(key)
        if found is None:
            g = self.groups.groups.get(group)
            found = self._members[key] = (
                frozenset({group})
                if g is None
                else frozenset(
                    m.country
                    for m in g.members
                    if (m.since is None or m.since <= on) and (m.until is None or on <= m.until)
                )
            )
        return found

    def expand(self, codes: list[str], on: date) -> frozenset[str]:
        out: set[str] = set()
        for code in codes:
            out |= self.members(code, on)
        return frozenset(out)

    def as_country(self, code: str, on: date) -> str:
        """Apply 'treated as' rules: since 2020 the EAR treats Hong Kong as China."""
        for rule in self.groups.treated_as:
            if rule.country == code and (rule.since is None or rule.since <= on):
                return rule.as_
        return code

    def in_force(self, items: list[Dated], on: date) -> list[Dated]:
        return [i for i in items if i.in_force(on)]


@lru_cache(maxsize=1)
def load_controls() -> Controls:
    """The bundled rules (read once)."""
    rules = read_model(_DATA / "rules.yaml", RulesFile)
    groups = read_model(_DATA / "country_groups.yaml", CountryGroupFile)
    notes = read_model(_DATA / "entity_list_footnotes.yaml", FootnoteFile)
    return Controls(rules, groups, tuple(notes.footnotes))
