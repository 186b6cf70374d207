"""Events of the shipping service over SQS: what it publishes, and how it handles
what arrives in its inbox."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .messaging import EventHandler, Publisher

if TYPE_CHECKING:
    from .runtime import Runtime


class Events:
    """One method per event this service publishes, sent to the inbox of every consumer; each
    returns the SQS MessageIds, one per inbox."""

    def __init__(self, publisher: Publisher) -> None:
        self._publisher = publisher

    def commit_reservations(self, payload: Mapping[str, Any]) -> tuple[str, ...]:
        """To inventory."""
        return (
            self._publisher.publish("inventory-inbox", "commit_reservations", payload),
        )

    def mark_delivered(self, payload: Mapping[str, Any]) -> tuple[str, ...]:
        """To orders."""
        return (
            self._publisher.publish("orders-inbox", "mark_delivered", payload),
        )

    def mark_shipped(self, payload: Mapping[str, Any]) -> tuple[str, ...]:
        """To orders."""
        return (
            self._publisher.publish("orders-inbox", "mark_shipped", payload),
        )

    def shipment_dispatched(self, payload: Mapping[str, Any]) -> tuple[str, ...]:
        """To customers."""
        return (
            self._publisher.publish("customers-inbox", "shipment_dispatched", payload),
        )


def event_handlers(runtime: Runtime) -> dict[str, EventHandler]:
    """The handler of each event the inbox carries."""
    return {}
