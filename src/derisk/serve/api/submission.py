"""Reading an inventory submission: a multipart upload (``file`` plus profile fields) or a
JSON body with ``records`` and ``profile``. Both endpoints that screen (``/screen`` and the web
upload) and ``/plan`` read it the same way."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from fastapi import Request
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from derisk.errors import DeriskError, ErrorCode
from derisk.profile import Profile

__all__ = [
    "FORM_FIELDS",
    "Submission",
    "multipart_schema",
    "read_submission",
    "records_to_jsonl",
    "request_date",
]

_CHUNK = 1024 * 1024

FORM_FIELDS = {
    "file": {"type": "string", "format": "binary", "description": "The inventory file."},
    "country": {
        "type": "array",
        "items": {"type": "string"},
        "description": "ISO alpha-2 countries the organisation operates in.",
    },
    "sector": {
        "type": "string",
        "enum": ["telecom", "datacenter", "government", "any"],
        "description": "The organisation's sector.",
    },
    "profile": {
        "type": "string",
        "description": "The whole profile as JSON (instead of country and sector).",
    },
    "as_of": {"type": "string", "format": "date", "description": "Evaluate rules as of this date."},
}


def multipart_schema(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["file"],
        "properties": {**FORM_FIELDS, **(extra or {})},
    }


class Submission:
    def __init__(self, content: bytes, filename: str, profile: Profile, as_of: date | None) -> None:
        self.content, self.filename, self.profile, self.as_of = content, filename, profile, as_of


def _profile(data: Any, field: str) -> Profile:
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in (field, *first["loc"]))
        raise DeriskError(ErrorCode.REQUEST_INVALID, f"{where}: {first['msg']}") from None


def request_date(value: Any, field: str) -> date | None:
    """A date field of a request (blank: none); DR606 naming the field."""
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DeriskError(
            ErrorCode.REQUEST_INVALID, f"{field}: must be a date YYYY-MM-DD, got {value!r}"
        ) from None


async def _read_file(upload: UploadFile, limit: int) -> bytes:
    chunks, size = [], 0
    while chunk := await upload.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise DeriskError(
                ErrorCode.INPUT_TOO_LARGE,
                f"the upload is larger than the limit of {limit:,} bytes",
                file=upload.filename,
            )
        chunks.append(chunk)
    return b"".join(chunks)


async def read_form_submission(request: Request, limit: int) -> tuple[Submission, dict[str, str]]:
    """The upload and profile fields of a multipart form, and its other text fields."""
    form = await request.form(max_files=1, max_fields=50)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise DeriskError(ErrorCode.REQUEST_INVALID, "file: attach the inventory as 'file'")
        content = await _read_file(upload, limit)
        filename = upload.filename or "inventory.csv"
        fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        countries = [c for c in form.getlist("country") if isinstance(c, str) and c.strip()]
    finally:
        await form.close()
    raw_profile = fields.get("profile", "")
    if raw_profile.strip():
        try:
            data = json.loads(raw_profile)
        except json.JSONDecodeError as exc:
            raise DeriskError(ErrorCode.REQUEST_INVALID, f"profile: not JSON ({exc})") from None
        profile = _profile(data, "profile")
    else:
        sector = fields.get("sector") or "any"
        profile = _profile({"countries": countries, "sector": sector}, "profile")
    return Submission(
        content, filename, profile, request_date(fields.get("as_of"), "as_of")
    ), fields


async def read_submission(request: Request, limit: int) -> tuple[Submission, dict[str, Any]]:
    """The submission and, for JSON, the rest of the body (for /plan's extra fields)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        sub, fields = await read_form_submission(request, limit)
        return sub, dict(fields)
    if kind != "application/json":
        raise DeriskError(
            ErrorCode.REQUEST_INVALID,
            "send multipart/form-data with a 'file', or application/json with 'records'",
        )
    try:
        body = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DeriskError(ErrorCode.REQUEST_INVALID, f"body: not JSON ({exc})") from None
    if not isinstance(body, dict):
        raise DeriskError(ErrorCode.REQUEST_INVALID, "body: must be a JSON object")
    return _json_submission(body), body


def records_to_jsonl(records: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


def _json_submission(body: dict[str, Any]) -> Submission:
    records = body.get("records")
    if not isinstance(records, list) or not records:
        raise DeriskError(ErrorCode.REQUEST_INVALID, "records: a non-empty list of objects")
    bad = next((i for i, r in enumerate(records) if not isinstance(r, dict)), None)
    if bad is not None:
        raise DeriskError(ErrorCode.REQUEST_INVALID, f"records.{bad}: must be an object")
    profile = _profile(body.get("profile"), "profile")
    return Submission(
        records_to_jsonl(records),
        "records.jsonl",
        profile,
        request_date(body.get("as_of"), "as_of"),
    )
