"""An entity's dated timeline gathers listings, ownership changes and rules."""

from __future__ import annotations

from datetime import date

from derisk.kb.loader import load_bundled
from derisk.kb.timeline import entity_timeline


def test_huawei_timeline_in_order_with_dated_events() -> None:
    events = entity_timeline(load_bundled(), "huawei")
    days = [e.on for e in events]
    assert days == sorted(days)
    text = {(e.on, e.what) for e in events}
    # From lists/us-bis-entity-list.yaml and regimes/de-5g-bsig-9b-2024.yaml.
    assert (
        date(2019, 5, 16),
        "added to Entity List (Supplement No. 4 to Part 744 of the EAR)",
    ) in text
    assert any(
        on == date(2026, 12, 31) and "deadline" in what and "core" in what for on, what in text
    )
    assert all(e.sources for e in events)


def test_divestment_shows_on_the_former_subsidiary() -> None:
    events = entity_timeline(load_bundled(), "honor")
    assert any("leaves control of Huawei" in e.what for e in events)
