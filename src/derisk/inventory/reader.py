"""Read an inventory file (CSV, TSV, XLSX, JSON lines) into the canonical table.

:func:`read_inventory` is the single entry point: it picks the format, decodes text, maps the
headers onto the canonical columns and checks every value. Every problem a user can cause is a
:class:`~derisk.errors.DeriskError` (DR1xx, or DR202 for a bad argument) naming the file and,
where it applies, the row and column.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from derisk.errors import DeriskError, ErrorCode
from derisk.inventory.columns import INVENTORY, Layout, has_key_column, map_headers
from derisk.inventory.csv_reader import header_fields, read_csv_text
from derisk.inventory.encoding import check_encoding, decode
from derisk.inventory.jsonl_reader import json_header_ok, read_json_text
from derisk.inventory.raw import RawTable
from derisk.inventory.validate import CANONICAL_COLUMNS, build_table
from derisk.inventory.xlsx_reader import read_xlsx

__all__ = ["CANONICAL_COLUMNS", "Inventory", "RawFile", "read_inventory", "read_raw"]

# --format value or file suffix -> reader. "tsv" is CSV with a tab; "json" is JSON lines or an
# array of objects.
_FORMATS = {"csv": "csv", "tsv": "tsv", "txt": "csv", "xlsx": "xlsx", "xlsm": "xlsx"}
_FORMATS |= {"jsonl": "jsonl", "ndjson": "jsonl", "json": "jsonl"}
_NOT_TEXT = (
    (b"PK\x03\x04", "a ZIP archive (an XLSX workbook? name it .xlsx or pass --format xlsx)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 (.xls) or encrypted Office file"),
    (b"%PDF-", "a PDF document"),
)


@dataclass(frozen=True)
class Inventory:
    """A checked inventory: the canonical table and how it was read."""

    table: pa.Table  # CANONICAL_COLUMNS, in order
    path: str  # the file as given
    format: str  # "csv" | "xlsx" | "jsonl"
    encoding: str | None  # the text encoding used ("utf-8", "gb18030", ...); None for xlsx
    columns: dict[str, str]  # canonical column -> header as written in the file
    ignored_columns: list[str]  # headers not recognised, or shadowed (kept out of the table)


@dataclass(frozen=True)
class RawFile:
    """A file's cells as read, before values are checked: shared by every input layout."""

    raw: RawTable
    path: str
    format: str  # "csv" | "xlsx" | "jsonl"
    encoding: str | None


def read_raw(
    path: str | Path,
    *,
    encoding: str | None = None,
    format: str | None = None,
    sheet: str | None = None,
    layout: Layout = INVENTORY,
) -> RawFile:
    """Pick the format, decode text and read the cells of ``path`` (no value is checked)."""
    shown = str(path)
    kind = _choose_format(Path(path), format, shown)
    if encoding is not None:
        if kind == "xlsx":
            raise _argument("--encoding applies to text files, not to XLSX workbooks", shown)
        check_encoding(encoding)
    if sheet is not None and kind != "xlsx":
        raise _argument("--sheet applies to XLSX workbooks only", shown)
    data = _read_bytes(Path(path), shown)
    used_encoding: str | None = None
    if kind == "xlsx":
        raw = read_xlsx(data, file=shown, sheet=sheet)
    else:
        raw, used_encoding = _read_text(data, kind, encoding, shown, layout)
    return RawFile(raw, shown, "csv" if kind == "tsv" else kind, used_encoding)


def read_inventory(
    path: str | Path,
    *,
    encoding: str | None = None,
    format: str | None = None,
    sheet: str | None = None,
) -> Inventory:
    """Read and check ``path``; ``format`` overrides the suffix, ``sheet`` picks an XLSX sheet."""
    got = read_raw(path, encoding=encoding, format=format, sheet=sheet)
    header = map_headers(got.raw.headers, file=got.path, row=got.raw.header_row)
    table = build_table(got.raw, header, file=got.path)
    return Inventory(
        table=table,
        path=got.path,
        format=got.format,
        encoding=got.encoding,
        columns={c: header.names[c] for c in CANONICAL_COLUMNS if c in header.names},
        ignored_columns=header.ignored,
    )


def _argument(message: str, file: str) -> DeriskError:
    return DeriskError(ErrorCode.ARGUMENT_INVALID, message, file=file)


def _choose_format(path: Path, given: str | None, shown: str) -> str:
    if given is not None:
        if given.lower() not in _FORMATS:
            raise _argument(f"unknown format '{given}' (--format); use {_known()}", shown)
        return _FORMATS[given.lower()]
    suffix = path.suffix.lower().lstrip(".")
    if suffix in _FORMATS:
        return _FORMATS[suffix]
    what = f"'.{suffix}' files" if suffix else "files without a suffix"
    extra = "; save an .xls workbook as .xlsx" if suffix == "xls" else ""
    raise DeriskError(
        ErrorCode.INPUT_FORMAT,
        f"cannot read {what}: name the file .csv, .tsv, .txt, .xlsx, .jsonl, .ndjson or .json, "
        f"or pass --format ({_known()}){extra}",
        file=shown,
    )


def _known() -> str:
    return ", ".join(dict.fromkeys(_FORMATS))


def _read_bytes(path: Path, shown: str) -> bytes:
    if path.is_dir():
        raise DeriskError(ErrorCode.INPUT_NOT_FOUND, "is a directory, not a file", file=shown)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise DeriskError(ErrorCode.INPUT_NOT_FOUND, "file not found", file=shown) from None
    except OSError as exc:
        raise DeriskError(
            ErrorCode.INPUT_NOT_FOUND, f"cannot read the file: {exc.strerror}", file=shown
        ) from None


def _read_text(
    data: bytes, kind: str, forced: str | None, shown: str, layout: Layout
) -> tuple[RawTable, str]:
    for magic, what in _NOT_TEXT:
        if data.startswith(magic):
            raise DeriskError(ErrorCode.INPUT_FORMAT, f"not a text file: {what}", file=shown)
    delimiter = "\t" if kind == "tsv" else None
    if kind == "jsonl":
        decoded = decode(
            data, file=shown, forced=forced, header_ok=lambda text: json_header_ok(text, layout)
        )
    else:
        decoded = decode(
            data,
            file=shown,
            forced=forced,
            header_ok=lambda text: has_key_column(header_fields(text, delimiter), layout),
        )
    if not decoded.text or decoded.text.isspace():
        raise DeriskError(ErrorCode.INPUT_EMPTY, "the file is empty", file=shown)
    if kind == "jsonl":
        return read_json_text(decoded.text, file=shown, layout=layout), decoded.encoding
    return read_csv_text(decoded.text, file=shown, delimiter=delimiter), decoded.encoding
