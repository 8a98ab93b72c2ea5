"""Errors the framework raises (unknown path, wrong method, broken multipart) are problem
details with a derisk code too, and every code the API uses is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.serve.apicheck import SMALL, assert_problem, member
from tests.serve.support import Account, Accounts

from derisk.errors import ErrorCode
from derisk.serve.problems import PROBLEM_TYPE, status_of

ERRORS_MD = Path(__file__).resolve().parents[2] / "docs" / "errors.md"


@pytest.fixture
def analyst(accounts: Accounts) -> Account:
    return member(accounts, "analyst")


def test_an_unknown_path_is_a_404_problem(client: TestClient, analyst: Account) -> None:
    r = client.get("/api/v1/nothing-here", headers=analyst.headers)
    assert assert_problem(r, 404, "DR603")["instance"] == "/api/v1/nothing-here"


def test_a_wrong_method_is_a_405_problem(client: TestClient, analyst: Account) -> None:
    r = client.delete("/api/v1/runs", headers=analyst.headers)
    assert_problem(r, 405, "DR606")
    r = client.get("/api/v1/screen", headers=analyst.headers)
    assert_problem(r, 405, "DR606")


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        ("multipart/form-data", b"--x\r\n"),  # no boundary parameter
        ("multipart/form-data; boundary=abc", b"this is not multipart"),
    ],
    ids=["no-boundary", "garbage"],
)
def test_a_broken_form_is_a_problem(
    client: TestClient, analyst: Account, content_type: str, content: bytes
) -> None:
    headers = analyst.headers | {"Content-Type": content_type}
    r = client.post("/api/v1/screen", headers=headers, content=content)
    assert_problem(r, 400, "DR606")


def test_two_files_are_refused(client: TestClient, analyst: Account) -> None:
    files = [("file", ("a.csv", SMALL, "text/csv")), ("file", ("b.csv", SMALL, "text/csv"))]
    r = client.post("/api/v1/screen", headers=analyst.headers, files=files, data={"country": "DE"})
    assert_problem(r, 400, "DR606")


def test_every_code_has_its_documented_anchor_and_status() -> None:
    documented = set(re.findall(r"^\| (DR\d{3}) \|", ERRORS_MD.read_text(), re.MULTILINE))
    assert {c.value for c in ErrorCode} <= documented
    assert PROBLEM_TYPE.endswith("docs/errors.md#")
    # The HTTP statuses the table states.
    assert status_of(ErrorCode.AUTH_REQUIRED) == 401
    assert status_of(ErrorCode.FORBIDDEN) == 403
    assert status_of(ErrorCode.NOT_FOUND) == 404
    assert status_of(ErrorCode.CONFLICT) == 409
    assert status_of(ErrorCode.REQUEST_INVALID) == 422
    assert status_of(ErrorCode.INPUT_TOO_LARGE) == 413
    assert status_of(ErrorCode.INPUT_BAD_VALUE) == 422
