"""derisk.cli."""
