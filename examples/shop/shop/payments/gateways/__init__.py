"""Payment gateway registry."""

from __future__ import annotations

import importlib

from flask import current_app

from shop.payments.gateways.base import PaymentGateway

_instances: dict[str, PaymentGateway] = {}


def _build(name: str) -> PaymentGateway:
    if name == "fake":
        module = importlib.import_module("shop.payments.gateways.fake")
        return module.FakeGateway()
    if name == "cardnet":
        from shop.payments.gateways.cardnet import CardNetGateway

        return CardNetGateway(
            api_key=current_app.config["CARDNET_API_KEY"],
            webhook_secret=current_app.config["CARDNET_WEBHOOK_SECRET"],
        )
    raise ValueError(f"unknown payment gateway {name!r}")


def get_gateway(name: str) -> PaymentGateway:
    """Gateways are stateless clients except the fake one, so cache them all."""
    if name not in _instances:
        _instances[name] = _build(name)
    return _instances[name]


def register_gateway(gateway: PaymentGateway) -> None:
    """Install a gateway instance, e.g. a CardNet client with a stub transport."""
    _instances[gateway.name] = gateway
