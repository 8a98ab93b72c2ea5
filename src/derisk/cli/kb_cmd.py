"""``derisk kb``: inspect, version and extend the knowledge base."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console

from derisk.cli.common import handle_errors, open_kb
from derisk.cli.kb_history import diff_command, versions_command
from derisk.cli.kb_views import list_table, show_entity, show_list, show_regime
from derisk.errors import DeriskError, ErrorCode
from derisk.kb.importers import FORMATS, import_file
from derisk.kb.merge import merge_import

__all__ = ["kb_app"]

kb_app = typer.Typer(help="Inspect, version and extend the knowledge base.", no_args_is_help=True)
kb_app.command("versions")(versions_command)
kb_app.command("diff")(diff_command)
_DB = typer.Option(
    None, "--db", help="Knowledge-base store (default: $DERISK_DB or user data dir)."
)


class Kind(StrEnum):
    ALL = "all"
    REGIMES = "regimes"
    ENTITIES = "entities"
    LISTS = "lists"


@kb_app.command("version")
@handle_errors
def version(db: Path | None = _DB) -> None:
    """Print the knowledge base's content hash (changes whenever any fact changes)."""
    store, kb = open_kb(db)
    with store:
        counts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in kb.summary().items())
        typer.echo(kb.version)
        typer.echo(f"{counts}; {len(store.imports())} imports", err=True)


@kb_app.command("list")
@handle_errors
def list_(
    kind: Kind = typer.Argument(Kind.ALL, help="What to list."),
    as_json: bool = typer.Option(False, "--json", help="JSON lines instead of a table."),
    db: Path | None = _DB,
) -> None:
    """List regimes, entities and lists."""
    store, kb = open_kb(db)
    store.close()
    console = Console(highlight=False)
    for k in (Kind.REGIMES, Kind.LISTS, Kind.ENTITIES):
        if kind in (Kind.ALL, k):
            table, rows = list_table(kb, k.value)
            if as_json:
                for row in rows:
                    typer.echo(json.dumps(row, ensure_ascii=False))
            else:
                console.print(table)


@kb_app.command("show")
@handle_errors
def show(
    ident: str = typer.Argument(..., help="An entity, regime or list id (see 'derisk kb list')."),
    db: Path | None = _DB,
) -> None:
    """Show an entity's tag page, or a regime or list with its sources."""
    store, kb = open_kb(db)
    store.close()
    console = Console(highlight=False)
    if ident in kb.entities:
        show_entity(console, kb, ident)
    elif ident in kb.regimes:
        show_regime(console, kb, ident)
    elif ident in kb.lists:
        show_list(console, kb, ident)
    else:
        from rapidfuzz import process

        pool = [*kb.entities, *kb.regimes, *kb.lists]
        close = [m[0] for m in process.extract(ident, pool, limit=3, score_cutoff=60)]
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise DeriskError(ErrorCode.KB_NOT_FOUND, f"no entity, regime or list '{ident}'{hint}")


@kb_app.command("import")
@handle_errors
def import_(
    fmt: str = typer.Argument(..., help=f"Format: {', '.join(sorted(FORMATS))}."),
    file: Path = typer.Argument(..., help="The list file to import."),
    db: Path | None = _DB,
) -> None:
    """Import a newer copy of a public list into the knowledge base."""
    if not file.is_file():
        raise DeriskError(ErrorCode.INPUT_NOT_FOUND, "file not found", file=file)
    batch = import_file(fmt, file)
    store, _ = open_kb(db)
    with store:
        summary = merge_import(store, batch)
    out = Console(stderr=True, highlight=False)
    out.print(
        f"imported {file} as {fmt}: {summary.entities} entities "
        f"({len(summary.linked)} linked to known ones), {summary.skipped} rows skipped",
        markup=False,
    )
    for list_id, n in sorted(summary.entries.items()):
        out.print(f"  {list_id}: {n} entries added", markup=False)
    for old in summary.replaced:
        out.print(f"  replaced earlier import {old}", markup=False)
    for skipped in batch.skipped[:5]:
        out.print(f"  skipped row {skipped.row}: {skipped.reason}", markup=False)
    if len(batch.skipped) > 5:
        out.print(f"  ... and {len(batch.skipped) - 5} more skipped rows", markup=False)
    typer.echo(f"kb version {summary.version_before} -> {summary.version_after}")


@kb_app.command("imports")
@handle_errors
def imports(db: Path | None = _DB) -> None:
    """List the imports held in the store."""
    store, _ = open_kb(db)
    with store:
        for row in store.imports():
            typer.echo(
                f"{row['id']}  {row['format']}  {row['file']}  lists={row['lists']}  "
                f"entities={row['entities']} linked={row['linked']} entries={row['entries']}"
            )
