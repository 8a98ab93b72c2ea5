"""The inventory input stage: read a CSV, TSV, XLSX or JSON-lines inventory into a checked table.

See ``docs/inventory-format.md`` for the columns, their synonyms and the accepted values.
"""

from __future__ import annotations

from derisk.inventory.reader import CANONICAL_COLUMNS, Inventory, read_inventory

__all__ = ["CANONICAL_COLUMNS", "Inventory", "read_inventory"]
