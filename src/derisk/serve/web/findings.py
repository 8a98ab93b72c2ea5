"""The findings table of a run page: filtered, searched, sorted and paged on the server, from
query parameters, so it works without JavaScript and every view has its own address.

- ``status``: one status (``overdue``, ...), or empty for all;
- ``q``: text found (case-insensitively) in the record id, the vendor as given, the matched
  name or the entity's name;
- ``sort``: ``record`` (the document's order: by row, then severity), ``status`` (most severe
  first, then row) or ``deadline`` (earliest first, findings without one last);
- ``page``: pages of :data:`PAGE_SIZE` findings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from derisk.report.document import STATUSES, Finding, Report

__all__ = ["PAGE_SIZE", "SORTS", "FindingQuery", "Selection", "select"]

PAGE_SIZE = 100
SORTS = {
    "record": "record (row order)",
    "status": "status, most severe first",
    "deadline": "deadline, earliest first",
}
_MAX_QUERY = 200


@dataclass(frozen=True)
class FindingQuery:
    status: str = ""
    q: str = ""
    sort: str = "record"
    page: int = 1

    @classmethod
    def read(cls, params: Mapping[str, str] | Iterable[tuple[str, str]]) -> FindingQuery:
        """Lenient: an unknown status or sort, or a bad page, reads as the default."""
        values = dict(params.items() if isinstance(params, Mapping) else params)
        status = values.get("status", "")
        sort = values.get("sort", "record")
        page = values.get("page", "1")
        return cls(
            status=status if status in STATUSES else "",
            q=values.get("q", "").strip()[:_MAX_QUERY],
            sort=sort if sort in SORTS else "record",
            page=int(page) if page.isdigit() and 0 < int(page) < 10**6 else 1,
        )

    def query(self, **changes: object) -> str:
        """The query string of this view with ``changes``, defaults left out."""
        view = replace(self, **changes)  # type: ignore[arg-type]
        pairs = [
            (k, str(v))
            for k, v, default in (
                ("status", view.status, ""),
                ("q", view.q, ""),
                ("sort", view.sort, "record"),
                ("page", view.page, 1),
            )
            if v != default
        ]
        return urlencode(pairs)


@dataclass(frozen=True)
class Selection:
    rows: list[tuple[int, Finding]]  # (index in the document's findings, finding)
    matched: int  # findings that pass the filter
    total: int  # all findings of the run
    page: int
    pages: int

    @property
    def first(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


def _matches(finding: Finding, needle: str) -> bool:
    haystack = (finding.record_id, finding.input_vendor, finding.matched_name, finding.entity_name)
    return any(needle in text.casefold() for text in haystack)


def _row(finding: Finding) -> int:
    return finding.row if finding.row is not None else 2**62


def select(report: Report, query: FindingQuery) -> Selection:
    found = list(enumerate(report.findings))
    if query.status:
        found = [(i, f) for i, f in found if f.status == query.status]
    if query.q:
        needle = query.q.casefold()
        found = [(i, f) for i, f in found if _matches(f, needle)]
    if query.sort == "status":
        found.sort(key=lambda item: (item[1].sort_key(), item[0]))
    elif query.sort == "deadline":
        found.sort(
            key=lambda item: (
                item[1].deadline is None,
                item[1].deadline or "",
                item[1].severity,
                _row(item[1]),
                item[0],
            )
        )
    pages = max(1, -(-len(found) // PAGE_SIZE))
    page = min(query.page, pages)
    start = (page - 1) * PAGE_SIZE
    rows = found[start : start + PAGE_SIZE]
    return Selection(rows, len(found), len(report.findings), page, pages)
