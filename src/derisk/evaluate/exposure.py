"""Which rules reach which entities: directly, or through the owners that control them.

Ownership is followed upwards only: a subsidiary of a covered entity is covered when the
rule or list extends to subsidiaries; a listed subsidiary never taints its parent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from derisk.evaluate.rules import Rule
from derisk.kb.knowledge import KnowledgeBase

__all__ = ["Exposure", "ListRule", "exposures"]


@dataclass(frozen=True)
class ListRule:
    """Bare membership of a list: informational (``listed``) unless a binding rule applies."""

    list_id: str


@dataclass(frozen=True)
class Exposure:
    entity_id: str  # the entity a record resolved to
    rule: Rule | ListRule
    path: tuple[str, ...]  # entity, owner, ..., covered entity
    since: date
    sources: tuple[str, ...]
    uncertain: bool


def _edges(kb: KnowledgeBase, path: tuple[str, ...], on: date) -> tuple[list[str], bool]:
    """Sources and uncertainty of the ownership edges along ``path``."""
    sources: list[str] = []
    uncertain = False
    for child, parent in pairwise(path):
        for edge in kb.parents(child, on):
            if edge.parent == parent:
                sources.extend(edge.sources)
                uncertain = uncertain or edge.uncertain
                break
    return sources, uncertain


def exposures(
    kb: KnowledgeBase,
    rules: list[Rule],
    entity_ids: Iterable[str],
    as_of: date,
    *,
    include_listed: bool = True,
) -> list[Exposure]:
    """Every (entity, rule) exposure, by the shortest ownership path."""
    out: list[Exposure] = []
    for entity_id in dict.fromkeys(entity_ids):
        paths = kb.ownership_paths(entity_id, as_of)  # shortest first
        for rule in rules:
            for path in paths:
                cov = rule.covered.get(path[-1])
                if cov is None or (len(path) > 1 and not cov.subsidiaries):
                    continue
                edge_sources, edge_uncertain = _edges(kb, path, as_of)
                since = rule.since
                if cov.list_id is not None:
                    listed = _listed_on(kb, cov.list_id, path[-1], as_of)
                    since = max(since, listed) if listed else since
                out.append(
                    Exposure(
                        entity_id,
                        rule,
                        path,
                        since,
                        tuple(
                            dict.fromkeys([*rule.provision.sources, *cov.sources, *edge_sources])
                        ),
                        rule.uncertain or cov.uncertain or edge_uncertain,
                    )
                )
                break
        if include_listed:
            out.extend(_list_exposures(kb, entity_id, paths, as_of))
    return out


def _listed_on(kb: KnowledgeBase, list_id: str, entity_id: str, as_of: date) -> date | None:
    for m in kb.memberships(entity_id):
        if m.list.id == list_id and m.active(as_of):
            return m.entry.listed
    return None


def _list_exposures(
    kb: KnowledgeBase, entity_id: str, paths: list[tuple[str, ...]], as_of: date
) -> list[Exposure]:
    out: list[Exposure] = []
    seen: set[str] = set()
    for path in paths:
        for m in kb.memberships(path[-1]):
            if m.list.id in seen or not m.active(as_of):
                continue
            if len(path) > 1 and not m.list.covers_subsidiaries:
                continue
            seen.add(m.list.id)
            edge_sources, edge_uncertain = _edges(kb, path, as_of)
            out.append(
                Exposure(
                    entity_id,
                    ListRule(m.list.id),
                    path,
                    m.entry.listed,
                    tuple(dict.fromkeys([*m.entry.sources, *edge_sources])),
                    m.entry.uncertain or edge_uncertain,
                )
            )
    return out
