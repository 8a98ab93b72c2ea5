"""``derisk kb versions`` and ``derisk kb diff``: the versions a store has held, compared."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from derisk.cli.common import handle_errors, open_kb
from derisk.kb.diff import Changed, FieldChange, KbDiff, SetDiff, diff
from derisk.kb.snapshots import list_versions, load_snapshot

__all__ = ["SHOW_MAX", "diff_command", "render_diff", "versions_command"]

SHOW_MAX = 50  # items of each kind per section in the terminal rendering

_DB = typer.Option(
    None, "--db", help="Knowledge-base store (default: $DERISK_DB or user data dir)."
)


@handle_errors
def versions_command(db: Path | None = _DB) -> None:
    """List the knowledge-base versions this store has held, oldest first."""
    store, kb = open_kb(db)
    with store:
        known = list_versions(store)
    for v in known:
        current = "  (current)" if v.version == kb.version else ""
        when = v.created_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        typer.echo(f"{v.version}  {when}  {v.origin}{current}")


@handle_errors
def diff_command(
    old: str = typer.Argument(..., help="The earlier version (or an unambiguous prefix)."),
    new: str | None = typer.Argument(None, help="The later version (default: the current)."),
    as_json: bool = typer.Option(False, "--json", help="The diff as one JSON object."),
    db: Path | None = _DB,
) -> None:
    """What changed between two knowledge-base versions: entities, ownership, lists, regimes."""
    store, kb = open_kb(db)
    with store:
        before = load_snapshot(store, old)
        after = kb if new is None else load_snapshot(store, new)
    result = diff(before, after)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo("\n".join(render_diff(result)))


def _value(v: Any) -> str:
    if isinstance(v, dict) and isinstance(v.get("name"), str):
        return json.dumps(v["name"], ensure_ascii=False)
    return json.dumps(v, ensure_ascii=False, sort_keys=True)


def _change(c: FieldChange) -> str:
    if isinstance(c.old, list) and isinstance(c.new, list):
        old, new = [_value(x) for x in c.old], [_value(x) for x in c.new]
        parts = [f"+{x}" for x in new if x not in old] + [f"-{x}" for x in old if x not in new]
        return f"{c.field}: {' '.join(parts) or '(reordered or detail changed)'}"
    return f"{c.field}: {_value(c.old)} -> {_value(c.new)}"


def _changed(item: Changed, indent: str, label: str = "") -> list[str]:
    return [f"{indent}~ {label}{item.key}"] + [f"{indent}    {_change(c)}" for c in item.changes]


def _set_lines(d: SetDiff, indent: str, label: str = "") -> list[str]:
    """Up to SHOW_MAX items of each kind; --json has them all."""
    lines = [f"{indent}+ {label}{k}" for k in d.added[:SHOW_MAX]]
    lines += [f"{indent}- {label}{k}" for k in d.removed[:SHOW_MAX]]
    for item in d.changed[:SHOW_MAX]:
        lines += _changed(item, indent, label)
    more = sum(max(0, len(x) - SHOW_MAX) for x in (d.added, d.removed, d.changed))
    return lines + ([f"{indent}... and {more} more (see --json)"] if more else [])


def _nested(
    ident: str, status: str, changes: tuple[FieldChange, ...], inner: SetDiff, label: str
) -> list[str]:
    mark = {"added": "+", "removed": "-", "changed": "~"}[status]
    lines = [f"  {mark} {ident}", *(f"      {_change(c)}" for c in changes)]
    return lines + _set_lines(inner, "      ", label)


def _counts(d: SetDiff) -> str:
    return f"{len(d.added)} added, {len(d.removed)} removed, {len(d.changed)} changed"


def render_diff(d: KbDiff) -> list[str]:
    """The diff as terminal lines: '+' added, '-' removed, '~' changed, sections by kind."""
    lines = [f"knowledge base {d.old_version} -> {d.new_version}"]
    if d.empty:
        return [*lines, "no differences"]
    for title, part in (("entities", d.entities), ("ownership", d.ownership)):
        if part:
            lines += [f"{title}: {_counts(part)}", *_set_lines(part, "  ")]
    if d.lists:
        lines.append(f"lists: {len(d.lists)} with changes")
        for x in d.lists:
            lines += _nested(x.list_id, x.status, x.changes, x.entries, "entry ")
    if d.regimes:
        lines.append(f"regimes: {len(d.regimes)} with changes")
        for r in d.regimes:
            lines += _nested(r.regime_id, r.status, r.changes, r.provisions, "provision ")
    for title, part in (
        ("sources", d.sources),
        ("products", d.products),
        ("country groups", d.country_groups),
    ):
        if part:
            lines += [f"{title}: {_counts(part)}", *_set_lines(part, "  ")]
    return lines
