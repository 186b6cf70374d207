"""The notifications service's data layer (none)."""

from __future__ import annotations

import pytest

from notifications_service.runtime import Runtime


def test_a_message_is_handled_once(runtime: Runtime) -> None:
    calls: list[int] = []

    assert runtime.store.handle_once("message-1", "happened", lambda: calls.append(1))
    assert not runtime.store.handle_once("message-1", "happened", lambda: calls.append(2))

    assert calls == [1]
    assert runtime.store.seen("message-1")


def test_a_failing_handler_leaves_no_record(runtime: Runtime) -> None:
    def fail() -> None:
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError):
        runtime.store.handle_once("message-1", "happened", fail)

    assert not runtime.store.seen("message-1")
