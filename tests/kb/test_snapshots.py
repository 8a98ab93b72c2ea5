"""KB snapshots: every version a store held is recorded and reloads with the same version."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
import yaml
from tests.kb.small_kb import import_batch, new_kb, old_kb

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.loader import bundled_data_dir, load_bundled, load_directory
from derisk.kb.merge import merge_import
from derisk.kb.snapshots import (
    from_document,
    has_snapshot,
    list_versions,
    load_snapshot,
    resolve_version,
    save_snapshot,
)
from derisk.kb.store import Store


@pytest.fixture(scope="module")
def bundled():
    return load_bundled()


def _edited_bundled(tmp_path: Path):
    """The bundled data with one edit: Germany's core deadline moved (a new version)."""
    data = tmp_path / "data"
    shutil.copytree(bundled_data_dir(), data)
    path = data / "regimes" / "de-5g-bsig-9b-2024.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(p for p in doc["provisions"] if p["id"] == "core")["deadline"] = "2027-06-30"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_directory(data)


def test_document_round_trip_keeps_the_version() -> None:
    for kb in (old_kb(), new_kb()):
        again = from_document(kb.to_document())
        assert again.version == kb.version
        assert again.country_groups == kb.country_groups


def test_small_kb_saved_and_loaded(tmp_path: Path) -> None:
    with Store(tmp_path / "kb.duckdb") as store:
        assert save_snapshot(store, old_kb(), "test") is True
        assert save_snapshot(store, old_kb(), "again") is False  # recorded already
        loaded = load_snapshot(store, old_kb().version)
        versions = list_versions(store)
    assert loaded.version == old_kb().version
    assert loaded.entities["acme"] == old_kb().entities["acme"]
    assert [(v.version, v.origin) for v in versions] == [(old_kb().version, "test")]
    assert versions[0].created_at.tzinfo is not None


def test_sync_bundled_and_import_record_versions(tmp_path: Path, bundled) -> None:
    edited = _edited_bundled(tmp_path)
    with Store(tmp_path / "kb.duckdb") as store:
        store.sync_bundled(bundled)
        summary = merge_import(store, import_batch(["Brand New Widgets"]))
        store.sync_bundled(edited)  # a newer release: bundled facts change under the import
        current = store.load()
        origins = [(v.version, v.origin) for v in list_versions(store)]
        first = load_snapshot(store, bundled.version)
        imported = load_snapshot(store, summary.version_after)
        latest = load_snapshot(store, current.version)
    assert origins == [
        (bundled.version, "bundled"),
        (summary.version_after, "import:import-test-aaaaaaaaaaaa"),
        (current.version, "bundled"),
    ]
    assert first.version == bundled.version and "imp-0" not in first.entities
    assert imported.entities["imp-0"].name == "Brand New Widgets"
    core = {p.id: p for p in latest.regimes["de-5g-bsig-9b-2024"].provisions}["core"]
    assert str(core.deadline) == "2027-06-30" and "imp-0" in latest.entities


def test_failed_import_records_no_version(tmp_path: Path, bundled) -> None:
    with Store(tmp_path / "kb.duckdb") as store:
        store.sync_bundled(bundled)
        batch = import_batch(["Clash Co"])
        clash = batch.entities[0].model_copy(update={"id": "huawei"})  # a known id, other name
        bad = dataclasses.replace(batch, entities=[clash], lists=[])
        with pytest.raises(DeriskError):
            merge_import(store, bad)
        assert [v.version for v in list_versions(store)] == [bundled.version]


def test_store_from_before_snapshots_records_its_version_on_import(tmp_path: Path, bundled) -> None:
    with Store(tmp_path / "kb.duckdb") as store:
        store.sync_bundled(bundled)
        store.con.execute("DELETE FROM kb_snapshots")  # as an older derisk left it
        summary = merge_import(store, import_batch(["Later Co"]))
        assert has_snapshot(store, summary.version_before)
        assert list_versions(store)[0].origin == "existing"


def test_prefixes_resolve_like_git(tmp_path: Path) -> None:
    with Store(tmp_path / "kb.duckdb") as store:
        for version in ("abcd1111", "abcd2222", "ef001234"):
            store.con.execute(
                "INSERT INTO kb_snapshots VALUES (?, now(), 'test', ?)", [version, b""]
            )
        assert resolve_version(store, "ef00") == "ef001234"
        assert resolve_version(store, "abcd1") == "abcd1111"
        assert resolve_version(store, "abcd2222") == "abcd2222"
        cases = {
            "abcd": "ambiguous",
            "ef0": "too short",
            "9999": "no knowledge-base version '9999'",
            "": "no knowledge-base version ''",
        }
        for ref, problem in cases.items():
            with pytest.raises(DeriskError) as exc:
                resolve_version(store, ref)
            assert exc.value.code is ErrorCode.KB_NOT_FOUND
            assert problem in exc.value.message
            assert "known versions: abcd1111, abcd2222, ef001234" in exc.value.message


def test_damaged_snapshot_is_a_store_error(tmp_path: Path) -> None:
    with Store(tmp_path / "kb.duckdb") as store:
        store.con.execute("INSERT INTO kb_snapshots VALUES ('0123abcd', now(), 't', ?)", [b"x"])
        with pytest.raises(DeriskError) as exc:
            load_snapshot(store, "0123")
    assert exc.value.code is ErrorCode.KB_STORE and "0123abcd" in exc.value.message


def test_snapshot_that_rebuilds_differently_is_refused(tmp_path: Path) -> None:
    with Store(tmp_path / "kb.duckdb") as store:
        save_snapshot(store, old_kb(), "test")
        store.con.execute("UPDATE kb_snapshots SET version = 'feedbeef00000000'")
        with pytest.raises(DeriskError) as exc:
            load_snapshot(store, "feedbeef")
    assert exc.value.code is ErrorCode.KB_STORE
    assert f"rebuilds as {old_kb().version}" in exc.value.message
