"""Replacement costs: the bundled public figures, an operator's own cost file, currencies."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.loader import read_model
from derisk.plan.model import CostEntry, CostFile

__all__ = ["CostModel", "load_cost_model"]

_DATA = Path(__file__).resolve().parent.parent / "data" / "plan" / "costs.yaml"


@dataclass(frozen=True)
class CostModel:
    """Cost entries, most specific first: an operator's file before the bundled figures."""

    entries: tuple[CostEntry, ...]
    currency: str  # the plan's currency
    fx: dict[str, float]  # currency -> value of one unit in ``currency``

    def convert(self, amount: float, currency: str, *, what: str) -> float:
        if currency == self.currency:
            return amount
        rate = self.fx.get(currency)
        if rate is None:
            raise DeriskError(
                ErrorCode.CONFIG_INVALID,
                f"{what} is in {currency} and the plan in {self.currency}: give the rate under "
                f"'fx:' in the resources file (e.g. fx: {{{currency}: 1.1}})",
            )
        return amount * rate

    def entry(self, country: str | None, domain: str, kind: str | None) -> CostEntry | None:
        """The most specific entry: same country over any, same kind over any kind."""
        best: tuple[int, int] | None = None
        found: CostEntry | None = None
        for position, e in enumerate(self.entries):
            if e.domain != domain:
                continue
            if e.country is not None and e.country != country:
                continue
            if e.kinds and kind not in e.kinds:
                continue
            rank = ((e.country is not None) * 2 + bool(e.kinds), -position)
            if best is None or rank > best:
                best, found = rank, e
        return found


@lru_cache(maxsize=1)
def _bundled() -> CostFile:
    return read_model(_DATA, CostFile)


def load_cost_model(
    currency: str | None, fx: dict[str, float], extra: Path | None = None
) -> CostModel:
    """The bundled cost figures, behind an operator's ``extra`` file (same schema) if given.

    The plan's currency defaults to the operator file's first entry, else EUR.
    """
    entries: list[CostEntry] = []
    if extra is not None:
        if not extra.is_file():
            raise DeriskError(ErrorCode.INPUT_NOT_FOUND, "cost file not found", file=extra)
        entries.extend(read_model(extra, CostFile, ErrorCode.CONFIG_INVALID).costs)
    entries.extend(_bundled().costs)
    chosen = currency or (entries[0].currency if extra is not None else "EUR")
    return CostModel(tuple(entries), chosen, dict(fx))
