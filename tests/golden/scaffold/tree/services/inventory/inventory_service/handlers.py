"""The body of each operation of the inventory service.

Until an operation is implemented it answers 501 Not Implemented, naming the code to move
(`decompose scaffold --with-code` copies that code here and calls it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from .runtime import Runtime
    from .schemas import (
        AvailabilityForRequest,
        AvailabilityRequest,
        CommitReservationsRequest,
        FulfilmentWarehouseRequest,
        ReleaseReservationsRequest,
        ReserveStockRequest,
    )


def availability(
    runtime: Runtime, request: AvailabilityRequest
) -> int:
    """Today `shop.inventory.services:availability` (rest; called by catalog, orders)."""
    raise NotImplementedError("availability: move shop.inventory.services:availability here")


def availability_for(
    runtime: Runtime, request: AvailabilityForRequest
) -> dict[int, int]:
    """Today `shop.inventory.services:availability_for` (rest; called by catalog)."""
    raise NotImplementedError("availability_for: move shop.inventory.services:availability_for here")


def commit_reservations(
    runtime: Runtime, request: CommitReservationsRequest
) -> int:
    """Today `shop.inventory.services:commit_reservations` (sqs; called by shipping)."""
    raise NotImplementedError("commit_reservations: move shop.inventory.services:commit_reservations here")


def fulfilment_warehouse(
    runtime: Runtime, request: FulfilmentWarehouseRequest
) -> dict[str, Any] | None:
    """Today `shop.inventory.services:fulfilment_warehouse` (rest; called by shipping)."""
    raise NotImplementedError("fulfilment_warehouse: move shop.inventory.services:fulfilment_warehouse here")


def release_reservations(
    runtime: Runtime, request: ReleaseReservationsRequest
) -> int:
    """Today `shop.inventory.services:release_reservations` (sqs; called by orders)."""
    raise NotImplementedError("release_reservations: move shop.inventory.services:release_reservations here")


def reserve_stock(
    runtime: Runtime, request: ReserveStockRequest
) -> list[dict[str, Any]]:
    """Today `shop.inventory.services:reserve_stock` (sqs; called by orders)."""
    raise NotImplementedError("reserve_stock: move shop.inventory.services:reserve_stock here")
