"""Typed clients of the services orders calls (REST operations of the plan).

Each called operation's request and response models are a copy of the called service's own
(its schemas.py), generated from the same plan entry: the two services deploy apart, so neither
imports the other's code. tests/test_contracts.py holds the client to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from opentelemetry.trace import Tracer
from pydantic import BaseModel, ConfigDict

from .http import ServiceClient
from .settings import Settings


class CatalogGetProductRequest(BaseModel):
    """get_product: the parameters of `shop.catalog.services:get_product`.

    As the monolith declares them:
    - product_id: int
    - active_only: bool
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    product_id: int
    active_only: bool = False


class CatalogGetProductResponse(BaseModel):
    """get_product: what `shop.catalog.services:get_product` returns.

    On the wire:
    - ORM model shop.models:Product: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid")

    result: dict[str, Any]


class CatalogClient(ServiceClient):
    """The catalog service, under /catalog/."""

    def get_product(
        self,
        *,
        product_id: int,
        active_only: bool = False,
    ) -> CatalogGetProductResponse:
        request = CatalogGetProductRequest(
            product_id=product_id,
            active_only=active_only,
        )
        body = request.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        answer = self._call("get_product", body)
        return CatalogGetProductResponse.model_validate(answer)


class CustomersCurrentCustomerRequest(BaseModel):
    """current_customer: the parameters of `shop.customers.auth:current_customer`.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class CustomersCurrentCustomerResponse(BaseModel):
    """current_customer: what `shop.customers.auth:current_customer` returns.

    On the wire:
    - ORM model shop.models:Customer: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid")

    result: dict[str, Any] | None = None


class CustomersDefaultAddressRequest(BaseModel):
    """default_address: the parameters of `shop.customers.services:default_address`.

    As the monolith declares them:
    - customer: shop.models.Customer

    On the wire:
    - customer: ORM model shop.models:Customer: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    customer: dict[str, Any]


class CustomersDefaultAddressResponse(BaseModel):
    """default_address: what `shop.customers.services:default_address` returns.

    On the wire:
    - ORM model shop.models:Address: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid")

    result: dict[str, Any] | None = None


class CustomersGetAddressRequest(BaseModel):
    """get_address: the parameters of `shop.customers.services:get_address`.

    As the monolith declares them:
    - customer_id: int
    - address_id: int
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    customer_id: int
    address_id: int


class CustomersGetAddressResponse(BaseModel):
    """get_address: what `shop.customers.services:get_address` returns.

    On the wire:
    - ORM model shop.models:Address: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid")

    result: dict[str, Any]


class CustomersMaxRedeemablePointsRequest(BaseModel):
    """max_redeemable_points: the parameters of `shop.customers.loyalty:max_redeemable_points`.

    As the monolith declares them:
    - customer: shop.models.Customer
    - totals: shop.catalog.pricing.Totals

    On the wire:
    - customer: ORM model shop.models:Customer: travels as an object of its fields
    - totals: shop.catalog.pricing.Totals: no JSON form known, travels untyped
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    customer: dict[str, Any]
    totals: Any


class CustomersMaxRedeemablePointsResponse(BaseModel):
    """max_redeemable_points: what `shop.customers.loyalty:max_redeemable_points` returns."""

    model_config = ConfigDict(extra="forbid")

    result: int


class CustomersRedeemPointsRequest(BaseModel):
    """redeem_points: the parameters of `shop.customers.loyalty:redeem_points`.

    As the monolith declares them:
    - customer: shop.models.Customer
    - points: int
    - order_id: int | None

    On the wire:
    - customer: ORM model shop.models:Customer: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    customer: dict[str, Any]
    points: int
    order_id: int | None = None


class CustomersRedeemPointsResponse(BaseModel):
    """redeem_points: what `shop.customers.loyalty:redeem_points` returns."""

    model_config = ConfigDict(extra="forbid")

    result: int


class CustomersClient(ServiceClient):
    """The customers service, under /customers/."""

    def current_customer(self) -> CustomersCurrentCustomerResponse:
        request = CustomersCurrentCustomerRequest()
        body = request.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        answer = self._call("current_customer", body)
        return CustomersCurrentCustomerResponse.model_validate(answer)

    def default_address(
        self,
        *,
        customer: dict[str, Any],
    ) -> CustomersDefaultAddressResponse:
        request = CustomersDefaultAddressRequest(
            customer=customer,
        )
        body = request.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        answer = self._call("default_address", body)
        return CustomersDefaultAddressResponse.model_validate(answer)

    def get_address(
        self,
        *,
        customer_id: int,
        address_id: int,
    ) -> CustomersGetAddressResponse:
        request = CustomersGetAddressRequest(
            customer_id=customer_id,
            address_id=address_id,
        )
        body = request.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        answer = self._call("get_address", body)
        return CustomersGetAddressResponse.model_validate(answer)

    def max_redeemable_points(
        self,
        *,
        customer: dict[str, Any],
        totals: Any,
    ) -> CustomersMaxRedeemablePointsResponse:
        request = CustomersMaxRedeemablePointsRequest(
            customer=customer,
            totals=totals,
        )
        body = request.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        answer = self._call("max_redeemable_points", body)
        return CustomersMaxRedeemablePointsResponse.model_validate(answer)

    def redeem_points(
        self,
        *,
        customer: dict[str, Any],
        points: int,
        order_id: int | None = None,
    ) -> CustomersRedeemPointsResponse:
        request = CustomersRedeemPointsRequest(
            customer=customer,
            points=points,
            order_id=order_id,
        )
        body = request.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        answer = self._call("redeem_points", body)
        return CustomersRedeemPointsResponse.model_validate(answer)


class InventoryAvailabilityRequest(BaseModel):
    """availability: the parameters of `shop.inventory.services:availability`.

    As the monolith declares them:
    - product_id: int
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    product_id: int


class InventoryAvailabilityResponse(BaseModel):
    """availability: what `shop.inventory.services:availability` returns."""

    model_config = ConfigDict(extra="forbid")

    result: int


class InventoryClient(ServiceClient):
    """The inventory service, under /inventory/."""

    def availability(
        self,
        *,
        product_id: int,
    ) -> InventoryAvailabilityResponse:
        request = InventoryAvailabilityRequest(
            product_id=product_id,
        )
        body = request.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        answer = self._call("availability", body)
        return InventoryAvailabilityResponse.model_validate(answer)


class ShippingShippingCostForOrderRequest(BaseModel):
    """shipping_cost_for_order: the parameters of `shop.shipping.rates:shipping_cost_for_order`.

    As the monolith declares them:
    - order: shop.models.Order
    - method: str

    On the wire:
    - order: ORM model shop.models:Order: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    order: dict[str, Any]
    method: str


class ShippingShippingCostForOrderResponse(BaseModel):
    """shipping_cost_for_order: what `shop.shipping.rates:shipping_cost_for_order` returns."""

    model_config = ConfigDict(extra="forbid")

    result: int


class ShippingClient(ServiceClient):
    """The shipping service, under /shipping/."""

    def shipping_cost_for_order(
        self,
        *,
        order: dict[str, Any],
        method: str,
    ) -> ShippingShippingCostForOrderResponse:
        request = ShippingShippingCostForOrderRequest(
            order=order,
            method=method,
        )
        body = request.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        answer = self._call("shipping_cost_for_order", body)
        return ShippingShippingCostForOrderResponse.model_validate(answer)


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
