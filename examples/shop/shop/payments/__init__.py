"""Payments: payment intents, gateways and refunds."""
