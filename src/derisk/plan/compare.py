"""The ``derisk.scenario/1`` document: a baseline and a what-if plan, and their difference."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from derisk._version import __version__
from derisk.kb.knowledge import KnowledgeBase
from derisk.plan.scenario import Scenario, summarise

__all__ = ["SCENARIO_SCHEMA", "scenario_document"]

SCENARIO_SCHEMA = "derisk.scenario/1"


def _keys(findings: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {(str(f["record_id"]), str(f["rule_id"]), str(f["status"])) for f in findings}


def _findings_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Findings present under one knowledge base and not the other (same record, rule, status)."""
    old, new = _keys(before["findings"]), _keys(after["findings"])
    return {
        "new": [
            f for f in after["findings"] if (f["record_id"], f["rule_id"], f["status"]) not in old
        ],
        "resolved": [
            f for f in before["findings"] if (f["record_id"], f["rule_id"], f["status"]) not in new
        ],
    }


def _difference(base: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    b, o = base["summary"], other["summary"]
    before = {j["job_id"]: j for j in base["jobs"]}
    after = {j["job_id"]: j for j in other["jobs"]}
    moved = sorted(
        k
        for k in before.keys() & after.keys()
        if (before[k]["start"], before[k]["end"]) != (after[k]["start"], after[k]["end"])
    )
    return {
        "cost": o["cost"] - b["cost"],
        "jobs": o["jobs"] - b["jobs"],
        "missed_jobs": o["missed"] - b["missed"],
        "missed_days": o["missed_days"] - b["missed_days"],
        "weighted_missed_days": o["weighted_missed_days"] - b["weighted_missed_days"],
        "finish": {"baseline": b["finish"], "scenario": o["finish"]},
        "new_jobs": sorted(after.keys() - before.keys()),
        "dropped_jobs": sorted(before.keys() - after.keys()),
        "moved_jobs": moved,
    }


def scenario_document(
    scenario: Scenario,
    path: Path,
    kb: KnowledgeBase,
    changed: KnowledgeBase,
    base_screen: dict[str, Any],
    other_screen: dict[str, Any],
    base_plan: dict[str, Any],
    other_plan: dict[str, Any],
) -> dict[str, Any]:
    return {
        "schema": SCENARIO_SCHEMA,
        "generated_by": f"derisk {__version__}",
        "scenario": {
            "name": scenario.name,
            "description": scenario.description,
            "file": str(path),
            "changes": [{"kind": c.kind, "summary": summarise(c)} for c in scenario.changes],
        },
        "kb_version": kb.version,
        "scenario_kb_version": changed.version,
        "baseline": base_plan,
        "scenario_plan": other_plan,
        "findings": _findings_diff(base_screen, other_screen),
        "difference": _difference(base_plan, other_plan),
    }
