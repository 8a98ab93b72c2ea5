"""Read the first (or a named) worksheet of an XLSX workbook with openpyxl.

The header is the first non-empty row; row numbers are the sheet's own. Cached formula values
are read (``data_only``), never formulas. Numbers and dates become text with
:func:`~derisk.inventory.raw.cell_text`, so part number 12345 reads "12345", not "12345.0".
Cells right of the last header are ignored, as unnamed columns are.
"""

from __future__ import annotations

import io
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import openpyxl
import pyarrow as pa
from openpyxl.utils.exceptions import InvalidFileException

from derisk.errors import DeriskError, ErrorCode
from derisk.inventory.raw import RawTable, cell_text

__all__ = ["read_xlsx"]

# What openpyxl and the libraries under it raise on a damaged workbook. SyntaxError covers
# the XML parse errors of both ElementTree and lxml.
_DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    InvalidFileException,
    KeyError,
    ValueError,
    EOFError,
    SyntaxError,
)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@contextmanager
def _damaged_is_malformed(file: str) -> Iterator[None]:
    try:
        yield
    except _DAMAGED as exc:
        raise DeriskError(
            ErrorCode.INPUT_MALFORMED,
            f"not a readable XLSX workbook ({type(exc).__name__}: {str(exc)[:200]})",
            file=file,
        ) from None


def read_xlsx(data: bytes, *, file: str, sheet: str | None) -> RawTable:
    """The cells of one worksheet as a :class:`RawTable`."""
    if data.startswith(_OLE_MAGIC):
        raise DeriskError(
            ErrorCode.INPUT_MALFORMED,
            "not an XLSX workbook: an Excel 97-2003 (.xls) file or an encrypted workbook; "
            "save it from Excel as an unencrypted .xlsx or as CSV UTF-8",
            file=file,
        )
    with _damaged_is_malformed(file), warnings.catch_warnings():
        # openpyxl warns about features it drops (data validation, conditional formats, ...),
        # none of which changes a cell value.
        warnings.filterwarnings("ignore", category=UserWarning)
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet_name, rows = _worksheet_rows(book, sheet, file)
            return _collect(rows, sheet_name, file)
        finally:
            book.close()


def _worksheet_rows(book: Any, sheet: str | None, file: str) -> tuple[str, Iterable[Any]]:
    names: list[str] = list(book.sheetnames)
    if sheet is not None and sheet not in names:
        listed = ", ".join(f"'{n}'" for n in names)
        raise DeriskError(
            ErrorCode.ARGUMENT_INVALID,
            f"the workbook has no sheet named '{sheet}' (--sheet); its sheets: {listed}",
            file=file,
        )
    worksheet = book[sheet] if sheet is not None else (book.worksheets or [None])[0]
    if worksheet is None or not hasattr(worksheet, "iter_rows"):
        raise DeriskError(
            ErrorCode.INPUT_EMPTY, f"sheet '{sheet or names[0]}' has no cells", file=file
        )
    # Some writers record a wrong used range ("A1"); read-only mode would trust it.
    worksheet.reset_dimensions()
    return str(worksheet.title), worksheet.iter_rows(values_only=True)


def _is_blank(text: str | None) -> bool:
    return text is None or not text.strip()


def _collect(sheet_rows: Iterable[Any], sheet: str, file: str) -> RawTable:
    headers: list[str] | None = None
    header_row = 0
    columns: list[list[str | None]] = []
    numbers: list[int] = []
    for number, values in enumerate(sheet_rows, start=1):
        texts = [cell_text(v) for v in values]
        if all(_is_blank(t) for t in texts):
            continue
        if headers is None:
            while texts and _is_blank(texts[-1]):
                texts.pop()
            headers, header_row = [t or "" for t in texts], number
            columns = [[] for _ in headers]
            continue
        texts.extend([None] * (len(headers) - len(texts)))
        if all(_is_blank(t) for t in texts[: len(headers)]):
            continue  # values only under unnamed columns
        numbers.append(number)
        for column, text in zip(columns, texts, strict=False):
            column.append(text)
    if headers is None:
        raise DeriskError(ErrorCode.INPUT_EMPTY, f"sheet '{sheet}' is empty", file=file)
    return RawTable(
        headers=headers,
        columns=[pa.array(c, pa.string()) for c in columns],
        rows=pa.array(numbers, pa.int64()),
        header_row=header_row,
    )
