"""The body of each operation of the catalog service.

Until an operation is implemented it answers 501 Not Implemented, naming the code to move
(`decompose scaffold --with-code` copies that code here and calls it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from .runtime import Runtime
    from .schemas import GetProductBySkuRequest, GetProductRequest


def get_product(
    runtime: Runtime, request: GetProductRequest
) -> dict[str, Any]:
    """Today `shop.catalog.services:get_product` (rest; called by orders)."""
    raise NotImplementedError("get_product: move shop.catalog.services:get_product here")


def get_product_by_sku(
    runtime: Runtime, request: GetProductBySkuRequest
) -> dict[str, Any]:
    """Today `shop.catalog.services:get_product_by_sku` (rest; called by inventory)."""
    raise NotImplementedError("get_product_by_sku: move shop.catalog.services:get_product_by_sku here")
