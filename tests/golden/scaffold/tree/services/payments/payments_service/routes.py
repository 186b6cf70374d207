"""The operations the payments service exposes: one POST route each, under /payments/."""

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
    "/charge",
    response_model=OperationResponse,
    operation_id="charge",
    summary="charge (sqs; called by orders)",
)
def _route_charge(body: OperationRequest, request: Request) -> OperationResponse:
    try:
        result = _handlers.charge(_runtime(request), body.arguments)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return OperationResponse(result=result)


@ROUTER.post(
    "/refund_order",
    response_model=OperationResponse,
    operation_id="refund_order",
    summary="refund_order (sqs; called by orders)",
)
def _route_refund_order(body: OperationRequest, request: Request) -> OperationResponse:
    try:
        result = _handlers.refund_order(_runtime(request), body.arguments)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return OperationResponse(result=result)
