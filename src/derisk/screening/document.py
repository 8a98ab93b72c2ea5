"""The screening JSON document (``derisk.screen/1``), documented in docs/output-json.md."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from derisk._version import __version__
from derisk.evaluate.rules import STATUSES
from derisk.kb.decisions import Decision
from derisk.kb.knowledge import KnowledgeBase
from derisk.profile import Profile
from derisk.resolve.matcher import Candidate

__all__ = ["FINDING_FIELDS", "SCHEMA_ID", "build_document"]

SCHEMA_ID = "derisk.screen/1"
FINDING_FIELDS = (
    "record_id",
    "row",
    "input_vendor",
    "entity_id",
    "entity_name",
    "match_score",
    "matched_name",
    "match_method",
    "via",
    "decision",
    "ownership_path",
    "rule_id",
    "regime_id",
    "jurisdiction",
    "status",
    "deadline",
    "since",
    "explanation",
    "instrument",
    "uncertain",
)


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _sources(kb: KnowledgeBase, ids: list[str]) -> list[dict[str, Any]]:
    return [
        {"id": s.id, "title": s.title, "url": s.url, "published": _iso(s.published)}
        for s in kb.source_refs(ids)
    ]


def _column(findings: pa.Table, name: str) -> list[Any]:
    col = findings.column(name)
    if pa.types.is_date(col.type):
        col = col.cast(pa.string())  # ISO 8601, nulls kept
    values: list[Any] = col.to_pylist()
    return values


def _findings(findings: pa.Table, kb: KnowledgeBase) -> list[dict[str, Any]]:
    """One dict per finding; identical source lists are built once and shared."""
    cache: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    columns = [_column(findings, name) for name in FINDING_FIELDS]
    out: list[dict[str, Any]] = []
    rows = zip(*columns, strict=True)
    for values, ids in zip(rows, findings.column("source_ids").to_pylist(), strict=True):
        item = dict(zip(FINDING_FIELDS, values, strict=True))
        key = tuple(ids)
        refs = cache.get(key)
        if refs is None:
            refs = cache[key] = _sources(kb, list(key))
        item["sources"] = refs
        out.append(item)
    return out


def _summary(findings: pa.Table, records: pa.Table) -> dict[str, Any]:
    n = len(records)
    by_status = dict.fromkeys(STATUSES, 0)
    for row in pc.value_counts(findings.column("status").cast(pa.string())).to_pylist():
        by_status[row["values"]] = row["counts"]
    worst = findings.group_by("idx").aggregate([("severity", "min")])
    records_by_status = dict.fromkeys(STATUSES, 0)
    for row in pc.value_counts(worst.column("severity_min")).to_pylist():
        records_by_status[STATUSES[row["values"]]] = row["counts"]
    flagged = len(worst)
    plain = findings.select(["idx", "deadline", "status", "rule_id", "jurisdiction"])
    plain = pa.table(
        [c.cast(pa.string()) if pa.types.is_dictionary(c.type) else c for c in plain.columns],
        names=plain.column_names,
    )
    dated = plain.filter(pc.is_valid(plain.column("deadline")))
    grouped = (
        dated.group_by(["deadline", "status", "rule_id", "jurisdiction"])
        .aggregate([("idx", "count_distinct")])
        .to_pylist()
    )
    grouped.sort(key=lambda g: (g["status"] != "overdue", g["deadline"], g["rule_id"]))
    next_deadlines = [
        {
            "deadline": g["deadline"].isoformat(),
            "status": g["status"],
            "rule_id": g["rule_id"],
            "jurisdiction": g["jurisdiction"],
            "records": g["idx_count_distinct"],
        }
        for g in grouped[:10]
    ]
    return {
        "records": n,
        "flagged": flagged,
        "clear": n - flagged,
        "findings": len(findings),
        "by_status": by_status,
        "records_by_status": records_by_status,
        "next_deadlines": next_deadlines,
    }


def build_document(
    *,
    findings: pa.Table,
    records: pa.Table,
    kb: KnowledgeBase,
    profile: Profile,
    as_of: date,
    input_info: dict[str, Any],
    dismissed: Mapping[str, list[Decision]] | None = None,
    review: Mapping[str, Candidate] | None = None,
) -> dict[str, Any]:
    flagged = pc.unique(findings.column("idx"))
    clear_mask = pc.invert(pc.is_in(pa.array(range(len(records)), pa.int64()), flagged))
    clear = records.column("record_id").filter(clear_mask).to_pylist()
    document = {
        "schema": SCHEMA_ID,
        "generated_by": f"derisk {__version__}",
        "as_of": as_of.isoformat(),
        "countries": list(profile.countries),
        "sector": str(profile.sector),
        "attributes": profile.all_attributes(),
        "kb_version": kb.version,
        "input": input_info,
        "summary": _summary(findings, records),
        "findings": _findings(findings, kb),
        "clear": clear,
    }
    if dismissed:
        document["dismissed"] = _dismissed(records, dismissed)
    if review:
        document["review"] = _review(records, review, kb)
    return document


def _vendor_rows(records: pa.Table) -> Iterator[tuple[Any, Any, Any]]:
    """(record id, row, vendor) of every record, in order."""
    return zip(
        records.column("record_id").to_pylist(),
        records.column("row").to_pylist(),
        records.column("vendor").to_pylist(),
        strict=True,
    )


def _review(
    records: pa.Table, review: Mapping[str, Candidate], kb: KnowledgeBase
) -> list[dict[str, Any]]:
    """Records whose vendor's best candidate fell in the review band: worth an analyst's look
    (and a ``derisk decide``), not a finding."""
    out = []
    for rid, row, vendor in _vendor_rows(records):
        c = review.get(vendor)
        if c is not None:
            out.append(
                {
                    "record_id": rid,
                    "row": row,
                    "input_vendor": vendor,
                    "entity_id": c.entity_id,
                    "entity_name": kb.entities[c.entity_id].name,
                    "matched_name": c.ref.name,
                    "score": c.result.score,
                }
            )
    return out


def _dismissed(records: pa.Table, dismissed: Mapping[str, list[Decision]]) -> list[dict[str, Any]]:
    """Records whose vendor an analyst dismissed as a match of an entity (so not flagged)."""
    out = []
    for rid, row, vendor in _vendor_rows(records):
        for d in dismissed.get(vendor, ()):
            out.append(
                {
                    "record_id": rid,
                    "row": row,
                    "input_vendor": vendor,
                    "entity_id": d.entity_id,
                    "decided_by": d.decided_by,
                    "decided_at": d.decided_at.isoformat(),
                    "reason": d.reason,
                }
            )
    return out
