"""What-if scenarios: hypothetical knowledge-base changes, applied to an in-memory copy.

A scenario file names changes; each is validated like the knowledge base itself. The real
knowledge base (and its store) is never touched: :func:`apply_scenario` returns a new
:class:`KnowledgeBase` whose version differs from the real one.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.knowledge import KnowledgeBase
from derisk.kb.loader import read_model
from derisk.kb.model import (
    Entity,
    ListEntry,
    Ownership,
    Provision,
    Regime,
    RegimeStatus,
    Slug,
    Source,
)

__all__ = ["Scenario", "apply_scenario", "load_scenario", "summarise"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AddRegime(_Strict):
    kind: Literal["add_regime"]
    regime: Regime


class UpdateRegime(_Strict):
    """Enact, repeal or extend a regime: a new status and/or more provisions."""

    kind: Literal["update_regime"]
    regime: Slug
    status: RegimeStatus | None = None
    add_provisions: list[Provision] = []


class AddListEntry(_Strict):
    kind: Literal["add_list_entry"]
    list: Slug
    entry: ListEntry


class AddEntity(_Strict):
    kind: Literal["add_entity"]
    entity: Entity


class MoveDeadline(_Strict):
    kind: Literal["move_deadline"]
    regime: Slug
    provision: Slug
    deadline: date | None = None  # the removal deadline
    effective: date | None = None  # or when a prohibition starts


class SetOwnership(_Strict):
    """Add an ownership edge, replacing any edge between the same parent and child."""

    kind: Literal["set_ownership"]
    edge: Ownership


Change = Annotated[
    AddRegime | UpdateRegime | AddListEntry | AddEntity | MoveDeadline | SetOwnership,
    Field(discriminator="kind"),
]


class Scenario(_Strict):
    name: str = Field(min_length=1)
    description: str = ""
    sources: list[Source] = []  # sources the changes cite (e.g. the proposal they assume)
    changes: list[Change] = Field(min_length=1)


def load_scenario(path: Path) -> Scenario:
    if not path.is_file():
        raise DeriskError(ErrorCode.INPUT_NOT_FOUND, "scenario file not found", file=path)
    return read_model(path, Scenario, ErrorCode.CONFIG_INVALID)


def summarise(change: Any) -> str:
    """One line per change, for reports."""
    match change:
        case AddRegime(regime=r):
            return f"adds regime {r.id} ({len(r.provisions)} provisions)"
        case UpdateRegime(regime=r, status=s, add_provisions=ps):
            parts = [f"status {s.value}"] if s else []
            parts += [f"adds provision {p.id}" for p in ps]
            return f"regime {r}: " + ", ".join(parts or ["unchanged"])
        case AddListEntry(list=lst, entry=e):
            return f"adds {e.entity} to {lst} from {e.listed}"
        case AddEntity(entity=e):
            return f"adds entity {e.id}"
        case MoveDeadline(regime=r, provision=p, deadline=d, effective=eff):
            return f"moves {r}.{p}: deadline {d}" if d else f"moves {r}.{p}: effective {eff}"
        case SetOwnership(edge=e):
            share = "unknown share" if e.share is None else f"{e.share:.0%}"
            return f"sets ownership {e.parent} -> {e.child} ({share})"
    raise AssertionError(change)  # pragma: no cover


def apply_scenario(kb: KnowledgeBase, scenario: Scenario) -> KnowledgeBase:
    """A new knowledge base with the scenario's changes (DR203 when a change does not fit)."""
    sources = dict(kb.sources) | {s.id: s for s in scenario.sources}
    entities = dict(kb.entities)
    lists = dict(kb.lists)
    regimes = dict(kb.regimes)
    ownership = list(kb.ownership)
    for n, change in enumerate(scenario.changes, start=1):
        try:
            _apply(change, entities, lists, regimes, ownership)
        except (KeyError, ValueError, ValidationError) as exc:
            raise DeriskError(
                ErrorCode.CONFIG_INVALID, f"scenario change {n} ({change.kind}): {exc}"
            ) from None
    try:
        return KnowledgeBase(
            sources=sources.values(),
            entities=entities.values(),
            ownership=ownership,
            lists=lists.values(),
            regimes=regimes.values(),
            products=kb.products,
            country_groups=kb.country_groups,
        )
    except DeriskError as exc:
        raise DeriskError(
            ErrorCode.CONFIG_INVALID, f"scenario '{scenario.name}': {exc.message}"
        ) from None


def _apply(
    change: Any,
    entities: dict[str, Entity],
    lists: dict[str, Any],
    regimes: dict[str, Regime],
    ownership: list[Ownership],
) -> None:
    match change:
        case AddRegime(regime=r):
            if r.id in regimes:
                raise ValueError(f"regime {r.id} exists; use update_regime")
            regimes[r.id] = r
        case UpdateRegime(regime=rid, status=status, add_provisions=ps):
            r = regimes[rid]
            update: dict[str, Any] = {"provisions": [*r.provisions, *ps]}
            if status is not None:
                update["status"] = status
            regimes[rid] = Regime.model_validate({**r.model_dump(), **update})
        case AddListEntry(list=lid, entry=e):
            lst = lists[lid]
            lists[lid] = lst.model_copy(update={"entries": [*lst.entries, e]})
        case AddEntity(entity=e):
            if e.id in entities:
                raise ValueError(f"entity {e.id} exists")
            entities[e.id] = e
        case MoveDeadline(regime=rid, provision=pid, deadline=d, effective=eff):
            r = regimes[rid]
            ps = []
            for p in r.provisions:
                if p.id == pid:
                    changed = {k: v for k, v in (("deadline", d), ("effective", eff)) if v}
                    p = Provision.model_validate({**p.model_dump(), **changed})
                ps.append(p)
            if all(p.id != pid for p in r.provisions):
                raise ValueError(f"regime {rid} has no provision {pid}")
            regimes[rid] = r.model_copy(update={"provisions": ps})
        case SetOwnership(edge=e):
            ownership[:] = [o for o in ownership if (o.parent, o.child) != (e.parent, e.child)]
            ownership.append(e)
