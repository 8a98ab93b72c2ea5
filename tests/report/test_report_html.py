"""The HTML report: content, structure, accessibility and XSS safety."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from derisk.report import render_html
from derisk.report.html_report import safe_href

FIXTURE = Path(__file__).parent.parent / "fixtures" / "report" / "screening_telecom.json"

# Every element the report itself uses. Anything else in the output came from data.
OWN_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "header",
    "h1",
    "h2",
    "h3",
    "p",
    "strong",
    "dl",
    "dt",
    "dd",
    "code",
    "span",
    "nav",
    "ul",
    "li",
    "a",
    "main",
    "section",
    "figure",
    "figcaption",
    "details",
    "summary",
    "table",
    "caption",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "br",
    "footer",
    # the chart
    "svg",
    "desc",
    "defs",
    "pattern",
    "rect",
    "line",
    "text",
    "g",
}


class Page(HTMLParser):
    """Parses a report: every start tag with its attributes, the text, and table cells."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.tables: list[dict[str, Any]] = []  # {"attrs", "caption", "rows": [[cell text]]}
        self._cell: list[str] | None = None
        self._in_caption = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "table":
            self.tables.append({"attrs": dict(attrs), "caption": "", "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = []
        elif tag == "caption":
            self._in_caption = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1]["rows"][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "caption":
            self._in_caption = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._in_caption:
            self.tables[-1]["caption"] += data

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]

    def table(self, cls: str) -> list[dict[str, Any]]:
        return [t for t in self.tables if t["attrs"].get("class") == cls]


def _finding(**overrides: Any) -> dict[str, Any]:
    finding: dict[str, Any] = {
        "record_id": "A-1",
        "row": 2,
        "input_vendor": "Huawei",
        "entity_id": "huawei-technologies",
        "entity_name": "Huawei Technologies Co., Ltd.",
        "match_score": 0.97,
        "matched_name": "Huawei",
        "match_method": "normalized",
        "via": "vendor",
        "ownership_path": ["huawei-technologies"],
        "rule_id": "us-ndaa-889.b",
        "regime_id": "us-ndaa-889",
        "jurisdiction": "US",
        "status": "prohibited",
        "deadline": "2020-08-13",
        "since": "2020-08-13",
        "explanation": "Covered telecommunications equipment.",
        "instrument": "NDAA FY2019 s.889",
        "uncertain": False,
        "sources": [
            {
                "id": "far",
                "title": "FAR 52.204-25",
                "url": "https://www.acquisition.gov/far/52.204-25",
                "published": "2020-08-13",
            }
        ],
    }
    finding.update(overrides)
    return finding


def _document(*findings: dict[str, Any], **top: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "schema": "derisk.screen/1",
        "generated_by": "derisk 0.1.0",
        "as_of": "2025-06-30",
        "countries": ["GB"],
        "sector": "telecom",
        "attributes": {},
        "kb_version": "kb-1",
        "input": {"file": "inventory.csv", "format": "csv", "encoding": "utf-8", "records": 3},
        "summary": {},
        "findings": list(findings),
        "clear": [],
    }
    document.update(top)
    return document


def _load_fixture() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return document


# --- XSS ------------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
ATTR = "' onmouseover='alert(1)' x='"
HOSTILE_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "https:evil.example",
    "http://",
    "https://ok.example/\nx",
]


def _hostile_document() -> dict[str, Any]:
    sources = [
        {"id": f"s{i}", "title": f"bad {i}", "url": url} for i, url in enumerate(HOSTILE_URLS)
    ]
    sources.append({"id": "ok", "title": "<b>good</b>", "url": 'https://ok.example/a?b=1&c="x"'})
    findings = [
        _finding(input_vendor=SCRIPT, record_id=IMG, sources=sources),
        _finding(
            row=3,
            input_vendor=IMG,
            record_id=ATTR,
            entity_name="</td></tr></table><script>alert(2)</script>",
            entity_id="<iframe src=//x>",
            matched_name="<svg onload=alert(3)>",
            explanation="</td><td onclick=alert(4)>",
            ownership_path=["<a href=javascript:alert(5)>x</a>", "b"],
            rule_id="<style>*{display:none}</style>",
            instrument="<link rel=stylesheet href=//evil>",
            jurisdiction="<object data=x>",
            status="<script>bad()</script>",
            deadline="<img src=y onerror=alert(6)>",
            since="<embed src=x>",
            sources=[],
        ),
        _finding(
            row=4,
            input_vendor="华为技术有限公司",
            entity_name="Лаборатория Касперского",
            sources=[],
        ),
    ]
    return _document(
        *findings,
        as_of="<script>alert(7)</script>",
        countries=["<i>GB</i>", IMG],
        sector=SCRIPT,
        attributes={"<b>k</b>": "<img src=z onerror=alert(8)>", "state_funded": True},
        kb_version='"><script>alert(9)</script>',
        generated_by="<marquee>",
        input={"file": "<svg onload=alert(10)>.csv", "format": SCRIPT, "records": 3},
        summary={
            "next_deadlines": [
                {
                    "deadline": "<img src=w>",
                    "status": "<x onclick=y>",
                    "rule_id": SCRIPT,
                    "jurisdiction": IMG,
                    "records": 1,
                }
            ]
        },
        clear=[SCRIPT, IMG],
    )


def test_hostile_text_never_becomes_markup() -> None:
    html = render_html(_hostile_document())
    page = Page(html)
    tags = {tag for tag, _ in page.tags}
    assert tags <= OWN_TAGS, tags - OWN_TAGS
    for tag, attrs in page.tags:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
    # Nothing from the data opened a <script>, <img>, <style>, <iframe>...
    lowered = html.lower()
    for needle in ("<script", "<img", "<iframe", "<svg onload", "<object", "<embed", "<link"):
        assert needle not in lowered
    assert len(page.find("style")) == 1  # the report's own stylesheet only


def test_hostile_text_is_shown_as_text() -> None:
    page = Page(render_html(_hostile_document()))
    text = "".join(page.text)
    for value in (SCRIPT, IMG, ATTR, "</td><td onclick=alert(4)>", "<b>good</b>"):
        assert value in text
    rows = page.table("findings")
    cells = [row for table in rows for row in table["rows"][1:]]
    vendors = {row[2] for row in cells}
    record_ids = {row[1] for row in cells}
    assert {SCRIPT, IMG, "华为技术有限公司"} <= vendors
    assert {IMG, ATTR} <= record_ids
    path_cell = next(row[9] for row in cells if row[1] == ATTR)
    assert path_cell == "<a href=javascript:alert(5)>x</a> → b"


def test_only_http_urls_become_links() -> None:
    page = Page(render_html(_hostile_document()))
    hrefs = [attrs.get("href") or "" for _, attrs in page.tags if "href" in attrs]
    external = [h for h in hrefs if not h.startswith("#")]
    assert external == ['https://ok.example/a?b=1&c="x"']  # attribute value quoted and escaped
    assert all("javascript" not in h.lower() for h in hrefs)
    # The refused URLs are still shown, as text.
    text = "".join(page.text)
    for url in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "vbscript:msgbox(1)"):
        assert url in text
    # No attribute anywhere carries a script URL.
    for _, attrs in page.tags:
        for value in attrs.values():
            assert "javascript:" not in (value or "").lower()


def test_link_attribute_is_quoted() -> None:
    html = render_html(_hostile_document())
    assert 'href="https://ok.example/a?b=1&amp;c=&#34;x&#34;"' in html


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_safe_href_refuses(url: str) -> None:
    assert safe_href(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "https://www.legislation.gov.uk/ukpga/2021/31",
        "HTTP://EXAMPLE.COM/x",
        "https://例え.jp/パス?q=1#frag",
    ],
)
def test_safe_href_accepts(url: str) -> None:
    assert safe_href(url) == url


def test_document_is_self_contained() -> None:
    html = render_html(_load_fixture())
    page = Page(html)
    # No external stylesheet, script, image or font: only the inline <style>, and links to
    # sources (navigation, not resources).
    assert not page.find("link")
    assert not page.find("script")
    assert not page.find("img")
    for _, attrs in page.tags:
        assert "src" not in attrs
    assert "@import" not in html and "url(http" not in html
    csp = page.find("meta", **{"http-equiv": "Content-Security-Policy"})
    assert csp and "default-src 'none'" in (csp[0]["content"] or "")


# --- structure and accessibility ------------------------------------------------------------


def test_page_basics() -> None:
    html = render_html(_load_fixture())
    page = Page(html)
    assert html.startswith("<!DOCTYPE html>")
    assert page.find("html", lang="en")
    assert page.find("meta", charset="utf-8")
    assert len(page.find("h1")) == 1
    titles = [t for t in page.text if "Restriction screening report" in t]
    assert titles
    # every table has a caption and column headers with a scope
    assert page.tables
    for table in page.tables:
        assert table["caption"].strip()
    assert page.find("th")
    assert all(a.get("scope") in ("col", "row") for a in page.find("th"))


def test_profile_and_provenance_are_shown() -> None:
    text = " ".join(Page(render_html(_load_fixture())).text)
    for expected in (
        "2025-06-30",
        "DE, GB, US",
        "telecom",
        "federal_contractor:",
        "sha256:4f3c9a1be07d5e2c",
        "network-inventory-2025Q2.csv",
        "derisk 0.1.0",
    ):
        assert expected in text


def test_status_cards_show_the_documents_counts() -> None:
    # The summary deliberately disagrees with the findings: the report shows the summary.
    by_status = {
        "prohibited": 7,
        "overdue": 0,
        "remove_by": 3,
        "license_required": 1,
        "restricted": 0,
        "listed": 12,
    }
    doc = _document(_finding(), summary={"by_status": by_status, "records": 40, "flagged": 9})
    page = Page(render_html(doc))
    cards = {a["data-status"]: a["data-count"] for a in page.find("li") if "data-status" in a}
    assert cards == {status: str(n) for status, n in by_status.items()}
    html = render_html(doc)
    for label in ("remove by", "licence required", "listed (informational)"):
        assert f'<span class="name">{label}</span>' in html


def test_status_cards_fall_back_to_counting_findings() -> None:
    doc = _document(
        _finding(),
        _finding(row=3, record_id="A-2", status="listed"),
        _finding(row=3, record_id="A-2", status="remove_by", deadline="2027-01-01"),
    )
    page = Page(render_html(doc))
    cards = {a["data-status"]: a["data-count"] for a in page.find("li") if "data-status" in a}
    assert cards == {
        "prohibited": "1",
        "overdue": "0",
        "remove_by": "1",
        "license_required": "0",
        "restricted": "0",
        "listed": "1",
    }


def test_findings_are_grouped_by_severity_then_row() -> None:
    doc = _document(
        _finding(row=9, record_id="r9", status="listed", deadline=None),
        _finding(row=7, record_id="r7", status="remove_by", deadline="2026-12-31"),
        _finding(row=3, record_id="r3", status="listed", deadline=None),
        _finding(row=5, record_id="r5", status="prohibited"),
        _finding(row=2, record_id="r2", status="remove_by", deadline="2027-12-31"),
        _finding(row=4, record_id="r4", status="overdue", deadline="2023-01-28"),
        _finding(row=6, record_id="r6", status="something_new", deadline=None),
    )
    page = Page(render_html(doc))
    tables = page.table("findings")
    assert [t["attrs"]["data-status"] for t in tables] == [
        "prohibited",
        "overdue",
        "remove_by",
        "listed",
        "something_new",  # unknown statuses are shown, last
    ]
    order = [row[1] for t in tables for row in t["rows"][1:]]
    assert order == ["r5", "r4", "r2", "r7", "r3", "r9", "r6"]


def test_finding_row_content() -> None:
    doc = _document(
        _finding(
            row=12,
            record_id="NE-0011",
            input_vendor="ZTE Kangxun",
            entity_id="zte-kangxun",
            entity_name="Shenzhen ZTE Kangxun Telecom Co., Ltd.",
            match_score=0.996,
            matched_name="ZTE Kangxun",
            match_method="fuzzy",
            ownership_path=["zte-kangxun", "zte-holdings", "zte"],
            status="overdue",
            deadline="2023-01-28",
            rule_id="uk-tsa-dvd.core-removal",
            jurisdiction="GB",
            uncertain=True,
            sources=[
                {"id": "a", "title": "TSA 2021", "url": "https://x.example/a", "published": None},
                {
                    "id": "b",
                    "title": "Memo",
                    "url": "file:///srv/memo.pdf",
                    "published": "2024-01-01",
                },
            ],
        )
    )
    page = Page(render_html(doc))
    (table,) = page.table("findings")
    header, row = table["rows"]
    assert header == [
        "Row",
        "Record ID",
        "Input vendor",
        "Matched entity",
        "Status",
        "Deadline",
        "Rule",
        "Jurisdiction",
        "Explanation",
        "Ownership path",
        "Sources",
    ]
    assert row[0] == "12"
    assert row[1] == "NE-0011"
    assert row[2] == "ZTE Kangxun"
    # score as a floored percentage: 99.6 % must not read as 100 %
    assert "Shenzhen ZTE Kangxun Telecom Co., Ltd." in row[3] and "99%" in row[3]
    assert row[4] == "overdue" + "single source"
    assert row[5] == "2023-01-28overdue by 884 days"
    assert row[6].startswith("uk-tsa-dvd.core-removal")
    assert row[7] == "GB"
    assert row[9] == "zte-kangxun → zte-holdings → zte"
    assert row[10] == "TSA 2021" + "Memo file:///srv/memo.pdf (2024-01-01)"  # two <li>
    assert [a["href"] for a in page.find("a") if a.get("rel")] == ["https://x.example/a"]


def test_next_deadlines_table() -> None:
    document = _load_fixture()
    page = Page(render_html(document))
    (table,) = page.table("next-deadlines")
    rows = table["rows"][1:]
    expected = document["summary"]["next_deadlines"]
    assert [r[0] for r in rows] == [d["deadline"] for d in expected]
    assert rows[0][1:3] == ["overdue by 884 days", "overdue"]
    assert rows[1][1:3] == ["in 549 days", "remove by"]
    assert [r[5] for r in rows] == [str(d["records"]) for d in expected]


def _bars(page: Page) -> list[tuple[str, int, int]]:
    return [
        (a["data-bucket"] or "", int(a["data-count"] or 0), int(a["data-overdue"] or 0))
        for a in page.find("g", **{"class": "bar"})
    ]


def test_chart_has_one_bar_per_deadline_date() -> None:
    doc = _document(
        _finding(row=2, status="overdue", deadline="2023-01-28"),
        _finding(row=3, status="overdue", deadline="2023-01-28"),
        _finding(row=4, status="remove_by", deadline="2026-12-31"),
        _finding(row=5, status="prohibited", deadline="2020-08-13"),
        _finding(row=6, status="remove_by", deadline="2026-12-31"),
        _finding(row=7, status="remove_by", deadline="2027-06-30"),
        _finding(row=8, status="listed", deadline=None),
        _finding(row=9, status="restricted", deadline="not a date"),
    )
    html = render_html(doc)
    page = Page(html)
    # Counted by hand: 4 distinct dates, shown in date order; two findings have no date.
    assert _bars(page) == [
        ("2020-08-13", 1, 0),
        ("2023-01-28", 2, 2),
        ("2026-12-31", 2, 0),
        ("2027-06-30", 1, 0),
    ]
    text = " ".join(page.text)
    assert "2 overdue" in text  # the overdue bar is labelled in words
    assert "2 findings without a deadline are not shown." in text
    svg = page.find("svg")[0]
    assert svg["role"] == "img"
    assert svg["aria-labelledby"] == "dr-chart-title dr-chart-desc"
    assert page.find("title", id="dr-chart-title") and page.find("desc", id="dr-chart-desc")
    (data,) = page.table("chart-data")
    assert [r[:3] for r in data["rows"][1:]] == [
        ["2020-08-13", "1", "0"],
        ["2023-01-28", "2", "2"],
        ["2026-12-31", "2", "0"],
        ["2027-06-30", "1", "0"],
    ]


def test_chart_groups_many_dates_by_quarter() -> None:
    dates = [
        "2026-01-05",
        "2026-02-10",
        "2026-03-31",  # 2026 Q1: 3
        "2026-04-01",
        "2026-06-30",  # Q2: 2
        "2026-07-01",
        "2026-08-01",
        "2026-09-30",  # Q3: 3
        "2026-10-01",
        "2026-12-31",  # Q4: 2
        "2027-01-01",
        "2027-02-02",
        "2027-03-03",  # 2027 Q1: 3
    ]
    doc = _document(
        *(_finding(row=i, status="remove_by", deadline=d) for i, d in enumerate(dates, start=2))
    )
    assert _bars(Page(render_html(doc))) == [
        ("2026-Q1", 3, 0),
        ("2026-Q2", 2, 0),
        ("2026-Q3", 3, 0),
        ("2026-Q4", 2, 0),
        ("2027-Q1", 3, 0),
    ]


def test_no_chart_without_deadlines() -> None:
    page = Page(render_html(_document(_finding(status="listed", deadline=None))))
    assert not page.find("svg")
    assert "No finding has a deadline." in "".join(page.text)


def test_clear_records_are_listed_and_folded_when_long() -> None:
    short = Page(render_html(_document(clear=["C-1", "C-2"])))
    assert not short.find("details")
    assert [a for a in short.find("ul", **{"class": "clear-list"})]
    assert "C-2" in short.text
    many = [f"C-{i}" for i in range(100)]
    long = Page(render_html(_document(clear=many)))
    assert long.find("details")
    assert "Show the 100 clear records" in "".join(long.text)
    assert all(c in long.text for c in many)


def test_empty_and_odd_documents_render() -> None:
    docs: list[dict[str, Any]] = [{}, _document(), {"findings": [None, 1, {}], "summary": []}]
    for doc in docs:
        page = Page(render_html(doc))
        assert page.find("h1")
    text = "".join(Page(render_html(_document())).text)
    assert "No findings" in text
    assert "No record is clear." in text


def test_realistic_document_renders_unicode() -> None:
    html = render_html(_load_fixture())
    assert "华为技术有限公司" in html
    assert "Лаборатория Касперского" in html
    page = Page(html)
    findings = sum(len(t["rows"]) - 1 for t in page.table("findings"))
    assert findings == len(_load_fixture()["findings"])


# --- properties -----------------------------------------------------------------------------

MARK = "qzxv"


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"])))
def test_property_vendor_text_is_escaped_and_preserved(text: str) -> None:
    vendor = MARK + text + MARK
    html = render_html(_document(_finding(input_vendor=vendor)))
    if re.search(r"[<>&\"']", text):
        assert vendor not in html
    page = Page(html)
    (table,) = page.table("findings")
    assert table["rows"][1][2] == vendor
    assert {tag for tag, _ in page.tags} <= OWN_TAGS
