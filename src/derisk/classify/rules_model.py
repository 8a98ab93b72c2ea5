"""The schema of the export-control rules data (``data/export_controls/rules.yaml``).

Every rule is dated: it applies from ``effective`` to ``ends`` (inclusive) and says which
Federal Register instrument made it. A question asked for a date is answered by the rules in
force on that date.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from derisk.kb.model import Fact, Slug

__all__ = [
    "Alternative",
    "Condition",
    "CountryGroupFile",
    "Dated",
    "EccnRule",
    "ExceptionRule",
    "FootnoteFile",
    "FootnoteRule",
    "Geography",
    "InformedRule",
    "Milestone",
    "ParameterSet",
    "PolicyRule",
    "RulesFile",
    "SuspendedRule",
    "TreatedAs",
]

Metric = Literal["tpp", "pd", "interconnect_gbps", "memory_bandwidth_gbps", "bandwidth_density"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Dated(Fact):
    id: Slug
    title: str
    instrument: str  # e.g. "88 FR 73458"
    effective: date
    ends: date | None = None

    def in_force(self, on: date) -> bool:
        return self.effective <= on and (self.ends is None or on <= self.ends)


class Condition(Strict):
    metric: Metric
    op: Literal["ge", "gt", "le", "lt"]
    value: float


class Alternative(Strict):
    all: list[Condition] = Field(min_length=1)
    kind: Literal["accelerator", "hbm"] = "accelerator"


class EccnRule(Strict):
    eccn: str  # 3A090.a, 3A090.b, 3A090.c
    any_of: list[Alternative] = Field(min_length=1)


class ParameterSet(Dated):
    """What makes a chip 3A090 during a period, and the Note 2 carve-out if any."""

    eccns: list[EccnRule]
    note2_tpp_below: float | None = None  # Note 2: not for datacenters and TPP below this


class Geography(Dated):
    """Where a 3A090/4A090 item needs a licence: destinations, and headquarters (HQ rule)."""

    destinations: list[str] = []  # country codes or group names (D:1, ...)
    except_groups: list[str] = []  # ... unless also in these groups (A:5, A:6)
    headquarters: list[str] = []  # entities headquartered here need a licence anywhere


class PolicyRule(Dated):
    """The licence review policy for destinations (and HQ) during a period."""

    policy: str  # presumption_of_denial, presumption_of_approval, case_by_case
    destinations: list[str] = []
    headquarters: bool = False  # applies to HQ-rule cases too
    only_if: list[Condition] = []  # e.g. the 2026 band: TPP < 21000 and bandwidth < 6500


class ExceptionRule(Dated):
    code: str  # NAC, ACA
    destinations: list[str] = []
    except_groups: list[str] = []
    headquarters: bool = False
    # ECCNs whose parts designed or marketed for datacenters cannot use the exception.
    not_for_datacenter: list[str] = []
    notice: str


class InformedRule(Dated):
    """A licence requirement imposed by 'is informed' letters for named chip classes."""

    chips: list[Slug] = []  # catalogue ids named
    any_of: list[Alternative] = []  # or chips matching these figures
    destinations: list[str] = []
    headquarters: list[str] = []


class SuspendedRule(Dated):
    """A rule that was published but is not in force: rescinded, or suspended for a time."""

    status: Literal["rescinded", "suspended"]
    suspended_from: date | None = None
    suspended_until: date | None = None
    effect: str


class FootnoteRule(Dated):
    """An Entity List footnote: the foreign-direct-product rule that reaches a listed party."""

    footnote: int = Field(ge=1, le=9)
    cfr: str  # e.g. "15 CFR 734.9(e)(2)"
    effect: str  # what the footnote adds, in plain words


class FootnoteFile(Strict):
    footnotes: list[FootnoteRule]


class RulesFile(Strict):
    parameter_sets: list[ParameterSet]
    geography: list[Geography]
    policies: list[PolicyRule]
    exceptions: list[ExceptionRule]
    informed: list[InformedRule] = []
    other_rules: list[SuspendedRule] = []


class Member(Strict):
    country: str
    since: date | None = None
    until: date | None = None
    sources: list[Slug] = []
    note: str | None = None


class Group(Strict):
    name: str
    members: list[Member]
    sources: list[Slug] = []
    note: str | None = None


class TreatedAs(Strict):
    """A place the EAR does not treat as a destination of its own (Hong Kong as China)."""

    country: str
    as_: str = Field(alias="as")
    since: date | None = None
    sources: list[Slug] = Field(min_length=1)
    note: str | None = None


class Milestone(Strict):
    """A dated fact the licence rules depend on, with the instrument that made it."""

    id: Slug
    date: date
    instrument: str
    what: str
    sources: list[Slug] = Field(min_length=1)


class CountryGroupFile(Strict):
    groups: dict[str, Group]
    treated_as: list[TreatedAs] = []
    milestones: list[Milestone] = []
