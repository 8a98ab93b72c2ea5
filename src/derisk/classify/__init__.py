"""derisk.classify: US export-control classification of AI chips and systems (3A090/4A090)."""
