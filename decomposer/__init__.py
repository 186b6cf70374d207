"""Decomposer: cut a Python monolith into bounded contexts."""

__version__ = "0.1.0"
