"""``derisk classify`` and ``derisk screen --sector exporter`` from the command line.

Expected values: TPP/PD are hand calculations from the figures given (A100: FP16 312 dense x 16
= 4992; die 826 mm2 -> PD 6.0436); licence answers follow 88 FR 73458 (China in D:5; Germany in
no D group) and the H20 letters of April 2025.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from derisk.cli.app import app

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "orders" / "order_book.csv"


def run(*args: str, db: Path | None = None) -> tuple[int, str, str]:
    extra = ["--db", str(db)] if db is not None else []
    result = CliRunner().invoke(app, [*args, *extra])
    return result.exit_code, result.stdout, result.stderr


def as_json(out: str) -> Any:
    return json.loads(out)


def test_chip_from_catalogue_json_fields() -> None:
    code, out, _ = run(
        "classify", "--chip", "H100 SXM", "-d", "CN", "--as-of", "2024-01-01", "-f", "json"
    )
    assert code == 0
    r = as_json(out)
    for key in (
        "tpp",
        "pd",
        "eccn",
        "note2_applies",
        "license_required",
        "license_exceptions",
        "review_policy",
        "reasons",
        "sources",
    ):
        assert key in r
    assert r["eccn"] == "3A090.a" and r["license_required"] is True
    assert r["tpp"] == pytest.approx(15832)
    assert r["review_policy"] == "presumption_of_denial"
    assert any(s["rule"] == "d1-d4-d5-2023-11" and s["result"] is True for s in r["reasons"])
    assert all("id" in s and "url" in s for s in r["sources"])


def test_explicit_figures_without_destination() -> None:
    code, out, _ = run(
        "classify",
        "--tops",
        "fp16=312",
        "--tops",
        "int8=624",
        "--die-area",
        "826",
        "--as-of",
        "2024-01-01",
        "-f",
        "json",
    )
    assert code == 0
    r = as_json(out)
    assert r["tpp"] == 4992 and r["pd"] == pytest.approx(4992 / 826, abs=1e-4)
    assert r["eccn"] == "3A090.a"
    assert r["license_required"] is None  # no destination given


def test_consumer_part_under_4800_is_carved_out() -> None:
    # RTX 4090D-like: INT8 588.35 dense -> TPP 4706.8; not for datacenters -> Note 2.
    code, out, _ = run(
        "classify",
        "--tops",
        "int8=588.35",
        "--die-area",
        "608.5",
        "--no-datacenter",
        "-d",
        "CN",
        "--as-of",
        "2024-01-01",
        "-f",
        "json",
    )
    r = as_json(out)
    assert (code, r["eccn"], r["note2_applies"], r["license_required"]) == (
        0,
        "not_3A090",
        True,
        False,
    )


def test_table_output_shows_the_numbers_compared() -> None:
    code, out, _ = run("classify", "--chip", "RTX 4090", "-d", "CN", "--as-of", "2024-01-01")
    assert code == 0
    assert "3A090.a" in out and "REQUIRED" in out
    assert "5,284.80 >= 4800" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--tops", "fp17=5"], "precision must be one of"),
        (["--tops", "fp16=lots"], "PRECISION=VALUE"),
        (["--tops", "fp16=-3"], "positive"),
        (["--chip", "Voodoo 5 6000"], "not found"),
        (["--chip", "A100"], "A100 SXM4"),  # ambiguous: the closest names are listed
        (["--chip", "H20", "-d", "China"], "ISO alpha-2"),
        ([], "--chip NAME or --tops"),
        (["--chip", "H20", "--as-of", "1 June 2025"], "--as-of"),
    ],
)
def test_bad_arguments_exit_2_with_a_stable_code(args: list[str], words: str) -> None:
    code, out, err = run("classify", *args)
    assert code == 2
    assert "DR202" in err and words in err
    assert "Traceback" not in err and out == ""


def test_input_file_classifies_every_line(tmp_path: Path) -> None:
    path = tmp_path / "chips.csv"
    path.write_text(
        "Product,FP16,Die Area,Destination,Ship Date\n"
        "H20,,,CN,2024-06-01\n"
        "H20,,,CN,2025-06-01\n"
        "My accelerator,312,826,DE,2024-01-01\n",
        encoding="utf-8",
    )
    code, out, _ = run("classify", "--input", str(path), "-f", "json", db=tmp_path / "kb.db")
    assert code == 0
    rows = as_json(out)
    assert [r["row"] for r in rows] == [2, 3, 4]
    assert [r["license_required"] for r in rows] == [False, True, False]
    assert rows[2]["eccn"] == "3A090.a" and rows[2]["product"]["name"] == "My accelerator"


def test_input_file_unknown_product_names_row_and_column_and_prints_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "chips.csv"
    path.write_text("Product,Destination\nH20,CN\nVoodoo 5 6000,CN\n", encoding="utf-8")
    code, out, err = run("classify", "--input", str(path), db=tmp_path / "kb.db")
    assert code == 2
    assert "DR107" in err and "row 3" in err and "Product" in err
    assert out == ""  # nothing half-printed


def test_end_user_on_the_entity_list(tmp_path: Path) -> None:
    code, out, _ = run(
        "classify",
        "--chip",
        "RTX 4090D",
        "-d",
        "DE",
        "--end-user",
        "Huawei Technologies Co., Ltd.",
        "--as-of",
        "2024-01-01",
        "-f",
        "json",
        db=tmp_path / "kb.db",
    )
    assert code == 0
    r = as_json(out)
    assert r["eccn"] == "not_3A090"
    assert r["license_required"] is True  # listed party: all items subject to the EAR
    assert r["end_user"]["entity_list"] == "huawei"
    assert [g["kind"] for g in r["license_grounds"]] == ["end_user"]


def test_list_shows_the_catalogue_classified_by_date() -> None:
    code, out, _ = run("classify", "--list", "--as-of", "2023-06-01", "-f", "json")
    assert code == 0
    chips = {c["id"]: c for c in as_json(out)["chips"]}
    # Before 17 November 2023 the A800 (NVLink 400 GB/s) was outside 3A090; the A100 was in.
    assert chips["nvidia-a100-sxm4-80gb"]["eccn"] == "3A090.a"
    assert chips["nvidia-rtx-4090"]["eccn"] == "not_3A090"


def test_screen_exporter_order_book(tmp_path: Path) -> None:
    code, out, _ = run(
        "screen",
        str(FIXTURE),
        "--sector",
        "exporter",
        "-c",
        "US",
        "--as-of",
        "2026-11-29",
        "-f",
        "json",
        db=tmp_path / "kb.db",
    )
    assert code == 0
    doc = as_json(out)
    assert len(doc["exports"]) == 8
    required = {f["record_id"] for f in doc["findings"] if f["status"] == "license_required"}
    assert required == {"SO-1", "SO-2", "SO-5", "SO-7", "SO-8"}
    code, _, _ = run(
        "screen",
        str(FIXTURE),
        "--sector",
        "exporter",
        "-c",
        "US",
        "--fail-on",
        "license_required",
        "-q",
        db=tmp_path / "kb.db",
    )
    assert code == 1


def test_screen_exporter_bad_order_book_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("Customer,Destination,Product\nA Co,CN,\n", encoding="utf-8")
    code, out, err = run(
        "screen", str(path), "--sector", "exporter", "-c", "US", db=tmp_path / "kb.db"
    )
    assert code == 2
    assert "DR107" in err and "row 2" in err
    assert out == ""
