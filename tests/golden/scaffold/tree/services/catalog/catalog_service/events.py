"""Events of the catalog service over SQS: what it publishes, and how it handles
what arrives in its inbox."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .messaging import EventHandler, Publisher

if TYPE_CHECKING:
    from .runtime import Runtime


class Events:
    """One method per event this service publishes, sent to the inbox of every consumer; each
    returns the SQS MessageIds, one per inbox."""

    def __init__(self, publisher: Publisher) -> None:
        self._publisher = publisher


def event_handlers(runtime: Runtime) -> dict[str, EventHandler]:
    """The handler of each event the inbox carries."""
    return {}
