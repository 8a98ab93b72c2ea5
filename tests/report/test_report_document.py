"""Reading the screening document, and the package interface."""

from __future__ import annotations

from typing import Any

import pytest

import derisk.report
from derisk.report.csv_report import CSV_COLUMNS
from derisk.report.document import (
    STATUS_LABELS,
    STATUS_MEANINGS,
    STATUSES,
    read_report,
    relative_deadline,
    severity_rank,
    status_label,
)


def test_package_interface() -> None:
    assert set(derisk.report.__all__) >= {
        "render_html",
        "render_csv",
        "write_report",
        "print_summary",
        "safe_csv_cell",
    }
    for name in derisk.report.__all__:
        assert callable(getattr(derisk.report, name)) or name == "FORMATS"
    assert derisk.report.FORMATS == ("json", "csv", "html")


def test_statuses_match_the_contract() -> None:
    assert STATUSES == (
        "prohibited",
        "overdue",
        "remove_by",
        "license_required",
        "restricted",
        "listed",
    )
    assert set(STATUS_LABELS) == set(STATUS_MEANINGS) == set(STATUSES)
    assert status_label("remove_by") == "remove by"
    assert status_label("license_required") == "licence required"
    assert status_label("listed") == "listed (informational)"
    assert status_label("new_status") == "new_status"
    assert [severity_rank(s) for s in STATUSES] == list(range(6))
    assert severity_rank("new_status") == 6


def test_summary_is_taken_from_the_document() -> None:
    doc: dict[str, Any] = {
        "summary": {
            "records": 10,
            "flagged": 4,
            "clear": 6,
            "findings": 99,
            "by_status": {"prohibited": 2, "listed": 5, "future": 1},
            "records_by_status": {"prohibited": 2},
        },
        "findings": [],
    }
    report = read_report(doc)
    assert (report.records, report.flagged, report.clear_count) == (10, 4, 6)
    assert report.findings_count == 99
    # every known status, zero included, in severity order; unknown ones kept, last
    assert report.by_status == (
        ("prohibited", 2),
        ("overdue", 0),
        ("remove_by", 0),
        ("license_required", 0),
        ("restricted", 0),
        ("listed", 5),
        ("future", 1),
    )
    assert dict(report.records_by_status)["prohibited"] == 2


def test_counts_fall_back_to_the_findings() -> None:
    findings = [
        {"record_id": "a", "status": "listed"},
        {"record_id": "a", "status": "overdue"},
        {"record_id": "b", "status": "listed"},
        {"record_id": "c", "status": "restricted"},
        {"record_id": "c", "status": "restricted"},
    ]
    report = read_report({"findings": findings, "clear": ["d", "e"], "input": {"records": 5}})
    assert report.records == 5
    assert report.flagged == 3
    assert report.clear_count == 2
    assert report.findings_count == 5
    assert dict(report.by_status) == {
        "prohibited": 0,
        "overdue": 1,
        "remove_by": 0,
        "license_required": 0,
        "restricted": 2,
        "listed": 2,
    }
    # a record counts once, under its most severe status
    assert dict(report.records_by_status) == {
        "prohibited": 0,
        "overdue": 1,
        "remove_by": 0,
        "license_required": 0,
        "restricted": 1,
        "listed": 1,
    }


def test_lenient_reading() -> None:
    report = read_report(
        {
            "as_of": 20250630,
            "countries": "GB",
            "attributes": {"state_funded": True, "project_completion": "2026-01-01", "x": None},
            "findings": [
                {
                    "row": "7",
                    "match_score": "high",
                    "ownership_path": ["a", 3],
                    "uncertain": "yes",
                    "sources": [{"title": None, "url": "https://x"}, "junk"],
                },
                "junk",
            ],
            "clear": ["r1", 2],
        }
    )
    assert report.as_of == "20250630"
    assert report.countries == ("GB",)
    assert report.attributes == (
        ("project_completion", "2026-01-01"),
        ("state_funded", "yes"),
        ("x", ""),
    )
    (finding,) = report.findings
    assert finding.row is None and finding.row_text == "7"
    assert finding.match_score is None and finding.match_score_text == "high"
    assert finding.ownership_path == ("a", "3")
    assert finding.uncertain is False  # only a real true counts
    assert [s.name for s in finding.sources] == ["https://x"]
    assert report.clear == ("r1", "2")


def test_findings_by_severity() -> None:
    report = read_report(
        {
            "findings": [
                {"record_id": "x", "row": 3, "status": "listed"},
                {"record_id": "y", "row": 2, "status": "listed"},
                {"record_id": "z", "row": 9, "status": "prohibited"},
                {"record_id": "w", "status": "prohibited"},
            ]
        }
    )
    assert [f.record_id for f in report.findings_by_severity()] == ["z", "w", "y", "x"]


def test_statuses_agree_with_the_evaluator() -> None:
    rules = pytest.importorskip("derisk.evaluate.rules")
    assert tuple(rules.STATUSES) == STATUSES


def test_csv_columns_agree_with_the_document_builder() -> None:
    builder = pytest.importorskip("derisk.screening.document")
    assert (*builder.FINDING_FIELDS, "sources") == CSV_COLUMNS


@pytest.mark.parametrize(
    ("deadline", "status", "words"),
    [
        ("2025-07-01", "remove_by", "in 1 day"),
        ("2025-06-30", "remove_by", "today"),
        ("2025-06-28", "overdue", "overdue by 2 days"),
        ("2020-08-13", "prohibited", "in effect"),
        ("2025-06-30", "prohibited", "in effect"),
        ("2026-06-30", "prohibited", "takes effect in 365 days"),
        ("2025-06-29", "listed", "1 day ago"),
        (None, "remove_by", ""),
        ("soon", "remove_by", ""),
    ],
)
def test_relative_deadline(deadline: str | None, status: str, words: str) -> None:
    assert relative_deadline("2025-06-30", deadline, status) == words
