"""kb diff: every change between two hand-written knowledge bases, listed by hand."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml
from tests.kb.small_kb import new_kb, old_kb

from derisk.kb.diff import Changed, FieldChange, SetDiff, diff
from derisk.kb.loader import bundled_data_dir, load_bundled, load_directory

ALIAS_ACME = {"name": "Acme", "lang": None, "kind": "alias", "until": None}
ALIAS_ACME_INC = {"name": "ACME Inc", "lang": None, "kind": "alias", "until": None}


def test_entities_added_removed_changed() -> None:
    d = diff(old_kb(), new_kb())
    assert d.entities == SetDiff(
        added=("delta",),
        removed=("gamma",),
        changed=(
            Changed(
                "acme",
                (
                    FieldChange("aliases", [ALIAS_ACME], [ALIAS_ACME, ALIAS_ACME_INC]),
                    FieldChange("identifiers.ticker", None, "ACM"),
                    FieldChange("name", "Acme Corp", "Acme Corporation"),
                ),
            ),
            Changed("beta", (FieldChange("country", "CN", "HK"),)),
        ),
    )


def test_ownership_edges() -> None:
    d = diff(old_kb(), new_kb())
    assert d.ownership == SetDiff(
        added=("acme->delta",),
        changed=(Changed("acme->beta", (FieldChange("until", None, "2024-05-01"),)),),
    )


def test_list_entries_per_list() -> None:
    d = diff(old_kb(), new_kb())
    assert [(x.list_id, x.status, x.changes) for x in d.lists] == [
        ("second-list", "added", ()),
        ("test-list", "changed", ()),
    ]
    assert d.lists[0].entries == SetDiff(added=("delta",))
    assert d.lists[1].entries == SetDiff(
        added=("delta",),
        removed=("gamma",),
        changed=(
            Changed("acme", (FieldChange("removed", None, "2023-03-01"),)),
            Changed(
                "beta",
                (
                    FieldChange("listed", "2021-06-01", "2021-07-01"),
                    FieldChange("scope", None, "all affiliates"),
                ),
            ),
        ),
    )


def test_regimes_and_provisions() -> None:
    d = diff(old_kb(), new_kb())
    assert [(r.regime_id, r.status, r.changes) for r in d.regimes] == [
        ("reg", "changed", ()),
        ("reg2", "added", ()),
    ]
    assert d.regimes[0].provisions == SetDiff(
        added=("p3",),
        removed=("p2",),
        changed=(
            Changed(
                "p1",
                (
                    FieldChange("covers.entities", ["acme"], ["acme", "delta"]),
                    FieldChange("deadline", "2025-12-31", "2026-12-31"),
                ),
            ),
        ),
    )
    assert d.regimes[1].provisions == SetDiff(added=("only",))


def test_sources_and_country_groups() -> None:
    d = diff(old_kb(), new_kb())
    assert d.sources == SetDiff(added=("s3",))
    assert d.country_groups == SetDiff(
        changed=(Changed("ZZ", (FieldChange("members", ["US"], ["US", "CA"]),)),)
    )
    assert d.products == SetDiff()


def test_reverse_diff_swaps_added_and_removed() -> None:
    d = diff(new_kb(), old_kb())
    assert d.entities.added == ("gamma",) and d.entities.removed == ("delta",)
    assert [(x.list_id, x.status) for x in d.lists] == [
        ("second-list", "removed"),
        ("test-list", "changed"),
    ]
    assert d.lists[0].entries == SetDiff(removed=("delta",))


def test_same_kb_is_empty_and_to_dict_is_json() -> None:
    same = diff(old_kb(), old_kb())
    assert same.empty and same.old_version == same.new_version
    d = diff(old_kb(), new_kb())
    assert not d.empty
    doc = json.loads(json.dumps(d.to_dict()))
    assert doc["old_version"] == old_kb().version and doc["new_version"] == new_kb().version
    assert doc["entities"]["changed"][1] == {
        "key": "beta",
        "changes": [{"field": "country", "old": "CN", "new": "HK"}],
    }
    assert doc["lists"][0] == {
        "id": "second-list",
        "status": "added",
        "changes": [],
        "entries": {"added": ["delta"], "removed": [], "changed": []},
    }
    assert diff(old_kb(), new_kb()).to_dict() == d.to_dict()  # deterministic


def test_bundled_edit_shows_as_a_provision_change(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(bundled_data_dir(), data)
    path = data / "regimes" / "de-5g-bsig-9b-2024.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    core = next(p for p in doc["provisions"] if p["id"] == "core")
    core["deadline"] = "2027-06-30"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    d = diff(load_bundled(), load_directory(data))
    assert [(r.regime_id, r.status) for r in d.regimes] == [("de-5g-bsig-9b-2024", "changed")]
    assert d.regimes[0].provisions == SetDiff(
        changed=(Changed("core", (FieldChange("deadline", "2026-12-31", "2027-06-30"),)),)
    )
    assert not (d.entities or d.ownership or d.lists or d.sources)
