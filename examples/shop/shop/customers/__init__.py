"""Customers: accounts, authentication, addresses and loyalty."""
