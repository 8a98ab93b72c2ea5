"""The German example through the API gives the CLI's findings (hand-checked counts in
examples/de-operator/expected.csv: overdue 32, remove_by 14, listed 63, clear 93)."""

from __future__ import annotations

import csv
from collections import Counter

from fastapi.testclient import TestClient
from tests.serve.support import DE_INVENTORY, Accounts


def test_screen_upload_matches_the_hand_derived_expectations(
    client: TestClient, accounts: Accounts
) -> None:
    analyst = accounts.make("analyst")
    with DE_INVENTORY.open("rb") as fh:
        r = client.post(
            "/api/v1/screen",
            headers=analyst.headers,
            files={"file": ("inventory.csv", fh, "text/csv")},
            data={"country": "DE", "sector": "telecom", "as_of": "2027-01-01"},
        )
    assert r.status_code == 201, r.text
    by_status = r.json()["document"]["summary"]["records_by_status"]
    with (DE_INVENTORY.parent / "expected.csv").open(encoding="utf-8") as fh:
        expected = Counter(row["status"] for row in csv.DictReader(fh))
    assert {k: v for k, v in by_status.items() if v} == {
        k: v for k, v in expected.items() if k != "clear"
    }
    run = client.get(f"/api/v1/runs/{r.json()['run_id']}", headers=analyst.headers)
    assert run.status_code == 200
    assert run.json()["summary"]["clear"] == expected["clear"]
