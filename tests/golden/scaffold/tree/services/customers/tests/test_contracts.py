"""Contract tests of the clients: each called service as the plan describes it (POST
<prefix><operation>, the operation's request model in, its response model out), served in
process by a stand-in that checks every request against the contract."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI, HTTPException, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel

from customers_service import clients as _clients
from customers_service.http import ServiceError
from customers_service.runtime import Runtime
from customers_service.settings import Settings


class Provider:
    """A stand-in for the called service: its operations' contracts, a canned answer each, a
    call log, and a number of error answers (503 unless told) to give first."""

    def __init__(
        self,
        prefix: str,
        contracts: dict[str, tuple[type[BaseModel], Any]],
        failures: int = 0,
        failure_status: int = 503,
    ) -> None:
        self.calls: list[tuple[str, dict[str, Any], str | None]] = []
        self.failures = failures
        self.failure_status = failure_status
        self.app = FastAPI()

        @self.app.post(prefix + "{operation}")
        async def answer(operation: str, request: Request) -> Any:
            if operation not in contracts:
                raise HTTPException(status_code=404)
            model, result = contracts[operation]
            body = await request.json()
            model.model_validate(body)  # 422 if the client broke the contract
            self.calls.append((operation, body, request.headers.get("traceparent")))
            if self.failures:
                self.failures -= 1
                raise HTTPException(status_code=self.failure_status)
            return {"result": result}


def _arguments(request: BaseModel) -> dict[str, Any]:
    """The request's fields as keyword arguments of the client's method (not `dict(request)`:
    a model with a field named `keys` is taken for a mapping, and that field is called)."""
    return {name: getattr(request, name) for name in type(request).model_fields}


# operation -> (request model, example request, example result), from the plan's wire types
NOTIFICATIONS_CONTRACTS: dict[str, tuple[type[BaseModel], str, str]] = {
    "delivery_error": (
        _clients.NotificationsDeliveryErrorRequest,
        "{}",
        "\"value\"",
    ),
    "email_channel": (
        _clients.NotificationsEmailChannelRequest,
        "{}",
        "\"value\"",
    ),
}


def _notifications_provider(failures: int = 0, failure_status: int = 503) -> Provider:
    contracts = {
        name: (model, json.loads(result))
        for name, (model, _, result) in NOTIFICATIONS_CONTRACTS.items()
    }
    return Provider(
        "/notifications/", contracts, failures=failures, failure_status=failure_status
    )


def _notifications(settings: Settings, runtime: Runtime, provider: Provider) -> Any:
    http = {"notifications": TestClient(provider.app, base_url="http://notifications")}
    return _clients.make_clients(settings, tracer=runtime.tracer, http=http).notifications


def _notifications_example(operation: str) -> dict[str, Any]:
    """The example request of `operation`, as keyword arguments of the client's method."""
    model, example, _ = NOTIFICATIONS_CONTRACTS[operation]
    return _arguments(model.model_validate(json.loads(example)))


@pytest.mark.parametrize("operation", sorted(NOTIFICATIONS_CONTRACTS))
def test_notifications_client_follows_the_contract(
    settings: Settings, runtime: Runtime, operation: str
) -> None:
    model, _, result = NOTIFICATIONS_CONTRACTS[operation]
    request = model.model_validate(_notifications_example(operation))
    provider = _notifications_provider()
    client = _notifications(settings, runtime, provider)

    with runtime.tracer.start_as_current_span("caller") as span:
        response = getattr(client, operation)(**_arguments(request))

    assert response.result == type(response).model_validate({"result": json.loads(result)}).result
    [(called, body, traceparent)] = provider.calls
    assert called == operation
    assert model.model_validate(body) == request
    assert traceparent and f"{span.get_span_context().trace_id:032x}" in traceparent


def test_notifications_client_retries_while_unavailable(settings: Settings, runtime: Runtime) -> None:
    provider = _notifications_provider(failures=2)
    client = _notifications(settings, runtime, provider)

    client.delivery_error(**_notifications_example("delivery_error"))

    assert len(provider.calls) == 3


@pytest.mark.parametrize("status", [500, 502, 504])
def test_notifications_client_does_not_repeat_a_call_that_may_have_run(
    settings: Settings, runtime: Runtime, status: int
) -> None:
    provider = _notifications_provider(failures=1, failure_status=status)
    client = _notifications(settings, runtime, provider)

    with pytest.raises(ServiceError):
        client.delivery_error(**_notifications_example("delivery_error"))

    assert len(provider.calls) == 1


def test_notifications_client_reports_errors(settings: Settings, runtime: Runtime) -> None:
    provider = _notifications_provider(failures=99)
    client = _notifications(settings, runtime, provider)

    with pytest.raises(ServiceError):
        client.delivery_error(**_notifications_example("delivery_error"))
