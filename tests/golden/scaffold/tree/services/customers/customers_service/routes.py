"""The operations the customers service exposes: one POST route each, under /customers/."""

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
    "/current_customer",
    response_model=_schemas.CurrentCustomerResponse,
    operation_id="current_customer",
    summary="current_customer (rest; called by orders, payments, shipping)",
)
def _route_current_customer(
    body: _schemas.CurrentCustomerRequest, request: Request
) -> _schemas.CurrentCustomerResponse:
    try:
        result = _handlers.current_customer(_runtime(request), body)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return _schemas.CurrentCustomerResponse(result=result)


@ROUTER.post(
    "/default_address",
    response_model=_schemas.DefaultAddressResponse,
    operation_id="default_address",
    summary="default_address (rest; called by orders)",
)
def _route_default_address(
    body: _schemas.DefaultAddressRequest, request: Request
) -> _schemas.DefaultAddressResponse:
    try:
        result = _handlers.default_address(_runtime(request), body)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return _schemas.DefaultAddressResponse(result=result)


@ROUTER.post(
    "/get_address",
    response_model=_schemas.GetAddressResponse,
    operation_id="get_address",
    summary="get_address (rest; called by orders)",
)
def _route_get_address(
    body: _schemas.GetAddressRequest, request: Request
) -> _schemas.GetAddressResponse:
    try:
        result = _handlers.get_address(_runtime(request), body)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return _schemas.GetAddressResponse(result=result)


@ROUTER.post(
    "/max_redeemable_points",
    response_model=_schemas.MaxRedeemablePointsResponse,
    operation_id="max_redeemable_points",
    summary="max_redeemable_points (rest; called by orders)",
)
def _route_max_redeemable_points(
    body: _schemas.MaxRedeemablePointsRequest, request: Request
) -> _schemas.MaxRedeemablePointsResponse:
    try:
        result = _handlers.max_redeemable_points(_runtime(request), body)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return _schemas.MaxRedeemablePointsResponse(result=result)


@ROUTER.post(
    "/redeem_points",
    response_model=_schemas.RedeemPointsResponse,
    operation_id="redeem_points",
    summary="redeem_points (rest; called by orders)",
)
def _route_redeem_points(
    body: _schemas.RedeemPointsRequest, request: Request
) -> _schemas.RedeemPointsResponse:
    try:
        result = _handlers.redeem_points(_runtime(request), body)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return _schemas.RedeemPointsResponse(result=result)


@ROUTER.post(
    "/restore_points",
    response_model=_schemas.RestorePointsResponse,
    operation_id="restore_points",
    summary="restore_points (sqs; called by orders)",
)
def _route_restore_points(
    body: _schemas.RestorePointsRequest, request: Request
) -> _schemas.RestorePointsResponse:
    try:
        result = _handlers.restore_points(_runtime(request), body)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return _schemas.RestorePointsResponse(result=result)
