"""The body of each operation of the payments service: move the monolith's code here.

Until an operation is implemented it answers 501 Not Implemented, naming the code to move.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .runtime import Runtime


def charge(runtime: Runtime, arguments: Mapping[str, Any]) -> Any:
    """Today `shop.payments.services:charge` (sqs; called by orders)."""
    raise NotImplementedError("charge: move shop.payments.services:charge here")


def refund_order(runtime: Runtime, arguments: Mapping[str, Any]) -> Any:
    """Today `shop.payments.services:refund_order` (sqs; called by orders)."""
    raise NotImplementedError("refund_order: move shop.payments.services:refund_order here")
