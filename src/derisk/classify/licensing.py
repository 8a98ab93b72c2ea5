"""Licence determination for 3A090/4A090 items: destination, headquarters and end user, dated.

Answers, for one date: is a licence required, which licence exceptions could apply, and the
review policy BIS would apply to an application; with every step and the rule behind it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from derisk.classify.classification import Step, holds
from derisk.classify.controls import Controls
from derisk.classify.metrics import ChipSpec
from derisk.classify.rules_model import Alternative, Condition, Dated

ENTITY_LIST_RULE = "license-requirement"  # the provision id in regimes/us-ear-entity-list.yaml
ENTITY_LIST_INSTRUMENT = "15 CFR 744.11 and Supplement No. 4 to Part 744"
AFFILIATES_RULE = "affiliates-50-2025"

__all__ = ["EndUser", "Ground", "LicenseResult", "determine_license"]

CONTROLLED = frozenset({"3A090.a", "3A090.b", "3A090.c", "4A090.a", "4A090.b"})
_POLICY_ORDER = ("case_by_case", "presumption_of_denial", "presumption_of_approval")


@dataclass(frozen=True)
class EndUser:
    """The end user as resolved against the knowledge base."""

    name: str
    entity_id: str | None = None
    listed: str | None = None  # the Entity List entry that applies (entity id), if any
    via_affiliates: bool = False  # listed only through the 50% affiliates rule
    path: tuple[str, ...] = ()  # end user ... listed owner, for the affiliates rule
    sources: tuple[str, ...] = ()  # the Entity List entry's sources
    listed_since: date | None = None
    footnotes: tuple[int, ...] = ()  # Entity List footnotes of the entry
    uncertain: bool = False


@dataclass(frozen=True)
class Ground:
    """One reason a licence is required: the rule, since when, and the sentence saying why."""

    kind: str  # destination | headquarters | informed | end_user | affiliates
    rule: str  # rule id in rules.yaml, or the Entity List provision
    instrument: str
    since: date  # the rule's effective date
    text: str
    sources: tuple[str, ...]
    uncertain: bool


@dataclass
class LicenseResult:
    license_required: bool | None
    exceptions: list[str] = field(default_factory=list)
    review_policy: str | None = None
    steps: list[Step] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    grounds: list[Ground] = field(default_factory=list)

    def add(self, ground: Ground) -> None:
        self.grounds.append(ground)
        self.sources.extend(ground.sources)


def _conditions(conds: list[Condition], spec: ChipSpec | None) -> bool:
    if not conds:
        return True
    if spec is None:
        return False
    ok, _ = holds(Alternative(all=conds, kind=spec.kind), spec)
    return ok is True


def determine_license(
    eccn: str,
    spec: ChipSpec | None,
    *,
    destination: str | None,
    headquarters: str | None,
    end_user: EndUser | None,
    on: date,
    controls: Controls,
) -> LicenseResult:
    """Whether a licence is required on ``on``; every ground is one :class:`Ground`."""
    out = LicenseResult(None)
    if destination is None and headquarters is None and end_user is None:
        out.steps.append(Step("licence", "no destination, headquarters or end user given", None))
        return out
    dest = controls.as_country(destination, on) if destination else None
    hq = controls.as_country(headquarters, on) if headquarters else None
    if destination and dest != destination:
        out.steps.append(Step("treated-as", f"{destination} is treated as {dest}", None))
    if headquarters and hq != headquarters:
        out.steps.append(Step("treated-as", f"{headquarters} is treated as {hq}", None))
    if eccn in CONTROLLED:
        _geography(eccn, dest, hq, on, controls, out)
    else:
        out.steps.append(Step("licence", f"{eccn}: no 3A090/4A090 licence requirement", False))
    _informed(spec, dest, hq, on, controls, out)
    _end_user(end_user, on, controls, out)
    _dormant(on, controls, out)
    out.license_required = bool(out.grounds)
    if out.license_required:
        _policy_and_exceptions(eccn, spec, dest, on, controls, out)
    out.sources = list(dict.fromkeys(out.sources))
    return out


def _ground(kind: str, rule: Dated, text: str) -> Ground:
    return Ground(
        kind, rule.id, rule.instrument, rule.effective, text, tuple(rule.sources), rule.uncertain
    )


def _geography(
    eccn: str, dest: str | None, hq: str | None, on: date, controls: Controls, out: LicenseResult
) -> None:
    rules = [g for g in controls.rules.geography if g.in_force(on)]
    if not rules:
        out.steps.append(
            Step("geography", f"no licence geography for {eccn} was in force on {on}", False)
        )
    for g in rules:
        if dest is not None:
            covered = controls.expand(g.destinations, on) - controls.expand(g.except_groups, on)
            hit = dest in covered
            groups = [x for x in g.destinations if dest in controls.members(x, on)]
            also = [x for x in g.except_groups if dest in controls.members(x, on)]
            where = ", ".join(groups) or "in none of " + ", ".join(g.destinations)
            if also:
                where += f"; also in {', '.join(also)}"
            verdict = "required" if hit else "not required"
            text = f"{eccn} to {dest} ({where}): licence {verdict} ({g.instrument})"
            out.steps.append(Step(g.id, text, hit))
            if hit:
                out.add(_ground("destination", g, text))
        if hq is not None and g.headquarters:
            hit = hq in controls.expand(g.headquarters, on)
            text = (
                f"{eccn} for an entity headquartered in {hq}: licence "
                f"{'required wherever the item goes' if hit else 'not required'} "
                f"(headquarters rule for {', '.join(g.headquarters)}; {g.instrument})"
            )
            out.steps.append(Step(g.id, text, hit))
            if hit:
                out.add(_ground("headquarters", g, text))


def _informed(
    spec: ChipSpec | None,
    dest: str | None,
    hq: str | None,
    on: date,
    controls: Controls,
    out: LicenseResult,
) -> None:
    if spec is None:
        return
    for rule in controls.rules.informed:
        if not rule.in_force(on):
            continue
        named = spec.chip_id in rule.chips
        alike = [t for a in rule.any_of for ok, t in [holds(a, spec)] if ok is True]
        if not (named or alike):
            continue
        where = (dest is not None and dest in controls.expand(rule.destinations, on)) or (
            hq is not None and hq in controls.expand(rule.headquarters, on)
        )
        why = "named" if named else "matches " + "; ".join(alike[0])
        text = (
            f"{rule.title} ({why}); destination/headquarters "
            f"{'covered' if where else 'not covered'} ({rule.instrument})"
        )
        out.steps.append(Step(rule.id, text, where))
        if where:
            out.add(_ground("informed", rule, text))


def _footnotes(user: EndUser, on: date, controls: Controls) -> list[str]:
    notes = []
    for n in user.footnotes:
        rule = next((f for f in controls.footnotes if f.footnote == n and f.in_force(on)), None)
        if rule is not None:
            notes.append(f"footnote {n} ({rule.cfr}): {rule.effect}")
    return notes


def _end_user(user: EndUser | None, on: date, controls: Controls, out: LicenseResult) -> None:
    if user is None:
        return
    if user.listed is None:
        resolved = f" (resolved to {user.entity_id})" if user.entity_id else ""
        out.steps.append(
            Step(
                "entity-list", f"end user '{user.name}'{resolved} is not on the Entity List", False
            )
        )
        return
    notes = _footnotes(user, on, controls)
    for note in notes:
        out.steps.append(Step("entity-list-footnote", note, None))
    if user.via_affiliates:
        _affiliate(user, on, controls, out, notes)
        return
    text = (
        f"end user '{user.name}' is on the Entity List ({user.listed}, since "
        f"{user.listed_since}): licence required for all items subject to the EAR"
        + "".join(f"; {n}" for n in notes)
    )
    out.steps.append(Step("entity-list", text, True))
    out.grounds.append(
        Ground(
            "end_user",
            ENTITY_LIST_RULE,
            ENTITY_LIST_INSTRUMENT,
            user.listed_since or on,
            text,
            user.sources,
            user.uncertain,
        )
    )
    out.sources.extend(user.sources)


def _affiliate(
    user: EndUser, on: date, controls: Controls, out: LicenseResult, notes: list[str]
) -> None:
    rule = next((r for r in controls.rules.other_rules if r.id == AFFILIATES_RULE), None)
    if rule is None:
        return
    suspended = bool(
        rule.suspended_from
        and rule.suspended_until
        and rule.suspended_from <= on <= rule.suspended_until
    )
    active = rule.in_force(on) and not suspended
    chain = " -> ".join(user.path)
    state = "applies" if active else ("is suspended" if suspended else "is not in force")
    text = (
        f"end user '{user.name}' is owned 50% or more by {user.listed}, on the Entity List "
        f"({chain}): the affiliates rule {state} on {on} ({rule.instrument})"
        + "".join(f"; {n}" for n in notes)
    )
    out.steps.append(Step(rule.id, text, active))
    if active:
        resumed = rule.suspended_until + timedelta(days=1) if rule.suspended_until else None
        since = resumed if resumed and on >= resumed else rule.effective
        out.add(
            Ground(
                "affiliates",
                rule.id,
                rule.instrument,
                since,
                text,
                (*rule.sources, *user.sources),
                rule.uncertain or user.uncertain,
            )
        )


def _dormant(on: date, controls: Controls, out: LicenseResult) -> None:
    for rule in controls.rules.other_rules:
        if rule.status == "rescinded" and on >= rule.effective:
            out.steps.append(Step(rule.id, f"{rule.title}: {rule.effect}", False))


def _policy_and_exceptions(
    eccn: str,
    spec: ChipSpec | None,
    dest: str | None,
    on: date,
    controls: Controls,
    out: LicenseResult,
) -> None:
    kinds = {g.kind for g in out.grounds}
    if kinds & {"end_user", "affiliates"}:
        out.review_policy = "presumption_of_denial"
        out.steps.append(
            Step(
                "policy",
                "Entity List party: review as its entry states (presumption of denial for "
                "advanced computing items); no licence exception",
                None,
            )
        )
        return
    by_hq = "headquarters" in kinds
    candidates = []
    for p in controls.rules.policies:
        if not p.in_force(on):
            continue
        where = (dest is not None and dest in controls.expand(p.destinations, on)) or (
            by_hq and p.headquarters
        )
        if where and _conditions(p.only_if, spec):
            candidates.append(p)
    if candidates:
        chosen = min(candidates, key=lambda p: _POLICY_ORDER.index(p.policy))
        out.review_policy = chosen.policy
        out.steps.append(Step(chosen.id, f"review policy: {chosen.title}", None))
        out.sources.extend(chosen.sources)
    if not kinds & {"destination", "headquarters"} or "informed" in kinds:
        return  # exceptions relieve the 3A090/4A090 requirements only
    for e in controls.rules.exceptions:
        if not e.in_force(on):
            continue
        area = controls.expand(e.destinations, on) - controls.expand(e.except_groups, on)
        applies = (dest is not None and dest in area and not by_hq) or (by_hq and e.headquarters)
        if applies and eccn in e.not_for_datacenter and (spec is None or spec.datacenter):
            out.steps.append(
                Step(e.id, f"licence exception {e.code}: not for datacenter {eccn} items", False)
            )
            continue
        if applies and e.code not in out.exceptions:
            out.exceptions.append(e.code)
            out.steps.append(
                Step(e.id, f"licence exception {e.code} could apply: {e.notice}", None)
            )
