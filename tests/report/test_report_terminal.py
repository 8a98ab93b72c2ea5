"""The terminal summary."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from rich.console import Console

from derisk.report import print_summary
from derisk.report.terminal import printable

FIXTURE = Path(__file__).parent.parent / "fixtures" / "report" / "screening_telecom.json"


def _render(document: dict[str, Any], *, colour: bool = False) -> str:
    console = Console(
        file=io.StringIO(),
        width=200,
        force_terminal=colour,
        color_system="standard" if colour else None,
        record=True,
    )
    print_summary(document, console)
    if colour:
        out = console.file
        assert isinstance(out, io.StringIO)
        return out.getvalue()
    return console.export_text()


def _finding(row: int, status: str, **overrides: Any) -> dict[str, Any]:
    finding: dict[str, Any] = {
        "record_id": f"R-{row}",
        "row": row,
        "input_vendor": f"Vendor {row}",
        "entity_id": "huawei-technologies",
        "entity_name": "Huawei Technologies Co., Ltd.",
        "rule_id": f"rule.{status}",
        "status": status,
        "deadline": None,
        "uncertain": False,
    }
    finding.update(overrides)
    return finding


def _fixture() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return document


def _line(text: str, start: str) -> str:
    return next(line for line in text.splitlines() if line.strip().startswith(start))


def test_header_and_status_counts() -> None:
    text = _render(_fixture())
    assert "as of 2025-06-30" in text
    assert "countries DE, GB, US" in text
    assert "sector telecom" in text
    assert "KB sha256:4f3c9a1be07d5e2c" in text
    assert "input network-inventory-2025Q2.csv  51 records" in text
    # every status, with the document's counts: findings, then records
    expected = {
        "prohibited": (5, 5),
        "overdue": (2, 1),
        "remove by": (4, 2),
        "licence required": (1, 1),
        "restricted": (1, 1),
        "listed (informational)": (2, 1),
    }
    for label, (findings, records) in expected.items():
        assert _line(text, label).split()[len(label.split()) : len(label.split()) + 2] == [
            str(findings),
            str(records),
        ]
    assert "Flagged records: 11   Clear records: 40   Findings: 15" in text


def test_next_deadlines_overdue_first_with_words() -> None:
    text = _render(_fixture())
    lines = text.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("Next deadlines")))
    rows = [line.split() for line in lines[start:] if line.strip()[:2] == "20"][:4]
    assert [r[0] for r in rows] == ["2023-01-28", "2026-12-31", "2027-12-31", "2029-12-31"]
    assert rows[0][1:4] == ["OVERDUE", "by", "884"]
    assert rows[1][1:3] == ["in", "549"]


def test_overdue_is_red_in_colour() -> None:
    out = _render(_fixture(), colour=True)
    assert "\x1b[1;31mOVERDUE by 884 days" in out


def test_overdue_sorted_first_even_if_the_document_is_not() -> None:
    doc = {
        "as_of": "2025-01-01",
        "summary": {
            "next_deadlines": [
                {"deadline": "2025-03-01", "status": "remove_by", "rule_id": "a", "records": 1},
                {"deadline": "2024-01-01", "status": "overdue", "rule_id": "b", "records": 2},
            ]
        },
    }
    text = _render(doc)
    assert text.index("2024-01-01") < text.index("2025-03-01")
    assert "OVERDUE by 366 days" in text
    assert "in 59 days" in text


def test_past_prohibitions_read_in_effect() -> None:
    doc = {
        "as_of": "2025-06-30",
        "summary": {
            "next_deadlines": [
                {"deadline": "2020-08-13", "status": "prohibited", "rule_id": "p", "records": 4},
            ]
        },
    }
    assert "in effect" in _line(_render(doc), "2020-08-13")


def test_top_findings_most_severe_first_and_capped() -> None:
    findings = [_finding(row, "listed") for row in range(2, 30)]
    findings.append(_finding(40, "overdue", deadline="2024-06-01"))
    findings.append(_finding(41, "prohibited"))
    findings.append(_finding(39, "remove_by", deadline="2026-01-01", uncertain=True))
    text = _render({"as_of": "2025-01-01", "findings": findings})
    assert "Most severe findings (15 of 31)" in text
    body = [line.split() for line in text.splitlines() if line.strip().startswith(("4", "3"))]
    rows = [r for r in body if r[1] == "Vendor"]
    assert [r[0] for r in rows[:3]] == ["41", "40", "39"]
    assert "remove by *" in _line(text, "39")
    assert "* rests on a single source" in text
    assert "… and 16 more findings; see the full report." in text


def test_empty_findings_do_not_crash() -> None:
    text = _render({})
    assert "No findings: every record is clear." in text
    text = _render({"summary": {"records": 3, "clear": 3}, "findings": [], "clear": ["a"]})
    assert "Clear records: 3" in text
    for label in ("prohibited", "overdue", "remove by", "listed (informational)"):
        assert _line(text, label).split()[len(label.split())] == "0"


def test_vendor_markup_is_printed_literally() -> None:
    doc = {
        "as_of": "2025-01-01",
        "input": {"file": "[link=file:///etc/passwd]inv[/link].csv"},
        "findings": [
            _finding(2, "prohibited", input_vendor="[bold red]x[/]", rule_id="[blink]id"),
            _finding(3, "listed", entity_name="[/]", deadline="[on red]r"),
        ],
    }
    text = _render(doc)
    for literal in ("[bold red]x[/]", "[blink]id", "[/]", "[on red]r", "[link=file:///etc"):
        assert literal in text
    out = _render(doc, colour=True)
    assert "[bold red]x[/]" in out
    assert "\x1b]8;" not in out  # no hyperlink escape was produced


def test_control_characters_cannot_reach_the_terminal() -> None:
    vendor = "\x1b[2J\x1b[31mEvil\u202eoc.exe\x07"
    out = _render({"findings": [_finding(2, "prohibited", input_vendor=vendor)]}, colour=True)
    assert "\x1b[2J" not in out and "\x1b[31mEvil" not in out and "\u202e" not in out
    assert "\\x1b[2J\\x1b[31mEvil\\u202eoc.exe\\x07" in out


def test_printable() -> None:
    assert printable("华为 Касперский\tx\n") == "华为 Касперский\\x09x\\x0a"
    assert printable("a\x9bb\u2066c") == "a\\x9bb\\u2066c"
