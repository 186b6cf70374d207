"""The notifications service owns no data in the plan; it remembers handled SQS messages in
memory only (a restart forgets them: give it a table before relying on exactly-once effects).
"""

from __future__ import annotations

import threading

from .settings import Settings


class Store:
    def __init__(self, settings: Settings) -> None:
        self._handled: set[str] = set()
        self._lock = threading.Lock()

    def seen(self, message_id: str) -> bool:
        with self._lock:
            return message_id in self._handled

    def remember(self, message_id: str, event: str) -> None:
        with self._lock:
            self._handled.add(message_id)

    def close(self) -> None:
        return None
