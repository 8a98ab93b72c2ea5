"""Decisions, users, API keys and the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response

from derisk.errors import DeriskError, ErrorCode
from derisk.serve.actions import decide
from derisk.serve.api.schemas import DecisionRequest, KeyRequest, UserRequest
from derisk.serve.auth import Principal, current, require
from derisk.serve.context import ServerContext, server
from derisk.serve.db.records import iso

__all__ = ["router"]

router = APIRouter(tags=["decisions and users"])

Ctx = Annotated[ServerContext, Depends(server)]
Admin = Annotated[Principal, Depends(require("admin"))]


@router.get("/me", summary="The caller: user, role and tenant")
def me(who: Annotated[Principal, Depends(current)]) -> dict[str, Any]:
    return who.user.public() | {"authenticated_by": who.via}


@router.post(
    "/decisions",
    status_code=201,
    summary="Record an analyst decision: this name is (confirm) or is not (dismiss) the entity",
)
def post_decision(
    body: DecisionRequest, ctx: Ctx, who: Annotated[Principal, Depends(require("analyst"))]
) -> dict[str, Any]:
    decision = decide(
        ctx,
        who.user,
        input_name=body.input_name,
        entity_id=body.entity_id,
        action=body.action,
        reason=body.reason,
        run_id=body.run_id,
        record_id=body.record_id,
    )
    return decision.model_dump(mode="json")


@router.get("/decisions", summary="The tenant's decisions, oldest first")
def list_decisions(
    ctx: Ctx, who: Annotated[Principal, Depends(require("viewer"))]
) -> dict[str, Any]:
    found = ctx.store.decision_entries(who.user.tenant_id)
    return {"decisions": [where | d.model_dump(mode="json") for where, d in found]}


@router.get("/audit", summary="The tenant's audit log, newest first (admins)")
def audit(
    ctx: Ctx, who: Admin, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> dict[str, Any]:
    return {
        "entries": [e.public() for e in ctx.store.audit_entries(who.user.tenant_id, limit=limit)]
    }


@router.get("/users", summary="The tenant's users (admins)")
def list_users(ctx: Ctx, who: Admin) -> dict[str, Any]:
    return {"users": [u.public() for u in ctx.store.users(who.user.tenant_id)]}


@router.post("/users", status_code=201, summary="Create a user in the admin's tenant")
def create_user(body: UserRequest, ctx: Ctx, who: Admin) -> dict[str, Any]:
    user = ctx.store.create_user(
        who.user,
        tenant_id=who.user.tenant_id,
        email=body.email,
        name=body.name,
        role=body.role,
        password=body.password,
    )
    return user.public()


@router.post(
    "/keys",
    status_code=201,
    summary="Create an API key (for yourself; admins for any user of their tenant)",
)
def create_key(
    body: KeyRequest, ctx: Ctx, who: Annotated[Principal, Depends(require("viewer"))]
) -> dict[str, Any]:
    owner = who.user
    if body.user_id is not None and body.user_id != who.user.id:
        if who.user.role != "admin":
            raise DeriskError(ErrorCode.FORBIDDEN, "only admins create keys for other users")
        found = ctx.store.user(body.user_id)
        if found is None or found.tenant_id != who.user.tenant_id:
            raise DeriskError(ErrorCode.NOT_FOUND, f"no user {body.user_id}")
        owner = found
    key, info = ctx.store.create_api_key(who.user, owner, body.label)
    return {
        "key": key,
        "prefix": info.prefix,
        "label": info.label,
        "user": owner.email,
        "note": "the key is shown once; only its hash is kept",
    }


@router.get("/keys", summary="API keys: your own (admins: every key of the tenant); never the key")
def list_keys(ctx: Ctx, who: Annotated[Principal, Depends(require("viewer"))]) -> dict[str, Any]:
    mine = None if who.user.role == "admin" else who.user.id
    return {
        "keys": [
            {
                "id": key.id,
                "prefix": key.prefix,
                "label": key.label,
                "user": email,
                "created_at": iso(key.created_at),
                "revoked_at": iso(key.revoked_at) if key.revoked_at else None,
            }
            for key, email in ctx.store.api_keys(who.user.tenant_id, mine)
        ]
    }


@router.delete(
    "/keys/{key_id}",
    status_code=204,
    summary="Revoke an API key (your own; admins any of the tenant)",
)
def revoke_key(
    key_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    ctx: Ctx,
    who: Annotated[Principal, Depends(require("viewer"))],
) -> Response:
    ctx.store.revoke_api_key(who.user, key_id, own_only=who.user.role != "admin")
    return Response(status_code=204)
