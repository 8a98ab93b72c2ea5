"""derisk.resolve."""
