"""The US Consolidated Screening List CSV from trade.gov.

Accepts the current 29-column header (starting ``_id``) and the older 28-column one without
``_id``. One row is one party on one source list; the ``source`` column names the list.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.importers._util import (
    PartialDateError,
    Row,
    address_countries,
    date_cell,
    fr_notice_dates,
    read_csv,
    slug,
    split_names,
)
from derisk.kb.importers.base import AliasSpec, BatchBuilder, ImportBatch, ListSpec, source_id
from derisk.kb.model import Source

__all__ = ["CSL_LISTS", "FORMAT", "import_trade_csl", "list_for_source"]

FORMAT = "trade-csl"
URL = "https://www.trade.gov/consolidated-screening-list"
_REQUIRED = ("source", "type", "name", "addresses", "federal register notice", "start date")
_BIS = "Bureau of Industry and Security (BIS)"
_OFAC = "Office of Foreign Assets Control (OFAC), U.S. Department of the Treasury"
_STATE = "U.S. Department of State"

CSL_LISTS: dict[str, ListSpec] = {
    "Entity List (EL) - Bureau of Industry and Security": ListSpec(
        "us-bis-entity-list", "Entity List", "US", _BIS
    ),
    "Military End User (MEU) List - Bureau of Industry and Security": ListSpec(
        "us-bis-meu", "Military End-User (MEU) List", "US", _BIS
    ),
    "Unverified List (UVL) - Bureau of Industry and Security": ListSpec(
        "us-bis-uvl", "Unverified List (UVL)", "US", _BIS
    ),
    "Denied Persons List (DPL) - Bureau of Industry and Security": ListSpec(
        "us-bis-dpl", "Denied Persons List (DPL)", "US", _BIS
    ),
    "Nonproliferation Sanctions (ISN) - State Department": ListSpec(
        "us-isn-nonproliferation", "Nonproliferation Sanctions (ISN)", "US", _STATE
    ),
    "Specially Designated Nationals (SDN) - Treasury Department": ListSpec(
        "us-ofac-sdn",
        "Specially Designated Nationals and Blocked Persons List (SDN)",
        "US",
        _OFAC,
        covers_subsidiaries=True,  # OFAC's 50 percent rule
    ),
    "Sectoral Sanctions Identifications List (SSI) - Treasury Department": ListSpec(
        "us-ofac-ssi",
        "Sectoral Sanctions Identifications List (SSI)",
        "US",
        _OFAC,
        covers_subsidiaries=True,  # OFAC's 50 percent rule
    ),
    "ITAR Debarred (DTC) - State Department": ListSpec(
        "us-ddtc-debarred",
        "ITAR Debarred Parties",
        "US",
        "Directorate of Defense Trade Controls (DDTC), U.S. Department of State",
    ),
}
_SUCCESSORS = re.compile(r"\s*;\s*(and any successor.*)$", re.IGNORECASE | re.DOTALL)
_INMATE = re.compile(r"\bINMATE\s+(?:NUMBER|NO\.?|#)", re.IGNORECASE)
_PERSONAL = ("dates of birth", "places of birth", "nationalities", "citizenships")


def list_for_source(source: str) -> ListSpec:
    """The list a CSL ``source`` value stands for (``us-csl-other-<slug>`` when unknown)."""
    source = re.sub(r"\s+", " ", source.strip())
    if spec := CSL_LISTS.get(source):
        return spec
    for text, spec in CSL_LISTS.items():  # tolerate case differences
        if text.casefold() == source.casefold():
            return spec
    publisher = source.rsplit(" - ", 1)[1].strip() if " - " in source else "U.S. Government"
    return ListSpec(f"us-csl-other-{slug(source, 60)}", source, "US", publisher)


def _date(b: BatchBuilder, row: Row, column: str) -> date | None:
    try:
        return date_cell(b.table, row, column, expected="an ISO date, e.g. 2020-12-23")
    except PartialDateError as exc:
        raise b.malformed(row.num, column.replace(" ", "_"), str(exc)) from exc


def import_trade_csl(path: str | Path) -> ImportBatch:
    table = read_csv(path)
    missing = [c for c in _REQUIRED if c not in table.header]
    if missing:
        raise DeriskError(
            ErrorCode.IMPORT_FORMAT,
            "not a trade.gov Consolidated Screening List CSV: missing columns "
            f"{', '.join(c.replace(' ', '_') for c in missing)} "
            f"(found: {', '.join(table.raw_header)})",
            file=table.file,
            row=1,
        )
    source = Source(
        id=source_id(FORMAT, table.sha256),
        title=f"{table.name}: Consolidated Screening List, International Trade Administration",
        url=URL,
        publisher="International Trade Administration, U.S. Department of Commerce",
    )
    b = BatchBuilder(FORMAT, table, source)
    list_urls: dict[str, str] = {}
    for row in table:
        raw_name, typ = row.get("name"), row.get("type")
        if not raw_name:
            b.skip(row.num, "no name")
            continue
        if not row.get("source"):
            b.skip(row.num, f"no source list: {raw_name}")
            continue
        kind = typ.lower()
        if kind == "individual":
            b.skip(row.num, f"individual: {raw_name}")
            continue
        if kind not in ("", "entity"):
            b.skip(row.num, f"{typ.lower()}, not an organisation: {raw_name}")
            continue
        personal = [c for c in _PERSONAL if row.get(c)]
        if _INMATE.search(row.get("addresses")):
            personal.append("an inmate number")
        if kind == "" and personal:
            b.skip(
                row.num,
                f"no type, but {', '.join(personal)} given: an individual: {raw_name}",
            )
            continue
        spec = list_for_source(row.get("source"))
        listed, removed = (_date(b, row, column) for column in ("start date", "end date"))
        notes: list[str] = []
        if listed is None:
            fr = fr_notice_dates(row.get("federal register notice"))
            if fr:
                listed = min(fr)
                notes.append(f"Listed on the Federal Register notice date {listed.isoformat()}.")
        if listed is None:
            b.skip(
                row.num,
                f"no listing date (start_date empty, no dated Federal Register notice): "
                f"{raw_name} [{spec.id}]",
            )
            continue
        if removed is not None and removed < listed:
            raise b.malformed(row.num, "end_date", f"end date {removed} is before {listed}")
        name, scopes = raw_name, []
        if m := _SUCCESSORS.search(raw_name):
            name = raw_name[: m.start()].strip()
            scopes.append(m[1].strip())
        if lic := row.get("license requirement"):
            scopes.append(lic)
        if programs := row.get("programs"):
            notes.append(f"Programs: {programs}.")
        countries = address_countries(row.get("addresses").split(";"))
        aliases: list[AliasSpec] = [(a, "alias", None) for a in split_names(row.get("alt names"))]
        entity_note = None
        if kind == "":
            entity_note = "The CSL row gives no type; imported as an organisation."
        if len(countries) > 1:
            entity_note = " ".join(
                filter(None, [entity_note, f"Addresses in {', '.join(countries)}."])
            )
        eid = b.entity(
            name,
            country=countries[0] if countries else None,
            aliases=aliases,
            note=entity_note,
        )
        if spec.id not in list_urls and row.get("source list url"):
            list_urls[spec.id] = row.get("source list url")
        b.entry(
            spec,
            eid,
            listed,
            removed=removed,
            scope="; ".join(scopes) or None,
            note=" ".join(notes) or None,
        )
    for list_id, url in list_urls.items():
        b.set_list(replace(b.list_spec(list_id), url=url))
    return b.build()
