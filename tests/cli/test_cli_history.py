"""`derisk kb versions`, `derisk kb diff` and `derisk screen --since`, on temporary stores."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import yaml
from typer.testing import CliRunner

from derisk.cli.app import app
from derisk.kb.loader import bundled_data_dir, load_bundled, load_directory
from derisk.kb.store import Store

IMPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "importers"
UEL_BAN = "cn-unreliable-entity-list.trade-ban"


def run(db: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [*args, "--db", str(db)])
    return result.exit_code, result.stdout, result.stderr


def _import_slice(db: Path) -> tuple[str, str]:
    """Import the China sanctions slice; the versions before and after."""
    before = run(db, "kb", "version")[1].strip()
    status, _, err = run(
        db, "kb", "import", "opensanctions", str(IMPORTS / "cn_sanctions_slice.csv")
    )
    assert status == 0, err
    return before, run(db, "kb", "version")[1].strip()


def test_versions_lists_each_version_with_origin(tmp_path: Path) -> None:
    db = tmp_path / "kb.duckdb"
    before, after = _import_slice(db)
    status, out, _ = run(db, "kb", "versions")
    assert status == 0
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == [before, after]
    assert re.fullmatch(rf"{before}  \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d UTC  bundled", lines[0])
    assert lines[1].split()[4].startswith("import:import-opensanctions-")
    assert lines[1].endswith("(current)")


def test_diff_after_import(tmp_path: Path) -> None:
    db = tmp_path / "kb.duckdb"
    before, after = _import_slice(db)
    status, out, err = run(db, "kb", "diff", before[:8])
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0] == f"knowledge base {before} -> {after}"
    assert "  + imp-tcom-limited-partnership" in lines
    uel = lines.index("  ~ cn-unreliable-entity-list")
    assert lines[uel + 1] == "      + entry imp-tcom-limited-partnership"
    status, out, _ = run(db, "kb", "diff", before, after, "--json")
    doc = json.loads(out)
    assert (doc["old_version"], doc["new_version"]) == (before, after)
    uel_diff = next(x for x in doc["lists"] if x["id"] == "cn-unreliable-entity-list")
    assert uel_diff["entries"] == {
        "added": ["imp-tcom-limited-partnership"],
        "removed": [],
        "changed": [],
    }
    status, out, _ = run(db, "kb", "diff", after, before, "--json")  # backwards
    assert json.loads(out)["entities"]["removed"][-2:] == [
        "imp-tcom-limited-partnership",
        "imp-teal-drones-inc",
    ]
    status, out, _ = run(db, "kb", "diff", after)
    assert out.splitlines() == [f"knowledge base {after} -> {after}", "no differences"]


def test_diff_after_bundled_release(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(bundled_data_dir(), data)
    path = data / "regimes" / "de-5g-bsig-9b-2024.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(p for p in doc["provisions"] if p["id"] == "core")["deadline"] = "2027-06-30"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    db = tmp_path / "kb.duckdb"
    older = load_directory(data)
    with Store(db) as store:
        store.sync_bundled(older)  # a store made by a release with another core deadline
    status, out, err = run(db, "kb", "diff", older.version)  # the CLI syncs the real bundle
    assert status == 0, err
    assert out.splitlines() == [
        f"knowledge base {older.version} -> {load_bundled().version}",
        "regimes: 1 with changes",
        "  ~ de-5g-bsig-9b-2024",
        "      ~ provision core",
        '          deadline: "2027-06-30" -> "2026-12-31"',
    ]


def test_unknown_version_lists_known_ones(tmp_path: Path) -> None:
    db = tmp_path / "kb.duckdb"
    current = run(db, "kb", "version")[1].strip()
    status, out, err = run(db, "kb", "diff", "00000000")
    assert status == 2 and out == ""
    assert err.startswith("error DR302 ")
    assert f"known versions: {current}" in err.replace("\n", "")


def _screen(db: Path, inventory: Path, *args: str) -> tuple[int, dict, str]:
    out = inventory.parent / "out.json"
    base = ["screen", str(inventory), "-c", "CN", "--as-of", "2026-01-01", "-f", "json"]
    status, _, err = run(db, *base, "-o", str(out), *args)
    return status, json.loads(out.read_text("utf-8")) if status != 2 else {}, err


def test_since_reports_only_findings_new_with_the_import(tmp_path: Path) -> None:
    db = tmp_path / "kb.duckdb"
    before, after = _import_slice(db)
    inventory = tmp_path / "inv.csv"
    inventory.write_text('vendor\n"TCOM, Limited Partnership"\nLockheed Martin\n', "utf-8")
    # Lockheed Martin is on the bundled UEL (2023-02-16): prohibited under both versions. TCOM
    # comes with the import: UEL (2025-03-04) and the MFA countermeasures list (informational).
    status, doc, err = _screen(db, inventory, "--since", before[:6])
    assert status == 0, err
    assert doc["kb_version"] == after
    assert doc["since"] == {"version": before, "findings_before": 1, "new": 2, "resolved": 0}
    assert [(f["record_id"], f["rule_id"], f["status"]) for f in doc["findings"]] == [
        ("2", UEL_BAN, "prohibited"),
        ("2", "cn-countermeasures", "listed"),
    ]
    assert doc["summary"]["findings"] == 2 and doc["summary"]["flagged"] == 1
    assert doc["summary"]["by_status"]["prohibited"] == 1
    assert doc["clear"] == ["3"]  # no new finding for Lockheed Martin
    status, doc, _ = _screen(db, inventory, "--since", before, "--no-listed")
    assert [(f["input_vendor"], f["rule_id"]) for f in doc["findings"]] == [
        ("TCOM, Limited Partnership", UEL_BAN)
    ]


def test_since_current_version_has_nothing_new_and_fail_on_uses_new_only(tmp_path: Path) -> None:
    db = tmp_path / "kb.duckdb"
    inventory = tmp_path / "inv.csv"
    inventory.write_text("vendor\nLockheed Martin\n", "utf-8")
    status, doc, _ = _screen(db, inventory, "--fail-on", "prohibited")
    assert status == 1 and "since" not in doc
    current = doc["kb_version"]
    status, doc, _ = _screen(db, inventory, "--fail-on", "prohibited", "--since", current)
    assert status == 0
    assert doc["since"] == {"version": current, "findings_before": 1, "new": 0, "resolved": 0}
    assert doc["findings"] == []


def test_since_in_the_terminal_and_unknown(tmp_path: Path) -> None:
    db = tmp_path / "kb.duckdb"
    before, _ = _import_slice(db)
    inventory = tmp_path / "inv.csv"
    inventory.write_text('vendor\n"TCOM, Limited Partnership"\nLockheed Martin\n', "utf-8")
    status, out, _ = run(db, "screen", str(inventory), "-c", "CN", "--since", before)
    assert status == 0
    assert f"Since knowledge-base version {before}: 2 new findings, 0 resolved" in " ".join(
        out.split()
    )
    status, _, err = _screen(db, inventory, "--since", "nope")
    assert status == 2 and err.startswith("error DR302 ") and before in err.replace("\n", "")
    assert not (tmp_path / "out.json").exists()
