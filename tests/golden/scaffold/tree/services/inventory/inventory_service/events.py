"""Events of the inventory service over SQS: what it publishes, and how it handles
what arrives in its inbox (`inventory-inbox`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .messaging import EventHandler, Publisher

if TYPE_CHECKING:
    from .runtime import Runtime

_log = logging.getLogger(__name__)


class Events:
    """One method per event this service publishes, sent to the consumer's inbox."""

    def __init__(self, publisher: Publisher) -> None:
        self._publisher = publisher

    def reservation_expired(self, payload: Mapping[str, Any]) -> str:
        """To orders."""
        return self._publisher.publish("orders-inbox", "reservation_expired", payload)


def on_commit_reservations(runtime: Runtime, payload: Mapping[str, Any]) -> None:
    """Move the monolith's handling of `commit_reservations` here; raise to have it delivered again."""
    _log.info("received commit_reservations", extra={"event": "commit_reservations", "payload": dict(payload)})


def on_release_reservations(runtime: Runtime, payload: Mapping[str, Any]) -> None:
    """Move the monolith's handling of `release_reservations` here; raise to have it delivered again."""
    _log.info("received release_reservations", extra={"event": "release_reservations", "payload": dict(payload)})


def on_reserve_stock(runtime: Runtime, payload: Mapping[str, Any]) -> None:
    """Move the monolith's handling of `reserve_stock` here; raise to have it delivered again."""
    _log.info("received reserve_stock", extra={"event": "reserve_stock", "payload": dict(payload)})


def event_handlers(runtime: Runtime) -> dict[str, EventHandler]:
    """The handler of each event the inbox carries."""
    return {
        "commit_reservations": lambda payload: on_commit_reservations(runtime, payload),
        "release_reservations": lambda payload: on_release_reservations(runtime, payload),
        "reserve_stock": lambda payload: on_reserve_stock(runtime, payload),
    }
