"""From regimes to the rules that bind one organisation on one date.

A :class:`Rule` is a provision evaluated for a profile and an as-of date: its status and
deadline are fixed, and what remains to check per record is where the item is (country), what
it is (domain, kind, technology) and when it was installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from derisk.kb.knowledge import KnowledgeBase
from derisk.kb.model import (
    AttributeCondition,
    Binds,
    Dealing,
    Effect,
    Provision,
    Regime,
    RegimeStatus,
)
from derisk.profile import Profile

__all__ = ["STATUSES", "Coverage", "Rule", "binding_rules", "provision_status", "severity"]

# Most severe first; the order reports use.
STATUSES = ("prohibited", "overdue", "remove_by", "license_required", "restricted", "listed")


def severity(status: str) -> int:
    return STATUSES.index(status)


@dataclass(frozen=True)
class Coverage:
    """Why an entity is covered: named by the provision, or entered on a list it cites."""

    list_id: str | None
    sources: tuple[str, ...]
    subsidiaries: bool  # owned subsidiaries are covered too
    uncertain: bool


@dataclass(frozen=True)
class Rule:
    rule_id: str
    regime: Regime
    provision: Provision
    status: str
    deadline: date | None
    since: date
    countries: frozenset[str] | None  # None: wherever the organisation is
    covered: dict[str, Coverage]  # covered entity id -> how it is covered
    list_ids: frozenset[str]

    @property
    def uncertain(self) -> bool:
        return self.provision.uncertain or self.regime.uncertain


def provision_status(p: Provision, as_of: date) -> tuple[str, date | None] | None:
    """Status and deadline of a provision on ``as_of``, or None when it does not apply."""
    if as_of < p.announced or (p.ends is not None and as_of > p.ends):
        return None
    if p.effect is Effect.REMOVAL:
        assert p.deadline is not None  # validated by the schema
        return ("overdue" if as_of > p.deadline else "remove_by"), p.deadline
    if p.effect is Effect.PROHIBITION:
        return ("remove_by" if as_of < p.starts else "prohibited"), p.starts
    if as_of < p.starts:
        return None
    return {
        Effect.LICENSE: "license_required",
        Effect.RESTRICTION: "restricted",
        Effect.ADVISORY: "listed",
    }[p.effect], None


def _condition_holds(cond: AttributeCondition, profile: Profile) -> bool:
    value = profile.attribute(cond.attribute)
    if value is None:
        return False
    target = cond.value
    if cond.op == "eq":
        return value == target
    if cond.op == "ne":
        return value != target
    if isinstance(value, bool) or isinstance(target, bool):
        return False
    if not isinstance(value, int | float) or not isinstance(target, int | float):
        return False
    return {
        "lt": value < target,
        "le": value <= target,
        "gt": value > target,
        "ge": value >= target,
    }[cond.op]


def _bound_countries(
    alternatives: list[Binds], profile: Profile, kb: KnowledgeBase
) -> frozenset[str] | bool | None:
    """Countries where the provision binds this organisation; None = anywhere; False = not."""
    countries: set[str] = set()
    anywhere = False
    matched = False
    for alt in alternatives:
        if alt.sectors and profile.sector != "any" and profile.sector not in alt.sectors:
            continue
        if not all(_condition_holds(c, profile) for c in alt.attributes):
            continue
        matched = True
        if not alt.countries:
            anywhere = True
        countries.update(kb.expand_countries(alt.countries))
    if not matched:
        return False
    return None if anywhere else frozenset(countries)


def _covered(p: Provision, kb: KnowledgeBase, as_of: date) -> dict[str, Coverage]:
    own = p.covers.include_subsidiaries
    covered = {
        e: Coverage(None, (), True if own is None else own, False) for e in p.covers.entities
    }
    for lid in p.covers.lists:
        lst = kb.lists[lid]
        subs = lst.covers_subsidiaries if own is None else own
        for entry in lst.entries:
            if entry.listed <= as_of and (entry.removed is None or as_of < entry.removed):
                covered.setdefault(
                    entry.entity, Coverage(lid, tuple(entry.sources), subs, entry.uncertain)
                )
    if p.covers.tags:
        excluded = kb.expand_countries(p.covers.exclude_countries)
        for ent in kb.entities_with_tags(p.covers.tags):
            if ent.country not in excluded:
                covered.setdefault(ent.id, Coverage(None, (), own is not False, ent.uncertain))
    return covered


def binding_rules(
    kb: KnowledgeBase, profile: Profile, as_of: date, dealing: Dealing = Dealing.BUY
) -> list[Rule]:
    """Every provision in force on ``as_of`` that binds an organisation with ``profile``.

    ``dealing`` says what the screened records are: items bought from the parties (an
    inventory) or items sold to them (an order book); a provision binds only the dealings it
    governs (a trade ban both, a procurement ban buying, the Entity List selling).
    """
    rules: list[Rule] = []
    for regime in kb.regimes.values():
        if regime.status is not RegimeStatus.IN_FORCE:
            continue
        for p in regime.provisions:
            if dealing not in p.dealings:
                continue
            state = provision_status(p, as_of)
            if state is None:
                continue
            where = _bound_countries(p.binds or regime.binds, profile, kb)
            if where is False:
                continue
            lists = frozenset(p.covers.lists)
            rules.append(
                Rule(
                    rule_id=f"{regime.id}.{p.id}",
                    regime=regime,
                    provision=p,
                    status=state[0],
                    deadline=state[1],
                    since=p.starts,
                    countries=where if isinstance(where, frozenset) else None,
                    covered=_covered(p, kb, as_of),
                    list_ids=lists,
                )
            )
    return rules
