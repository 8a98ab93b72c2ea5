"""The organisation profile: who is screening decides which rules bind them."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.model import Country, Sector

__all__ = ["Profile", "load_profile"]

AttributeValue = bool | float | str
_COUNTRY_ALIASES = {"UK": "GB", "EL": "GR"}  # common spellings of ISO 3166-1 GB and GR


class Profile(BaseModel):
    """Countries the organisation operates in, its sector and attributes.

    Known attributes: ``state_funded`` (bool), ``project_completion`` (0..1, share of a
    data-centre project already built), ``federal_contractor`` (bool: contracts with US
    federal agencies). Others may be given under ``attributes`` for custom regimes.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    countries: list[Country] = Field(min_length=1)
    sector: Sector = Sector.ANY
    state_funded: bool | None = None
    project_completion: float | None = Field(default=None, ge=0, le=1)
    federal_contractor: bool | None = None
    attributes: dict[str, AttributeValue] = {}
    include_listed: bool = True  # report 'listed' (informational) findings

    @field_validator("countries", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            codes = [str(v).strip().upper() for v in value]
            return [_COUNTRY_ALIASES.get(c, c) for c in codes]
        return value

    def attribute(self, name: str) -> AttributeValue | None:
        if name in ("state_funded", "project_completion", "federal_contractor"):
            value: AttributeValue | None = getattr(self, name)
            return value
        return self.attributes.get(name)

    def all_attributes(self) -> dict[str, AttributeValue]:
        out: dict[str, AttributeValue] = {
            k: v
            for k in ("state_funded", "project_completion", "federal_contractor")
            if (v := getattr(self, k)) is not None
        }
        out.update(self.attributes)
        return out


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first["loc"]) or "profile"
    return f"'{loc}': {first['msg']}"


def load_profile(path: Path | None, overrides: dict[str, Any]) -> tuple[Profile, date | None]:
    """Read a YAML profile (optional) and apply command-line overrides (non-None values).

    Returns the profile and the ``as_of`` date the file names, if any.
    """
    data: dict[str, Any] = {}
    as_of: date | None = None
    if path is not None:
        if not path.is_file():
            raise DeriskError(ErrorCode.INPUT_NOT_FOUND, "profile file not found", file=path)
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise DeriskError(
                ErrorCode.PROFILE_INVALID, f"not a readable YAML file: {exc}", file=path
            ) from exc
        if not isinstance(loaded, dict):
            raise DeriskError(ErrorCode.PROFILE_INVALID, "expected a mapping of keys", file=path)
        data = dict(loaded)
        data.pop("name", None)
        data.pop("description", None)
        raw_as_of = data.pop("as_of", None)
        if raw_as_of is not None:
            if not isinstance(raw_as_of, date):
                raise DeriskError(
                    ErrorCode.PROFILE_INVALID, "'as_of' must be a date YYYY-MM-DD", file=path
                )
            as_of = raw_as_of
    data.update({k: v for k, v in overrides.items() if v is not None and v != []})
    if "countries" not in data:
        raise DeriskError(
            ErrorCode.ARGUMENT_INVALID,
            "no country given: use --country CC (repeatable) or 'countries' in --profile",
        )
    try:
        return Profile.model_validate(data), as_of
    except ValidationError as exc:
        raise DeriskError(ErrorCode.PROFILE_INVALID, _describe(exc), file=path) from exc
