"""Typed clients of the services orders calls (REST operations of the plan)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from opentelemetry.trace import Tracer

from .http import ServiceClient
from .schemas import OperationResponse
from .settings import Settings


class CatalogClient(ServiceClient):
    """The catalog service, under /catalog/."""

    def get_product(self, arguments: Mapping[str, Any] | None = None) -> OperationResponse:
        return self._call("get_product", arguments)


class CustomersClient(ServiceClient):
    """The customers service, under /customers/."""

    def current_customer(self, arguments: Mapping[str, Any] | None = None) -> OperationResponse:
        return self._call("current_customer", arguments)

    def default_address(self, arguments: Mapping[str, Any] | None = None) -> OperationResponse:
        return self._call("default_address", arguments)

    def get_address(self, arguments: Mapping[str, Any] | None = None) -> OperationResponse:
        return self._call("get_address", arguments)

    def max_redeemable_points(self, arguments: Mapping[str, Any] | None = None) -> OperationResponse:
        return self._call("max_redeemable_points", arguments)

    def redeem_points(self, arguments: Mapping[str, Any] | None = None) -> OperationResponse:
        return self._call("redeem_points", arguments)


class InventoryClient(ServiceClient):
    """The inventory service, under /inventory/."""

    def availability(self, arguments: Mapping[str, Any] | None = None) -> OperationResponse:
        return self._call("availability", arguments)


class ShippingClient(ServiceClient):
    """The shipping service, under /shipping/."""

    def shipping_cost_for_order(self, arguments: Mapping[str, Any] | None = None) -> OperationResponse:
        return self._call("shipping_cost_for_order", arguments)


@dataclass(frozen=True)
class Clients:
    catalog: CatalogClient
    customers: CustomersClient
    inventory: InventoryClient
    shipping: ShippingClient

    def close(self) -> None:
        self.catalog.close()
        self.customers.close()
        self.inventory.close()
        self.shipping.close()


def make_clients(
    settings: Settings, *, tracer: Tracer, http: Mapping[str, httpx.Client] | None = None
) -> Clients:
    """One client per called service; `http` replaces the transport (contract tests)."""
    http = http or {}
    return Clients(
        catalog=CatalogClient(
            base_url=settings.catalog_service_url,
            path_prefix="/catalog/",
            tracer=tracer,
            timeout_s=settings.http_timeout_s,
            retries=settings.http_retries,
            backoff_s=settings.http_backoff_s,
            http=http.get("catalog"),
        ),
        customers=CustomersClient(
            base_url=settings.customers_service_url,
            path_prefix="/customers/",
            tracer=tracer,
            timeout_s=settings.http_timeout_s,
            retries=settings.http_retries,
            backoff_s=settings.http_backoff_s,
            http=http.get("customers"),
        ),
        inventory=InventoryClient(
            base_url=settings.inventory_service_url,
            path_prefix="/inventory/",
            tracer=tracer,
            timeout_s=settings.http_timeout_s,
            retries=settings.http_retries,
            backoff_s=settings.http_backoff_s,
            http=http.get("inventory"),
        ),
        shipping=ShippingClient(
            base_url=settings.shipping_service_url,
            path_prefix="/shipping/",
            tracer=tracer,
            timeout_s=settings.http_timeout_s,
            retries=settings.http_retries,
            backoff_s=settings.http_backoff_s,
            http=http.get("shipping"),
        ),
    )
