"""``derisk serve``: the web app and REST API over the same engine as the CLI.

Layout follows the request: :mod:`.settings` (configuration), :mod:`.db` (the server's own
state: users, keys, sessions, inventories, runs, decisions, audit log, through one data
layer), :mod:`.engine` (the screening, matching, classification and planning calls, shared by
the API and the web pages), :mod:`.auth` (who is asking), :mod:`.api` and :mod:`.web` (the two
faces) and :mod:`.app` (assembles them).
"""
