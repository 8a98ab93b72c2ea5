"""The knowledge base through the API, and the OpenAPI document that describes the API."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.serve.apicheck import assert_problem, member
from tests.serve.support import Account, Accounts

from derisk.serve.api.schemas import (
    ClassifyRequest,
    DecisionRequest,
    KeyRequest,
    MatchRequest,
    PlanRequest,
    ScreenRequest,
    UserRequest,
)
from derisk.serve.engine import Engine


@pytest.fixture
def viewer(accounts: Accounts) -> Account:
    return member(accounts, "viewer")


def get(client: TestClient, who: Account, path: str) -> dict[str, Any]:
    r = client.get(path, headers=who.headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    body: dict[str, Any] = r.json()
    return body


def test_kb_version_is_the_engines(client: TestClient, viewer: Account, engine: Engine) -> None:
    version = get(client, viewer, "/api/v1/kb/version")
    assert version["version"] == engine.kb.version
    assert version["entities"] == len(engine.kb.entities) > 0
    assert version["regimes"] == len(engine.kb.regimes) > 0


def test_huawei_has_its_chinese_names_and_its_lists(client: TestClient, viewer: Account) -> None:
    huawei = get(client, viewer, "/api/v1/entities/huawei")
    assert huawei["id"] == "huawei"
    assert huawei["country"] == "CN"
    names = {alias["name"] for alias in huawei["aliases"]}
    assert {"华为", "华为技术有限公司", "Huawei"} <= names
    lists = {entry["list_id"]: entry for entry in huawei["lists"]}
    assert lists["us-bis-entity-list"]["listed"] == "2019-05-16"  # 84 FR 22961
    assert all(entry["sources"] for entry in huawei["lists"])
    assert huawei["sources"] and all(s["url"].startswith("http") for s in huawei["sources"])
    assert "hisilicon" in {child["entity_id"] for child in huawei["owns"]}


def test_hisilicon_is_owned_by_huawei(client: TestClient, viewer: Account) -> None:
    hisilicon = get(client, viewer, "/api/v1/entities/hisilicon?on=2027-01-01")
    assert hisilicon["as_of"] == "2027-01-01"
    assert [edge["entity_id"] for edge in hisilicon["owned_by"]] == ["huawei"]
    assert hisilicon["owned_by"][0]["sources"]
    assert ["hisilicon", "huawei"] in [path[:2] for path in hisilicon["ownership_paths"]]


def test_an_unknown_entity_or_regime_is_404(client: TestClient, viewer: Account) -> None:
    for path in ("/api/v1/entities/no-such-company", "/api/v1/regimes/no-such-regime"):
        problem = assert_problem(client.get(path, headers=viewer.headers), 404, "DR603")
        assert problem["instance"] == path
    r = client.get("/api/v1/entities/huawei?on=someday", headers=viewer.headers)
    assert "on" in assert_problem(r, 422, "DR606")["detail"]


def test_regimes_list_the_german_agreements_with_their_status(
    client: TestClient, viewer: Account
) -> None:
    regimes = {r["id"]: r for r in get(client, viewer, "/api/v1/regimes")["regimes"]}
    de = regimes["de-5g-bsig-9b-2024"]
    assert de["jurisdiction"] == "DE"
    assert de["status"] == "in_force"
    assert de["adopted"] == "2024-07-11"
    assert {"eu-5g-toolbox"} <= set(regimes)


def test_a_regime_has_its_provisions_with_sources(client: TestClient, viewer: Account) -> None:
    regime = get(client, viewer, "/api/v1/regimes/de-5g-bsig-9b-2024")
    provisions = {p["id"]: p for p in regime["provisions"]}
    # Huawei/ZTE out of the 5G core by 2026-12-31, out of network management by 2029-12-31.
    assert provisions["core"]["deadline"] == "2026-12-31"
    assert {"huawei", "zte"} <= set(provisions["core"]["covers"]["entities"])
    assert "2029-12-31" in {p["deadline"] for p in provisions.values()}
    for provision in provisions.values():
        assert provision["sources"], provision["id"]
        assert all(s["url"] and s["title"] for s in provision["sources"])


# --- OpenAPI ---------------------------------------------------------------------------

ISSUE_ENDPOINTS = {
    ("post", "/api/v1/match"),
    ("post", "/api/v1/screen"),
    ("get", "/api/v1/runs"),
    ("get", "/api/v1/runs/{run_id}"),
    ("get", "/api/v1/runs/{run_id}/report.{fmt}"),
    ("post", "/api/v1/classify"),
    ("post", "/api/v1/plan"),
    ("get", "/api/v1/entities/{entity_id}"),
    ("get", "/api/v1/regimes"),
    ("get", "/api/v1/regimes/{regime_id}"),
    ("get", "/api/v1/kb/version"),
    ("post", "/api/v1/decisions"),
    ("get", "/api/v1/decisions"),
    ("get", "/api/v1/me"),
    ("get", "/api/v1/audit"),
    ("get", "/api/v1/users"),
    ("post", "/api/v1/users"),
    ("post", "/api/v1/keys"),
}


@pytest.fixture
def openapi(client: TestClient) -> dict[str, Any]:
    r = client.get("/api/v1/openapi.json")  # public: a client needs it to learn the API
    assert r.status_code == 200
    doc: dict[str, Any] = r.json()
    return doc


def resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    found: dict[str, Any] = doc
    for part in ref.removeprefix("#/").split("/"):
        found = found[part]
    return found


def test_openapi_lists_every_endpoint_of_the_api(openapi: dict[str, Any]) -> None:
    listed = {
        (method, path)
        for path, ops in openapi["paths"].items()
        if path.startswith("/api/v1/")
        for method in ops
    }
    assert listed >= ISSUE_ENDPOINTS
    assert openapi["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"


def test_every_request_body_carries_an_example(openapi: dict[str, Any]) -> None:
    bodies = 0
    for path, ops in openapi["paths"].items():
        for method, op in ops.items():
            if "requestBody" not in op or not path.startswith("/api/v1/"):
                continue
            content = op["requestBody"]["content"]
            assert "application/json" in content, (method, path)
            schema = resolve(openapi, content["application/json"]["schema"])
            assert schema.get("examples"), (method, path)
            bodies += 1
            for media, spec in content.items():
                assert resolve(openapi, spec["schema"])["properties"], (method, path, media)
    assert bodies == 7  # screen, match, classify, plan, decisions, users, keys
    screen = openapi["paths"]["/api/v1/screen"]["post"]["requestBody"]["content"]
    assert "file" in screen["multipart/form-data"]["schema"]["required"]


@pytest.mark.parametrize(
    "model",
    [
        ClassifyRequest,
        DecisionRequest,
        KeyRequest,
        MatchRequest,
        PlanRequest,
        ScreenRequest,
        UserRequest,
    ],
)
def test_the_examples_are_valid_bodies(model: Any) -> None:
    examples = model.model_json_schema()["examples"]
    assert examples
    for example in examples:
        model.model_validate(example)


def test_the_examples_work(client: TestClient, accounts: Accounts) -> None:
    admin = member(accounts, "admin")  # may do everything
    for path, model in (
        ("/api/v1/match", MatchRequest),
        ("/api/v1/classify", ClassifyRequest),
        ("/api/v1/screen", ScreenRequest),
        ("/api/v1/plan", PlanRequest),
        ("/api/v1/decisions", DecisionRequest),
        ("/api/v1/users", UserRequest),
        ("/api/v1/keys", KeyRequest),
    ):
        example = model.model_json_schema()["examples"][0]
        r = client.post(path, headers=admin.headers, json=example)
        assert r.status_code in (200, 201), (path, r.text)
