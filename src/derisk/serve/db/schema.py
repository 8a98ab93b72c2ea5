"""Tables of the server's state (SQLAlchemy Core). Alembic migrations create them; this module
is the one description the data layer queries against.

Every row that belongs to an organisation carries ``tenant_id``; the data layer filters on it
in every query, so one tenant never reads another's runs, inventories or decisions. The audit
log and the decisions are append-only: the migration adds triggers that refuse UPDATE and
DELETE on both, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

__all__ = [
    "FILENAME_MAX",
    "ROLES",
    "UTCDateTime",
    "api_keys",
    "audit_log",
    "decisions",
    "inventories",
    "metadata",
    "runs",
    "sessions",
    "tenants",
    "users",
]

ROLES = ("viewer", "analyst", "admin")
FILENAME_MAX = 255  # an inventory's file name as uploaded


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Stored as naive UTC (SQLite has no time zones), always read back as aware UTC."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("datetimes must carry a time zone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


metadata = sa.MetaData()

tenants = sa.Table(
    "tenants",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.String(200)),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.CheckConstraint("role IN ('viewer', 'analyst', 'admin')", name="ck_users_role"),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("prefix", sa.String(16), nullable=False),  # shown to people, never secret
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),  # sha256 hex
    sa.Column("label", sa.String(200), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("revoked_at", UTCDateTime),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
)

inventories = sa.Table(
    "inventories",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False, index=True),
    sa.Column("filename", sa.String(FILENAME_MAX), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("uploaded_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),  # screen | plan
    sa.Column("inventory_id", sa.String(32), sa.ForeignKey("inventories.id")),
    sa.Column("profile", sa.JSON, nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("kb_version", sa.String(64), nullable=False),
    sa.Column("summary", sa.JSON, nullable=False),
    # The derisk.screen/1 (or plan) JSON, gzip-compressed: large screenings repeat the same
    # explanations thousands of times, and compress some 20-50 times.
    sa.Column("document", sa.LargeBinary, nullable=False),
    sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False, index=True),
    sa.Column("input_name", sa.String(500), nullable=False),
    sa.Column("key", sa.Text, nullable=False),  # fold(input_name): may be longer
    sa.Column("entity_id", sa.String(200), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("run_id", sa.String(32), sa.ForeignKey("runs.id")),
    sa.Column("record_id", sa.String(200)),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("decided_by", sa.String(320), nullable=False),
    sa.Column("decided_at", UTCDateTime, nullable=False),
    sa.Column("kb_version", sa.String(64), nullable=False),
    sa.CheckConstraint("action IN ('confirm', 'dismiss')", name="ck_decisions_action"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), index=True),
    sa.Column("actor_id", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("actor", sa.String(320), nullable=False),  # email, or "cli" for create-admin
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("target", sa.String(200), nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
)
