"""The operations the notifications service exposes: one POST route each, under /notifications/."""

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
    "/delivery_error",
    response_model=_schemas.DeliveryErrorResponse,
    operation_id="delivery_error",
    summary="delivery_error (rest; called by customers)",
)
def _route_delivery_error(
    body: _schemas.DeliveryErrorRequest, request: Request
) -> _schemas.DeliveryErrorResponse:
    try:
        result = _handlers.delivery_error(_runtime(request), body)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return _schemas.DeliveryErrorResponse(result=result)


@ROUTER.post(
    "/email_channel",
    response_model=_schemas.EmailChannelResponse,
    operation_id="email_channel",
    summary="email_channel (rest; called by customers)",
)
def _route_email_channel(
    body: _schemas.EmailChannelRequest, request: Request
) -> _schemas.EmailChannelResponse:
    try:
        result = _handlers.email_channel(_runtime(request), body)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return _schemas.EmailChannelResponse(result=result)
