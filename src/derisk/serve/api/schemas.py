"""Request bodies of the REST API, validated by pydantic (errors: DR606 naming the field)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from derisk.profile import Profile

__all__ = [
    "ClassifyRequest",
    "DecisionRequest",
    "KeyRequest",
    "MatchRequest",
    "PlanRequest",
    "ScreenRequest",
    "UserRequest",
]

_Name = Field(min_length=1, max_length=500)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MatchRequest(_Body):
    names: list[str] = Field(min_length=1, max_length=1000, examples=[["HUAWEI TECH. CO LTD"]])
    country: str | None = Field(default=None, min_length=2, max_length=2)
    threshold: float | None = Field(default=None, gt=0, lt=1)
    top: int = Field(default=3, ge=1, le=20)


class ScreenRequest(_Body):
    """Inventory records as JSON objects (the columns of docs/inventory-format.md)."""

    records: list[dict[str, Any]] = Field(
        min_length=1,
        examples=[[{"id": "R1", "vendor": "Huawei", "model": "BBU5900", "domain": "ran"}]],
    )
    profile: Profile = Field(examples=[{"countries": ["DE"], "sector": "telecom"}])
    as_of: date | None = None


class PlanRequest(_Body):
    """Plan from an earlier screening run (``run_id``), or from records and a profile."""

    run_id: str | None = Field(default=None, max_length=32)
    records: list[dict[str, Any]] | None = Field(default=None, min_length=1)
    profile: Profile | None = None
    as_of: date | None = None
    start: date | None = None
    resources: dict[str, Any] = Field(
        default_factory=dict,
        examples=[{"crews": {"default": 2}, "budget": {"per_quarter": 2000000}}],
    )
    time_limit: float = Field(default=10.0, gt=0, le=120)


class ClassifyRequest(_Body):
    chip: str | None = Field(default=None, min_length=1, max_length=200, examples=["H20"])
    tops: dict[str, float] | None = None
    die_area_mm2: float | None = Field(default=None, gt=0)
    memory_bandwidth_gbps: float | None = Field(default=None, ge=0)
    interconnect_gbps: float | None = Field(default=None, ge=0)
    datacenter: bool = True
    destination: str | None = Field(default=None, min_length=2, max_length=2, examples=["CN"])
    headquarters: str | None = Field(default=None, min_length=2, max_length=2)
    end_user: str | None = Field(default=None, min_length=1, max_length=500)
    as_of: date | None = None


class DecisionRequest(_Body):
    input_name: str = _Name
    entity_id: str = Field(min_length=1, max_length=200)
    action: Literal["confirm", "dismiss"]
    reason: str = Field(min_length=1, max_length=2000)
    run_id: str | None = Field(default=None, max_length=32)
    record_id: str | None = Field(default=None, max_length=200)


class UserRequest(_Body):
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    name: str = Field(min_length=1, max_length=200)
    role: Literal["viewer", "analyst", "admin"]
    password: str | None = Field(default=None, min_length=10, max_length=200)


class KeyRequest(_Body):
    label: str = Field(min_length=1, max_length=200)
    user_id: int | None = None  # admins may create keys for users of their tenant
