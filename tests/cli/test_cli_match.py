"""`derisk match` and `derisk compare`: candidates with evidence, pair scores as JSON lines."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from derisk.cli.app import app

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "matching" / "pairs_sample.csv"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_compare_two_names_explains_the_score() -> None:
    status, out, _ = run("compare", "Huawei Technologies Co., Ltd.", "HUAWEI TECH CO LTD")
    assert status == 0
    line = json.loads(out)
    assert line["match"] is True and line["decision"] == "match"
    # The same distinctive word once the legal form and 'Tech' are normalised.
    assert line["features"]["same_key"]["value"] == 1.0
    total = line["intercept"] + sum(f["contribution"] for f in line["features"].values())
    assert 1 / (1 + 2.718281828459045**-total) == pytest.approx(line["score"], abs=1e-3)


def test_compare_look_alikes_do_not_match() -> None:
    for a, b in (("ZTE Corporation", "ZTT"), ("Huawei", "Hua Hong Semiconductor")):
        status, out, _ = run("compare", a, b)
        assert status == 0 and json.loads(out)["match"] is False, (a, b)


def test_compare_pairs_file_reaches_the_accuracy_bar() -> None:
    # 300 labelled pairs from the development split (tests/fixtures/matching/SOURCE.txt).
    status, out, _ = run("compare", "--pairs", str(SAMPLE))
    assert status == 0
    got = [json.loads(line)["match"] for line in out.splitlines()]
    with SAMPLE.open(encoding="utf-8") as fh:
        labels = [row["label"] == "1" for row in csv.DictReader(fh)]
    assert len(got) == len(labels) == 300
    tp = sum(g and y for g, y in zip(got, labels, strict=True))
    fp = sum(g and not y for g, y in zip(got, labels, strict=True))
    fn = sum(y and not g for g, y in zip(got, labels, strict=True))
    f1 = 2 * tp / (2 * tp + fp + fn)
    # A regression guard: the model was fitted on the development split these pairs come
    # from (held-out figures are in benchmarks/README.md); logic-v2 scores 0.848 on it.
    assert f1 >= 0.88, f1


def test_compare_pairs_needs_the_columns(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("left,right\nA,B\n", encoding="utf-8")
    status, _, err = run("compare", "--pairs", str(bad))
    assert status == 2 and err.startswith("error DR106") and "name1,name2" in err


def test_match_json_lists_candidates_and_listed_owners(tmp_path: Path) -> None:
    status, out, _ = run(
        "match", "HiSilicon Technologies", "--format", "json", "--db", str(tmp_path / "kb.duckdb")
    )
    assert status == 0
    top = json.loads(out)["candidates"][0]
    assert top["entity_id"] == "hisilicon" and top["decision"] == "match"
    # HiSilicon is on the Entity List itself, and reaches the FCC Covered List through Huawei
    # (entities/huawei.yaml, lists/*.yaml).
    listed = {(x["list_id"], tuple(x["path"])) for x in top["listed"]}
    assert ("us-bis-entity-list", ("hisilicon",)) in listed
    assert ("us-fcc-covered-list", ("hisilicon", "huawei")) in listed


def test_match_input_file(tmp_path: Path) -> None:
    inv = tmp_path / "suppliers.csv"
    inv.write_text("id,supplier\nA,ZTE Corp.\nB,Acme Widgets GmbH\nC,ZTE Corp.\n", "utf-8")
    status, out, _ = run("match", "--input", str(inv), "--db", str(tmp_path / "kb.duckdb"))
    assert status == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["record_id"], r["entity_id"], r["decision"]) for r in rows] == [
        ("A", "zte", "match"),
        ("B", None, "no_match"),
        ("C", "zte", "match"),
    ]
