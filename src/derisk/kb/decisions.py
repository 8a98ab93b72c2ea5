"""Analyst decisions: "this input name is (or is not) that entity", with reason, who and when.

Decisions are kept in the store's ``decisions`` table, append-only: a new decision on the same
name and entity supersedes the earlier one, which stays in the history. The table holds no
facts, so bundled refreshes and imports never touch it. A decision whose entity is no longer in
the knowledge base is an *orphan*: :meth:`DecisionSet.orphans` lists them so a screen can warn
instead of silently dropping them.

Look-up is by the folded name (:func:`derisk.resolve.normalize.fold`): ``HUAWEI Tech.`` and
``huawei tech`` share a decision. :class:`DecisionSet` folds each decision's ``input_name``
again when it is built, so a change to folding never strands stored decisions;
:meth:`DecisionSet.lookup` is one fold and one dict look-up.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

from derisk.kb.knowledge import KnowledgeBase
from derisk.resolve.normalize import fold

if TYPE_CHECKING:
    from derisk.kb.store import Store

__all__ = [
    "Action",
    "Decision",
    "DecisionSet",
    "active_decisions",
    "decision_history",
    "record_decision",
]

Action = Literal["confirm", "dismiss"]
_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Decision(BaseModel):
    """One analyst decision on whether ``input_name`` denotes ``entity_id``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input_name: _Text  # as the analyst typed it
    key: _Text  # fold(input_name): the look-up key when it was recorded
    entity_id: _Text
    action: Action
    reason: _Text
    decided_by: _Text
    decided_at: datetime  # UTC
    kb_version: str  # the knowledge-base version the analyst saw

    @classmethod
    def new(
        cls,
        *,
        input_name: str,
        entity_id: str,
        action: Action,
        reason: str,
        decided_by: str,
        kb_version: str,
        decided_at: datetime | None = None,
    ) -> Decision:
        """A decision taken now (or at ``decided_at``), keyed by the folded name. Raises
        pydantic's ValidationError."""
        return cls(
            input_name=input_name,
            key=fold(input_name),
            entity_id=entity_id,
            action=action,
            reason=reason,
            decided_by=decided_by,
            decided_at=decided_at or datetime.now(UTC),
            kb_version=kb_version,
        )

    @field_validator("decided_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("decided_at must carry a time zone")
        return value.astimezone(UTC)


class DecisionSet:
    """The active decisions (the latest per name and entity), indexed by folded name.

    Iteration and look-ups give decisions in the order they were made.
    """

    def __init__(self, decisions: Iterable[Decision]) -> None:
        latest: dict[tuple[str, str], Decision] = {}
        for d in decisions:  # in the order made: a later one replaces an earlier one
            pair = (fold(d.input_name), d.entity_id)
            latest.pop(pair, None)  # so the active ones keep the order they were made in
            latest[pair] = d
        self._all = list(latest.values())
        self._by_key: dict[str, tuple[list[Decision], list[Decision]]] = {}
        for (key, _), d in latest.items():
            confirmed, dismissed = self._by_key.setdefault(key, ([], []))
            (confirmed if d.action == "confirm" else dismissed).append(d)

    def __len__(self) -> int:
        return len(self._all)

    def __iter__(self) -> Iterator[Decision]:
        return iter(self._all)

    def lookup(self, input_name: str) -> tuple[list[Decision], list[Decision]]:
        """(confirmed, dismissed) decisions for a name as it appears in an inventory."""
        return self.lookup_key(fold(input_name))

    def lookup_key(self, key: str) -> tuple[list[Decision], list[Decision]]:
        """As :meth:`lookup`, for a name already folded."""
        confirmed, dismissed = self._by_key.get(key, ([], []))
        return list(confirmed), list(dismissed)

    def orphans(self, kb: KnowledgeBase) -> list[Decision]:
        """Active decisions naming an entity that ``kb`` no longer has."""
        return [d for d in self._all if d.entity_id not in kb.entities]


def record_decision(
    store: Store,
    *,
    input_name: str,
    entity_id: str,
    action: Action,
    reason: str,
    decided_by: str,
    kb_version: str,
    decided_at: datetime | None = None,
) -> Decision:
    """Validate and append a decision; returns it. Raises pydantic's ValidationError."""
    decision = Decision.new(
        input_name=input_name,
        entity_id=entity_id,
        action=action,
        reason=reason,
        decided_by=decided_by,
        kb_version=kb_version,
        decided_at=decided_at,
    )
    store.con.execute(
        "INSERT INTO decisions (key, entity_id, action, doc) VALUES (?, ?, ?, ?)",
        [decision.key, decision.entity_id, decision.action, decision.model_dump_json()],
    )
    return decision


def decision_history(store: Store) -> list[Decision]:
    """Every decision ever recorded, oldest first."""
    rows = store.con.execute("SELECT doc FROM decisions ORDER BY seq").fetchall()
    return [Decision.model_validate_json(r[0]) for r in rows]


def active_decisions(store: Store) -> DecisionSet:
    """The decisions in force: the latest for each (folded name, entity)."""
    return DecisionSet(decision_history(store))
