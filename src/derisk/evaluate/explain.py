"""The evidence of a finding: status, deadline, rule, sources and a one-sentence explanation."""

from __future__ import annotations

from datetime import date

from derisk.evaluate.exposure import Exposure, ListRule
from derisk.evaluate.rules import Rule, severity
from derisk.kb.knowledge import KnowledgeBase
from derisk.kb.model import Effect

__all__ = ["explain"]

_ASSUMED = ((1, "network domain"), (2, "kind of item"), (4, "technology generation"))


def _who(kb: KnowledgeBase, path: tuple[str, ...]) -> str:
    name = kb.entities[path[0]].name
    if len(path) == 1:
        return name
    owner = kb.entities[path[-1]].name
    return f"{name} (controlled by {owner})"


def _status_clause(status: str, deadline: date | None, since: date) -> str:
    if status == "overdue":
        return f"the deadline {deadline} has passed"
    if status == "remove_by":
        return f"act by {deadline}"
    if status == "prohibited":
        return f"prohibited since {deadline or since}"
    if status == "license_required":
        return f"a licence is required since {since}"
    if status == "restricted":
        return f"restricted since {since}"
    return f"named since {since}"


def explain(kb: KnowledgeBase, exp: Exposure, flags: int) -> dict[str, object]:
    """Static columns of a finding for one exposure and set of assumptions."""
    assumed = [label for bit, label in _ASSUMED if flags & bit]
    note = f" ({', '.join(assumed)} not stated in the record: assumed in scope)" if assumed else ""
    who = _who(kb, exp.path)
    if isinstance(exp.rule, ListRule):
        lst = kb.lists[exp.rule.list_id]
        return {
            "entity_name": kb.entities[exp.entity_id].name,
            "ownership_path": list(exp.path),
            "rule_id": lst.id,
            "regime_id": None,
            "jurisdiction": lst.jurisdiction,
            "status": "listed",
            "severity": severity("listed"),
            "deadline": None,
            "since": exp.since,
            "explanation": (
                f"{who} is on the {lst.name} ({lst.publisher}) since {exp.since}; "
                "no rule in the knowledge base makes that listing binding on this profile."
            ),
            "instrument": lst.name,
            "uncertain": exp.uncertain,
            "source_ids": list(dict.fromkeys([*exp.sources, *lst.sources])),
        }
    rule: Rule = exp.rule
    deadline = rule.deadline
    if rule.provision.effect is Effect.PROHIBITION:
        # A ban bites an entity from the later of its start and the entity's listing.
        deadline = exp.since
    clause = _status_clause(rule.status, deadline, exp.since)
    return {
        "entity_name": kb.entities[exp.entity_id].name,
        "ownership_path": list(exp.path),
        "rule_id": rule.rule_id,
        "regime_id": rule.regime.id,
        "jurisdiction": rule.regime.jurisdiction,
        "status": rule.status,
        "severity": severity(rule.status),
        "deadline": deadline,
        "since": exp.since,
        "explanation": f"{who}: {rule.provision.explanation.rstrip('.')}; {clause}{note}.",
        "instrument": rule.regime.instrument,
        "uncertain": exp.uncertain,
        "source_ids": list(exp.sources),
    }
