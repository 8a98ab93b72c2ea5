"""derisk.evaluate."""
