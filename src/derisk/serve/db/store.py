"""The one data layer over the server's state, the same on SQLite and PostgreSQL.

Every method is one transaction. Every state change writes its audit-log entry (who, when,
what) in the same transaction, so the log can never miss a change that happened. Reads that
belong to a tenant take the tenant id and filter on it: a run of another tenant is simply not
found.
"""

from __future__ import annotations

from derisk.serve.db.accounts import AccountStore
from derisk.serve.db.base import CLI_ACTOR, LOGIN_FAILURES, LOGIN_WINDOW
from derisk.serve.db.work import WorkStore

__all__ = ["CLI_ACTOR", "LOGIN_FAILURES", "LOGIN_WINDOW", "StateStore"]


class StateStore(AccountStore, WorkStore):
    """Users, keys, sessions, inventories, runs, decisions and the audit log: one object over
    one database (:mod:`.accounts` and :mod:`.work` hold the two halves)."""
