"""``derisk decide`` and ``derisk decisions``: analysts confirm or dismiss name matches."""

from __future__ import annotations

import getpass
import json
import os
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from rich.text import Text

from derisk.cli.common import err_console, handle_errors, open_kb
from derisk.errors import DeriskError, ErrorCode
from derisk.kb.decisions import Decision, DecisionSet, decision_history, record_decision
from derisk.kb.knowledge import KnowledgeBase

__all__ = ["decide", "decisions", "default_user"]

_DB = typer.Option(
    None, "--db", help="Knowledge-base store (default: $DERISK_DB or user data dir)."
)


def default_user() -> str | None:
    """``$DERISK_USER``, else the operating-system user, else None."""
    env = os.environ.get("DERISK_USER", "").strip()
    if env:
        return env
    try:
        return getpass.getuser() or None
    except (OSError, KeyError):  # no user name in the environment or the password database
        return None


def _unknown_entity(kb: KnowledgeBase, entity: str) -> DeriskError:
    from rapidfuzz import process

    close = [m[0] for m in process.extract(entity, list(kb.entities), limit=3, score_cutoff=60)]
    hint = f"; did you mean {', '.join(close)}?" if close else "; see 'derisk kb list entities'"
    return DeriskError(ErrorCode.KB_NOT_FOUND, f"no entity '{entity}'{hint}")


def _line(d: Decision, kb: KnowledgeBase) -> str:
    known = kb.entities.get(d.entity_id)
    name = f" ({known.name})" if known else " (not in the current knowledge base)"
    verb = "is" if d.action == "confirm" else "is not"
    when = d.decided_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    return (
        f"{d.action}: {d.input_name!r} {verb} {d.entity_id}{name}; reason: {d.reason}; "
        f"by {d.decided_by} at {when} (kb {d.kb_version})"
    )


@handle_errors
def decide(
    name: str = typer.Argument(..., help="The vendor name as it appears in inventories."),
    entity: str = typer.Option(..., "--entity", "-e", help="The knowledge-base entity id."),
    confirm: bool = typer.Option(False, "--confirm", help="The name denotes this entity."),
    dismiss: bool = typer.Option(False, "--dismiss", help="The name does not denote it."),
    reason: str = typer.Option(..., "--reason", help="Why; kept with the decision."),
    by: str | None = typer.Option(
        None, "--by", help="Who decides (default: $DERISK_USER, else the OS user)."
    ),
    db: Path | None = _DB,
) -> None:
    """Confirm or dismiss that a name denotes an entity; the decision survives KB updates."""
    if confirm == dismiss:
        raise DeriskError(ErrorCode.ARGUMENT_INVALID, "give exactly one of --confirm, --dismiss")
    who = by if by is not None else default_user()
    if who is None:
        raise DeriskError(ErrorCode.ARGUMENT_INVALID, "no user name found; give --by")
    store, kb = open_kb(db)
    with store:
        if entity not in kb.entities:
            raise _unknown_entity(kb, entity)
        try:
            decision = record_decision(
                store,
                input_name=name,
                entity_id=entity,
                action="confirm" if confirm else "dismiss",
                reason=reason,
                decided_by=who,
                kb_version=kb.version,
            )
        except ValidationError as exc:
            field = str(exc.errors()[0]["loc"][0])
            problem = {
                "input_name": "NAME must not be blank",
                "key": "NAME has no letters or digits to match on",
                "decided_by": "--by must not be blank",
            }.get(field, f"--{field} must not be blank")
            raise DeriskError(ErrorCode.ARGUMENT_INVALID, problem) from None
    typer.echo(_line(decision, kb))


@handle_errors
def decisions(
    as_json: bool = typer.Option(False, "--json", help="JSON lines instead of a table."),
    history: bool = typer.Option(False, "--history", help="Every decision, superseded too."),
    db: Path | None = _DB,
) -> None:
    """List the analysts' decisions in force (the latest per name and entity)."""
    store, kb = open_kb(db)
    with store:
        everything = decision_history(store)
    active = DecisionSet(everything)
    in_force = {id(d) for d in active}
    shown = everything if history else [d for d in everything if id(d) in in_force]
    if as_json:
        for d in shown:
            row = {
                **d.model_dump(mode="json"),
                "active": id(d) in in_force,
                "orphan": d.entity_id not in kb.entities,
            }
            typer.echo(json.dumps(row, ensure_ascii=False))
    else:
        table = Table(title=f"decisions ({len(shown)})", title_justify="left")
        for col in ("decided at (UTC)", "action", "name", "entity", "by", "reason"):
            table.add_column(col)
        for d in shown:
            flag = "" if id(d) in in_force else " (superseded)"
            ent = d.entity_id + ("" if d.entity_id in kb.entities else " (orphan)")
            when = d.decided_at.strftime("%Y-%m-%d %H:%M")
            cells = (when, d.action + flag, d.input_name, ent, d.decided_by, d.reason)
            table.add_row(*(Text(c) for c in cells))
        Console(highlight=False).print(table)
    for d in active.orphans(kb):
        err_console.print(
            f"warning: the decision on {d.input_name!r} names entity '{d.entity_id}', "
            "which is not in the current knowledge base",
            markup=False,
        )
