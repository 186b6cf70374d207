"""The body of each operation of the notifications service: move the monolith's code here.

Until an operation is implemented it answers 501 Not Implemented, naming the code to move.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .runtime import Runtime


def delivery_error(runtime: Runtime, arguments: Mapping[str, Any]) -> Any:
    """Today `shop.notifications.channels:DeliveryError` (rest; called by customers)."""
    raise NotImplementedError("delivery_error: move shop.notifications.channels:DeliveryError here")


def email_channel(runtime: Runtime, arguments: Mapping[str, Any]) -> Any:
    """Today `shop.notifications.channels.email:EmailChannel` (rest; called by customers)."""
    raise NotImplementedError("email_channel: move shop.notifications.channels.email:EmailChannel here")
