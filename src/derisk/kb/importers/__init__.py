"""Importers for public restricted-party list files.

Each importer is a pure function: a file in, an :class:`ImportBatch` out (entities, list
entries and ownership edges citing one source that names the file). Merging a batch into the
knowledge base, and linking imported entities to curated ones, happens elsewhere.

Formats: ``opensanctions`` (OpenSanctions source CSVs: China sanctions, DoD 1260H, US special
legislation, BIS MIEU), ``fcc-covered-list`` (the FCC Covered List table) and ``trade-csl``
(the trade.gov Consolidated Screening List CSV). See ``docs/importers.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.importers.base import ImportBatch, Skipped
from derisk.kb.importers.csl import import_trade_csl
from derisk.kb.importers.fcc import import_fcc_covered_list
from derisk.kb.importers.opensanctions import import_opensanctions

__all__ = ["FORMATS", "ImportBatch", "Skipped", "import_file"]

FORMATS: dict[str, Callable[[Path], ImportBatch]] = {
    "opensanctions": import_opensanctions,
    "fcc-covered-list": import_fcc_covered_list,
    "trade-csl": import_trade_csl,
}


def import_file(format: str, path: str | Path) -> ImportBatch:
    """Import ``path`` as ``format``; DR401 for an unknown format, listing the known ones."""
    importer = FORMATS.get(format)
    if importer is None:
        raise DeriskError(
            ErrorCode.IMPORT_FORMAT,
            f"unknown import format {format!r}; known formats: {', '.join(sorted(FORMATS))}",
            file=path,
        )
    return importer(Path(path))
