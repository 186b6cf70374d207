"""The operations the orders service exposes: one POST route each, under /orders/."""

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
    "/get_customer_order",
    response_model=OperationResponse,
    operation_id="get_customer_order",
    summary="get_customer_order (rest; called by payments, shipping)",
)
def _route_get_customer_order(body: OperationRequest, request: Request) -> OperationResponse:
    try:
        result = _handlers.get_customer_order(_runtime(request), body.arguments)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return OperationResponse(result=result)


@ROUTER.post(
    "/get_order",
    response_model=OperationResponse,
    operation_id="get_order",
    summary="get_order (rest; called by shipping)",
)
def _route_get_order(body: OperationRequest, request: Request) -> OperationResponse:
    try:
        result = _handlers.get_order(_runtime(request), body.arguments)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return OperationResponse(result=result)


@ROUTER.post(
    "/mark_delivered",
    response_model=OperationResponse,
    operation_id="mark_delivered",
    summary="mark_delivered (sqs; called by shipping)",
)
def _route_mark_delivered(body: OperationRequest, request: Request) -> OperationResponse:
    try:
        result = _handlers.mark_delivered(_runtime(request), body.arguments)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return OperationResponse(result=result)


@ROUTER.post(
    "/mark_paid",
    response_model=OperationResponse,
    operation_id="mark_paid",
    summary="mark_paid (sqs; called by payments)",
)
def _route_mark_paid(body: OperationRequest, request: Request) -> OperationResponse:
    try:
        result = _handlers.mark_paid(_runtime(request), body.arguments)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return OperationResponse(result=result)


@ROUTER.post(
    "/mark_payment_failed",
    response_model=OperationResponse,
    operation_id="mark_payment_failed",
    summary="mark_payment_failed (sqs; called by payments)",
)
def _route_mark_payment_failed(body: OperationRequest, request: Request) -> OperationResponse:
    try:
        result = _handlers.mark_payment_failed(_runtime(request), body.arguments)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return OperationResponse(result=result)


@ROUTER.post(
    "/mark_refunded",
    response_model=OperationResponse,
    operation_id="mark_refunded",
    summary="mark_refunded (sqs; called by payments)",
)
def _route_mark_refunded(body: OperationRequest, request: Request) -> OperationResponse:
    try:
        result = _handlers.mark_refunded(_runtime(request), body.arguments)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return OperationResponse(result=result)


@ROUTER.post(
    "/mark_shipped",
    response_model=OperationResponse,
    operation_id="mark_shipped",
    summary="mark_shipped (sqs; called by shipping)",
)
def _route_mark_shipped(body: OperationRequest, request: Request) -> OperationResponse:
    try:
        result = _handlers.mark_shipped(_runtime(request), body.arguments)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return OperationResponse(result=result)


@ROUTER.post(
    "/price_line",
    response_model=OperationResponse,
    operation_id="price_line",
    summary="price_line (rest; called by catalog)",
)
def _route_price_line(body: OperationRequest, request: Request) -> OperationResponse:
    try:
        result = _handlers.price_line(_runtime(request), body.arguments)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return OperationResponse(result=result)
