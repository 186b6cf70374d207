"""Events of the inventory service over SQS: what it publishes, and how it handles
what arrives in its inbox (`inventory-inbox`)."""

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

    def reservation_expired(self, payload: Mapping[str, Any]) -> tuple[str, ...]:
        """To orders."""
        return (
            self._publisher.publish("orders-inbox", "reservation_expired", payload),
        )


def on_commit_reservations(runtime: Runtime, payload: Mapping[str, Any]) -> None:
    """The SQS operation `commit_reservations`: the payload is its request, run by the same handler as
    `POST /inventory/commit_reservations`. Until that handler is implemented it raises, and the message goes
    back to the inbox, then to the dead-letter queue: nothing is lost."""
    request = _schemas.CommitReservationsRequest.model_validate(payload)
    _handlers.commit_reservations(runtime, request)


def on_release_reservations(runtime: Runtime, payload: Mapping[str, Any]) -> None:
    """The SQS operation `release_reservations`: the payload is its request, run by the same handler as
    `POST /inventory/release_reservations`. Until that handler is implemented it raises, and the message goes
    back to the inbox, then to the dead-letter queue: nothing is lost."""
    request = _schemas.ReleaseReservationsRequest.model_validate(payload)
    _handlers.release_reservations(runtime, request)


def on_reserve_stock(runtime: Runtime, payload: Mapping[str, Any]) -> None:
    """The SQS operation `reserve_stock`: the payload is its request, run by the same handler as
    `POST /inventory/reserve_stock`. Until that handler is implemented it raises, and the message goes
    back to the inbox, then to the dead-letter queue: nothing is lost."""
    request = _schemas.ReserveStockRequest.model_validate(payload)
    _handlers.reserve_stock(runtime, request)


def event_handlers(runtime: Runtime) -> dict[str, EventHandler]:
    """The handler of each event the inbox carries."""
    return {
        "commit_reservations": lambda payload: on_commit_reservations(runtime, payload),
        "release_reservations": lambda payload: on_release_reservations(runtime, payload),
        "reserve_stock": lambda payload: on_reserve_stock(runtime, payload),
    }
