"""The notifications service owns no data in the plan; it remembers handled SQS messages in
memory only (a restart forgets them: give it a table before relying on exactly-once effects).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from .settings import Settings


class Store:
    def __init__(self, settings: Settings) -> None:
        self._handled: set[str] = set()
        self._lock = threading.Lock()

    def handle_once(self, message_id: str, event: str, work: Callable[[], None]) -> bool:
        """Run `work` and remember `message_id`, unless it is remembered already."""
        with self._lock:
            if message_id in self._handled:
                return False
            work()
            self._handled.add(message_id)
            return True

    def seen(self, message_id: str) -> bool:
        with self._lock:
            return message_id in self._handled

    def close(self) -> None:
        return None
