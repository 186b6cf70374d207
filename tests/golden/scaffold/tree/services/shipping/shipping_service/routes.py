"""The operations the shipping service exposes: one POST route each, under /shipping/."""

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
    "/shipping_cost_for_order",
    response_model=OperationResponse,
    operation_id="shipping_cost_for_order",
    summary="shipping_cost_for_order (rest; called by orders)",
)
def _route_shipping_cost_for_order(body: OperationRequest, request: Request) -> OperationResponse:
    try:
        result = _handlers.shipping_cost_for_order(_runtime(request), body.arguments)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return OperationResponse(result=result)
