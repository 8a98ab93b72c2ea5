"""Read JSON lines (one object per line) or a JSON array of objects.

Keys are headers (the same synonyms apply); the row of a record is the line it starts on.
Values of recognised columns must be strings, numbers or null; other keys may hold anything.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from derisk.errors import DeriskError, ErrorCode
from derisk.inventory.columns import (
    INVENTORY,
    Layout,
    has_key_column,
    load_vocabulary,
    normalise_label,
)
from derisk.inventory.raw import RawTable, cell_text

__all__ = ["json_header_ok", "read_json_text"]

_JSON_WHITESPACE = " \t\n\r"
_JSON_TYPES = {list: "an array", str: "a string", int: "a number", float: "a number"}
_JSON_TYPES |= {bool: "true or false", type(None): "null"}


class _DuplicateKeyError(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKeyError(key)
            seen.add(key)
    return obj


_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicates)


def _malformed(message: str, file: str, row: int | None) -> DeriskError:
    return DeriskError(ErrorCode.INPUT_MALFORMED, message, file=file, row=row)


def _check_object(value: object, file: str, row: int) -> dict[str, Any]:
    if not isinstance(value, dict):
        found = _JSON_TYPES.get(type(value), "a value")
        raise _malformed(f"expected a JSON object {{...}}, found {found}", file, row)
    return value


def _lines(text: str, file: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for row, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = _DECODER.decode(line)
        except json.JSONDecodeError as exc:
            message = f"not valid JSON: {exc.msg} (character {exc.colno})"
            raise _malformed(message, file, row) from None
        except _DuplicateKeyError as exc:
            raise _malformed(f"the key '{exc}' appears twice in one object", file, row) from None
        yield row, _check_object(value, file, row)


def _skip_whitespace(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _JSON_WHITESPACE:
        pos += 1
    return pos


def _array(text: str, file: str) -> Iterator[tuple[int, dict[str, Any]]]:
    pos = _skip_whitespace(text, 0) + 1  # after the opening '['
    row, counted = 1, 0
    while True:
        pos = _skip_whitespace(text, pos)
        row, counted = row + text.count("\n", counted, pos), pos
        if text.startswith("]", pos):
            break
        try:
            value, pos = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise _malformed(f"not valid JSON: {exc.msg}", file, exc.lineno) from None
        except _DuplicateKeyError as exc:
            raise _malformed(f"the key '{exc}' appears twice in one object", file, row) from None
        yield row, _check_object(value, file, row)
        pos = _skip_whitespace(text, pos)
        if text.startswith(",", pos):
            pos += 1
        elif not text.startswith("]", pos):
            line = row + text.count("\n", counted, pos)
            raise _malformed("expected ',' or ']' after an object in the JSON array", file, line)
    if text[pos + 1 :].strip():
        raise _malformed("text after the end of the JSON array", file, None)


def _cell(value: object, strict: bool, file: str, row: int, key: str) -> str | None:
    """A number as text; an array, object or boolean is DR107 when ``strict``, else JSON."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return cell_text(value)
    if strict:
        raise DeriskError(
            ErrorCode.INPUT_BAD_VALUE,
            f"expected text or a number, found {json.dumps(value)[:60]}",
            file=file,
            row=row,
            column=key,
        )
    return json.dumps(value)


def read_json_text(text: str, *, file: str, layout: Layout = INVENTORY) -> RawTable:
    """Records of JSON lines or a JSON array as a :class:`RawTable`; DR105 names the line."""
    array = text.startswith("[", _skip_whitespace(text, 0))
    records = list(_array(text, file) if array else _lines(text, file))
    if not records:
        raise DeriskError(ErrorCode.INPUT_EMPTY, "the file holds no JSON objects", file=file)
    first_seen: dict[str, object] = {}
    for _, obj in records:
        first_seen.update(obj)  # keys keep the order in which they first appear
    headers = list(first_seen)
    voc = load_vocabulary(layout)
    known = voc.names.keys() | voc.weak.keys()
    strict = {h: normalise_label(h) in known for h in headers}
    position = {h: i for i, h in enumerate(headers)}
    cells: list[list[str | None]] = [[None] * len(records) for _ in headers]
    for n, (row, obj) in enumerate(records):  # row by row: the first bad value is reported
        for key, value in obj.items():
            if value is not None and type(value) is not str:
                value = _cell(value, strict[key], file, row, key)
            cells[position[key]][n] = value
    return RawTable(
        headers=headers,
        columns=[pa.array(column, pa.string()) for column in cells],
        rows=pa.array([row for row, _ in records], pa.int64()),
    )


def json_header_ok(text: str, layout: Layout = INVENTORY) -> bool:
    """Whether the first object in ``text`` (JSON lines or array) has the layout's key."""
    pos = _skip_whitespace(text, 0)
    if text.startswith("[", pos):
        pos = _skip_whitespace(text, pos + 1)
    try:
        first, _ = json.JSONDecoder().raw_decode(text, pos)
    except ValueError:
        return False
    return isinstance(first, dict) and has_key_column(list(first), layout)
