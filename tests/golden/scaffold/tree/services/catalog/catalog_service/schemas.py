"""The wire format of the catalog service: one request and one response model per
operation, typed from the monolith function's signature as the plan records it (plan.json:
contexts.catalog.operations[].parameters / returns), plus the event envelope.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class GetProductRequest(BaseModel):
    """get_product: the parameters of `shop.catalog.services:get_product`.

    As the monolith declares them:
    - product_id: int
    - active_only: bool
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    product_id: int
    active_only: bool = False


class GetProductResponse(BaseModel):
    """get_product: what `shop.catalog.services:get_product` returns.

    On the wire:
    - ORM model shop.models:Product: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid")

    result: dict[str, Any]


class GetProductBySkuRequest(BaseModel):
    """get_product_by_sku: the parameters of `shop.catalog.services:get_product_by_sku`.

    As the monolith declares them:
    - sku: str
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    sku: str


class GetProductBySkuResponse(BaseModel):
    """get_product_by_sku: what `shop.catalog.services:get_product_by_sku` returns.

    On the wire:
    - ORM model shop.models:Product: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid")

    result: dict[str, Any]


class EventEnvelope(BaseModel):
    """The body of every SQS message: the event's name and its payload."""

    model_config = ConfigDict(extra="forbid")

    event: str
    payload: dict[str, Any] = Field(default_factory=dict)


class Health(BaseModel):
    status: str
    service: str
