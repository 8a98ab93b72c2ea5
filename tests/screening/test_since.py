"""screen --since: which findings are new because the knowledge base changed."""

from __future__ import annotations

import pyarrow as pa

from derisk.screening.since import compare_findings, with_since


def _findings(rows: list[tuple[str, str, str]]) -> pa.Table:
    """(record_id, rule_id, status) rows; rule_id and status dictionary-encoded as screens do."""
    return pa.table(
        {
            "idx": pa.array(range(len(rows)), pa.int64()),
            "record_id": pa.array([r[0] for r in rows], pa.string()),
            "rule_id": pa.array([r[1] for r in rows], pa.string()).dictionary_encode(),
            "status": pa.array([r[2] for r in rows], pa.string()).dictionary_encode(),
        }
    )


def _rows(table: pa.Table) -> list[tuple[str, str, str]]:
    return list(
        zip(
            table.column("record_id").to_pylist(),
            table.column("rule_id").cast(pa.string()).to_pylist(),
            table.column("status").cast(pa.string()).to_pylist(),
            strict=True,
        )
    )


BEFORE = [
    ("r1", "de.core", "remove_by"),  # unchanged below: not new
    ("r2", "uel.ban", "listed"),  # becomes prohibited: more severe, new
    ("r3", "fcc", "prohibited"),  # becomes restricted: less severe, neither new nor resolved
    ("r4", "old.rule", "restricted"),  # gone: resolved
    ("r5", "de.core", "overdue"),  # via vendor and via model: both kept, both resolved
    ("r5", "de.core", "remove_by"),
]
AFTER = [
    ("r1", "de.core", "remove_by"),
    ("r2", "uel.ban", "prohibited"),
    ("r3", "fcc", "restricted"),
    ("r1", "new.rule", "license_required"),  # new rule for a known record: new
    ("r6", "de.core", "listed"),  # a record with no finding before: new
]


def test_new_more_severe_and_resolved() -> None:
    result = compare_findings(_findings(BEFORE), _findings(AFTER))
    assert _rows(result.new) == [
        ("r2", "uel.ban", "prohibited"),
        ("r1", "new.rule", "license_required"),
        ("r6", "de.core", "listed"),
    ]
    assert result.new.column("idx").to_pylist() == [1, 3, 4]  # rows keep their order
    assert result.findings_before == 6
    assert result.resolved == 3  # r4's finding and both of r5's
    assert result.block("abcd") == {
        "version": "abcd",
        "findings_before": 6,
        "new": 3,
        "resolved": 3,
    }


def test_equally_severe_as_the_worst_earlier_finding_is_not_new() -> None:
    before = [("r1", "x", "remove_by"), ("r1", "x", "listed")]
    after = [("r1", "x", "remove_by"), ("r1", "x", "overdue")]
    result = compare_findings(_findings(before), _findings(after))
    assert _rows(result.new) == [("r1", "x", "overdue")]
    assert result.resolved == 0


def test_nothing_before_everything_new_and_nothing_now() -> None:
    rows = [("r1", "x", "listed"), ("r2", "y", "prohibited")]
    everything = compare_findings(_findings([]), _findings(rows))
    assert _rows(everything.new) == rows and everything.resolved == 0
    nothing = compare_findings(_findings(rows), _findings([]))
    assert len(nothing.new) == 0 and nothing.findings_before == 2 and nothing.resolved == 2


def test_since_object_follows_kb_version() -> None:
    doc = {"schema": "s", "kb_version": "v2", "summary": {}, "findings": []}
    out = with_since(doc, {"version": "v1"})
    assert list(out) == ["schema", "kb_version", "since", "summary", "findings"]
    assert out["since"] == {"version": "v1"}
