"""The server's state, behind one data layer (:class:`derisk.serve.db.store.StateStore`) that
runs unchanged on SQLite and PostgreSQL."""
