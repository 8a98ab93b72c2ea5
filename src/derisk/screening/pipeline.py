"""Screening end to end: inventory table -> resolve -> evaluate -> findings table.

I/O stays at the edges (reading the inventory, writing reports); this module only moves Arrow
tables between the pure stages, in batches so long inputs can show progress.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from derisk.evaluate.batch import FINDING_SCHEMA, Evaluator
from derisk.kb.decisions import DecisionSet
from derisk.kb.knowledge import KnowledgeBase
from derisk.kb.model import Dealing
from derisk.profile import Profile
from derisk.resolve.batch import Resolver
from derisk.resolve.index import NameIndex

__all__ = ["BATCH_ROWS", "ScreenContext", "screen_table"]

BATCH_ROWS = 50_000


@dataclass
class ScreenContext:
    """Everything a screen depends on, passed explicitly."""

    kb: KnowledgeBase
    profile: Profile
    as_of: date
    resolver: Resolver
    evaluator: Evaluator

    @classmethod
    def build(
        cls,
        kb: KnowledgeBase,
        profile: Profile,
        as_of: date,
        decisions: DecisionSet | None = None,
        index: NameIndex | None = None,
        dealing: Dealing = Dealing.BUY,
    ) -> ScreenContext:
        resolver = Resolver.from_kb(kb, decisions, index)
        return cls(kb, profile, as_of, resolver, Evaluator(kb, profile, as_of, dealing))


def screen_batch(records: pa.Table, ctx: ScreenContext) -> pa.Table:
    """Findings for one batch of inventory records (``idx`` relative to the batch)."""
    links = ctx.resolver.resolve(records)
    return ctx.evaluator.evaluate(records, links)


def screen_table(
    records: pa.Table,
    ctx: ScreenContext,
    *,
    batch_rows: int = BATCH_ROWS,
    progress: Callable[[int], None] | None = None,
) -> pa.Table:
    """Findings for every record; ``idx`` is the record's position in ``records``."""
    parts: list[pa.Table] = []
    for start in range(0, len(records), batch_rows):
        batch = records.slice(start, batch_rows)
        found = screen_batch(batch, ctx)
        if start:
            found = found.set_column(0, "idx", pc.add(found.column("idx"), start))
        parts.append(found)
        if progress is not None:
            progress(len(batch))
    if not parts:
        return FINDING_SCHEMA.empty_table()
    return pa.concat_tables(parts)
