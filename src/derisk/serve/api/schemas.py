"""Request bodies of the REST API, validated by pydantic (errors: DR606 naming the field).

Every body model carries a whole example, which the OpenAPI document shows."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from derisk.classify.catalogue_model import PRECISIONS
from derisk.plan.model import LATEST_START
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

_COUNTRY_ALIASES = {"UK": "GB", "EL": "GR"}  # as the profile and `derisk classify` accept


def _upper(value: Any) -> Any:
    if isinstance(value, str):
        code = value.strip().upper()
        return _COUNTRY_ALIASES.get(code, code)
    return value


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _precisions(value: dict[str, float]) -> dict[str, float]:
    unknown = sorted(set(value) - set(PRECISIONS))
    if unknown:
        raise ValueError(f"unknown precision {unknown[0]!r}; use one of {', '.join(PRECISIONS)}")
    return value


# ISO 3166-1 alpha-2 in any case: "cn" is CN (rules and country groups are keyed upper-case).
_Country = Annotated[str, BeforeValidator(_upper), StringConstraints(pattern=r"^[A-Z]{2}$")]
# Text that is not blank once trimmed.
_Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
_Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
_Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
# A finite, positive physical figure (datasheet TOPS, mm2, GB/s); the bound keeps the
# arithmetic finite and is far above any chip.
_Figure = Annotated[float, Field(gt=0, le=1e9, allow_inf_nan=False)]
_Rate = Annotated[float, Field(ge=0, le=1e9, allow_inf_nan=False)]
_Tops = Annotated[
    dict[Annotated[str, BeforeValidator(_lower)], _Figure], AfterValidator(_precisions)
]


def _example(body: dict[str, Any]) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [body]})


class MatchRequest(BaseModel):
    model_config = _example({"names": ["HUAWEI TECH. CO LTD", "Huawai"], "top": 3})

    names: list[_Name] = Field(min_length=1, max_length=1000, examples=[["HUAWEI TECH. CO LTD"]])
    country: _Country | None = None
    threshold: float | None = Field(default=None, gt=0, lt=1)
    top: int = Field(default=3, ge=1, le=20)


class ScreenRequest(BaseModel):
    """Inventory records as JSON objects (the columns of docs/inventory-format.md)."""

    model_config = _example(
        {
            "records": [
                {"id": "R1", "vendor": "Huawei", "model": "UNC 20.9", "domain": "core"},
                {"id": "R2", "vendor": "Ericsson", "model": "AIR 6449", "domain": "ran"},
            ],
            "profile": {"countries": ["DE"], "sector": "telecom"},
            "as_of": "2027-01-01",
        }
    )

    records: list[dict[str, Any]] = Field(
        min_length=1,
        examples=[[{"id": "R1", "vendor": "Huawei", "model": "BBU5900", "domain": "ran"}]],
    )
    profile: Profile = Field(examples=[{"countries": ["DE"], "sector": "telecom"}])
    as_of: date | None = None


class PlanRequest(BaseModel):
    """Plan from an earlier screening run (``run_id``), or from records and a profile."""

    model_config = _example(
        {
            "records": [
                {"id": "R1", "vendor": "Huawei", "domain": "core", "site": "FRA-1"},
                {"id": "R2", "vendor": "ZTE", "domain": "management", "site": "FRA-1"},
            ],
            "profile": {"countries": ["DE"], "sector": "telecom"},
            "as_of": "2027-01-01",
            "resources": {
                "crews": {"default": 2},
                "budget": {"per_quarter": 2000000},
                "fx": {"USD": 0.96},
            },
            "time_limit": 5,
        }
    )

    run_id: str | None = Field(default=None, max_length=32)
    records: list[dict[str, Any]] | None = Field(default=None, min_length=1)
    profile: Profile | None = None
    as_of: date | None = Field(default=None, le=LATEST_START)
    start: date | None = Field(default=None, le=LATEST_START)
    resources: dict[str, Any] = Field(
        default_factory=dict,
        examples=[{"crews": {"default": 2}, "budget": {"per_quarter": 2000000}}],
    )
    time_limit: float = Field(default=10.0, gt=0, le=120)


class ClassifyRequest(BaseModel):
    model_config = _example({"chip": "H20", "destination": "CN", "as_of": "2025-06-01"})

    chip: str | None = Field(default=None, min_length=1, max_length=200, examples=["H20"])
    tops: _Tops | None = None
    die_area_mm2: _Figure | None = None
    memory_bandwidth_gbps: _Rate | None = None
    interconnect_gbps: _Rate | None = None
    datacenter: bool = True
    destination: _Country | None = Field(default=None, examples=["CN"])
    headquarters: _Country | None = None
    end_user: _Name | None = None
    as_of: date | None = None


class DecisionRequest(BaseModel):
    model_config = _example(
        {
            "input_name": "Huawei Technologies",
            "entity_id": "huawei",
            "action": "confirm",
            "reason": "the supplier's invoices name Huawei Technologies Co., Ltd.",
        }
    )

    input_name: _Name
    entity_id: str = Field(min_length=1, max_length=200)
    action: Literal["confirm", "dismiss"]
    reason: _Reason
    run_id: str | None = Field(default=None, max_length=32)
    record_id: str | None = Field(default=None, max_length=200)


class UserRequest(BaseModel):
    model_config = _example(
        {
            "email": "alice@example.com",
            "name": "Alice",
            "role": "analyst",
            "password": "a long passphrase",
        }
    )

    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    name: _Label
    role: Literal["viewer", "analyst", "admin"]
    password: str | None = Field(default=None, min_length=10, max_length=200)


class KeyRequest(BaseModel):
    model_config = _example({"label": "ERP integration"})

    label: _Label
    # admins may create keys for users of their tenant; ids are 32-bit in the database
    user_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
