"""derisk: screen technology inventories against geopolitical restriction regimes."""

__version__ = "0.1.0"
