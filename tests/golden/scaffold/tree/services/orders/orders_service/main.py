"""The orders service: `uvicorn orders_service.main:create_app --factory`."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from fastapi import FastAPI

from . import logs, tracing
from .clients import make_clients
from .data import Store
from .events import Events, event_handlers
from .messaging import Consumer, Publisher, ensure_queue
from .routes import ROUTER
from .runtime import Runtime
from .schemas import Health
from .settings import Settings, get_settings

_log = logging.getLogger(__name__)

PATH_PREFIX = "/orders/"


def create_app(settings: Settings | None = None, *, sqs: Any = None) -> FastAPI:
    """The application; `sqs` replaces the boto3 SQS client (tests pass a fake)."""
    settings = settings or get_settings()
    logs.configure(settings.service_name, settings.log_level)
    provider = tracing.configure(
        service_name=settings.service_name,
        otlp_endpoint=settings.otlp_endpoint,
        span_file=settings.span_file,
        id_generator=settings.id_generator,
    )
    tracer = provider.get_tracer("orders_service")
    sqs = sqs or boto3.client(
        "sqs", region_name=settings.aws_region, endpoint_url=settings.aws_endpoint_url
    )
    runtime = Runtime(
        settings=settings,
        tracer=tracer,
        store=Store(settings),
        events=Events(Publisher(sqs, queue_prefix=settings.queue_prefix, tracer=tracer)),
        clients=make_clients(settings, tracer=tracer),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        consumer = _start_consumer(runtime, sqs, stop)
        _log.info("orders started", extra={"port": settings.port})
        try:
            yield
        finally:
            stop.set()
            if consumer is not None:
                consumer.join(timeout=settings.wait_time_s + 5)
            runtime.clients.close()
            runtime.store.close()
            provider.shutdown()

    app = FastAPI(title="orders", lifespan=lifespan)
    app.state.runtime = runtime
    app.add_middleware(tracing.TracingMiddleware, tracer=tracer)
    app.include_router(ROUTER, prefix=PATH_PREFIX.rstrip("/"))

    @app.get(f"{PATH_PREFIX}health", response_model=Health)
    def health() -> Health:
        return Health(status="ok", service=settings.service_name)

    return app


def _start_consumer(runtime: Runtime, sqs: Any, stop: threading.Event) -> threading.Thread | None:
    settings = runtime.settings
    try:
        if settings.create_queues:
            for name in (
                "customers-inbox",
                "inventory-inbox",
                "payments-inbox",
                settings.inbox_queue,
            ):
                ensure_queue(
                    sqs,
                    f"{settings.queue_prefix}{name}",
                    visibility_timeout_s=settings.visibility_timeout_s,
                    max_receive_count=settings.max_receive_count,
                )
        if not settings.consumer_enabled:
            return None
        queue = sqs.get_queue_url(QueueName=f"{settings.queue_prefix}{settings.inbox_queue}")
    except (BotoCoreError, ClientError) as exc:
        # No AWS credentials or no SQS where the service runs (a laptop, a CI job): it still
        # serves HTTP, and says why it consumes nothing. On AWS the instance role provides both.
        _log.warning("SQS is unreachable: no messages are consumed", extra={"error": str(exc)})
        return None
    consumer = Consumer(
        sqs,
        queue_url=queue["QueueUrl"],
        handlers=event_handlers(runtime),
        store=runtime.store,
        tracer=runtime.tracer,
        wait_time_s=settings.wait_time_s,
        visibility_timeout_s=settings.visibility_timeout_s,
    )
    thread = threading.Thread(target=consumer.run, args=(stop,), name="sqs-consumer", daemon=True)
    thread.start()
    return thread
