"""derisk.screening: the screen pipeline and its JSON document."""
