"""The operations the orders service exposes: one POST route each, under /orders/."""

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
    "/get_customer_order",
    response_model=_schemas.GetCustomerOrderResponse,
    operation_id="get_customer_order",
    summary="get_customer_order (rest; called by payments, shipping)",
)
def _route_get_customer_order(
    body: _schemas.GetCustomerOrderRequest, request: Request
) -> _schemas.GetCustomerOrderResponse:
    try:
        result = _handlers.get_customer_order(_runtime(request), body)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return _schemas.GetCustomerOrderResponse(result=result)


@ROUTER.post(
    "/get_order",
    response_model=_schemas.GetOrderResponse,
    operation_id="get_order",
    summary="get_order (rest; called by shipping)",
)
def _route_get_order(
    body: _schemas.GetOrderRequest, request: Request
) -> _schemas.GetOrderResponse:
    try:
        result = _handlers.get_order(_runtime(request), body)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return _schemas.GetOrderResponse(result=result)


@ROUTER.post(
    "/mark_delivered",
    response_model=_schemas.MarkDeliveredResponse,
    operation_id="mark_delivered",
    summary="mark_delivered (sqs; called by shipping)",
)
def _route_mark_delivered(
    body: _schemas.MarkDeliveredRequest, request: Request
) -> _schemas.MarkDeliveredResponse:
    try:
        result = _handlers.mark_delivered(_runtime(request), body)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return _schemas.MarkDeliveredResponse(result=result)


@ROUTER.post(
    "/mark_paid",
    response_model=_schemas.MarkPaidResponse,
    operation_id="mark_paid",
    summary="mark_paid (sqs; called by payments)",
)
def _route_mark_paid(
    body: _schemas.MarkPaidRequest, request: Request
) -> _schemas.MarkPaidResponse:
    try:
        result = _handlers.mark_paid(_runtime(request), body)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return _schemas.MarkPaidResponse(result=result)


@ROUTER.post(
    "/mark_payment_failed",
    response_model=_schemas.MarkPaymentFailedResponse,
    operation_id="mark_payment_failed",
    summary="mark_payment_failed (sqs; called by payments)",
)
def _route_mark_payment_failed(
    body: _schemas.MarkPaymentFailedRequest, request: Request
) -> _schemas.MarkPaymentFailedResponse:
    try:
        result = _handlers.mark_payment_failed(_runtime(request), body)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return _schemas.MarkPaymentFailedResponse(result=result)


@ROUTER.post(
    "/mark_refunded",
    response_model=_schemas.MarkRefundedResponse,
    operation_id="mark_refunded",
    summary="mark_refunded (sqs; called by payments)",
)
def _route_mark_refunded(
    body: _schemas.MarkRefundedRequest, request: Request
) -> _schemas.MarkRefundedResponse:
    try:
        result = _handlers.mark_refunded(_runtime(request), body)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return _schemas.MarkRefundedResponse(result=result)


@ROUTER.post(
    "/mark_shipped",
    response_model=_schemas.MarkShippedResponse,
    operation_id="mark_shipped",
    summary="mark_shipped (sqs; called by shipping)",
)
def _route_mark_shipped(
    body: _schemas.MarkShippedRequest, request: Request
) -> _schemas.MarkShippedResponse:
    try:
        result = _handlers.mark_shipped(_runtime(request), body)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return _schemas.MarkShippedResponse(result=result)


@ROUTER.post(
    "/price_line",
    response_model=_schemas.PriceLineResponse,
    operation_id="price_line",
    summary="price_line (rest; called by catalog)",
)
def _route_price_line(
    body: _schemas.PriceLineRequest, request: Request
) -> _schemas.PriceLineResponse:
    try:
        result = _handlers.price_line(_runtime(request), body)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return _schemas.PriceLineResponse(result=result)
