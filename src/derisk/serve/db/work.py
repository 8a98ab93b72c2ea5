"""Uploaded inventories, screening and plan runs, analyst decisions, the audit log."""

from __future__ import annotations

import gzip
import hashlib
import uuid
from datetime import date
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.decisions import Action, Decision
from derisk.serve.db.base import HEX_ID, StoreBase, document_text, utc_now
from derisk.serve.db.records import AuditEntry, Inventory, Run, User
from derisk.serve.db.schema import (
    FILENAME_MAX,
    audit_log,
    decisions,
    inventories,
    runs,
    users,
)

__all__ = ["WorkStore"]


class WorkStore(StoreBase):
    """What the tenants' users do, kept."""

    # --- inventories and runs -------------------------------------------------------------

    def add_inventory(self, actor: User, filename: str, content: bytes) -> str:
        if len(filename) > FILENAME_MAX:
            raise DeriskError(
                ErrorCode.REQUEST_INVALID,
                f"file: the name is longer than {FILENAME_MAX} characters",
                file=filename[:80] + "...",
            )
        iid = uuid.uuid4().hex
        digest = hashlib.sha256(content).hexdigest()
        with self._tx() as con:
            con.execute(
                inventories.insert().values(
                    id=iid,
                    tenant_id=actor.tenant_id,
                    filename=filename,
                    sha256=digest,
                    size=len(content),
                    content=content,
                    uploaded_by=actor.id,
                    created_at=utc_now(),
                )
            )
            self._audit(
                con,
                actor,
                "inventory.upload",
                f"inventory:{iid}",
                {"filename": filename, "size": len(content), "sha256": digest},
            )
        return iid

    def inventory(self, tenant_id: int, inventory_id: str) -> Inventory | None:
        if not HEX_ID.fullmatch(inventory_id):
            return None
        with self._read() as con:
            row = con.execute(
                sa.select(inventories).where(
                    inventories.c.id == inventory_id, inventories.c.tenant_id == tenant_id
                )
            ).first()
        if row is None:
            return None
        m = row._mapping
        return Inventory(
            m["id"], m["tenant_id"], m["filename"], m["sha256"], m["size"], m["content"],
            m["created_at"],
        )  # fmt: skip

    def add_run(
        self,
        actor: User,
        *,
        kind: str,
        inventory_id: str | None,
        profile: dict[str, Any],
        as_of: date,
        kb_version: str,
        summary: dict[str, Any],
        document: str,
    ) -> str:
        rid = uuid.uuid4().hex
        with self._tx() as con:
            con.execute(
                runs.insert().values(
                    id=rid,
                    tenant_id=actor.tenant_id,
                    kind=kind,
                    inventory_id=inventory_id,
                    profile=profile,
                    as_of=as_of,
                    kb_version=kb_version,
                    summary=summary,
                    document=gzip.compress(document.encode("utf-8"), compresslevel=6),
                    created_by=actor.id,
                    created_at=utc_now(),
                )
            )
            self._audit(con, actor, f"run.{kind}", f"run:{rid}", {"inventory_id": inventory_id})
        return rid

    def _runs(self, with_document: bool) -> sa.Select[Any]:
        cols = [c for c in runs.c if with_document or c.name != "document"]
        return sa.select(*cols, users.c.email.label("creator")).join(
            users, users.c.id == runs.c.created_by
        )

    @staticmethod
    def _run(row: Any) -> Run:
        m = row._mapping
        document = document_text(m.get("document"))
        return Run(
            m["id"], m["tenant_id"], m["kind"], m["inventory_id"], m["profile"], m["as_of"],
            m["kb_version"], m["summary"], m["creator"], m["created_at"], document,
        )  # fmt: skip

    def run(self, tenant_id: int, run_id: str, *, with_document: bool = True) -> Run | None:
        if not HEX_ID.fullmatch(run_id):
            return None
        with self._read() as con:
            row = con.execute(
                self._runs(with_document).where(runs.c.id == run_id, runs.c.tenant_id == tenant_id)
            ).first()
        return None if row is None else self._run(row)

    def runs(self, tenant_id: int, *, kind: str | None = None, limit: int = 20) -> list[Run]:
        query = self._runs(False).where(runs.c.tenant_id == tenant_id)
        if kind is not None:
            query = query.where(runs.c.kind == kind)
        with self._read() as con:
            rows = con.execute(
                query.order_by(runs.c.created_at.desc(), runs.c.id).limit(limit)
            ).all()
        return [self._run(r) for r in rows]

    # --- decisions and audit --------------------------------------------------------------

    def add_decision(
        self,
        actor: User,
        *,
        input_name: str,
        entity_id: str,
        action: Action,
        reason: str,
        kb_version: str,
        run_id: str | None = None,
        record_id: str | None = None,
    ) -> Decision:
        try:
            decision = Decision.new(
                input_name=input_name,
                entity_id=entity_id,
                action=action,
                reason=reason,
                decided_by=actor.email,
                kb_version=kb_version,
            )
        except ValidationError as exc:
            first = exc.errors()[0]
            field, message = ".".join(str(p) for p in first["loc"]), first["msg"]
            if field == "key":  # a name of punctuation only folds to nothing
                field, message = "input_name", "must contain a letter or a digit"
            raise DeriskError(ErrorCode.REQUEST_INVALID, f"{field}: {message}") from None
        with self._tx() as con:
            did = con.execute(
                decisions.insert()
                .values(
                    tenant_id=actor.tenant_id,
                    input_name=decision.input_name,
                    key=decision.key,
                    entity_id=decision.entity_id,
                    action=decision.action,
                    reason=decision.reason,
                    run_id=run_id,
                    record_id=record_id,
                    user_id=actor.id,
                    decided_by=decision.decided_by,
                    decided_at=decision.decided_at,
                    kb_version=kb_version,
                )
                .returning(decisions.c.id)
            ).scalar_one()
            self._audit(
                con,
                actor,
                f"decision.{action}",
                f"decision:{did}",
                {
                    "input_name": input_name,
                    "entity_id": entity_id,
                    "reason": reason,
                    "run_id": run_id,
                    "record_id": record_id,
                },
            )
        return decision

    def decisions(self, tenant_id: int) -> list[Decision]:
        """Every decision of the tenant, oldest first (for :class:`DecisionSet`)."""
        return [decision for _, decision in self.decision_entries(tenant_id)]

    def decision_entries(self, tenant_id: int) -> list[tuple[dict[str, Any], Decision]]:
        """Every decision of the tenant, oldest first, with where it was taken: its id, and
        the run and record it was taken on (if any)."""
        with self._read() as con:
            rows = con.execute(
                sa.select(decisions)
                .where(decisions.c.tenant_id == tenant_id)
                .order_by(decisions.c.id)
            ).all()
        return [
            (
                {"id": m["id"], "run_id": m["run_id"], "record_id": m["record_id"]},
                Decision(
                    input_name=m["input_name"],
                    key=m["key"],
                    entity_id=m["entity_id"],
                    action=m["action"],
                    reason=m["reason"],
                    decided_by=m["decided_by"],
                    decided_at=m["decided_at"],
                    kb_version=m["kb_version"],
                ),
            )
            for m in (r._mapping for r in rows)
        ]

    def audit_entries(self, tenant_id: int, *, limit: int = 100) -> list[AuditEntry]:
        with self._read() as con:
            rows = con.execute(
                sa.select(audit_log)
                .where(audit_log.c.tenant_id == tenant_id)
                .order_by(audit_log.c.id.desc())
                .limit(limit)
            ).all()
        return [
            AuditEntry(
                m["id"], m["tenant_id"], m["actor"], m["action"], m["target"], m["detail"], m["at"]
            )
            for m in (r._mapping for r in rows)
        ]
