"""The body of each operation of the notifications service.

Until an operation is implemented it answers 501 Not Implemented, naming the code to move
(`decompose scaffold --with-code` copies that code here and calls it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from .runtime import Runtime
    from .schemas import DeliveryErrorRequest, EmailChannelRequest


def delivery_error(
    runtime: Runtime, request: DeliveryErrorRequest
) -> Any:
    """Today `shop.notifications.channels:DeliveryError` (rest; called by customers)."""
    raise NotImplementedError("delivery_error: move shop.notifications.channels:DeliveryError here")


def email_channel(
    runtime: Runtime, request: EmailChannelRequest
) -> Any:
    """Today `shop.notifications.channels.email:EmailChannel` (rest; called by customers)."""
    raise NotImplementedError("email_channel: move shop.notifications.channels.email:EmailChannel here")
