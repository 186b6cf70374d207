"""The operations the payments service exposes: one POST route each, under /payments/."""

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
    "/charge",
    response_model=_schemas.ChargeResponse,
    operation_id="charge",
    summary="charge (sqs; called by orders)",
)
def _route_charge(
    body: _schemas.ChargeRequest, request: Request
) -> _schemas.ChargeResponse:
    try:
        result = _handlers.charge(_runtime(request), body)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return _schemas.ChargeResponse(result=result)


@ROUTER.post(
    "/refund_order",
    response_model=_schemas.RefundOrderResponse,
    operation_id="refund_order",
    summary="refund_order (sqs; called by orders)",
)
def _route_refund_order(
    body: _schemas.RefundOrderRequest, request: Request
) -> _schemas.RefundOrderResponse:
    try:
        result = _handlers.refund_order(_runtime(request), body)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return _schemas.RefundOrderResponse(result=result)
