"""``derisk users create-admin`` / ``create-key`` and ``derisk serve``'s start-up checks."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from derisk.cli.app import app
from derisk.serve.db.store import StateStore

PASSWORD = "correct horse battery"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_create_admin_makes_a_tenant_admin_who_can_log_in_and_use_the_key(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    code, out, err = invoke(
        "users", "create-admin", "--email", "Boss@Acme.example", "--tenant", "acme",
        "--password", PASSWORD, "--api-key", "--database-url", url,
    )  # fmt: skip
    assert code == 0, err
    key = out.strip().splitlines()[-1].rsplit(" ", 1)[-1]
    assert key.startswith("drk_")
    store = StateStore.open(url)
    try:
        user = store.authenticate("boss@acme.example", PASSWORD)
        assert user is not None and user.role == "admin" and user.tenant == "acme"
        assert store.user_for_api_key(key) == user
        assert store.authenticate("boss@acme.example", "wrong password!") is None
        # The CLI is the actor of the changes it made, in the tenant's audit log.
        entries = store.audit_entries(user.tenant_id)
        assert [e.action for e in reversed(entries)] == [
            "tenant.create",
            "user.create",
            "api_key.create",
        ]
        assert {e.actor for e in entries} == {"cli"}
    finally:
        store.close()


def test_create_admin_twice_is_a_conflict_and_short_passwords_are_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    args = ("users", "create-admin", "--email", "a@b.example", "--database-url", url)
    assert invoke(*args, "--password", PASSWORD)[0] == 0
    code, _, err = invoke(*args, "--password", PASSWORD)
    assert code == 2 and "DR604" in err
    code, _, err = invoke("users", "create-admin", "--email", "c@b.example", "--password",
                          "short", "--database-url", url)  # fmt: skip
    assert code == 2 and "DR202" in err and "10 characters" in err


def test_create_key_for_an_existing_user_only(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    invoke("users", "create-admin", "--email", "a@b.example", "--password", PASSWORD,
           "--database-url", url)  # fmt: skip
    code, out, _ = invoke("users", "create-key", "--email", "A@B.example", "--database-url", url)
    assert code == 0
    store = StateStore.open(url)
    try:
        found = store.user_for_api_key(out.strip())
        assert found is not None and found.email == "a@b.example"
    finally:
        store.close()
    code, _, err = invoke(
        "users", "create-key", "--email", "nobody@b.example", "--database-url", url
    )
    assert code == 2 and "DR603" in err


def test_serve_refuses_a_bad_database_url_before_starting(tmp_path: Path) -> None:
    code, _, err = invoke("serve", "--database-url", "nosuchdb://x", "--port", "1")
    assert code == 2 and "DR605" in err
