"""Bearer-token authentication and the access-control decorators."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from shop.customers import services as customer_services
from shop.models import Customer
from shop.utils import Forbidden, ShopError

F = TypeVar("F", bound=Callable[..., Any])
TOKEN_SALT = "shop-auth"


class Unauthorized(ShopError):
    status_code = 401
    code = "unauthorized"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def issue_token(customer: Customer) -> str:
    # The password hash suffix invalidates old tokens when the password changes.
    return _serializer().dumps({"cid": customer.id, "pw": customer.password_hash[-8:]})


def customer_from_token(token: str) -> Customer:
    max_age = current_app.config["AUTH_TOKEN_MAX_AGE"]
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise Unauthorized("token expired") from exc
    except BadSignature as exc:
        raise Unauthorized("invalid token") from exc
    customer = customer_services.get_customer(int(data["cid"]))
    if customer.password_hash[-8:] != data.get("pw"):
        raise Unauthorized("token revoked")
    return customer


def current_customer() -> Customer | None:
    cache = request.environ.setdefault("shop.auth", {})
    if "customer" not in cache:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        cache["customer"] = (
            customer_from_token(token) if scheme.lower() == "bearer" and token else None
        )
    return cache["customer"]


def login_required(view: F) -> F:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_customer() is None:
            raise Unauthorized("authentication required")
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def admin_required(view: F) -> F:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        customer = current_customer()
        if customer is None:
            raise Unauthorized("authentication required")
        if not customer.is_admin:
            raise Forbidden("administrator access required")
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
