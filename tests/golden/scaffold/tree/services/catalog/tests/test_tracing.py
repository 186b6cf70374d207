"""One trace id end to end: W3C traceparent, AWS X-Ray headers, and JSON logs that carry it."""

from __future__ import annotations

import json
import logging

from fastapi.testclient import TestClient
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from catalog_service.logs import JsonFormatter
from catalog_service.settings import Settings
from catalog_service.tracing import XRayPropagator, extract, inject

from .conftest import read_spans

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
XRAY = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


def test_xray_header_is_read_and_written_back_unchanged() -> None:
    context = XRayPropagator().extract({"x-amzn-trace-id": XRAY})
    carrier: dict[str, str] = {}

    XRayPropagator().inject(carrier, context)

    span_context = trace.get_current_span(context).get_span_context()
    assert f"{span_context.trace_id:032x}" == "5759e988bd862e3fe1be46a994272793"
    assert carrier == {"x-amzn-trace-id": XRAY}


def test_both_headers_are_written_with_one_trace_id() -> None:
    carrier: dict[str, str] = {}

    inject_from = extract({"traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01"})
    with TracerProvider().get_tracer("test").start_as_current_span("call", context=inject_from):
        inject(carrier)

    assert carrier["traceparent"].split("-")[1] == TRACE_ID
    assert carrier["x-amzn-trace-id"].startswith(f"Root=1-{TRACE_ID[:8]}-{TRACE_ID[8:]};")


def test_request_joins_the_callers_traceparent(client: TestClient, settings: Settings) -> None:
    response = client.get(
        "/catalog/health",
        headers={"traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01"},
    )

    assert TRACE_ID in response.headers["traceparent"]
    assert [span["trace_id"] for span in read_spans(settings)] == [TRACE_ID]


def test_request_joins_a_trace_started_by_api_gateway(
    client: TestClient, settings: Settings
) -> None:
    client.get("/catalog/health", headers={"X-Amzn-Trace-Id": XRAY})

    assert [span["trace_id"] for span in read_spans(settings)] == [
        "5759e988bd862e3fe1be46a994272793"
    ]


def test_log_lines_are_json_with_the_trace_id() -> None:
    record = logging.LogRecord("test", logging.INFO, __file__, 1, "hello %s", ("you",), None)
    tracer = TracerProvider().get_tracer("test")

    with tracer.start_as_current_span("work") as span:
        line = json.loads(JsonFormatter("catalog").format(record))

    assert line["message"] == "hello you"
    assert line["service"] == "catalog"
    assert line["trace_id"] == f"{span.get_span_context().trace_id:032x}"
