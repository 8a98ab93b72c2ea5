"""Keep the cyclic garbage collector out of the way while a large report is built.

Rendering a report of 100,000 findings allocates millions of small, short-lived objects
(strings, view rows). Each burst of allocations triggers a collection that walks every live
container, including the whole screening document, which about doubles the rendering time.
None of those objects form reference cycles, so reference counting frees them as usual with
the collector paused; any cycle made meanwhile is collected once it resumes.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause automatic cyclic garbage collection for the block (restores the previous state)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
