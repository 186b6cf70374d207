"""The wire format of the payments service: one request and one response model per
operation, typed from the monolith function's signature as the plan records it (plan.json:
contexts.payments.operations[].parameters / returns), plus the event envelope.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ChargeRequest(BaseModel):
    """charge: the parameters of `shop.payments.services:charge`.

    As the monolith declares them:
    - order: shop.models.Order
    - token: str

    On the wire:
    - order: ORM model shop.models:Order: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    order: dict[str, Any]
    token: str


class ChargeResponse(BaseModel):
    """charge: what `shop.payments.services:charge` returns.

    On the wire:
    - ORM model shop.models:Payment: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid")

    result: dict[str, Any]


class RefundOrderRequest(BaseModel):
    """refund_order: the parameters of `shop.payments.services:refund_order`.

    As the monolith declares them:
    - order: shop.models.Order
    - reason: str

    On the wire:
    - order: ORM model shop.models:Order: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    order: dict[str, Any]
    reason: str


class RefundOrderResponse(BaseModel):
    """refund_order: what `shop.payments.services:refund_order` returns."""

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
