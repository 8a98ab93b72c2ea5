"""Analyst decisions change later screens: confirmed matches flag, dismissed ones do not."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from derisk.cli.app import app


def run(db: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [*args, "--db", str(db)])
    return result.exit_code, result.stdout, result.stderr


def screen(db: Path, tmp_path: Path) -> dict[str, object]:
    inv = tmp_path / "inv.csv"
    inv.write_text(
        "id,vendor,domain,technology\n1,Huawei,core,5g\n2,Shenzhen Partner Telecom Ltd,core,5g\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.json"
    status, _, err = run(
        db,
        "screen",
        str(inv),
        "-c",
        "DE",
        "-s",
        "telecom",
        "--as-of",
        "2027-01-01",
        "--no-listed",
        "-f",
        "json",
        "-o",
        str(out),
    )
    assert status == 0, err
    document: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return document


def test_confirm_and_dismiss(tmp_path: Path) -> None:
    db = tmp_path / "kb.duckdb"
    before = screen(db, tmp_path)
    findings = before["findings"]
    assert isinstance(findings, list)
    # Without decisions: Huawei (record 1) is overdue in core; record 2 matches nothing.
    assert [(f["record_id"], f["entity_id"]) for f in findings] == [("1", "huawei")]
    assert (
        run(
            db,
            "decide",
            "Shenzhen Partner Telecom Ltd",
            "--entity",
            "zte",
            "--confirm",
            "--reason",
            "reseller of ZTE core, per contract 4711",
            "--by",
            "alice",
        )[0]
        == 0
    )
    assert (
        run(
            db,
            "decide",
            "Huawei",
            "--entity",
            "huawei",
            "--dismiss",
            "--reason",
            "test entry, not a real supplier",
            "--by",
            "bob",
        )[0]
        == 0
    )
    after = screen(db, tmp_path)
    findings = after["findings"]
    assert isinstance(findings, list)
    assert [(f["record_id"], f["entity_id"], f["match_method"]) for f in findings] == [
        ("2", "zte", "decision")
    ]
    assert str(findings[0]["decision"]).startswith("confirmed by alice on ")
    assert "reseller of ZTE core" in str(findings[0]["decision"])
    dismissed = after["dismissed"]
    assert isinstance(dismissed, list)
    assert [(d["record_id"], d["entity_id"], d["decided_by"]) for d in dismissed] == [
        ("1", "huawei", "bob")
    ]
    assert after["clear"] == ["1"]
