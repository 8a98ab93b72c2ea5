"""Reading the fields of the web forms: countries offered, dates and numbers, with errors
that name the field (DR606, shown on the form again)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date

from starlette.datastructures import FormData

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.knowledge import KnowledgeBase
from derisk.kb.model import Sector
from derisk.serve.api.submission import request_date

__all__ = [
    "SECTORS",
    "country_choices",
    "form_date",
    "form_number",
    "form_text",
    "text_fields",
]

#: The sectors an inventory is screened for (exporter order books: the CLI only).
SECTORS = tuple(s.value for s in Sector if s is not Sector.EXPORTER)


def country_choices(kb: KnowledgeBase) -> list[str]:
    """Every country a regime of the knowledge base binds, directly or through a group."""
    codes: set[str] = set()
    for regime in kb.regimes.values():
        for binding in regime.binds:
            for code in binding.countries:
                codes.update(kb.country_groups.get(code, [code] if len(code) == 2 else []))
    return sorted(codes)


def text_fields(form: FormData) -> dict[str, str]:
    """The text fields of a submitted form (files left out); the last value wins."""
    return {k: v for k, v in form.multi_items() if isinstance(v, str)}


def form_text(fields: Mapping[str, str], name: str, *, limit: int = 500) -> str | None:
    value = fields.get(name, "").strip()
    if len(value) > limit:
        raise DeriskError(ErrorCode.REQUEST_INVALID, f"{name}: at most {limit} characters")
    return value or None


def form_date(fields: Mapping[str, str], name: str) -> date | None:
    return request_date(fields.get(name, "").strip(), name)


def form_number(
    fields: Mapping[str, str], name: str, *, minimum: float = 0.0, whole: bool = False
) -> float | None:
    value = fields.get(name, "").strip().replace(",", "")
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number < minimum or (whole and not number.is_integer()):
        kind = "a whole number" if whole else "a number"
        raise DeriskError(
            ErrorCode.REQUEST_INVALID, f"{name}: must be {kind} of at least {minimum:g}"
        )
    return number
