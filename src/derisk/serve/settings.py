"""Server configuration: where its state lives, limits, cookies."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["DEFAULT_MAX_RECORDS", "DEFAULT_MAX_UPLOAD_MB", "ServeSettings", "default_database_url"]

DEFAULT_MAX_UPLOAD_MB = 50
DEFAULT_MAX_RECORDS = 100_000


def default_database_url() -> str:
    """``$DERISK_DATABASE_URL``, else a SQLite file in the user data directory."""
    url = os.environ.get("DERISK_DATABASE_URL")
    if url:
        return url
    path = Path(user_data_dir("derisk", appauthor=False)) / "serve.sqlite3"
    return f"sqlite:///{path}"


class ServeSettings(BaseModel):
    """Everything the app needs to start, passed explicitly to the app factory."""

    model_config = ConfigDict(frozen=True)

    database_url: str = Field(default_factory=default_database_url)
    kb_path: Path | None = None  # the knowledge-base store (default: $DERISK_DB or user data)
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_MB * 1024 * 1024
    max_records: int = DEFAULT_MAX_RECORDS  # per upload: bounds the work, not just the bytes
    session_hours: int = 12
    secure_cookies: bool = False  # set behind HTTPS
    plan_time_limit: float = 20.0  # seconds; the API caps what a client may ask for
