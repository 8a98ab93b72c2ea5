"""derisk.orders: an exporter's order book, read and checked like an inventory."""

from derisk.orders.reader import ORDER_SCHEMA, OrderBook, read_orders

__all__ = ["ORDER_SCHEMA", "OrderBook", "read_orders"]
