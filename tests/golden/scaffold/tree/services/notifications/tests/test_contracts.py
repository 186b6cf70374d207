"""Contract tests of the clients: each called service as the plan describes it (POST
<prefix><operation>, the operation's request model in, its response model out), served in
process by a stand-in that checks every request against the contract."""

from __future__ import annotations

from notifications_service.runtime import Runtime


def test_calls_no_other_service(runtime: Runtime) -> None:
    assert vars(runtime.clients) == {}
