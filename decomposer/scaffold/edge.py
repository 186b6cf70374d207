"""Stage 7b, the edge: plan -> EdgeSpec, the routes the API Gateway serves (an allow-list).

Web and mobile clients call the monolith's HTTP entry points; other contexts call operations.
So the API Gateway routes exactly the HTTP entry points (with the authorizer) and the
operations the plan marks `public` (without it). Every other operation is internal: its callers
reach it through the internal ALB, inside the VPC, and the edge has no route to it (issue 13).
An entry point marked `public` is routed without the authorizer.

Each route becomes explicit API Gateway resources, never a `{proxy+}` under the service's
prefix, which would reach the internal operations too.

Strangler fig: each route also keeps the monolith's own path, where it goes until its
context is extracted (the ALB's default action is the monolith). A monolith route under the
prefix of another context gets a pin, a rule ahead of that context's `/<prefix>/*` rule that
keeps it on the monolith once that context is extracted.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from decomposer.models import (
    BoundedContext,
    DecompositionPlan,
    EdgeMethod,
    EdgeResource,
    EdgeSpec,
    MonolithPin,
    ServiceInfra,
)

_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"})
# What a route's path may not hold (quotes, backslashes, `${`, `%{`, control characters from
# a hand-edited plan): such a route is left out and listed, never written into the Terraform.
# Regular-expression routes (Django's `^...$`) are the route tree's to refuse, with its reason.
_UNSAFE = re.compile(r'["\\\x00-\x1f\x7f]|\$\{|%\{')
# Flask/Werkzeug `<name>`, `<int:name>`, `<path:name>`; FastAPI/Starlette `{name}`, `{name:path}`.
_ANGLE = re.compile(r"^<(?:(?P<conv>[a-z_]+)(?:\([^)]*\))?:)?(?P<name>[A-Za-z_]\w*)>$")
_BRACE = re.compile(r"^\{(?P<name>[A-Za-z_]\w*)(?::(?P<conv>[a-z_]+))?\}$")
# What an API Gateway resource's path part may hold, besides a {parameter}.
_LITERAL = re.compile(r"^[A-Za-z0-9._-]+$")
# A query parameter the cache may key on (anything else, from a hand-edited plan: not cached).
_QUERY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")
# ALB listener rule priorities (1..50,000, lowest first): the monolith pins come before every
# service's `/<prefix>/*` rule, so they win where both match.
PIN_PRIORITIES = (1, 999)
SERVICE_PRIORITIES = (1000, 49999)
# An ALB rule holds at most five condition values: the path pattern and four methods.
_MAX_PIN_METHODS = 4

# Public functions


def build_edge(plan: DecompositionPlan, services: tuple[ServiceInfra, ...]) -> EdgeSpec:
    """The API Gateway's routes: HTTP entry points and public operations, nothing else."""
    contexts = {context.name: context for context in plan.contexts}
    # Paths on the ALB no edge route may reach: internal operations and health checks.
    hidden = {
        f"{service.path_prefix}{name}": f"the internal {kind} {name} of {service.name}"
        for service in services
        for name, kind in [
            *((op.name, "operation") for op in contexts[service.name].operations if not op.public),
            ("health", "route"),
        ]
    }
    tree = _Tree(hidden=hidden)
    methods: dict[str, EdgeMethod] = {}
    internal: list[str] = []
    left_out: list[str] = []
    for service in services:
        context = contexts[service.name]
        for route in _routes(context, service):
            problem = (
                "the path has characters a route cannot hold"
                if _UNSAFE.search(route.path) and not route.path.lstrip("/").startswith("^")
                else tree.add(route, service, methods)
            )
            if problem:
                left_out.append(f"{route.label} ({service.name}): {problem}")
        for op in sorted(context.operations, key=lambda o: o.name):
            if not op.public:
                callers = ", ".join(op.callers) or "no context"
                internal.append(f"POST {service.path_prefix}{op.name} (called by {callers})")
        internal.append(f"GET {service.path_prefix}health (the load balancer's health check)")
    if not methods and services:
        # A REST API without a method cannot be deployed: route one health check, authorized.
        first = services[0]
        health = f"GET {first.path_prefix}health (the load balancer's health check)"
        internal.remove(health)
        label = f"{health}: the plan routes nothing, and a REST API needs one method"
        route = _Route(f"{first.path_prefix}health", ("GET",), False, label, fallback=True)
        tree.add(route, first, methods)
    resources = tuple(tree.resources.values())
    ordered = tuple(sorted(methods.values(), key=lambda m: m.key))
    pins = _pins(ordered, services)
    return EdgeSpec(
        pins=pins,
        pin_width=max((len(p.key) + 2 for p in pins), default=0),
        resources=resources,
        methods=ordered,
        depths=tuple(range(1, max((r.depth for r in resources), default=0) + 1)),
        internal=tuple(internal),
        left_out=tuple(left_out),
        resource_width=max((len(r.path) + 2 for r in resources), default=0),
        method_width=max((len(m.key) + 2 for m in ordered), default=0),
    )


def stable_priorities(keys: list[str], *, low: int, high: int) -> dict[str, int]:
    """A listener rule priority per key, from a hash of the key: adding or removing a key
    never renumbers the others (AWS refuses two rules of one listener with one priority, so
    renumbering fails the apply with PriorityInUse). A collision takes the next free number,
    the keys taken in sorted order, so the result depends only on the set of keys."""
    span = high - low + 1
    if len(set(keys)) > span:
        raise ValueError(f"{len(set(keys))} listener rules do not fit {low}..{high}")
    taken: dict[int, str] = {}
    for key in sorted(set(keys)):
        slot = int(hashlib.sha256(key.encode()).hexdigest(), 16) % span
        while low + slot in taken:
            slot = (slot + 1) % span
        taken[low + slot] = key
    return {key: priority for priority, key in taken.items()}


# Private functions


def _cache_key(
    method: str, path: tuple[str, ...], query: tuple[str, ...] | None, public: bool
) -> tuple[str, ...] | None:
    """The stage cache's key of a route, or None: not cached.

    Only a GET is cached (a POST, PUT, ... changes state; ANY includes them), and only when
    the plan lists the query parameters it reads: API Gateway keys a REST API's cache on named
    request parameters only, so an unlisted one would give every caller the first answer.
    An authorized route adds the caller's token: one user never gets another's answer. (AWS:
    "Use method or integration parameters as cache keys to index cached responses",
    https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-caching.html)
    """
    if method != "GET" or query is None or not all(_QUERY.match(q) for q in query):
        return None
    return (
        *(f"method.request.path.{p}" for p in path),
        *(f"method.request.querystring.{q}" for q in sorted(set(query))),
        *(() if public else ("method.request.header.Authorization",)),
    )


def _pins(
    methods: tuple[EdgeMethod, ...], services: tuple[ServiceInfra, ...]
) -> tuple[MonolithPin, ...]:
    """The monolith routes an extracted context's `/<prefix>/*` rule would take from the
    monolith (their owner not extracted yet): one rule each, ahead of the service rules."""
    found: dict[tuple[str, str], tuple[str, set[str]]] = {}
    for method in methods:
        pattern = re.sub(r"\{[^/}]+\}", "*", method.monolith)
        for service in services:
            if service.name != method.service and pattern.startswith(service.path_prefix):
                found.setdefault((service.name, pattern), (method.service, set()))[1].add(
                    method.http_method
                )
    keys = {(context, pattern): f"{context}: {pattern}" for context, pattern in found}
    priorities = stable_priorities(
        list(keys.values()), low=PIN_PRIORITIES[0], high=PIN_PRIORITIES[1]
    )
    pins = []
    for (context, pattern), (owner, verbs) in sorted(found.items()):
        any_method = "ANY" in verbs or len(verbs) > _MAX_PIN_METHODS
        pins.append(
            MonolithPin(
                key=keys[(context, pattern)],
                context=context,
                owner=owner,
                path_pattern=pattern,
                http_methods=() if any_method else tuple(sorted(verbs)),
                priority=priorities[keys[(context, pattern)]],
            )
        )
    return tuple(pins)


@dataclass(frozen=True)
class _Route:
    """A route the plan asks the edge for: where clients call it, and who serves it."""

    path: str  # as the monolith (or the service) writes it
    methods: tuple[str, ...]
    public: bool
    label: str
    fallback: bool = False  # the one health check routed when the plan routes nothing
    query_parameters: tuple[str, ...] | None = None  # None: the plan does not know them
    is_entry_point: bool = False  # a route of the monolith (not an operation of a service)


def _routes(context: BoundedContext, service: ServiceInfra) -> list[_Route]:
    routes = [
        _Route(
            path=entry.name if entry.name.startswith("/") else f"/{entry.name}",
            methods=tuple(sorted({m.upper() for m in entry.methods})) or ("ANY",),
            public=entry.public,
            label=f"{' '.join(entry.methods) or 'ANY'} {entry.name} -> {entry.handler}",
            query_parameters=entry.query_parameters,
            is_entry_point=True,
        )
        for entry in context.entry_points
        if entry.kind == "http_route"
    ]
    routes += [
        _Route(
            path=f"{service.path_prefix}{op.name}",
            methods=("POST",),
            public=True,
            label=f"POST {service.path_prefix}{op.name} (operation {op.name})",
        )
        for op in context.operations
        if op.public
    ]
    return sorted(routes, key=lambda r: (r.path, r.methods, r.label))


@dataclass
class _Tree:
    """The REST API's resources, shared by every service's routes."""

    hidden: dict[str, str]  # path on the ALB -> what is there that the edge must not reach
    resources: dict[str, EdgeResource] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)  # parent -> its {parameter} part

    def add(self, route: _Route, service: ServiceInfra, methods: dict[str, EdgeMethod]) -> str:
        """Add the route's resources and methods; what kept it off the edge, or ''."""
        parts = _path_parts(route.path)
        if isinstance(parts, str):
            return parts
        wrong = sorted(set(route.methods) - _METHODS)
        if wrong:
            return f"API Gateway has no method {', '.join(wrong)}"
        chain: list[EdgeResource] = []
        names: list[str] = []
        variables, parent = dict(self.variables), ""
        for part, name in parts:
            if name is not None:
                # Siblings share one {parameter} (API Gateway allows one per parent): the
                # first route's name, unless an ancestor already uses it.
                greedy = part.endswith("+}")
                if name in names:
                    name = f"{name}_{len(names) + 1}"
                existing = variables.setdefault(parent, f"{{{name}{'+' if greedy else ''}}}")
                if existing.endswith("+}") != greedy:
                    return f"{existing} and {part} would be sibling parameters of {parent or '/'}"
                part = existing
                names.append(part.strip("{}+"))
            path = f"{parent}/{part}"
            chain.append(
                EdgeResource(path=path, parent=parent, path_part=part, depth=len(chain) + 1)
            )
            parent = path
        upstream = _upstream(parent, route.path, service.path_prefix)
        # The monolith serves its own route at the path clients call; an operation the plan
        # makes public exists in the service only (the monolith answers 404 until extracted).
        monolith = (_edge_path(parent, route.path) or "/") if route.is_entry_point else upstream
        edge_path = parent.replace("+}", "}") or "/"
        added = "" if upstream.startswith(edge_path) else service.path_prefix.rstrip("/")
        reached = self._reached(route, upstream, added)
        if reached and not route.fallback:
            return f"{upstream} on the ALB reaches {reached}"
        keys = [f"{method} {parent or '/'}" for method in route.methods]
        for key in keys:
            if key in methods:
                return f"{key} is routed to {methods[key].service} already"
        self.variables = variables
        for resource in chain:
            self.resources.setdefault(resource.path, resource)
        for key, method in zip(keys, route.methods, strict=True):
            query = route.query_parameters if parent else None  # the root is never cached
            cache_key = _cache_key(method, tuple(names), query, route.public)
            methods[key] = EdgeMethod(
                key=key,
                resource=parent,
                http_method=method,
                service=service.name,
                upstream=upstream,
                parameters=tuple(names),
                public=route.public,
                source=route.label,
                query_parameters=route.query_parameters,
                cache_key=cache_key or (),
                cached=cache_key is not None,
                method_path=f"{parent.lstrip('/')}/{method}",
                monolith=monolith,
            )
        return ""

    def _reached(self, route: _Route, upstream: str, added: str) -> str:
        """What hidden path the route would reach: the same path, or (POST or ANY, the method
        of operations) one its parameters match, as `/customers/<action>` does `get_address`
        (`<int:id>` matches digits only, never an operation's name)."""
        path = upstream.rstrip("/")
        if path in self.hidden:
            return self.hidden[path]
        if not {"POST", "ANY"} & set(route.methods):
            return ""
        # `added`: the service's prefix, when the route is served under it (see _upstream).
        pattern = re.escape(added) + "".join(
            f"/{_segment_pattern(segment)}" for segment in route.path.split("/") if segment
        )
        for hidden, what in sorted(self.hidden.items()):
            if what.startswith("the internal operation") and re.fullmatch(pattern, hidden):
                return what
        return ""


def _segment_pattern(segment: str) -> str:
    match = _ANGLE.match(segment) or _BRACE.match(segment)
    if not match:
        return re.escape(segment)
    return {"int": "[0-9]+", "float": "[0-9.]+", "path": ".+"}.get(match["conv"] or "", "[^/]+")


def _upstream(resource: str, written: str, prefix: str) -> str:
    """The route's path on the internal ALB, which sends only `prefix` to the service: the
    path at the edge, under the prefix when it is not there already (`/notifications/` served
    by customers is `/customers/notifications/` on the ALB)."""
    path = _edge_path(resource, written)
    return path if path.startswith(prefix) else prefix.rstrip("/") + (path or "/")


def _edge_path(resource: str, written: str) -> str:
    """The resource's path as a URL template, ending in '/' where the route was written so."""
    return resource.replace("+}", "}") + ("/" if written.endswith("/") and resource else "")


def _path_parts(path: str) -> list[tuple[str, str | None]] | str:
    """(path part, parameter name or None) per segment, or why API Gateway cannot route it."""
    segments = [s for s in path.split("/") if s]
    parts: list[tuple[str, str | None]] = []
    for index, segment in enumerate(segments):
        match = _ANGLE.match(segment) or _BRACE.match(segment)
        if match:
            greedy = match["conv"] == "path"
            if greedy and index != len(segments) - 1:
                return "a {path} parameter before the last segment"
            parts.append((f"{{{match['name']}{'+' if greedy else ''}}}", match["name"]))
        elif _LITERAL.match(segment):
            parts.append((segment, None))
        else:
            return f"segment {segment!r} is not a literal or a whole parameter (a regex route?)"
    return parts
