"""The operations the notifications service exposes: one POST route each, under /notifications/."""

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
    "/delivery_error",
    response_model=OperationResponse,
    operation_id="delivery_error",
    summary="delivery_error (rest; called by customers)",
)
def _route_delivery_error(body: OperationRequest, request: Request) -> OperationResponse:
    try:
        result = _handlers.delivery_error(_runtime(request), body.arguments)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return OperationResponse(result=result)


@ROUTER.post(
    "/email_channel",
    response_model=OperationResponse,
    operation_id="email_channel",
    summary="email_channel (rest; called by customers)",
)
def _route_email_channel(body: OperationRequest, request: Request) -> OperationResponse:
    try:
        result = _handlers.email_channel(_runtime(request), body.arguments)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return OperationResponse(result=result)
