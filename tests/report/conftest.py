"""Fixtures shared by the report writers' tests."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(params=["write", "fsync", "replace"])
def failing_step(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Make one step of the atomic write fail with an OSError (disk full)."""
    step: str = request.param

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    if step == "write":
        real_fdopen = os.fdopen

        class Failing:
            def __init__(self, fd: int, mode: str) -> None:
                self._handle = real_fdopen(fd, mode)

            def __enter__(self) -> Failing:
                return self

            def __exit__(self, *exc: object) -> None:
                self._handle.close()

            def write(self, data: bytes) -> int:
                self._handle.write(data[: len(data) // 2])  # a partial write, then the error
                self._handle.flush()
                raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "fdopen", Failing)
    elif step == "fsync":
        monkeypatch.setattr(os, "fsync", fail)
    else:
        monkeypatch.setattr(os, "replace", fail)
    yield step
