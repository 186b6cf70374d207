"""The body of each operation of the inventory service: move the monolith's code here.

Until an operation is implemented it answers 501 Not Implemented, naming the code to move.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .runtime import Runtime


def availability(runtime: Runtime, arguments: Mapping[str, Any]) -> Any:
    """Today `shop.inventory.services:availability` (rest; called by catalog, orders)."""
    raise NotImplementedError("availability: move shop.inventory.services:availability here")


def availability_for(runtime: Runtime, arguments: Mapping[str, Any]) -> Any:
    """Today `shop.inventory.services:availability_for` (rest; called by catalog)."""
    raise NotImplementedError("availability_for: move shop.inventory.services:availability_for here")


def commit_reservations(runtime: Runtime, arguments: Mapping[str, Any]) -> Any:
    """Today `shop.inventory.services:commit_reservations` (sqs; called by shipping)."""
    raise NotImplementedError("commit_reservations: move shop.inventory.services:commit_reservations here")


def fulfilment_warehouse(runtime: Runtime, arguments: Mapping[str, Any]) -> Any:
    """Today `shop.inventory.services:fulfilment_warehouse` (rest; called by shipping)."""
    raise NotImplementedError("fulfilment_warehouse: move shop.inventory.services:fulfilment_warehouse here")


def release_reservations(runtime: Runtime, arguments: Mapping[str, Any]) -> Any:
    """Today `shop.inventory.services:release_reservations` (sqs; called by orders)."""
    raise NotImplementedError("release_reservations: move shop.inventory.services:release_reservations here")


def reserve_stock(runtime: Runtime, arguments: Mapping[str, Any]) -> Any:
    """Today `shop.inventory.services:reserve_stock` (sqs; called by orders)."""
    raise NotImplementedError("reserve_stock: move shop.inventory.services:reserve_stock here")
