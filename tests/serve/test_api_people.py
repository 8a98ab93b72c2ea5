"""``/me``, analyst decisions (recorded, audited, applied to later screens of the tenant),
users and API keys."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.serve.apicheck import SMALL, assert_problem, member, screen_csv
from tests.serve.support import Account, Accounts

from derisk.serve.db.store import StateStore
from derisk.serve.engine import Engine

# One record naming Huawei in a German 5G core: overdue on 2027-01-01 (deadline 2026-12-31).
ONE = b"id,vendor,domain,technology\nR1,Huawei Technologies,core,5g\n"


def test_me_is_the_caller(client: TestClient, accounts: Accounts) -> None:
    analyst = member(accounts, "analyst", tenant="acme")
    r = client.get("/api/v1/me", headers=analyst.headers)
    assert r.status_code == 200
    assert r.json() == {
        "id": analyst.user.id,
        "email": analyst.user.email,
        "name": "Analyst",
        "role": "analyst",
        "tenant": "acme",
        "active": True,
        "authenticated_by": "api_key",
    }


def test_decisions_are_recorded_listed_and_audited(
    client: TestClient, accounts: Accounts, engine: Engine
) -> None:
    analyst = member(accounts, "analyst")
    viewer = member(accounts, "viewer")
    admin = member(accounts, "admin")
    run_id = screen_csv(client, analyst.headers, SMALL).json()["run_id"]
    confirm = {
        "input_name": "Huawei",
        "entity_id": "huawei",
        "action": "confirm",
        "reason": "the invoices name Huawei Technologies Co., Ltd.",
        "run_id": run_id,
        "record_id": "R1",
    }
    r = client.post("/api/v1/decisions", headers=analyst.headers, json=confirm)
    assert r.status_code == 201, r.text
    made = r.json()
    assert {k: made[k] for k in ("input_name", "entity_id", "action", "reason")} == {
        k: confirm[k] for k in ("input_name", "entity_id", "action", "reason")
    }
    assert made["decided_by"] == analyst.user.email
    assert made["kb_version"] == engine.kb.version
    dismiss = {
        "input_name": "ZTE Deutschland",
        "entity_id": "zte",
        "action": "dismiss",
        "reason": "  a reseller, not ZTE  ",
    }
    assert (
        client.post("/api/v1/decisions", headers=analyst.headers, json=dismiss).status_code == 201
    )

    listed = client.get("/api/v1/decisions", headers=viewer.headers).json()["decisions"]
    assert [(d["input_name"], d["action"]) for d in listed] == [
        ("Huawei", "confirm"),
        ("ZTE Deutschland", "dismiss"),
    ]
    assert listed[1]["reason"] == "a reseller, not ZTE"  # trimmed
    # Where each was taken: the first on a record of a run, the second on neither.
    assert [(d["run_id"], d["record_id"]) for d in listed] == [(run_id, "R1"), (None, None)]
    assert listed[0]["id"] < listed[1]["id"]

    entries = client.get("/api/v1/audit", headers=admin.headers).json()["entries"]
    decisions = [e for e in entries if e["action"].startswith("decision.")]
    assert [(e["action"], e["actor"]) for e in decisions] == [  # newest first
        ("decision.dismiss", analyst.user.email),
        ("decision.confirm", analyst.user.email),
    ]
    assert decisions[1]["detail"]["run_id"] == run_id
    assert decisions[1]["detail"]["entity_id"] == "huawei"
    actions = {e["action"] for e in entries}
    assert {"run.screen", "inventory.upload", "user.create", "api_key.create"} <= actions
    latest = client.get("/api/v1/audit?limit=1", headers=admin.headers).json()["entries"]
    assert [e["action"] for e in latest] == ["decision.dismiss"]


@pytest.mark.parametrize(
    ("change", "status", "code", "words"),
    [
        ({"entity_id": "no-such-company"}, 404, "DR603", "no-such-company"),
        ({"run_id": "0123456789abcdef"}, 404, "DR603", "run"),
        ({"action": "maybe"}, 422, "DR606", "action"),
        ({"reason": "   "}, 422, "DR606", "reason"),
        ({"input_name": ""}, 422, "DR606", "input_name"),
        ({"input_name": "x" * 501}, 422, "DR606", "input_name"),
        ({"reason": None}, 422, "DR606", "reason"),
        ({"decided_by": "someone else"}, 422, "DR606", "decided_by"),
    ],
)
def test_a_bad_decision_is_refused_and_not_stored(
    client: TestClient,
    accounts: Accounts,
    store: StateStore,
    change: dict[str, Any],
    status: int,
    code: str,
    words: str,
) -> None:
    analyst = member(accounts, "analyst")
    body = {"input_name": "Huawei", "entity_id": "huawei", "action": "confirm", "reason": "r"}
    r = client.post("/api/v1/decisions", headers=analyst.headers, json=body | change)
    assert words in assert_problem(r, status, code)["detail"]
    assert store.decisions(analyst.user.tenant_id) == []


def findings(client: TestClient, who: Account, content: bytes) -> dict[str, Any]:
    r = screen_csv(client, who.headers, content)
    assert r.status_code == 201, r.text
    document: dict[str, Any] = r.json()["document"]
    return document


def test_a_dismissal_drops_the_finding_for_the_tenant_only(
    client: TestClient, accounts: Accounts
) -> None:
    analyst = member(accounts, "analyst", tenant="acme")
    other = member(accounts, "analyst", tenant="globex")
    before = findings(client, analyst, ONE)
    assert ("R1", "huawei", "overdue") in {
        (f["record_id"], f["entity_id"], f["status"]) for f in before["findings"]
    }
    decision = {
        "input_name": "huawei technologies",  # folded: the inventory's spelling differs
        "entity_id": "huawei",
        "action": "dismiss",
        "reason": "our own test lab's brand, not the Chinese company",
    }
    assert (
        client.post("/api/v1/decisions", headers=analyst.headers, json=decision).status_code == 201
    )

    after = findings(client, analyst, ONE)
    assert after["findings"] == []
    assert after["clear"] == ["R1"]
    [dismissed] = after["dismissed"]
    assert dismissed["record_id"] == "R1"
    assert dismissed["entity_id"] == "huawei"
    assert dismissed["decided_by"] == analyst.user.email
    assert dismissed["reason"] == decision["reason"]
    # Another tenant's screening does not see acme's decisions.
    theirs = findings(client, other, ONE)
    assert "dismissed" not in theirs
    assert {f["entity_id"] for f in theirs["findings"]} == {"huawei"}


def test_a_confirmation_makes_an_unknown_name_a_finding(
    client: TestClient, accounts: Accounts
) -> None:
    analyst = member(accounts, "analyst")
    content = b"id,vendor,domain,technology\nR1,Shenzhen Widget Trading,core,5g\n"
    assert findings(client, analyst, content)["findings"] == []
    decision = {
        "input_name": "Shenzhen Widget Trading",
        "entity_id": "huawei",
        "action": "confirm",
        "reason": "relabelled Huawei core equipment",
    }
    assert (
        client.post("/api/v1/decisions", headers=analyst.headers, json=decision).status_code == 201
    )
    flagged = findings(client, analyst, content)["findings"]
    core = [f for f in flagged if f["status"] == "overdue"]
    assert [(f["record_id"], f["entity_id"], f["match_method"]) for f in core] == [
        ("R1", "huawei", "decision")
    ]
    assert analyst.user.email in core[0]["decision"]


# --- users and keys --------------------------------------------------------------------


def test_an_admin_creates_a_user_who_can_log_in(
    client: TestClient, accounts: Accounts, store: StateStore
) -> None:
    admin = member(accounts, "admin", tenant="acme")
    body = {
        "email": "Alice@Acme.example",
        "name": "Alice",
        "role": "analyst",
        "password": "a long passphrase",
    }
    r = client.post("/api/v1/users", headers=admin.headers, json=body)
    assert r.status_code == 201, r.text
    made = r.json()
    assert (made["email"], made["role"], made["tenant"]) == (
        "alice@acme.example",
        "analyst",
        "acme",
    )
    user = store.authenticate("alice@acme.example", "a long passphrase")
    assert user is not None and user.id == made["id"]
    assert user.tenant_id == admin.user.tenant_id and user.role == "analyst"
    assert store.authenticate("alice@acme.example", "a wrong passphrase") is None

    users = client.get("/api/v1/users", headers=admin.headers).json()["users"]
    assert {u["email"] for u in users} == {admin.user.email, "alice@acme.example"}
    again = body | {"email": "ALICE@acme.example", "role": "viewer"}
    r = client.post("/api/v1/users", headers=admin.headers, json=again)
    assert "alice@acme.example" in assert_problem(r, 409, "DR604")["detail"]
    entries = client.get("/api/v1/audit", headers=admin.headers).json()["entries"]
    created = [
        e for e in entries if e["action"] == "user.create" and e["actor"] == admin.user.email
    ]
    assert [e["detail"]["email"] for e in created] == ["alice@acme.example"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"role": "root"}, "role"),
        ({"email": "alice"}, "email"),
        ({"password": "short"}, "password"),
        ({"name": "  "}, "name"),
        ({"tenant": "globex"}, "tenant"),
    ],
)
def test_a_bad_user_is_422(
    client: TestClient, accounts: Accounts, store: StateStore, change: dict[str, Any], field: str
) -> None:
    admin = member(accounts, "admin")
    body = {"email": "bob@acme.example", "name": "Bob", "role": "viewer"} | change
    r = client.post("/api/v1/users", headers=admin.headers, json=body)
    assert field in assert_problem(r, 422, "DR606")["detail"]
    assert store.users_by_email("bob@acme.example") == []


def test_a_new_key_works_and_is_shown_only_once(
    client: TestClient, accounts: Accounts, store: StateStore
) -> None:
    viewer = member(accounts, "viewer")
    admin = member(accounts, "admin")
    r = client.post("/api/v1/keys", headers=viewer.headers, json={"label": "laptop"})
    assert r.status_code == 201, r.text
    made = r.json()
    key = made["key"]
    assert key.startswith("drk_") and key.startswith(made["prefix"]) and key != made["prefix"]
    assert (made["label"], made["user"]) == ("laptop", viewer.user.email)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200 and me.json()["email"] == viewer.user.email
    # Nothing the API shows later holds the key.
    for path in ("/api/v1/audit", "/api/v1/users", "/api/v1/me", "/api/v1/runs"):
        text = client.get(path, headers=admin.headers).text
        assert key not in text, path
    entries = client.get("/api/v1/audit", headers=admin.headers).json()["entries"]
    assert made["prefix"] in json.dumps(entries)  # the prefix identifies it
    r = client.post("/api/v1/keys", headers=viewer.headers, json={"label": " "})
    assert "label" in assert_problem(r, 422, "DR606")["detail"]


def test_an_admin_makes_keys_for_users_of_the_tenant_only(
    client: TestClient, accounts: Accounts
) -> None:
    admin = member(accounts, "admin", tenant="acme")
    analyst = member(accounts, "analyst", tenant="acme")
    stranger = member(accounts, "analyst", tenant="globex")
    body = {"label": "pipeline", "user_id": analyst.user.id}
    r = client.post("/api/v1/keys", headers=admin.headers, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["user"] == analyst.user.email
    me = client.get("/api/v1/me", headers={"X-API-Key": r.json()["key"]}).json()
    assert (me["email"], me["role"]) == (analyst.user.email, "analyst")
    for user_id in (stranger.user.id, 999_999):
        r = client.post("/api/v1/keys", headers=admin.headers, json=body | {"user_id": user_id})
        assert_problem(r, 404, "DR603")
    for user_id in (0, -1, 2**31, 10**20):  # no such ids, nor ids the database can hold
        r = client.post("/api/v1/keys", headers=admin.headers, json=body | {"user_id": user_id})
        assert "user_id" in assert_problem(r, 422, "DR606")["detail"]


def test_keys_are_listed_without_the_secret_and_revoked_by_their_owner_or_an_admin(
    client: TestClient, accounts: Accounts, store: StateStore
) -> None:
    analyst = member(accounts, "analyst")
    other = member(accounts, "analyst")
    admin = member(accounts, "admin")
    outsider = member(accounts, "admin", tenant="globex")
    made = client.post("/api/v1/keys", headers=analyst.headers, json={"label": "ci job"})
    assert made.status_code == 201
    secret = made.json()["key"]

    listed = client.get("/api/v1/keys", headers=analyst.headers)
    assert listed.status_code == 200
    mine = listed.json()["keys"]
    # The member's first key and the one just made; nobody else's, and never a secret.
    assert [k["label"] for k in mine] == ["test", "ci job"]
    assert {k["user"] for k in mine} == {analyst.user.email}
    assert secret not in listed.text and analyst.key not in listed.text
    assert all(k["revoked_at"] is None and k["created_at"].endswith("Z") for k in mine)
    everyone = client.get("/api/v1/keys", headers=admin.headers).json()["keys"]
    assert {k["user"] for k in everyone} == {
        analyst.user.email,
        other.user.email,
        admin.user.email,
    }

    new_id = mine[1]["id"]
    assert_problem(
        client.delete(f"/api/v1/keys/{new_id}", headers=other.headers), 403, "DR602"
    )  # another analyst
    assert_problem(
        client.delete(f"/api/v1/keys/{new_id}", headers=outsider.headers), 404, "DR603"
    )  # another tenant
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    )
    gone = client.delete(f"/api/v1/keys/{new_id}", headers=analyst.headers)
    assert gone.status_code == 204
    assert_problem(
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}), 401, "DR601"
    )
    revoked = client.get("/api/v1/keys", headers=analyst.headers).json()["keys"][1]
    assert revoked["revoked_at"] is not None
    # An admin revokes the other analyst's key; both revocations are in the audit log.
    other_key = client.get("/api/v1/keys", headers=other.headers).json()["keys"][0]["id"]
    assert client.delete(f"/api/v1/keys/{other_key}", headers=admin.headers).status_code == 204
    assert_problem(client.get("/api/v1/me", headers=other.headers), 401, "DR601")
    actions = [(e.action, e.actor, e.target) for e in store.audit_entries(admin.user.tenant_id)]
    assert ("api_key.revoke", analyst.user.email, f"api_key:{new_id}") in actions
    assert ("api_key.revoke", admin.user.email, f"api_key:{other_key}") in actions
