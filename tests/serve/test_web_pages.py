"""The server-rendered web pages, through the ASGI app: login and its redirects, CSRF and
roles on every form, escaping of hostile inventory text, and the run page's server-side
filtering and sorting checked against the hand-derived statuses of the German example
(examples/de-operator/expected.csv: 32 overdue, 14 remove_by, 63 listed, 93 clear as of
2027-01-01, country DE, sector telecom)."""

from __future__ import annotations

import csv
import html
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from tests.serve.support import DE_INVENTORY, Account, Accounts

from derisk.serve.app import create_app
from derisk.serve.auth import SESSION_COOKIE
from derisk.serve.db.store import StateStore
from derisk.serve.engine import Engine
from derisk.serve.settings import ServeSettings

EXPECTED = DE_INVENTORY.parent / "expected.csv"
PAGES = ["/", "/screen", "/plan", "/classify", "/entities", "/entities/huawei", "/regimes"]


def _expected() -> dict[str, dict[str, str]]:
    with EXPECTED.open(encoding="utf-8") as fh:
        return {row["id"]: row for row in csv.DictReader(fh)}


def _inventory() -> dict[str, dict[str, str]]:
    with DE_INVENTORY.open(encoding="utf-8") as fh:
        return {row["id"]: row for row in csv.DictReader(fh)}


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no hidden field {name!r}"
    return html.unescape(found.group(1))


def login(client: TestClient, account: Account, next_url: str = "/") -> Response:
    form = client.get("/login", params={"next": next_url})
    assert form.status_code == 200
    return client.post(
        "/login",
        data={
            "email": account.user.email,
            "password": account.password,
            "login_token": _hidden(form.text, "login_token"),
            "next": _hidden(form.text, "next"),
        },
        follow_redirects=False,
    )


def session(client: TestClient, account: Account) -> str:
    """Log in; the session's CSRF token (from the logout form of the dashboard)."""
    client.cookies.clear()
    assert login(client, account).status_code == 303
    return _hidden(client.get("/").text, "csrf_token")


def screen(client: TestClient, csrf: str, path: Path = DE_INVENTORY, **extra: str) -> Response:
    with path.open("rb") as fh:
        return client.post(
            "/screen",
            files={"file": (path.name, fh, "text/csv")},
            data={
                "country": "DE",
                "sector": "telecom",
                "as_of": "2027-01-01",
                "csrf_token": csrf,
                **extra,
            },
            follow_redirects=False,
        )


def screened(client: TestClient, csrf: str, path: Path = DE_INVENTORY) -> str:
    r = screen(client, csrf, path)
    assert r.status_code == 303, r.text
    location = r.headers["location"]
    assert location.startswith("/runs/")
    return location.removeprefix("/runs/")


def rows(page: str) -> list[tuple[str, str, str]]:
    """(finding index, record id, status) of each row of the findings table."""
    found = re.findall(
        r'<tr id="f-(\d+)" class="finding" data-record="([^"]*)" data-status="([^"]*)">', page
    )
    return [(i, html.unescape(r), s) for i, r, s in found]


def card(page: str, status: str) -> int:
    found = re.search(
        rf'data-status="{status}">(?:<a [^>]*>)?<span class="count">([\d,]+)</span>', page
    )
    assert found, f"no card for {status}"
    return int(found.group(1).replace(",", ""))


# --- login, logout, redirects ---------------------------------------------------------------


@pytest.mark.parametrize("path", [*PAGES, "/runs/abc", "/plans/abc", "/runs/abc/report.csv"])
def test_every_page_needs_login_and_redirects_to_it(client: TestClient, path: str) -> None:
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=" + path


def test_login_sets_a_hardened_session_cookie_and_follows_next(
    client: TestClient, accounts: Accounts
) -> None:
    analyst = accounts.make("analyst")
    r = login(client, analyst, "/regimes?x=1")
    assert r.status_code == 303
    assert r.headers["location"] == "/regimes?x=1"
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "path", "max-age", "samesite"} <= flags
    assert "samesite=lax" in cookie.lower()
    assert "max-age=43200" in cookie.lower()  # the default 12 session hours
    assert "secure" not in flags  # settings.secure_cookies is off
    assert client.get("/regimes", follow_redirects=False).status_code == 200
    again = client.get("/login", params={"next": "/entities"}, follow_redirects=False)
    assert (again.status_code, again.headers["location"]) == (303, "/entities")


def test_secure_cookies_setting_marks_the_cookie_secure(
    settings: ServeSettings, engine: Engine, accounts: Accounts
) -> None:
    analyst = accounts.make("analyst")
    secure = settings.model_copy(update={"secure_cookies": True, "session_hours": 2})
    with TestClient(create_app(secure, engine=engine), base_url="https://testserver") as c:
        r = login(c, analyst)
    assert r.status_code == 303
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    assert "; secure" in cookie.lower()
    assert "max-age=7200" in cookie.lower()


def test_wrong_password_shows_the_form_again_with_a_clear_message(
    client: TestClient, accounts: Accounts
) -> None:
    analyst = accounts.make("analyst")
    form = client.get("/login")
    r = client.post(
        "/login",
        data={
            "email": analyst.user.email,
            "password": "wrong password",
            "login_token": _hidden(form.text, "login_token"),
        },
        follow_redirects=False,
    )
    assert r.status_code == 401
    assert "Wrong email or password." in r.text
    assert 'name="password"' in r.text
    assert SESSION_COOKIE not in r.headers.get("set-cookie", "")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_five_wrong_passwords_lock_the_email_out_even_for_the_right_one(
    client: TestClient, accounts: Accounts
) -> None:
    analyst = accounts.make("analyst")
    for attempt in range(6):  # five wrong passwords, then the right one
        form = client.get("/login")
        r = client.post(
            "/login",
            data={
                "email": analyst.user.email,
                "password": analyst.password if attempt == 5 else "wrong password",
                "login_token": _hidden(form.text, "login_token"),
            },
            follow_redirects=False,
        )
        assert r.status_code == (429 if attempt == 5 else 401), attempt
    assert "Too many failed log-ins" in r.text
    assert SESSION_COOKIE not in r.headers.get("set-cookie", "")


def test_login_from_another_site_without_the_form_token_is_refused(
    client: TestClient, accounts: Accounts
) -> None:
    analyst = accounts.make("analyst")
    r = client.post(
        "/login",
        data={"email": analyst.user.email, "password": analyst.password},
        follow_redirects=False,
    )
    assert r.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "javascript:alert(1)",
        "/ok\r\nLocation: https://evil.example",
        "evil.example",
    ],
)
def test_login_never_redirects_to_another_site(
    client: TestClient, accounts: Accounts, target: str
) -> None:
    analyst = accounts.make("analyst")
    form = client.get("/login", params={"next": target})
    assert _hidden(form.text, "next") == "/"
    r = client.post(
        "/login",
        data={
            "email": analyst.user.email,
            "password": analyst.password,
            "login_token": _hidden(form.text, "login_token"),
            "next": target,  # sent by hand, past the form
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/"


def test_logout_needs_the_csrf_token_and_then_ends_the_session(
    client: TestClient, accounts: Accounts, store: StateStore
) -> None:
    analyst = accounts.make("analyst")
    csrf = session(client, analyst)
    token = client.cookies[SESSION_COOKIE]
    refused = client.post("/logout", data={"csrf_token": "forged"}, follow_redirects=False)
    assert refused.status_code == 403
    assert "CSRF" in refused.text
    assert store.session_user(token) is not None
    r = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/login")
    assert store.session_user(token) is None
    assert client.get("/", follow_redirects=False).headers["location"] == "/login?next=/"
    actions = [e.action for e in store.audit_entries(analyst.user.tenant_id)]
    assert "session.logout" in actions


# --- headers and markup ---------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_a_strict_policy_and_contain_no_script(
    client: TestClient, accounts: Accounts, path: str
) -> None:
    session(client, accounts.make("analyst"))
    r = client.get(path)
    assert r.status_code == 200
    policy = r.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "script-src" not in policy and "unsafe" not in policy  # no script from anywhere
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"]
    assert "<script" not in r.text.lower()
    assert " style=" not in r.text  # inline styles would be blocked by the policy
    assert '<main id="main"' in r.text and "<h1>" in r.text
    assert '<link rel="stylesheet" href="/static/derisk.css">' in r.text


def test_the_stylesheet_is_served_from_the_package(client: TestClient) -> None:
    r = client.get("/static/derisk.css")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/css")
    assert ":focus-visible" in r.text
    assert client.get("/static/nothing.css").status_code == 404


# --- screening ------------------------------------------------------------------------------


def test_screening_the_german_example_shows_the_hand_derived_counts(
    client: TestClient, accounts: Accounts
) -> None:
    csrf = session(client, accounts.make("analyst"))
    run_id = screened(client, csrf)
    page = client.get(f"/runs/{run_id}").text
    expected = Counter(row["status"] for row in _expected().values())
    for status in ("prohibited", "overdue", "remove_by", "license_required", "restricted"):
        assert card(page, status) == expected.get(status, 0), status
    assert card(page, "listed") == expected["listed"]
    assert card(page, "clear") == expected["clear"]
    dashboard = client.get("/").text
    assert f'href="/runs/{run_id}"' in dashboard
    assert card(dashboard, "overdue") == 32
    assert ": 32 overdue, 14 remove by, " in dashboard  # findings by status
    assert "2026-12-31" in dashboard and "2029-12-31" in dashboard  # the next deadlines


def test_status_filter_shows_exactly_the_hand_derived_records(
    client: TestClient, accounts: Accounts
) -> None:
    csrf = session(client, accounts.make("analyst"))
    run_id = screened(client, csrf)
    expected = _expected()
    for status in ("overdue", "remove_by"):
        page = client.get(f"/runs/{run_id}", params={"status": status}).text
        want = {i for i, row in expected.items() if row["status"] == status}
        shown = rows(page)
        assert {r for _, r, _ in shown} == want
        assert len(shown) == len(want)  # one finding of that status per record
        assert {s for _, _, s in shown} == {status}
    assert len(want) == 14  # remove_by, as README and expected.csv say


def test_search_sort_and_pages_change_the_table(client: TestClient, accounts: Accounts) -> None:
    csrf = session(client, accounts.make("analyst"))
    run_id = screened(client, csrf)
    expected, inventory = _expected(), _inventory()
    url = f"/runs/{run_id}"

    page = client.get(url, params={"q": "huawei tech. co ltd"}).text
    want = {
        i
        for i, row in inventory.items()
        if row["vendor"].casefold() == "huawei tech. co ltd" and expected[i]["status"] != "clear"
    }
    assert want == {"DE-0003", "DE-0058", "DE-0119"}
    assert {r for _, r, _ in rows(page)} == want

    page = client.get(url, params={"q": "DE-0001", "status": "overdue"}).text
    assert [r for _, r, _ in rows(page)] == ["DE-0001"]

    # earliest deadline first: the 32 overdue core records (2026-12-31), then the 14
    # remove_by records (2029-12-31); 'listed' findings have no deadline and come last
    page = client.get(url, params={"sort": "deadline"}).text
    statuses = [s for _, _, s in rows(page)]
    assert statuses[:46] == ["overdue"] * 32 + ["remove_by"] * 14
    assert set(statuses[46:]) == {"listed"}

    page = client.get(url, params={"sort": "status", "q": "ZTE"}).text
    shown = [s for _, _, s in rows(page)]
    order = ["prohibited", "overdue", "remove_by", "license_required", "restricted", "listed"]
    assert shown == sorted(shown, key=order.index)
    assert "overdue" in shown  # ZTE core records are overdue too

    first = rows(client.get(url).text)
    second = rows(client.get(url, params={"page": "2"}).text)
    assert len(first) == 100 and second
    assert not {i for i, _, _ in first} & {i for i, _, _ in second}
    # unknown values fall back to the default view instead of failing
    fallback = client.get(url, params={"status": "nope", "sort": "x", "page": "-3"})
    assert fallback.status_code == 200
    assert rows(fallback.text) == first


def test_hostile_inventory_text_is_escaped(
    client: TestClient, accounts: Accounts, tmp_path: Path
) -> None:
    hostile = tmp_path / "hostile.csv"
    hostile.write_text(
        "id,vendor,model,description,domain,technology\n"
        "<script>alert(1)</script>,Huawei,,,core,5g\n"
        "X-2,<script>alert(2)</script>,ZXUN uMAC,ZTE core,core,5g\n"
        'X-3,"=HYPERLINK(""http://evil.example"",""Huawei"")",,,core,5g\n',
        encoding="utf-8",
    )
    csrf = session(client, accounts.make("analyst"))
    run_id = screened(client, csrf, hostile)
    page = client.get(f"/runs/{run_id}").text
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the record id, escaped
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page  # the vendor, escaped
    assert "=HYPERLINK(&#34;http://evil.example&#34;" in page  # text, not a link
    assert 'href="http://evil.example' not in page
    filtered = client.get(f"/runs/{run_id}", params={"q": "<script>"}).text
    assert "<script" not in filtered.lower()
    assert "&lt;script&gt;" in filtered


def test_a_bad_file_shows_the_form_again_with_code_and_place(
    client: TestClient, accounts: Accounts, tmp_path: Path
) -> None:
    bad = tmp_path / "no-vendor.csv"
    bad.write_text("id,model\nA-1,UNC 20.9\n", encoding="utf-8")
    csrf = session(client, accounts.make("analyst"))
    r = screen(client, csrf, bad)
    assert r.status_code == 422
    assert "DR106" in r.text  # a missing column (docs/errors.md)
    assert "no-vendor.csv" in r.text
    assert 'enctype="multipart/form-data"' in r.text  # the form again
    assert 'value="DE" checked' in r.text  # with the choices kept
    wrong_type = tmp_path / "inventory.pdf"
    wrong_type.write_bytes(b"%PDF-1.4")
    r = screen(client, csrf, wrong_type)
    assert r.status_code == 422 and "DR104" in r.text


def test_screening_needs_the_analyst_role_and_the_csrf_token(
    client: TestClient, accounts: Accounts, store: StateStore
) -> None:
    viewer = accounts.make("viewer")
    csrf = session(client, viewer)
    form = client.get("/screen")
    assert form.status_code == 200
    assert "<fieldset disabled>" in form.text
    assert "needs the analyst role" in form.text
    r = screen(client, csrf)
    assert r.status_code == 403
    assert "needs the analyst role" in r.text and "DR602" in r.text
    csrf = session(client, accounts.make("analyst"))
    assert screen(client, "forged").status_code == 403
    assert store.runs(viewer.user.tenant_id) == []
    assert screen(client, csrf).status_code == 303


# --- decisions ------------------------------------------------------------------------------


def _first_overdue(client: TestClient, run_id: str) -> tuple[str, str]:
    page = client.get(f"/runs/{run_id}", params={"status": "overdue"}).text
    index, record, _ = rows(page)[0]
    return index, record


def test_a_decision_is_recorded_audited_and_flashed(
    client: TestClient, accounts: Accounts, store: StateStore
) -> None:
    analyst = accounts.make("analyst")
    csrf = session(client, analyst)
    run_id = screened(client, csrf)
    index, record = _first_overdue(client, run_id)
    assert record == "DE-0001"  # the first overdue row of expected.csv
    r = client.post(
        f"/runs/{run_id}/decisions",
        data={
            "csrf_token": csrf,
            "finding": index,
            "action": "confirm",
            "reason": "Checked the contract: this is Huawei",
            "back": "status=overdue&sort=deadline&evil=1",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == (
        f"/runs/{run_id}?status=overdue&sort=deadline&done=decision#f-{index}"
    )
    page = client.get(r.headers["location"].split("#")[0]).text
    assert 'role="status">Decision recorded.' in page
    [decision] = store.decisions(analyst.user.tenant_id)
    assert decision.input_name == _inventory()["DE-0001"]["vendor"]
    assert decision.entity_id == _expected()["DE-0001"]["entity"]
    assert (decision.action, decision.decided_by) == ("confirm", analyst.user.email)
    entry = next(
        e for e in store.audit_entries(analyst.user.tenant_id) if e.action == "decision.confirm"
    )
    assert entry.detail["run_id"] == run_id and entry.detail["record_id"] == "DE-0001"


def test_decisions_need_the_csrf_token_a_reason_and_the_analyst_role(
    client: TestClient, accounts: Accounts, store: StateStore
) -> None:
    analyst = accounts.make("analyst")
    csrf = session(client, analyst)
    run_id = screened(client, csrf)
    index, _ = _first_overdue(client, run_id)
    url = f"/runs/{run_id}/decisions"
    good = {"csrf_token": csrf, "finding": index, "action": "dismiss", "reason": "not them"}
    assert client.post(url, data={**good, "csrf_token": ""}).status_code == 403
    assert client.post(url, data={**good, "reason": " "}).status_code == 422
    assert client.post(url, data={**good, "action": "delete"}).status_code == 422
    assert client.post(url, data={**good, "finding": "99999"}).status_code == 404
    viewer = accounts.make("viewer")
    viewer_csrf = session(client, viewer)
    page = client.get(f"/runs/{run_id}").text
    assert rows(page) and "/decisions" not in page  # no decision form for a viewer
    r = client.post(url, data={**good, "csrf_token": viewer_csrf})
    assert r.status_code == 403 and "needs the analyst role" in r.text
    assert store.decisions(analyst.user.tenant_id) == []


# --- runs of other tenants, downloads -------------------------------------------------------


def test_reports_download_and_other_tenants_see_nothing(
    client: TestClient, accounts: Accounts
) -> None:
    csrf = session(client, accounts.make("analyst"))
    run_id = screened(client, csrf)
    doc = client.get(f"/runs/{run_id}/report.json")
    assert doc.status_code == 200 and "attachment" in doc.headers["content-disposition"]
    assert json.loads(doc.text)["summary"]["records_by_status"]["overdue"] == 32
    table = client.get(f"/runs/{run_id}/report.csv")
    assert table.headers["content-type"].startswith("text/csv")
    report = client.get(f"/runs/{run_id}/report.html")
    assert report.headers["content-type"].startswith("text/html")
    assert "script-src" not in report.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in report.headers["content-security-policy"]
    assert client.get(f"/runs/{run_id}/report.pdf").status_code == 404
    session(client, accounts.make("admin", tenant="other"))
    for path in (f"/runs/{run_id}", f"/runs/{run_id}/report.json", f"/plans/{run_id}"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "DR603" in r.text and r.headers["content-type"].startswith("text/html")


# --- knowledge base pages -------------------------------------------------------------------


def test_entity_page_shows_names_ownership_lists_and_sources(
    client: TestClient, accounts: Accounts
) -> None:
    session(client, accounts.make("viewer"))
    page = client.get("/entities/huawei", params={"on": "2026-01-01"}).text
    assert '<th scope="row" lang="zh-Hans">华为技术有限公司</th>' in page
    assert '<th scope="row" lang="zh-Hant">華為技術有限公司</th>' in page
    # owned (100%) by Huawei Investment & Holding; owns HiSilicon (bundled facts)
    assert re.search(
        r'owned by <a href="/entities/huawei-holding">Huawei Investment &amp; Holding'
        r" Co., Ltd.</a> <span[^>]*>\(100%",
        page,
    )
    assert 'owns <a href="/entities/hisilicon">' in page
    assert "Entity List (Supplement No. 4 to Part 744 of the EAR)" in page
    assert "2019-05-16" in page  # listed on the Entity List
    assert 'href="https://www.federalregister.gov/' in page
    missing = client.get("/entities/no-such-entity")
    assert missing.status_code == 404 and "DR603" in missing.text
    bad_date = client.get("/entities/huawei", params={"on": "yesterday"})
    assert bad_date.status_code == 422 and "DR606" in bad_date.text


def test_entity_search_finds_a_misspelled_name(client: TestClient, accounts: Accounts) -> None:
    session(client, accounts.make("viewer"))
    page = client.get("/entities", params={"q": "Huawai"}).text
    found = re.search(r"<caption>Candidates.*?</tbody>", page, re.S)
    assert found and 'href="/entities/huawei"' in found.group(0)


def test_regime_pages_show_provisions_and_their_dates(
    client: TestClient, accounts: Accounts
) -> None:
    session(client, accounts.make("viewer"))
    index = client.get("/regimes").text
    assert 'href="/regimes/de-5g-bsig-9b-2024"' in index
    page = client.get("/regimes/de-5g-bsig-9b-2024").text
    # Germany 2024: out of 5G core by 2026-12-31, out of network management by 2029-12-31
    assert "<dt>Deadline</dt><dd>2026-12-31</dd>" in page
    assert "<dt>Deadline</dt><dd>2029-12-31</dd>" in page
    assert 'href="/entities/huawei"' in page and 'href="/entities/zte"' in page
    assert client.get("/regimes/nope").status_code == 404


# --- tools ----------------------------------------------------------------------------------


def test_classify_page_answers_as_the_readme_says(client: TestClient, accounts: Accounts) -> None:
    session(client, accounts.make("viewer"))
    page = client.get(
        "/classify", params={"chip": "H100 SXM", "destination": "CN", "as_of": "2024-01-01"}
    ).text
    assert "3A090.a, licence required</h2>" in page
    page = client.get("/classify", params={"chip": "RTX 4090D", "destination": "CN"}).text
    assert "no licence required</h2>" in page and "Note 2 applies" in page
    unknown = client.get("/classify", params={"chip": "no such chip", "go": "1"})
    assert unknown.status_code == 422 and "DR202" in unknown.text
    assert client.get("/classify", params={"go": "1"}).status_code == 422
    bad = client.get("/classify", params={"chip": "H20", "destination": "China"})
    assert bad.status_code == 422 and "destination" in bad.text


def test_planning_from_a_screening_run(
    client: TestClient, accounts: Accounts, store: StateStore
) -> None:
    analyst = accounts.make("analyst")
    csrf = session(client, analyst)
    run_id = screened(client, csrf)
    form = client.get("/plan", params={"run": run_id}).text
    assert f'<option value="{run_id}" selected>' in form
    data = {"csrf_token": csrf, "run": run_id, "crews": "3", "budget": "", "start": ""}
    assert client.post("/plan", data={**data, "csrf_token": "x"}).status_code == 403
    for crews in ("-1", "1.5", "5000", "many"):
        refused = client.post("/plan", data={**data, "crews": crews})
        assert refused.status_code == 422 and "crews" in refused.text, crews
    r = client.post("/plan", data=data, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/plans/")
    page = client.get(r.headers["location"]).text
    assert 'class="chart gantt"' in page and 'class="chart cost"' in page
    # every overdue core record's deadline (2026-12-31) passed before work can start
    # (2027-01-01): one late job per core site, all listed under 'Deadlines at risk'
    inventory, expected = _inventory(), _expected()
    sites = {inventory[i]["site"] for i, row in expected.items() if row["status"] == "overdue"}
    risk = re.search(r'<table class="deadline-risk">.*?</table>', page, re.S)
    assert risk
    jobs = re.findall(r'<th scope="row">([^<]+)</th>', risk.group(0))
    assert sorted(jobs) == sorted(f"{site}/core" for site in sites)
    assert risk.group(0).count("(deadline passed before the start)</td>") == len(sites)
    # a viewer may look at the plan but not make one
    session(client, accounts.make("viewer"))
    assert client.get(r.headers["location"]).status_code == 200
    assert client.post("/plan", data=data).status_code == 403
    assert len(store.runs(analyst.user.tenant_id, kind="plan")) == 1


def test_dashboard_without_runs_says_so(client: TestClient, accounts: Accounts) -> None:
    session(client, accounts.make("viewer"))
    page = client.get("/").text
    assert "No screening yet." in page and "No run yet." in page
    assert 'href="/screen">Screen an inventory' not in page  # a viewer cannot
    assert '<span class="muted">(' in page and "viewer" in page


def test_an_upload_over_the_limit_gets_an_html_page_and_stores_nothing(
    client: TestClient, accounts: Accounts, store: StateStore, tmp_path: Path
) -> None:
    analyst = accounts.make("analyst")
    csrf = session(client, analyst)
    big = tmp_path / "big.csv"  # the test settings allow 2 MiB
    big.write_bytes(b"id,vendor\n" + b"R1,Huawei\n" * (2 * 1024 * 1024 // 10 + 1))
    r = screen(client, csrf, big)
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("text/html")
    assert "DR109" in r.text and "Upload too large" in r.text
    assert store.runs(analyst.user.tenant_id) == []
