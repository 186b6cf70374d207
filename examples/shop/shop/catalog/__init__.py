"""Catalog: products, categories, search and pricing."""
