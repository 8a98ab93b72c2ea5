"""Alembic environment: migrations run on the connection the caller passes in
(``config.attributes["connection"]``), so the app and the tests control the engine."""

from __future__ import annotations

from alembic import context

from derisk.serve.db.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # ALTER TABLE on SQLite
)
with context.begin_transaction():
    context.run_migrations()
