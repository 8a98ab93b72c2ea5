"""``POST /screen`` and the runs it stores: the German example against its hand-derived
statuses (examples/de-operator/expected.csv), JSON records, the CLI's document, the reports,
and every kind of bad input, each refused with its code and nothing stored."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.serve.apicheck import (
    DE_FORM,
    DE_PROFILE,
    SMALL,
    assert_problem,
    de_records,
    expected_counts,
    expected_statuses,
    member,
    rows_in,
    screen_csv,
)
from tests.serve.support import DE_INVENTORY, Account, Accounts
from typer.testing import CliRunner

from derisk.cli.app import app as cli
from derisk.serve.app import create_app
from derisk.serve.db.store import StateStore
from derisk.serve.engine import Engine
from derisk.serve.settings import ServeSettings

SEVERITY = ["prohibited", "overdue", "remove_by", "license_required", "restricted", "listed"]
LIMIT = 2 * 1024 * 1024  # the tests' settings.max_upload_bytes


def worst_status(document: dict[str, Any]) -> dict[str, str]:
    """record id -> its most severe status ('clear' without findings)."""
    worst: dict[str, str] = dict.fromkeys(document["clear"], "clear")
    for f in document["findings"]:
        now = worst.get(f["record_id"])
        if now is None or now == "clear" or SEVERITY.index(f["status"]) < SEVERITY.index(now):
            worst[f["record_id"]] = f["status"]
    return worst


@pytest.fixture
def analyst(accounts: Accounts) -> Account:
    return member(accounts, "analyst")


@pytest.fixture
def german(client: TestClient, analyst: Account) -> dict[str, Any]:
    """The German example uploaded as a CSV file: the API's answer."""
    r = screen_csv(client, analyst.headers, DE_INVENTORY.read_bytes())
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    assert r.headers["location"] == f"/api/v1/runs/{body['run_id']}"
    return body


def test_the_german_example_gets_the_hand_derived_statuses(german: dict[str, Any]) -> None:
    doc = german["document"]
    assert doc["schema"] == "derisk.screen/1"
    assert (doc["as_of"], doc["countries"], doc["sector"]) == ("2027-01-01", ["DE"], "telecom")
    assert doc["input"]["file"] == "inventory.csv"
    expected = expected_counts()  # overdue 32, remove_by 14, listed 63, clear 93
    by_status = doc["summary"]["records_by_status"]
    assert {k: v for k, v in by_status.items() if v} == {
        k: v for k, v in expected.items() if k != "clear"
    }
    assert doc["summary"]["clear"] == expected["clear"] == len(doc["clear"])
    assert doc["summary"]["records"] == sum(expected.values())
    assert worst_status(doc) == expected_statuses()  # record by record


def test_the_run_and_its_json_report_are_what_was_returned(
    client: TestClient, analyst: Account, german: dict[str, Any]
) -> None:
    run_id = german["run_id"]
    r = client.get(f"/api/v1/runs/{run_id}", headers=analyst.headers)
    assert r.status_code == 200, r.text
    run = r.json()
    assert run["id"] == run_id and run["kind"] == "screen"
    assert run["as_of"] == "2027-01-01"
    assert run["profile"] == DE_PROFILE
    assert run["created_by"] == analyst.user.email
    assert run["summary"] == german["document"]["summary"]
    assert run["kb_version"] == german["document"]["kb_version"]
    assert run["links"] == german["links"]
    assert german["links"]["csv"] == f"/api/v1/runs/{run_id}/report.csv"

    report = client.get(german["links"]["json"], headers=analyst.headers)
    assert report.status_code == 200
    assert report.headers["content-type"] == "application/json"
    assert f'filename="derisk-{run_id}.json"' in report.headers["content-disposition"]
    assert report.json() == german["document"]
    r = client.get(f"/api/v1/runs/{run_id}/report.pdf", headers=analyst.headers)
    assert_problem(r, 404, "DR603")


def test_json_records_give_the_same_findings_as_the_upload(
    client: TestClient, analyst: Account, german: dict[str, Any]
) -> None:
    body = {"records": de_records(), "profile": DE_PROFILE, "as_of": "2027-01-01"}
    r = client.post("/api/v1/screen", headers=analyst.headers, json=body)
    assert r.status_code == 201, r.text
    doc, uploaded = r.json()["document"], german["document"]
    # A record's row is its place in the list (1-based); in the CSV the header is row 1.
    assert doc["findings"] == [f | {"row": f["row"] - 1} for f in uploaded["findings"]]
    assert doc["clear"] == uploaded["clear"]
    assert doc["summary"] == uploaded["summary"]
    assert r.headers["location"] == f"/api/v1/runs/{r.json()['run_id']}"


def test_the_api_document_is_the_clis(german: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "findings.json"
    result = CliRunner().invoke(
        cli,
        [
            "screen",
            str(DE_INVENTORY),
            "--country",
            "DE",
            "--sector",
            "telecom",
            "--as-of",
            "2027-01-01",
            "-f",
            "json",
            "-o",
            str(out),
            "--db",
            str(tmp_path / "kb.duckdb"),
        ],
    )
    assert result.exit_code == 0, result.stderr
    mine = json.loads(out.read_text(encoding="utf-8"))
    api = german["document"]
    # The only legitimate difference: the CLI names the path it read, the API the upload.
    assert Path(mine["input"].pop("file")) == DE_INVENTORY
    assert api["input"].pop("file") == "inventory.csv"
    assert api == mine
    assert len(api["findings"]) > 100  # not two empty documents


def test_runs_are_listed_newest_first(client: TestClient, analyst: Account) -> None:
    first = screen_csv(client, analyst.headers, SMALL).json()["run_id"]
    second = screen_csv(client, analyst.headers, SMALL).json()["run_id"]
    runs = client.get("/api/v1/runs", headers=analyst.headers).json()["runs"]
    assert [r["id"] for r in runs] == [second, first]
    assert runs[0]["summary"]["records_by_status"]["overdue"] == 1  # R1, Huawei 5G core
    one = client.get("/api/v1/runs?limit=1", headers=analyst.headers).json()["runs"]
    assert [r["id"] for r in one] == [second]
    for bad in ("0", "201", "many"):
        r = client.get(f"/api/v1/runs?limit={bad}", headers=analyst.headers)
        assert "limit" in assert_problem(r, 422, "DR606")["detail"]


def test_the_csv_report_neutralises_formulas_and_html_escapes_scripts(
    client: TestClient, analyst: Account
) -> None:
    rows = [
        ["id", "vendor", "domain", "technology"],
        ['=HYPERLINK("http://x")', "=Huawei", "core", "5g"],
        ["<script>alert(1)</script>", "@Huawei", "core", "5g"],
        ["R3", "-ZTE", "core", "5g"],
    ]
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    r = screen_csv(client, analyst.headers, text.getvalue().encode())
    assert r.status_code == 201, r.text
    links = r.json()["links"]
    # The hostile values are data: they reached the findings verbatim.
    vendors = {f["input_vendor"] for f in r.json()["document"]["findings"]}
    assert vendors == {"=Huawei", "@Huawei", "-ZTE"}

    report = client.get(links["csv"], headers=analyst.headers)
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(report.text)))
    assert table
    for row in table:
        for value in row.values():
            assert not value or value[0] not in "=+-@\t\r", row
    assert {row["record_id"] for row in table} == {
        '\'=HYPERLINK("http://x")',
        "<script>alert(1)</script>",
        "R3",
    }
    assert {row["input_vendor"] for row in table} == {"'=Huawei", "'@Huawei", "'-ZTE"}

    html = client.get(links["html"], headers=analyst.headers)
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert "<script>alert(1)</script>" not in html.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html.text


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "content", "code", "row", "column"),
    [
        # docs/inventory-format.md: dates are YYYY-MM-DD; day/month orders are not guessed.
        (
            "inv.csv",
            b"vendor,installed\nHuawei,2021-03-04\nZTE,14/03/2024\n",
            "DR107",
            3,
            "installed",
        ),
        ("inv.csv", b"vendor,domain\nHuawei,moon\n", "DR107", 2, "domain"),
        ("inv.csv", b"vendor,quantity\nHuawei,-4\n", "DR107", 2, "quantity"),
        ("inv.csv", b"Vendor,Country\nHuawei,Germany\n", "DR107", 2, "Country"),
        ("inv.csv", b"vendor,model\nHuawei,a\nZTE,b,c\n", "DR105", 3, None),
        ("inv.csv", b"model,site\nUNC,FRA\n", "DR106", 1, None),  # the header row
        ("inv.csv", b"vendor,Manufacturer\nHuawei,ZTE\n", "DR108", 1, "Manufacturer"),
        ("inv.csv", b"\n\nvendor,make\nHuawei,ZTE\n", "DR108", 3, "make"),
        ("inv.csv", b"", "DR102", None, None),
        ("inv.csv", b"vendor\n", "DR102", None, None),
        ("inv.xlsx", b"not a workbook", "DR105", None, None),
        ("inventory.pdf", b"vendor\nHuawei\n", "DR104", None, None),
        ("inventory", b"vendor\nHuawei\n", "DR104", None, None),
    ],
    ids=[
        "bad-date",
        "bad-domain",
        "negative-quantity",
        "country-name",
        "extra-field",
        "no-vendor-column",
        "two-vendor-columns",
        "two-vendor-columns-after-blank-lines",
        "empty",
        "header-only",
        "corrupt-xlsx",
        "pdf",
        "no-suffix",
    ],
)
def test_a_bad_file_is_422_with_its_code_file_row_and_column(
    client: TestClient,
    analyst: Account,
    store: StateStore,
    filename: str,
    content: bytes,
    code: str,
    row: int | None,
    column: str | None,
) -> None:
    r = screen_csv(client, analyst.headers, content, filename)
    problem = assert_problem(r, 422, code)
    assert problem["file"] == filename
    assert problem.get("row") == row
    assert problem.get("column") == column
    assert problem["instance"] == "/api/v1/screen"
    assert rows_in(store) == (0, 0)


def test_a_bad_json_record_names_its_place(client: TestClient, analyst: Account) -> None:
    records = [{"id": "A", "vendor": "Huawei"}, {"id": "B", "vendor": "ZTE", "installed": "3/4/21"}]
    body = {"records": records, "profile": DE_PROFILE}
    problem = assert_problem(
        client.post("/api/v1/screen", headers=analyst.headers, json=body), 422, "DR107"
    )
    assert (problem["row"], problem["column"]) == (2, "installed")
    records[1] = {"id": "A", "vendor": "ZTE"}
    problem = assert_problem(
        client.post("/api/v1/screen", headers=analyst.headers, json=body), 422, "DR107"
    )
    assert "A" in problem["detail"]  # the duplicate id


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"country": "XX1", "sector": "telecom"}, "countries"),
        ({"country": "DE", "sector": "moon"}, "sector"),
        ({"sector": "telecom"}, "countries"),
        ({"country": "DE", "as_of": "01/01/2027"}, "as_of"),
        ({"profile": "{not json"}, "profile"),
        ({"profile": '["DE"]'}, "profile"),
        ({"profile": '{"countries": ["DE"], "planet": "mars"}'}, "planet"),
    ],
    ids=["country", "sector", "no-country", "as-of", "profile-not-json", "profile-list", "extra"],
)
def test_a_bad_profile_in_the_form_is_422_naming_the_field(
    client: TestClient, analyst: Account, store: StateStore, form: dict[str, str], field: str
) -> None:
    r = screen_csv(client, analyst.headers, SMALL, form=form)
    assert field in assert_problem(r, 422, "DR606")["detail"]
    assert rows_in(store) == (0, 0)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"records": [{"vendor": "Huawei"}], "profile": {"countries": ["XX1"]}}, "countries"),
        (
            {"records": [{"vendor": "Huawei"}], "profile": {"countries": ["DE"], "sector": "moon"}},
            "sector",
        ),
        ({"records": [{"vendor": "Huawei"}]}, "profile"),
        ({"records": [], "profile": DE_PROFILE}, "records"),
        ({"records": ["Huawei"], "profile": DE_PROFILE}, "records.0"),
        ({"profile": DE_PROFILE}, "records"),
        (
            {"records": [{"vendor": "Huawei"}], "profile": DE_PROFILE, "as_of": "2027-02-30"},
            "as_of",
        ),
        ([{"vendor": "Huawei"}], "body"),
    ],
    ids=["country", "sector", "no-profile", "no-records", "not-objects", "missing", "date", "list"],
)
def test_a_bad_json_body_is_422_naming_the_field(
    client: TestClient, analyst: Account, store: StateStore, body: Any, field: str
) -> None:
    r = client.post("/api/v1/screen", headers=analyst.headers, json=body)
    assert field in assert_problem(r, 422, "DR606")["detail"]
    assert rows_in(store) == (0, 0)


def test_exporter_order_books_are_left_to_the_cli(client: TestClient, analyst: Account) -> None:
    body = {
        "records": [{"vendor": "Huawei"}],
        "profile": {"countries": ["US"], "sector": "exporter"},
    }
    r = client.post("/api/v1/screen", headers=analyst.headers, json=body)
    assert "exporter" in assert_problem(r, 422, "DR202")["detail"]


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        ("application/json", b"{not json"),
        ("application/json", b"\xff\xfe"),
        ("text/plain", b"vendor\nHuawei\n"),
        ("text/csv", b"vendor\nHuawei\n"),
    ],
    ids=["broken-json", "not-utf8", "text", "bare-csv"],
)
def test_a_body_that_is_neither_json_nor_a_form_is_422(
    client: TestClient, analyst: Account, content_type: str, content: bytes
) -> None:
    headers = analyst.headers | {"Content-Type": content_type}
    r = client.post("/api/v1/screen", headers=headers, content=content)
    assert_problem(r, 422, "DR606")


def test_a_form_without_the_file_is_422(client: TestClient, analyst: Account) -> None:
    r = client.post(
        "/api/v1/screen",
        headers=analyst.headers,
        files={"inventory": ("inv.csv", SMALL, "text/csv")},
        data=DE_FORM,
    )
    assert "file" in assert_problem(r, 422, "DR606")["detail"]
    r = client.post("/api/v1/screen", headers=analyst.headers, data=DE_FORM)
    assert "file" in assert_problem(r, 422, "DR606")["detail"]


# --- the upload limit ------------------------------------------------------------------

BOUNDARY = "derisk-test-boundary"


def multipart(content: bytes, chunk: int = 64 * 1024) -> Iterator[bytes]:
    """A multipart body with the German profile and ``content`` as the file, in chunks."""
    for name, value in DE_FORM.items():
        yield (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
        'filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n'
    ).encode()
    for start in range(0, len(content), chunk):
        yield content[start : start + chunk]
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def big_inventory() -> bytes:
    content = b"vendor,domain\n" + b"Ericsson,ran\n" * (LIMIT // 13 + 1)
    assert len(content) > LIMIT
    return content


def test_an_upload_over_the_limit_is_413_by_its_length(
    client: TestClient, analyst: Account, store: StateStore
) -> None:
    r = screen_csv(client, analyst.headers, big_inventory(), "big.csv")
    assert int(r.request.headers["content-length"]) > LIMIT
    assert f"{LIMIT:,}" in assert_problem(r, 413, "DR109")["detail"]
    assert rows_in(store) == (0, 0)


def test_a_streamed_upload_over_the_limit_is_413(
    client: TestClient, analyst: Account, store: StateStore
) -> None:
    headers = analyst.headers | {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    r = client.post("/api/v1/screen", headers=headers, content=multipart(big_inventory()))
    assert "content-length" not in r.request.headers  # sent chunked
    assert_problem(r, 413, "DR109")
    json_body = (b'{"records": [' + b'{"vendor": "Ericsson"},' * (LIMIT // 22)) + b"{}]}"
    r = client.post(
        "/api/v1/screen",
        headers=analyst.headers | {"Content-Type": "application/json"},
        content=iter([json_body[i : i + 65536] for i in range(0, len(json_body), 65536)]),
    )
    assert "content-length" not in r.request.headers
    assert_problem(r, 413, "DR109")
    assert rows_in(store) == (0, 0)
    # The same way of sending, under the limit, is screened.
    r = client.post("/api/v1/screen", headers=headers, content=multipart(SMALL, chunk=7))
    assert "content-length" not in r.request.headers
    assert r.status_code == 201, r.text
    assert r.json()["document"]["summary"]["records_by_status"]["overdue"] == 1
    assert rows_in(store) == (1, 1)


def test_more_records_than_the_server_screens_is_413_naming_the_file(
    engine: Engine, database_url: str, accounts: Accounts, store: StateStore
) -> None:
    # The limit bounds the work, not the bytes: three records allowed, SMALL plus one is four.
    settings = ServeSettings(database_url=database_url, max_records=3)
    analyst = member(accounts, "analyst")
    four = SMALL + b"R3,ZTE,ran,5g\nR4,Nokia,ran,5g\n"
    with TestClient(create_app(settings, engine=engine)) as client:
        assert screen_csv(client, analyst.headers, SMALL + b"R3,ZTE,ran,5g\n").status_code == 201
        body = assert_problem(screen_csv(client, analyst.headers, four, "big.csv"), 413, "DR109")
    assert body["file"] == "big.csv" and "4 records" in body["detail"]
    assert len(store.runs(analyst.user.tenant_id)) == 1  # only the three-record run
