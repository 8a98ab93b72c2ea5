"""Exporter screening: an order book -> each line's classification and licence findings.

The customer of every line is matched like an inventory's vendor (same matcher, decisions and
review band), so the usual list findings appear too; the Entity List's licence requirement is
then decided per line, by date, together with the 3A090/4A090 rules (destination, headquarters,
'is informed' letters, the affiliates rule and the Entity List footnotes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from derisk.classify.api import classify_product, end_user_for, product_for_line
from derisk.classify.catalogue import Catalogue
from derisk.classify.catalogue_model import PRECISIONS, Chip, System
from derisk.classify.controls import Controls
from derisk.classify.metrics import ChipSpec
from derisk.evaluate.batch import FINDING_SCHEMA
from derisk.evaluate.rules import severity
from derisk.inventory.validate import SCHEMA as INVENTORY_SCHEMA
from derisk.screening.pipeline import ScreenContext, screen_table

__all__ = ["ADVANCED_COMPUTING", "ENTITY_LIST_REGIME", "ExportScreen", "screen_orders"]

ADVANCED_COMPUTING = "us-ear-advanced-computing"  # regime id of the 3A090/4A090 findings
ENTITY_LIST_REGIME = "us-ear-entity-list"
_FIGURES = ("die_area_mm2", "memory_bandwidth_gbps", "interconnect_gbps")
PROGRESS_STEP = 1_000


@dataclass
class ExportScreen:
    """The result: findings (FINDING_SCHEMA), the records they index, one entry per line."""

    findings: pa.Table
    records: pa.Table
    lines: list[dict[str, Any]] = field(default_factory=list)

    @property
    def unclassified(self) -> int:
        return sum(1 for line in self.lines if line["eccn"] == "unclassified")


def order_records(orders: pa.Table) -> pa.Table:
    """The order lines as inventory records: the customer is the party to match."""
    n = len(orders)
    cols = {f.name: pa.nulls(n, f.type) for f in INVENTORY_SCHEMA}
    cols["row"] = orders.column("row")
    cols["record_id"] = orders.column("record_id")
    cols["vendor"] = pc.fill_null(orders.column("customer"), "")
    # No record country: a shipment's destination is not where the exporter operates, so the
    # usual rules bind by the profile's countries (a rule binding in CN does not reach a US
    # exporter because its customer is in China).
    cols["quantity"] = orders.column("quantity")
    return pa.Table.from_arrays([cols[f.name] for f in INVENTORY_SCHEMA], schema=INVENTORY_SCHEMA)


def screen_orders(
    orders: pa.Table,
    ctx: ScreenContext,
    controls: Controls,
    catalogue: Catalogue,
    *,
    progress: Callable[[int], None] | None = None,
) -> ExportScreen:
    """Findings for every order line (``idx`` is the line's position in ``orders``);
    ``progress`` is told of every ``PROGRESS_STEP`` lines done."""
    records = order_records(orders)
    found = screen_table(records, ctx)
    keep = pc.not_equal(found.column("regime_id").cast(pa.string()), ENTITY_LIST_REGIME)
    listed = found.filter(pc.fill_null(keep, True))
    links = _vendor_links(ctx, records)
    rows: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    cache: dict[tuple[Any, ...], dict[str, Any]] = {}
    products: dict[tuple[Any, ...], Any] = {}
    for idx, line in enumerate(orders.to_pylist()):
        on = line["ship_date"] or ctx.as_of
        link = links.get(idx)
        pkey = (line["product"], _figures_key(line))
        if pkey not in products:
            products[pkey] = product_for_line(line, catalogue)[0]
        product = products[pkey]
        dest = line["destination"] or line["customer_country"]
        key = (
            line["product"],
            _figures_key(line),
            on,
            dest,
            line["headquarters"],
            link and link["entity_id"],
        )
        result = cache.get(key)
        if result is None:
            result = cache[key] = _classify(product, line, on, dest, link, ctx, controls, catalogue)
        lines.append(_line_entry(idx, line, result))
        rows.extend(_findings(idx, line, result, link, ctx))
        if progress is not None and (idx + 1) % PROGRESS_STEP == 0:
            progress(PROGRESS_STEP)
    if progress is not None and len(orders) % PROGRESS_STEP:
        progress(len(orders) % PROGRESS_STEP)
    # Order books are thousands of lines, not millions: merging as rows is simple and cheap
    # (Arrow cannot unify dictionaries of lists across tables).
    merged = sorted([*listed.to_pylist(), *rows], key=lambda f: (f["idx"], f["severity"]))
    return ExportScreen(_table(merged), records, lines)


def _figures_key(line: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(line[p] for p in (*PRECISIONS, *_FIGURES, "datacenter"))


def _vendor_links(ctx: ScreenContext, records: pa.Table) -> dict[int, dict[str, Any]]:
    links = ctx.resolver.resolve(records)
    vendor = links.filter(pc.equal(links.column("via"), "vendor"))
    out: dict[int, dict[str, Any]] = {}
    for link in vendor.to_pylist():
        out.setdefault(link["idx"], link)
    return out


def _classify(
    product: Chip | System | ChipSpec | None,
    line: dict[str, Any],
    on: date,
    dest: str | None,
    link: dict[str, Any] | None,
    ctx: ScreenContext,
    controls: Controls,
    catalogue: Catalogue,
) -> dict[str, Any]:
    user = end_user_for(link["entity_id"] if link else None, line["customer"] or "", ctx.kb, on)
    result = classify_product(
        product if product is not None else ChipSpec(line["product"] or "", {}),
        as_of=on,
        destination=dest,
        headquarters=line["headquarters"],
        end_user=user if line["customer"] else None,
        kb=ctx.kb,
        controls=controls,
        catalogue=catalogue,
    )
    if product is None:
        # Not a chip derisk can classify: only the end-user checks apply.
        result["eccn"] = "unclassified"
        result["license_grounds"] = [
            g for g in result["license_grounds"] if g["kind"] in ("end_user", "affiliates")
        ]
        result["license_required"] = bool(result["license_grounds"])
    return result


def _line_entry(idx: int, line: dict[str, Any], r: dict[str, Any]) -> dict[str, Any]:
    return {
        "record_id": line["record_id"],
        "row": line["row"],
        "product": r["product"],
        "customer": line["customer"],
        "destination": r["destination"],
        "headquarters": r["headquarters"],
        "as_of": r["as_of"],
        "tpp": r["tpp"],
        "pd": r["pd"],
        "eccn": r["eccn"],
        "note2_applies": r["note2_applies"],
        "license_required": r["license_required"],
        "license_exceptions": r["license_exceptions"],
        "review_policy": r["review_policy"],
        "end_user": r["end_user"],
        "reasons": r["reasons"],
    }


def _summary_text(r: dict[str, Any]) -> str:
    name = r["product"]["name"] or "the item"
    if r["eccn"] == "unclassified":
        return f"{name} (not in the chip catalogue; end-user checks only)"
    figures = f"TPP {r['tpp']:,.0f}" if r["tpp"] is not None else "TPP unknown"
    if r["pd"] is not None:
        figures += f", PD {r['pd']:.2f}"
    return f"{name}: {r['eccn']} ({figures})"


def _findings(
    idx: int,
    line: dict[str, Any],
    r: dict[str, Any],
    link: dict[str, Any] | None,
    ctx: ScreenContext,
) -> list[dict[str, Any]]:
    out = []
    user = r["end_user"] or {}
    entity = user.get("entity_id")
    tail = ""
    if r["review_policy"]:
        tail += f"; review policy: {r['review_policy'].replace('_', ' ')}"
    if r["license_exceptions"]:
        tail += f"; licence exceptions that could apply: {', '.join(r['license_exceptions'])}"
    for g in r["license_grounds"]:
        if g["kind"] in ("end_user", "affiliates"):
            regime = ENTITY_LIST_REGIME
            rule = f"{ENTITY_LIST_REGIME}.{g['rule']}"
            path = user.get("path") or ([entity] if entity else [])
        else:
            regime = ADVANCED_COMPUTING
            suffix = ".headquarters" if g["kind"] == "headquarters" else ""
            rule = f"{ADVANCED_COMPUTING}.{g['rule']}{suffix}"
            path = [entity] if entity else []
        out.append(
            {
                "idx": idx,
                "record_id": line["record_id"],
                "row": line["row"],
                "input_vendor": line["customer"] or "",
                "entity_id": entity,
                "entity_name": ctx.kb.entities[entity].name if entity else None,
                "match_score": link["match_score"] if link else None,
                "matched_name": link["matched_name"] if link else None,
                "match_method": link["match_method"] if link else None,
                "via": "vendor" if link else None,
                "decision": link["decision"] if link else None,
                "ownership_path": path,
                "rule_id": rule,
                "regime_id": regime,
                "jurisdiction": "US",
                "status": "license_required",
                "severity": severity("license_required"),
                "deadline": None,
                "since": date.fromisoformat(g["since"]),
                "explanation": f"{_summary_text(r)}; {g['text']}{tail}",
                "instrument": g["instrument"],
                "uncertain": g["uncertain"],
                "source_ids": list(dict.fromkeys(g["sources"])),
            }
        )
    return out


def _table(rows: list[dict[str, Any]]) -> pa.Table:
    arrays = []
    for f in FINDING_SCHEMA:
        values = [row[f.name] for row in rows]
        if pa.types.is_dictionary(f.type):
            arrays.append(_dictionary(values, f.type))
        else:
            arrays.append(pa.array(values, f.type))
    return pa.Table.from_arrays(arrays, schema=FINDING_SCHEMA)


def _dictionary(values: list[Any], type_: pa.DictionaryType) -> pa.DictionaryArray:
    """Dictionary-encode any values, lists included (Arrow's kernel takes scalars only)."""
    codes: dict[Any, int] = {}
    distinct: list[Any] = []
    indices: list[int | None] = []
    for value in values:
        if value is None:
            indices.append(None)
            continue
        key = tuple(value) if isinstance(value, list) else value
        if key not in codes:
            codes[key] = len(distinct)
            distinct.append(value)
        indices.append(codes[key])
    return pa.DictionaryArray.from_arrays(
        pa.array(indices, type_.index_type), pa.array(distinct, type_.value_type)
    )
