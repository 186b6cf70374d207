"""Stage 7a: a decomposition plan (and its graph) -> one self-contained HTML report.

Python computes every view (overview, context map, DSM, a page per context, extraction
order, AWS diagram) into one dict; the template only loops over it, and the same dict is
embedded as JSON for the interactive context map, so the golden file pins what the report
shows. Scripts are inlined and allowed by their hashes (Content-Security-Policy
`default-src 'none'`): the report cannot load anything from anywhere.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import math
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from typing import Any, TypeAlias

from markupsafe import Markup

from decomposer import templating
from decomposer.models import DecompositionPlan, DependencyGraph, RenderedFile

REPORT_NAME = "report.html"
# The report's template (under templates/).
TEMPLATE = "report/report.html.j2"
CYTOSCAPE = "report/static/cytoscape-3.35.0.min.js"
KERNEL = "(shared kernel)"
# Annotations and TYPE_CHECKING imports are not runtime coupling (README, "Metrics").
STATIC_ONLY = frozenset({"annotation", "type_import"})
# (source unit, target unit) -> runtime dependency locations from one to the other
UnitEdges: TypeAlias = Counter[tuple[str, str]]
_LABEL_CHARS = 28
# The map shows at first at most this many links a context (the heaviest), all on demand.
_LINKS_PER_CONTEXT = 2
# Up to this many contexts, the map sits beside the overview; with more, below it.
_MAP_BESIDE_OVERVIEW = 12
# The map's height in pixels: 560 up to 12 contexts, 20 more for each further one, 900 at most.
_MAP_HEIGHT, _MAP_HEIGHT_MAX, _MAP_HEIGHT_STEP = 560, 900, 20

# Public functions


def render_report(
    plan: DecompositionPlan,
    graph: DependencyGraph | None,
    *,
    unit_edges: UnitEdges | None = None,
) -> RenderedFile:
    """The report of a plan; without its graph the DSM and module-level edges are missing,
    and the report says so. `unit_edges`: `edges_between(graph, units)` of the plan's units,
    if computed already."""
    view = report_view(plan, graph, unit_edges=unit_edges)
    scripts = [templating.read_static(CYTOSCAPE), templating.read_static("report/static/report.js")]
    for script in scripts:
        # Inlined as is: a `</script` inside would end the element early (a packaging bug).
        assert "</script" not in script.lower(), "an inlined script contains </script"
    html = templating.render(
        TEMPLATE,
        view=view,
        data_json=Markup(embeddable_json(view)),
        css=Markup(templating.read_static("report/static/report.css")),
        scripts=[Markup(script) for script in scripts],
        csp=_content_security_policy(scripts),
    )
    return RenderedFile(path=REPORT_NAME, content=html)


def report_view(
    plan: DecompositionPlan,
    graph: DependencyGraph | None,
    *,
    unit_edges: UnitEdges | None = None,
) -> dict[str, Any]:
    """Everything the report shows, as JSON-ready data with a stable order."""
    owners = _owners(plan)
    # dependency locations between placed units: the map and the DSM both show them
    if graph is None:
        unit_edges = None
    elif unit_edges is None:
        unit_edges = edges_between(graph, owners)
    return {
        "repo": plan.repo,
        "tool_version": plan.tool_version,
        "has_graph": graph is not None,
        "problems": list(inconsistencies(plan, graph)),
        "overview": _overview(plan, graph),
        "map": _map(plan, graph, owners, unit_edges),
        "dsm": _dsm(plan, owners, unit_edges),
        "contexts": [_context_page(plan, name) for name in _names(plan)],
        "kernel": {
            "modules": list(plan.shared_kernel.modules),
            "symbols": list(plan.shared_kernel.symbols),
            "reasons": list(plan.shared_kernel.reasons),
        },
        "order": [step.model_dump(mode="json") for step in plan.extraction_order],
        "aws": _aws(plan),
    }


def inconsistencies(plan: DecompositionPlan, graph: DependencyGraph | None) -> tuple[str, ...]:
    """What in the plan does not add up, or does not match the graph, one line each."""
    names = set(_names(plan))
    problems = [f"contexts.{c.name}: has no members" for c in plan.contexts if not _units(c)]
    for dependency in plan.dependencies:
        for end in (dependency.source, dependency.target):
            if end not in names:
                problems.append(
                    f"dependencies: {dependency.source} -> {dependency.target}"
                    f" names {end!r}, which is no context of the plan"
                )
    ordered = [step.context for step in plan.extraction_order]
    problems += [
        f"extraction_order: {name!r} is no context of the plan"
        for name in ordered
        if name not in names
    ]
    problems += [
        f"extraction_order: context {name} is missing" for name in sorted(names - set(ordered))
    ]
    if graph is None:
        return tuple(problems)
    if graph.repo != plan.repo:
        problems.append(f"the plan is of {plan.repo!r} but the graph of {graph.repo!r}")
    nodes = {node.id for node in graph.nodes}
    placed = set(_owners(plan))
    unknown = sorted(placed - nodes)
    if unknown:
        problems.append(f"{len(unknown)} unit(s) of the plan not in the graph: {_few(unknown)}")
    modules = {node.id for node in graph.nodes if node.kind == "module"}
    unplaced = sorted(m for m in modules - placed if not _split_member(m, placed))
    if unplaced:
        problems.append(f"{len(unplaced)} module(s) of the graph in no context: {_few(unplaced)}")
    return tuple(problems)


def embeddable_json(view: dict[str, Any]) -> str:
    """JSON that is safe inside a <script> element: no `<`, `>` or `&` can end it early
    (`</script>`, `<!--`), since they are written as \\u escapes that JSON.parse reads back."""
    text = json.dumps(view, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def edges_between(graph: DependencyGraph, placed: Collection[str]) -> UnitEdges:
    """Runtime dependency locations between the units `placed` in a plan (its contexts' and
    its shared kernel's modules and symbols), self-loops left out: the map and the DSM both
    show them. It needs only the units, so a caller may compute it before the plan is done."""
    weights: UnitEdges = Counter()
    units: dict[str, str | None] = {}  # node -> unit, each node looked up once
    for edge in graph.edges:
        if edge.kind in STATIC_ONLY:
            continue
        source = units.get(edge.source, "")
        if source == "":
            source = units[edge.source] = _unit_of(edge.source, placed)
        target = units.get(edge.target, "")
        if target == "":
            target = units[edge.target] = _unit_of(edge.target, placed)
        if source and target and source != target:
            key = (source, target)
            weights[key] = weights.get(key, 0) + edge.weight  # Counter's += is a call more
    return weights


# Private functions


def _names(plan: DecompositionPlan) -> list[str]:
    return [context.name for context in plan.contexts]


def _units(context: Any) -> tuple[str, ...]:
    return (*context.modules, *context.symbols)


def _few(items: list[str]) -> str:
    return ", ".join(items[:5]) + (f" and {len(items) - 5} more" if len(items) > 5 else "")


def _split_member(module: str, placed: set[str]) -> bool:
    """A split module's symbols are placed one by one; the module itself may be nowhere."""
    return any(unit.startswith(f"{module}:") for unit in placed)


def _owners(plan: DecompositionPlan) -> dict[str, str]:
    """unit -> context name (or KERNEL)."""
    owners = {unit: KERNEL for unit in (*plan.shared_kernel.modules, *plan.shared_kernel.symbols)}
    for context in plan.contexts:
        owners.update(dict.fromkeys(_units(context), context.name))
    return owners


def _unit_of(node: str, placed: Collection[str]) -> str | None:
    if node in placed:
        return node
    module = node.partition(":")[0]
    return module if module in placed else None


def _number(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:.3f}"


def _overview(plan: DecompositionPlan, graph: DependencyGraph | None) -> dict[str, Any]:
    metrics = [
        {"name": v.metric, "label": v.label, "better": v.better, "proposal": _number(v.proposal)}
        | {"as_is": _number(v.as_is), "verdict": v.verdict}
        for v in plan.as_is.comparison or plan.metrics.compare(plan.as_is.metrics)
    ]
    risks = plan.risks
    failures = [str(f) for f in graph.failures] if graph else []
    styles = Counter(d.style for d in plan.dependencies)
    return {
        "size": {
            "files": plan.summary.files,
            "lines": plan.summary.lines,
            "modules": plan.summary.modules,
            "symbols": plan.summary.symbols,
            "orm_models": plan.summary.orm_models,
            "contexts": len(plan.contexts),
            "kernel_units": len(plan.shared_kernel.modules) + len(plan.shared_kernel.symbols),
            "rest": styles["rest"],
            "sqs": styles["sqs"],
        },
        "as_is_contexts": len(plan.as_is.contexts),
        "criterion": plan.selection.criterion,
        "layout": (
            {
                "kind": plan.layout.kind,
                "summary": plan.layout.summary,
                "apps_from": plan.layout.apps_from,
                "notes": list(plan.layout.notes),
                "grouped": plan.layout.grouped(),
            }
            if plan.layout
            else None
        ),
        "shortfall": plan.selection.shortfall(len(plan.contexts)),
        "as_is_verdict": plan.as_is.verdict,
        "metrics": metrics,
        "cycles": [" → ".join((*cycle, cycle[0])) for cycle in risks.cycles],
        "shared_tables": [
            {"model": t.model, "table": t.table or "", "owner": t.owner, "used_by": list(t.used_by)}
            for t in risks.shared_tables
        ],
        "transactions": [
            {"node": t.node, "location": t.location, "contexts": list(t.contexts)}
            for t in risks.distributed_transactions
        ],
        "broken_relations": [r.model_dump(mode="json") for r in risks.broken_relations],
        "parse_failures": risks.parse_failures,
        "failures": failures,
        "unresolved": risks.unresolved,
        "risks": _risks(plan, failures),
    }


def _risks(plan: DecompositionPlan, failures: list[str]) -> list[dict[str, Any]]:
    """The risks the cut has, each with a few examples ("0 tables used across contexts" read
    as a risk: a kind with none is left out)."""
    risks = plan.risks
    examples: dict[str, list[str]] = {
        "cycles": [" → ".join((*cycle, cycle[0])) for cycle in risks.cycles][:3],
        "shared_tables": [
            f"{t.table or t.model} ({t.owner}, used by {', '.join(t.used_by)})"
            for t in risks.shared_tables
        ][:5],
        "transactions": [
            f"{t.node} at {t.location} ({', '.join(t.contexts)})"
            for t in risks.distributed_transactions
        ][:5],
        "parse_failures": failures[:5],
    }
    return [
        {
            "count": count,
            "what": what,
            "examples": examples.get(kind, []),
            "more": 0 < len(examples.get(kind, [])) < count,
            "code": kind == "parse_failures",
        }
        for kind, count, what in risks.found()
    ]


def _map(
    plan: DecompositionPlan,
    graph: DependencyGraph | None,
    owners: dict[str, str],
    unit_edges: UnitEdges | None,
) -> dict[str, Any]:
    """Context nodes (with seed positions on a circle), weighted edges by kind, and the
    members and internal edges each context shows when it is opened."""
    order = {step.context: step.order for step in plan.extraction_order}
    names = _names(plan)
    radius = 120 + 40 * len(names)
    nodes = []
    for index, context in enumerate(plan.contexts):
        angle = 2 * math.pi * index / max(len(names), 1)
        nodes.append(
            {
                "id": context.name,
                "label": _short(context.name),
                "members": len(_units(context)),
                "lines": context.metrics.lines,
                "datastore": context.datastore.kind,
                "order": order.get(context.name, 0),
                "x": round(radius * math.cos(angle), 1),
                "y": round(radius * math.sin(angle), 1),
            }
        )
    known = set(names)
    edges = [
        {
            "source": d.source,
            "target": d.target,
            "kind": d.style,
            "weight": d.weight,
            "detail": d.what(),
        }
        for d in plan.dependencies
        if d.source in known and d.target in known
    ]
    edges += [
        {"source": s, "target": t, "kind": "data", "weight": n, "detail": "ORM data shared"}
        for s, t, n in plan.data_links()
        if s in known and t in known
    ]
    for edge in edges:
        edge["id"] = f"{edge['kind']}:{edge['source']}->{edge['target']}"
    crowd = len(nodes) - _MAP_BESIDE_OVERVIEW
    return {
        "nodes": nodes,
        "edges": edges,
        "min_weight": _heaviest_links(edges, limit=_LINKS_PER_CONTEXT * len(nodes)),
        "wide": len(nodes) > _MAP_BESIDE_OVERVIEW,  # the map gets the page's whole width
        "height": min(_MAP_HEIGHT_MAX, _MAP_HEIGHT + _MAP_HEIGHT_STEP * max(0, crowd)),
    } | _members(plan, graph, owners, unit_edges)


def _heaviest_links(edges: list[dict[str, Any]], *, limit: int) -> int:
    """The least weight the map shows at first: the smallest that leaves at most `limit`
    links (2 a context), so a map of 30 contexts opens on its main links, not a hairball;
    1 (every link) when there are few. The toolbar shows all of them on demand."""
    weights = sorted((edge["weight"] for edge in edges), reverse=True)
    if len(weights) <= limit:
        return 1
    for least in sorted(set(weights)):
        if sum(1 for w in weights if w >= least) <= limit:
            return int(least)
    return int(weights[0])


def _members(
    plan: DecompositionPlan,
    graph: DependencyGraph | None,
    owners: dict[str, str],
    unit_edges: UnitEdges | None,
) -> dict[str, Any]:
    members = {}
    for c in plan.contexts:
        package = _package(c.modules)
        members[c.name] = [{"id": u, "label": _short(_within(u, package), 40)} for u in _units(c)]
    internal: dict[str, list[list[object]]] = defaultdict(list)
    symbols: dict[str, list[str]] = defaultdict(list)
    if graph is not None and unit_edges is not None:
        for (source, target), weight in sorted(unit_edges.items()):
            if owners[source] == owners[target] != KERNEL:
                internal[owners[source]].append([source, target, weight])
        for node in graph.nodes:
            if node.kind != "module" and owners.get(node.module, KERNEL) != KERNEL:
                symbols[node.module].append(node.id.partition(":")[2])
    return {"members": members, "internal": dict(internal), "symbols": dict(symbols)}


def _package(modules: tuple[str, ...]) -> str:
    """The dotted prefix every module of a context shares (`shop.orders`), or ''."""
    parts = [module.split(".") for module in modules]
    common = []
    for names in zip(*parts, strict=False):
        if len(set(names)) > 1:
            break
        common.append(names[0])
    return ".".join(common)


def _within(unit: str, package: str) -> str:
    """A member's name on the map, inside its context: `cart` for `shop.orders.cart` in
    `shop.orders`, `services:place_order` for a symbol; the package itself by its last part.
    The whole name is in the tooltip and the side panel."""
    module, colon, symbol = unit.partition(":")
    if not package or not (module == package or module.startswith(package + ".")):
        return unit
    inner = module[len(package) + 1 :] or package.rpartition(".")[2]
    return f"{inner}{colon}{symbol}"


def _short(name: str, limit: int = _LABEL_CHARS) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _dsm(
    plan: DecompositionPlan, owners: dict[str, str], unit_edges: UnitEdges | None
) -> dict[str, Any]:
    """Dependency locations from each context (row) to each context (column)."""
    names = _names(plan)
    counts: Counter[tuple[str, str]] = Counter()
    if unit_edges is not None:
        for (source, target), weight in unit_edges.items():
            counts[owners[source], owners[target]] += weight
    else:
        for dependency in plan.dependencies:
            counts[dependency.source, dependency.target] += dependency.weight
    peak = max((counts[a, b] for a in names for b in names if a != b), default=0) or 1
    rows = []
    for row in names:
        cells = []
        for column in names:
            count = counts[row, column]
            shade = 0 if row == column or not count else 1 + min(4, 5 * count // (peak + 1))
            cells.append({"count": count, "shade": shade, "is_self": row == column})
        rows.append({"name": row, "cells": cells, "kernel": counts[row, KERNEL]})
    return {"names": names, "rows": rows, "source": "plan" if unit_edges is None else "graph"}


def _context_page(plan: DecompositionPlan, name: str) -> dict[str, Any]:
    context = next(c for c in plan.contexts if c.name == name)
    order = next((s.order for s in plan.extraction_order if s.context == name), 0)
    consumed_from = {
        event: d.source for d in plan.dependencies if d.target == name for event in d.events
    }
    return {
        "name": name,
        "order": order,
        "modules": list(context.modules),
        "symbols": list(context.symbols),
        "metrics": context.metrics.model_dump(mode="json"),
        "cohesion": f"{context.metrics.cohesion:.2f}",
        "entry_points": [e.model_dump(mode="json") for e in context.entry_points],
        "owned_data": [d.model_dump(mode="json") for d in context.owned_data],
        "datastore": context.datastore.model_dump(mode="json"),
        "operations": [o.model_dump(mode="json") for o in context.operations],
        "publishes": list(context.publishes),
        "consumes": [
            {"event": event, "from": consumed_from.get(event, "")} for event in context.consumes
        ],
        "depends_on": [_dependency(d, d.target) for d in plan.dependencies if d.source == name],
        "used_by": [_dependency(d, d.source) for d in plan.dependencies if d.target == name],
        "placements": [
            {"unit": p.unit, "reasons": [r.model_dump(mode="json") for r in p.reasons]}
            for p in context.placements
        ],
    }


def _dependency(dependency: Any, other: str) -> dict[str, Any]:
    return {
        "context": other,
        "style": dependency.style,
        "weight": dependency.weight,
        "reason": dependency.reason,
        "operations": list(dependency.operations),
        "events": list(dependency.events),
        "evidence": [
            f"{e.location} {e.source} → {e.target} ({e.kind})" for e in dependency.evidence
        ],
    }


def _aws(plan: DecompositionPlan) -> dict[str, Any]:
    """Boxes and lines of the target architecture `scaffold` builds, a column per context.

    Lines run between boxes, never across one: the ALB reaches the services along a bus
    above them; each service's datastore and SQS inbox sit side by side below it; a producer's
    events run down the gap between its datastore and inbox, along a lane of its own below
    every box, and up into each consumer's inbox."""
    names = _names(plan)
    width = 80 + _COLUMN * max(len(names), 4)
    middle = width / 2
    boxes = [
        _box("clients", "Clients", middle, 40, "actor"),
        _box("apigw", "Amazon API Gateway", middle, 120, "edge", sub="REST API, VPC link"),
        _box("nlb", "Network Load Balancer", middle, 200, "edge", sub="VPC link target"),
        _box("alb", "Application Load Balancer", middle, 280, "edge", sub="internal"),
        # what watches and protects every part (infra/modules/observability, kms, secrets)
        _box("ops", "CloudWatch, CloudTrail, X-Ray", width - 110, 120, "edge", sub="KMS, Secrets"),
    ]
    chain = [("clients", 40), ("apigw", 120), ("nlb", 200), ("alb", 280)]
    lines = [
        _line(start, end, "rest", [(middle, top + 24), (middle, bottom - 24)])
        for (start, top), (end, bottom) in itertools.pairwise(chain)
    ]
    inboxes = plan.inboxes()
    services_y, below_y = 380, 480
    for index, context in enumerate(plan.contexts):
        x = 40 + _COLUMN * index + _COLUMN / 2
        service = f"svc:{context.name}"
        boxes.append(_box(service, context.name, x, services_y, "service", sub="EC2 Auto Scaling"))
        lines.append(
            _line("alb", service, "rest", [(middle, 304), (middle, 330), (x, 330), (x, 356)])
        )
        if context.datastore.kind != "none":
            store = f"db:{context.name}"
            kind = context.datastore.kind
            boxes.append(_box(store, kind, x - _SIDE, below_y, "store", sub="owned data", w=_SMALL))
            lines.append(_line(service, store, "data", [(x, 404), (x - _SIDE, below_y - 24)]))
        if context.name in inboxes:
            queue = f"q:{context.name}"
            box = _box(queue, "SQS inbox", x + _SIDE, below_y, "queue", sub=context.name, w=_SMALL)
            boxes.append(box | {"title": f"Amazon SQS: {context.name}-inbox"})
            lines.append(_line(queue, service, "sqs", [(x + _SIDE, below_y - 24), (x, 404)]))
    columns = {f"svc:{n}": 40 + _COLUMN * i + _COLUMN / 2 for i, n in enumerate(names)}
    lane = below_y + 50
    senders = sorted({p for producers in inboxes.values() for p in producers}, key=names.index)
    for sender in senders:
        start = columns[f"svc:{sender}"]
        for consumer, producers in inboxes.items():
            if sender in producers:
                end = columns[f"svc:{consumer}"] + _SIDE
                path = [(start, 404), (start, lane), (end, lane), (end, below_y + 24)]
                lines.append(_line(f"svc:{sender}", f"q:{consumer}", "sqs", path))
        lane += 10
    ops_y = lane + 40
    boxes.append(_box("xray", "AWS X-Ray (tracing)", width / 4, ops_y, "ops"))
    boxes.append(
        _box("cloudwatch", "Amazon CloudWatch (logs, metrics)", 3 * width / 4, ops_y, "ops")
    )
    for line in lines:
        line["points"] = " ".join(f"{x:g},{y:g}" for x, y in line.pop("path"))
    return {"width": width, "height": ops_y + 50, "boxes": boxes, "lines": lines}


# The AWS diagram: a column per context; a service's datastore and inbox (narrower boxes)
# sit side by side below it, this far left and right of its centre.
_COLUMN, _BOX, _SMALL, _SIDE = 260, 170, 124, 66


def _box(
    key: str, label: str, cx: float, cy: float, kind: str, *, sub: str = "", w: int = _BOX
) -> dict[str, Any]:
    return {
        "id": key,
        "label": _short(label, 26),
        "title": label,
        "sub": _short(sub, 18) if sub else "",
        "kind": kind,
        "cx": cx,
        "cy": cy,
        "x": cx - w / 2,
        "y": cy - 24,
        "w": w,
    }


def _line(start: str, end: str, kind: str, path: Sequence[tuple[float, float]]) -> dict[str, Any]:
    return {"from": start, "to": end, "kind": kind, "path": path}


def _content_security_policy(scripts: list[str]) -> str:
    """Nothing from anywhere; only these exact inline scripts, inline styles, data: images."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
        for s in scripts
    )
    return (
        f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; img-src data:;"
        " base-uri 'none'; form-action 'none'"
    )
