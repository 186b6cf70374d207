"""The body of each operation of the customers service.

Until an operation is implemented it answers 501 Not Implemented, naming the code to move
(`decompose scaffold --with-code` copies that code here and calls it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from .runtime import Runtime
    from .schemas import (
        CurrentCustomerRequest,
        DefaultAddressRequest,
        GetAddressRequest,
        MaxRedeemablePointsRequest,
        RedeemPointsRequest,
        RestorePointsRequest,
    )


def current_customer(
    runtime: Runtime, request: CurrentCustomerRequest
) -> dict[str, Any] | None:
    """Today `shop.customers.auth:current_customer` (rest; called by orders, payments, shipping)."""
    raise NotImplementedError("current_customer: move shop.customers.auth:current_customer here")


def default_address(
    runtime: Runtime, request: DefaultAddressRequest
) -> dict[str, Any] | None:
    """Today `shop.customers.services:default_address` (rest; called by orders)."""
    raise NotImplementedError("default_address: move shop.customers.services:default_address here")


def get_address(
    runtime: Runtime, request: GetAddressRequest
) -> dict[str, Any]:
    """Today `shop.customers.services:get_address` (rest; called by orders)."""
    raise NotImplementedError("get_address: move shop.customers.services:get_address here")


def max_redeemable_points(
    runtime: Runtime, request: MaxRedeemablePointsRequest
) -> int:
    """Today `shop.customers.loyalty:max_redeemable_points` (rest; called by orders)."""
    raise NotImplementedError("max_redeemable_points: move shop.customers.loyalty:max_redeemable_points here")


def redeem_points(
    runtime: Runtime, request: RedeemPointsRequest
) -> int:
    """Today `shop.customers.loyalty:redeem_points` (rest; called by orders)."""
    raise NotImplementedError("redeem_points: move shop.customers.loyalty:redeem_points here")


def restore_points(
    runtime: Runtime, request: RestorePointsRequest
) -> None:
    """Today `shop.customers.loyalty:restore_points` (sqs; called by orders)."""
    raise NotImplementedError("restore_points: move shop.customers.loyalty:restore_points here")
