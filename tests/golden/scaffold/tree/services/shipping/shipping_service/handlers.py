"""The body of each operation of the shipping service.

Until an operation is implemented it answers 501 Not Implemented, naming the code to move
(`decompose scaffold --with-code` copies that code here and calls it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .runtime import Runtime
    from .schemas import ShippingCostForOrderRequest


def shipping_cost_for_order(
    runtime: Runtime, request: ShippingCostForOrderRequest
) -> int:
    """Today `shop.shipping.rates:shipping_cost_for_order` (rest; called by orders)."""
    raise NotImplementedError("shipping_cost_for_order: move shop.shipping.rates:shipping_cost_for_order here")
