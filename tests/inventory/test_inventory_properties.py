"""Property tests: whatever text goes in comes back out, on the right rows."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from derisk.inventory import read_inventory

# Printable text: letters, digits, punctuation and symbols of any script, plus the characters
# that CSV and JSON must escape. No control or separator characters at the ends (the reader
# strips surrounding whitespace; which characters count as whitespace is not the point here).
_SPECIAL = st.sampled_from([",", ";", "|", '"', "'", "\\", "=", "<", ">", "{", "}"])
_PRINTABLE = st.characters(codec="utf-8", exclude_categories=("C", "Z"))
_INNER = st.one_of(_PRINTABLE, _SPECIAL, st.just(" "))
VENDOR = st.text(_INNER, min_size=1, max_size=30).filter(lambda s: s == s.strip() and s != "")
MULTILINE_VENDOR = st.lists(VENDOR, min_size=1, max_size=3).map("\n".join)

SETTINGS = settings(max_examples=60, deadline=None)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("properties")


def write_csv(path: Path, rows: list[list[str]], delimiter: str = ",") -> None:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


@SETTINGS
@given(vendors=st.lists(VENDOR, min_size=1, max_size=20))
def test_csv_round_trip(workdir: Path, vendors: list[str]) -> None:
    path = workdir / "round.csv"
    write_csv(path, [["Vendor", "Model"]] + [[v, f"m{i}"] for i, v in enumerate(vendors)])
    table = read_inventory(path).table
    assert table.column("vendor").to_pylist() == vendors
    assert table.column("model").to_pylist() == [f"m{i}" for i in range(len(vendors))]
    assert table.column("row").to_pylist() == list(range(2, len(vendors) + 2))


@SETTINGS
@given(vendors=st.lists(MULTILINE_VENDOR, min_size=1, max_size=10))
def test_csv_line_breaks_inside_values_keep_spreadsheet_rows(
    workdir: Path, vendors: list[str]
) -> None:
    path = workdir / "multiline.csv"
    write_csv(path, [["vendor"]] + [[v] for v in vendors])
    table = read_inventory(path).table
    # The csv module writes "\n" inside a quoted value as it is; the reader keeps it.
    assert table.column("vendor").to_pylist() == vendors
    assert table.column("row").to_pylist() == list(range(2, len(vendors) + 2))


@SETTINGS
@given(
    cells=st.lists(st.one_of(VENDOR, st.none()), min_size=1, max_size=20).filter(
        lambda cells: any(c is not None for c in cells)
    ),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
)
def test_blank_lines_are_counted_as_rows(
    workdir: Path, cells: list[str | None], delimiter: str
) -> None:
    """None stands for a blank line; every other row must keep its line's number."""
    path = workdir / "blank.csv"
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["vendor", "site"])
    for cell in cells:
        if cell is None:
            buffer.write("\n")
        else:
            writer.writerow([cell.replace("\n", " "), "s"])
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    table = read_inventory(path).table
    expected = [(i + 2, c) for i, c in enumerate(cells) if c is not None]
    assert table.column("row").to_pylist() == [row for row, _ in expected]
    assert table.column("vendor").to_pylist() == [c for _, c in expected]


@SETTINGS
@given(
    lines=st.lists(st.one_of(VENDOR, MULTILINE_VENDOR, st.none()), min_size=1, max_size=20).filter(
        lambda lines: any(v is not None for v in lines)
    ),
    ascii_only=st.booleans(),
)
def test_jsonl_round_trip(workdir: Path, lines: list[str | None], ascii_only: bool) -> None:
    """None stands for a blank line; rows are line numbers."""
    path = workdir / "round.jsonl"
    text = "\n".join(
        "" if v is None else json.dumps({"vendor": v}, ensure_ascii=ascii_only) for v in lines
    )
    path.write_text(text + "\n", encoding="utf-8")
    table = read_inventory(path).table
    expected = [(i + 1, v) for i, v in enumerate(lines) if v is not None]
    assert table.column("row").to_pylist() == [row for row, _ in expected]
    assert table.column("vendor").to_pylist() == [v for _, v in expected]


@SETTINGS
@given(
    numbers=st.lists(
        st.floats(min_value=0, max_value=1e15, allow_nan=False, allow_infinity=False),
        min_size=1,
        max_size=20,
    )
)
def test_numbers_round_trip(workdir: Path, numbers: list[float]) -> None:
    path = workdir / "numbers.csv"
    write_csv(path, [["vendor", "unit cost"]] + [["V", repr(n)] for n in numbers])
    assert read_inventory(path).table.column("unit_cost").to_pylist() == numbers


@SETTINGS
@given(days=st.lists(st.dates(min_value=date(1000, 1, 1)), min_size=1, max_size=20))
def test_dates_round_trip(workdir: Path, days: list[date]) -> None:
    path = workdir / "dates.csv"
    write_csv(path, [["vendor", "installed"]] + [["V", d.isoformat()] for d in days])
    assert read_inventory(path).table.column("installed").to_pylist() == days
