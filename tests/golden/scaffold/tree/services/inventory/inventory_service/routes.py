"""The operations the inventory service exposes: one POST route each, under /inventory/."""

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
    "/availability",
    response_model=OperationResponse,
    operation_id="availability",
    summary="availability (rest; called by catalog, orders)",
)
def _route_availability(body: OperationRequest, request: Request) -> OperationResponse:
    try:
        result = _handlers.availability(_runtime(request), body.arguments)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return OperationResponse(result=result)


@ROUTER.post(
    "/availability_for",
    response_model=OperationResponse,
    operation_id="availability_for",
    summary="availability_for (rest; called by catalog)",
)
def _route_availability_for(body: OperationRequest, request: Request) -> OperationResponse:
    try:
        result = _handlers.availability_for(_runtime(request), body.arguments)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return OperationResponse(result=result)


@ROUTER.post(
    "/commit_reservations",
    response_model=OperationResponse,
    operation_id="commit_reservations",
    summary="commit_reservations (sqs; called by shipping)",
)
def _route_commit_reservations(body: OperationRequest, request: Request) -> OperationResponse:
    try:
        result = _handlers.commit_reservations(_runtime(request), body.arguments)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return OperationResponse(result=result)


@ROUTER.post(
    "/fulfilment_warehouse",
    response_model=OperationResponse,
    operation_id="fulfilment_warehouse",
    summary="fulfilment_warehouse (rest; called by shipping)",
)
def _route_fulfilment_warehouse(body: OperationRequest, request: Request) -> OperationResponse:
    try:
        result = _handlers.fulfilment_warehouse(_runtime(request), body.arguments)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return OperationResponse(result=result)


@ROUTER.post(
    "/release_reservations",
    response_model=OperationResponse,
    operation_id="release_reservations",
    summary="release_reservations (sqs; called by orders)",
)
def _route_release_reservations(body: OperationRequest, request: Request) -> OperationResponse:
    try:
        result = _handlers.release_reservations(_runtime(request), body.arguments)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return OperationResponse(result=result)


@ROUTER.post(
    "/reserve_stock",
    response_model=OperationResponse,
    operation_id="reserve_stock",
    summary="reserve_stock (sqs; called by orders)",
)
def _route_reserve_stock(body: OperationRequest, request: Request) -> OperationResponse:
    try:
        result = _handlers.reserve_stock(_runtime(request), body.arguments)
    except NotImplementedError as exc:
        raise HTTPException(status_code=501, detail=str(exc)) from None
    return OperationResponse(result=result)
