"""Events of the orders service over SQS: what it publishes, and how it handles
what arrives in its inbox (`orders-inbox`)."""

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

    def charge(self, payload: Mapping[str, Any]) -> tuple[str, ...]:
        """To payments."""
        return (
            self._publisher.publish("payments-inbox", "charge", payload),
        )

    def order_cancelled(self, payload: Mapping[str, Any]) -> tuple[str, ...]:
        """To customers."""
        return (
            self._publisher.publish("customers-inbox", "order_cancelled", payload),
        )

    def order_placed(self, payload: Mapping[str, Any]) -> tuple[str, ...]:
        """To customers."""
        return (
            self._publisher.publish("customers-inbox", "order_placed", payload),
        )

    def refund_order(self, payload: Mapping[str, Any]) -> tuple[str, ...]:
        """To payments."""
        return (
            self._publisher.publish("payments-inbox", "refund_order", payload),
        )

    def release_reservations(self, payload: Mapping[str, Any]) -> tuple[str, ...]:
        """To inventory."""
        return (
            self._publisher.publish("inventory-inbox", "release_reservations", payload),
        )

    def reserve_stock(self, payload: Mapping[str, Any]) -> tuple[str, ...]:
        """To inventory."""
        return (
            self._publisher.publish("inventory-inbox", "reserve_stock", payload),
        )

    def restore_points(self, payload: Mapping[str, Any]) -> tuple[str, ...]:
        """To customers."""
        return (
            self._publisher.publish("customers-inbox", "restore_points", payload),
        )


def on_mark_delivered(runtime: Runtime, payload: Mapping[str, Any]) -> None:
    """The SQS operation `mark_delivered`: the payload is its request, run by the same handler as
    `POST /orders/mark_delivered`. Until that handler is implemented it raises, and the message goes
    back to the inbox, then to the dead-letter queue: nothing is lost."""
    request = _schemas.MarkDeliveredRequest.model_validate(payload)
    _handlers.mark_delivered(runtime, request)


def on_mark_paid(runtime: Runtime, payload: Mapping[str, Any]) -> None:
    """The SQS operation `mark_paid`: the payload is its request, run by the same handler as
    `POST /orders/mark_paid`. Until that handler is implemented it raises, and the message goes
    back to the inbox, then to the dead-letter queue: nothing is lost."""
    request = _schemas.MarkPaidRequest.model_validate(payload)
    _handlers.mark_paid(runtime, request)


def on_mark_payment_failed(runtime: Runtime, payload: Mapping[str, Any]) -> None:
    """The SQS operation `mark_payment_failed`: the payload is its request, run by the same handler as
    `POST /orders/mark_payment_failed`. Until that handler is implemented it raises, and the message goes
    back to the inbox, then to the dead-letter queue: nothing is lost."""
    request = _schemas.MarkPaymentFailedRequest.model_validate(payload)
    _handlers.mark_payment_failed(runtime, request)


def on_mark_refunded(runtime: Runtime, payload: Mapping[str, Any]) -> None:
    """The SQS operation `mark_refunded`: the payload is its request, run by the same handler as
    `POST /orders/mark_refunded`. Until that handler is implemented it raises, and the message goes
    back to the inbox, then to the dead-letter queue: nothing is lost."""
    request = _schemas.MarkRefundedRequest.model_validate(payload)
    _handlers.mark_refunded(runtime, request)


def on_mark_shipped(runtime: Runtime, payload: Mapping[str, Any]) -> None:
    """The SQS operation `mark_shipped`: the payload is its request, run by the same handler as
    `POST /orders/mark_shipped`. Until that handler is implemented it raises, and the message goes
    back to the inbox, then to the dead-letter queue: nothing is lost."""
    request = _schemas.MarkShippedRequest.model_validate(payload)
    _handlers.mark_shipped(runtime, request)


def on_reservation_expired(runtime: Runtime, payload: Mapping[str, Any]) -> None:
    """Move the monolith's handling of `reservation_expired` here. Until then it raises: the message
    goes back to the inbox, then to the dead-letter queue, and is never acknowledged unread;
    once implemented, a handler that raises has the message delivered again."""
    raise NotImplementedError("reservation_expired: move the monolith's handler here")


def event_handlers(runtime: Runtime) -> dict[str, EventHandler]:
    """The handler of each event the inbox carries."""
    return {
        "mark_delivered": lambda payload: on_mark_delivered(runtime, payload),
        "mark_paid": lambda payload: on_mark_paid(runtime, payload),
        "mark_payment_failed": lambda payload: on_mark_payment_failed(runtime, payload),
        "mark_refunded": lambda payload: on_mark_refunded(runtime, payload),
        "mark_shipped": lambda payload: on_mark_shipped(runtime, payload),
        "reservation_expired": lambda payload: on_reservation_expired(runtime, payload),
    }
