"""The DuckDB store: bundled facts round-trip, imports link to known entities and survive."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.importers.base import ImportBatch
from derisk.kb.loader import load_bundled
from derisk.kb.merge import merge_import
from derisk.kb.model import Alias, Entity, ListEntry, RestrictedList, Source
from derisk.kb.store import Store


@pytest.fixture(scope="module")
def bundled():
    return load_bundled()


def _batch(names: list[str], list_id: str = "test-list", sha: str = "a" * 64) -> ImportBatch:
    src = f"import-test-{sha[:12]}"
    ents = [
        Entity(id=f"imp-{i}", name=n, aliases=[Alias(name=f"{n} Alias")], sources=[src])
        for i, n in enumerate(names)
    ]
    return ImportBatch(
        format="test",
        file="test.csv",
        sha256=sha,
        sources=[Source(id=src, title="a test file")],
        entities=ents,
        ownership=[],
        lists=[
            RestrictedList(
                id=list_id,
                name="Test List",
                jurisdiction="US",
                publisher="Tester",
                sources=[src],
                entries=[
                    ListEntry(entity=e.id, listed=date(2024, 5, 1), sources=[src]) for e in ents
                ],
            )
        ],
        skipped=[],
    )


def test_bundled_facts_round_trip(tmp_path: Path, bundled) -> None:
    with Store(tmp_path / "kb.duckdb") as store:
        assert store.sync_bundled(bundled) is True
        assert store.sync_bundled(bundled) is False  # already current: nothing reloaded
        loaded = store.load()
    assert loaded.version == bundled.version
    assert loaded.summary() == bundled.summary()


def test_import_links_to_known_entity_and_adds_new_one(tmp_path: Path, bundled) -> None:
    with Store(tmp_path / "kb.duckdb") as store:
        store.sync_bundled(bundled)
        # "Huawei Technologies Company" is Huawei Technologies Co., Ltd. once the legal form
        # and generic words are normalised; "Brand New Widgets" is unknown.
        summary = merge_import(store, _batch(["Huawei Technologies Company", "Brand New Widgets"]))
        kb = store.load()
    assert summary.linked == {"imp-0": "huawei"}
    assert summary.entries == {"test-list": 2}
    assert summary.version_before == bundled.version != summary.version_after == kb.version
    assert {e.entity for e in kb.lists["test-list"].entries} == {"huawei", "imp-1"}
    assert kb.entities["imp-1"].name == "Brand New Widgets"
    assert "Huawei Technologies Company Alias" in {a.name for a in kb.entities["huawei"].aliases}


def test_fuzzy_names_are_never_linked(tmp_path: Path, bundled) -> None:
    with Store(tmp_path / "kb.duckdb") as store:
        store.sync_bundled(bundled)
        summary = merge_import(store, _batch(["Huawai Widgets"]))
    assert summary.linked == {}


def test_newer_copy_replaces_older_import(tmp_path: Path, bundled) -> None:
    with Store(tmp_path / "kb.duckdb") as store:
        store.sync_bundled(bundled)
        merge_import(store, _batch(["Old Co One", "Old Co Two"], sha="1" * 64))
        summary = merge_import(store, _batch(["New Co"], sha="2" * 64))
        kb = store.load()
        assert [row["id"] for row in store.imports()] == ["import-test-222222222222"]
    assert summary.replaced == ["import-test-111111111111"]
    assert [kb.entities[e.entity].name for e in kb.lists["test-list"].entries] == ["New Co"]
    assert "imp-0" in kb.entities and kb.entities["imp-0"].name == "New Co"


def test_imports_survive_a_bundled_refresh(tmp_path: Path, bundled) -> None:
    with Store(tmp_path / "kb.duckdb") as store:
        store.sync_bundled(bundled)
        merge_import(store, _batch(["Survivor Ltd"]))
        store.set_meta("bundled_version", "an-older-release")
        assert store.sync_bundled(bundled) is True
        kb = store.load()
    assert kb.entities["imp-0"].name == "Survivor Ltd"
    assert len(kb.lists["test-list"].entries) == 1


def test_entries_on_bundled_lists_are_added_not_duplicated(tmp_path: Path, bundled) -> None:
    with Store(tmp_path / "kb.duckdb") as store:
        store.sync_bundled(bundled)
        before = len(bundled.lists["us-ndaa-889"].entries)
        summary = merge_import(store, _batch(["ZTE Corporation", "Extra Co"], "us-ndaa-889"))
        kb = store.load()
    # ZTE is already on the bundled list: only Extra Co is added.
    assert summary.entries == {"us-ndaa-889": 1}
    assert len(kb.lists["us-ndaa-889"].entries) == before + 1


def test_unwritable_store_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(DeriskError) as exc:
        Store(blocker / "kb.duckdb")
    assert exc.value.code is ErrorCode.KB_STORE
