"""Alembic migrations of the server's state; :func:`derisk.serve.db.migrate.upgrade` runs them."""
