"""Typed clients of the services payments calls (REST operations of the plan)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from opentelemetry.trace import Tracer

from .http import ServiceClient
from .schemas import OperationResponse
from .settings import Settings


class CustomersClient(ServiceClient):
    """The customers service, under /customers/."""

    def current_customer(self, arguments: Mapping[str, Any] | None = None) -> OperationResponse:
        return self._call("current_customer", arguments)


class OrdersClient(ServiceClient):
    """The orders service, under /orders/."""

    def get_customer_order(self, arguments: Mapping[str, Any] | None = None) -> OperationResponse:
        return self._call("get_customer_order", arguments)


@dataclass(frozen=True)
class Clients:
    customers: CustomersClient
    orders: OrdersClient

    def close(self) -> None:
        self.customers.close()
        self.orders.close()


def make_clients(
    settings: Settings, *, tracer: Tracer, http: Mapping[str, httpx.Client] | None = None
) -> Clients:
    """One client per called service; `http` replaces the transport (contract tests)."""
    http = http or {}
    return Clients(
        customers=CustomersClient(
            base_url=settings.customers_service_url,
            path_prefix="/customers/",
            tracer=tracer,
            timeout_s=settings.http_timeout_s,
            retries=settings.http_retries,
            backoff_s=settings.http_backoff_s,
            http=http.get("customers"),
        ),
        orders=OrdersClient(
            base_url=settings.orders_service_url,
            path_prefix="/orders/",
            tracer=tracer,
            timeout_s=settings.http_timeout_s,
            retries=settings.http_retries,
            backoff_s=settings.http_backoff_s,
            http=http.get("orders"),
        ),
    )
