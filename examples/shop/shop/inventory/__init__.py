"""Inventory: warehouses, stock levels and reservations."""
