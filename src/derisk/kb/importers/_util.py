"""Shared helpers for the importers: CSV reading, dates, slugs, name keys, countries."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from anyascii import anyascii

from derisk.errors import DeriskError, ErrorCode

__all__ = [
    "CsvTable",
    "PartialDateError",
    "Row",
    "UnionFind",
    "address_countries",
    "country_code",
    "date_cell",
    "fr_notice_dates",
    "name_key",
    "norm_header",
    "parse_date",
    "read_csv",
    "short_hash",
    "slug",
    "split_names",
]

# ---------------------------------------------------------------------------------------------
# CSV


def norm_header(name: str) -> str:
    """``Start date``, ``start-date`` and ``start_date`` all become ``start date``."""
    text = unicodedata.normalize("NFKC", name).replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s_\-]+", " ", text).strip()


@dataclass(frozen=True)
class Row:
    """One data record; ``num`` is the row as a spreadsheet shows it (header = 1)."""

    num: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        """The cell of ``column`` (a normalised header), surrounding whitespace removed."""
        return self.cells.get(column, "").strip()


@dataclass(frozen=True)
class CsvTable:
    file: str  # the path as given, for messages
    name: str  # the file name, for titles
    sha256: str
    header: tuple[str, ...]  # normalised
    raw_header: tuple[str, ...]
    rows: tuple[Row, ...]

    def has(self, *columns: str) -> bool:
        return all(c in self.header for c in columns)

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)


def read_csv(path: str | Path) -> CsvTable:
    """Read a small CSV file (UTF-8, with or without BOM) into rows keyed by normalised header.

    Blank records are dropped; a record with more non-empty cells than the header has
    columns is DR402; a shorter one is padded.
    """
    p = Path(path)
    shown = str(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError as exc:
        raise DeriskError(ErrorCode.INPUT_NOT_FOUND, "file not found", file=shown) from exc
    except IsADirectoryError as exc:
        raise DeriskError(ErrorCode.INPUT_NOT_FOUND, "not a file", file=shown) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DeriskError(
            ErrorCode.INPUT_ENCODING,
            f"not UTF-8 text (byte offset {exc.start}); save the file as UTF-8",
            file=shown,
        ) from exc
    records: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for rec in reader:
            records.append(rec)
    except csv.Error as exc:
        raise DeriskError(
            ErrorCode.IMPORT_MALFORMED,
            f"not readable as CSV: {exc}",
            file=shown,
            row=len(records) + 1,
        ) from exc
    if not records or not any(c.strip() for c in records[0]):
        raise DeriskError(ErrorCode.IMPORT_FORMAT, "empty file: no header row", file=shown)
    raw_header = tuple(records[0])
    header = tuple(norm_header(h) for h in raw_header)
    seen: set[str] = set()
    for h in header:
        if h and h in seen:
            raise DeriskError(ErrorCode.IMPORT_FORMAT, f"duplicate column '{h}'", file=shown, row=1)
        seen.add(h)
    rows: list[Row] = []
    for index, rec in enumerate(records[1:], start=2):
        if not any(c.strip() for c in rec):
            continue
        if len(rec) > len(header) and any(c.strip() for c in rec[len(header) :]):
            raise DeriskError(
                ErrorCode.IMPORT_MALFORMED,
                f"row has {len(rec)} cells but the header has {len(header)} columns",
                file=shown,
                row=index,
            )
        cells = {h: (rec[i] if i < len(rec) else "") for i, h in enumerate(header) if h}
        rows.append(Row(index, cells))
    return CsvTable(
        file=shown,
        name=p.name,
        sha256=hashlib.sha256(data).hexdigest(),
        header=header,
        raw_header=raw_header,
        rows=tuple(rows),
    )


# ---------------------------------------------------------------------------------------------
# Names


def short_hash(text: str, n: int = 6) -> str:
    return hashlib.sha256(unicodedata.normalize("NFC", text).encode("utf-8")).hexdigest()[:n]


def slug(text: str, limit: int = 70) -> str:
    """ASCII slug: NFKD, transliterated (CJK too), lower case, runs of other characters -> '-'.

    Longer than ``limit``: cut to ``limit`` and suffixed with a short stable hash of ``text``
    (so the result is at most ``limit + 6`` characters). Nothing left: ``x-<hash>``.
    """
    ascii_text = anyascii(unicodedata.normalize("NFKD", text)).lower()
    s = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if not s:
        return f"x-{short_hash(text, 10)}"
    if len(s) > limit:
        s = s[:limit].rstrip("-") + "-" + short_hash(text, 5)
    return s


def name_key(text: str) -> str:
    """Identity key of a name: case, spacing and punctuation ignored (any script kept).

    ``TCOM,Limited Partnership`` and ``TCOM, Limited Partnership`` share a key; so do
    ``AVIC Xi’an`` and ``AVIC Xi'an``.
    """
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def split_names(text: str, sep: str = ";") -> list[str]:
    """Split an alias cell; drop empties and a leading 'and ' (``...; and CETC 13``)."""
    out: list[str] = []
    for part in text.split(sep):
        name = part.strip()
        name = re.sub(r"^and\s+", "", name, flags=re.IGNORECASE).strip()
        if name and name not in out:
            out.append(name)
    return out


class UnionFind:
    """Disjoint sets of strings (used to group rows naming the same company)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


# ---------------------------------------------------------------------------------------------
# Dates

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.]+Z?)?$")
_DMY_DOT = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$")
_MDY_TEXT = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$")
_DMY_TEXT = re.compile(r"^(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})$")
_PARTIAL = re.compile(r"^(?:\d{4}|\d{4}-\d{1,2}|[A-Za-z]+\.?,?\s+\d{4})$")


class PartialDateError(ValueError):
    """The value names a year or a month, not a day (``2026``, ``December 2023``)."""


def _ymd(y: int, m: int, d: int, value: str) -> date:
    try:
        return date(y, m, d)
    except ValueError as exc:
        raise ValueError(f"not a calendar date: {value!r}") from exc


def parse_date(value: str) -> date:
    """Read ``2025-10-09``, ``09.10.2025``, ``16.02.23`` (day.month.year), ``March 12, 2021``
    or ``1 October 2027``. A year or month alone raises :class:`PartialDateError`; anything
    else ``ValueError``.
    """
    v = value.strip()
    if m := _ISO.match(v):
        return _ymd(int(m[1]), int(m[2]), int(m[3]), v)
    if m := _DMY_DOT.match(v):
        year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
        return _ymd(year, int(m[2]), int(m[1]), v)
    if (m := _MDY_TEXT.match(v)) and m[1].lower() in _MONTHS:
        return _ymd(int(m[3]), _MONTHS[m[1].lower()], int(m[2]), v)
    if (m := _DMY_TEXT.match(v)) and m[2].lower() in _MONTHS:
        return _ymd(int(m[3]), _MONTHS[m[2].lower()], int(m[1]), v)
    if _PARTIAL.match(v):
        raise PartialDateError(f"only a year or month, not a day: {v!r}")
    raise ValueError(f"not a date: {v!r}")


def date_cell(table: CsvTable, row: Row, column: str, *, expected: str) -> date | None:
    """The date in ``column`` (None when empty); DR402 naming file, row and column when the
    cell is not a date. A year or month alone raises :class:`PartialDateError` for the caller
    to decide."""
    value = row.get(column)
    if not value:
        return None
    try:
        return parse_date(value)
    except PartialDateError:
        raise
    except ValueError as exc:
        raise DeriskError(
            ErrorCode.IMPORT_MALFORMED,
            f"cannot read date {value!r} (expected {expected})",
            file=table.file,
            row=row.num,
            column=_shown_column(table, column),
        ) from exc


def _shown_column(table: CsvTable, column: str) -> str:
    for raw, norm in zip(table.raw_header, table.header, strict=True):
        if norm == column:
            return raw.replace("\ufeff", "").strip()
    return column


_FR_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?![\d/])")


def fr_notice_dates(text: str) -> list[date]:
    """US-style dates (m/d/yy or m/d/yyyy) found in a Federal Register citation, e.g.
    ``67 F.R. 56530 9/4/02 67 F.R. 10890 3/11/02`` or ``Vol. 88, No. 151, 08/08/2023``.
    Two-digit years: 69..99 -> 19xx, 00..68 -> 20xx. Impossible dates are ignored."""
    out: list[date] = []
    for m in _FR_DATE.finditer(text):
        year = int(m[3])
        if len(m[3]) == 2:
            year += 1900 if year >= 69 else 2000
        try:
            out.append(date(year, int(m[1]), int(m[2])))
        except ValueError:
            continue
    return out


# ---------------------------------------------------------------------------------------------
# Countries

# Country names and demonyms seen in the public lists, "name=CODE" separated by ";".
_COUNTRY_TABLE = """
afghanistan=AF; armenia=AM; australia=AU; austria=AT; belarus=BY; belgium=BE; brazil=BR;
bulgaria=BG; burma=MM; cambodia=KH; canada=CA; china=CN; chinese=CN; prc=CN;
people's republic of china=CN; cuba=CU; cyprus=CY; czech republic=CZ; czechia=CZ;
denmark=DK; dprk=KP; north korea=KP; democratic people's republic of korea=KP; egypt=EG;
estonia=EE; finland=FI; france=FR; germany=DE; greece=GR; hong kong=HK; hungary=HU;
iceland=IS; india=IN; iran=IR; iranian=IR; iraq=IQ; ireland=IE; israel=IL; italy=IT;
japan=JP; kazakhstan=KZ; latvia=LV; lebanon=LB; lithuania=LT; luxembourg=LU; malaysia=MY;
mexico=MX; myanmar=MM; netherlands=NL; norway=NO; pakistan=PK; poland=PL; portugal=PT;
rok=KR; south korea=KR; republic of korea=KR; romania=RO; russia=RU; russian=RU;
russian federation=RU; singapore=SG; slovakia=SK; slovenia=SI; spain=ES; sweden=SE;
switzerland=CH; syria=SY; syrian=SY; taiwan=TW; thailand=TH; turkey=TR; türkiye=TR; uae=AE;
united arab emirates=AE; uk=GB; united kingdom=GB; ukraine=UA; united states=US;
united states of america=US; usa=US; venezuela=VE; vietnam=VN
"""
_COUNTRY_NAMES: dict[str, str] = {
    name.strip(): code.strip()
    for pair in _COUNTRY_TABLE.replace("\n", " ").split(";")
    for name, code in [pair.split("=")]
}


def country_code(text: str) -> str | None:
    """ISO 3166-1 alpha-2 code of a cell: a two-letter code (``UK`` -> ``GB``) or a country
    name or demonym seen in the public lists (``Japan``, ``Russian``, ``DPRK``). Unknown: None.
    """
    v = text.strip()
    if re.fullmatch(r"[A-Za-z]{2}", v):
        code = v.upper()
        return "GB" if code == "UK" else code
    return _COUNTRY_NAMES.get(re.sub(r"\s+", " ", v).casefold())


def address_countries(addresses: Sequence[str]) -> list[str]:
    """ISO2 codes that end addresses (``..., Nicosia, 1066, CY``), in order, without repeats."""
    out: list[str] = []
    for address in addresses:
        last = address.strip().rstrip(",").split(",")[-1].strip()
        if re.fullmatch(r"[A-Z]{2}", last) and last not in out:
            out.append(last)
    return out
