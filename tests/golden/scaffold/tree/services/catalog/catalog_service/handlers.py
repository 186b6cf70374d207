"""The body of each operation of the catalog service: move the monolith's code here.

Until an operation is implemented it answers 501 Not Implemented, naming the code to move.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .runtime import Runtime


def get_product(runtime: Runtime, arguments: Mapping[str, Any]) -> Any:
    """Today `shop.catalog.services:get_product` (rest; called by orders)."""
    raise NotImplementedError("get_product: move shop.catalog.services:get_product here")


def get_product_by_sku(runtime: Runtime, arguments: Mapping[str, Any]) -> Any:
    """Today `shop.catalog.services:get_product_by_sku` (rest; called by inventory)."""
    raise NotImplementedError("get_product_by_sku: move shop.catalog.services:get_product_by_sku here")
