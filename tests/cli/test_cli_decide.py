"""`derisk decide` and `derisk decisions`, against a temporary store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.kb.small_kb import import_batch
from typer.testing import CliRunner

from derisk.cli.app import app
from derisk.kb.merge import merge_import
from derisk.kb.store import Store


def run(db: Path, *args: str, user: str | None = "carol") -> tuple[int, str, str]:
    env = {"DERISK_USER": user} if user is not None else {}
    result = CliRunner().invoke(app, [*args, "--db", str(db)], env=env)
    return result.exit_code, result.stdout, result.stderr


def _lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def test_decide_records_and_prints(tmp_path: Path) -> None:
    db = tmp_path / "kb.duckdb"
    kb_version = run(db, "kb", "version")[1].strip()
    status, out, err = run(
        db, "decide", "HUAWEI TECH.", "--entity", "huawei", "--confirm", "--reason", "invoice"
    )
    assert status == 0, err
    assert out.startswith("confirm: 'HUAWEI TECH.' is huawei (Huawei Technologies Co., Ltd.);")
    assert "reason: invoice; by carol at " in out and f"(kb {kb_version})" in out
    status, out, _ = run(db, "decisions", "--json")
    [row] = _lines(out)
    assert {k: row[k] for k in ("input_name", "key", "entity_id", "action", "decided_by")} == {
        "input_name": "HUAWEI TECH.",
        "key": "huawei tech",
        "entity_id": "huawei",
        "action": "confirm",
        "decided_by": "carol",
    }
    assert row["kb_version"] == kb_version and row["active"] and not row["orphan"]
    assert row["decided_at"].endswith("Z")


def test_latest_wins_and_history_keeps_all(tmp_path: Path) -> None:
    db = tmp_path / "kb.duckdb"
    base = ["decide", "Hua Hong", "--entity", "huawei"]
    assert run(db, *base, "--dismiss", "--reason", "other firm", "--by", "dave")[0] == 0
    assert run(db, *base, "--confirm", "--reason", "a Huawei reseller")[0] == 0
    status, out, _ = run(db, "decisions", "--json")
    assert [(r["action"], r["decided_by"], r["active"]) for r in _lines(out)] == [
        ("confirm", "carol", True)
    ]
    status, out, _ = run(db, "decisions", "--json", "--history")
    assert [(r["action"], r["decided_by"], r["active"]) for r in _lines(out)] == [
        ("dismiss", "dave", False),
        ("confirm", "carol", True),
    ]
    status, out, _ = run(db, "decisions", "--history")
    assert status == 0
    assert out.count("superseded") == 1 and "reseller" in out


def test_orphan_decisions_are_warned_about(tmp_path: Path) -> None:
    db = tmp_path / "kb.duckdb"
    with Store(db) as store:
        store.sync_bundled()
        merge_import(store, import_batch(["Widget One", "Widget Two"], sha="1" * 64))
    assert run(db, "decide", "W2", "--entity", "imp-1", "--confirm", "--reason", "r")[0] == 0
    with Store(db) as store:
        merge_import(store, import_batch(["Widget One"], sha="2" * 64))  # imp-1 is gone
    status, out, err = run(db, "decisions", "--json")
    assert status == 0
    assert [(r["entity_id"], r["orphan"]) for r in _lines(out)] == [("imp-1", True)]
    assert "warning: the decision on 'W2' names entity 'imp-1'" in err


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--entity", "huawey", "--confirm", "--reason", "r"], "DR302", "did you mean huawei"),
        (["--entity", "huawei", "--reason", "r"], "DR202", "exactly one of --confirm"),
        (["--entity", "huawei", "--confirm", "--dismiss", "--reason", "r"], "DR202", "exactly"),
        (["--entity", "huawei", "--confirm", "--reason", "  "], "DR202", "--reason must not"),
        (["--entity", "huawei", "--confirm", "--reason", "r", "--by", " "], "DR202", "--by must"),
    ],
)
def test_decide_errors(tmp_path: Path, args: list[str], code: str, message: str) -> None:
    db = tmp_path / "kb.duckdb"
    status, out, err = run(db, "decide", "Huawei", *args)
    assert status == 2 and out == ""
    assert err.startswith(f"error {code} ") and message in " ".join(err.split())
    assert _lines(run(db, "decisions", "--json")[1]) == []  # nothing recorded


def test_name_without_letters_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "kb.duckdb"
    status, _, err = run(db, "decide", "...", "--entity", "huawei", "--confirm", "--reason", "r")
    assert status == 2 and "NAME has no letters or digits" in err


def test_by_defaults_to_derisk_user_then_os_user(tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "kb.duckdb"
    monkeypatch.delenv("DERISK_USER", raising=False)
    monkeypatch.setattr("getpass.getuser", lambda: "osuser")
    assert run(db, "decide", "ZTE", "-e", "zte", "--confirm", "--reason", "r", user=None)[0] == 0
    assert run(db, "decide", "ZTE", "-e", "zte", "--confirm", "--reason", "r")[0] == 0

    def no_user() -> str:
        raise OSError("no user")

    monkeypatch.setattr("getpass.getuser", no_user)
    status, _, err = run(db, "decide", "ZTE", "-e", "zte", "--dismiss", "--reason", "r", user=None)
    assert status == 2 and "give --by" in err
    history = _lines(run(db, "decisions", "--json", "--history")[1])
    assert [r["decided_by"] for r in history] == ["osuser", "carol"]
