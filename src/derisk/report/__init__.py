"""derisk.report."""
