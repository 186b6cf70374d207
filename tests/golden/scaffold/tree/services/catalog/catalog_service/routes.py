"""The operations the catalog service exposes: one POST route each, under /catalog/."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from . import handlers as _handlers
from . import schemas as _schemas
from .runtime import Runtime

ROUTER = APIRouter()


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


@ROUTER.post(
    "/get_product",
    response_model=_schemas.GetProductResponse,
    operation_id="get_product",
    summary="get_product (rest; called by orders)",
)
def _route_get_product(
    body: _schemas.GetProductRequest, request: Request
) -> _schemas.GetProductResponse:
    try:
        result = _handlers.get_product(_runtime(request), body)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return _schemas.GetProductResponse(result=result)


@ROUTER.post(
    "/get_product_by_sku",
    response_model=_schemas.GetProductBySkuResponse,
    operation_id="get_product_by_sku",
    summary="get_product_by_sku (rest; called by inventory)",
)
def _route_get_product_by_sku(
    body: _schemas.GetProductBySkuRequest, request: Request
) -> _schemas.GetProductBySkuResponse:
    try:
        result = _handlers.get_product_by_sku(_runtime(request), body)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return _schemas.GetProductBySkuResponse(result=result)
