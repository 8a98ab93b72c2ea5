"""The deadline chart: bucketing, the SVG, and colour contrast."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

import pytest

from derisk.report.chart import STATUS_COLOURS, build_chart, describe, render_svg
from derisk.report.document import STATUSES, Finding

SVG = "{http://www.w3.org/2000/svg}"


def _f(deadline: str | None, status: str = "remove_by") -> Finding:
    raw: dict[str, Any] = {"record_id": "r", "row": 2, "status": status, "deadline": deadline}
    return Finding.read(raw)


def _svg(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # the SVG is well-formed XML


def _bars(root: ET.Element) -> list[tuple[str, int, int]]:
    return [
        (g.get("data-bucket", ""), int(g.get("data-count", "0")), int(g.get("data-overdue", "0")))
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "bar"
    ]


def test_per_date_bars_stacked_by_status() -> None:
    findings = [
        _f("2023-01-28", "overdue"),
        _f("2023-01-28", "overdue"),
        _f("2023-01-28", "prohibited"),
        _f("2026-12-31"),
        _f(None, "listed"),
        _f("31/12/2026"),
    ]
    chart = build_chart(findings)
    assert chart.granularity == "date"
    assert chart.undated == 2
    root = _svg(render_svg(chart, date(2025, 6, 30)))
    assert _bars(root) == [("2023-01-28", 3, 2), ("2026-12-31", 1, 0)]
    first = next(g for g in root.iter(f"{SVG}g") if g.get("data-bucket") == "2023-01-28")
    segments = [
        (r.get("data-status"), r.get("data-count"), r.get("fill")) for r in first.iter(f"{SVG}rect")
    ]
    # most severe at the bottom (drawn first); overdue hatched
    assert segments == [
        ("prohibited", "1", STATUS_COLOURS["prohibited"]),
        ("overdue", "2", "url(#dr-hatch)"),
    ]
    texts = ["".join(t.itertext()) for t in first.iter(f"{SVG}text")]
    assert texts == ["3", "2023-01-28", "2 overdue"]


def test_title_desc_and_legend() -> None:
    chart = build_chart([_f("2026-12-31"), _f("2023-01-28", "overdue")])
    root = _svg(render_svg(chart, title="Deadlines"))
    assert root.get("role") == "img"
    assert root.findtext(f"{SVG}title") == "Deadlines"
    desc = root.findtext(f"{SVG}desc") or ""
    assert desc == (
        "Findings per deadline date. 2023-01-28: 1 finding (1 overdue); "
        "2026-12-31: 1 finding (1 remove by)."
    )
    legend = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "legend"]
    assert legend == ["overdue", "remove by"]


def test_quarters_then_years() -> None:
    # 13 distinct dates in 3 quarters
    days = [date(2026, m, d).isoformat() for m in (1, 2, 4, 5, 7) for d in (1, 15, 28)][:13]
    quarters = build_chart([_f(d) for d in days])
    assert quarters.granularity == "quarter"
    assert [(b.key, b.total) for b in quarters.buckets] == [
        ("2026-Q1", 6),
        ("2026-Q2", 6),
        ("2026-Q3", 1),
    ]
    assert quarters.buckets[0].start == date(2026, 1, 1)
    assert quarters.buckets[0].end == date(2026, 3, 31)
    assert quarters.buckets[1].label == "2026 Q2"
    # 30 quarters' worth of dates: one bar per year
    many = [date(2020 + q // 4, 3 * (q % 4) + 1, 1).isoformat() for q in range(30)]
    years = build_chart([_f(d) for d in many])
    assert years.granularity == "year"
    assert [(b.key, b.total) for b in years.buckets] == [
        ("2020", 4),
        ("2021", 4),
        ("2022", 4),
        ("2023", 4),
        ("2024", 4),
        ("2025", 4),
        ("2026", 4),
        ("2027", 2),
    ]


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2024, 1, 1), 56 + 72.0),  # between the first and second bars
        (date(2023, 1, 28), 56 + 36.0),  # through the first bar
        (date(2020, 1, 1), None),  # before every bar
        (date(2030, 1, 1), None),  # after every bar
    ],
)
def test_as_of_marker(as_of: date, expected: float | None) -> None:
    chart = build_chart([_f("2023-01-28", "overdue"), _f("2026-12-31")])
    root = _svg(render_svg(chart, as_of))
    markers = [g for g in root.iter(f"{SVG}g") if g.get("class") == "as-of"]
    if expected is None:
        assert markers == []
    else:
        (marker,) = markers
        line = marker.find(f"{SVG}line")
        assert line is not None and float(line.get("x1", "nan")) == expected
        assert "".join(marker.itertext()) == f"as of {as_of.isoformat()}"


def test_empty_chart() -> None:
    chart = build_chart([_f(None, "listed")])
    assert chart.buckets == ()
    assert str(render_svg(chart)) == ""
    assert describe(chart) == "No finding has a deadline."


def test_unknown_status_is_escaped() -> None:
    chart = build_chart([_f("2026-01-01", '<x y="1">')])
    markup = str(render_svg(chart))
    assert '<x y="1">' not in markup
    assert "&lt;x y=&#34;1&#34;&gt;" in markup
    _svg(markup)


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


@pytest.mark.parametrize("status", STATUSES)
def test_status_colours_have_text_contrast_with_white(status: str) -> None:
    # Badges print white text on these colours, and bars sit on white: WCAG AA for text.
    ratio = (1.0 + 0.05) / (_luminance(STATUS_COLOURS[status]) + 0.05)
    assert ratio >= 4.5, (status, round(ratio, 2))
