"""Match many names at once: distinct names only, on every core.

Worker processes are forked after the index is built, so they share it copy-on-write instead
of rebuilding it; each resolves a slice of the distinct names.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence

from derisk.resolve.index import NameIndex
from derisk.resolve.matcher import NameMatch, match_name

__all__ = ["match_many"]

_INDEX: NameIndex | None = None  # set in the parent just before forking workers
CHUNK = 5_000


def _work(names: list[str]) -> list[NameMatch | None]:
    assert _INDEX is not None
    return [match_name(n, _INDEX) for n in names]


def match_many(
    names: Sequence[str],
    index: NameIndex,
    *,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[NameMatch | None]:
    """The best match (or None) for every name, in order. Duplicates are resolved once."""
    distinct = list(dict.fromkeys(names))
    workers = workers or os.cpu_count() or 1
    results: dict[str, NameMatch | None] = {}
    chunks = [distinct[i : i + CHUNK] for i in range(0, len(distinct), CHUNK)]
    if (
        workers <= 1
        or len(distinct) < 2 * CHUNK
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        for chunk in chunks:
            results.update(zip(chunk, (match_name(n, index) for n in chunk), strict=True))
            if progress:
                progress(len(chunk))
    else:
        global _INDEX
        _INDEX = index
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for chunk, found in zip(chunks, pool.imap(_work, chunks), strict=True):
                    results.update(zip(chunk, found, strict=True))
                    if progress:
                        progress(len(chunk))
        finally:
            _INDEX = None
    return [results[n] for n in names]
