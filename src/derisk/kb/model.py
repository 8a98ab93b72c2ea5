"""The knowledge-base schema: sources, entities, ownership, lists and regimes.

Every fact names the sources it rests on (ids into the source registry). A fact resting on
a single source is uncertain, whatever its file says; a fact may also be marked uncertain by
hand when its sources disagree.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

__all__ = [
    "Alias",
    "AttributeCondition",
    "Binds",
    "Country",
    "Covers",
    "Domain",
    "Effect",
    "Entity",
    "EntityFile",
    "Event",
    "Fact",
    "ListEntry",
    "ListFile",
    "Ownership",
    "Provision",
    "Regime",
    "RegimeStatus",
    "RestrictedList",
    "Sector",
    "Source",
    "SourceFile",
    "Strict",
]

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.\-]*$", max_length=80)]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
# A country code or a group name from countries.yaml (EU, EEA, ...).
CountryOrGroup = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]{1,15}$")]
AttributeName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]

_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9.\-]*$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Domain(StrEnum):
    CORE = "core"
    RAN = "ran"
    TRANSPORT = "transport"
    MANAGEMENT = "management"
    DATACENTER = "datacenter"
    ENTERPRISE = "enterprise"
    OTHER = "other"


class Sector(StrEnum):
    TELECOM = "telecom"
    DATACENTER = "datacenter"
    GOVERNMENT = "government"
    EXPORTER = "exporter"
    ANY = "any"


class Dealing(StrEnum):
    """Which dealings with a covered party a provision governs."""

    BUY = "buy"  # procuring, deploying or using the party's items (the inventory screen)
    SELL = "sell"  # supplying items to the party (the exporter's order-book screen)


class Effect(StrEnum):
    """What a provision does to an organisation it binds."""

    REMOVAL = "removal"  # remove covered items by a deadline
    PROHIBITION = "prohibition"  # use or procurement banned from the effective date
    LICENSE = "license"  # a licence or authorisation is required
    RESTRICTION = "restriction"  # allowed under conditions (caps, notification, ...)
    ADVISORY = "advisory"  # names the vendor, binds nobody


class RegimeStatus(StrEnum):
    IN_FORCE = "in_force"
    PROPOSED = "proposed"  # kept for scenarios; never evaluated by a screen
    REPEALED = "repealed"


class Source(Strict):
    """A document a fact rests on."""

    id: Slug
    title: Text
    url: str | None = None
    publisher: str | None = None
    published: date | None = None
    retrieved: date | None = None
    primary: bool = False  # the instrument itself or its official publication


class SourceFile(Strict):
    sources: list[Source]


class Fact(Strict):
    """Base for everything that must cite sources."""

    sources: list[Slug] = Field(min_length=1)
    uncertain: bool = False
    note: str | None = None

    @model_validator(mode="after")
    def _single_source_is_uncertain(self) -> Self:
        if len(set(self.sources)) < 2 and not self.uncertain:
            object.__setattr__(self, "uncertain", True)
        return self


class Alias(Strict):
    name: Text
    lang: str | None = None  # BCP-47 language/script tag, e.g. zh-Hans, ru, de
    kind: Literal["name", "alias", "legal", "former", "brand", "abbreviation", "local"] = "alias"
    until: date | None = None  # for former names: last day the name was in use


class Entity(Fact):
    id: Slug
    name: Text
    type: Literal["organization", "person"] = "organization"
    country: Country | None = None
    aliases: list[Alias] = []
    identifiers: dict[str, str] = {}
    tags: list[Slug] = []
    website: str | None = None


class Ownership(Fact):
    """``parent`` owns or controls ``child`` (share 0..1 where known)."""

    parent: Slug
    child: Slug
    share: float | None = Field(default=None, ge=0, le=1)
    since: date | None = None
    until: date | None = None

    @model_validator(mode="after")
    def _dates_ordered(self) -> Self:
        if self.since and self.until and self.until < self.since:
            raise ValueError("ownership 'until' is before 'since'")
        if self.parent == self.child:
            raise ValueError("an entity cannot own itself")
        return self


class EntityFile(Strict):
    entities: list[Entity] = []
    ownership: list[Ownership] = []


class ListEntry(Fact):
    entity: Slug
    listed: date
    removed: date | None = None
    scope: str | None = None  # what the entry covers, in the list's own words
    # Entity List footnotes (1-5) marking foreign-direct-product rules (15 CFR 734.9).
    footnotes: list[int] = Field(default_factory=list)

    @model_validator(mode="after")
    def _dates_ordered(self) -> Self:
        if self.removed and self.removed < self.listed:
            raise ValueError("entry 'removed' is before 'listed'")
        return self


class RestrictedList(Fact):
    """A published list of restricted parties (FCC Covered List, Entity List, UEL...)."""

    id: Slug
    name: Text
    jurisdiction: CountryOrGroup
    publisher: Text
    url: str | None = None
    covers_subsidiaries: bool = False
    description: str | None = None
    entries: list[ListEntry] = []


class ListFile(Strict):
    lists: list[RestrictedList]


class AttributeCondition(Strict):
    attribute: AttributeName
    op: Literal["eq", "ne", "lt", "le", "gt", "ge"] = "eq"
    value: bool | float | str


class Binds(Strict):
    """One alternative of who a regime binds: all parts must hold (empty = any)."""

    countries: list[CountryOrGroup] = []
    sectors: list[Sector] = []
    attributes: list[AttributeCondition] = []


class Covers(Strict):
    """What a provision covers. Vendors come from entities, lists or tags (any of them)."""

    entities: list[Slug] = []
    lists: list[Slug] = []
    tags: list[Slug] = []
    exclude_countries: list[CountryOrGroup] = []  # e.g. foreign vendors only: [CN]
    # Subsidiaries (controlled, >= 50% or share unknown) of a covered entity are covered too.
    # Unset: yes for entities the provision names; for lists, as the list says.
    include_subsidiaries: bool | None = None
    domains: list[Domain] = []  # empty: every network domain
    item_kinds: list[Slug] = []  # empty: every kind of item
    technologies: list[Slug] = []  # empty: every generation (2g..6g)
    installed_after: date | None = None  # only items installed on or after this date

    @model_validator(mode="after")
    def _names_vendors(self) -> Self:
        if not (self.entities or self.lists or self.tags):
            raise ValueError("a provision must cover entities, lists or tags")
        return self


class Provision(Fact):
    """One dated obligation of a regime, e.g. 'Huawei/ZTE out of 5G core by 2026-12-31'."""

    id: Slug
    title: Text
    binds: list[Binds] | None = None  # overrides the regime's when set
    covers: Covers
    effect: Effect
    announced: date  # adopted, published or agreed: from this day the provision is known
    effective: date | None = None  # when it starts to bite (default: announced)
    deadline: date | None = None  # removal deadline (required for removal)
    ends: date | None = None  # last day it applies (lapsed, suspended, repealed)
    explanation: Text  # one sentence stating the obligation
    # Buying from the covered party (default), selling to it, or both (a trade ban).
    dealings: list[Dealing] = Field(default_factory=lambda: [Dealing.BUY], min_length=1)

    @model_validator(mode="after")
    def _dates(self) -> Self:
        if self.effect is Effect.REMOVAL and self.deadline is None:
            raise ValueError("a removal provision needs a deadline")
        if self.effective and self.effective < self.announced:
            raise ValueError("'effective' is before 'announced'")
        if self.ends and self.ends < (self.effective or self.announced):
            raise ValueError("'ends' is before the provision takes effect")
        return self

    @property
    def starts(self) -> date:
        return self.effective or self.announced


class Event(Fact):
    when: date  # ('on' would read as a boolean in YAML 1.1)
    what: Text


class Regime(Fact):
    id: Slug
    name: Text
    jurisdiction: CountryOrGroup
    body: Text
    instrument: Text
    status: RegimeStatus = RegimeStatus.IN_FORCE
    adopted: date
    summary: Text
    binds: list[Binds] = Field(min_length=1)
    provisions: list[Provision] = []
    events: list[Event] = []
    figures: list[str] = []

    @model_validator(mode="after")
    def _provision_ids_unique(self) -> Self:
        ids = [p.id for p in self.provisions]
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            raise ValueError(f"duplicate provision ids: {sorted(dupes)}")
        return self
