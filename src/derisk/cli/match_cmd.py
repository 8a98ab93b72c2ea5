"""``derisk match`` and ``derisk compare``: name resolution with its evidence."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from derisk.cli.common import err_console, handle_errors, open_kb
from derisk.errors import DeriskError, ErrorCode
from derisk.inventory import read_inventory
from derisk.kb.knowledge import KnowledgeBase
from derisk.resolve.compare import compare_names
from derisk.resolve.index import NameIndex
from derisk.resolve.keystore import cached_index
from derisk.resolve.matcher import rank_candidates
from derisk.resolve.score import MatchModel
from derisk.resolve.views import candidate_view, explain_score, match_model

__all__ = ["compare", "match"]


def _print_table(console: Console, query: str, found: list[dict[str, Any]]) -> None:
    table = Table(title=f"{escape(query)}", title_justify="left")
    for col in ("entity", "matched name", "score", "decision", "method", "main features"):
        table.add_column(col)
    for f in found:
        top = sorted(f["features"].items(), key=lambda kv: -abs(kv[1]["contribution"]))[:4]
        feats = ", ".join(f"{k} {v['contribution']:+.1f}" for k, v in top)
        table.add_row(
            escape(f"{f['entity_name']} ({f['entity_id']})"),
            escape(f["matched_name"]),
            f"{f['score']:.3f}",
            f["decision"],
            f["method"],
            feats,
        )
    if not found:
        table.add_row("(no candidate)", "", "", "", "", "")
    console.print(table)
    for f in found[:1]:
        for listed in f["listed"]:
            via = " > ".join(listed["path"])
            console.print(
                f"  on {escape(listed['list'])} since {listed['since']} via {escape(via)}"
            )


@handle_errors
def match(
    names: list[str] = typer.Argument(None, help="Names to resolve."),
    input_file: Path | None = typer.Option(
        None, "--input", "-i", help="Resolve the vendor/name column of a CSV, XLSX or JSONL file."
    ),
    country: str | None = typer.Option(None, "--country", "-c", help="The names' country."),
    threshold: float | None = typer.Option(None, "--threshold", help="Match threshold (0..1)."),
    top: int = typer.Option(3, "--top", help="Candidates to show per name."),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json (JSON lines)."),
    db: Path | None = typer.Option(None, "--db", help="Knowledge-base store."),
) -> None:
    """Show the best knowledge-base candidates for names, with score and feature breakdown."""
    if fmt not in ("table", "json"):
        raise DeriskError(ErrorCode.ARGUMENT_INVALID, "--format must be table or json")
    if not names and input_file is None:
        raise DeriskError(ErrorCode.ARGUMENT_INVALID, "give names or --input FILE")
    model = match_model(threshold)
    store, kb = open_kb(db)
    with store:
        index = cached_index(store, kb)
    console = Console(highlight=False)
    if input_file is not None:
        _match_file(input_file, index, kb, model, country)
        return
    for name in names:
        found = [
            candidate_view(c, kb, model)
            for c in rank_candidates(name, index, country=country, model=model)[:top]
        ]
        if fmt == "json":
            typer.echo(json.dumps({"query": name, "candidates": found}, ensure_ascii=False))
        else:
            _print_table(console, name, found)


def _match_file(
    path: Path, index: NameIndex, kb: KnowledgeBase, model: MatchModel, country: str | None
) -> None:
    from rich.progress import Progress

    inv = read_inventory(path)
    vendors = inv.table.column("vendor").to_pylist()
    rows = inv.table.column("row").to_pylist()
    ids = inv.table.column("record_id").to_pylist()
    cache: dict[str, dict[str, Any]] = {}
    with Progress(console=err_console, transient=True, disable=not err_console.is_terminal) as bar:
        task = bar.add_task("matching", total=len(vendors))
        for row, rid, name in zip(rows, ids, vendors, strict=True):
            if name not in cache:
                ranked = rank_candidates(name, index, country=country, model=model)
                best = ranked[0] if ranked else None
                cache[name] = {
                    "entity_id": best.entity_id if best else None,
                    "entity_name": kb.entities[best.entity_id].name if best else None,
                    "matched_name": best.ref.name if best else None,
                    "score": best.result.score if best else 0.0,
                    "decision": best.result.decision if best else "no_match",
                    "method": best.method if best else None,
                }
            out = {"row": row, "record_id": rid, "name": name, **cache[name]}
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
            bar.advance(task)


@handle_errors
def compare(
    names: list[str] = typer.Argument(None, help="Two names to compare."),
    pairs: Path | None = typer.Option(
        None, "--pairs", help="CSV with columns name1,name2 (optional schema)."
    ),
    threshold: float | None = typer.Option(None, "--threshold", help="Match threshold (0..1)."),
) -> None:
    """Score pairs of names; one JSON line per pair with score, match and features."""
    model = match_model(threshold)
    if pairs is None:
        if not names or len(names) != 2:
            raise DeriskError(ErrorCode.ARGUMENT_INVALID, "give two names, or --pairs FILE")
        _emit(names[0], names[1], None, model)
        return
    if not pairs.is_file():
        raise DeriskError(ErrorCode.INPUT_NOT_FOUND, "pairs file not found", file=pairs)
    with pairs.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = [f.strip().lower() for f in reader.fieldnames or []]
        if "name1" not in fields or "name2" not in fields:
            raise DeriskError(
                ErrorCode.INPUT_MISSING_COLUMN,
                f"the pairs file needs columns name1,name2; found {', '.join(fields) or 'none'}",
                file=pairs,
            )
        for line, row in enumerate(reader, start=2):
            clean = {k.strip().lower(): (v or "") for k, v in row.items() if k}
            if not clean["name1"].strip() or not clean["name2"].strip():
                raise DeriskError(ErrorCode.INPUT_BAD_VALUE, "empty name", file=pairs, row=line)
            _emit(clean["name1"], clean["name2"], clean.get("schema") or None, model)


def _emit(name1: str, name2: str, schema: str | None, model: MatchModel) -> None:
    result = compare_names(name1, name2, schema=schema, model=model)
    out = {
        "name1": name1,
        "name2": name2,
        "score": result.score,
        "match": result.match,
        "decision": result.decision,
        **explain_score(result, model),
    }
    sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
