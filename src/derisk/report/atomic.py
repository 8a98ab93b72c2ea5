"""Atomic file writes: a report is either written whole or not at all.

The bytes go to a new temporary file in the target's directory, are flushed to disk, and the
temporary file then replaces the target in one ``os.replace``. A failure at any point removes
the temporary file and leaves any previous report untouched; it never leaves a partial file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
from pathlib import Path

from derisk.errors import DeriskError, ErrorCode

__all__ = ["write_atomic", "write_stdout"]

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def _create_temp(directory: Path, name: str) -> tuple[int, Path]:
    """Create a new, empty temporary file next to the target; return its fd and path.

    ``os.open`` with mode 0o666 lets the process umask decide the permissions, so the report
    ends up with the same permissions a plain ``open(path, "w")`` would give it (``mkstemp``
    would make it owner-only). ``O_EXCL`` never reuses or follows an existing file.
    """
    for _ in range(100):
        temp = directory / f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(temp, _FLAGS, 0o666), temp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary file name in {directory}")


def _fail(path: Path | str, exc: OSError) -> DeriskError:
    reason = exc.strerror or str(exc) or type(exc).__name__
    return DeriskError(ErrorCode.OUTPUT_WRITE, f"cannot write the report: {reason}", file=path)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically; raise DR501 naming the file on failure."""
    directory = path.parent
    temp: Path | None = None
    try:
        fd, temp = _create_temp(directory, path.name)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
        temp = None
    except OSError as exc:
        raise _fail(path, exc) from exc
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def write_stdout(data: bytes) -> None:
    """Write ``data`` (UTF-8 bytes) to standard output; raise DR501 on failure."""
    try:
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is not None:
            sys.stdout.flush()
            buffer.write(data)
            buffer.flush()
        else:  # a text-only stream (e.g. a test's StringIO)
            sys.stdout.write(data.decode("utf-8"))
            sys.stdout.flush()
    except OSError as exc:
        raise _fail("<stdout>", exc) from exc
