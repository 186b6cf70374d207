"""Distributed tracing: OpenTelemetry spans, W3C `traceparent` and AWS X-Ray headers, export.

One trace id travels end to end: incoming HTTP requests are read from `traceparent` or, where
API Gateway or an ALB started the trace, from `X-Amzn-Trace-Id`; outgoing calls and SQS
messages carry both. Spans go to an OTLP collector (OTEL_EXPORTER_OTLP_ENDPOINT) and, when
SPAN_FILE is set, to a JSON-lines file (tests, local debugging).
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.propagators.composite import CompositePropagator
from opentelemetry.propagators.textmap import (
    CarrierT,
    Getter,
    Setter,
    TextMapPropagator,
    default_getter,
    default_setter,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.sdk.trace.id_generator import IdGenerator, RandomIdGenerator
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, StatusCode, TraceFlags
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

XRAY_HEADER = "x-amzn-trace-id"


class XRayPropagator(TextMapPropagator):
    """`X-Amzn-Trace-Id: Root=1-<8 hex time>-<24 hex>;Parent=<16 hex>;Sampled=1`."""

    def extract(
        self,
        carrier: CarrierT,
        context: Context | None = None,
        getter: Getter[CarrierT] = default_getter,
    ) -> Context:
        context = context if context is not None else Context()
        values = getter.get(carrier, XRAY_HEADER) or getter.get(carrier, "X-Amzn-Trace-Id")
        if not values:
            return context
        fields = dict(
            part.strip().split("=", 1) for part in values[0].split(";") if "=" in part
        )
        root, parent = fields.get("Root", ""), fields.get("Parent", "")
        pieces = root.split("-")
        if len(pieces) != 3 or len(parent) != 16:
            return context
        try:
            trace_id = int(pieces[1] + pieces[2], 16)
            span_id = int(parent, 16)
        except ValueError:
            return context
        sampled = TraceFlags.SAMPLED if fields.get("Sampled") != "0" else TraceFlags.DEFAULT
        span_context = SpanContext(
            trace_id, span_id, is_remote=True, trace_flags=TraceFlags(sampled)
        )
        if not span_context.is_valid:
            return context
        return trace.set_span_in_context(NonRecordingSpan(span_context), context)

    def inject(
        self,
        carrier: CarrierT,
        context: Context | None = None,
        setter: Setter[CarrierT] = default_setter,
    ) -> None:
        span_context = trace.get_current_span(context).get_span_context()
        if not span_context.is_valid:
            return
        setter.set(carrier, XRAY_HEADER, xray_header(span_context))

    @property
    def fields(self) -> set[str]:
        return {XRAY_HEADER}


def xray_trace_id(trace_id: int) -> str:
    """The X-Ray form of a trace id: `1-<8 hex>-<24 hex>`."""
    hex_id = f"{trace_id:032x}"
    return f"1-{hex_id[:8]}-{hex_id[8:]}"


def xray_header(span_context: SpanContext) -> str:
    sampled = "1" if span_context.trace_flags.sampled else "0"
    return (
        f"Root={xray_trace_id(span_context.trace_id)};"
        f"Parent={span_context.span_id:016x};Sampled={sampled}"
    )


# X-Ray first, so that a `traceparent` (extracted second) wins when both are present.
PROPAGATOR = CompositePropagator([XRayPropagator(), TraceContextTextMapPropagator()])


def inject(carrier: MutableMapping[str, str]) -> None:
    """Write the current trace into HTTP headers or message attributes."""
    PROPAGATOR.inject(carrier)


def extract(carrier: Mapping[str, str]) -> Context:
    """The trace context that headers or message attributes carry (or an empty one)."""
    return PROPAGATOR.extract({key.lower(): value for key, value in carrier.items()})


class XRayIdGenerator(IdGenerator):
    """Trace ids that X-Ray accepts: the first 32 bits are the start time in epoch seconds."""

    def __init__(self) -> None:
        self._random = RandomIdGenerator()

    def generate_span_id(self) -> int:
        return self._random.generate_span_id()

    def generate_trace_id(self) -> int:
        return (int(time.time()) << 96) | random.getrandbits(96)


class JsonLinesExporter(SpanExporter):
    """One JSON object per finished span, appended to a file."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._lock = threading.Lock()

    def export(self, spans: Any) -> SpanExportResult:
        lines = [json.dumps(span_record(span), sort_keys=True) for span in spans]
        with self._lock, open(self._path, "a", encoding="utf-8") as stream:
            stream.writelines(line + "\n" for line in lines)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        return None


def span_record(span: ReadableSpan) -> dict[str, Any]:
    context = span.get_span_context()
    parent = span.parent
    return {
        "name": span.name,
        "kind": span.kind.name,
        "service": span.resource.attributes.get("service.name"),
        "trace_id": f"{context.trace_id:032x}" if context else None,
        "span_id": f"{context.span_id:016x}" if context else None,
        "parent_id": f"{parent.span_id:016x}" if parent else None,
        "status": span.status.status_code.name,
        "attributes": {key: str(value) for key, value in (span.attributes or {}).items()},
    }


def configure(
    *,
    service_name: str,
    otlp_endpoint: str | None,
    span_file: str | None,
    id_generator: str,
) -> TracerProvider:
    """A tracer provider for this service (not the global one: tests build several apps)."""
    provider = TracerProvider(
        resource=Resource.create({"service.name": service_name}),
        id_generator=XRayIdGenerator() if id_generator == "xray" else RandomIdGenerator(),
    )
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = f"{otlp_endpoint.rstrip('/')}/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    if span_file:
        provider.add_span_processor(SimpleSpanProcessor(JsonLinesExporter(span_file)))
    return provider


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


class TracingMiddleware:
    """A server span per HTTP request, child of the caller's trace; echoes the trace back."""

    def __init__(self, app: App, *, tracer: trace.Tracer) -> None:
        self.app = app
        self.tracer = tracer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {
            key.decode("latin-1").lower(): value.decode("latin-1")
            for key, value in scope.get("headers", [])
        }
        name = f"{scope['method']} {scope['path']}"
        with self.tracer.start_as_current_span(
            name,
            context=extract(headers),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": scope["method"], "url.path": scope["path"]},
        ) as span:
            status = 500

            async def send_traced(message: MutableMapping[str, Any]) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                    echoed: dict[str, str] = {}
                    inject(echoed)
                    message.setdefault("headers", [])
                    message["headers"] = [
                        *message["headers"],
                        *((k.encode("latin-1"), v.encode("latin-1")) for k, v in echoed.items()),
                    ]
                await send(message)

            await self.app(scope, receive, send_traced)
            span.set_attribute("http.response.status_code", status)
            if status >= 500:
                span.set_status(StatusCode.ERROR)
