"""Helpers for the server tests: accounts with a password and an API key, example paths."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from derisk.serve.db.records import User
from derisk.serve.db.store import StateStore

__all__ = ["DE_INVENTORY", "EXAMPLES", "Account", "Accounts"]

EXAMPLES = Path(__file__).parents[2] / "examples"
DE_INVENTORY = EXAMPLES / "de-operator" / "inventory.csv"


@dataclass(frozen=True)
class Account:
    user: User
    key: str
    password: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


class Accounts:
    """Makes users (with a password and an API key) in named tenants."""

    def __init__(self, store: StateStore) -> None:
        self.store = store

    def make(self, role: str, tenant: str = "acme", email: str | None = None) -> Account:
        tid = self.store.tenant_id(tenant) or self.store.create_tenant(tenant)
        email = email or f"{role}-{uuid.uuid4().hex[:6]}@{tenant}.example"
        password = "correct horse battery"
        user = self.store.create_user(
            None, tenant_id=tid, email=email, name=role.title(), role=role, password=password
        )
        key, _ = self.store.create_api_key(None, user, "test")
        return Account(user, key, password)
