"""The operations the inventory service exposes: one POST route each, under /inventory/."""

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
    "/availability",
    response_model=_schemas.AvailabilityResponse,
    operation_id="availability",
    summary="availability (rest; called by catalog, orders)",
)
def _route_availability(
    body: _schemas.AvailabilityRequest, request: Request
) -> _schemas.AvailabilityResponse:
    try:
        result = _handlers.availability(_runtime(request), body)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return _schemas.AvailabilityResponse(result=result)


@ROUTER.post(
    "/availability_for",
    response_model=_schemas.AvailabilityForResponse,
    operation_id="availability_for",
    summary="availability_for (rest; called by catalog)",
)
def _route_availability_for(
    body: _schemas.AvailabilityForRequest, request: Request
) -> _schemas.AvailabilityForResponse:
    try:
        result = _handlers.availability_for(_runtime(request), body)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return _schemas.AvailabilityForResponse(result=result)


@ROUTER.post(
    "/commit_reservations",
    response_model=_schemas.CommitReservationsResponse,
    operation_id="commit_reservations",
    summary="commit_reservations (sqs; called by shipping)",
)
def _route_commit_reservations(
    body: _schemas.CommitReservationsRequest, request: Request
) -> _schemas.CommitReservationsResponse:
    try:
        result = _handlers.commit_reservations(_runtime(request), body)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return _schemas.CommitReservationsResponse(result=result)


@ROUTER.post(
    "/fulfilment_warehouse",
    response_model=_schemas.FulfilmentWarehouseResponse,
    operation_id="fulfilment_warehouse",
    summary="fulfilment_warehouse (rest; called by shipping)",
)
def _route_fulfilment_warehouse(
    body: _schemas.FulfilmentWarehouseRequest, request: Request
) -> _schemas.FulfilmentWarehouseResponse:
    try:
        result = _handlers.fulfilment_warehouse(_runtime(request), body)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return _schemas.FulfilmentWarehouseResponse(result=result)


@ROUTER.post(
    "/release_reservations",
    response_model=_schemas.ReleaseReservationsResponse,
    operation_id="release_reservations",
    summary="release_reservations (sqs; called by orders)",
)
def _route_release_reservations(
    body: _schemas.ReleaseReservationsRequest, request: Request
) -> _schemas.ReleaseReservationsResponse:
    try:
        result = _handlers.release_reservations(_runtime(request), body)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return _schemas.ReleaseReservationsResponse(result=result)


@ROUTER.post(
    "/reserve_stock",
    response_model=_schemas.ReserveStockResponse,
    operation_id="reserve_stock",
    summary="reserve_stock (sqs; called by orders)",
)
def _route_reserve_stock(
    body: _schemas.ReserveStockRequest, request: Request
) -> _schemas.ReserveStockResponse:
    try:
        result = _handlers.reserve_stock(_runtime(request), body)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return _schemas.ReserveStockResponse(result=result)
