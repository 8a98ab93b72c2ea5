"""derisk.kb."""
