"""Errors with stable codes.

Every failure a user can cause (a bad file, a bad flag, a broken knowledge-base file) is a
:class:`DeriskError` carrying a stable code from :class:`ErrorCode`, and where it applies the
file, row and column at fault. The CLI prints it in one line and exits with status 2.
``docs/errors.md`` documents every code; a test keeps the two in step.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

__all__ = ["DeriskError", "ErrorCode"]


class ErrorCode(StrEnum):
    """Stable error codes. Never renumber; add new codes at the end of a group."""

    INPUT_NOT_FOUND = "DR101"
    INPUT_EMPTY = "DR102"
    INPUT_ENCODING = "DR103"
    INPUT_FORMAT = "DR104"
    INPUT_MALFORMED = "DR105"
    INPUT_MISSING_COLUMN = "DR106"
    INPUT_BAD_VALUE = "DR107"
    INPUT_DUPLICATE_COLUMN = "DR108"
    INPUT_TOO_LARGE = "DR109"
    PROFILE_INVALID = "DR201"
    ARGUMENT_INVALID = "DR202"
    CONFIG_INVALID = "DR203"
    KB_INVALID = "DR301"
    KB_NOT_FOUND = "DR302"
    KB_STORE = "DR303"
    IMPORT_FORMAT = "DR401"
    IMPORT_MALFORMED = "DR402"
    OUTPUT_WRITE = "DR501"
    AUTH_REQUIRED = "DR601"
    FORBIDDEN = "DR602"
    NOT_FOUND = "DR603"
    CONFLICT = "DR604"
    STATE_STORE = "DR605"
    REQUEST_INVALID = "DR606"
    TOO_MANY_ATTEMPTS = "DR607"


class DeriskError(Exception):
    """A user-facing error: a stable code, a message, and where the fault is."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column

    def location(self) -> str:
        """``file, row N, column 'c'`` for the parts that are known."""
        parts = []
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        prefix = f"{where}: " if where else ""
        return f"error {self.code.value} [{self.code.name.lower()}]: {prefix}{self.message}"

    def to_dict(self) -> dict[str, str | int | None]:
        return {
            "code": self.code.value,
            "name": self.code.name.lower(),
            "message": self.message,
            "file": self.file,
            "row": self.row,
            "column": self.column,
        }
