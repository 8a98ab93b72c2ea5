"""Where the project's shared data extracts live, if anywhere (tests skip without them).

``../shared/data`` beside the checkout (as CI provides), or ``$DERISK_SHARED_DATA``.
"""

from __future__ import annotations

import os
from pathlib import Path

SHARED_DATA = Path(
    os.environ.get(
        "DERISK_SHARED_DATA",
        Path(__file__).resolve().parents[1].parent / "shared" / "data",
    )
)
