"""derisk.inventory."""
