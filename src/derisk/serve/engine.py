"""The engine calls the API and the web pages share: the same screening, matching,
classification and planning code as the CLI, with the knowledge base loaded once at start.

Nothing here knows about HTTP or the database: callers pass the tenant's decisions in and
store what comes out.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePath
from typing import Any

from derisk.api import classify as classify_chip
from derisk.errors import DeriskError, ErrorCode
from derisk.kb.decisions import Decision, DecisionSet
from derisk.kb.knowledge import KnowledgeBase
from derisk.kb.store import Store
from derisk.plan.costs import load_cost_model
from derisk.plan.inputs import ScreenedInventory, screen_inventory
from derisk.plan.model import Resources
from derisk.plan.run import make_plan
from derisk.profile import Profile
from derisk.resolve.index import NameIndex
from derisk.resolve.keystore import cached_index
from derisk.resolve.matcher import rank_candidates
from derisk.resolve.views import candidate_view, match_model

__all__ = ["SUFFIXES", "Engine"]

SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".jsonl", ".ndjson")


def _suffix(filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise DeriskError(
            ErrorCode.INPUT_FORMAT,
            f"unsupported file type {suffix or '(none)'}: upload {', '.join(SUFFIXES)}",
            file=filename,
        )
    return suffix


@dataclass
class Engine:
    """The knowledge base and name index the server screens against."""

    kb: KnowledgeBase
    index: NameIndex

    @classmethod
    def load(cls, kb_path: Path | None) -> Engine:
        """Open the knowledge-base store (refreshing bundled facts), load it, and close it
        again, so the CLI can use the store while the server runs."""
        with Store(kb_path) as store:
            store.sync_bundled()
            kb = store.load()
            index = cached_index(store, kb)
        return cls(kb, index)

    @property
    def kb_version(self) -> str:
        return self.kb.version

    def _screened(
        self,
        content: bytes,
        filename: str,
        profile: Profile,
        as_of: date,
        decisions: list[Decision],
        max_records: int | None = None,
    ) -> ScreenedInventory:
        suffix = _suffix(filename)
        with tempfile.TemporaryDirectory(prefix="derisk-serve-") as tmp:
            path = Path(tmp) / f"upload{suffix}"
            path.write_bytes(content)
            try:
                screened = screen_inventory(
                    path,
                    self.kb,
                    profile,
                    as_of,
                    decisions=DecisionSet(decisions),
                    index=self.index,
                    max_records=max_records,
                )
            except DeriskError as exc:
                if exc.file == str(path):
                    exc.file = filename  # name the file as the user knows it
                raise
        screened.document["input"]["file"] = filename
        return screened

    def screen(
        self,
        content: bytes,
        filename: str,
        profile: Profile,
        as_of: date,
        decisions: list[Decision],
        *,
        max_records: int | None = None,
    ) -> dict[str, Any]:
        """The ``derisk.screen/1`` document, exactly as ``derisk screen --format json``."""
        if profile.sector.value == "exporter":
            raise DeriskError(
                ErrorCode.ARGUMENT_INVALID,
                "exporter order books are screened with the CLI only ('derisk screen --sector "
                "exporter'); the server screens inventories",
            )
        return self._screened(content, filename, profile, as_of, decisions, max_records).document

    def match(
        self, names: list[str], *, country: str | None, threshold: float | None, top: int
    ) -> list[dict[str, Any]]:
        """One result per name, as ``derisk match --format json`` prints them."""
        model = match_model(threshold)
        return [
            {
                "query": name,
                "candidates": [
                    candidate_view(c, self.kb, model)
                    for c in rank_candidates(name, self.index, country=country, model=model)[:top]
                ],
            }
            for name in names
        ]

    def classify(self, **request: Any) -> dict[str, Any]:
        return classify_chip(kb=self.kb, **request)

    def plan(
        self,
        content: bytes,
        filename: str,
        profile: Profile,
        as_of: date,
        decisions: list[Decision],
        resources: Resources,
        *,
        start: date | None,
        time_limit: float,
        max_records: int | None = None,
    ) -> dict[str, Any]:
        """The ``derisk.plan/1`` document, as ``derisk plan --format json``."""
        screened = self._screened(content, filename, profile, as_of, decisions, max_records)
        costs = load_cost_model(resources.currency, resources.fx)
        return make_plan(
            screened.plan_input(self.kb, profile, as_of),
            resources,
            costs,
            start=start or resources.start or as_of,
            time_limit=time_limit,
            workers=2,
        )
