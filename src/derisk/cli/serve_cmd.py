"""``derisk serve`` and ``derisk users``: the web app and its accounts."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import typer

from derisk.cli.common import err_console, handle_errors
from derisk.errors import DeriskError, ErrorCode
from derisk.serve.settings import (
    DEFAULT_MAX_RECORDS,
    DEFAULT_MAX_UPLOAD_MB,
    ServeSettings,
    default_database_url,
)

__all__ = ["serve", "users_app"]

users_app = typer.Typer(
    help="Accounts of the web app: admins, users, API keys.", no_args_is_help=True
)

_DB_HELP = (
    "Server database: sqlite:///path or postgresql://... "
    "(default: $DERISK_DATABASE_URL, else a SQLite file in the user data dir)."
)


def _url(database_url: str | None) -> str:
    return database_url or default_database_url()


@handle_errors
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    database_url: str | None = typer.Option(None, "--database-url", help=_DB_HELP),
    db: Path | None = typer.Option(None, "--db", help="Knowledge-base store."),
    max_upload_mb: int = typer.Option(
        DEFAULT_MAX_UPLOAD_MB, "--max-upload-mb", help="Largest accepted upload, in MB."
    ),
    max_records: int = typer.Option(
        DEFAULT_MAX_RECORDS,
        "--max-records",
        min=1,
        help="Most inventory records screened per upload (the work, not just the bytes).",
    ),
    secure_cookies: bool = typer.Option(
        False, "--secure-cookies", help="Mark session cookies Secure (behind HTTPS)."
    ),
) -> None:
    """Start the web app and REST API (migrates the database first)."""
    import uvicorn

    from derisk.serve.app import create_app
    from derisk.serve.db.store import StateStore

    settings = ServeSettings(
        database_url=_url(database_url),
        kb_path=db or (Path(os.environ["DERISK_DB"]) if os.environ.get("DERISK_DB") else None),
        max_upload_bytes=max_upload_mb * 1024 * 1024,
        max_records=max_records,
        secure_cookies=secure_cookies,
    )
    StateStore.open(settings.database_url).close()  # migrate, and fail early with DR605
    err_console.print(
        f"derisk serve on http://{host}:{port}/ (API docs: /api/v1/docs)", markup=False
    )
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


def _password(given: str | None) -> str:
    if given is None:
        given = os.environ.get("DERISK_ADMIN_PASSWORD")
    if given is None:
        given = getpass.getpass("password (10 characters or more): ")
    if len(given) < 10:
        raise DeriskError(ErrorCode.ARGUMENT_INVALID, "the password needs 10 characters or more")
    return given


@users_app.command("create-admin")
@handle_errors
def create_admin(
    email: str = typer.Option(..., "--email", help="The admin's e-mail (the login name)."),
    name: str = typer.Option("Administrator", "--name", help="Display name."),
    tenant: str = typer.Option("default", "--tenant", help="The organisation (tenant)."),
    password: str | None = typer.Option(
        None, "--password", help="Password (default: $DERISK_ADMIN_PASSWORD, else asked)."
    ),
    api_key: bool = typer.Option(False, "--api-key", help="Also create and print an API key."),
    database_url: str | None = typer.Option(None, "--database-url", help=_DB_HELP),
) -> None:
    """Create the first admin of a tenant (creating the tenant if it is new)."""
    from derisk.serve.db.store import StateStore

    secret = _password(password)
    store = StateStore.open(_url(database_url))
    try:
        tenant_id = store.tenant_id(tenant)
        if tenant_id is None:
            tenant_id = store.create_tenant(tenant)
        user = store.create_user(
            None, tenant_id=tenant_id, email=email, name=name, role="admin", password=secret
        )
        typer.echo(f"created admin {user.email} in tenant {tenant!r}")
        if api_key:
            key, _ = store.create_api_key(None, user, "created with create-admin")
            typer.echo(f"API key (shown once): {key}")
    finally:
        store.close()


@users_app.command("create-key")
@handle_errors
def create_key(
    email: str = typer.Option(..., "--email", help="The user the key belongs to."),
    label: str = typer.Option("cli", "--label", help="What the key is for."),
    database_url: str | None = typer.Option(None, "--database-url", help=_DB_HELP),
) -> None:
    """Create an API key for an existing user and print it (once)."""
    from derisk.serve.db.store import StateStore

    store = StateStore.open(_url(database_url))
    try:
        user = next((u for u in store.users_by_email(email)), None)
        if user is None:
            raise DeriskError(ErrorCode.NOT_FOUND, f"no user {email!r}")
        key, _ = store.create_api_key(None, user, label)
        typer.echo(key)
    finally:
        store.close()
