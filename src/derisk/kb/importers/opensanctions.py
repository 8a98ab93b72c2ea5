"""OpenSanctions source CSVs: China sanctions, DoD 1260H, US special legislation, BIS MIEU.

The layout is recognised from the header; see ``docs/importers.md`` for the column mapping.
These CSVs are CC BY-NC 4.0 (OpenSanctions): users import their own copies, derisk bundles
none of them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.importers._util import (
    CsvTable,
    PartialDateError,
    Row,
    UnionFind,
    country_code,
    date_cell,
    name_key,
    read_csv,
    split_names,
)
from derisk.kb.importers.base import (
    AliasSpec,
    BatchBuilder,
    ImportBatch,
    ListSpec,
    source_id,
)
from derisk.kb.model import Source

__all__ = ["FORMAT", "LAYOUTS", "import_opensanctions"]

FORMAT = "opensanctions"
_DMY = "day.month.year, e.g. 16.02.23 or 04.02.2025"
_ISO = "an ISO date, e.g. 2024-01-31"
_DOD_COLUMNS = ("name", "clean name", "parent name", "start date")
_LEG_COLUMNS = ("schema", "name", "program", "start date")
_ORG_TYPES = {"", "company", "organization", "organisation", "legalentity", "legal entity"}


def _source(table: CsvTable, title: str, url: str | None) -> Source:
    return Source(
        id=source_id(FORMAT, table.sha256),
        title=f"{table.name}: {title}",
        url=url,
        publisher="OpenSanctions",
    )


def _date(b: BatchBuilder, row: Row, column: str, expected: str) -> tuple[date | None, str | None]:
    """(date, None), (None, None) when empty, or (None, text) when only a year/month."""
    try:
        return date_cell(b.table, row, column, expected=expected), None
    except PartialDateError:
        return None, row.get(column)


def _org_name(b: BatchBuilder, row: Row, type_column: str) -> str | None:
    """The row's organisation name, or None after recording why the row is skipped."""
    name, typ = row.get("name"), row.get(type_column)
    if not name:
        b.skip(row.num, "no name")
    elif typ.lower() == "person":
        b.skip(row.num, f"person: {name}")
    elif typ.lower() not in _ORG_TYPES:
        b.skip(row.num, f"{type_column} '{typ}' is not an organisation: {name}")
    else:
        return name
    return None


def _check_order(b: BatchBuilder, row: Row, listed: date, removed: date | None, col: str) -> None:
    if removed is not None and removed < listed:
        raise b.malformed(row.num, col, f"end date {removed} is before the listing date {listed}")


# ---------------------------------------------------------------------------------------------
# China: cn_sanctions.csv

_MOFCOM = "Ministry of Commerce (MOFCOM)"
CN_UEL = ListSpec("cn-unreliable-entity-list", "Unreliable Entity List", "CN", _MOFCOM)
CN_ECL = ListSpec("cn-export-control-list", "Export Control List", "CN", _MOFCOM)
CN_WATCH = ListSpec("cn-export-control-watch-list", "Export Control Watch List", "CN", _MOFCOM)
_CN_COUNTER_ID = "cn-countermeasures"
_CN_LISTS = {
    "uel": CN_UEL,
    "list of export controls": CN_ECL,
    "export control watch list": CN_WATCH,
}


def _cn_countermeasures(bodies: list[str]) -> ListSpec:
    return ListSpec(
        _CN_COUNTER_ID,
        "Countermeasures and anti-foreign-sanctions designations",
        "CN",
        "; ".join(bodies) or "Government of the People's Republic of China",
        description=(
            "Countermeasures announced by Chinese authorities (Anti-Foreign Sanctions Law lists,"
            " lists of targets of countermeasures, decisions on countermeasures)."
        ),
    )


def _import_cn(table: CsvTable) -> ImportBatch:
    b = BatchBuilder(
        FORMAT,
        table,
        _source(
            table,
            "China sanctions research (OpenSanctions dataset cn_sanctions; MFA, MOFCOM and "
            "Taiwan Affairs Office designations)",
            "https://www.opensanctions.org/datasets/cn_sanctions/",
        ),
    )
    bodies: list[str] = []
    for row in table:
        if (name := _org_name(b, row, "type")) is None:
            continue
        listed, partial = _date(b, row, "date", _DMY)
        if listed is None:
            b.skip(row.num, f"no listing date ({partial or 'Date empty'}): {name}")
            continue
        removed, partial_end = _date(b, row, "end date", _DMY)
        _check_order(b, row, listed, removed, "End date")
        list_value, body = row.get("list"), row.get("body")
        spec = _CN_LISTS.get(list_value.lower())
        if spec is None:
            spec = _cn_countermeasures([])
            if body and body not in bodies:
                bodies.append(body)
        aliases: list[AliasSpec] = [(a, "alias", None) for a in split_names(row.get("alias"))]
        if zh := row.get("chinese name"):
            aliases.append((zh, "local", "zh-Hans"))
        eid = b.entity(name, country=country_code(row.get("country")), aliases=aliases)
        parts = [listed.isoformat() + ":", list_value or "(no list named)"]
        if body:
            parts.append(f"({body})")
        if partial_end:
            parts.append(f"end date given as {partial_end!r};")
        if url := row.get("source url"):
            parts.append(url)
        b.entry(spec, eid, listed, removed=removed, note=" ".join(parts) + ".")
    if _CN_COUNTER_ID in b.list_ids():
        b.set_list(_cn_countermeasures(bodies))
    return b.build()


# ---------------------------------------------------------------------------------------------
# DoD Section 1260H list

DOD_1260H = ListSpec(
    "us-dod-1260h",
    "Chinese military companies (Section 1260H list)",
    "US",
    "U.S. Department of Defense",
    covers_subsidiaries=False,
    description=(
        "Entities identified as Chinese military companies operating in the United States under"
        " section 1260H of the FY2021 NDAA (Pub. L. 116-283)."
    ),
)
_LEGAL_END = re.compile(
    r"(?:\bLtd\.?|\bLimited|\bInc\.?|\bCorp\.?|\bCorporation|\bCo\.?|\bCompany|\bLLC|\bPLC"
    r"|\bGmbH|\bS\.A\.|\bJSC)$",
    re.IGNORECASE,
)
_NOT_ACRONYM = re.compile(
    r"^(?:limited|ltd\.?|group|holdings?|bvi|usa|americas|hong kong|shanghai|beijing)$",
    re.IGNORECASE,
)
_TRAILING_PAREN = re.compile(r"^(?P<base>.*\S)\s*\((?P<x>[^()]{1,40})[)\]]\s*\*?$")


def split_trailing_short_name(name: str) -> tuple[str, str | None]:
    """``MGI Tech Co., Ltd. (MGI)`` -> (``MGI Tech Co., Ltd.``, ``MGI``).

    Only when what precedes the brackets ends with a legal form and the bracketed text is not
    itself part of the name (``China Communications Construction Group (Limited)`` stays).
    """
    m = _TRAILING_PAREN.match(name.strip())
    if not m or _NOT_ACRONYM.match(m["x"].strip()):
        return name.strip().rstrip("*").strip(), None
    base = m["base"].rstrip(" ,")
    if not _LEGAL_END.search(base):
        return name.strip().rstrip("*").strip(), None
    return base, m["x"].strip()


@dataclass
class _DodRow:
    row: Row
    name: str
    short: str | None
    start: date
    end: date | None


def _dod_rows(b: BatchBuilder) -> list[_DodRow]:
    rows: list[_DodRow] = []
    for row in b.table:
        clean = row.get("clean name") or row.get("name")
        if not clean:
            b.skip(row.num, "no name")
            continue
        name, short = split_trailing_short_name(clean)
        start, partial = _date(b, row, "start date", _ISO)
        end, partial_end = _date(b, row, "end date", _ISO)
        if partial or partial_end:
            column = "Start date" if partial else "End date"
            raise b.malformed(row.num, column, f"not a full date: {partial or partial_end!r}")
        if start is None:
            b.skip(row.num, f"no start date (tranche): {name}")
            continue
        _check_order(b, row, start, end, "End date")
        rows.append(_DodRow(row, name, short, start, end))
    return rows


def _dod_groups(rows: list[_DodRow]) -> list[list[_DodRow]]:
    """Rows of the same company: same name key, or linked by Previous Name or Alias."""
    uf = UnionFind()
    keys = {name_key(r.name) for r in rows}
    for r in rows:
        k = uf.find(name_key(r.name))
        for other in split_names(r.row.get("previous name")) + split_names(r.row.get("alias")):
            ok = name_key(split_trailing_short_name(other)[0])
            if ok in keys:
                uf.union(k, ok)
    groups: dict[str, list[_DodRow]] = {}
    for r in rows:
        groups.setdefault(uf.find(name_key(r.name)), []).append(r)
    return sorted(groups.values(), key=lambda g: min(r.row.num for r in g))


def _dod_aliases(group: list[_DodRow], latest: _DodRow) -> list[AliasSpec]:
    former = {name_key(p) for r in group for p in split_names(r.row.get("previous name"))}
    out: list[AliasSpec] = [
        (r.name, "former" if name_key(r.name) in former else "alias", None)
        for r in group
        if r.name != latest.name
    ]
    for r in sorted(group, key=lambda r: (r.start, r.row.num), reverse=True):
        if r.short:
            out.append((r.short, "alias", None))
        out += [(a, "alias", None) for a in split_names(r.row.get("alias"))]
        out += [(p, "former", None) for p in split_names(r.row.get("previous name"))]
    return out


def _dod_entry(
    group: list[_DodRow], tranches: list[date], full: set[date]
) -> tuple[date, date | None, str]:
    """(listed, removed, note) of one company."""
    dates = sorted({r.start for r in group})
    first, last = dates[0], dates[-1]
    ends = [r.end for r in group if r.start == last and r.end is not None]
    later_full = [t for t in tranches if t > last and t in full]
    removed = max(ends) if ends else (later_full[0] if later_full else None)
    notes = [f"Tranches: {', '.join(d.isoformat() for d in dates)}."]
    gaps = [t.isoformat() for t in tranches if first < t < last and t in full and t not in dates]
    if gaps:
        notes.append(f"Absent from the {', '.join(gaps)} tranche.")
    notes += [
        f"Removed {r.end.isoformat()}, listed again {last.isoformat()}."
        for r in group
        if r.end is not None and r.start != last
    ]
    if removed is not None and not ends:
        notes.append(f"Not in the {removed.isoformat()} tranche.")
    if dod := next((r.row.get("note") for r in reversed(group) if r.row.get("note")), ""):
        notes.append(f"DoD: {dod}")
    return first, removed, " ".join(notes)


def _import_dod(table: CsvTable) -> ImportBatch:
    urls = [r.get("source url") for r in sorted(table, key=lambda r: r.get("start date"))]
    latest_url = next((u for u in reversed(urls) if u), None)
    b = BatchBuilder(
        FORMAT,
        table,
        _source(
            table,
            "Section 1260H list of Chinese military companies, U.S. Department of Defense "
            "(transcribed by OpenSanctions, dataset us_dod_chinese_milcorps)",
            latest_url or "https://www.opensanctions.org/datasets/us_dod_chinese_milcorps/",
        ),
    )
    spec = replace(DOD_1260H, url=latest_url)
    rows = _dod_rows(b)
    groups = _dod_groups(rows)
    # A tranche that repeats companies from earlier tranches is a full re-publication of the
    # list; one that only adds companies (as the transcribed 2022 and 2024 tranches do) is not
    # evidence that the companies it omits were removed.
    tranches = sorted({r.start for r in rows})
    full = {d for g in groups for d in sorted({r.start for r in g})[1:]}
    ids: dict[str, str] = {}
    for g in groups:
        latest = max(g, key=lambda r: (r.start, r.row.num))
        eid = b.entity(latest.name, aliases=_dod_aliases(g, latest))
        ids.update((name_key(r.name), eid) for r in g)
        listed, removed, note = _dod_entry(g, tranches, full)
        b.entry(spec, eid, listed, removed=removed, note=note)
    # Parent Name -> ownership edges, from the most recent row of each company naming a parent.
    for g in groups:
        stating = [r for r in g if r.row.get("parent name")]
        if not stating:
            continue
        newest = max(stating, key=lambda r: (r.start, r.row.num))
        for parent_name in split_names(newest.row.get("parent name")):
            pname, pshort = split_trailing_short_name(parent_name)
            pid = ids.get(name_key(pname)) or b.entity(
                pname,
                aliases=[(pshort, "alias", None)] if pshort else [],
                note="Parent named in the Section 1260H list; not itself listed.",
            )
            b.own(pid, ids[name_key(g[0].name)])
    return b.build()


# ---------------------------------------------------------------------------------------------
# US special legislation (OpenSanctions us_special_leg source files)


@dataclass(frozen=True)
class _LegProgram:
    pattern: re.Pattern[str]
    spec: ListSpec
    enacted: date | None = None


_CONGRESS = "United States Congress"
_STATE = "U.S. Department of State"


def _leg(
    pattern: str, enacted: date | None, list_id: str, name: str, publisher: str, url: str = ""
) -> _LegProgram:
    subs = list_id in ("us-ndaa-889", "us-ndaa-5949")  # "and their subsidiaries and affiliates"
    return _LegProgram(
        re.compile(pattern, re.IGNORECASE),
        ListSpec(list_id, name, "US", publisher, url=url or None, covers_subsidiaries=subs),
        enacted,
    )


LEG_PROGRAMS: tuple[_LegProgram, ...] = (
    _leg(
        r"Section 889\b",
        date(2018, 8, 13),  # Pub. L. 115-232
        "us-ndaa-889",
        "Section 889 covered entities (FY2019 NDAA)",
        _CONGRESS,
        url="https://www.congress.gov/115/plaws/publ232/PLAW-115publ232.pdf",
    ),
    _leg(
        r"Section 5949\b",
        date(2022, 12, 23),  # Pub. L. 117-263
        "us-ndaa-5949",
        "Section 5949 covered semiconductor entities (FY2023 NDAA)",
        _CONGRESS,
        url="https://www.congress.gov/117/bills/hr7776/BILLS-117hr7776enr.pdf",
    ),
    _leg(
        r"Section 154\b",
        None,
        "us-ndaa-154",
        "Section 154 battery entities (FY2024 NDAA)",
        _CONGRESS,
        url="https://www.congress.gov/118/plaws/publ31/PLAW-118publ31.pdf",
    ),
    _leg(
        r"Section 1286\b",
        None,
        "us-ndaa-1286",
        "Section 1286 list of foreign institutions",
        "U.S. Department of Defense",
    ),
    _leg(r"Section 353\b", None, "us-section-353", "Section 353 corrupt actors", _STATE),
    _leg(
        r"INKSNA|Iran, North Korea,? and Syria Nonproliferation|Nonproliferation Sanctions \(ISN\)",
        None,
        "us-inksna",
        "Iran, North Korea, and Syria Nonproliferation Act sanctions",
        _STATE,
    ),
)


def _leg_program(b: BatchBuilder, row: Row) -> _LegProgram:
    text = row.get("program")
    for prog in LEG_PROGRAMS:
        if prog.pattern.search(text):
            return prog
    raise b.malformed(
        row.num,
        "program",
        f"unknown program {text!r}: expected Section 889, 5949, 154, 1286, 353 or INKSNA",
    )


def _import_leg(table: CsvTable) -> ImportBatch:
    urls = Counter(r.get("source url") for r in table if r.get("source url"))
    b = BatchBuilder(
        FORMAT,
        table,
        _source(
            table,
            "US special legislative exclusions (OpenSanctions dataset us_special_leg)",
            urls.most_common(1)[0][0] if urls else None,
        ),
    )
    for row in table:
        if (name := _org_name(b, row, "schema")) is None:
            continue
        if not row.get("program"):
            b.skip(row.num, f"no program: {name}")
            continue
        prog = _leg_program(b, row)
        listed, partial = _date(b, row, "start date", _ISO + " or March 12, 2021")
        notes: list[str] = []
        if listed is None and prog.enacted is not None:
            listed = prog.enacted
            notes.append(f"Listed from the statute's enactment, {prog.enacted.isoformat()}.")
        if listed is None:
            why = f"start-date is only {partial!r}" if partial else "no start-date"
            b.skip(row.num, f"{why} and no statutory date known for {prog.spec.id}: {name}")
            continue
        removed, partial_end = _date(b, row, "end date", _ISO)
        _check_order(b, row, listed, removed, "end-date")
        if partial_end:
            notes.append(f"End date given as {partial_end!r}.")
        if report := row.get("report date"):
            notes.append(f"Report date {report}.")
        scope = row.get("notes").rstrip(";").strip() or None
        aliases: list[AliasSpec] = [(a, "alias", None) for a in split_names(row.get("aliases"))]
        eid = b.entity(name, country=country_code(row.get("country")), aliases=aliases)
        b.entry(prog.spec, eid, listed, removed=removed, scope=scope, note=" ".join(notes) or None)
    return b.build()


# ---------------------------------------------------------------------------------------------
# BIS Military-Intelligence End Users

BIS_MIEU = ListSpec(
    "us-bis-mieu",
    "Military-Intelligence End User (MIEU) list",
    "US",
    "Bureau of Industry and Security (BIS)",
    url="https://www.ecfr.gov/current/title-15/subtitle-B/chapter-VII/subchapter-C/part-744/section-744.22",
    description="Military-intelligence end users named in EAR section 744.22(f)(2).",
)


def _import_mieu(table: CsvTable) -> ImportBatch:
    b = BatchBuilder(
        FORMAT,
        table,
        _source(
            table,
            "BIS Military-Intelligence End User list (OpenSanctions dataset us_bis_mieu)",
            BIS_MIEU.url,
        ),
    )
    for row in table:
        if (name := _org_name(b, row, "type")) is None:
            continue
        listed, partial = _date(b, row, "date", _ISO)
        if listed is None:
            b.skip(row.num, f"no listing date ({partial or 'Date empty'}): {name}")
            continue
        removed, _ = _date(b, row, "end date", _ISO)
        _check_order(b, row, listed, removed, "End date")
        aliases: list[AliasSpec] = [(a, "alias", None) for a in split_names(row.get("alias"))]
        eid = b.entity(name, country=country_code(row.get("country")), aliases=aliases)
        b.entry(BIS_MIEU, eid, listed, removed=removed, note=row.get("source url") or None)
    return b.build()


# ---------------------------------------------------------------------------------------------

Layout = Callable[[CsvTable], ImportBatch]
# (layout, the columns it needs), tried in this order: cn_sanctions (with List) before MIEU.
LAYOUTS: tuple[tuple[str, frozenset[str], Layout], ...] = (
    ("dod_1260h_chinese_military_companies.csv", frozenset(_DOD_COLUMNS), _import_dod),
    ("special legislation (section_889.csv, ...)", frozenset(_LEG_COLUMNS), _import_leg),
    ("cn_sanctions.csv", frozenset({"type", "name", "list", "date"}), _import_cn),
    ("bis_mieu.csv", frozenset({"type", "name", "program", "date"}), _import_mieu),
)


def import_opensanctions(path: str | Path) -> ImportBatch:
    """Import one OpenSanctions source CSV; DR401 if its header matches no known layout."""
    table = read_csv(path)
    header = set(table.header)
    for _name, required, importer in LAYOUTS:
        if required <= header:
            return importer(table)
    known = "; ".join(f"{name} [{', '.join(sorted(req))}]" for name, req, _i in LAYOUTS)
    raise DeriskError(
        ErrorCode.IMPORT_FORMAT,
        f"unrecognised OpenSanctions layout (columns: {', '.join(table.raw_header)}); "
        f"known layouts and the columns they need: {known}",
        file=table.file,
        row=1,
    )
