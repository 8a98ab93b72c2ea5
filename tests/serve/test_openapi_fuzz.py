"""Property-based tests of the REST API from its own OpenAPI document (schemathesis).

Every operation in ``/api/v1/openapi.json`` gets its documented examples and requests
generated from its schema, valid ("positive") and invalid ("negative") ones, sent in-process
to the ASGI app with an admin's API key (negative cases also mangle the key). No
answer may be a server error, and every answer must be one the document describes: its status,
content type and body schema (errors are problem details, ``components/schemas/Problem``).

The examples are bounded and derandomized, so a run is reproducible and takes seconds. It runs
on SQLite only: the data layer's backends are held to the same contract in test_store.py.
"""

from __future__ import annotations

import traceback
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from tests.serve.support import DE_INVENTORY, Accounts

from derisk.serve.app import create_app
from derisk.serve.engine import Engine
from derisk.serve.settings import ServeSettings

MAX_EXAMPLES = 25  # per operation and phase
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples on every run
    database=None,
    phases=[Phase.explicit, Phase.generate],  # a failure is reported with its curl, unshrunk
    suppress_health_check=list(HealthCheck),
)

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class _WithoutLifespan:
    """The app for schemathesis's in-process client, whose lifespan the test runs itself
    (through TestClient, so the store is closed at the end): refusing the lifespan scope
    before reading a message is how an ASGI app says it has none."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            raise RuntimeError("the test runs the app's lifespan")
        await self.app(scope, receive, send)


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_the_openapi_document_describes_every_answer(engine: Engine, tmp_path: Path) -> None:
    settings_ = ServeSettings(database_url=f"sqlite:///{tmp_path / 'serve.sqlite3'}")
    app = create_app(settings_, engine=engine)
    with TestClient(app) as client:
        doc = client.get("/api/v1/openapi.json").json()
        schemas = doc["components"]["schemas"]
        assert sorted(set(_refs(doc)) - {f"#/components/schemas/{n}" for n in schemas}) == []
        for path, operations in doc["paths"].items():
            for method, operation in operations.items():
                assert "422" not in operation["responses"], (method, path)  # FastAPI's own
                default = operation["responses"]["default"]["content"]
                assert default == {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                }
        assert "HTTPValidationError" not in schemas
        assert schemas["Problem"]["required"] == ["type", "title", "status", "detail", "code"]


def test_no_operation_answers_with_a_server_error_or_off_its_schema(
    engine: Engine, tmp_path: Path
) -> None:
    settings_ = ServeSettings(
        database_url=f"sqlite:///{tmp_path / 'serve.sqlite3'}", max_upload_bytes=1024 * 1024
    )
    app = create_app(settings_, engine=engine)
    with TestClient(app) as client:
        admin = Accounts(app.state.derisk.store).make("admin")
        # Runs to look at, so the run endpoints answer more than 404.
        with DE_INVENTORY.open("rb") as fh:
            screened = client.post(
                "/api/v1/screen",
                headers=admin.headers,
                files={"file": ("inventory.csv", fh, "text/csv")},
                data={"country": "DE", "sector": "telecom", "as_of": "2027-01-01"},
            )
        assert screened.status_code == 201, screened.text
        planned = client.post(
            "/api/v1/plan",
            headers=admin.headers,
            json={"run_id": screened.json()["run_id"], "time_limit": 2},
        )
        assert planned.status_code == 201, planned.text
        store = app.state.derisk.store
        spare = [store.create_api_key(None, admin.user, f"spare {n}")[1].id for n in range(3)]
        known = {
            "key_id": spare,
            "run_id": [screened.json()["run_id"], planned.json()["run_id"]],
            "fmt": ["json", "csv", "html"],
            "entity_id": sorted(engine.kb.entities)[:3],
            "regime_id": sorted(engine.kb.regimes)[:3],
        }

        doc = client.get("/api/v1/openapi.json").json()
        documented = {f"{m.upper()} {p}" for p, ops in doc["paths"].items() for m in ops}
        schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", _WithoutLifespan(app))
        failures: dict[str, str] = {}
        answered: dict[str, Counter[int]] = {}
        for result in schema.get_all_operations():
            operation = result.ok()
            statuses = answered.setdefault(operation.label, Counter())
            path_names = [p.name for p in operation.iter_parameters() if p.location == "path"]
            phases = {
                # The document's own examples (every request body has one), then generated
                # valid requests, then generated invalid ones.
                "examples": operation.get_strategies_from_examples(),
                "positive": [operation.as_strategy(generation_mode=GenerationMode.POSITIVE)],
                "negative": [operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)],
            }
            if path_names:  # also existing runs, entities and regimes, the rest generated
                for i in range(3):
                    fixed = {n: known[n][i % len(known[n])] for n in path_names}
                    phases["positive"].append(operation.as_strategy(path_parameters=fixed))
            for phase, strategies in phases.items():
                if not strategies:
                    continue

                @SETTINGS
                @given(case=st.one_of(strategies))
                def fuzz(case: schemathesis.Case) -> None:
                    # A fresh key per call: DELETE /keys/{key_id} may revoke any earlier one.
                    key, _ = store.create_api_key(None, admin.user, "fuzz")
                    headers = {"Authorization": f"Bearer {key}"}
                    response = case.call_and_validate(headers=headers, checks=CHECKS)
                    statuses[response.status_code] += 1  # noqa: B023

                try:
                    fuzz()
                except (Exception, BaseExceptionGroup) as exc:  # schemathesis: FailureGroup
                    failures[f"{operation.label} ({phase})"] = "".join(
                        traceback.format_exception_only(exc)
                    )

    report = "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
    assert not failures, report
    assert set(answered) == documented
    # Each operation also succeeded at least once: the fuzzing got past authentication and
    # validation, so "no server error" is not just a wall of 401s and 422s.
    unsuccessful = {
        label: dict(counts)
        for label, counts in answered.items()
        if not any(200 <= status < 300 for status in counts)
    }
    assert unsuccessful == {}
    assert all(status < 500 for counts in answered.values() for status in counts)
