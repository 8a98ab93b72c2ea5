"""Analyst decisions: append-only, latest wins, looked up by folded name, never lost."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError
from tests.kb.small_kb import import_batch, new_kb, old_kb

from derisk.kb.decisions import (
    Decision,
    DecisionSet,
    active_decisions,
    decision_history,
    record_decision,
)
from derisk.kb.loader import bundled_data_dir, load_bundled, load_directory
from derisk.kb.merge import merge_import
from derisk.kb.store import Store

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def bundled():
    return load_bundled()


def _decide(store: Store, name: str, entity: str, action: str, minutes: int = 0) -> Decision:
    return record_decision(
        store,
        input_name=name,
        entity_id=entity,
        action=action,  # type: ignore[arg-type]
        reason=f"{action} {name}",
        decided_by="alice",
        kb_version="v1",
        decided_at=T0 + timedelta(minutes=minutes),
    )


def test_recorded_decision_reads_back(tmp_path: Path) -> None:
    with Store(tmp_path / "kb.duckdb") as store:
        made = _decide(store, "HUAWEI Tech.", "huawei", "confirm")
        assert decision_history(store) == [made]
    assert made.key == "huawei tech"
    assert made.decided_at == T0 and made.kb_version == "v1"


def test_latest_decision_wins_history_keeps_all(tmp_path: Path) -> None:
    with Store(tmp_path / "kb.duckdb") as store:
        first = _decide(store, "Hua Hong", "huawei", "dismiss", 0)
        other = _decide(store, "Hua Hong", "hua-hong", "confirm", 1)
        latest = _decide(store, "HUA HONG", "huawei", "confirm", 2)  # same folded name
        history = decision_history(store)
        active = active_decisions(store)
    assert history == [first, other, latest]
    assert len(active) == 2
    assert active.lookup("hua  hong") == ([other, latest], [])
    assert active.lookup("Huawei") == ([], [])


def test_lookup_splits_confirmed_and_dismissed() -> None:
    def make(name: str, entity: str, action: str) -> Decision:
        return Decision(
            input_name=name,
            key=name.casefold(),
            entity_id=entity,
            action=action,  # type: ignore[arg-type]
            reason="r",
            decided_by="bob",
            decided_at=T0,
            kb_version="v",
        )

    yes, no = make("ZTE Corp", "zte", "confirm"), make("ZTE Corp", "zte-kangxun", "dismiss")
    decisions = DecisionSet([yes, no])
    assert decisions.lookup("zte corp") == ([yes], [no])
    assert decisions.lookup_key("zte corp") == ([yes], [no])
    confirmed, _ = decisions.lookup("ZTE Corp")
    confirmed.clear()  # callers get copies
    assert decisions.lookup("ZTE Corp") == ([yes], [no])


def test_orphans_are_listed_not_dropped() -> None:
    def make(entity: str) -> Decision:
        return Decision(
            input_name=f"name of {entity}",
            key=f"name of {entity}",
            entity_id=entity,
            action="confirm",
            reason="r",
            decided_by="bob",
            decided_at=T0,
            kb_version=old_kb().version,
        )

    decisions = DecisionSet([make("acme"), make("gamma")])
    assert decisions.orphans(old_kb()) == []
    assert [d.entity_id for d in decisions.orphans(new_kb())] == ["gamma"]  # gamma was removed
    assert len(decisions) == 2


def test_decisions_survive_bundled_refresh_and_imports(tmp_path: Path, bundled) -> None:
    data = tmp_path / "data"
    shutil.copytree(bundled_data_dir(), data)
    path = data / "entities" / "zte.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["entities"][0]["name"] += " (renamed)"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    newer = load_directory(data)
    assert newer.version != bundled.version
    with Store(tmp_path / "kb.duckdb") as store:
        store.sync_bundled(bundled)
        merge_import(store, import_batch(["Widget One", "Widget Two"], sha="1" * 64))
        kept = [_decide(store, "ZTE", "zte", "confirm"), _decide(store, "W2", "imp-1", "confirm")]
        assert store.sync_bundled(newer) is True
        merge_import(store, import_batch(["Widget One"], sha="2" * 64))  # replaces the first
        kb = store.load()
        active = active_decisions(store)
        assert decision_history(store) == kept
    assert list(active) == kept
    # The newer import no longer has a second widget: that decision is an orphan now.
    assert [d.entity_id for d in active.orphans(kb)] == ["imp-1"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("reason", "  "), ("decided_by", ""), ("input_name", " "), ("action", "maybe")],
)
def test_invalid_decisions_are_refused(tmp_path: Path, field: str, value: str) -> None:
    args = {
        "input_name": "Huawei",
        "entity_id": "huawei",
        "action": "confirm",
        "reason": "checked",
        "decided_by": "alice",
        "kb_version": "v1",
        field: value,
    }
    with Store(tmp_path / "kb.duckdb") as store:
        with pytest.raises(ValidationError):
            record_decision(store, **args)  # type: ignore[arg-type]
        assert decision_history(store) == []


def test_timestamps_are_utc() -> None:
    cet = timezone(timedelta(hours=1))
    d = Decision(
        input_name="x",
        key="x",
        entity_id="e",
        action="dismiss",
        reason="r",
        decided_by="b",
        decided_at=datetime(2026, 3, 1, 10, 0, tzinfo=cet),
        kb_version="v",
    )
    assert d.decided_at == T0 and d.decided_at.tzinfo is UTC
    with pytest.raises(ValidationError):
        Decision(**{**d.model_dump(), "decided_at": datetime(2026, 3, 1, 9, 0)})
