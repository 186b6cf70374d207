"""The operations the catalog service exposes: one POST route each, under /catalog/."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from . import handlers as _handlers
from .runtime import Runtime
from .schemas import OperationRequest, OperationResponse

ROUTER = APIRouter()


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


@ROUTER.post(
    "/get_product",
    response_model=OperationResponse,
    operation_id="get_product",
    summary="get_product (rest; called by orders)",
)
def _route_get_product(body: OperationRequest, request: Request) -> OperationResponse:
    try:
        result = _handlers.get_product(_runtime(request), body.arguments)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return OperationResponse(result=result)


@ROUTER.post(
    "/get_product_by_sku",
    response_model=OperationResponse,
    operation_id="get_product_by_sku",
    summary="get_product_by_sku (rest; called by inventory)",
)
def _route_get_product_by_sku(body: OperationRequest, request: Request) -> OperationResponse:
    try:
        result = _handlers.get_product_by_sku(_runtime(request), body.arguments)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return OperationResponse(result=result)
