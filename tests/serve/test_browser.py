"""The web app in a real browser (Debian's chromium through Playwright), with JavaScript off:
log in, upload the German example, see the overdue Huawei core findings, open Huawei's entity
page, record a decision, log out.

Expected values come from examples/de-operator/expected.csv (hand-derived: 32 overdue
records as of 2027-01-01, country DE, sector telecom)."""

from __future__ import annotations

import csv
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from tests.serve.support import DE_INVENTORY, Accounts

from derisk.serve.app import create_app
from derisk.serve.db.store import StateStore
from derisk.serve.engine import Engine
from derisk.serve.settings import ServeSettings

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 15_000


@pytest.fixture
def live_server(settings: ServeSettings, engine: Engine, store: StateStore) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, in a background thread."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt install chromium; CI installs it)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings, engine=engine), log_level="warning", ws="none", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                pytest.fail("the server did not start")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


def _overdue_records() -> set[str]:
    with (DE_INVENTORY.parent / "expected.csv").open(encoding="utf-8") as fh:
        return {row["id"] for row in csv.DictReader(fh) if row["status"] == "overdue"}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_log_in_screen_inspect_decide_log_out(
    live_server: str, accounts: Accounts, store: StateStore
) -> None:
    from playwright.sync_api import expect, sync_playwright

    analyst = accounts.make("analyst")
    overdue = _overdue_records()
    assert len(overdue) == 32
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                java_script_enabled=False, viewport={"width": 1366, "height": 800}
            )
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()

            # not logged in: the dashboard sends the browser to the login form
            page.goto(live_server + "/")
            assert page.url == live_server + "/login?next=/"
            page.get_by_label("Email").fill(analyst.user.email)
            page.get_by_label("Password").fill(analyst.password)
            page.get_by_role("button", name="Log in").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")

            # upload the German example
            page.get_by_role("navigation", name="Main").get_by_role("link", name="Screen").click()
            page.get_by_label("Inventory file").set_input_files(DE_INVENTORY)
            page.get_by_label("DE", exact=True).check()
            page.get_by_label("Sector").select_option("telecom")
            page.get_by_label("As of").fill("2027-01-01")
            page.get_by_role("button", name="Screen", exact=True).click()
            page.wait_for_url("**/runs/*")
            run_id = page.url.rsplit("/", 1)[1]
            card = page.locator('.card[data-status="overdue"] .count')
            expect(card).to_have_text(str(len(overdue)))

            # the overdue findings: exactly the hand-derived records, Huawei core among them
            page.get_by_label("Status", exact=True).select_option("overdue")
            page.get_by_role("button", name="Show").click()
            page.wait_for_url("**status=overdue**")
            findings = page.locator("table.findings tbody tr.finding")
            expect(findings).to_have_count(len(overdue))
            shown = set(findings.evaluate_all("rows => rows.map(r => r.dataset.record)"))
            assert shown == overdue
            first = page.locator('tr.finding[data-record="DE-0001"]')
            expect(first.locator("td.vendor")).to_have_text("Huawei")
            expect(first.locator("td.rule")).to_have_text("de-5g-bsig-9b-2024.core")

            # its evidence leads to Huawei's entity page
            first.get_by_text("Evidence for DE-0001").click()
            first.get_by_role("link", name="Huawei Technologies Co., Ltd.").first.click()
            page.wait_for_url("**/entities/huawei")
            expect(page.get_by_role("heading", level=1)).to_have_text(
                "Huawei Technologies Co., Ltd."
            )
            expect(page.locator('th[lang="zh-Hans"]', has_text="华为技术有限公司")).to_be_visible()
            expect(page.get_by_role("heading", name="List memberships")).to_be_visible()
            page.go_back()
            page.wait_for_url("**status=overdue**")

            # confirm the match of DE-0001
            first = page.locator('tr.finding[data-record="DE-0001"]')
            first.get_by_text("Evidence for DE-0001").click()
            first.get_by_label("Confirm the match").check()
            first.get_by_label("Reason").fill("Checked the purchase order: Huawei core")
            first.get_by_role("button", name="Record decision").click()
            page.wait_for_url("**done=decision**")
            expect(page.get_by_role("status").first).to_contain_text("Decision recorded")

            # log out: the dashboard is closed again
            page.get_by_role("button", name="Log out").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
            page.goto(live_server + "/")
            assert page.url == live_server + "/login?next=/"
            context.close()
        finally:
            browser.close()

    entries = store.audit_entries(analyst.user.tenant_id)
    decision = next(e for e in entries if e.action == "decision.confirm")
    assert decision.detail["record_id"] == "DE-0001"
    assert decision.detail["run_id"] == run_id
    assert decision.detail["entity_id"] == "huawei"
    assert decision.actor == analyst.user.email
    assert "session.logout" in [e.action for e in entries]
