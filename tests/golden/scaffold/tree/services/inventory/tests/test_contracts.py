"""Contract tests of the clients: each called service as the plan describes it (POST
<prefix><operation>, OperationRequest in, OperationResponse out), served in process."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.testclient import TestClient

from inventory_service.clients import make_clients
from inventory_service.http import ServiceError
from inventory_service.runtime import Runtime
from inventory_service.schemas import OperationRequest, OperationResponse
from inventory_service.settings import Settings


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


CATALOG_OPERATIONS = ("get_product_by_sku", )


def _catalog(settings: Settings, runtime: Runtime, provider: Provider) -> Any:
    http = TestClient(provider.app, base_url="http://catalog")
    return make_clients(settings, tracer=runtime.tracer, http={"catalog": http}).catalog


@pytest.mark.parametrize("operation", CATALOG_OPERATIONS)
def test_catalog_client_follows_the_contract(
    settings: Settings, runtime: Runtime, operation: str
) -> None:
    provider = Provider("/catalog/", CATALOG_OPERATIONS)
    client = _catalog(settings, runtime, provider)

    with runtime.tracer.start_as_current_span("caller") as span:
        response = getattr(client, operation)({"id": 1})

    assert response.result == {"operation": operation, "id": 1}
    [(called, arguments, traceparent)] = provider.calls
    assert (called, arguments) == (operation, {"id": 1})
    assert traceparent and f"{span.get_span_context().trace_id:032x}" in traceparent


def test_catalog_client_retries_while_unavailable(settings: Settings, runtime: Runtime) -> None:
    provider = Provider("/catalog/", CATALOG_OPERATIONS, failures=2)
    client = _catalog(settings, runtime, provider)

    client.get_product_by_sku({})

    assert len(provider.calls) == 3


def test_catalog_client_reports_errors(settings: Settings, runtime: Runtime) -> None:
    provider = Provider("/catalog/", CATALOG_OPERATIONS, failures=99)
    client = _catalog(settings, runtime, provider)

    with pytest.raises(ServiceError):
        client.get_product_by_sku({})
