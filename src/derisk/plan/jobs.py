"""From findings to jobs: what must be replaced, where, by when, at what cost and effort.

A job replaces every flagged item of one domain at one site with one crew; a record without a
site is a job of its own. Only findings that require removal (``overdue``, ``prohibited``,
``remove_by``) make jobs; the rest are listed as not planned, with the reason.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from derisk.evaluate.rules import severity
from derisk.plan.costs import CostModel
from derisk.plan.model import Resources

__all__ = [
    "DEFAULT_DURATIONS",
    "DEFAULT_WEIGHTS",
    "REPLACE",
    "Job",
    "build_jobs",
    "domain_of",
]

REPLACE = ("prohibited", "overdue", "remove_by")
# Weight per day late, by the job's most severe status. A legal deadline already passed
# (overdue, or a prohibition in force) weighs most; documented in docs/plan.md.
DEFAULT_WEIGHTS = {"overdue": 1000.0, "prohibited": 1000.0, "remove_by": 10.0}
# Crew-weeks per job, by domain: assumptions to be replaced by the operator's own
# (resources file, durations_weeks); documented in docs/plan.md.
DEFAULT_DURATIONS = {
    "ran": 1,
    "transport": 1,
    "core": 8,
    "management": 4,
    "datacenter": 2,
    "enterprise": 1,
    "other": 1,
}
# Domain of a record that does not state one, from its kind of item.
_KIND_DOMAIN = {
    "radio": "ran",
    "core-network": "core",
    "transmission": "transport",
    "network": "transport",
    "management-system": "management",
    "accelerator": "datacenter",
    "system": "datacenter",
    "server": "datacenter",
    "storage": "datacenter",
    "memory": "datacenter",
    "cpu": "datacenter",
}


@dataclass(frozen=True)
class Job:
    job_id: str
    site: str | None
    region: str
    country: str | None
    domain: str
    kind: str | None
    records: tuple[str, ...]
    rows: tuple[int, ...]
    items: float
    replaces: tuple[str, ...]
    status: str
    rule_ids: tuple[str, ...]
    deadline: date | None
    weight: float
    duration_weeks: int
    cost: float  # in the plan's currency, before a vendor's cost factor
    cost_basis: str


def domain_of(record: dict[str, Any]) -> str:
    if record.get("domain"):
        return str(record["domain"])
    return _KIND_DOMAIN.get(str(record.get("kind") or ""), "other")


def build_jobs(
    records: list[dict[str, Any]],
    findings: list[dict[str, Any]],
    resources: Resources,
    costs: CostModel,
) -> tuple[list[Job], list[dict[str, Any]]]:
    """Jobs for the records whose findings require removal, and the flagged records left out."""
    by_record: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in findings:
        by_record[str(f["record_id"])].append(f)
    weights = {**DEFAULT_WEIGHTS, **resources.weights}
    groups: dict[str, list[tuple[dict[str, Any], list[dict[str, Any]]]]] = defaultdict(list)
    not_planned: list[dict[str, Any]] = []
    for record in records:
        found = by_record.get(str(record["record_id"]), [])
        if not found:
            continue
        acting = [f for f in found if f["status"] in REPLACE]
        if not acting:
            worst = min((f["status"] for f in found), key=severity)
            not_planned.append(_left_out(record, f"{worst}: no removal required"))
            continue
        domain = domain_of(record)
        key = (
            f"{record['site']}/{domain}" if record.get("site") else f"record/{record['record_id']}"
        )
        groups[key].append((record, acting))
    jobs = [_job(key, members, resources, costs, weights) for key, members in groups.items()]
    jobs.sort(key=lambda j: j.job_id)
    return jobs, not_planned


def _left_out(record: dict[str, Any], reason: str) -> dict[str, Any]:
    return {"record_id": record["record_id"], "row": record["row"], "reason": reason}


def _job(
    key: str,
    members: list[tuple[dict[str, Any], list[dict[str, Any]]]],
    resources: Resources,
    costs: CostModel,
    weights: dict[str, float],
) -> Job:
    first = members[0][0]
    domain = domain_of(first)
    acting = [f for _, fs in members for f in fs]
    status = min((f["status"] for f in acting), key=severity)
    deadlines = [_date(f.get("deadline")) for f in acting]
    deadline = min((d for d in deadlines if d is not None), default=None)
    site = first.get("site")
    country = first.get("country")
    region = resources.sites.get(site or "", "") or country or "all"
    durations = {**DEFAULT_DURATIONS, **resources.durations_weeks}
    cost, basis = _cost(members, domain, country, costs)
    return Job(
        job_id=key,
        site=site,
        region=region,
        country=country,
        domain=domain,
        kind=first.get("kind"),
        records=tuple(str(r["record_id"]) for r, _ in members),
        rows=tuple(int(r["row"]) for r, _ in members),
        items=sum(float(r.get("quantity") or 1) for r, _ in members),
        replaces=tuple(sorted({str(f["entity_id"]) for f in acting if f.get("entity_id")})),
        status=status,
        rule_ids=tuple(sorted({str(f["rule_id"]) for f in acting})),
        deadline=deadline,
        weight=weights.get(status, 1.0),
        duration_weeks=durations.get(domain, durations.get("default", 1)),
        cost=cost,
        cost_basis=basis,
    )


def _cost(
    members: list[tuple[dict[str, Any], list[dict[str, Any]]]],
    domain: str,
    country: str | None,
    costs: CostModel,
) -> tuple[float, str]:
    """The inventory's own unit costs where every record has one, else the cost model."""
    records = [r for r, _ in members]
    if all(r.get("unit_cost") is not None for r in records):
        total = 0.0
        for r in records:
            amount = float(r["unit_cost"]) * float(r.get("quantity") or 1)
            currency = r.get("currency") or costs.currency
            total += costs.convert(amount, currency, what=f"record {r['record_id']}'s unit_cost")
        return total, "inventory unit_cost"
    entry = costs.entry(country, domain, records[0].get("kind"))
    if entry is None:
        return 0.0, "no cost figure"
    amount = entry.amount
    if entry.unit == "item":
        amount *= sum(float(r.get("quantity") or 1) for r in records)
    return costs.convert(amount, entry.currency, what=f"cost entry {entry.id}"), entry.id


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
