"""Contract tests of the clients: each called service as the plan describes it (POST
<prefix><operation>, OperationRequest in, OperationResponse out), served in process."""

from __future__ import annotations

from notifications_service.runtime import Runtime


def test_calls_no_other_service(runtime: Runtime) -> None:
    assert vars(runtime.clients) == {}
