"""The base of every client of another service: timeouts, retries with backoff, tracing.

Every operation is a POST that may change the called service's data, and the called service
keeps no idempotency key: a call is retried only when it certainly did not run there. That is
when no connection was made (connect errors and timeouts, no free connection), or the service
answered that it did not take the request (429 Too Many Requests, 503 Service Unavailable, also
what the load balancer answers when no instance is healthy). A read timeout, a dropped
connection, 502 or 504 may come after the operation ran: the error goes to the caller, which
knows whether its call is safe to repeat.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

import httpx
from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode

from .tracing import inject

_log = logging.getLogger(__name__)
# Retried: the service did not take the request and asked to come back later.
_RETRY_STATUS = frozenset({429, 503})
# Retried: raised before the request was sent.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class ServiceError(RuntimeError):
    """The called service answered with an error, or could not be reached."""


class ServiceClient:
    def __init__(
        self,
        *,
        base_url: str,
        path_prefix: str,
        tracer: trace.Tracer,
        timeout_s: float = 5.0,
        retries: int = 3,
        backoff_s: float = 0.2,
        http: httpx.Client | None = None,
    ) -> None:
        self._http = http or httpx.Client(base_url=base_url, timeout=timeout_s)
        self._prefix = path_prefix
        self._tracer = tracer
        self._retries = retries
        self._backoff_s = backoff_s

    def close(self) -> None:
        self._http.close()

    def _call(self, operation: str, body: Mapping[str, Any]) -> Any:
        """POST the request body; the JSON of the answer (the caller validates it)."""
        path = f"{self._prefix}{operation}"
        with self._tracer.start_as_current_span(
            f"POST {path}", kind=SpanKind.CLIENT, attributes={"url.path": path}
        ) as span:
            for attempt in range(self._retries + 1):
                headers: dict[str, str] = {}
                inject(headers)
                try:
                    response = self._http.post(path, json=body, headers=headers)
                except httpx.TransportError as exc:
                    if attempt == self._retries or not isinstance(exc, _NOT_SENT):
                        span.set_status(StatusCode.ERROR)
                        raise ServiceError(f"POST {path}: {exc}") from exc
                else:
                    if response.status_code not in _RETRY_STATUS or attempt == self._retries:
                        break
                delay = self._backoff_s * 2**attempt
                _log.warning("retrying POST %s in %.2fs", path, delay, extra={"attempt": attempt})
                time.sleep(delay)
            span.set_attribute("http.response.status_code", response.status_code)
            if response.is_error:
                span.set_status(StatusCode.ERROR)
                raise ServiceError(f"POST {path}: {response.status_code} {response.text[:200]}")
            return response.json()
