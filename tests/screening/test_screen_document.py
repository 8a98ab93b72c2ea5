"""The screening document: summary counts agree with the findings, across batches."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from derisk.inventory import read_inventory
from derisk.kb.loader import load_bundled
from derisk.profile import Profile
from derisk.screening.document import SCHEMA_ID, build_document
from derisk.screening.pipeline import ScreenContext, screen_table

CSV = """id,vendor,domain,technology
R1,Huawei,core,5g
R2,ZTE Corporation,management,5g
R3,Ericsson,ran,5g
R4,Huawei,ran,5g
R5,Acme Widgets,core,5g
"""


@pytest.mark.parametrize("batch_rows", [2, 50_000])
def test_summary_matches_hand_count(tmp_path: Path, batch_rows: int) -> None:
    path = tmp_path / "inv.csv"
    path.write_text(CSV, encoding="utf-8")
    inv = read_inventory(path)
    kb = load_bundled()
    profile = Profile(countries=["DE"], sector="telecom")
    as_of = date(2027, 1, 1)
    ctx = ScreenContext.build(kb, profile, as_of)
    findings = screen_table(inv.table, ctx, batch_rows=batch_rows)
    doc = build_document(
        findings=findings, records=inv.table, kb=kb, profile=profile, as_of=as_of, input_info={}
    )
    # By hand, from the data files (DE telecom, 2027-01-01):
    # R1 Huawei core 5G: DE core removal overdue + 5 listings (EU advisory, Entity List, 1260H,
    #    FCC Covered List, NDAA 889); R2 ZTE management 5G: DE management remove_by + 3
    #    listings (EU advisory, FCC, 889); R4 Huawei RAN: the 5 listings only; R3, R5 clear.
    summary = doc["summary"]
    assert summary["by_status"] == {
        "prohibited": 0,
        "overdue": 1,
        "remove_by": 1,
        "license_required": 0,
        "restricted": 0,
        "listed": 13,
    }
    assert summary["records_by_status"] == {
        "prohibited": 0,
        "overdue": 1,
        "remove_by": 1,
        "license_required": 0,
        "restricted": 0,
        "listed": 1,
    }
    assert (summary["records"], summary["flagged"], summary["clear"]) == (5, 3, 2)
    assert summary["findings"] == len(doc["findings"]) == 15
    assert Counter(f["status"] for f in doc["findings"]) == Counter(
        {"listed": 13, "overdue": 1, "remove_by": 1}
    )
    assert summary["next_deadlines"] == [
        {
            "deadline": "2026-12-31",
            "status": "overdue",
            "rule_id": "de-5g-bsig-9b-2024.core",
            "jurisdiction": "DE",
            "records": 1,
        },
        {
            "deadline": "2029-12-31",
            "status": "remove_by",
            "rule_id": "de-5g-bsig-9b-2024.management",
            "jurisdiction": "DE",
            "records": 1,
        },
    ]
    assert doc["clear"] == ["R3", "R5"]
    assert doc["schema"] == SCHEMA_ID and doc["kb_version"] == kb.version
    first = doc["findings"][0]
    assert (first["record_id"], first["status"], first["deadline"]) == (
        "R1",
        "overdue",
        "2026-12-31",
    )
    assert first["sources"] and all("title" in s for s in first["sources"])
