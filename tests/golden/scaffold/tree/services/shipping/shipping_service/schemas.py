"""The wire format of the shipping service: one request and one response model per
operation, typed from the monolith function's signature as the plan records it (plan.json:
contexts.shipping.operations[].parameters / returns), plus the event envelope.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ShippingCostForOrderRequest(BaseModel):
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


class ShippingCostForOrderResponse(BaseModel):
    """shipping_cost_for_order: what `shop.shipping.rates:shipping_cost_for_order` returns."""

    model_config = ConfigDict(extra="forbid")

    result: int


class EventEnvelope(BaseModel):
    """The body of every SQS message: the event's name and its payload."""

    model_config = ConfigDict(extra="forbid")

    event: str
    payload: dict[str, Any] = Field(default_factory=dict)


class Health(BaseModel):
    status: str
    service: str
