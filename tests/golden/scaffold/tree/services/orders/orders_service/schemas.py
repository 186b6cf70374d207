"""The wire format of the orders service: one request and one response model per
operation, typed from the monolith function's signature as the plan records it (plan.json:
contexts.orders.operations[].parameters / returns), plus the event envelope.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class GetCustomerOrderRequest(BaseModel):
    """get_customer_order: the parameters of `shop.orders.services:get_customer_order`.

    As the monolith declares them:
    - customer: shop.models.Customer
    - order_id: int

    On the wire:
    - customer: ORM model shop.models:Customer: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    customer: dict[str, Any]
    order_id: int


class GetCustomerOrderResponse(BaseModel):
    """get_customer_order: what `shop.orders.services:get_customer_order` returns.

    On the wire:
    - ORM model shop.models:Order: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid")

    result: dict[str, Any]


class GetOrderRequest(BaseModel):
    """get_order: the parameters of `shop.orders.services:get_order`.

    As the monolith declares them:
    - order_id: int
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    order_id: int


class GetOrderResponse(BaseModel):
    """get_order: what `shop.orders.services:get_order` returns.

    On the wire:
    - ORM model shop.models:Order: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid")

    result: dict[str, Any]


class MarkDeliveredRequest(BaseModel):
    """mark_delivered: the parameters of `shop.orders.services:mark_delivered`.

    As the monolith declares them:
    - order: shop.models.Order

    On the wire:
    - order: ORM model shop.models:Order: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    order: dict[str, Any]


class MarkDeliveredResponse(BaseModel):
    """mark_delivered: what `shop.orders.services:mark_delivered` returns."""

    model_config = ConfigDict(extra="forbid")

    result: None = None


class MarkPaidRequest(BaseModel):
    """mark_paid: the parameters of `shop.orders.services:mark_paid`.

    As the monolith declares them:
    - order: shop.models.Order

    On the wire:
    - order: ORM model shop.models:Order: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    order: dict[str, Any]


class MarkPaidResponse(BaseModel):
    """mark_paid: what `shop.orders.services:mark_paid` returns."""

    model_config = ConfigDict(extra="forbid")

    result: None = None


class MarkPaymentFailedRequest(BaseModel):
    """mark_payment_failed: the parameters of `shop.orders.services:mark_payment_failed`.

    As the monolith declares them:
    - order: shop.models.Order
    - reason: str

    On the wire:
    - order: ORM model shop.models:Order: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    order: dict[str, Any]
    reason: str


class MarkPaymentFailedResponse(BaseModel):
    """mark_payment_failed: what `shop.orders.services:mark_payment_failed` returns."""

    model_config = ConfigDict(extra="forbid")

    result: None = None


class MarkRefundedRequest(BaseModel):
    """mark_refunded: the parameters of `shop.orders.services:mark_refunded`.

    As the monolith declares them:
    - order: shop.models.Order

    On the wire:
    - order: ORM model shop.models:Order: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    order: dict[str, Any]


class MarkRefundedResponse(BaseModel):
    """mark_refunded: what `shop.orders.services:mark_refunded` returns."""

    model_config = ConfigDict(extra="forbid")

    result: None = None


class MarkShippedRequest(BaseModel):
    """mark_shipped: the parameters of `shop.orders.services:mark_shipped`.

    As the monolith declares them:
    - order: shop.models.Order

    On the wire:
    - order: ORM model shop.models:Order: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    order: dict[str, Any]


class MarkShippedResponse(BaseModel):
    """mark_shipped: what `shop.orders.services:mark_shipped` returns."""

    model_config = ConfigDict(extra="forbid")

    result: None = None


class PriceLineRequest(BaseModel):
    """price_line: the parameters of `shop.catalog.pricing:price_line`.

    As the monolith declares them:
    - product: shop.models.Product
    - quantity: int
    - country: str

    On the wire:
    - product: ORM model shop.models:Product: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    product: dict[str, Any]
    quantity: int
    country: str


class PriceLineResponse(BaseModel):
    """price_line: what `shop.catalog.pricing:price_line` returns.

    On the wire:
    - shop.catalog.pricing.PriceBreakdown: no JSON form known, travels untyped
    """

    model_config = ConfigDict(extra="forbid")

    result: Any = None


class EventEnvelope(BaseModel):
    """The body of every SQS message: the event's name and its payload."""

    model_config = ConfigDict(extra="forbid")

    event: str
    payload: dict[str, Any] = Field(default_factory=dict)


class Health(BaseModel):
    status: str
    service: str
