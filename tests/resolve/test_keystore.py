"""The name index is stored with the KB version and reused without re-normalising."""

from __future__ import annotations

from pathlib import Path

import pytest

import derisk.resolve.index as index_module
from derisk.kb.loader import load_bundled
from derisk.kb.store import Store
from derisk.resolve.keystore import cached_index


def test_second_build_reuses_stored_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kb = load_bundled()
    with Store(tmp_path / "kb.duckdb") as store:
        first = cached_index(store, kb)
        rows = store.con.execute("SELECT count(*) FROM name_keys").fetchone()
        assert rows == (1,)

        def refuse(*_: object, **__: object) -> None:
            raise AssertionError("normalised again instead of reusing the stored keys")

        monkeypatch.setattr(index_module, "name_key", refuse)
        second = cached_index(store, kb)
    assert [r.key for r in second.refs] == [r.key for r in first.refs]
    assert [(r.entity_id, r.name) for r in second.refs] == [
        (r.entity_id, r.name) for r in first.refs
    ]
