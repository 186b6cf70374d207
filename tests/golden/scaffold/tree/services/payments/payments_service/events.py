"""Events of the payments service over SQS: what it publishes, and how it handles
what arrives in its inbox (`payments-inbox`)."""

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

    def mark_paid(self, payload: Mapping[str, Any]) -> tuple[str, ...]:
        """To orders."""
        return (
            self._publisher.publish("orders-inbox", "mark_paid", payload),
        )

    def mark_payment_failed(self, payload: Mapping[str, Any]) -> tuple[str, ...]:
        """To orders."""
        return (
            self._publisher.publish("orders-inbox", "mark_payment_failed", payload),
        )

    def mark_refunded(self, payload: Mapping[str, Any]) -> tuple[str, ...]:
        """To orders."""
        return (
            self._publisher.publish("orders-inbox", "mark_refunded", payload),
        )

    def payment_captured(self, payload: Mapping[str, Any]) -> tuple[str, ...]:
        """To customers."""
        return (
            self._publisher.publish("customers-inbox", "payment_captured", payload),
        )


def on_charge(runtime: Runtime, payload: Mapping[str, Any]) -> None:
    """The SQS operation `charge`: the payload is its request, run by the same handler as
    `POST /payments/charge`. Until that handler is implemented it raises, and the message goes
    back to the inbox, then to the dead-letter queue: nothing is lost."""
    request = _schemas.ChargeRequest.model_validate(payload)
    _handlers.charge(runtime, request)


def on_refund_order(runtime: Runtime, payload: Mapping[str, Any]) -> None:
    """The SQS operation `refund_order`: the payload is its request, run by the same handler as
    `POST /payments/refund_order`. Until that handler is implemented it raises, and the message goes
    back to the inbox, then to the dead-letter queue: nothing is lost."""
    request = _schemas.RefundOrderRequest.model_validate(payload)
    _handlers.refund_order(runtime, request)


def event_handlers(runtime: Runtime) -> dict[str, EventHandler]:
    """The handler of each event the inbox carries."""
    return {
        "charge": lambda payload: on_charge(runtime, payload),
        "refund_order": lambda payload: on_refund_order(runtime, payload),
    }
