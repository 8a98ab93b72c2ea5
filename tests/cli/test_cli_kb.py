"""`derisk kb`: version, list, show and import, against a temporary store."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from derisk.cli.app import app

IMPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "importers"


def run(db: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [*args, "--db", str(db)])
    return result.exit_code, result.stdout, result.stderr


def test_version_is_a_stable_hash(tmp_path: Path) -> None:
    db = tmp_path / "kb.duckdb"
    status, first, _ = run(db, "kb", "version")
    assert status == 0 and len(first.strip()) == 16
    assert run(db, "kb", "version")[1] == first


def test_list_regimes_as_json(tmp_path: Path) -> None:
    status, out, _ = run(tmp_path / "kb.duckdb", "kb", "list", "regimes", "--json")
    assert status == 0
    rows = [json.loads(line) for line in out.splitlines()]
    ids = {r["id"] for r in rows}
    assert {"de-5g-bsig-9b-2024", "us-ndaa-fy2019-889", "cn-unreliable-entity-list"} <= ids
    proposal = next(r for r in rows if r["id"] == "eu-csa2-proposal-2026")
    assert proposal["status"] == "proposed"


def test_show_entity_tag_page(tmp_path: Path) -> None:
    status, out, _ = run(tmp_path / "kb.duckdb", "kb", "show", "hisilicon")
    assert status == 0
    # Names, the owner, list memberships and a dated timeline (entries from the data files).
    assert "HiSilicon" in out and "海思" in out
    assert "owned by" in out and "Huawei Technologies" in out
    assert "Entity List" in out and "2019-05-16" in out
    assert "timeline" in out


def test_show_regime(tmp_path: Path) -> None:
    status, out, _ = run(tmp_path / "kb.duckdb", "kb", "show", "de-5g-bsig-9b-2024")
    assert status == 0
    assert "2026-12-31" in out and "2029-12-31" in out and "telecomtv.com" in out


def test_show_unknown_id_suggests(tmp_path: Path) -> None:
    status, _, err = run(tmp_path / "kb.duckdb", "kb", "show", "huawey")
    assert status == 2 and err.startswith("error DR302") and "huawei" in err


def test_import_adds_entries_and_changes_the_version(tmp_path: Path) -> None:
    db = tmp_path / "kb.duckdb"
    before = run(db, "kb", "version")[1].strip()
    status, out, err = run(
        db, "kb", "import", "opensanctions", str(IMPORTS / "cn_sanctions_slice.csv")
    )
    assert status == 0, err
    after = run(db, "kb", "version")[1].strip()
    assert before != after and f"{before} -> {after}" in out
    # The slice's UEL rows: Lockheed Martin, TechInsights Inc. and TechInsights Europe are
    # bundled already; TCOM, Limited Partnership (UEL, 04.03.2025) is new.
    assert "cn-unreliable-entity-list: 1 entries added" in err
    inventory = tmp_path / "inv.csv"
    inventory.write_text('vendor\n"TCOM, Limited Partnership"\nLockheed Martin\n', "utf-8")
    out_json = tmp_path / "out.json"
    status, _, err = run(
        db,
        "screen",
        str(inventory),
        "-c",
        "CN",
        "--as-of",
        "2026-01-01",
        "-f",
        "json",
        "-o",
        str(out_json),
    )
    assert status == 0, err
    findings = json.loads(out_json.read_text(encoding="utf-8"))["findings"]
    uel = {
        (f["input_vendor"], f["status"], f["deadline"])
        for f in findings
        if f["rule_id"] == "cn-unreliable-entity-list.trade-ban"
    }
    assert uel == {
        ("TCOM, Limited Partnership", "prohibited", "2025-03-04"),
        ("Lockheed Martin", "prohibited", "2023-02-16"),
    }
    status, out, _ = run(db, "kb", "imports")
    assert status == 0 and "opensanctions" in out


def test_import_unknown_format(tmp_path: Path) -> None:
    status, _, err = run(
        tmp_path / "kb.duckdb", "kb", "import", "nope", str(IMPORTS / "section_889.csv")
    )
    assert status == 2 and err.startswith("error DR401") and "fcc-covered-list" in err
