"""Who may call the API: API keys, login sessions with their CSRF token, roles, and tenants.

Every request here would succeed with the right credentials (valid bodies, existing ids), so
a missing check shows up as a 2xx instead of the expected 401/403/404.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.serve.apicheck import SMALL, assert_problem, member, rows_in, screen_csv
from tests.serve.support import Accounts

from derisk.serve.auth import SESSION_COOKIE
from derisk.serve.db.store import StateStore

DECISION = {
    "input_name": "Huawei Technologies",
    "entity_id": "huawei",
    "action": "confirm",
    "reason": "named on the supplier's invoices",
}
PLAN_RECORDS = {
    "records": [{"id": "R1", "vendor": "Huawei", "domain": "core", "site": "S1"}],
    "profile": {"countries": ["DE"], "sector": "telecom"},
    "as_of": "2027-01-01",
    "resources": {"fx": {"USD": 0.96}},
    "time_limit": 2,
}

# Every endpoint of the API, with a body it would accept from an authorised caller.
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/v1/runs", None),
    ("GET", "/api/v1/runs/0123456789abcdef", None),
    ("GET", "/api/v1/runs/0123456789abcdef/report.json", None),
    (
        "POST",
        "/api/v1/screen",
        {"records": [{"vendor": "Huawei"}], "profile": {"countries": ["DE"]}},
    ),
    ("POST", "/api/v1/match", {"names": ["Huawei"]}),
    ("POST", "/api/v1/classify", {"chip": "H20", "destination": "CN"}),
    ("POST", "/api/v1/plan", PLAN_RECORDS),
    ("GET", "/api/v1/kb/version", None),
    ("GET", "/api/v1/entities/huawei", None),
    ("GET", "/api/v1/regimes", None),
    ("GET", "/api/v1/regimes/de-5g-bsig-9b-2024", None),
    ("GET", "/api/v1/me", None),
    ("GET", "/api/v1/decisions", None),
    ("POST", "/api/v1/decisions", DECISION),
    ("GET", "/api/v1/audit", None),
    ("GET", "/api/v1/users", None),
    ("POST", "/api/v1/users", {"email": "new@acme.example", "name": "New", "role": "viewer"}),
    ("POST", "/api/v1/keys", {"label": "ci"}),
]


@pytest.mark.parametrize(
    ("method", "path", "body"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in ENDPOINTS]
)
def test_every_endpoint_needs_credentials(
    client: TestClient, store: StateStore, method: str, path: str, body: dict[str, Any] | None
) -> None:
    r = client.request(method, path, json=body)
    problem = assert_problem(r, 401, "DR601")
    assert problem["instance"] == path
    assert rows_in(store) == (0, 0)


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer drk_not_a_key"},
        {"X-API-Key": "drk_not_a_key"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ],
    ids=["bearer", "x-api-key", "empty-bearer", "basic"],
)
def test_a_wrong_key_is_401(client: TestClient, headers: dict[str, str]) -> None:
    assert_problem(client.get("/api/v1/me", headers=headers), 401, "DR601")


def test_both_key_headers_work_and_a_revoked_key_stops(
    client: TestClient, accounts: Accounts, store: StateStore
) -> None:
    admin = member(accounts, "admin")
    analyst = member(accounts, "analyst")
    key, info = store.create_api_key(None, analyst.user, "temporary")
    for headers in ({"Authorization": f"Bearer {key}"}, {"X-API-Key": key}):
        r = client.get("/api/v1/me", headers=headers)
        assert r.status_code == 200, r.text
        assert r.json()["email"] == analyst.user.email
        assert r.json()["authenticated_by"] == "api_key"
    store.revoke_api_key(admin.user, info.id)
    body = assert_problem(client.get("/api/v1/me", headers={"X-API-Key": key}), 401, "DR601")
    assert "revoked" in body["detail"]
    # The user's other key still works.
    assert client.get("/api/v1/me", headers=analyst.headers).status_code == 200


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/screen", {"records": [{"vendor": "Huawei"}], "profile": {"countries": ["DE"]}}),
        ("/api/v1/plan", PLAN_RECORDS),
        ("/api/v1/decisions", DECISION),
    ],
)
def test_a_viewer_cannot_change_anything(
    client: TestClient, accounts: Accounts, store: StateStore, path: str, body: dict[str, Any]
) -> None:
    viewer = member(accounts, "viewer")
    problem = assert_problem(client.post(path, headers=viewer.headers, json=body), 403, "DR602")
    assert "analyst" in problem["detail"]
    assert rows_in(store) == (0, 0)
    assert store.decisions(viewer.user.tenant_id) == []


def test_a_viewer_may_read(client: TestClient, accounts: Accounts) -> None:
    viewer = member(accounts, "viewer")
    for path in ("/api/v1/runs", "/api/v1/decisions", "/api/v1/kb/version", "/api/v1/regimes"):
        assert client.get(path, headers=viewer.headers).status_code == 200, path
    r = client.post("/api/v1/match", headers=viewer.headers, json={"names": ["ZTE"]})
    assert r.status_code == 200


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_only_admins_manage_users_and_read_the_audit_log(
    client: TestClient, accounts: Accounts, store: StateStore, role: str
) -> None:
    caller = member(accounts, role)
    other = member(accounts, "viewer")
    h = caller.headers
    assert_problem(client.get("/api/v1/audit", headers=h), 403, "DR602")
    assert_problem(client.get("/api/v1/users", headers=h), 403, "DR602")
    new = {"email": "mallory@acme.example", "name": "Mallory", "role": "admin"}
    assert_problem(client.post("/api/v1/users", headers=h, json=new), 403, "DR602")
    assert store.users_by_email("mallory@acme.example") == []
    body = {"label": "theirs", "user_id": other.user.id}
    assert_problem(client.post("/api/v1/keys", headers=h, json=body), 403, "DR602")
    # A key for oneself is fine (user_id may name oneself too).
    for mine in ({"label": "mine"}, {"label": "mine too", "user_id": caller.user.id}):
        r = client.post("/api/v1/keys", headers=h, json=mine)
        assert r.status_code == 201, r.text
        assert r.json()["user"] == caller.user.email


def test_session_cookie_needs_the_csrf_token_to_change_state(
    client: TestClient, accounts: Accounts, store: StateStore
) -> None:
    analyst = member(accounts, "analyst")
    token, csrf = store.create_session(analyst.user, 1)
    client.cookies.set(SESSION_COOKIE, token)
    me = client.get("/api/v1/me")  # reading needs no token
    assert me.status_code == 200, me.text
    assert me.json()["email"] == analyst.user.email
    assert me.json()["authenticated_by"] == "session"

    assert_problem(client.post("/api/v1/decisions", json=DECISION), 403, "DR602")
    wrong = {"X-CSRF-Token": csrf[:-1] + ("x" if csrf[-1] != "x" else "y")}
    assert_problem(client.post("/api/v1/decisions", json=DECISION, headers=wrong), 403, "DR602")
    r = screen_csv(client, {}, SMALL)
    assert_problem(r, 403, "DR602")
    assert store.decisions(analyst.user.tenant_id) == []
    assert rows_in(store) == (0, 0)

    ok = client.post("/api/v1/decisions", json=DECISION, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201, ok.text
    assert ok.json()["decided_by"] == analyst.user.email
    assert screen_csv(client, {"X-CSRF-Token": csrf}, SMALL).status_code == 201
    assert rows_in(store) == (1, 1)


def test_an_unknown_or_ended_session_is_401(
    client: TestClient, accounts: Accounts, store: StateStore
) -> None:
    analyst = member(accounts, "analyst")
    client.cookies.set(SESSION_COOKIE, "not-a-session")
    assert_problem(client.get("/api/v1/me"), 401, "DR601")
    token, _ = store.create_session(analyst.user, 1)
    client.cookies.set(SESSION_COOKIE, token)
    assert client.get("/api/v1/me").status_code == 200
    store.end_session(analyst.user, token)
    assert_problem(client.get("/api/v1/me"), 401, "DR601")


def test_tenants_see_only_their_own_runs(
    client: TestClient, accounts: Accounts, store: StateStore
) -> None:
    alice = member(accounts, "analyst", tenant="acme")
    bob = member(accounts, "analyst", tenant="globex")
    bob_admin = member(accounts, "admin", tenant="globex")
    r = screen_csv(client, alice.headers, SMALL)
    assert r.status_code == 201, r.text
    run_id = r.json()["run_id"]
    assert client.get(f"/api/v1/runs/{run_id}", headers=alice.headers).status_code == 200

    for path in (
        f"/api/v1/runs/{run_id}",
        f"/api/v1/runs/{run_id}/report.json",
        f"/api/v1/runs/{run_id}/report.csv",
        f"/api/v1/runs/{run_id}/report.html",
    ):
        assert_problem(client.get(path, headers=bob.headers), 404, "DR603")
    plan = {"run_id": run_id, "resources": {"fx": {"USD": 0.96}}, "time_limit": 2}
    assert_problem(client.post("/api/v1/plan", headers=bob.headers, json=plan), 404, "DR603")
    decision = DECISION | {"run_id": run_id, "record_id": "R1"}
    r = client.post("/api/v1/decisions", headers=bob.headers, json=decision)
    assert_problem(r, 404, "DR603")
    assert store.decisions(bob.user.tenant_id) == []
    assert rows_in(store) == (1, 1)  # nothing was planned from alice's run

    assert client.get("/api/v1/runs", headers=bob.headers).json()["runs"] == []
    own = screen_csv(client, bob.headers, SMALL).json()["run_id"]
    listed = client.get("/api/v1/runs", headers=bob.headers).json()["runs"]
    assert [run["id"] for run in listed] == [own]
    assert [
        run["id"] for run in client.get("/api/v1/runs", headers=alice.headers).json()["runs"]
    ] == [run_id]
    # The other tenant's audit log holds nothing of acme's.
    entries = client.get("/api/v1/audit", headers=bob_admin.headers).json()["entries"]
    assert entries and all(e["actor"] != alice.user.email for e in entries)
    assert all(run_id not in e["target"] for e in entries)
