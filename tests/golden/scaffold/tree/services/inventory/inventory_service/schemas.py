"""The wire format of the inventory service: one request and one response model per
operation, typed from the monolith function's signature as the plan records it (plan.json:
contexts.inventory.operations[].parameters / returns), plus the event envelope.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AvailabilityRequest(BaseModel):
    """availability: the parameters of `shop.inventory.services:availability`.

    As the monolith declares them:
    - product_id: int
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    product_id: int


class AvailabilityResponse(BaseModel):
    """availability: what `shop.inventory.services:availability` returns."""

    model_config = ConfigDict(extra="forbid")

    result: int


class AvailabilityForRequest(BaseModel):
    """availability_for: the parameters of `shop.inventory.services:availability_for`.

    As the monolith declares them:
    - product_ids: list[int]
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    product_ids: list[int]


class AvailabilityForResponse(BaseModel):
    """availability_for: what `shop.inventory.services:availability_for` returns."""

    model_config = ConfigDict(extra="forbid")

    result: dict[int, int]


class CommitReservationsRequest(BaseModel):
    """commit_reservations: the parameters of `shop.inventory.services:commit_reservations`.

    As the monolith declares them:
    - order_id: int
    - reference: str | None
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    order_id: int
    reference: str | None = None


class CommitReservationsResponse(BaseModel):
    """commit_reservations: what `shop.inventory.services:commit_reservations` returns."""

    model_config = ConfigDict(extra="forbid")

    result: int


class FulfilmentWarehouseRequest(BaseModel):
    """fulfilment_warehouse: the parameters of `shop.inventory.services:fulfilment_warehouse`.

    As the monolith declares them:
    - order_id: int
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    order_id: int


class FulfilmentWarehouseResponse(BaseModel):
    """fulfilment_warehouse: what `shop.inventory.services:fulfilment_warehouse` returns.

    On the wire:
    - ORM model shop.models:Warehouse: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid")

    result: dict[str, Any] | None = None


class ReleaseReservationsRequest(BaseModel):
    """release_reservations: the parameters of `shop.inventory.services:release_reservations`.

    As the monolith declares them:
    - order_id: int
    - status: str
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    order_id: int
    status: str = "released"


class ReleaseReservationsResponse(BaseModel):
    """release_reservations: what `shop.inventory.services:release_reservations` returns."""

    model_config = ConfigDict(extra="forbid")

    result: int


class ReserveStockRequest(BaseModel):
    """reserve_stock: the parameters of `shop.inventory.services:reserve_stock`.

    As the monolith declares them:
    - order: shop.models.Order

    On the wire:
    - order: ORM model shop.models:Order: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    order: dict[str, Any]


class ReserveStockResponse(BaseModel):
    """reserve_stock: what `shop.inventory.services:reserve_stock` returns.

    On the wire:
    - ORM model shop.models:Reservation: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid")

    result: list[dict[str, Any]]


class EventEnvelope(BaseModel):
    """The body of every SQS message: the event's name and its payload."""

    model_config = ConfigDict(extra="forbid")

    event: str
    payload: dict[str, Any] = Field(default_factory=dict)


class Health(BaseModel):
    status: str
    service: str
