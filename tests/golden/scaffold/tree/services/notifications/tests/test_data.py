"""The notifications service's data layer (none)."""

from __future__ import annotations

from notifications_service.runtime import Runtime


def test_handled_messages_are_remembered(runtime: Runtime) -> None:
    assert not runtime.store.seen("message-1")

    runtime.store.remember("message-1", "happened")
    runtime.store.remember("message-1", "happened")

    assert runtime.store.seen("message-1")
