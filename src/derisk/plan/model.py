"""Schemas of the planning inputs: the cost model and vendor catalogue (bundled data, sourced)
and the resources file an operator writes (crews, budget, blackouts, lead times, dependencies).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from derisk.kb.model import CountryOrGroup, Domain, Fact, Slug

__all__ = [
    "LATEST_START",
    "MAX_MONEY",
    "Blackout",
    "Budget",
    "CostEntry",
    "CostFile",
    "Crews",
    "Dependency",
    "Resources",
    "VendorEntry",
    "VendorFile",
    "VendorTerms",
]


class Strict(BaseModel):
    # NaN and Infinity are never a crew count, an amount or a rate.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


#: The latest start whose longest horizon (240 months) still ends before the year 9999.
LATEST_START = date(9979, 1, 1)
MAX_MONEY = 1e15  # per quarter: the solver counts money in whole units (64-bit integers)


# --- bundled data --------------------------------------------------------------------------


class CostEntry(Fact):
    """A public replacement-cost figure: per site (one domain's swap at a site) or per item."""

    id: Slug
    country: CountryOrGroup | None = None  # None: anywhere (a fallback)
    domain: Domain
    kinds: list[Slug] = []  # item kinds it applies to; empty: any
    unit: Literal["site", "item"]
    amount: float = Field(gt=0)
    currency: Literal["EUR", "GBP", "USD"]
    year: int = Field(ge=2000, le=2100)  # price basis
    basis: str  # how the figure was obtained, in one sentence


class CostFile(Strict):
    costs: list[CostEntry] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Self:
        ids = [c.id for c in self.costs]
        if len(ids) != len(set(ids)):
            raise ValueError("cost ids must be unique")
        return self


class VendorEntry(Fact):
    """A vendor that can replace restricted equipment in some domains (an entity in the KB)."""

    entity: Slug
    domains: list[Domain] = Field(min_length=1)
    kinds: list[Slug] = []  # item kinds it supplies; empty: any in its domains
    open_ran: bool = False


class VendorFile(Strict):
    vendors: list[VendorEntry] = Field(min_length=1)


# --- the operator's resources file ---------------------------------------------------------


class Crews(Strict):
    """Crews available per month: a default, per region, and per month overrides."""

    default: int = Field(default=2, ge=0)
    regions: dict[str, int] = {}  # region -> crews per month
    months: dict[str, int] = {}  # "YYYY-MM" -> crews per month in every region
    region_months: dict[str, dict[str, int]] = {}  # region -> "YYYY-MM" -> crews

    @model_validator(mode="after")
    def _months(self) -> Self:
        for key in [*self.months, *(m for r in self.region_months.values() for m in r)]:
            _month(key)
        return self


class Budget(Strict):
    """Money available per quarter; unspent money carries over unless ``carry_over`` is off."""

    per_quarter: float | None = Field(default=None, gt=0, le=MAX_MONEY)  # None: no limit
    quarters: dict[str, Annotated[float, Field(ge=0, le=MAX_MONEY)]] = {}  # "YYYY-Qn" -> amount
    carry_over: bool = True

    @model_validator(mode="after")
    def _quarters(self) -> Self:
        for key in self.quarters:
            _quarter(key)
        return self


class Blackout(Strict):
    start: date = Field(alias="from")
    end: date = Field(alias="to")
    reason: str = ""
    regions: list[str] = []  # empty: everywhere

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise ValueError("'to' is before 'from'")
        return self


class VendorTerms(Strict):
    lead_time_weeks: int = Field(default=0, ge=0)
    cost_factor: float = Field(default=1.0, gt=0)
    excluded: bool = False  # the operator will not use this vendor


class Dependency(Strict):
    """Jobs of the ``first`` domains finish before jobs of the ``then`` domains start, at the
    same site or across the whole network."""

    first: list[Domain] = Field(min_length=1)
    then: list[Domain] = Field(min_length=1)
    scope: Literal["site", "region", "network"] = "site"


class Resources(Strict):
    """What the operator has to do the work with; every field has a documented default."""

    start: date | None = Field(default=None, le=LATEST_START)  # default: --start, else today
    horizon_months: int = Field(default=60, ge=3, le=240)
    currency: Literal["EUR", "GBP", "USD"] | None = None  # default: the cost model's
    fx: dict[str, float] = {}  # currency -> value of one unit in `currency`
    crews: Crews = Crews()
    budget: Budget = Budget()
    blackouts: list[Blackout] = []
    vendors: dict[str, VendorTerms] = {}  # entity id (or "default") -> terms
    durations_weeks: dict[str, int] = {}  # domain (or "default") -> crew-weeks per job
    sites: dict[str, str] = {}  # site -> region (default: the record's country)
    dependencies: list[Dependency] = []
    weights: dict[str, float] = {}  # status -> weight per day late (see docs/plan.md)

    @model_validator(mode="after")
    def _positive(self) -> Self:
        if any(v < 1 for v in self.durations_weeks.values()):
            raise ValueError("durations_weeks must be at least 1")
        weeks = self.horizon_weeks()
        for domain, length in self.durations_weeks.items():
            if length > weeks:
                raise ValueError(
                    f"durations_weeks.{domain}: {length} weeks is longer than the horizon of "
                    f"{self.horizon_months} months ({weeks} weeks)"
                )
        if any(v <= 0 for v in self.fx.values()):
            raise ValueError("fx rates must be positive")
        return self

    def horizon_weeks(self) -> int:
        """The number of weeks the plan's calendar holds (derisk.plan.calendar)."""
        return int(self.horizon_months * 52 / 12)


def _month(key: str) -> None:
    try:
        year, month = key.split("-")
        if not (len(year) == 4 and 1 <= int(month) <= 12):
            raise ValueError
    except ValueError:
        raise ValueError(f"month {key!r} must be written YYYY-MM") from None


def _quarter(key: str) -> None:
    year, _, q = key.partition("-Q")
    if not (len(year) == 4 and year.isdigit() and q in {"1", "2", "3", "4"}):
        raise ValueError(f"quarter {key!r} must be written YYYY-Qn")
