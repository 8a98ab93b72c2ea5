"""The data layer's contract, the same on SQLite and PostgreSQL: every test that takes the
``store`` (or ``database_url``) fixture runs on both backends, with identical expectations.

Ids are predictable because each test gets a fresh database: tenants, users, API keys and
decisions are numbered from 1 in the order they are made, on both backends.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.decisions import Decision, DecisionSet
from derisk.serve.db.connect import create_engine, write_transaction
from derisk.serve.db.migrate import alembic_config, current_revision, head_revision
from derisk.serve.db.records import User
from derisk.serve.db.schema import (
    api_keys,
    audit_log,
    decisions,
    metadata,
    runs,
    sessions,
    users,
)
from derisk.serve.db.store import StateStore

PASSWORD = "correct horse battery"
TABLES = [
    "alembic_version",
    "api_keys",
    "audit_log",
    "decisions",
    "inventories",
    "runs",
    "sessions",
    "tenants",
    "users",
]


# --- helpers --------------------------------------------------------------------------------


def make_user(
    store: StateStore,
    email: str,
    *,
    role: str = "analyst",
    tenant: str = "acme",
    password: str | None = PASSWORD,
    actor: User | None = None,
) -> User:
    tid = store.tenant_id(tenant) or store.create_tenant(tenant)
    return store.create_user(
        actor, tenant_id=tid, email=email, name=email.split("@")[0], role=role, password=password
    )


def add_run(store: StateStore, user: User, kind: str = "screen", **extra: Any) -> str:
    return store.add_run(
        user,
        kind=kind,
        inventory_id=extra.get("inventory_id"),
        profile={"countries": ["DE"], "sector": "telecom"},
        as_of=date(2027, 1, 1),
        kb_version="kb-test-1",
        summary={"records": 3, "listed": 1},
        document='{"schema": "derisk.screen/1"}',
    )


def rows(store: StateStore, table: sa.Table) -> list[dict[str, Any]]:
    with store.engine.connect() as con:
        found = con.execute(sa.select(table).order_by(table.c.id)).all()
    return [dict(r._mapping) for r in found]


def count(store: StateStore, table: sa.Table) -> int:
    with store.engine.connect() as con:
        return int(con.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def table_names(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        return sorted(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def is_utc(value: datetime) -> bool:
    return value.tzinfo is not None and value.utcoffset() == timedelta(0)


# --- tenants and users ----------------------------------------------------------------------


def test_tenants_are_numbered_and_unique_by_name(store: StateStore) -> None:
    assert store.create_tenant("acme") == 1
    assert store.create_tenant("globex") == 2
    assert store.tenant_id("acme") == 1
    assert store.tenant_id("globex") == 2
    assert store.tenant_id("initech") is None
    with pytest.raises(DeriskError) as caught:
        store.create_tenant("acme")
    assert caught.value.code is ErrorCode.CONFLICT  # DR604


def test_user_emails_are_case_folded_and_unique_across_tenants(store: StateStore) -> None:
    alice = make_user(store, "  Alice@Example.COM ", role="admin")
    assert alice == User(1, 1, "acme", "alice@example.com", "  Alice", "admin", True)
    with pytest.raises(DeriskError) as caught:
        make_user(store, "ALICE@example.com", tenant="globex")
    assert caught.value.code is ErrorCode.CONFLICT  # DR604, even in another tenant
    assert caught.value.code.value == "DR604"
    assert store.users_by_email("alice@EXAMPLE.com") == [alice]
    assert store.user(1) == alice
    assert store.user(2) is None
    assert store.users(1) == [alice]
    assert store.users(store.tenant_id("globex") or -1) == []  # the tenant was made, no user
    assert [r["email"] for r in rows(store, users)] == ["alice@example.com"]


def test_a_bad_role_is_refused_and_nothing_is_written(store: StateStore) -> None:
    tid = store.create_tenant("acme")
    for role in ("root", "Admin", ""):
        with pytest.raises(DeriskError) as caught:
            store.create_user(
                None, tenant_id=tid, email="x@y.z", name="X", role=role, password=None
            )
        assert caught.value.code is ErrorCode.REQUEST_INVALID  # DR606
        assert caught.value.code.value == "DR606"
    assert store.users(tid) == []
    assert count(store, audit_log) == 1  # only tenant.create
    # The database's own check refuses a role the data layer would not write anyway.
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as con:
        con.execute(
            users.insert().values(
                tenant_id=tid,
                email="r@y.z",
                name="R",
                role="root",
                active=True,
                created_at=datetime.now(UTC),
            )
        )
    assert count(store, users) == 0


def test_a_user_of_an_unknown_tenant_is_refused(store: StateStore) -> None:
    with pytest.raises(DeriskError) as caught:
        store.create_user(None, tenant_id=42, email="x@y.z", name="X", role="viewer", password=None)
    assert caught.value.code is ErrorCode.CONFLICT  # the foreign key, on both backends
    assert count(store, users) == 0
    assert count(store, audit_log) == 0


def test_password_authentication(store: StateStore) -> None:
    bob = make_user(store, "bob@acme.example")
    nopass = make_user(store, "carol@acme.example", password=None)
    assert store.authenticate("bob@acme.example", PASSWORD) == bob
    assert store.authenticate(" BOB@Acme.Example ", PASSWORD) == bob
    assert store.authenticate("bob@acme.example", PASSWORD.upper()) is None
    assert store.authenticate("bob@acme.example", "") is None
    assert store.authenticate("nobody@acme.example", PASSWORD) is None
    assert store.authenticate("carol@acme.example", "") is None
    assert store.authenticate("carol@acme.example", PASSWORD) is None
    assert nopass.active

    inactive = store.set_active(None, bob.id, False)
    assert inactive.active is False
    assert store.authenticate("bob@acme.example", PASSWORD) is None
    assert store.set_active(None, bob.id, True) == bob
    assert store.authenticate("bob@acme.example", PASSWORD) == bob


def test_passwords_are_stored_as_argon2id_hashes(store: StateStore) -> None:
    make_user(store, "bob@acme.example")
    (row,) = rows(store, users)
    assert row["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in row["password_hash"]


def test_set_active_stays_inside_the_tenant(store: StateStore) -> None:
    admin = make_user(store, "admin@acme.example", role="admin")
    other = make_user(store, "bo@globex.example", tenant="globex")
    with pytest.raises(DeriskError) as caught:
        store.set_active(admin, other.id, False)
    assert caught.value.code is ErrorCode.NOT_FOUND
    with pytest.raises(DeriskError) as caught:
        store.set_active(admin, 99, False)
    assert caught.value.code is ErrorCode.NOT_FOUND
    assert store.user(other.id) == other  # still active


# --- API keys and sessions ------------------------------------------------------------------


def test_api_keys_are_stored_only_as_their_sha256(store: StateStore) -> None:
    bob = make_user(store, "bob@acme.example")
    key, info = store.create_api_key(None, bob, "ci")
    assert key.startswith("drk_")
    assert len(key) == 4 + 43  # drk_ and 32 random bytes, url-safe base64 without padding
    assert (info.id, info.user_id, info.prefix, info.label) == (1, bob.id, key[:12], "ci")
    assert is_utc(info.created_at)
    assert info.revoked_at is None

    (row,) = rows(store, api_keys)
    assert row["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert row["prefix"] == key[:12]
    assert all(key not in str(value) for value in row.values())
    assert all(key not in str(entry) for entry in rows(store, audit_log))

    assert store.user_for_api_key(key) == bob
    assert store.user_for_api_key(key + "x") is None
    assert store.user_for_api_key(row["key_hash"]) is None  # the hash is not a key
    assert store.user_for_api_key("") is None


def test_a_revoked_key_no_longer_authenticates(store: StateStore) -> None:
    admin = make_user(store, "admin@acme.example", role="admin")
    intruder = make_user(store, "admin@globex.example", role="admin", tenant="globex")
    key, info = store.create_api_key(None, admin, "ci")
    kept, _ = store.create_api_key(None, admin, "kept")

    with pytest.raises(DeriskError) as caught:
        store.revoke_api_key(intruder, info.id)  # another tenant's key is not found
    assert caught.value.code is ErrorCode.NOT_FOUND
    with pytest.raises(DeriskError) as caught:
        store.revoke_api_key(admin, 99)
    assert caught.value.code is ErrorCode.NOT_FOUND
    assert store.user_for_api_key(key) == admin

    before = datetime.now(UTC)
    store.revoke_api_key(admin, info.id)
    assert store.user_for_api_key(key) is None
    assert store.user_for_api_key(kept) == admin  # only that key
    revoked = [r["revoked_at"] for r in rows(store, api_keys)]
    assert revoked[1] is None
    assert is_utc(revoked[0])
    assert before <= revoked[0] <= datetime.now(UTC)


def test_an_inactive_users_key_and_session_do_not_authenticate(store: StateStore) -> None:
    bob = make_user(store, "bob@acme.example")
    key, _ = store.create_api_key(None, bob, "ci")
    token, _ = store.create_session(bob, 12)
    store.set_active(None, bob.id, False)
    assert store.user_for_api_key(key) is None
    assert store.session_user(token) is None
    store.set_active(None, bob.id, True)
    assert store.user_for_api_key(key) == bob
    assert store.session_user(token) is not None


def test_sessions_expire_and_logout_deletes_them(store: StateStore) -> None:
    bob = make_user(store, "bob@acme.example")
    before = datetime.now(UTC)
    token, csrf = store.create_session(bob, 12)
    assert token != csrf
    assert store.session_user(token) == (bob, csrf)
    assert store.session_user(csrf) is None
    assert store.session_user(token + "x") is None

    (row,) = rows(store, sessions)
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert all(token not in str(value) for value in row.values())
    assert is_utc(row["created_at"]) and is_utc(row["expires_at"])
    assert before <= row["created_at"] <= datetime.now(UTC)
    assert row["expires_at"] - row["created_at"] == timedelta(hours=12)

    zero, _ = store.create_session(bob, 0)  # expires as it is made
    assert store.session_user(zero) is None
    past, _ = store.create_session(bob, -1)
    assert store.session_user(past) is None

    # A session whose expiry has passed since it was made is refused too.
    late, _ = store.create_session(bob, 12)
    with store.engine.begin() as con:
        con.execute(
            sessions.update()
            .where(sessions.c.token_hash == hashlib.sha256(late.encode()).hexdigest())
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert store.session_user(late) is None

    store.end_session(bob, token)
    assert store.session_user(token) is None
    assert count(store, sessions) == 3  # zero, past and late; the logged-out one is gone


# --- inventories and runs -------------------------------------------------------------------


def test_inventories_and_runs_belong_to_their_tenant(store: StateStore) -> None:
    ana = make_user(store, "ana@acme.example")
    bo = make_user(store, "bo@globex.example", tenant="globex")
    content = b"id,vendor,model\nR1,Huawei,BBU5900\n"
    before = datetime.now(UTC)
    iid = store.add_inventory(ana, "inventory.csv", content)
    rid = add_run(store, ana, inventory_id=iid)
    after = datetime.now(UTC)

    inventory = store.inventory(ana.tenant_id, iid)
    assert inventory is not None
    assert (inventory.id, inventory.tenant_id, inventory.filename) == (iid, 1, "inventory.csv")
    assert inventory.sha256 == hashlib.sha256(content).hexdigest()
    assert (inventory.size, inventory.content) == (34, content)
    assert is_utc(inventory.created_at)
    assert before <= inventory.created_at <= after
    assert store.inventory(bo.tenant_id, iid) is None

    run = store.run(ana.tenant_id, rid)
    assert run is not None
    assert (run.id, run.tenant_id, run.kind, run.inventory_id) == (rid, 1, "screen", iid)
    assert run.profile == {"countries": ["DE"], "sector": "telecom"}
    assert run.as_of == date(2027, 1, 1)
    assert run.kb_version == "kb-test-1"
    assert run.summary == {"records": 3, "listed": 1}
    assert run.document == '{"schema": "derisk.screen/1"}'
    assert run.created_by == "ana@acme.example"
    assert is_utc(run.created_at)
    assert before <= run.created_at <= after
    assert store.run(ana.tenant_id, rid, with_document=False) == dataclasses.replace(
        run, document=None
    )

    assert store.run(bo.tenant_id, rid) is None  # tenant isolation
    assert store.runs(bo.tenant_id) == []
    assert store.run(ana.tenant_id, "0" * 32) is None
    assert store.run(ana.tenant_id, "not-a-run-id") is None
    assert store.run(ana.tenant_id, rid.upper()) is None
    assert store.inventory(ana.tenant_id, "\x00") is None


def test_run_documents_are_stored_gzip_compressed(store: StateStore) -> None:
    ana = make_user(store, "ana@acme.example")
    # A screening repeats the same explanation for every record it flags.
    text = json.dumps({"findings": [{"explanation": "on the Entity List since 2019"}] * 5000})
    rid = store.add_run(
        ana, kind="screen", inventory_id=None, profile={"countries": ["DE"]},
        as_of=date(2027, 1, 1), kb_version="k", summary={}, document=text,
    )  # fmt: skip
    (raw,) = [r["document"] for r in rows(store, runs)]
    assert bytes(raw[:2]) == b"\x1f\x8b"  # the gzip magic number
    assert len(raw) * 50 < len(text.encode("utf-8"))
    assert gzip.decompress(bytes(raw)).decode("utf-8") == text
    found = store.run(ana.tenant_id, rid)
    assert found is not None and found.document == text


def test_runs_are_listed_newest_first_and_only_the_tenants(store: StateStore) -> None:
    ana = make_user(store, "ana@acme.example")
    bo = make_user(store, "bo@globex.example", tenant="globex")
    r1 = add_run(store, ana, "screen")
    rb = add_run(store, bo, "screen")
    r2 = add_run(store, ana, "plan")
    r3 = add_run(store, ana, "screen")

    listed = store.runs(ana.tenant_id)
    assert [r.id for r in listed] == [r3, r2, r1]
    assert all(r.document is None for r in listed)  # listings leave the documents out
    assert [r.kind for r in listed] == ["screen", "plan", "screen"]
    assert [r.id for r in store.runs(ana.tenant_id, kind="screen")] == [r3, r1]
    assert [r.id for r in store.runs(ana.tenant_id, kind="plan")] == [r2]
    assert [r.id for r in store.runs(ana.tenant_id, limit=2)] == [r3, r2]
    assert [r.id for r in store.runs(bo.tenant_id)] == [rb]


def test_a_file_name_too_long_for_the_column_is_refused(store: StateStore) -> None:
    ana = make_user(store, "ana@acme.example")
    assert store.add_inventory(ana, "x" * 251 + ".csv", b"a")  # 255 characters: fits
    with pytest.raises(DeriskError) as caught:
        store.add_inventory(ana, "x" * 252 + ".csv", b"a")
    assert caught.value.code is ErrorCode.REQUEST_INVALID


# --- decisions ------------------------------------------------------------------------------


def test_decisions_round_trip_into_a_decision_set(store: StateStore) -> None:
    ana = make_user(store, "ana@acme.example")
    bo = make_user(store, "bo@globex.example", tenant="globex")
    rid = add_run(store, ana)
    before = datetime.now(UTC)
    confirmed = store.add_decision(
        ana,
        input_name="HUAWEI Tech.",
        entity_id="huawei",
        action="confirm",
        reason="same company",
        kb_version="kb-test-1",
        run_id=rid,
        record_id="R1",
    )
    after = datetime.now(UTC)
    assert confirmed == Decision(
        input_name="HUAWEI Tech.",
        key="huawei tech",
        entity_id="huawei",
        action="confirm",
        reason="same company",
        decided_by="ana@acme.example",
        decided_at=confirmed.decided_at,
        kb_version="kb-test-1",
    )
    assert before <= confirmed.decided_at <= after
    stored = store.decisions(ana.tenant_id)
    assert stored == [confirmed]  # every field, the time to the microsecond
    assert is_utc(stored[0].decided_at)
    assert store.decisions(bo.tenant_id) == []

    found = DecisionSet(stored).lookup("huawei tech")
    assert found == ([confirmed], [])
    assert DecisionSet(stored).lookup("ZTE") == ([], [])

    (row,) = rows(store, decisions)
    assert (row["tenant_id"], row["user_id"], row["run_id"], row["record_id"]) == (
        1,
        ana.id,
        rid,
        "R1",
    )

    # A later decision on the same name and entity supersedes it; both stay in the history.
    dismissed = store.add_decision(
        ana,
        input_name="huawei  tech",
        entity_id="huawei",
        action="dismiss",
        reason="a different Huawei Tech",
        kb_version="kb-test-1",
    )
    history = store.decisions(ana.tenant_id)
    assert history == [confirmed, dismissed]
    assert DecisionSet(history).lookup("Huawei Tech.") == ([], [dismissed])


def test_a_decision_with_unusable_text_is_refused(store: StateStore) -> None:
    ana = make_user(store, "ana@acme.example")
    entries = count(store, audit_log)
    for field, value in (("input_name", "!!!"), ("reason", "   "), ("entity_id", "")):
        args = {"input_name": "Huawei", "entity_id": "huawei", "reason": "same", field: value}
        with pytest.raises(DeriskError) as caught:
            store.add_decision(ana, action="confirm", kb_version="kb", **args)
        assert caught.value.code is ErrorCode.REQUEST_INVALID
        assert caught.value.message.startswith(f"{field}: ")
    assert store.decisions(ana.tenant_id) == []
    assert count(store, audit_log) == entries


# --- the audit log --------------------------------------------------------------------------


def test_every_change_writes_exactly_one_audit_entry(store: StateStore) -> None:
    log: list[int] = []

    def changed(result: Any = None) -> Any:
        log.append(count(store, audit_log))
        assert log[-1] == len(log), "a change did not write exactly one audit entry"
        return result

    acme = changed(store.create_tenant("acme"))
    globex = changed(store.create_tenant("globex"))
    admin = changed(
        store.create_user(
            None,
            tenant_id=acme,
            email="admin@acme.example",
            name="Admin",
            role="admin",
            password=PASSWORD,
        )
    )
    _, first = changed(store.create_api_key(None, admin, "ci"))
    ana = changed(
        store.create_user(
            admin,
            tenant_id=acme,
            email="ana@acme.example",
            name="Ana",
            role="analyst",
            password=None,
        )
    )
    changed(
        store.create_user(
            None,
            tenant_id=globex,
            email="bo@globex.example",
            name="Bo",
            role="admin",
            password=None,
        )
    )
    _, second = changed(store.create_api_key(admin, ana, "ana's"))
    token, _ = changed(store.create_session(ana, 12))
    content = b"id,vendor\nR1,Huawei\n"
    iid = changed(store.add_inventory(ana, "inv.csv", content))
    rid = changed(add_run(store, ana, inventory_id=iid))
    changed(
        store.add_decision(
            ana,
            input_name="Huawei",
            entity_id="huawei",
            action="dismiss",
            reason="not them",
            kb_version="kb",
            run_id=rid,
        )
    )
    changed(store.revoke_api_key(admin, second.id))
    changed(store.end_session(ana, token))
    changed(store.set_active(admin, ana.id, False))

    # Reads and refused changes write nothing.
    store.authenticate("admin@acme.example", PASSWORD)
    store.users(acme)
    store.runs(acme)
    store.run(acme, rid)
    store.inventory(acme, iid)
    store.decisions(acme)
    store.audit_entries(acme)
    with pytest.raises(DeriskError):
        store.create_user(
            admin, tenant_id=acme, email="ANA@acme.example", name="A", role="viewer", password=None
        )
    assert count(store, audit_log) == len(log) == 14

    entries = list(reversed(store.audit_entries(acme)))
    assert [(e.actor, e.action, e.target) for e in entries] == [
        ("cli", "tenant.create", "tenant:1"),
        ("cli", "user.create", "user:1"),
        ("cli", "api_key.create", "api_key:1"),
        ("admin@acme.example", "user.create", "user:2"),
        ("admin@acme.example", "api_key.create", "api_key:2"),
        ("ana@acme.example", "session.login", "user:2"),
        ("ana@acme.example", "inventory.upload", f"inventory:{iid}"),
        ("ana@acme.example", "run.screen", f"run:{rid}"),
        ("ana@acme.example", "decision.dismiss", "decision:1"),
        ("admin@acme.example", "api_key.revoke", "api_key:2"),
        ("ana@acme.example", "session.logout", "user:2"),
        ("admin@acme.example", "user.deactivate", "user:2"),
    ]
    assert [(e.actor, e.action, e.target) for e in store.audit_entries(globex)] == [
        ("cli", "user.create", "user:3"),
        ("cli", "tenant.create", "tenant:2"),
    ]
    assert [e.action for e in store.audit_entries(acme, limit=2)] == [
        "user.deactivate",
        "session.logout",
    ]
    assert entries[2].detail == {
        "owner": "admin@acme.example",
        "prefix": first.prefix,
        "label": "ci",
    }
    assert entries[6].detail == {
        "filename": "inv.csv",
        "size": 20,
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    assert entries[8].detail == {
        "input_name": "Huawei",
        "entity_id": "huawei",
        "reason": "not them",
        "run_id": rid,
        "record_id": None,
    }
    assert all(is_utc(e.at) for e in entries)
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    by_id = {r["id"]: r["actor_id"] for r in rows(store, audit_log)}
    assert [by_id[e.id] for e in entries] == [None, None, None, 1, 1, 2, 2, 2, 2, 1, 2, 1]


@pytest.mark.parametrize("table", [audit_log, decisions], ids=lambda t: t.name)
def test_audit_log_and_decisions_are_append_only(store: StateStore, table: sa.Table) -> None:
    ana = make_user(store, "ana@acme.example")
    store.add_decision(
        ana, input_name="Huawei", entity_id="huawei", action="confirm", reason="r", kb_version="k"
    )
    before = rows(store, table)
    assert len(before) == {"audit_log": 3, "decisions": 1}[table.name]
    statements: list[Any] = [
        table.update().values(reason="rewritten")
        if table is decisions
        else table.update().values(action="nothing happened"),
        table.update().where(table.c.id == 1).values(tenant_id=2),
        table.delete(),
        table.delete().where(table.c.id == 1),
    ]
    if store.engine.dialect.name == "postgresql":  # SQLite has no TRUNCATE
        statements.append(sa.text(f"TRUNCATE {table.name}"))
    for statement in statements:
        with (
            pytest.raises(sa.exc.DBAPIError, match="append-only table"),
            store.engine.begin() as con,
        ):
            con.execute(statement)
    assert rows(store, table) == before
    # Other tables are not append-only: the triggers are on those two alone.
    with store.engine.begin() as con:
        assert con.execute(users.update().values(name="Ana B")).rowcount == 1


def test_writers_on_many_threads_queue_instead_of_failing(store: StateStore) -> None:
    ana = make_user(store, "ana@acme.example")
    failures: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(8):
                store.add_inventory(ana, f"inv-{n}-{i}.csv", b"x")
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert count(store, audit_log) == 2 + 32  # tenant, user, then one per upload


# --- migrations -----------------------------------------------------------------------------


def test_migrating_twice_is_a_no_op(store: StateStore, database_url: str) -> None:
    assert head_revision() == "0001"
    assert current_revision(store.engine) == "0001"
    make_user(store, "ana@acme.example")
    snapshot = (rows(store, users), rows(store, audit_log))
    store.migrate()
    again = StateStore.open(database_url)
    again.close()
    assert current_revision(store.engine) == head_revision()
    assert (rows(store, users), rows(store, audit_log)) == snapshot
    assert table_names(database_url) == TABLES


def test_the_migrated_schema_is_the_one_the_data_layer_queries(store: StateStore) -> None:
    with store.engine.connect() as con:
        context = MigrationContext.configure(con, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_a_failed_migration_leaves_the_database_as_it_was(database_url: str) -> None:
    # A table in the way of the last table the migration makes: all of it must roll back.
    engine = create_engine(database_url)
    try:
        with engine.begin() as con:
            con.execute(sa.text("CREATE TABLE decisions (x INTEGER)"))
    finally:
        engine.dispose()
    with pytest.raises(DeriskError) as caught:
        StateStore.open(database_url)
    assert caught.value.code is ErrorCode.STATE_STORE
    assert caught.value.message.startswith("cannot migrate the database: ")
    assert table_names(database_url) == ["decisions"]


def test_downgrade_to_base_and_upgrade_again(store: StateStore, database_url: str) -> None:
    with write_transaction(store.engine) as con:
        command.downgrade(alembic_config(con), "base")
    assert table_names(database_url) == ["alembic_version"]
    assert current_revision(store.engine) is None
    store.migrate()
    assert table_names(database_url) == TABLES
    assert current_revision(store.engine) == "0001"
    make_user(store, "ana@acme.example")  # and it works, triggers and all
    with pytest.raises(sa.exc.DBAPIError, match="append-only table"), store.engine.begin() as con:
        con.execute(audit_log.delete())


@pytest.mark.parametrize(
    "url",
    [
        "not a url",
        "",
        "nosuchdialect://host/db",
        "postgresql+psycopg2://postgres@127.0.0.1/derisk",  # a driver that is not installed
        "postgresql://postgres@127.0.0.1:1/derisk",  # nothing listens on port 1
        "sqlite:////dev/null/serve.sqlite3",  # its folder cannot be made
    ],
)
def test_a_bad_database_url_is_dr605(url: str) -> None:
    with pytest.raises(DeriskError) as caught:
        StateStore.open(url)
    assert caught.value.code is ErrorCode.STATE_STORE
    assert caught.value.code.value == "DR605"


def test_failed_logins_are_audited_and_lock_the_email_out_for_the_window(
    store: StateStore,
) -> None:
    ana = make_user(store, "ana@acme.example")
    start = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    for minute in range(5):  # five wrong passwords, one a minute: each DR601
        with pytest.raises(DeriskError) as wrong:
            store.login("Ana@Acme.example", "wrong", now=start + timedelta(minutes=minute))
        assert wrong.value.code is ErrorCode.AUTH_REQUIRED
    # 09:05: the five failures lie within 15 minutes: even the right password is refused.
    with pytest.raises(DeriskError) as locked:
        store.login("ana@acme.example", PASSWORD, now=start + timedelta(minutes=5))
    assert locked.value.code is ErrorCode.TOO_MANY_ATTEMPTS
    # Another e-mail is not locked out: an unknown one is just wrong (and audited with no
    # tenant, so it is in no tenant's log).
    with pytest.raises(DeriskError) as unknown:
        store.login("bo@acme.example", PASSWORD, now=start + timedelta(minutes=5))
    assert unknown.value.code is ErrorCode.AUTH_REQUIRED
    # 09:15:01: the first failure (09:00) has left the window, four remain: the right password
    # logs in again.
    user = store.login("ana@acme.example", PASSWORD, now=start + timedelta(minutes=15, seconds=1))
    assert user == ana
    failed = [e for e in store.audit_entries(ana.tenant_id) if e.action == "session.login_failed"]
    assert len(failed) == 5
    assert {(e.actor, e.target) for e in failed} == {("ana@acme.example", "login:ana@acme.example")}
