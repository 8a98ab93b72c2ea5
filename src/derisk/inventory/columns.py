"""Recognise inventory headers and controlled values.

The synonyms are data, in ``derisk/data/inventory_columns.yaml``; this module validates that file
and maps the headers of one inventory file onto the canonical columns.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Self

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, model_validator

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.model import Domain

__all__ = [
    "INPUT_COLUMNS",
    "INVENTORY",
    "TECHNOLOGIES",
    "HeaderMap",
    "Layout",
    "Vocabulary",
    "has_key_column",
    "has_vendor",
    "load_vocabulary",
    "map_headers",
    "normalise_label",
    "parse_vocabulary",
]

# Canonical columns an input file can supply (the table adds ``row``).
INPUT_COLUMNS = (
    *("record_id", "vendor", "model", "description", "site", "currency", "kind"),
    *("quantity", "country", "domain", "technology", "installed", "unit_cost"),
)
TECHNOLOGIES = ("2g", "3g", "4g", "5g", "6g")
# Kinds of item regimes scope by (e.g. China's data-centre rule covers accelerators and systems
# containing them). Other kinds written in a file are kept, lower-cased, and match no kind scope.
KINDS = (
    "accelerator",
    "system",
    "server",
    "cpu",
    "memory",
    "storage",
    "network",
    "radio",
    "transmission",
    "core-network",
    "management-system",
    "camera",
    "radio-terminal",
    "phone",
    "drone",
    "software",
    "service",
    "other",
)
ALLOWED_VALUES: dict[str, tuple[str, ...]] = {
    "domain": tuple(d.value for d in Domain),
    "technology": TECHNOLOGIES,
    "kind": KINDS,
}
_NOISE = re.compile(r"[\s_.\-]+")  # removed when comparing labels


@dataclass(frozen=True)
class Layout:
    """One kind of input file: its synonym data file, canonical columns and key column."""

    data_file: str  # under derisk/data
    columns: tuple[str, ...]
    # The column every file must have, and that encoding detection looks for; None: no column
    # is required and detection accepts any recognised header.
    key: str | None
    allowed: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False)


INVENTORY = Layout("inventory_columns.yaml", INPUT_COLUMNS, "vendor", ALLOWED_VALUES)


def normalise_label(text: str) -> str:
    """``' Part-No. '`` -> ``'partno'``: NFKC, case-folded, without spaces, ``_``, ``-``, ``.``."""
    folded = unicodedata.normalize("NFKC", text).replace("\ufeff", "").casefold()
    return _NOISE.sub("", folded)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _ColumnNames(_Strict):
    names: list[str]
    weak: list[str] = []


class _ColumnsFile(_Strict):
    columns: dict[str, _ColumnNames]
    values: dict[str, dict[str, list[str]]] = {}

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Self:
        layout: Layout = (info.context or {}).get("layout", INVENTORY)
        if set(self.columns) != set(layout.columns):
            raise ValueError(f"'columns' must list exactly: {', '.join(layout.columns)}")
        owner: dict[str, str] = {}
        for column, spec in self.columns.items():
            for label in (*spec.names, *spec.weak):
                key = normalise_label(label)
                if not key:
                    raise ValueError(f"columns.{column}: a header name is empty")
                if key in owner:
                    raise ValueError(f"header '{label}' is listed twice ({owner[key]}, {column})")
                owner[key] = column
        if set(self.values) != set(layout.allowed):
            raise ValueError(f"'values' must list exactly: {', '.join(layout.allowed)}")
        for column, table in self.values.items():
            if tuple(table) != layout.allowed[column]:
                raise ValueError(f"values.{column} must be, in order: {layout.allowed[column]}")
            meaning: dict[str, str] = {}
            for value, spellings in table.items():
                for spelling in (value, *spellings):
                    key = normalise_label(spelling)
                    if not spelling.isascii() or meaning.setdefault(key, value) != value:
                        raise ValueError(f"values.{column}: '{spelling}' is not ASCII or ambiguous")
        return self


@dataclass(frozen=True)
class Vocabulary:
    """The loaded synonym tables, keyed by normalised label."""

    names: dict[str, str]  # normalised header -> canonical column
    weak: dict[str, str]
    listed: dict[str, tuple[str, ...]]  # canonical column -> accepted headers, for messages
    values: dict[str, dict[str, str]]  # column -> normalised spelling -> canonical value


def parse_vocabulary(data: object, *, source: str, layout: Layout = INVENTORY) -> Vocabulary:
    """Validate the parsed YAML document; a broken data file is a DR301 error."""
    try:
        doc = _ColumnsFile.model_validate(data, context={"layout": layout})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise DeriskError(
            ErrorCode.KB_INVALID, f"schema error at '{where}': {first['msg']}", file=source
        ) from exc
    return Vocabulary(
        names={normalise_label(n): c for c, spec in doc.columns.items() for n in spec.names},
        weak={normalise_label(n): c for c, spec in doc.columns.items() for n in spec.weak},
        listed={c: (*spec.names, *spec.weak) for c, spec in doc.columns.items()},
        values={column: _spellings(table) for column, table in doc.values.items()},
    )


def _spellings(table: dict[str, list[str]]) -> dict[str, str]:
    return {normalise_label(s): value for value, more in table.items() for s in (value, *more)}


@cache
def load_vocabulary(layout: Layout = INVENTORY) -> Vocabulary:
    """The bundled synonym tables of ``layout`` (read once)."""
    resource = resources.files("derisk") / "data" / layout.data_file
    try:
        data = yaml.safe_load(resource.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DeriskError(
            ErrorCode.KB_INVALID, f"not valid YAML: {exc}", file=layout.data_file
        ) from exc
    return parse_vocabulary(data, source=layout.data_file, layout=layout)


@dataclass(frozen=True)
class HeaderMap:
    """Where each canonical column is in a file's header row."""

    positions: dict[str, int]  # canonical column -> index into the headers
    names: dict[str, str]  # canonical column -> header as written in the file
    ignored: list[str]  # headers not used, in file order


def has_key_column(headers: Sequence[str], layout: Layout = INVENTORY) -> bool:
    """Whether ``headers`` include the layout's key column (the vendor, for inventories)."""
    voc = load_vocabulary(layout)
    keys = {normalise_label(h) for h in headers}
    if layout.key is None:
        return any(k in voc.names or k in voc.weak for k in keys)
    return any(voc.names.get(k) == layout.key or voc.weak.get(k) == layout.key for k in keys)


def has_vendor(headers: Sequence[str]) -> bool:
    return has_key_column(headers, INVENTORY)


def map_headers(
    headers: Sequence[str], *, file: str, row: int | None = None, layout: Layout = INVENTORY
) -> HeaderMap:
    """Map headers to canonical columns; DR108 on two candidates, DR106 without the key."""
    voc = load_vocabulary(layout)
    strong: dict[str, list[int]] = {}
    weak: dict[str, list[int]] = {}
    for i, header in enumerate(headers):
        key = normalise_label(header)
        if key in voc.names:
            strong.setdefault(voc.names[key], []).append(i)
        elif key in voc.weak:
            weak.setdefault(voc.weak[key], []).append(i)
    positions: dict[str, int] = {}
    for column in layout.columns:
        found = strong.get(column) or weak.get(column) or []
        if len(found) > 1:
            raise _duplicate(column, [headers[i] for i in found[:2]], found[:2], file, row)
        if found:
            positions[column] = found[0]
    if layout.key is not None and layout.key not in positions:
        raise _no_key(headers, voc, layout.key, file, row)
    if not positions:
        raise _no_key(headers, voc, "recognised", file, row)
    used = set(positions.values())
    return HeaderMap(
        positions=positions,
        names={c: headers[i] for c, i in positions.items()},
        ignored=[h for i, h in enumerate(headers) if i not in used and h.strip()],
    )


def _duplicate(
    column: str, pair: list[str], where: list[int], file: str, row: int | None
) -> DeriskError:
    same = f" (columns {where[0] + 1} and {where[1] + 1})" if pair[0] == pair[1] else ""
    return DeriskError(
        ErrorCode.INPUT_DUPLICATE_COLUMN,
        f"headers '{pair[0]}' and '{pair[1]}'{same} both give the {column} column; "
        "rename or remove one of them",
        file=file,
        row=row,
        column=pair[1],
    )


def _no_key(
    headers: Sequence[str], voc: Vocabulary, key: str, file: str, row: int | None
) -> DeriskError:
    shown = ", ".join(f"'{h}'" for h in headers[:20]) + (", ..." if len(headers) > 20 else "")
    hint = (
        f"name the {key} column one of: {', '.join(voc.listed[key])}"
        if key in voc.listed
        else "see the documented column names"
    )
    return DeriskError(
        ErrorCode.INPUT_MISSING_COLUMN,
        f"no {key} column among the headers {shown or '(none)'}; {hint}",
        file=file,
        row=row,
    )
