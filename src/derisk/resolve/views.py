"""Name-match results as JSON-ready dicts, with their evidence: the score, each feature's
contribution, and the lists the candidate (or an owner controlling it) is on. ``derisk match``
and the REST API both print these."""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import Any

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.knowledge import KnowledgeBase
from derisk.resolve.matcher import Candidate
from derisk.resolve.score import MatchModel, PairScore, default_model

__all__ = ["candidate_view", "explain_score", "listed_owners", "match_model"]


def match_model(threshold: float | None) -> MatchModel:
    model = default_model()
    if threshold is None:
        return model
    if not 0 < threshold < 1:
        raise DeriskError(ErrorCode.ARGUMENT_INVALID, "--threshold must lie between 0 and 1")
    return model.model_copy(update={"threshold": threshold, "review": min(model.review, threshold)})


def explain_score(result: PairScore, model: MatchModel) -> dict[str, Any]:
    return {
        "intercept": model.intercept,
        "features": {
            name: {"value": round(value, 4), "contribution": round(result.contributions[name], 4)}
            for name, value in result.values.items()
            if name in result.contributions
        },
    }


def listed_owners(kb: KnowledgeBase, entity_id: str) -> list[dict[str, Any]]:
    """List memberships of the entity and of the owners controlling it, with the path."""
    today = date.today()
    out = []
    for path in kb.ownership_paths(entity_id, today):
        shares = []
        for child, parent in pairwise(path):
            edge = next((e for e in kb.parents(child, today) if e.parent == parent), None)
            shares.append(edge.share if edge else None)
        for m in kb.memberships(path[-1]):
            if m.active(today) and (len(path) == 1 or m.list.covers_subsidiaries):
                out.append(
                    {
                        "list_id": m.list.id,
                        "list": m.list.name,
                        "path": list(path),
                        "shares": shares,
                        "since": m.entry.listed.isoformat(),
                    }
                )
    return out


def candidate_view(c: Candidate, kb: KnowledgeBase, model: MatchModel) -> dict[str, Any]:
    return {
        "entity_id": c.entity_id,
        "entity_name": kb.entities[c.entity_id].name,
        "matched_name": c.ref.name,
        "score": c.result.score,
        "decision": c.result.decision,
        "method": c.method,
        **explain_score(c.result, model),
        "listed": listed_owners(kb, c.entity_id),
    }
