"""Typed, read-only views of the screening JSON document (``derisk.screen/1``).

The writers receive the document as a plain JSON-shaped ``dict`` (see ``docs/output-json.md``).
This module reads it once into small frozen dataclasses so the writers never index into
``dict[str, Any]`` themselves. Reading is lenient: a missing key reads as empty (``""``,
``None``, ``[]``), and a value of an unexpected type is turned into text rather than trusted, so
a report can always be produced from whatever document it is given. Every string read here is
still untrusted input text: each writer escapes it for its own output.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

__all__ = [
    "STATUSES",
    "STATUS_LABELS",
    "STATUS_MEANINGS",
    "Deadline",
    "Finding",
    "Report",
    "Source",
    "days_between",
    "parse_date",
    "plural",
    "read_report",
    "relative_deadline",
    "severity_rank",
    "status_label",
]

#: Every status, most severe first (``docs/output-json.md``).
STATUSES: tuple[str, ...] = (
    "prohibited",
    "overdue",
    "remove_by",
    "license_required",
    "restricted",
    "listed",
)

#: How each status is written for people.
STATUS_LABELS: dict[str, str] = {
    "prohibited": "prohibited",
    "overdue": "overdue",
    "remove_by": "remove by",
    "license_required": "licence required",
    "restricted": "restricted",
    "listed": "listed (informational)",
}

#: What each status means, in plain English.
STATUS_MEANINGS: dict[str, str] = {
    "prohibited": "Use or procurement is banned now.",
    "overdue": "A removal deadline has passed.",
    "remove_by": "A removal deadline (or the start of a prohibition) lies ahead.",
    "license_required": "A licence or authorisation is required.",
    "restricted": "Allowed under conditions (caps, authorisations, notification, no subsidies).",
    "listed": (
        "The entity is on a list, or named by an advisory act, that imposes nothing on "
        "this organisation."
    ),
}

_RANK = {status: rank for rank, status in enumerate(STATUSES)}


def severity_rank(status: str) -> int:
    """0 for the most severe status; statuses this version does not know sort last."""
    return _RANK.get(status, len(STATUSES))


def status_label(status: str) -> str:
    """The human label of a status, or the status itself when it is not known."""
    return STATUS_LABELS.get(status, status)


def parse_date(value: str | None) -> date | None:
    """An ISO date (``YYYY-MM-DD``), or None when absent or not a date."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10]) if len(value) >= 10 else None
    except ValueError:
        return None


def days_between(start: str | None, end: str | None) -> int | None:
    """Days from ``start`` to ``end`` (both ISO dates), or None if either is not a date."""
    first, last = parse_date(start), parse_date(end)
    if first is None or last is None:
        return None
    return (last - first).days


def plural(count: int, word: str) -> str:
    """``1 day``, ``2 days``, ``1,000 findings``."""
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def relative_deadline(as_of: str, deadline: str | None, status: str) -> str:
    """A deadline relative to the as-of date, in words: "in 30 days", "overdue by 2 days".

    For ``prohibited`` the date is when the prohibition took (or takes) effect. Empty when
    either date is missing or not a date.
    """
    days = days_between(as_of, deadline)
    if days is None:
        return ""
    if status == "prohibited":
        return "in effect" if days <= 0 else f"takes effect in {plural(days, 'day')}"
    if days == 0:
        return "today"
    if days > 0:
        return f"in {plural(days, 'day')}"
    if status == "overdue":
        return f"overdue by {plural(-days, 'day')}"
    return f"{plural(-days, 'day')} ago"


# --- lenient readers ------------------------------------------------------------------------


def _text(mapping: Mapping[str, Any], key: str) -> str:
    value = mapping.get(key)
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _opt_text(mapping: Mapping[str, Any], key: str) -> str | None:
    value = mapping.get(key)
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _int(mapping: Mapping[str, Any], key: str) -> int | None:
    value = mapping.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def _number(mapping: Mapping[str, Any], key: str) -> float | None:
    value = mapping.get(key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _mapping(mapping: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = mapping.get(key)
    return value if isinstance(value, Mapping) else {}


def _mappings(mapping: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = mapping.get(key)
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def _texts(mapping: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = mapping.get(key)
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list):
        return ()
    return tuple(item if isinstance(item, str) else str(item) for item in value)


def _coerce(value: Any) -> str:
    return "" if value is None else str(value)


def _texts_of(mapping: Mapping[str, Any], keys: tuple[str, ...]) -> list[str]:
    """The text of each key, as :func:`_text` would read it (one call for many keys: fast)."""
    return [v if v.__class__ is str else _coerce(v) for v in map(mapping.get, keys)]


_FINDING_TEXTS = (
    "record_id",
    "row",
    "input_vendor",
    "entity_id",
    "entity_name",
    "match_score",
    "matched_name",
    "match_method",
    "via",
    "rule_id",
    "jurisdiction",
    "status",
    "explanation",
    "instrument",
)


# --- views ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    """A source behind a finding."""

    id: str
    title: str
    url: str
    published: str | None

    @classmethod
    def read(cls, raw: Mapping[str, Any]) -> Source:
        return cls(
            id=_text(raw, "id"),
            title=_text(raw, "title"),
            url=_text(raw, "url"),
            published=_opt_text(raw, "published"),
        )

    @property
    def name(self) -> str:
        """How the source is named: its title, else its URL, else its id."""
        return self.title or self.url or self.id


class _SourceCache:
    """Reads sources, sharing one :class:`Source` per distinct source across findings."""

    def __init__(self) -> None:
        self._seen: dict[tuple[object, ...], Source] = {}

    def read(self, raw: Mapping[str, Any]) -> Source:
        key = tuple(map(raw.get, ("id", "title", "url", "published")))
        try:
            found = self._seen.get(key)
        except TypeError:  # an unhashable value: read it, don't share it
            return Source.read(raw)
        if found is None:
            found = self._seen[key] = Source.read(raw)
        return found


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding (one record against one rule)."""

    record_id: str
    row: int | None
    #: ``row`` as the document gave it when it is not an integer (kept, never dropped).
    row_text: str
    input_vendor: str
    entity_id: str
    entity_name: str
    match_score: float | None
    match_score_text: str
    matched_name: str
    match_method: str
    via: str
    decision: str | None  # the analyst decision behind the match, if any
    ownership_path: tuple[str, ...]
    rule_id: str
    regime_id: str | None
    jurisdiction: str
    status: str
    deadline: str | None
    since: str | None
    explanation: str
    instrument: str
    uncertain: bool
    sources: tuple[Source, ...]

    @classmethod
    def read(cls, raw: Mapping[str, Any], sources: _SourceCache | None = None) -> Finding:
        (
            record_id,
            row_text,
            input_vendor,
            entity_id,
            entity_name,
            match_score_text,
            matched_name,
            match_method,
            via,
            rule_id,
            jurisdiction,
            status,
            explanation,
            instrument,
        ) = _texts_of(raw, _FINDING_TEXTS)
        cache = sources if sources is not None else _SourceCache()
        return cls(
            record_id=record_id,
            row=_int(raw, "row"),
            row_text=row_text,
            input_vendor=input_vendor,
            entity_id=entity_id,
            entity_name=entity_name,
            match_score=_number(raw, "match_score"),
            match_score_text=match_score_text,
            matched_name=matched_name,
            match_method=match_method,
            via=via,
            decision=_opt_text(raw, "decision"),
            ownership_path=_texts(raw, "ownership_path"),
            rule_id=rule_id,
            regime_id=_opt_text(raw, "regime_id"),
            jurisdiction=jurisdiction,
            status=status,
            deadline=_opt_text(raw, "deadline"),
            since=_opt_text(raw, "since"),
            explanation=explanation,
            instrument=instrument,
            uncertain=raw.get("uncertain") is True,
            sources=tuple(cache.read(item) for item in _mappings(raw, "sources")),
        )

    @property
    def severity(self) -> int:
        return severity_rank(self.status)

    def sort_key(self) -> tuple[int, int, str, str]:
        """Most severe first, then by row (findings without a row last), then record id."""
        row = self.row if self.row is not None else 2**62
        return (self.severity, row, self.record_id, self.rule_id)


@dataclass(frozen=True, slots=True)
class Deadline:
    """An entry of ``summary.next_deadlines``."""

    deadline: str | None
    status: str
    rule_id: str
    jurisdiction: str
    records: int | None

    @classmethod
    def read(cls, raw: Mapping[str, Any]) -> Deadline:
        return cls(
            deadline=_opt_text(raw, "deadline"),
            status=_text(raw, "status"),
            rule_id=_text(raw, "rule_id"),
            jurisdiction=_text(raw, "jurisdiction"),
            records=_int(raw, "records"),
        )


@dataclass(frozen=True, slots=True)
class Report:
    """The whole document, read."""

    schema: str
    generated_by: str
    as_of: str
    countries: tuple[str, ...]
    sector: str
    attributes: tuple[tuple[str, str], ...]
    kb_version: str
    input_file: str
    input_format: str
    input_encoding: str
    records: int | None
    flagged: int
    clear_count: int
    findings_count: int
    #: Findings per status, every known status present (zero included), known ones first.
    by_status: tuple[tuple[str, int], ...]
    #: Records per their most severe status, same shape as ``by_status``.
    records_by_status: tuple[tuple[str, int], ...]
    next_deadlines: tuple[Deadline, ...]
    findings: tuple[Finding, ...]
    clear: tuple[str, ...]

    def findings_by_severity(self) -> list[Finding]:
        """The findings, most severe first, then by row."""
        return sorted(self.findings, key=Finding.sort_key)


def _counts(
    raw: Mapping[str, Any], fallback: Mapping[str, int], extra: list[str]
) -> tuple[tuple[str, int], ...]:
    """Counts per status: the document's when it gives them, else ``fallback``."""
    statuses = list(STATUSES) + [s for s in extra if s not in _RANK]
    statuses += sorted(k for k in raw if isinstance(k, str) and k not in statuses)
    out: list[tuple[str, int]] = []
    for status in statuses:
        value = raw.get(status)
        if isinstance(value, int) and not isinstance(value, bool):
            out.append((status, value))
        else:
            out.append((status, fallback.get(status, 0)))
    return tuple(out)


def _first(value: int | None, fallback: int | None) -> int | None:
    return value if value is not None else fallback


def _or(value: int | None, fallback: int) -> int:
    return value if value is not None else fallback


def _format_attribute(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)


def read_report(document: Mapping[str, Any]) -> Report:
    """Read a screening document into a :class:`Report`."""
    sources = _SourceCache()
    findings = tuple(Finding.read(item, sources) for item in _mappings(document, "findings"))
    clear = _texts(document, "clear")
    summary = _mapping(document, "summary")
    inp = _mapping(document, "input")

    # Counted from the findings, used where the summary does not say.
    finding_counts: dict[str, int] = {}
    worst: dict[str, str] = {}  # record id -> its most severe status
    for finding in findings:
        finding_counts[finding.status] = finding_counts.get(finding.status, 0) + 1
        record = finding.record_id or finding.row_text
        if record not in worst or finding.severity < severity_rank(worst[record]):
            worst[record] = finding.status
    record_counts: dict[str, int] = {}
    for status in worst.values():
        record_counts[status] = record_counts.get(status, 0) + 1
    present = sorted({f.status for f in findings}, key=lambda s: (severity_rank(s), s))

    findings_total = _int(summary, "findings")
    attributes = _mapping(document, "attributes")
    return Report(
        schema=_text(document, "schema"),
        generated_by=_text(document, "generated_by"),
        as_of=_text(document, "as_of"),
        countries=_texts(document, "countries"),
        sector=_text(document, "sector"),
        attributes=tuple(
            (str(key), _format_attribute(value)) for key, value in sorted(attributes.items())
        ),
        kb_version=_text(document, "kb_version"),
        input_file=_text(inp, "file"),
        input_format=_text(inp, "format"),
        input_encoding=_text(inp, "encoding"),
        records=_first(_int(summary, "records"), _int(inp, "records")),
        flagged=_or(_int(summary, "flagged"), len(worst)),
        clear_count=_or(_int(summary, "clear"), len(clear)),
        findings_count=_or(findings_total, len(findings)),
        by_status=_counts(_mapping(summary, "by_status"), finding_counts, present),
        records_by_status=_counts(_mapping(summary, "records_by_status"), record_counts, present),
        next_deadlines=tuple(Deadline.read(d) for d in _mappings(summary, "next_deadlines")),
        findings=findings,
        clear=clear,
    )
