"""The body of each operation of the shipping service: move the monolith's code here.

Until an operation is implemented it answers 501 Not Implemented, naming the code to move.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .runtime import Runtime


def shipping_cost_for_order(runtime: Runtime, arguments: Mapping[str, Any]) -> Any:
    """Today `shop.shipping.rates:shipping_cost_for_order` (rest; called by orders)."""
    raise NotImplementedError("shipping_cost_for_order: move shop.shipping.rates:shipping_cost_for_order here")
