"""``derisk classify``: 3A090/4A090 classification and licence determination, as of a date."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from derisk.classify.api import classify_product, product_for_line, resolve_end_user
from derisk.classify.catalogue import load_catalogue
from derisk.classify.catalogue_model import PRECISIONS
from derisk.classify.classification import classify_chip
from derisk.classify.controls import load_controls
from derisk.classify.licensing import EndUser
from derisk.classify.metrics import ChipSpec
from derisk.cli.common import handle_errors, open_kb, parse_date
from derisk.errors import DeriskError, ErrorCode
from derisk.orders import read_orders
from derisk.resolve.keystore import cached_index

__all__ = ["classify"]


def _tops(values: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in values:
        precision, _, number = item.partition("=")
        precision = precision.strip().lower()
        if precision not in PRECISIONS:
            raise DeriskError(
                ErrorCode.ARGUMENT_INVALID,
                f"--tops {item!r}: precision must be one of {', '.join(PRECISIONS)}",
            )
        try:
            out[precision] = float(number)
        except ValueError:
            raise DeriskError(
                ErrorCode.ARGUMENT_INVALID, f"--tops {item!r}: give PRECISION=VALUE (dense TOPS)"
            ) from None
        if out[precision] <= 0:
            raise DeriskError(ErrorCode.ARGUMENT_INVALID, f"--tops {item!r}: must be positive")
    return out


def _country(code: str | None, option: str) -> str | None:
    if code is None:
        return None
    code = code.strip().upper()
    code = {"UK": "GB", "EL": "GR"}.get(code, code)
    if len(code) != 2 or not code.isalpha():
        raise DeriskError(ErrorCode.ARGUMENT_INVALID, f"{option} must be an ISO alpha-2 code")
    return code


def _num(value: float | None, digits: int) -> str:
    return "?" if value is None else f"{value:,.{digits}f}"


def _print(console: Console, r: dict[str, Any]) -> None:
    lic = {True: "REQUIRED", False: "not required", None: "(no destination given)"}
    console.print(f"[bold]{escape(r['product']['name'])}[/bold]  as of {r['as_of']}")
    console.print(
        f"  TPP {_num(r['tpp'], 1)}   PD {_num(r['pd'], 3)}   "
        f"ECCN [bold]{r['eccn']}[/bold]" + ("   (Note 2 applies)" if r["note2_applies"] else "")
    )
    where = (
        ", ".join(f"{k} {r[k]}" for k in ("destination", "headquarters") if r[k])
        or "no destination"
    )
    console.print(
        f"  licence {lic[r['license_required']]} ({escape(where)})"
        + (f"; exceptions: {', '.join(r['license_exceptions'])}" if r["license_exceptions"] else "")
        + (f"; review: {r['review_policy']}" if r["review_policy"] else "")
    )
    for step in r["reasons"]:
        mark = {True: "+", False: "-", None: " "}[step["result"]]
        console.print(f"   {mark} {escape('[' + step['rule'] + ']')} {escape(step['text'])}")


def _user(name: str | None, kb: Any, index: Any, on: date) -> EndUser | None:
    if not name:
        return None
    return resolve_end_user(name, kb, index, on)


@handle_errors
def classify(
    chip: str | None = typer.Option(None, "--chip", help="A chip or system from the catalogue."),
    tops: list[str] = typer.Option([], "--tops", help="PRECISION=VALUE dense TOPS (repeat)."),
    die_area: float | None = typer.Option(None, "--die-area", help="Applicable die area, mm2."),
    mem_bandwidth: float | None = typer.Option(None, "--mem-bandwidth", help="GB/s."),
    interconnect: float | None = typer.Option(None, "--interconnect", help="Bidirectional GB/s."),
    datacenter: bool = typer.Option(
        True, "--datacenter/--no-datacenter", help="Designed or marketed for datacenters."
    ),
    destination: str | None = typer.Option(None, "--destination", "-d", help="Country (ISO)."),
    end_user: str | None = typer.Option(None, "--end-user", help="Customer or end user name."),
    headquarters: str | None = typer.Option(None, "--headquarters", help="End user's HQ country."),
    as_of: str | None = typer.Option(None, "--as-of", help="Date (default today)."),
    input_file: Path | None = typer.Option(
        None, "--input", "-i", help="A product list (CSV, XLSX, JSON lines) to classify."
    ),
    list_all: bool = typer.Option(
        False, "--list", help="List the chip catalogue with each chip's TPP, PD and ECCN."
    ),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json."),
    db: Path | None = typer.Option(None, "--db", help="Knowledge-base store (for end users)."),
) -> None:
    """Classify an AI chip or system (3A090/4A090) and say whether a licence is required."""
    if fmt not in ("table", "json"):
        raise DeriskError(ErrorCode.ARGUMENT_INVALID, "--format must be table or json")
    when = parse_date(as_of, "--as-of") or date.today()
    store, kb = open_kb(db)  # source titles, and end users for the Entity List
    with store:
        index = cached_index(store, kb) if end_user or input_file else None
    console = Console(highlight=False)
    if list_all:
        _list(when, fmt, console)
        return
    if input_file is not None:
        _classify_file(input_file, when, kb, index, fmt, console)
        return
    if chip is not None:
        product: Any = load_catalogue().find(chip)
    elif tops:
        product = ChipSpec(
            "given figures", _tops(tops), die_area, mem_bandwidth, interconnect, datacenter
        )
    else:
        raise DeriskError(ErrorCode.ARGUMENT_INVALID, "give --chip NAME or --tops PRECISION=VALUE")
    result = classify_product(
        product,
        as_of=when,
        destination=_country(destination, "--destination"),
        headquarters=_country(headquarters, "--headquarters"),
        end_user=_user(end_user, kb, index, when),
        kb=kb,
    )
    if fmt == "json":
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        _print(console, result)


def _classify_file(path: Path, when: date, kb: Any, index: Any, fmt: str, console: Console) -> None:
    """Every line of a product list, all checked before any answer is printed."""
    book = read_orders(path, products_only=True)
    catalogue = load_catalogue()
    jobs = []
    for line in book.table.to_pylist():
        product, found = product_for_line(line, catalogue)
        if product is None:
            assert found is not None  # the reader rejects lines with neither name nor figures
            raise DeriskError(
                ErrorCode.INPUT_BAD_VALUE,
                f"{line['product']!r} {found.problem()}",
                file=path,
                row=line["row"],
                column=book.columns.get("product"),
            )
        jobs.append((line, product))
    results = []
    for line, product in jobs:
        on = line["ship_date"] or when
        result = classify_product(
            product,
            as_of=on,
            destination=line["destination"] or line["customer_country"],
            headquarters=line["headquarters"],
            end_user=_user(line["customer"], kb, index, on),
            kb=kb,
            catalogue=catalogue,
        )
        results.append({"row": line["row"], "record_id": line["record_id"], **result})
    if fmt == "json":
        typer.echo(json.dumps(results, ensure_ascii=False, indent=2))
        return
    for result in results:
        console.print(f"[dim]row {result['row']}[/dim]")
        _print(console, result)


def _list(when: date, fmt: str, console: Console) -> None:
    """Every catalogue chip with its TPP, PD and ECCN on ``when``."""
    controls, catalogue = load_controls(), load_catalogue()
    rows: list[dict[str, Any]] = []
    for chip in catalogue.chips.values():
        spec = ChipSpec.from_chip(chip)
        rows.append(
            {
                "id": chip.id,
                "name": chip.name,
                "maker": chip.maker,
                "datacenter": chip.datacenter,
                "tpp": round(spec.tpp, 2) if spec.dense_tops else None,
                "pd": round(spec.pd, 4) if spec.pd is not None else None,
                "eccn": classify_chip(spec, when, controls).eccn,
                "uncertain": chip.uncertain,
            }
        )
    if fmt == "json":
        typer.echo(json.dumps({"as_of": when.isoformat(), "chips": rows}, indent=2))
        return
    table = Table(title=f"Chip catalogue, classified as of {when}", title_justify="left")
    for column in ("chip", "maker", "DC", "TPP", "PD", "ECCN"):
        table.add_column(column, justify="right" if column in ("TPP", "PD") else "left")
    for r in rows:
        table.add_row(
            escape(r["name"]) + (" *" if r["uncertain"] else ""),
            escape(r["maker"]),
            "yes" if r["datacenter"] else "no",
            _num(r["tpp"], 0),
            _num(r["pd"], 2),
            r["eccn"],
        )
    console.print(table)
    console.print("* rests on a single source")
