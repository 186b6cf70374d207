"""Contract tests of the clients: each called service as the plan describes it (POST
<prefix><operation>, OperationRequest in, OperationResponse out), served in process."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.testclient import TestClient

from shipping_service.clients import make_clients
from shipping_service.http import ServiceError
from shipping_service.runtime import Runtime
from shipping_service.schemas import OperationRequest, OperationResponse
from shipping_service.settings import Settings


class Provider:
    """A stand-in for the called service: its routes, the shared schemas, a call log."""

    def __init__(self, prefix: str, operations: tuple[str, ...], failures: int = 0) -> None:
        self.calls: list[tuple[str, dict[str, Any], str | None]] = []
        self.failures = failures
        self.app = FastAPI()

        @self.app.post(prefix + "{operation}", response_model=OperationResponse)
        def answer(
            operation: str, body: OperationRequest, request: Request, response: Response
        ) -> Any:
            if operation not in operations:
                raise HTTPException(status_code=404)
            self.calls.append((operation, body.arguments, request.headers.get("traceparent")))
            if self.failures:
                self.failures -= 1
                raise HTTPException(status_code=503)
            return OperationResponse(result={"operation": operation, **body.arguments})


CUSTOMERS_OPERATIONS = ("current_customer", )


def _customers(settings: Settings, runtime: Runtime, provider: Provider) -> Any:
    http = TestClient(provider.app, base_url="http://customers")
    return make_clients(settings, tracer=runtime.tracer, http={"customers": http}).customers


@pytest.mark.parametrize("operation", CUSTOMERS_OPERATIONS)
def test_customers_client_follows_the_contract(
    settings: Settings, runtime: Runtime, operation: str
) -> None:
    provider = Provider("/customers/", CUSTOMERS_OPERATIONS)
    client = _customers(settings, runtime, provider)

    with runtime.tracer.start_as_current_span("caller") as span:
        response = getattr(client, operation)({"id": 1})

    assert response.result == {"operation": operation, "id": 1}
    [(called, arguments, traceparent)] = provider.calls
    assert (called, arguments) == (operation, {"id": 1})
    assert traceparent and f"{span.get_span_context().trace_id:032x}" in traceparent


def test_customers_client_retries_while_unavailable(settings: Settings, runtime: Runtime) -> None:
    provider = Provider("/customers/", CUSTOMERS_OPERATIONS, failures=2)
    client = _customers(settings, runtime, provider)

    client.current_customer({})

    assert len(provider.calls) == 3


def test_customers_client_reports_errors(settings: Settings, runtime: Runtime) -> None:
    provider = Provider("/customers/", CUSTOMERS_OPERATIONS, failures=99)
    client = _customers(settings, runtime, provider)

    with pytest.raises(ServiceError):
        client.current_customer({})


INVENTORY_OPERATIONS = ("fulfilment_warehouse", )


def _inventory(settings: Settings, runtime: Runtime, provider: Provider) -> Any:
    http = TestClient(provider.app, base_url="http://inventory")
    return make_clients(settings, tracer=runtime.tracer, http={"inventory": http}).inventory


@pytest.mark.parametrize("operation", INVENTORY_OPERATIONS)
def test_inventory_client_follows_the_contract(
    settings: Settings, runtime: Runtime, operation: str
) -> None:
    provider = Provider("/inventory/", INVENTORY_OPERATIONS)
    client = _inventory(settings, runtime, provider)

    with runtime.tracer.start_as_current_span("caller") as span:
        response = getattr(client, operation)({"id": 1})

    assert response.result == {"operation": operation, "id": 1}
    [(called, arguments, traceparent)] = provider.calls
    assert (called, arguments) == (operation, {"id": 1})
    assert traceparent and f"{span.get_span_context().trace_id:032x}" in traceparent


def test_inventory_client_retries_while_unavailable(settings: Settings, runtime: Runtime) -> None:
    provider = Provider("/inventory/", INVENTORY_OPERATIONS, failures=2)
    client = _inventory(settings, runtime, provider)

    client.fulfilment_warehouse({})

    assert len(provider.calls) == 3


def test_inventory_client_reports_errors(settings: Settings, runtime: Runtime) -> None:
    provider = Provider("/inventory/", INVENTORY_OPERATIONS, failures=99)
    client = _inventory(settings, runtime, provider)

    with pytest.raises(ServiceError):
        client.fulfilment_warehouse({})


ORDERS_OPERATIONS = ("get_customer_order", "get_order", )


def _orders(settings: Settings, runtime: Runtime, provider: Provider) -> Any:
    http = TestClient(provider.app, base_url="http://orders")
    return make_clients(settings, tracer=runtime.tracer, http={"orders": http}).orders


@pytest.mark.parametrize("operation", ORDERS_OPERATIONS)
def test_orders_client_follows_the_contract(
    settings: Settings, runtime: Runtime, operation: str
) -> None:
    provider = Provider("/orders/", ORDERS_OPERATIONS)
    client = _orders(settings, runtime, provider)

    with runtime.tracer.start_as_current_span("caller") as span:
        response = getattr(client, operation)({"id": 1})

    assert response.result == {"operation": operation, "id": 1}
    [(called, arguments, traceparent)] = provider.calls
    assert (called, arguments) == (operation, {"id": 1})
    assert traceparent and f"{span.get_span_context().trace_id:032x}" in traceparent


def test_orders_client_retries_while_unavailable(settings: Settings, runtime: Runtime) -> None:
    provider = Provider("/orders/", ORDERS_OPERATIONS, failures=2)
    client = _orders(settings, runtime, provider)

    client.get_customer_order({})

    assert len(provider.calls) == 3


def test_orders_client_reports_errors(settings: Settings, runtime: Runtime) -> None:
    provider = Provider("/orders/", ORDERS_OPERATIONS, failures=99)
    client = _orders(settings, runtime, provider)

    with pytest.raises(ServiceError):
        client.get_customer_order({})
