"""The body of each operation of the orders service.

Until an operation is implemented it answers 501 Not Implemented, naming the code to move
(`decompose scaffold --with-code` copies that code here and calls it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from .runtime import Runtime
    from .schemas import (
        GetCustomerOrderRequest,
        GetOrderRequest,
        MarkDeliveredRequest,
        MarkPaidRequest,
        MarkPaymentFailedRequest,
        MarkRefundedRequest,
        MarkShippedRequest,
        PriceLineRequest,
    )


def get_customer_order(
    runtime: Runtime, request: GetCustomerOrderRequest
) -> dict[str, Any]:
    """Today `shop.orders.services:get_customer_order` (rest; called by payments, shipping)."""
    raise NotImplementedError("get_customer_order: move shop.orders.services:get_customer_order here")


def get_order(
    runtime: Runtime, request: GetOrderRequest
) -> dict[str, Any]:
    """Today `shop.orders.services:get_order` (rest; called by shipping)."""
    raise NotImplementedError("get_order: move shop.orders.services:get_order here")


def mark_delivered(
    runtime: Runtime, request: MarkDeliveredRequest
) -> None:
    """Today `shop.orders.services:mark_delivered` (sqs; called by shipping)."""
    raise NotImplementedError("mark_delivered: move shop.orders.services:mark_delivered here")


def mark_paid(
    runtime: Runtime, request: MarkPaidRequest
) -> None:
    """Today `shop.orders.services:mark_paid` (sqs; called by payments)."""
    raise NotImplementedError("mark_paid: move shop.orders.services:mark_paid here")


def mark_payment_failed(
    runtime: Runtime, request: MarkPaymentFailedRequest
) -> None:
    """Today `shop.orders.services:mark_payment_failed` (sqs; called by payments)."""
    raise NotImplementedError("mark_payment_failed: move shop.orders.services:mark_payment_failed here")


def mark_refunded(
    runtime: Runtime, request: MarkRefundedRequest
) -> None:
    """Today `shop.orders.services:mark_refunded` (sqs; called by payments)."""
    raise NotImplementedError("mark_refunded: move shop.orders.services:mark_refunded here")


def mark_shipped(
    runtime: Runtime, request: MarkShippedRequest
) -> None:
    """Today `shop.orders.services:mark_shipped` (sqs; called by shipping)."""
    raise NotImplementedError("mark_shipped: move shop.orders.services:mark_shipped here")


def price_line(
    runtime: Runtime, request: PriceLineRequest
) -> Any:
    """Today `shop.catalog.pricing:price_line` (rest; called by catalog)."""
    raise NotImplementedError("price_line: move shop.catalog.pricing:price_line here")
