"""The operations the shipping service exposes: one POST route each, under /shipping/."""

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
    "/shipping_cost_for_order",
    response_model=_schemas.ShippingCostForOrderResponse,
    operation_id="shipping_cost_for_order",
    summary="shipping_cost_for_order (rest; called by orders)",
)
def _route_shipping_cost_for_order(
    body: _schemas.ShippingCostForOrderRequest, request: Request
) -> _schemas.ShippingCostForOrderResponse:
    try:
        result = _handlers.shipping_cost_for_order(_runtime(request), body)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return _schemas.ShippingCostForOrderResponse(result=result)
