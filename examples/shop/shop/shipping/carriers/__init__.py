"""Carrier plugins.

Each carrier lives in a module of this package that exposes a ``CARRIER``
class; the enabled ones are listed in ``SHIPPING_CARRIERS``.
"""

from __future__ import annotations

import importlib

from shop.shipping.carriers.base import Carrier, CarrierError

_loaded: dict[str, Carrier] = {}


def load_carrier(name: str) -> Carrier:
    if not name.isidentifier():
        raise CarrierError(f"invalid carrier name {name!r}")
    if name not in _loaded:
        try:
            module = importlib.import_module("shop.shipping.carriers." + name)
        except ModuleNotFoundError as exc:
            raise CarrierError(f"unknown carrier {name!r}") from exc
        carrier_cls = getattr(module, "CARRIER", None)
        if carrier_cls is None or not issubclass(carrier_cls, Carrier):
            raise CarrierError(f"module for {name!r} does not define a CARRIER class")
        _loaded[name] = carrier_cls()
    return _loaded[name]


def enabled_carriers(names: tuple[str, ...] | list[str]) -> list[Carrier]:
    return [load_carrier(name.strip()) for name in names if name.strip()]
