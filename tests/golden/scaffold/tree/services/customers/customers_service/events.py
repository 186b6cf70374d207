"""Events of the customers service over SQS: what it publishes, and how it handles
what arrives in its inbox (`customers-inbox`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from . import handlers as _handlers
from . import schemas as _schemas
from .messaging import EventHandler, Publisher

if TYPE_CHECKING:
    from .runtime import Runtime


class Events:
    """One method per event this service publishes, sent to the inbox of every consumer; each
    returns the SQS MessageIds, one per inbox."""

    def __init__(self, publisher: Publisher) -> None:
        self._publisher = publisher


def on_order_cancelled(runtime: Runtime, payload: Mapping[str, Any]) -> None:
    """Move the monolith's handling of `order_cancelled` here. Until then it raises: the message
    goes back to the inbox, then to the dead-letter queue, and is never acknowledged unread;
    once implemented, a handler that raises has the message delivered again."""
    raise NotImplementedError("order_cancelled: move the monolith's handler here")


def on_order_placed(runtime: Runtime, payload: Mapping[str, Any]) -> None:
    """Move the monolith's handling of `order_placed` here. Until then it raises: the message
    goes back to the inbox, then to the dead-letter queue, and is never acknowledged unread;
    once implemented, a handler that raises has the message delivered again."""
    raise NotImplementedError("order_placed: move the monolith's handler here")


def on_payment_captured(runtime: Runtime, payload: Mapping[str, Any]) -> None:
    """Move the monolith's handling of `payment_captured` here. Until then it raises: the message
    goes back to the inbox, then to the dead-letter queue, and is never acknowledged unread;
    once implemented, a handler that raises has the message delivered again."""
    raise NotImplementedError("payment_captured: move the monolith's handler here")


def on_restore_points(runtime: Runtime, payload: Mapping[str, Any]) -> None:
    """The SQS operation `restore_points`: the payload is its request, run by the same handler as
    `POST /customers/restore_points`. Until that handler is implemented it raises, and the message goes
    back to the inbox, then to the dead-letter queue: nothing is lost."""
    request = _schemas.RestorePointsRequest.model_validate(payload)
    _handlers.restore_points(runtime, request)


def on_shipment_dispatched(runtime: Runtime, payload: Mapping[str, Any]) -> None:
    """Move the monolith's handling of `shipment_dispatched` here. Until then it raises: the message
    goes back to the inbox, then to the dead-letter queue, and is never acknowledged unread;
    once implemented, a handler that raises has the message delivered again."""
    raise NotImplementedError("shipment_dispatched: move the monolith's handler here")


def event_handlers(runtime: Runtime) -> dict[str, EventHandler]:
    """The handler of each event the inbox carries."""
    return {
        "order_cancelled": lambda payload: on_order_cancelled(runtime, payload),
        "order_placed": lambda payload: on_order_placed(runtime, payload),
        "payment_captured": lambda payload: on_payment_captured(runtime, payload),
        "restore_points": lambda payload: on_restore_points(runtime, payload),
        "shipment_dispatched": lambda payload: on_shipment_dispatched(runtime, payload),
    }
