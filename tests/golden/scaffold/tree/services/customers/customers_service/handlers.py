"""The body of each operation of the customers service: move the monolith's code here.

Until an operation is implemented it answers 501 Not Implemented, naming the code to move.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .runtime import Runtime


def current_customer(runtime: Runtime, arguments: Mapping[str, Any]) -> Any:
    """Today `shop.customers.auth:current_customer` (rest; called by orders, payments, shipping)."""
    raise NotImplementedError("current_customer: move shop.customers.auth:current_customer here")


def default_address(runtime: Runtime, arguments: Mapping[str, Any]) -> Any:
    """Today `shop.customers.services:default_address` (rest; called by orders)."""
    raise NotImplementedError("default_address: move shop.customers.services:default_address here")


def get_address(runtime: Runtime, arguments: Mapping[str, Any]) -> Any:
    """Today `shop.customers.services:get_address` (rest; called by orders)."""
    raise NotImplementedError("get_address: move shop.customers.services:get_address here")


def max_redeemable_points(runtime: Runtime, arguments: Mapping[str, Any]) -> Any:
    """Today `shop.customers.loyalty:max_redeemable_points` (rest; called by orders)."""
    raise NotImplementedError("max_redeemable_points: move shop.customers.loyalty:max_redeemable_points here")


def redeem_points(runtime: Runtime, arguments: Mapping[str, Any]) -> Any:
    """Today `shop.customers.loyalty:redeem_points` (rest; called by orders)."""
    raise NotImplementedError("redeem_points: move shop.customers.loyalty:redeem_points here")


def restore_points(runtime: Runtime, arguments: Mapping[str, Any]) -> Any:
    """Today `shop.customers.loyalty:restore_points` (sqs; called by orders)."""
    raise NotImplementedError("restore_points: move shop.customers.loyalty:restore_points here")
