"""What the data layer hands out: plain frozen records, never database rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

__all__ = ["ApiKey", "AuditEntry", "Inventory", "Run", "User", "iso", "role_allows"]

_RANK = {"viewer": 0, "analyst": 1, "admin": 2}


def iso(moment: datetime) -> str:
    """UTC time as the API writes it everywhere: ``2026-11-29T12:00:00.123456Z``."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def role_allows(role: str, needed: str) -> bool:
    """viewer < analyst < admin: a role may do what every lower role may."""
    return _RANK[role] >= _RANK[needed]


@dataclass(frozen=True)
class User:
    id: int
    tenant_id: int
    tenant: str
    email: str
    name: str
    role: str
    active: bool

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "name": self.name,
            "role": self.role,
            "tenant": self.tenant,
            "active": self.active,
        }


@dataclass(frozen=True)
class ApiKey:
    id: int
    user_id: int
    prefix: str
    label: str
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class Inventory:
    id: str
    tenant_id: int
    filename: str
    sha256: str
    size: int
    content: bytes
    created_at: datetime


@dataclass(frozen=True)
class Run:
    id: str
    tenant_id: int
    kind: str
    inventory_id: str | None
    profile: dict[str, Any]
    as_of: date
    kb_version: str
    summary: dict[str, Any]
    created_by: str
    created_at: datetime
    document: str | None = None  # the JSON text; loaded only when asked for

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "inventory_id": self.inventory_id,
            "profile": self.profile,
            "as_of": self.as_of.isoformat(),
            "kb_version": self.kb_version,
            "summary": self.summary,
            "created_by": self.created_by,
            "created_at": iso(self.created_at),
        }


@dataclass(frozen=True)
class AuditEntry:
    id: int
    tenant_id: int | None
    actor: str
    action: str
    target: str
    detail: dict[str, Any]
    at: datetime

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "detail": self.detail,
            "at": iso(self.at),
        }
