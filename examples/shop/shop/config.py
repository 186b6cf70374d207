"""Application configuration objects.

Values can be overridden from the environment with a ``SHOP_`` prefix, e.g.
``SHOP_DATABASE_URL=postgresql://...``.
"""

from __future__ import annotations

import os


def _env(name: str, default: str) -> str:
    return os.environ.get(f"SHOP_{name}", default)


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(f"SHOP_{name}")
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = _env("SECRET_KEY", "dev-secret-change-me")
    DATABASE_URL = _env("DATABASE_URL", "sqlite:///shop.db")
    SQL_ECHO = _env_bool("SQL_ECHO", False)

    DEFAULT_COUNTRY = _env("DEFAULT_COUNTRY", "DE")
    PAGE_SIZE = int(_env("PAGE_SIZE", "20"))

    PAYMENT_GATEWAY = _env("PAYMENT_GATEWAY", "fake")
    CARDNET_API_KEY = _env("CARDNET_API_KEY", "")
    CARDNET_WEBHOOK_SECRET = _env("CARDNET_WEBHOOK_SECRET", "whsec-dev")

    SHIPPING_CARRIERS = tuple(_env("SHIPPING_CARRIERS", "parcelpost,express").split(","))
    FREE_SHIPPING_THRESHOLD_CENTS = int(_env("FREE_SHIPPING_THRESHOLD_CENTS", "10000"))

    RESERVATION_TTL_MINUTES = int(_env("RESERVATION_TTL_MINUTES", "30"))
    LOW_STOCK_THRESHOLD = int(_env("LOW_STOCK_THRESHOLD", "5"))

    LOYALTY_POINTS_PER_EURO = int(_env("LOYALTY_POINTS_PER_EURO", "1"))
    LOYALTY_POINT_VALUE_CENTS = int(_env("LOYALTY_POINT_VALUE_CENTS", "5"))

    MAIL_SENDER = _env("MAIL_SENDER", "shop@example.com")
    SMS_ENABLED = _env_bool("SMS_ENABLED", True)
    NOTIFICATION_MAX_ATTEMPTS = int(_env("NOTIFICATION_MAX_ATTEMPTS", "3"))

    AUTH_TOKEN_MAX_AGE = int(_env("AUTH_TOKEN_MAX_AGE", str(7 * 24 * 3600)))


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    DATABASE_URL = "sqlite://"
    PAYMENT_GATEWAY = "fake"
    SMS_ENABLED = True


def load_config(name: str | None) -> type[Config]:
    if name in (None, "", "default", "production"):
        return Config
    if name == "testing":
        return TestConfig
    raise ValueError(f"unknown configuration {name!r}")
