"""Shop: a Flask + SQLAlchemy web shop monolith."""

__version__ = "1.4.2"
