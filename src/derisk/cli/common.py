"""Shared CLI plumbing: error reporting, dates, the knowledge-base store."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import date
from functools import wraps
from pathlib import Path
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.knowledge import KnowledgeBase
from derisk.kb.snapshots import save_snapshot
from derisk.kb.store import Store

__all__ = ["EXIT_BAD_INPUT", "err_console", "handle_errors", "open_kb", "parse_date"]

EXIT_BAD_INPUT = 2
err_console = Console(stderr=True, highlight=False)

P = ParamSpec("P")
R = TypeVar("R")


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a DeriskError into one line on stderr and exit status 2."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except DeriskError as exc:
            sys.stderr.write(f"{exc}\n")  # one line, never wrapped: scripts grep it
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except KeyboardInterrupt:
            err_console.print("interrupted", markup=False)
            raise typer.Exit(130) from None

    return wrapper


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DeriskError(
            ErrorCode.ARGUMENT_INVALID, f"{option} must be a date YYYY-MM-DD, got {value!r}"
        ) from None


def open_kb(db: Path | None) -> tuple[Store, KnowledgeBase]:
    """Open the store (creating or refreshing it from the bundled data) and load the KB."""
    store = Store(db)
    try:
        store.sync_bundled()
        kb = store.load()
        save_snapshot(store, kb, "existing")  # a no-op unless an older derisk made the store
        return store, kb
    except BaseException:
        store.close()
        raise


def debug() -> bool:
    return bool(os.environ.get("DERISK_DEBUG"))


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()
