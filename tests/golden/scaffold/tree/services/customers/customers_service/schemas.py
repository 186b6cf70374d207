"""The wire format of the customers service: one request and one response model per
operation, typed from the monolith function's signature as the plan records it (plan.json:
contexts.customers.operations[].parameters / returns), plus the event envelope.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class CurrentCustomerRequest(BaseModel):
    """current_customer: the parameters of `shop.customers.auth:current_customer`.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class CurrentCustomerResponse(BaseModel):
    """current_customer: what `shop.customers.auth:current_customer` returns.

    On the wire:
    - ORM model shop.models:Customer: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid")

    result: dict[str, Any] | None = None


class DefaultAddressRequest(BaseModel):
    """default_address: the parameters of `shop.customers.services:default_address`.

    As the monolith declares them:
    - customer: shop.models.Customer

    On the wire:
    - customer: ORM model shop.models:Customer: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    customer: dict[str, Any]


class DefaultAddressResponse(BaseModel):
    """default_address: what `shop.customers.services:default_address` returns.

    On the wire:
    - ORM model shop.models:Address: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid")

    result: dict[str, Any] | None = None


class GetAddressRequest(BaseModel):
    """get_address: the parameters of `shop.customers.services:get_address`.

    As the monolith declares them:
    - customer_id: int
    - address_id: int
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    customer_id: int
    address_id: int


class GetAddressResponse(BaseModel):
    """get_address: what `shop.customers.services:get_address` returns.

    On the wire:
    - ORM model shop.models:Address: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid")

    result: dict[str, Any]


class MaxRedeemablePointsRequest(BaseModel):
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


class MaxRedeemablePointsResponse(BaseModel):
    """max_redeemable_points: what `shop.customers.loyalty:max_redeemable_points` returns."""

    model_config = ConfigDict(extra="forbid")

    result: int


class RedeemPointsRequest(BaseModel):
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


class RedeemPointsResponse(BaseModel):
    """redeem_points: what `shop.customers.loyalty:redeem_points` returns."""

    model_config = ConfigDict(extra="forbid")

    result: int


class RestorePointsRequest(BaseModel):
    """restore_points: the parameters of `shop.customers.loyalty:restore_points`.

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
    order_id: int | None


class RestorePointsResponse(BaseModel):
    """restore_points: what `shop.customers.loyalty:restore_points` returns."""

    model_config = ConfigDict(extra="forbid")

    result: None = None


class EventEnvelope(BaseModel):
    """The body of every SQS message: the event's name and its payload."""

    model_config = ConfigDict(extra="forbid")

    event: str
    payload: dict[str, Any] = Field(default_factory=dict)


class Health(BaseModel):
    status: str
    service: str
