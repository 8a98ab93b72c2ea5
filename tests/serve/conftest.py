"""Fixtures for the server: one engine (knowledge base) per session, a fresh database per
test, on SQLite always and on PostgreSQL when ``DERISK_TEST_POSTGRES_URL`` names a server
(``.ci/run`` starts one on loopback). Tests that take ``database_url`` run on both."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.serve.support import Accounts

from derisk.serve.app import create_app
from derisk.serve.db.store import StateStore
from derisk.serve.engine import Engine
from derisk.serve.settings import ServeSettings

POSTGRES = os.environ.get("DERISK_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine.load(tmp_path_factory.mktemp("kb") / "kb.duckdb")


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'serve.sqlite3'}"
        return
    if not POSTGRES:
        pytest.skip("DERISK_TEST_POSTGRES_URL is not set (.ci/run starts PostgreSQL)")
    name = f"derisk_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(
        sa.engine.make_url(POSTGRES).set(drivername="postgresql+psycopg"),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as con:
        con.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield str(sa.engine.make_url(POSTGRES).set(database=name).render_as_string(False))
    finally:
        with admin.connect() as con:
            con.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def store(database_url: str) -> Iterator[StateStore]:
    s = StateStore.open(database_url)
    yield s
    s.close()


@pytest.fixture
def accounts(store: StateStore) -> Accounts:
    return Accounts(store)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> ServeSettings:
    return ServeSettings(database_url=database_url, max_upload_bytes=2 * 1024 * 1024)


@pytest.fixture
def client(settings: ServeSettings, engine: Engine, store: StateStore) -> Iterator[TestClient]:
    with TestClient(create_app(settings, engine=engine)) as c:
        yield c
