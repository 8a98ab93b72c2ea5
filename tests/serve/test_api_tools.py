"""``POST /match``, ``POST /classify`` and ``POST /plan``.

Classification cases are worked out by hand from the rule (88 FR 73458, the October 2023
advanced-computing rule: TPP = dense TOPS x bit length; 3A090.a is TPP >= 4800; a licence is
needed for destinations in Country Groups D:1, D:4 or D:5 (China is D:5), and from 2023-11-17
for entities headquartered there wherever they are; Note 2 excludes chips not designed or
marketed for datacenters with TPP under 4800). Plans are checked against the resources they
were made with, from the JSON alone.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.serve.apicheck import (
    DE_PROFILE,
    SMALL,
    assert_problem,
    expected_statuses,
    member,
    rows_in,
    screen_csv,
)
from tests.serve.support import DE_INVENTORY, Account, Accounts

from derisk.serve.db.store import StateStore

# --- /match ----------------------------------------------------------------------------


@pytest.fixture
def viewer(accounts: Accounts) -> Account:
    return member(accounts, "viewer")


@pytest.fixture
def analyst(accounts: Accounts) -> Account:
    return member(accounts, "analyst")


def match(client: TestClient, who: Account, **body: Any) -> list[dict[str, Any]]:
    r = client.post("/api/v1/match", headers=who.headers, json=body)
    assert r.status_code == 200, r.text
    results: list[dict[str, Any]] = r.json()["results"]
    return results


def test_match_resolves_a_legal_form_variant_to_huawei(client: TestClient, viewer: Account) -> None:
    [result] = match(client, viewer, names=["HUAWEI TECH. CO LTD"])
    assert result["query"] == "HUAWEI TECH. CO LTD"
    best = result["candidates"][0]
    assert best["entity_id"] == "huawei"
    assert best["entity_name"] == "Huawei Technologies Co., Ltd."
    assert best["decision"] == "match"
    assert 0 < best["score"] <= 1
    assert best["features"]  # the evidence
    # The Entity List added Huawei with effect from 2019-05-16 (84 FR 22961).
    listed = {entry["list_id"]: entry["since"] for entry in best["listed"]}
    assert listed["us-bis-entity-list"] == "2019-05-16"


def test_a_batch_keeps_its_order_and_top_bounds_the_candidates(
    client: TestClient, viewer: Account
) -> None:
    names = [
        "Telefonaktiebolaget LM Ericsson",
        "ZTE Corporation",
        "华为技术有限公司",
        "HUAWEI TECH. CO LTD",
    ]
    results = match(client, viewer, names=names, top=1)
    assert [r["query"] for r in results] == names
    assert [r["candidates"][0]["entity_id"] for r in results] == [
        "ericsson",
        "zte",
        "huawei",
        "huawei",
    ]
    assert all(len(r["candidates"]) == 1 for r in results)
    assert all(len(r["candidates"]) <= 3 for r in match(client, viewer, names=names))
    [unknown] = match(client, viewer, names=["Acme Widgets GmbH"])
    assert all(c["decision"] != "match" for c in unknown["candidates"])


def test_the_threshold_and_the_country_change_the_answer(
    client: TestClient, viewer: Account
) -> None:
    # A misspelling matches at the default threshold, not at a strict one.
    [loose] = match(client, viewer, names=["Huawai"])
    [strict] = match(client, viewer, names=["Huawai"], threshold=0.97)
    assert loose["candidates"][0]["entity_id"] == "huawei"
    assert loose["candidates"][0]["decision"] == "match"
    assert strict["candidates"][0]["decision"] != "match"
    # A Hikvision name said to be from the US fits the US subsidiary; from China, the parent.
    [us] = match(client, viewer, names=["Hikvision Digital"], country="US")
    [cn] = match(client, viewer, names=["Hikvision Digital"], country="CN")
    assert us["candidates"][0]["entity_id"] == "hikvision-usa"
    assert cn["candidates"][0]["entity_id"] == "hikvision"
    assert match(client, viewer, names=["Hikvision Digital"], country="cn") == [cn]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"names": ["Huawei"], "threshold": 0}, "threshold"),
        ({"names": ["Huawei"], "threshold": 1}, "threshold"),
        ({"names": ["Huawei"], "threshold": 1.5}, "threshold"),
        ({"names": ["Huawei"], "threshold": "high"}, "threshold"),
        ({"names": ["Huawei"], "top": 0}, "top"),
        ({"names": ["Huawei"], "top": 21}, "top"),
        ({"names": []}, "names"),
        ({"names": ["Huawei", "  "]}, "names.1"),
        ({"names": "Huawei"}, "names"),
        ({"names": ["x"] * 1001}, "names"),
        ({"names": ["Huawei"], "country": "China"}, "country"),
        ({"names": ["Huawei"], "limit": 3}, "limit"),
        ({}, "names"),
    ],
)
def test_a_bad_match_request_is_422_naming_the_field(
    client: TestClient, viewer: Account, body: dict[str, Any], field: str
) -> None:
    r = client.post("/api/v1/match", headers=viewer.headers, json=body)
    problem = assert_problem(r, 422, "DR606")
    assert problem["detail"].startswith(field + ":"), problem["detail"]
    assert problem["errors"][0]["field"] == field


def test_a_match_body_that_is_not_json_is_422(client: TestClient, viewer: Account) -> None:
    headers = viewer.headers | {"Content-Type": "application/json"}
    r = client.post("/api/v1/match", headers=headers, content=b"names=Huawei")
    assert_problem(r, 422, "DR606")


# --- /classify -------------------------------------------------------------------------


def classify(client: TestClient, who: Account, **body: Any) -> dict[str, Any]:
    r = client.post("/api/v1/classify", headers=who.headers, json=body)
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()
    return result


def test_h100_to_china_needs_a_licence(client: TestClient, viewer: Account) -> None:
    # H100 SXM: 1,979 dense FP8 TFLOPS x 8 bits = TPP 15,832 >= 4,800: 3A090.a. China is in
    # Country Group D:5, so 88 FR 73458 (in force 2023-11-17) requires a licence.
    r = classify(client, viewer, chip="H100 SXM", destination="CN", as_of="2024-01-01")
    assert r["product"]["id"] == "nvidia-h100-sxm5"
    assert r["tpp"] == pytest.approx(15832.0)
    assert r["eccn"] == "3A090.a"
    assert r["license_required"] is True
    assert "88 FR 73458" in {g["instrument"] for g in r["license_grounds"]}
    assert r["review_policy"] == "presumption_of_denial"  # D:5


def test_the_headquarters_rule_reaches_a_chinese_firm_in_singapore(
    client: TestClient, viewer: Account
) -> None:
    # The same figures given by hand (FP8 1,979 dense TOPS, 814 mm2): TPP 15,832, PD 19.45.
    # Singapore is in none of D:1, D:4, D:5: no licence; but from 2023-11-17 a customer
    # headquartered in China (D:5) needs one wherever it is.
    figures = {"tops": {"fp8": 1979}, "die_area_mm2": 814, "as_of": "2024-01-01"}
    alone = classify(client, viewer, destination="SG", **figures)
    assert alone["eccn"] == "3A090.a"
    assert alone["tpp"] == pytest.approx(15832.0)
    assert alone["pd"] == pytest.approx(15832 / 814, abs=1e-3)
    assert alone["license_required"] is False
    chinese = classify(client, viewer, destination="SG", headquarters="CN", **figures)
    assert chinese["license_required"] is True
    # Codes in any case, precisions in any case: the same answer.
    lower = classify(
        client,
        viewer,
        destination="sg",
        headquarters="cn",
        tops={"FP8": 1979},
        die_area_mm2=814,
        as_of="2024-01-01",
    )
    assert lower == chinese


def test_note_2_leaves_a_gaming_card_outside_3a090(client: TestClient, viewer: Account) -> None:
    # RTX 4090 D: TPP about 4,707 < 4,800 and not designed for datacenters: Note 2 to 3A090.
    r = classify(client, viewer, chip="RTX 4090D", destination="CN", as_of="2024-01-01")
    assert r["tpp"] < 4800
    assert r["note2_applies"] is True
    assert r["eccn"] == "not_3A090"
    assert r["license_required"] is False


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        ({}, "DR606", "chip"),
        ({"destination": "CN"}, "DR606", "chip"),
        ({"tops": {}}, "DR606", "chip"),
        ({"chip": "A100"}, "DR202", "ambiguous"),
        ({"chip": "Quantum Toaster 9000"}, "DR202", "not found"),
        ({"tops": {"fp7": 100}}, "DR606", "tops"),
        ({"tops": {"fp8": -100}}, "DR606", "tops.fp8"),
        ({"tops": {"fp8": "fast"}}, "DR606", "tops.fp8"),
        ({"tops": {"fp8": 1979}, "die_area_mm2": 0}, "DR606", "die_area_mm2"),
        ({"chip": "H20", "destination": "China"}, "DR606", "destination"),
        ({"chip": "H20", "destination": "C1"}, "DR606", "destination"),
        ({"chip": "H20", "end_user": " "}, "DR606", "end_user"),
        ({"chip": "H20", "as_of": "yesterday"}, "DR606", "as_of"),
        ({"chip": "H20", "cores": 4}, "DR606", "cores"),
    ],
)
def test_a_bad_classify_request_is_422(
    client: TestClient, viewer: Account, body: dict[str, Any], code: str, words: str
) -> None:
    r = client.post("/api/v1/classify", headers=viewer.headers, json=body)
    assert words in assert_problem(r, 422, code)["detail"]


@pytest.mark.parametrize("raw", [b'{"tops": {"fp8": NaN}}', b'{"tops": {"fp8": Infinity}}'])
def test_classify_refuses_figures_that_are_not_finite(
    client: TestClient, viewer: Account, raw: bytes
) -> None:
    headers = viewer.headers | {"Content-Type": "application/json"}
    r = client.post("/api/v1/classify", headers=headers, content=raw)
    assert "tops.fp8" in assert_problem(r, 422, "DR606")["detail"]


# --- /plan -----------------------------------------------------------------------------

# examples/de-operator/resources.yaml, cut down to the crews, the budget and the rate.
RESOURCES = {"crews": {"default": 2}, "budget": {"per_quarter": 2000000}, "fx": {"USD": 0.96}}


def quarter_index(day: date) -> int:
    return day.year * 4 + (day.month - 1) // 3


def check_plan(plan: dict[str, Any], crews: int, per_quarter: float, carry_over: bool) -> None:
    """Every job within the crews (per region and day) and the quarterly budget (charged in
    the quarter work starts; unspent money carries over when ``carry_over``)."""
    start = date.fromisoformat(plan["start"])
    busy: Counter[tuple[str, date]] = Counter()
    spent: Counter[int] = Counter()
    for job in plan["jobs"]:
        s, e = date.fromisoformat(job["start"]), date.fromisoformat(job["end"])
        assert s >= start and s.weekday() == 0, job["job_id"]  # whole weeks, from Mondays
        assert e == s + timedelta(days=7 * job["duration_weeks"] - 1), job["job_id"]
        for n in range((e - s).days + 1):
            busy[(job["region"], s + timedelta(days=n))] += 1
        spent[quarter_index(s)] += job["cost"]
    assert busy and max(busy.values()) <= crews
    extra = plan["solver"]["extra_budget_used"]
    first = quarter_index(start)
    total = allowed = 0.0
    for q in range(first, max(spent) + 1):
        total, allowed = total + spent[q], allowed + per_quarter
        if carry_over:
            assert total <= allowed + extra, q
        else:
            assert spent[q] <= per_quarter + extra, q
    assert sum(j["cost"] for j in plan["jobs"]) == plan["summary"]["cost"]


@pytest.fixture
def screened(client: TestClient, analyst: Account) -> dict[str, Any]:
    r = screen_csv(client, analyst.headers, DE_INVENTORY.read_bytes())
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def test_a_plan_from_a_run_respects_crews_and_budget(
    client: TestClient, analyst: Account, screened: dict[str, Any]
) -> None:
    body = {"run_id": screened["run_id"], "resources": RESOURCES, "time_limit": 3}
    r = client.post("/api/v1/plan", headers=analyst.headers, json=body)
    assert r.status_code == 201, r.text
    plan_id, plan = r.json()["run_id"], r.json()["document"]
    assert r.headers["location"] == f"/api/v1/runs/{plan_id}"
    assert plan["schema"] == "derisk.plan/1"
    assert plan["as_of"] == "2027-01-01"
    assert plan["start"] == "2027-01-04"  # the first Monday on or after the screening date
    assert plan["input"]["file"] == "inventory.csv"
    # The jobs replace exactly the records that must go (hand-derived: the DE agreements'
    # core deadline 2026-12-31, overdue, and management deadline 2029-12-31, remove_by).
    must_go = {rid for rid, s in expected_statuses().items() if s in ("overdue", "remove_by")}
    assert {rid for job in plan["jobs"] for rid in job["records"]} == must_go
    deadlines = {"core": "2026-12-31", "management": "2029-12-31"}
    assert all(job["deadline"] == deadlines[job["domain"]] for job in plan["jobs"])
    assert plan["resources"]["budget"]["carry_over"] is True  # the default
    assert plan["solver"]["extra_budget_used"] == 0  # 2 million a quarter is enough
    check_plan(plan, crews=2, per_quarter=2_000_000, carry_over=True)

    run = client.get(f"/api/v1/runs/{plan_id}", headers=analyst.headers).json()
    screen_run = client.get(f"/api/v1/runs/{screened['run_id']}", headers=analyst.headers).json()
    assert run["kind"] == "plan"
    assert run["inventory_id"] == screen_run["inventory_id"]  # the same upload, not a copy
    csv_report = client.get(f"/api/v1/runs/{plan_id}/report.csv", headers=analyst.headers)
    assert csv_report.status_code == 200
    assert len(csv_report.text.strip().splitlines()) == 1 + len(plan["jobs"])
    html = client.get(f"/api/v1/runs/{plan_id}/report.html", headers=analyst.headers)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    # A plan is not a screening run to plan from.
    again = {"run_id": plan_id, "resources": RESOURCES, "time_limit": 1}
    r = client.post("/api/v1/plan", headers=analyst.headers, json=again)
    assert "run_id" in assert_problem(r, 422, "DR606")["detail"]


def test_a_plan_without_carry_over_keeps_each_quarter_in_budget(
    client: TestClient, analyst: Account, screened: dict[str, Any]
) -> None:
    # The dearest job (a core site) costs about 6.2 million: 6.5 million a quarter is enough
    # without extra money, but not for two such jobs starting in one quarter.
    resources = RESOURCES | {"budget": {"per_quarter": 6500000, "carry_over": False}}
    body = {"run_id": screened["run_id"], "resources": resources, "time_limit": 3}
    r = client.post("/api/v1/plan", headers=analyst.headers, json=body)
    assert r.status_code == 201, r.text
    plan = r.json()["document"]
    assert plan["resources"]["budget"]["carry_over"] is False
    assert plan["solver"]["extra_budget_used"] == 0
    check_plan(plan, crews=2, per_quarter=6_500_000, carry_over=False)


def test_a_plan_from_records_or_an_upload(
    client: TestClient, analyst: Account, store: StateStore
) -> None:
    records = [
        {"id": "C1", "vendor": "Huawei", "domain": "core", "site": "S1", "unit_cost": 100000},
        {"id": "C2", "vendor": "ZTE", "domain": "core", "site": "S2", "unit_cost": 100000},
        {"id": "R1", "vendor": "Ericsson", "domain": "ran", "site": "S1"},
    ]
    body = {
        "records": records,
        "profile": DE_PROFILE,
        "as_of": "2027-01-01",
        "resources": RESOURCES | {"crews": {"default": 1}},
        "time_limit": 2,
    }
    r = client.post("/api/v1/plan", headers=analyst.headers, json=body)
    assert r.status_code == 201, r.text
    plan = r.json()["document"]
    assert sorted(rid for job in plan["jobs"] for rid in job["records"]) == ["C1", "C2"]
    check_plan(plan, crews=1, per_quarter=2_000_000, carry_over=True)
    assert rows_in(store) == (1, 1)

    form = {"country": "DE", "sector": "telecom", "as_of": "2027-01-01"}
    r = client.post(
        "/api/v1/plan",
        headers=analyst.headers,
        files={"file": ("small.csv", SMALL, "text/csv")},
        data=form | {"resources": '{"crews": {"default": 1}, "fx": {"USD": 0.96}}'},
    )
    assert r.status_code == 201, r.text
    assert [job["records"] for job in r.json()["document"]["jobs"]] == [["R1"]]
    r = client.post(
        "/api/v1/plan",
        headers=analyst.headers,
        files={"file": ("small.csv", SMALL, "text/csv")},
        data=form | {"resources": "[1, 2]"},
    )
    assert "resources" in assert_problem(r, 422, "DR606")["detail"]


@pytest.mark.parametrize(
    ("resources", "field"),
    [
        ({"crews": {"default": -1}}, "resources.crews.default"),
        ({"budget": {"per_quarter": "lots"}}, "resources.budget.per_quarter"),
        ({"budget": {"per_quarter": 1e300}}, "resources.budget.per_quarter"),
        ({"budget": {"quarters": {"2027-Q5": 10}}}, "2027-Q5"),
        ({"budget": {"quarters": {"2027-Q1": 1e300}}}, "resources.budget.quarters.2027-Q1"),
        ({"start": "9999-06-01"}, "resources.start"),
        ({"horizon_months": 1}, "resources.horizon_months"),
        ({"durations_weeks": {"core": 1000}}, "durations_weeks.core: 1000 weeks is longer"),
        ({"crew": {"default": 2}}, "resources.crew"),
        ({"vendors": {"samsung": {"lead_time_weeks": 4}}}, "samsung-electronics"),
    ],
)
def test_bad_resources_are_dr203_naming_the_field(
    client: TestClient,
    analyst: Account,
    store: StateStore,
    resources: dict[str, Any],
    field: str,
) -> None:
    body = {
        "records": [{"vendor": "Huawei", "domain": "core", "site": "S1"}],
        "profile": DE_PROFILE,
        "as_of": "2027-01-01",
        "resources": RESOURCES | resources,
        "time_limit": 1,
    }
    r = client.post("/api/v1/plan", headers=analyst.headers, json=body)
    assert field in assert_problem(r, 422, "DR203")["detail"]
    assert rows_in(store) == (0, 0)


@pytest.mark.parametrize("value", [b"NaN", b"Infinity", b"-Infinity"])
def test_resources_that_are_not_finite_are_refused(
    client: TestClient, analyst: Account, value: bytes
) -> None:
    raw = (
        b'{"records": [{"vendor": "Huawei", "domain": "core"}], "profile": {"countries": ["DE"]},'
        b' "resources": {"fx": {"USD": ' + value + b"}}}"
    )
    headers = analyst.headers | {"Content-Type": "application/json"}
    r = client.post("/api/v1/plan", headers=headers, content=raw)
    assert "resources.fx.USD" in assert_problem(r, 422, "DR203")["detail"]


@pytest.mark.parametrize(
    ("body", "status", "code", "words"),
    [
        ({"resources": RESOURCES}, 422, "DR606", "run_id"),
        ({"records": [{"vendor": "Huawei"}]}, 422, "DR606", "run_id"),
        ({"profile": DE_PROFILE}, 422, "DR606", "run_id"),
        ({"run_id": "0123456789abcdef0123456789abcdef"}, 404, "DR603", "run"),
        ({"run_id": "x", "time_limit": 0}, 422, "DR606", "time_limit"),
        ({"run_id": "x", "time_limit": 121}, 422, "DR606", "time_limit"),
        ({"run_id": "x", "resources": "lots"}, 422, "DR606", "resources"),
        ({"run_id": "x", "crews": 2}, 422, "DR606", "crews"),
        (
            {"records": [{"vendor": "Huawei"}], "profile": DE_PROFILE, "start": "9999-12-01"},
            422,
            "DR606",
            "start",
        ),
    ],
)
def test_a_bad_plan_request_is_refused(
    client: TestClient,
    analyst: Account,
    body: dict[str, Any],
    status: int,
    code: str,
    words: str,
) -> None:
    r = client.post("/api/v1/plan", headers=analyst.headers, json=body)
    assert words in assert_problem(r, status, code)["detail"]
