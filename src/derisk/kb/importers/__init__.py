"""derisk.kb.importers."""
