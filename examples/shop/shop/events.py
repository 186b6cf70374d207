"""A tiny synchronous in-process event bus.

Domains publish facts (``order_placed``, ``payment_captured`` ...) and other
domains react to them without importing the publisher.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], None]

_subscribers: dict[str, list[Handler]] = defaultdict(list)
_history: list[tuple[str, dict[str, Any]]] = []
HISTORY_LIMIT = 200


def subscribe(event_name: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as a handler of ``event_name``."""

    def decorator(func: Handler) -> Handler:
        if func not in _subscribers[event_name]:
            _subscribers[event_name].append(func)
        return func

    return decorator


def unsubscribe(event_name: str, func: Handler) -> None:
    handlers = _subscribers.get(event_name, [])
    if func in handlers:
        handlers.remove(func)


def subscribers(event_name: str) -> list[Handler]:
    return list(_subscribers.get(event_name, []))


def publish(event_name: str, payload: dict[str, Any]) -> int:
    """Call every handler of ``event_name``; returns how many succeeded.

    A failing handler is logged and does not stop the others: side effects
    such as e-mails must never roll back a checkout.
    """
    _history.append((event_name, dict(payload)))
    del _history[:-HISTORY_LIMIT]
    delivered = 0
    for handler in list(_subscribers.get(event_name, [])):
        try:
            handler(payload)
        except Exception:
            log.exception("handler %s failed for event %s", handler.__qualname__, event_name)
        else:
            delivered += 1
    return delivered


def recent(event_name: str | None = None) -> list[tuple[str, dict[str, Any]]]:
    if event_name is None:
        return list(_history)
    return [item for item in _history if item[0] == event_name]


def clear_history() -> None:
    _history.clear()
