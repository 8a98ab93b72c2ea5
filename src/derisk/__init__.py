"""derisk: screen technology inventories against geopolitical restriction regimes.

The public API::

    from datetime import date
    import derisk

    profile = derisk.Profile(countries=["DE"], sector="telecom")
    report = derisk.screen_file("inventory.csv", profile, as_of=date(2027, 1, 1))
    report["summary"]["by_status"]
    derisk.match("HUAWEI TECH. CO LTD")          # the best entity, score and method
    derisk.compare_names("ZTE Corp.", "ZTT")      # score, decision and feature contributions
    derisk.classify("H20", destination="CN", as_of=date(2025, 6, 1))["license_required"]
"""

from derisk._version import __version__
from derisk.api import classify, match, screen_file
from derisk.errors import DeriskError, ErrorCode
from derisk.kb.knowledge import KnowledgeBase
from derisk.kb.loader import load_bundled
from derisk.kb.store import Store
from derisk.profile import Profile
from derisk.resolve.compare import compare_names

__all__ = [
    "DeriskError",
    "ErrorCode",
    "KnowledgeBase",
    "Profile",
    "Store",
    "__version__",
    "classify",
    "compare_names",
    "load_bundled",
    "match",
    "screen_file",
]
