"""The plan and scenario reports: HTML (Gantt, cost chart, XSS), CSV, terminal, writing.

The fixtures (``tests/fixtures/plan``) are hand-written documents following
``docs/plan-json.md``; the first tests check that they are internally consistent, so that the
numbers the other tests look for are the right ones.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from collections import Counter
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from derisk.errors import DeriskError, ErrorCode
from derisk.report import (
    PLAN_FORMATS,
    print_plan_summary,
    print_scenario_summary,
    render_plan_csv,
    render_plan_html,
    render_scenario_csv,
    render_scenario_html,
    write_plan_report,
)
from derisk.report.plan_document import deadline_risk, read_plan
from derisk.report.plan_gantt import (
    GANTT_LEFT,
    GANTT_PLOT_WIDTH,
    MAX_GANTT_ROWS,
    build_gantt,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "plan"
PLAN = FIXTURES / "plan_sample.json"
SCENARIO = FIXTURES / "scenario_sample.json"

SCRIPT = "<script>alert(1)</script>"
HYPERLINK = '=HYPERLINK("http://x")'
HOSTILE_JOB = f"{SCRIPT}/ran"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

CSV_HEADER = [
    "job_id",
    "site",
    "region",
    "domain",
    "records",
    "items",
    "replaces",
    "status",
    "deadline",
    "vendor",
    "vendor_name",
    "start",
    "end",
    "duration_weeks",
    "cost",
    "currency",
    "met",
    "days_late",
    "lead_time_weeks",
    "depends_on",
    "rule_ids",
]


def _load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


@pytest.fixture
def plan() -> dict[str, Any]:
    return _load(PLAN)


@pytest.fixture
def scenario() -> dict[str, Any]:
    return _load(SCENARIO)


class Page(HTMLParser):
    """Start tags with attributes, text, tables (rows of cell text) and SVG text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.svg_text: list[str] = []
        self.tables: list[dict[str, Any]] = []
        self._cell: list[str] | None = None
        self._svg = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "svg":
            self._svg += 1
        elif tag == "table":
            self.tables.append({"attrs": dict(attrs), "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._svg -= 1
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[-1]["rows"][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._svg:
            self.svg_text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]

    def with_class(self, tag: str, cls: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag and cls in (a.get("class") or "").split()]

    def table(self, cls: str) -> list[list[str]]:
        """The rows (header row included) of the one table with class ``cls``."""
        found = [t for t in self.tables if cls in (t["attrs"].get("class") or "").split()]
        assert len(found) == 1, (cls, len(found))
        rows: list[list[str]] = found[0]["rows"]
        return rows


# --- the fixtures follow the contract -------------------------------------------------------


def _check_plan(doc: dict[str, Any]) -> None:
    jobs = doc["jobs"]
    summary = doc["summary"]
    start = date.fromisoformat(doc["start"])
    assert doc["schema"] == "derisk.plan/1"
    assert start.weekday() == 0  # a Monday
    assert [(j["start"], j["job_id"]) for j in jobs] == sorted(
        (j["start"], j["job_id"]) for j in jobs
    )
    total = sum(j["cost"] for j in jobs)
    assert summary["cost"] == total
    assert sum(q["cost"] for q in doc["by_quarter"]) == total
    assert sum(d["cost"] for d in doc["by_domain"]) == total
    assert sum(q["jobs"] for q in doc["by_quarter"]) == len(jobs)
    assert sum(d["jobs"] for d in doc["by_domain"]) == len(jobs)
    assert sum(d["items"] for d in doc["by_domain"]) == summary["items"]
    assert summary["items"] == sum(j["items"] for j in jobs)
    assert summary["jobs"] == len(jobs)
    assert summary["met"] + summary["missed"] == len(jobs)
    assert summary["met"] == sum(1 for j in jobs if j["met"] is True)
    assert summary["missed_days"] == sum(j["days_late"] for j in jobs)
    assert summary["weighted_missed_days"] == sum(j["weight"] * j["days_late"] for j in jobs)
    assert summary["weighted_missed_days"] == doc["solver"]["objective"]["weighted_missed_days"]
    assert summary["cost"] == doc["solver"]["objective"]["cost"]
    assert summary["finish"] == max(j["end"] for j in jobs)
    overdue = [j for j in jobs if j["deadline"] < doc["start"]]
    assert summary["legal_overdue_jobs"] == len(overdue)
    for job in jobs:
        first, last = date.fromisoformat(job["start"]), date.fromisoformat(job["end"])
        assert first.weekday() == 0
        assert last == first + timedelta(days=job["duration_weeks"] * 7 - 1)
        late = max(0, (last - date.fromisoformat(job["deadline"])).days)
        assert job["days_late"] == late
        assert job["met"] is (late == 0)
        assert len(job["records"]) == len(job["rows"])
        assert job["vendor"] in job["alternatives"]
    cumulative = 0
    for index, q in enumerate(doc["by_quarter"]):
        cumulative += q["cost"]
        assert q["cumulative_cost"] == cumulative
        assert q["cumulative_budget"] == q["budget"] * (index + 1)  # carry-over, flat budget
    gap = doc["solver"]["gap"]
    objective, bound = summary["weighted_missed_days"], doc["solver"]["bound"]
    assert gap == pytest.approx((objective - bound) / max(1, objective), abs=1e-4)


def test_plan_fixture_is_consistent(plan: dict[str, Any]) -> None:
    _check_plan(plan)
    assert plan["summary"]["missed"] == 3 and plan["summary"]["legal_overdue_jobs"] == 1
    assert len(plan["jobs"]) == 12 and len(plan["not_planned"]) == 2


def test_scenario_fixture_is_consistent(scenario: dict[str, Any]) -> None:
    base, new = scenario["baseline"], scenario["scenario_plan"]
    assert base == _load(PLAN)
    _check_plan(new)
    diff = scenario["difference"]
    for key, summary_key in (
        ("cost", "cost"),
        ("jobs", "jobs"),
        ("missed_jobs", "missed"),
        ("missed_days", "missed_days"),
        ("weighted_missed_days", "weighted_missed_days"),
    ):
        assert diff[key] == new["summary"][summary_key] - base["summary"][summary_key]
    old_jobs = {j["job_id"]: j for j in base["jobs"]}
    new_jobs = {j["job_id"]: j for j in new["jobs"]}
    assert diff["new_jobs"] == sorted(set(new_jobs) - set(old_jobs)) and len(diff["new_jobs"]) == 2
    assert diff["dropped_jobs"] == sorted(set(old_jobs) - set(new_jobs))
    moved = sorted(
        k
        for k in set(old_jobs) & set(new_jobs)
        if (old_jobs[k]["start"], old_jobs[k]["end"]) != (new_jobs[k]["start"], new_jobs[k]["end"])
    )
    assert diff["moved_jobs"] == moved == ["HAM-POP1/management"]


# --- HTML: safety ---------------------------------------------------------------------------

OWN_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p",
    "strong", "dl", "dt", "dd", "code", "span", "nav", "ul", "li", "a", "main", "section",
    "figure", "figcaption", "details", "summary", "table", "caption", "thead", "tbody", "tr",
    "th", "td", "br", "footer", "div",
    # the charts
    "svg", "desc", "defs", "pattern", "rect", "line", "text", "g", "path",
}  # fmt: skip


def _hostile(document: dict[str, Any]) -> dict[str, Any]:
    """The sample with hostile text in every other place inventory text can reach."""
    doc = copy.deepcopy(document)
    doc["input"]["file"] = "<img src=x onerror=alert(2)>.xlsx"
    doc["kb_version"] = '"><script>alert(3)</script>'
    doc["profile"]["countries"] = ["<i>DE</i>"]
    doc["not_planned"][0]["record_id"] = "<iframe src=//x>"
    doc["not_planned"][1]["reason"] = "</td><td onclick=alert(4)>"
    doc["shortfalls"]["text"].append("<svg onload=alert(5)>")
    doc["shortfalls"]["unmeetable"][0]["job_id"] = "<object data=x>"
    doc["by_quarter"][0]["quarter"] = "<embed src=x>"
    doc["jobs"][0]["status"] = '"><script>alert(6)</script>'
    doc["jobs"][0]["region"] = "<link rel=stylesheet href=//evil>"
    doc["jobs"][1]["depends_on"] = ["<style>*{display:none}</style>"]
    doc["jobs"][2]["rule_ids"] = ["' onmouseover='alert(7)' x='"]
    return doc


@pytest.mark.parametrize("hostile", [False, True])
def test_plan_html_never_turns_data_into_markup(plan: dict[str, Any], hostile: bool) -> None:
    html = render_plan_html(_hostile(plan) if hostile else plan)
    page = Page(html)
    tags = {tag for tag, _ in page.tags}
    assert tags <= OWN_TAGS, tags - OWN_TAGS
    for tag, attrs in page.tags:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        assert "src" not in attrs
    lowered = html.lower()
    for needle in ("<script", "<img", "<iframe", "<svg onload", "<object", "<embed", "<link"):
        assert needle not in lowered
    assert len(page.find("style")) == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    csp = page.find("meta", **{"http-equiv": "Content-Security-Policy"})
    assert csp and "default-src 'none'" in (csp[0]["content"] or "")


def test_hostile_text_is_shown_as_text_in_tables_and_svg(plan: dict[str, Any]) -> None:
    page = Page(render_plan_html(_hostile(plan)))
    text = "".join(page.text)
    for value in (SCRIPT, HYPERLINK, "+cmd; @SUM(1)", "</td><td onclick=alert(4)>"):
        assert value in text
    # The Gantt chart's row label is SVG text: escaped, shown literally.
    assert HOSTILE_JOB in page.svg_text
    bars = [g for g in page.with_class("g", "gantt-row") if g.get("data-key") == HOSTILE_JOB]
    assert len(bars) == 1
    assert HOSTILE_JOB in (bars[0]["aria-label"] or "")
    schedule = page.table("schedule")
    row = next(r for r in schedule[1:] if r[0].startswith(HOSTILE_JOB))
    assert row[1].startswith("+cmd; @SUM(1)")
    assert row[5].startswith(HYPERLINK)


def test_scenario_html_is_safe(scenario: dict[str, Any]) -> None:
    doc = copy.deepcopy(scenario)
    doc["scenario"]["name"] = SCRIPT
    doc["scenario"]["description"] = '"><img src=x onerror=alert(1)>'
    doc["scenario"]["changes"][0]["summary"] = "<iframe src=//x>"
    doc["findings"]["new"][0]["input_vendor"] = "<svg onload=alert(2)>"
    doc["findings"]["resolved"] = [dict(doc["findings"]["new"][1], record_id="<b>gone</b>")]
    html = render_scenario_html(doc)
    page = Page(html)
    assert {tag for tag, _ in page.tags} <= OWN_TAGS
    lowered = html.lower()
    for needle in ("<script", "<img", "<iframe", "<svg onload", "<b>"):
        assert needle not in lowered
    text = "".join(page.text)
    assert SCRIPT in text and "<svg onload=alert(2)>" in text and "<b>gone</b>" in text
    assert page.table("resolved-findings")[1][0] == "<b>gone</b>"


def test_pages_are_self_contained_with_unique_ids(
    plan: dict[str, Any], scenario: dict[str, Any]
) -> None:
    for html in (render_plan_html(plan), render_scenario_html(scenario)):
        assert html.startswith("<!DOCTYPE html>")
        page = Page(html)
        assert not page.find("script") and not page.find("link") and not page.find("img")
        assert "@import" not in html and "url(http" not in html
        ids = Counter(attrs["id"] for _, attrs in page.tags if attrs.get("id"))
        assert [i for i, n in ids.items() if n > 1] == []
        # every internal link and aria reference points at an element of the page
        for _, attrs in page.tags:
            href = attrs.get("href") or ""
            if href.startswith("#"):
                assert href[1:] in ids
            for ref in (attrs.get("aria-labelledby") or "").split():
                assert ref in ids
        for attrs in page.find("th"):
            assert attrs.get("scope") in ("col", "row", "rowgroup")
        assert len(page.find("h1")) == 1


# --- HTML: content --------------------------------------------------------------------------


def test_deadline_risk_lists_missed_jobs_first_then_legal_overdue(plan: dict[str, Any]) -> None:
    html = render_plan_html(plan)
    rows = Page(html).table("deadline-risk")
    job_rows = [r for r in rows[1:] if len(r) == 11]
    # avoidable lateness by weight × days (10×114=1,140, 10×30=300), then the legal-overdue
    # job even though its weighted lateness (1000×143=143,000) is larger.
    assert [r[1] for r in job_rows] == [HOSTILE_JOB, "MAN-POP3/management", "FRA-DC1/core"]
    assert [r[10] for r in job_rows] == ["1,140", "300", "143,000"]
    assert [r[0] for r in job_rows] == ["1", "2", "3"]
    # The risk section comes before the schedule and the cost sections.
    assert html.index('id="risk"') < html.index('id="schedule"') < html.index('id="cost"')


def test_deadline_risk_order_is_by_weighted_lateness(plan: dict[str, Any]) -> None:
    doc = copy.deepcopy(plan)
    man = next(j for j in doc["jobs"] if j["job_id"] == "MAN-POP3/management")
    man["weight"] = 40  # 40 × 30 = 1,200 > 10 × 114
    order = [job.job_id for job in deadline_risk(read_plan(doc))]
    assert order == ["MAN-POP3/management", HOSTILE_JOB, "FRA-DC1/core"]


def _bars(page: Page) -> dict[str, dict[str, str | None]]:
    rects = page.with_class("rect", "bar")
    groups = page.with_class("g", "gantt-row")
    gantt_rects = [r for r in rects if r.get("data-start")]
    assert len(groups) == len(gantt_rects)
    return {g["data-key"] or "": r for g, r in zip(groups, gantt_rects, strict=True)}


def test_gantt_has_one_bar_per_job_placed_by_date(plan: dict[str, Any]) -> None:
    page = Page(render_plan_html(plan))
    bars = _bars(page)
    assert set(bars) == {job["job_id"] for job in plan["jobs"]}
    for job in plan["jobs"]:
        bar = bars[job["job_id"]]
        assert (bar["data-start"], bar["data-end"]) == (job["start"], job["end"])
    # By hand: the axis runs from 2027-01-01 (month of the first start) to 2028-04-30 (month of
    # the last end, 2028-04-23): 486 days over 900 px. LON-HUB1/ran works 2027-04-05 (day 94)
    # to 2027-06-27 inclusive (84 days); its deadline mark is at the end of 2027-12-31 (day 365).
    assert (GANTT_LEFT, GANTT_PLOT_WIDTH) == (250, 900)
    lon = bars["LON-HUB1/ran"]
    assert float(lon["x"] or "") == pytest.approx(250 + 94 * 900 / 486, abs=0.05)  # 424.1
    assert float(lon["width"] or "") == pytest.approx(84 * 900 / 486, abs=0.05)  # 155.6
    assert lon["data-deadline"] == "2027-12-31"
    assert float(lon["x"] or "") == pytest.approx(424.1, abs=0.01)
    assert float(lon["width"] or "") == pytest.approx(155.6, abs=0.01)
    marks = [float(a["x1"] or "") for a in page.with_class("line", "deadline") if a.get("y1")]
    assert any(m == pytest.approx(250 + 365 * 900 / 486, abs=0.05) for m in marks)  # 925.9
    # Outcomes are data attributes and text, not only colour.
    outcomes = {g["data-key"]: g["data-outcome"] for g in page.with_class("g", "gantt-row")}
    assert outcomes["FRA-DC1/core"] == "overdue"
    assert outcomes[HOSTILE_JOB] == outcomes["MAN-POP3/management"] == "missed"
    assert Counter(outcomes.values()) == {"met": 9, "missed": 2, "overdue": 1}
    assert "late 114 days" in page.svg_text and "late 143 days" in page.svg_text


def test_gantt_deadlines_beyond_the_axis_are_edge_marks(plan: dict[str, Any]) -> None:
    page = Page(render_plan_html(plan))
    # The three 2029-12-31 deadlines lie beyond the axis (it ends 2028-04-30): right edge marks.
    edges = page.with_class("path", "deadline-edge")
    right = GANTT_LEFT + GANTT_PLOT_WIDTH
    assert [(e["d"] or "").split()[0] for e in edges] == [f"M{right + 3}"] * 3
    # FRA-DC1/core's deadline ends 2026-12-31, exactly where the axis starts: a mark at x=250.
    marks = [a for a in page.with_class("line", "deadline") if a.get("x1") == f"{GANTT_LEFT:.1f}"]
    assert len(marks) == 1
    # An earlier deadline is a mark at the left edge.
    doc = copy.deepcopy(plan)
    core = next(j for j in doc["jobs"] if j["job_id"] == "FRA-DC1/core")
    core["deadline"] = "2026-06-30"
    edges = Page(render_plan_html(doc)).with_class("path", "deadline-edge")
    assert [(e["d"] or "").split()[0] for e in edges].count(f"M{GANTT_LEFT - 3}") == 1


def test_gantt_table_fallback(plan: dict[str, Any]) -> None:
    page = Page(render_plan_html(plan))
    rows = page.table("gantt-data")
    assert len(rows) == 1 + len(plan["jobs"])
    first = rows[1]
    assert first == ["LON-HUB1/transport", "2027-01-04", "2027-02-14", "2027-12-31", "met"]
    svg = page.find("svg", **{"class": "chart gantt"})
    assert len(svg) == 1 and svg[0]["role"] == "img"
    assert "Schedule of 12 jobs" in "".join(page.svg_text)


def _big_plan(plan: dict[str, Any], jobs: int, sites: int, regions: int) -> dict[str, Any]:
    doc = copy.deepcopy(plan)
    proto = doc["jobs"][4]  # LON-HUB1/ran: met
    out = []
    for i in range(jobs):
        first = date(2027, 1, 4) + timedelta(days=7 * (i % 150))
        job = dict(proto)
        site = f"S{i % sites:05d}"
        late = 10 * (i % regions) if i % 5 == 0 else 0
        job.update(
            job_id=f"{site}/ran-{i}",
            site=site,
            region=f"R{(i % sites) % regions:03d}",
            start=first.isoformat(),
            end=(first + timedelta(days=83)).isoformat(),
            deadline=(first + timedelta(days=83 - late)).isoformat(),
            met=late == 0,
            days_late=late,
        )
        out.append(job)
    doc["jobs"] = out
    return doc


def test_gantt_aggregates_large_plans_per_site(plan: dict[str, Any]) -> None:
    doc = _big_plan(plan, 10_000, sites=40, regions=4)
    gantt = build_gantt(read_plan(doc))
    assert gantt.grouping == "site" and len(gantt.rows) == 40 and gantt.hidden == 0
    assert sum(row.jobs for row in gantt.rows) == 10_000
    html = render_plan_html(doc)
    page = Page(html)
    bars = _bars(page)
    assert len(bars) == 40
    # S00001 holds jobs 1, 41, 81, ... (i % 40 == 1), job i starting in week i % 150: job 1
    # starts first (week 1, 2027-01-11); job 141 starts last (week 141, 2029-09-17) and ends
    # 83 days later, on 2029-12-09. None of them is late (i % 5 != 0).
    assert (bars["S00001"]["data-start"], bars["S00001"]["data-end"]) == (
        "2027-01-11",
        "2029-12-09",
    )
    s1 = next(g for g in page.with_class("g", "gantt-row") if g["data-key"] == "S00001")
    assert s1["data-jobs"] == "250" and s1["data-outcome"] == "met"
    # S00005 holds jobs 5, 45, ...: all i % 5 == 0, region R001, 10 days late each.
    s5 = next(r for r in gantt.rows if r.key == "S00005")
    assert (s5.outcome, s5.late, s5.days_late) == ("missed", 250, 2500)
    assert "one row per site" in html
    # the full table is folded away, the page stays usable
    assert "Show the 10,000 jobs" in html


def test_gantt_aggregates_per_region_and_caps_rows(plan: dict[str, Any]) -> None:
    per_region = build_gantt(read_plan(_big_plan(plan, 2_000, sites=500, regions=7)))
    assert per_region.grouping == "region" and len(per_region.rows) == 7
    capped = build_gantt(read_plan(_big_plan(plan, 2_000, sites=1_000, regions=100)))
    assert capped.grouping == "region"
    assert len(capped.rows) == MAX_GANTT_ROWS and capped.hidden == 40
    # the regions kept are those with the most weighted lateness
    kept = {row.key for row in capped.rows}
    assert {f"R{r:03d}" for r in range(5, 100, 5)} <= kept  # the only ones with late jobs
    assert capped.rows[0].start <= capped.rows[-1].start  # drawn in time order
    page = Page(render_plan_html(_big_plan(plan, 2_000, sites=1_000, regions=100)))
    assert len(_bars(page)) == MAX_GANTT_ROWS
    assert "40 regions with the least lateness are not drawn" in " ".join(
        " ".join(page.text).split()
    )


def test_cost_by_quarter_chart_and_table(plan: dict[str, Any]) -> None:
    page = Page(render_plan_html(plan))
    quarters = page.with_class("g", "quarter")
    assert [q["data-quarter"] for q in quarters] == [q["quarter"] for q in plan["by_quarter"]]
    assert [float(q["data-cost"] or "") for q in quarters] == [
        q["cost"] for q in plan["by_quarter"]
    ]
    assert len(page.with_class("line", "budget")) == len(plan["by_quarter"]) + 1  # + legend
    rows = page.table("by-quarter")
    assert rows[1] == [
        "2027-Q1",
        "4",
        "EUR 1,988,000",
        "EUR 2,000,000",
        "EUR 1,988,000",
        "EUR 2,000,000",
        "yes",
    ]
    assert rows[-1][0] == "2028-Q2" and rows[-1][4] == "EUR 5,748,000"
    # bars scale to the budget: 2027-Q1 is 1,988,000 of a 2,000,000 axis of 200 px
    bar = next(
        r for r in page.with_class("rect", "bar") if r.get("height") and not r.get("data-start")
    )
    assert float(bar["height"] or "") == pytest.approx(1_988_000 / 2_000_000 * 200, abs=0.05)
    text = " ".join(page.text)
    for expected in ("EUR 5,748,000", "EUR 1,945,000", "EUR 78,000"):
        assert expected in text
    domains = page.table("by-domain")
    assert domains[1:] == [
        ["core", "1", "14", "EUR 1,450,000"],
        ["management", "6", "14", "EUR 888,000"],
        ["ran", "3", "175", "EUR 2,780,000"],
        ["transport", "2", "58", "EUR 630,000"],
    ]


def test_over_budget_quarter_is_marked_in_words(plan: dict[str, Any]) -> None:
    doc = copy.deepcopy(plan)
    doc["by_quarter"][0]["cumulative_cost"] = 2_500_000
    page = Page(render_plan_html(doc))
    assert "over" in page.svg_text
    assert page.table("by-quarter")[1][-1] == "over the cumulative budget"


def test_plan_summary_shortfalls_not_planned_and_solver(plan: dict[str, Any]) -> None:
    page = Page(render_plan_html(plan))
    text = " ".join(" ".join(page.text).split())
    assert "12 jobs replace 261 flagged items at 6 sites from 2027-01-04 to 2028-04-23" in text
    assert "9 meet their deadline; 3 miss it, by 287 days in total" in text
    for sentence in plan["shortfalls"]["text"]:
        assert sentence in text
    assert page.table("extra-crews")[1] == ["GB", "1"]
    assert page.table("extra-budget")[1] == ["2027-Q1", "EUR 78,000"]
    assert page.table("unmeetable")[1] == [
        "FRA-DC1/core",
        "2026-12-31",
        "deadline already passed",
        "143",
    ]
    assert page.table("not-planned")[1:] == [
        ["DE-0107", "61", "listed findings need no replacement"],
        ["DE-0231", "88", "listed findings need no replacement"],
    ]
    for expected in ("cp-sat", "feasible", "0.5%", "143,717 weighted days late", "60.02 s used"):
        assert expected in text
    heuristic = page.table("heuristic")
    assert heuristic[2] == [
        "Heuristic (earliest-deadline-first)",
        "5",
        "493",
        "146,500",
        "EUR 5,748,000",
        "0.04",
    ]


def test_scenario_html_content(scenario: dict[str, Any]) -> None:
    page = Page(render_scenario_html(scenario))
    diff = {row[0]: row[1:] for row in page.table("difference")[1:]}
    assert diff["Jobs"] == ["12", "14", "+2"]
    assert diff["Cost"] == ["EUR 5,748,000", "EUR 6,788,000", "+EUR 1,040,000"]
    assert diff["Finish"] == ["2028-04-23", "2028-04-23", "same day"]
    new_jobs = [r[0] for r in page.table("new-jobs")[1:]]
    assert len(new_jobs) == 2
    assert new_jobs[0].startswith("HAM-POP1/ran") and new_jobs[1].startswith("HAM-POP1/transport")
    moved = page.table("moved-jobs")[1]
    assert moved[:4] == [
        "HAM-POP1/management",
        "2027-06-21 to 2027-07-18",
        "2027-11-08 to 2027-12-05",
        "140 days later",
    ]
    assert [r[0] for r in page.table("new-findings")[1:]] == ["DE-0107", "DE-0231"]
    quarters = {row[0]: row[1:] for row in page.table("quarter-comparison")[1:]}
    assert quarters["2027-Q2"] == ["EUR 1,945,000", "EUR 1,780,000", "−EUR 165,000"]
    assert quarters["2027-Q3"] == ["EUR 980,000", "EUR 2,020,000", "+EUR 1,040,000"]
    # Both plans' cost charts, on one scale.
    svgs = page.with_class("svg", "cost")
    assert len(svgs) == 2
    assert len(page.with_class("g", "quarter")) == 12


# --- CSV ------------------------------------------------------------------------------------


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_csv_columns_and_rows(plan: dict[str, Any]) -> None:
    text = render_plan_csv(plan)
    assert text.endswith("\r\n")
    rows = _rows(text)
    assert rows[0] == CSV_HEADER
    assert len(rows) == 1 + len(plan["jobs"])
    by_id = {row[0]: dict(zip(CSV_HEADER, row, strict=True)) for row in rows[1:]}
    core = by_id["FRA-DC1/core"]
    assert core["records"] == "DE-0004;DE-0005;DE-0011"
    assert core["cost"] == "1450000" and core["currency"] == "EUR"
    assert core["met"] == "false" and core["days_late"] == "143"
    assert core["deadline"] == "2026-12-31" and core["lead_time_weeks"] == "4"
    mgmt = by_id["LON-HUB1/management"]
    assert mgmt["depends_on"] == "LON-HUB1/ran;LON-HUB1/transport" and mgmt["met"] == "true"
    assert [row[0] for row in rows[1:]] == [job["job_id"] for job in plan["jobs"]]


def test_csv_writes_whole_floats_as_integers(plan: dict[str, Any]) -> None:
    doc = copy.deepcopy(plan)
    doc["jobs"][0].update(items=36.0, cost=320000.0, days_late=0)
    doc["jobs"][1].update(items=2.5, cost=-12.75)
    rows = [dict(zip(CSV_HEADER, r, strict=True)) for r in _rows(render_plan_csv(doc))[1:]]
    assert (rows[0]["items"], rows[0]["cost"]) == ("36", "320000")
    assert (rows[1]["items"], rows[1]["cost"]) == ("2.5", "-12.75")  # a number stays a number


def test_csv_neutralises_formulas(plan: dict[str, Any]) -> None:
    rows = _rows(render_plan_csv(plan))
    row = dict(zip(CSV_HEADER, next(r for r in rows if r[0] == HOSTILE_JOB), strict=True))
    assert row["vendor_name"] == "'" + HYPERLINK
    assert row["records"] == "'+cmd;@SUM(1)"
    assert row["site"] == SCRIPT  # not a formula: CSV has no markup to escape
    for cells in rows:
        for cell in cells:
            assert not cell.startswith(TRIGGERS), cell


def test_csv_neutralises_every_text_column(plan: dict[str, Any]) -> None:
    doc = copy.deepcopy(plan)
    job = doc["jobs"][0]
    for column in CSV_HEADER:
        if column != "currency":
            job[column] = "=1+1" if column != "records" else ["-2+3", "ok"]
    doc["currency"] = "@EUR"
    row = _rows(render_plan_csv(doc))[1]
    assert all(cell.startswith("'") for cell in row), row


@settings(max_examples=200, deadline=None)
@given(site=st.text(max_size=12), vendor=st.text(max_size=12), record=st.text(max_size=12))
def test_csv_cells_never_start_with_a_trigger(site: str, vendor: str, record: str) -> None:
    doc = {"currency": "EUR", "jobs": [{"site": site, "vendor_name": vendor, "records": [record]}]}
    rows = _rows(render_plan_csv(doc))
    assert len(rows) == 2
    for cell in rows[1]:
        if cell.startswith("'"):
            continue
        assert not cell.startswith(TRIGGERS), cell
        assert not cell.lstrip().startswith(TRIGGERS), cell


def test_scenario_csv(scenario: dict[str, Any]) -> None:
    rows = _rows(render_scenario_csv(scenario))
    assert rows[0] == ["plan", *CSV_HEADER]
    labels = Counter(row[0] for row in rows[1:])
    assert labels == {"baseline": 12, "scenario": 14}
    assert rows[1][0] == "baseline" and rows[-1][0] == "scenario"


# --- terminal -------------------------------------------------------------------------------


def _terminal(printer: Any, document: dict[str, Any], *, colour: bool = False) -> str:
    console = Console(
        file=io.StringIO(),
        width=120,
        record=True,
        force_terminal=colour,
        color_system="standard" if colour else None,
    )
    printer(document, console)
    if colour:
        out = console.file
        assert isinstance(out, io.StringIO)
        return out.getvalue()
    return console.export_text()


def test_terminal_plan_summary(plan: dict[str, Any]) -> None:
    text = _terminal(print_plan_summary, plan)
    for expected in (
        "start 2027-01-04",
        "currency EUR",
        "KB sha256:9c41d07ab3e2f518",
        "cp-sat feasible",
        "gap 0.5%",
        "60.02 s of 60 s",
        "Jobs: 12 (9 met, 3 missed, 1 legally overdue)",
        "Days late: 287 (weighted 144,440)",
        "Cost: EUR 5,748,000",
        "Finish: 2028-04-23",
        "past their legal deadline already (earliest: 2026-12-31)",
        "1 more crew(s) in GB and 78,000 more money from 2027-Q1",
        "2 flagged records not planned",
        "Heuristic earliest-deadline-first: 5 missed, 493 days late (weighted 146,500)",
    ):
        assert expected in text, expected
    lines = text.splitlines()
    q1 = next(line for line in lines if line.strip().startswith("2027-Q1"))
    assert "Cost by quarter (EUR)" in text
    assert q1.split() == ["2027-Q1", "4"] + ["1,988,000", "2,000,000"] * 2
    # Deadlines at risk: the late jobs first, in the report's order, then the closest met.
    order = [
        text.index(SCRIPT + "/ran"),
        text.index("MAN-POP3/management   "),
        text.index("FRA-DC1/core   "),
        text.index("LON-HUB1/management   "),
    ]
    assert order == sorted(order)
    assert "LATE 114 days" in text and "LATE 143 days, deadline passed before start" in text


def test_terminal_prints_markup_literally(plan: dict[str, Any]) -> None:
    doc = copy.deepcopy(plan)
    doc["jobs"][-1]["job_id"] = "[bold red]boom[/] \x1b[31mred"
    doc["shortfalls"]["text"] = ["[link=http://x]click[/link]"]
    coloured = _terminal(print_plan_summary, doc, colour=True)
    assert "\x1b[31mred" not in coloured
    text = _terminal(print_plan_summary, doc)
    assert "[bold red]boom[/] \\x1b[31mred" in text
    assert "[link=http://x]click[/link]" in text


def test_terminal_scenario_summary(scenario: dict[str, Any]) -> None:
    text = _terminal(print_scenario_summary, scenario)
    for expected in (
        "derisk scenario csa2-adopted",
        "+EUR 1,040,000",
        "same day",
        "New jobs: 2  HAM-POP1/ran, HAM-POP1/transport",
        "Dropped jobs: 0",
        "Moved jobs: 1  HAM-POP1/management",
        "Findings: 2 new, 0 gone",
        "−165,000",
    ):
        assert expected in text, expected


@pytest.mark.parametrize("document", [{}, {"schema": "derisk.plan/1", "jobs": "nonsense"}])
def test_lenient_with_empty_or_odd_documents(document: dict[str, Any]) -> None:
    assert "<!DOCTYPE html>" in render_plan_html(document)
    assert "<!DOCTYPE html>" in render_scenario_html(document)
    assert _rows(render_plan_csv(document)) == [CSV_HEADER]
    assert _rows(render_scenario_csv(document)) == [["plan", *CSV_HEADER]]
    assert "derisk plan" in _terminal(print_plan_summary, document)
    assert "derisk scenario" in _terminal(print_scenario_summary, document)


# --- write_plan_report ----------------------------------------------------------------------


def test_write_plan_report_formats(tmp_path: Path, plan: dict[str, Any]) -> None:
    assert PLAN_FORMATS == ("json", "csv", "html")
    write_plan_report(plan, "json", tmp_path / "plan.json")
    raw = (tmp_path / "plan.json").read_bytes()
    assert raw.decode("utf-8") == json.dumps(plan, ensure_ascii=False, indent=2) + "\n"
    write_plan_report(plan, "csv", tmp_path / "plan.csv")
    write_plan_report(plan, "html", tmp_path / "plan.html")
    assert (tmp_path / "plan.csv").read_bytes() == render_plan_csv(plan).encode("utf-8")
    assert (tmp_path / "plan.html").read_bytes() == render_plan_html(plan).encode("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.csv", "plan.html", "plan.json"]


def test_write_plan_report_picks_the_scenario_writers(
    tmp_path: Path, scenario: dict[str, Any]
) -> None:
    write_plan_report(scenario, "html", tmp_path / "s.html")
    write_plan_report(scenario, "csv", tmp_path / "s.csv")
    assert (tmp_path / "s.html").read_text(encoding="utf-8") == render_scenario_html(scenario)
    assert (tmp_path / "s.csv").read_bytes() == render_scenario_csv(scenario).encode("utf-8")


def test_write_plan_report_stdout(
    capsysbinary: pytest.CaptureFixture[bytes], plan: dict[str, Any]
) -> None:
    write_plan_report(plan, "csv", None)
    assert capsysbinary.readouterr().out == render_plan_csv(plan).encode("utf-8")


def test_write_plan_report_unknown_format(tmp_path: Path, plan: dict[str, Any]) -> None:
    with pytest.raises(DeriskError) as caught:
        write_plan_report(plan, "pdf", tmp_path / "plan.pdf")
    assert caught.value.code is ErrorCode.ARGUMENT_INVALID
    assert "'pdf'" in caught.value.message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["json", "csv", "html"])
def test_failure_leaves_no_partial_file(
    tmp_path: Path, plan: dict[str, Any], failing_step: str, fmt: str
) -> None:
    target = tmp_path / f"plan.{fmt}"
    target.write_text("previous report", encoding="utf-8")
    with pytest.raises(DeriskError) as caught:
        write_plan_report(plan, fmt, target)
    assert caught.value.code is ErrorCode.OUTPUT_WRITE
    assert caught.value.file == str(target)
    assert target.read_text(encoding="utf-8") == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_missing_directory_is_dr501(tmp_path: Path, plan: dict[str, Any]) -> None:
    target = tmp_path / "missing" / "plan.html"
    with pytest.raises(DeriskError) as caught:
        write_plan_report(plan, "html", target)
    assert caught.value.code is ErrorCode.OUTPUT_WRITE
    assert caught.value.file == str(target)


def test_lone_surrogates_do_not_break_the_write(tmp_path: Path, plan: dict[str, Any]) -> None:
    doc = copy.deepcopy(plan)
    doc["jobs"][0]["site"] = "bad\udcff"
    write_plan_report(doc, "json", tmp_path / "a.json")
    assert json.loads((tmp_path / "a.json").read_text(encoding="ascii")) == doc
    write_plan_report(doc, "csv", tmp_path / "a.csv")
    assert "bad\\udcff" in (tmp_path / "a.csv").read_text(encoding="utf-8")
    write_plan_report(doc, "html", tmp_path / "a.html")
    assert "bad\\udcff" in (tmp_path / "a.html").read_text(encoding="utf-8")
