"""What a plan starts from: a fresh screening of an inventory, or a saved screening document.

Either way the plan needs the inventory's records (site, domain, kind, quantity, unit cost)
beside the findings, the profile and date they were screened for, and the knowledge base.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa

from derisk.errors import DeriskError, ErrorCode
from derisk.inventory import read_inventory
from derisk.kb.decisions import DecisionSet
from derisk.kb.knowledge import KnowledgeBase
from derisk.kb.loader import read_model
from derisk.plan.model import Resources
from derisk.plan.run import PlanInput
from derisk.profile import Profile
from derisk.resolve.index import NameIndex
from derisk.screening.document import SCHEMA_ID, build_document
from derisk.screening.pipeline import ScreenContext, screen_table

__all__ = ["ScreenedInventory", "load_resources", "read_findings", "screen_inventory"]

_KNOWN = ("state_funded", "project_completion", "federal_contractor")


@dataclass(frozen=True)
class ScreenedInventory:
    document: dict[str, Any]  # derisk.screen/1
    records: pa.Table

    def plan_input(self, kb: KnowledgeBase, profile: Profile, as_of: date) -> PlanInput:
        return PlanInput(
            records=self.records.to_pylist(),
            findings=self.document["findings"],
            kb=kb,
            profile=profile,
            as_of=as_of,
            input_info={
                "file": self.document["input"]["file"],
                "records": self.document["input"]["records"],
            },
        )


def screen_inventory(
    path: Path,
    kb: KnowledgeBase,
    profile: Profile,
    as_of: date,
    *,
    decisions: DecisionSet | None = None,
    index: NameIndex | None = None,
    records: pa.Table | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    max_records: int | None = None,
) -> ScreenedInventory:
    """Screen ``path`` (or its already read ``records``) as ``derisk screen`` does; more than
    ``max_records`` records is DR109."""
    info: dict[str, Any] = {"file": str(path)}
    if records is None:
        inv = read_inventory(path, encoding=encoding, sheet=sheet)
        records = inv.table
        if max_records is not None and len(records) > max_records:
            raise DeriskError(
                ErrorCode.INPUT_TOO_LARGE,
                f"{len(records):,} records: this server screens at most {max_records:,} per "
                "upload (derisk screen on the command line has no limit)",
                file=path,
            )
        info |= {"format": inv.format, "encoding": inv.encoding, "columns": inv.columns}
    info["records"] = len(records)
    ctx = ScreenContext.build(kb, profile, as_of, decisions, index)
    document = build_document(
        findings=screen_table(records, ctx),
        records=records,
        kb=kb,
        profile=profile,
        as_of=as_of,
        input_info=info,
        dismissed=ctx.resolver.dismissed,
        review=ctx.resolver.review,
    )
    return ScreenedInventory(document, records)


def read_findings(path: Path, inventory: Path | None) -> tuple[dict[str, Any], pa.Table, Profile]:
    """A saved ``derisk.screen/1`` document, the inventory it names (or ``inventory``), and
    the profile it was screened for."""
    if not path.is_file():
        raise DeriskError(ErrorCode.INPUT_NOT_FOUND, "findings file not found", file=path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DeriskError(ErrorCode.INPUT_MALFORMED, f"not JSON: {exc}", file=path) from None
    if not isinstance(document, dict) or document.get("schema") != SCHEMA_ID:
        raise DeriskError(
            ErrorCode.INPUT_FORMAT,
            f"not a screening document (schema {SCHEMA_ID}): write one with "
            "'derisk screen ... --format json'",
            file=path,
        )
    source = inventory or Path(str(document.get("input", {}).get("file", "")))
    if not source.is_file():
        raise DeriskError(
            ErrorCode.INPUT_NOT_FOUND,
            f"the findings were screened from '{source}', which cannot be read here: pass the "
            "inventory with --inventory",
            file=path,
        )
    inv = read_inventory(source)
    attributes = dict(document.get("attributes", {}))
    known = {k: attributes.pop(k) for k in _KNOWN if k in attributes}
    profile = Profile(
        countries=document["countries"],
        sector=document["sector"],
        attributes=attributes,
        **known,
    )
    return document, inv.table, profile


def load_resources(path: Path | None, overrides: dict[str, Any]) -> Resources:
    """The resources file (optional) with command-line overrides (``crews``, ``budget``)."""
    if path is not None and not path.is_file():
        raise DeriskError(ErrorCode.INPUT_NOT_FOUND, "resources file not found", file=path)
    base = (
        read_model(path, Resources, ErrorCode.CONFIG_INVALID) if path is not None else Resources()
    )
    data = base.model_dump(by_alias=True)
    if overrides.get("crews") is not None:
        data["crews"]["default"] = overrides["crews"]
    if overrides.get("budget") is not None:
        data["budget"]["per_quarter"] = overrides["budget"]
    return Resources.model_validate(data)
