"""Shipping: carriers, rates, shipments and tracking."""
