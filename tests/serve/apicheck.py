"""Checks shared by the REST API tests: problem responses, uploads, the German example."""

from __future__ import annotations

import csv
import uuid
from collections import Counter
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.serve.support import DE_INVENTORY, Account, Accounts

from derisk.serve.db.schema import inventories, runs
from derisk.serve.db.store import StateStore

__all__ = [
    "DE_EXPECTED",
    "DE_FORM",
    "DE_PROFILE",
    "PROBLEM_KEYS",
    "SMALL",
    "assert_problem",
    "de_records",
    "expected_counts",
    "expected_statuses",
    "member",
    "rows_in",
    "screen_csv",
]

DE_EXPECTED = DE_INVENTORY.parent / "expected.csv"
DE_FORM = {"country": "DE", "sector": "telecom", "as_of": "2027-01-01"}
DE_PROFILE = {"countries": ["DE"], "sector": "telecom"}
# Two records: Huawei in a German 5G core (overdue after 2026-12-31) and Ericsson RAN (clear).
SMALL = b"id,vendor,domain,technology\nR1,Huawei,core,5g\nR2,Ericsson,ran,5g\n"
PROBLEM_KEYS = ("type", "title", "status", "detail", "code")


def assert_problem(r: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """An RFC 9457 problem with derisk's code; returns its body."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers
    body: dict[str, Any] = r.json()
    for key in PROBLEM_KEYS:
        assert body.get(key) not in (None, ""), (key, body)
    assert body["status"] == status
    assert body["code"] == code, body
    assert body["type"].endswith("#" + code.lower()), body["type"]
    assert isinstance(body["detail"], str) and isinstance(body["title"], str)
    if status == 401:
        assert r.headers["www-authenticate"].lower().startswith("bearer"), r.headers
    return body


def screen_csv(
    client: TestClient,
    headers: dict[str, str],
    content: bytes,
    filename: str = "inventory.csv",
    form: dict[str, str] | None = None,
) -> httpx.Response:
    """POST /screen with an uploaded file and profile form fields (the German profile)."""
    return client.post(
        "/api/v1/screen",
        headers=headers,
        files={"file": (filename, content, "text/csv")},
        data=DE_FORM if form is None else form,
    )


def de_records() -> list[dict[str, str]]:
    """The German example's rows as JSON records (every value a string, as in the file)."""
    with DE_INVENTORY.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def expected_statuses() -> dict[str, str]:
    """record id -> hand-derived status (examples/de-operator/expected.csv)."""
    with DE_EXPECTED.open(encoding="utf-8", newline="") as fh:
        return {row["id"]: row["status"] for row in csv.DictReader(fh)}


def expected_counts() -> Counter[str]:
    return Counter(expected_statuses().values())


def rows_in(store: StateStore) -> tuple[int, int]:
    """(runs, inventories) stored, over every tenant."""
    with store.engine.connect() as con:
        n_runs = con.execute(sa.select(sa.func.count()).select_from(runs)).scalar_one()
        n_inv = con.execute(sa.select(sa.func.count()).select_from(inventories)).scalar_one()
    return int(n_runs), int(n_inv)


def member(accounts: Accounts, role: str, tenant: str = "acme") -> Account:
    """A user with an API key and no password: as ``accounts.make`` without the slow
    password hash, for the many tests that only call the API with a key."""
    store = accounts.store
    tid = store.tenant_id(tenant) or store.create_tenant(tenant)
    user = store.create_user(
        None,
        tenant_id=tid,
        email=f"{role}-{uuid.uuid4().hex[:8]}@{tenant}.example",
        name=role.title(),
        role=role,
        password=None,
    )
    key, _ = store.create_api_key(None, user, "test")
    return Account(user, key, "")
