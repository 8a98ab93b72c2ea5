"""Replacement vendors: who serves a domain, and until when each is clear under every rule.

A vendor is proposed for a job only while it has no finding at all (binding or informational)
for the organisation's profile, in the job's country, domain and kind of item, on the dates
the job could run. The knowledge base changes only on the dates its facts name, so each vendor
is evaluated on the plan's start and on every such date in the horizon: it is clear until the
first date it is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa

from derisk.evaluate.batch import Evaluator
from derisk.inventory.validate import SCHEMA as INVENTORY_SCHEMA
from derisk.kb.knowledge import KnowledgeBase
from derisk.kb.loader import read_model
from derisk.plan.model import Resources, VendorEntry, VendorFile
from derisk.profile import Profile
from derisk.resolve.batch import LINK_SCHEMA

__all__ = ["Alternative", "VendorCatalogue", "change_dates", "load_vendors"]

_DATA = Path(__file__).resolve().parent.parent / "data" / "plan" / "vendors.yaml"


@dataclass(frozen=True)
class Alternative:
    entity_id: str
    name: str
    lead_time_weeks: int
    cost_factor: float
    clear_until: date | None  # last day it is clear; None: through the horizon


@lru_cache(maxsize=1)
def load_vendors() -> VendorFile:
    return read_model(_DATA, VendorFile)


def change_dates(kb: KnowledgeBase, after: date, until: date) -> list[date]:
    """Every date in (after, until] on which a fact of the knowledge base starts or ends."""
    found: set[date] = set()
    for regime in kb.regimes.values():
        for p in regime.provisions:
            found.update(d for d in (p.announced, p.effective, p.deadline, p.ends) if d)
    for lst in kb.lists.values():
        for e in lst.entries:
            found.update(d for d in (e.listed, e.removed) if d)
    for edge in kb.ownership:
        found.update(d for d in (edge.since, edge.until) if d)
    return sorted(d for d in found if after < d <= until)


@dataclass
class VendorCatalogue:
    """Vendors per domain, with the operator's terms, checked against the knowledge base."""

    kb: KnowledgeBase
    profile: Profile
    resources: Resources
    start: date
    horizon_end: date
    entries: tuple[VendorEntry, ...]

    def __post_init__(self) -> None:
        self._dates = [self.start, *change_dates(self.kb, self.start, self.horizon_end)]
        self._evaluators = {d: Evaluator(self.kb, self.profile, d) for d in self._dates}
        self._cache: dict[tuple[str, str | None, str, str | None], date | bool] = {}

    def alternatives(
        self, domain: str, country: str | None, kind: str | None, replaces: tuple[str, ...]
    ) -> list[Alternative]:
        default = self.resources.vendors.get("default")
        out = []
        for v in self.entries:
            if domain not in v.domains or (kind and v.kinds and kind not in v.kinds):
                continue
            if v.entity in replaces or v.entity not in self.kb.entities:
                continue
            terms = self.resources.vendors.get(v.entity, default)
            if terms is not None and terms.excluded:
                continue
            until = self._clear_until(v.entity, country, domain, kind)
            if until is False:
                continue
            out.append(
                Alternative(
                    v.entity,
                    self.kb.entities[v.entity].name,
                    terms.lead_time_weeks if terms else 0,
                    terms.cost_factor if terms else 1.0,
                    None if until is True else until,
                )
            )
        return out

    def _clear_until(
        self, entity: str, country: str | None, domain: str, kind: str | None
    ) -> date | bool:
        """True: clear throughout; False: not clear at the start; else the last clear day."""
        key = (entity, country, domain, kind)
        if key in self._cache:
            return self._cache[key]
        answer: date | bool = True
        for i, on in enumerate(self._dates):
            if self._finds(entity, country, domain, kind, on):
                answer = False if i == 0 else date.fromordinal(on.toordinal() - 1)
                break
        self._cache[key] = answer
        return answer

    def _finds(
        self, entity: str, country: str | None, domain: str, kind: str | None, on: date
    ) -> bool:
        record: dict[str, Any] = {f.name: None for f in INVENTORY_SCHEMA}
        record |= {
            "row": 1,
            "record_id": "vendor",
            "vendor": self.kb.entities[entity].name,
            "country": country,
            "domain": domain,
            "kind": kind,
        }
        records = pa.Table.from_pylist([record], schema=INVENTORY_SCHEMA)
        link = {
            "idx": 0,
            "entity_id": entity,
            "match_score": 1.0,
            "matched_name": self.kb.entities[entity].name,
            "match_method": "exact",
            "via": "vendor",
            "product_kind": None,
            "decision": None,
        }
        links = pa.Table.from_pylist([link], schema=LINK_SCHEMA)
        return len(self._evaluators[on].evaluate(records, links)) > 0
