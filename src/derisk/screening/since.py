"""Findings that are new because the knowledge base changed (``derisk screen --since V``).

The same inventory, profile and date are screened with an earlier knowledge-base version and
with the current one. A current finding is **new** when no finding under the earlier version
had the same ``record_id`` and ``rule_id``, or when its status is more severe than every such
earlier finding (:func:`derisk.evaluate.rules.severity`). A finding under the earlier version
is **resolved** when no current finding has its ``record_id`` and ``rule_id``. A finding whose
status became less severe is neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from derisk.evaluate.rules import STATUSES, severity

__all__ = ["SinceResult", "compare_findings", "with_since"]

_KEYS = ["record_id", "rule_id"]
# severity(status) for every status, in STATUSES order, to apply to whole columns at once
_SEVERITY = pa.array([severity(s) for s in STATUSES], pa.int64())


@dataclass(frozen=True)
class SinceResult:
    new: pa.Table  # the current findings that are new, in their original order
    findings_before: int  # findings under the earlier version
    resolved: int  # earlier findings whose record and rule have no current finding

    def block(self, version: str) -> dict[str, Any]:
        """The document's ``since`` object."""
        return {
            "version": version,
            "findings_before": self.findings_before,
            "new": len(self.new),
            "resolved": self.resolved,
        }


def _keys(findings: pa.Table) -> pa.Table:
    """record_id, rule_id (plain strings), severity of the status, and position."""
    status = findings.column("status").cast(pa.string())
    index = pc.index_in(status, value_set=pa.array(STATUSES))
    return pa.table(
        {
            "record_id": findings.column("record_id").cast(pa.string()),
            "rule_id": findings.column("rule_id").cast(pa.string()),
            "severity": pc.take(_SEVERITY, index),
            "pos": pa.array(range(len(findings)), pa.int64()),
        }
    )


def compare_findings(before: pa.Table, after: pa.Table) -> SinceResult:
    """Split ``after`` (current findings) into what is new since ``before`` (earlier ones).

    Both are findings tables as :func:`derisk.screening.pipeline.screen_table` returns them,
    for the same records.
    """
    old, cur = _keys(before), _keys(after)
    worst_before = old.group_by(_KEYS).aggregate([("severity", "min")])  # most severe = lowest
    joined = cur.join(worst_before, keys=_KEYS, join_type="left outer")
    earlier = joined.column("severity_min")
    is_new = pc.or_kleene(
        pc.is_null(earlier), pc.less(joined.column("severity"), pc.fill_null(earlier, 0))
    )
    positions = joined.column("pos").filter(is_new)
    new = after.take(pc.take(positions, pc.sort_indices(positions)))
    still = cur.select(_KEYS).group_by(_KEYS).aggregate([])
    resolved = old.join(still, keys=_KEYS, join_type="left anti")
    return SinceResult(new=new, findings_before=len(before), resolved=len(resolved))


def with_since(document: dict[str, Any], block: dict[str, Any]) -> dict[str, Any]:
    """``document`` with the ``since`` object placed after ``kb_version``."""
    out: dict[str, Any] = {}
    for key, value in document.items():
        out[key] = value
        if key == "kb_version":
            out["since"] = block
    out.setdefault("since", block)
    return out
