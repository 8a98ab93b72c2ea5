"""The FCC Covered List table (https://www.fcc.gov/supplychain/coveredlist).

Two columns: the covered equipment or services, in free text, and the date of inclusion.
Producers are named inside the text ("equipment produced by X, including ..."); rows that
name none (foreign-produced drones, routers, inverters, robots) are categories and skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.importers._util import CsvTable, Row, parse_date, read_csv
from derisk.kb.importers.base import BatchBuilder, ImportBatch, ListSpec, source_id
from derisk.kb.model import Source

__all__ = ["FCC_COVERED_LIST", "FORMAT", "Named", "extract_entities", "import_fcc_covered_list"]

FORMAT = "fcc-covered-list"
URL = "https://www.fcc.gov/supplychain/coveredlist"
FCC_COVERED_LIST = ListSpec(
    "us-fcc-covered-list",
    "Covered List",
    "US",
    "Federal Communications Commission",
    url=URL,
    covers_subsidiaries=True,
    description=(
        "Communications equipment and services deemed a national-security risk under the "
        "Secure and Trusted Communications Networks Act of 2019 (47 CFR 1.50002)."
    ),
)
_TEXT = "covered equipment or services"
_DATE = "date of inclusion on covered list"

# "... produced by X", "provided by X", "produced or provided by X",
# "supplied, directly or indirectly, by X"
_BY = re.compile(
    r"\b(?:produced|provided|supplied)(?:\s+or\s+(?:produced|provided|supplied))?"
    r"(?:\s*,?\s*directly\s+or\s+indirectly\s*,?)?\s+by\s+",
    re.IGNORECASE,
)
# Where a producer's name ends.
_END = re.compile(
    r"\s*,?\s+(?:including|to\s+the\s+extent|or\s+any\s+of\s+its|and\s+any\s+of\s+its"
    r"|and\s+its|subject\s+to|which|that|except|for\s+use)\b|\s*;|\s*$"
)
_SUBSIDIARY = re.compile(
    r"\s*,?\s+and\s+its\s+(?P<wholly>wholly[- ]owned\s+)?subsidiar(?:y|ies)\s*,?\s+",
    re.IGNORECASE,
)
_ABBREVIATION = re.compile(r"(?:\b[A-Z][a-z]{0,4}\.|(?:\b[A-Z]\.)+)$")
_MAX_NAME = 120


@dataclass(frozen=True)
class Named:
    """A producer named in a Covered List row; ``parent`` when the row says whose subsidiary."""

    name: str
    parent: str | None = None
    share: float | None = None


def _name_at(text: str, start: int) -> tuple[str, int] | None:
    m = _END.search(text, start)
    end = m.start() if m else len(text)
    name = text[start:end].strip().rstrip(",").strip()
    if name.endswith(".") and not _ABBREVIATION.search(name):
        name = name[:-1].rstrip()
    if not name or len(name) > _MAX_NAME or not (name[0].isupper() or name[0].isdigit()):
        return None
    return name, end


def extract_entities(text: str) -> list[Named]:
    """The producers a Covered List row names, in order, without repeats."""
    found: list[Named] = []
    for m in _BY.finditer(text):
        got = _name_at(text, m.end())
        if got is None:
            continue
        name, end = got
        if all(n.name != name for n in found):
            found.append(Named(name))
        sub = _SUBSIDIARY.match(text, end)
        if sub and (child := _name_at(text, sub.end())):
            share = 1.0 if sub["wholly"] else None
            if all(n.name != child[0] for n in found):
                found.append(Named(child[0], parent=name, share=share))
    return found


def _dates(table: CsvTable, row: Row) -> tuple[date, list[date]] | None:
    """Inclusion date and update dates ("December 22, 2025Updated:January 7, 2026...")."""
    value = row.get(_DATE)
    if not value:
        return None
    parts = [p for p in re.split(r"\s*Updated\s*:\s*", value, flags=re.IGNORECASE) if p.strip()]
    try:
        dates = [parse_date(p) for p in parts]
    except ValueError as exc:
        raise DeriskError(
            ErrorCode.IMPORT_MALFORMED,
            f"cannot read date {value!r} (expected e.g. 'March 12, 2021', optionally followed by"
            " 'Updated:<date>')",
            file=table.file,
            row=row.num,
            column=_shown(table, _DATE),
        ) from exc
    return dates[0], dates[1:]


def _shown(table: CsvTable, column: str) -> str:
    return table.raw_header[table.header.index(column)].replace("\ufeff", "").strip()


def import_fcc_covered_list(path: str | Path) -> ImportBatch:
    table = read_csv(path)
    if not table.has(_TEXT, _DATE):
        raise DeriskError(
            ErrorCode.IMPORT_FORMAT,
            "not the FCC Covered List table: expected the columns "
            f"covered_equipment_or_services and date_of_inclusion_on_covered_list "
            f"(found: {', '.join(table.raw_header)})",
            file=table.file,
            row=1,
        )
    source = Source(
        id=source_id(FORMAT, table.sha256),
        title=f"{table.name}: FCC Covered List, Federal Communications Commission",
        url=URL,
        publisher="Federal Communications Commission",
        primary=True,
    )
    b = BatchBuilder(FORMAT, table, source)
    for row in table:
        text = row.get(_TEXT)
        dates = _dates(table, row)
        if not text:
            b.skip(row.num, "no covered equipment or services text")
            continue
        named = extract_entities(text)
        if not named:
            b.skip(row.num, "category entry, no named entity")
            continue
        if dates is None:
            b.skip(row.num, "no date of inclusion")
            continue
        listed, updates = dates
        note = "Updated: " + ", ".join(d.isoformat() for d in updates) + "." if updates else None
        ids: dict[str, str] = {}
        for n in named:
            ids[n.name] = b.entity(n.name)
            b.entry(FCC_COVERED_LIST, ids[n.name], listed, scope=text, note=note)
        for n in named:
            if n.parent is not None:
                b.own(ids[n.parent], ids[n.name], n.share)
    return b.build()
