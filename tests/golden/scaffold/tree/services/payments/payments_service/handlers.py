"""The body of each operation of the payments service.

Until an operation is implemented it answers 501 Not Implemented, naming the code to move
(`decompose scaffold --with-code` copies that code here and calls it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from .runtime import Runtime
    from .schemas import ChargeRequest, RefundOrderRequest


def charge(
    runtime: Runtime, request: ChargeRequest
) -> dict[str, Any]:
    """Today `shop.payments.services:charge` (sqs; called by orders)."""
    raise NotImplementedError("charge: move shop.payments.services:charge here")


def refund_order(
    runtime: Runtime, request: RefundOrderRequest
) -> int:
    """Today `shop.payments.services:refund_order` (sqs; called by orders)."""
    raise NotImplementedError("refund_order: move shop.payments.services:refund_order here")
