"""Helpers shared by every part of the shop."""

from __future__ import annotations

import math
import re
import secrets
import string
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

from flask import jsonify, request
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}
_ALPHABET = string.ascii_uppercase + string.digits


class ShopError(Exception):
    """Base class of errors that map to an HTTP response."""

    status_code = 400
    code = "shop_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class NotFound(ShopError):
    status_code = 404
    code = "not_found"


class ValidationError(ShopError):
    status_code = 422
    code = "validation_error"


class Conflict(ShopError):
    status_code = 409
    code = "conflict"


class Forbidden(ShopError):
    status_code = 403
    code = "forbidden"


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# --- money -----------------------------------------------------------------


def to_cents(amount: str | int | float | Decimal) -> int:
    """Convert a decimal amount in major units ("12.30") to integer cents."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation as exc:
        raise ValidationError(f"invalid amount {amount!r}") from exc
    if value.is_nan() or value.is_infinite():
        raise ValidationError(f"invalid amount {amount!r}")
    return int((value * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def format_money(cents: int, currency: str = "EUR") -> str:
    symbol = CURRENCY_SYMBOLS.get(currency, currency + " ")
    sign = "-" if cents < 0 else ""
    major, minor = divmod(abs(cents), 100)
    return f"{sign}{symbol}{major:,}.{minor:02d}"


def percent_of(cents: int, percent: int | Decimal) -> int:
    """``percent`` of ``cents``, rounded half up to a whole cent."""
    value = Decimal(cents) * Decimal(percent) / Decimal(100)
    return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` cents proportionally to ``weights`` without losing a cent."""
    if not weights:
        return []
    weight_sum = sum(weights)
    if weight_sum == 0:
        shares = [0] * len(weights)
        shares[0] = total
        return shares
    shares = [total * w // weight_sum for w in weights]
    remainder = total - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: weights[i], reverse=True)
    for i in order[:remainder]:
        shares[i] += 1
    return shares


# --- text and identifiers --------------------------------------------------


def slugify(value: str, max_length: int = 80) -> str:
    normalized = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-zA-Z0-9]+", "-", normalized).strip("-").lower()
    return slug[:max_length].rstrip("-") or "item"


def generate_reference(prefix: str, length: int = 10) -> str:
    """Human friendly unique reference such as ``ORD-7K2M9QX4PA``."""
    body = "".join(secrets.choice(_ALPHABET) for _ in range(length))
    return f"{prefix}-{body}"


def generate_token(nbytes: int = 24) -> str:
    return secrets.token_urlsafe(nbytes)


# --- pagination ------------------------------------------------------------


@dataclass
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page)) if self.per_page else 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def meta(self) -> dict[str, int | bool]:
        return {
            "page": self.page,
            "per_page": self.per_page,
            "total": self.total,
            "pages": self.pages,
            "has_next": self.has_next,
        }


def page_args(default_per_page: int = 20, max_per_page: int = 100) -> tuple[int, int]:
    """Read ``page``/``per_page`` from the query string, clamped to sane values."""
    try:
        page = max(1, int(request.args.get("page", 1)))
        per_page = int(request.args.get("per_page", default_per_page))
    except ValueError as exc:
        raise ValidationError("page and per_page must be integers") from exc
    return page, min(max(1, per_page), max_per_page)


def paginate(session: Session, stmt: Select[Any], page: int, per_page: int) -> Page[Any]:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    items = list(session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, page=page, per_page=per_page, total=total)


# --- request helpers -------------------------------------------------------


def json_body(*required: str) -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError("request body must be a JSON object")
    missing = [name for name in required if data.get(name) in (None, "")]
    if missing:
        raise ValidationError("missing required fields", fields=missing)
    return data


def positive_int(value: Any, field: str, allow_zero: bool = False) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{field} must be an integer") from exc
    if number < 0 or (number == 0 and not allow_zero):
        raise ValidationError(f"{field} must be positive")
    return number


def error_response(exc: ShopError) -> tuple[Any, int]:
    return jsonify(exc.to_dict()), exc.status_code
