"""The HTML report: one self-contained, accessible, print-friendly file.

The document is read into plain-text view rows here; the Jinja2 templates
(``templates/report.html.j2`` and the cell macros of ``templates/cells.html.j2``, autoescape
on) lay them out, so every piece of input text is HTML-escaped by the template engine and none
is ever marked safe by hand. The only markup built in Python is the chart's SVG, which holds
nothing but dates and counts computed here (escaped all the same). A URL becomes a link only
when it is a plain ``http``/``https`` URL; anything else (``javascript:``, ``data:``, a bare
path) is shown as text. A Content-Security-Policy meta tag forbids scripts and remote
resources as a second line of defence.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from derisk import __version__
from derisk.report.bulk import gc_paused
from derisk.report.chart import STATUS_COLOURS, build_chart, render_svg
from derisk.report.document import (
    STATUS_MEANINGS,
    Deadline,
    Finding,
    Report,
    Source,
    parse_date,
    read_report,
    relative_deadline,
    severity_rank,
    status_label,
)
from derisk.report.templating import new_environment

__all__ = ["CLEAR_LIST_OPEN_MAX", "render_html", "safe_href"]

#: Up to this many clear records are listed openly; more are folded into ``<details>``.
CLEAR_LIST_OPEN_MAX = 30

PATH_ARROW = " → "

# A URL we link to: http(s), a host, and no whitespace or control character anywhere (browsers
# silently drop tabs and newlines inside URLs, a classic way to smuggle a scheme past a check).
# Unicode whitespace is excluded as well as ASCII.
_LINKABLE = re.compile(r"https?://[^\s\x00-\x1f\x7f]+", re.IGNORECASE)


@lru_cache(maxsize=4096)
def safe_href(url: str) -> str | None:
    """``url`` if it may be used as a link target (http/https with a host), else None."""
    if not _LINKABLE.fullmatch(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


# --- view rows ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceView:
    name: str
    href: str | None
    url: str  # shown as text when it is not linked
    published: str


@dataclass(frozen=True, slots=True)
class FindingView:
    """One row of the findings table: plain text, and cells rendered by ``cells.html.j2``."""

    row: str
    record_id: str
    vendor: str
    jurisdiction: str
    explanation: str
    path: str
    entity: Markup
    status: Markup
    deadline: Markup
    rule: Markup
    sources: Markup


@dataclass(frozen=True, slots=True)
class Group:
    anchor: str
    status: str
    label: str
    meaning: str
    rows: list[FindingView]


@dataclass(frozen=True, slots=True)
class StatusCard:
    status: str
    label: str
    meaning: str
    findings: int
    records: int


@dataclass(frozen=True, slots=True)
class DeadlineView:
    deadline: str
    when: str
    status: str
    status_label: str
    rule_id: str
    jurisdiction: str
    records: str


def _score(finding: Finding) -> str:
    if finding.match_score is None:
        return finding.match_score_text
    # Floor, not round: a 99.6 % fuzzy match must not read as a 100 % one.
    return f"{math.floor(finding.match_score * 100 + 1e-9)}%"


def _match(finding: Finding) -> str:
    parts = []
    if finding.match_method:
        parts.append(f"{finding.match_method} match")
    if finding.matched_name and finding.matched_name != finding.entity_name:
        parts.append(f"on “{finding.matched_name}”")
    if finding.via == "model":
        parts.append("via model/description")
    return " ".join(parts)


def _source_view(source: Source) -> SourceView:
    href = safe_href(source.url) if source.url else None
    return SourceView(
        name=source.name,
        href=href,
        url="" if href is not None or source.url == source.name else source.url,
        published=source.published or "",
    )


class _Cells:
    """Renders table cells with the autoescaping macros of ``cells.html.j2``, once per value.

    A report of many findings repeats the same entity, status, deadline, rule and sources
    over and over; rendering each distinct one once keeps a 100,000-finding report fast. The
    markup still comes only from the templates, with every value escaped by Jinja2.
    """

    def __init__(self, env: jinja2.Environment, as_of: str) -> None:
        self._macros = env.get_template("cells.html.j2").module
        self._as_of = as_of
        self._memo: dict[tuple[object, ...], Markup] = {}

    def _call(self, macro: str, *args: object) -> Markup:
        return Markup(getattr(self._macros, macro)(*args))

    def _render(self, macro: str, *args: object) -> Markup:
        key = (macro, *args)
        html = self._memo.get(key)
        if html is None:
            html = self._memo[key] = self._call(macro, *args)
        return html

    def _sources(self, sources: tuple[Source, ...]) -> Markup:
        key = ("sources", sources)
        html = self._memo.get(key)
        if html is None:
            items = tuple(self._render("source_item", _source_view(s)) for s in sources)
            html = self._memo[key] = self._call("sources_cell", items)
        return html

    def row(self, f: Finding) -> FindingView:
        status = f.status
        when = relative_deadline(self._as_of, f.deadline, status)
        return FindingView(
            row=str(f.row) if f.row is not None else f.row_text,
            record_id=f.record_id,
            vendor=f.input_vendor,
            jurisdiction=f.jurisdiction,
            explanation=f.explanation,
            path=PATH_ARROW.join(f.ownership_path),
            entity=self._render("entity_cell", f.entity_name, f.entity_id, _score(f), _match(f)),
            status=self._render("status_cell", status, status_label(status), f.uncertain),
            deadline=self._render("deadline_cell", f.deadline or "", when),
            rule=self._render("rule_cell", f.rule_id, f.instrument, f.since or ""),
            sources=self._sources(f.sources),
        )


def _groups(report: Report, cells: _Cells) -> list[Group]:
    groups: dict[str, list[FindingView]] = {}
    for finding in report.findings_by_severity():
        groups.setdefault(finding.status, []).append(cells.row(finding))
    ordered = sorted(groups, key=lambda s: (severity_rank(s), s))
    return [
        Group(
            anchor=f"findings-{index}",
            status=status,
            label=status_label(status),
            meaning=STATUS_MEANINGS.get(status, ""),
            rows=groups[status],
        )
        for index, status in enumerate(ordered, start=1)
    ]


def _cards(report: Report) -> list[StatusCard]:
    records = dict(report.records_by_status)
    return [
        StatusCard(
            status=status,
            label=status_label(status),
            meaning=STATUS_MEANINGS.get(status, ""),
            findings=count,
            records=records.get(status, 0),
        )
        for status, count in report.by_status
    ]


def _deadline_view(item: Deadline, as_of: str) -> DeadlineView:
    return DeadlineView(
        deadline=item.deadline or "",
        when=relative_deadline(as_of, item.deadline, item.status),
        status=item.status,
        status_label=status_label(item.status),
        rule_id=item.rule_id,
        jurisdiction=item.jurisdiction,
        records="" if item.records is None else f"{item.records:,}",
    )


# --- rendering ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = new_environment()
    env.filters["thousands"] = _thousands
    env.globals["status_label"] = status_label
    return env


def _thousands(value: object) -> object:
    """``12345`` -> ``12,345``; anything else unchanged (None -> empty)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else value


def render_html(document: Mapping[str, Any]) -> str:
    """The HTML report of a screening document, as one self-contained UTF-8 HTML page."""
    with gc_paused():
        return _render(read_report(document))


def _render(report: Report) -> str:
    chart = build_chart(report.findings)
    env = _environment()
    template = env.get_template("report.html.j2")
    return template.render(
        report=report,
        version=__version__,
        cards=_cards(report),
        groups=_groups(report, _Cells(env, report.as_of)),
        next_deadlines=[_deadline_view(d, report.as_of) for d in report.next_deadlines],
        chart=chart,
        chart_svg=render_svg(chart, parse_date(report.as_of)),
        colours=STATUS_COLOURS,
        clear_open=len(report.clear) <= CLEAR_LIST_OPEN_MAX,
    )
