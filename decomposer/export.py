"""Stage 7a': a decomposition plan (and its graph) -> files other tools read: Graphviz DOT and
Mermaid of the context map, a C4 model in Structurizr DSL, and the graph as GraphML."""

from __future__ import annotations

import re
from typing import Literal

from decomposer.models import DecompositionPlan, DependencyGraph, RenderedFile

ExportFormat = Literal["dot", "mermaid", "structurizr", "graphml"]
FORMATS: tuple[ExportFormat, ...] = ("dot", "mermaid", "structurizr", "graphml")
FILE_NAMES: dict[ExportFormat, str] = {
    "dot": "context-map.dot",
    "mermaid": "context-map.mmd",
    "structurizr": "workspace.dsl",
    "graphml": "graph.graphml",
}
_COLOURS = {"rest": "#2563eb", "sqs": "#d97706", "data": "#7c3aed"}

# Public functions


def render_exports(
    plan: DecompositionPlan,
    graph: DependencyGraph | None,
    formats: tuple[ExportFormat, ...] = FORMATS,
) -> list[RenderedFile]:
    """One file per format, sorted by path."""
    renderers = {
        "dot": lambda: _dot(plan),
        "mermaid": lambda: _mermaid(plan),
        "structurizr": lambda: _structurizr(plan),
        "graphml": lambda: _graphml(plan, graph),
    }
    rendered = [RenderedFile(path=FILE_NAMES[f], content=renderers[f]()) for f in formats]
    return sorted(rendered, key=lambda file: file.path)


# Private functions


def _links(plan: DecompositionPlan) -> list[tuple[str, str, str, int, str]]:
    """(source, target, kind, weight, what) for every link of the context map."""
    names = {context.name for context in plan.contexts}
    links: list[tuple[str, str, str, int, str]] = [
        (
            d.source,
            d.target,
            d.style,
            d.weight,
            d.what(),
        )
        for d in plan.dependencies
    ]
    links += [(s, t, "data", n, "ORM data shared") for s, t, n in plan.data_links()]
    return [link for link in links if link[0] in names and link[1] in names]


def _quoted(text: str) -> str:
    """A DOT / Structurizr double-quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _dot(plan: DecompositionPlan) -> str:
    lines = [
        f"digraph {_quoted(plan.repo + ' context map')} {{",
        "  graph [rankdir=LR, fontname=Helvetica];",
        '  node [shape=box, style="rounded,filled", fillcolor="#dbeafe", fontname=Helvetica];',
        "  edge [fontname=Helvetica, fontsize=10];",
    ]
    for context in plan.contexts:
        members = len(context.modules) + len(context.symbols)
        label = f"{context.name}\n{members} members, {context.datastore.kind}"
        lines.append(f"  {_quoted(context.name)} [label={_quoted(label)}];")
    for source, target, kind, weight, _ in _links(plan):
        style = {"rest": "solid", "sqs": "dashed", "data": "dotted"}[kind]
        lines.append(
            f"  {_quoted(source)} -> {_quoted(target)} [label={_quoted(f'{kind} {weight}')},"
            f' color="{_COLOURS[kind]}", style={style}, penwidth={1 + min(weight, 20) / 4:.2f}];'
        )
    return "\n".join([*lines, "}"]) + "\n"


def _mermaid_text(text: str) -> str:
    """Mermaid has no escape character in labels; HTML entities are its documented way."""
    return re.sub(r'["<>&#]', lambda m: f"#{ord(m.group())};", text)


def _mermaid(plan: DecompositionPlan) -> str:
    ids = {context.name: f"c{index}" for index, context in enumerate(plan.contexts)}
    lines = ["flowchart LR"]
    for context in plan.contexts:
        members = len(context.modules) + len(context.symbols)
        label = _mermaid_text(f"{context.name} ({members} members, {context.datastore.kind})")
        lines.append(f'  {ids[context.name]}["{label}"]')
    arrows = {"rest": "-->", "sqs": "-.->", "data": "==>"}
    for source, target, kind, weight, _ in _links(plan):
        lines.append(f'  {ids[source]} {arrows[kind]}|"{kind} {weight}"| {ids[target]}')
    if ids:
        lines += [
            "  classDef context fill:#dbeafe,stroke:#1d4ed8",
            f"  class {','.join(ids.values())} context",
        ]
    return "\n".join(lines) + "\n"


def _structurizr(plan: DecompositionPlan) -> str:
    """A C4 container model: one container per context, one database per datastore."""
    lines = [
        f"workspace {_quoted(plan.repo)} {_quoted('Decomposition proposed by decomposer')} {{",
        "  model {",
        '    user = person "User"',
        f"    system = softwareSystem {_quoted(plan.repo)} {{",
        '      gateway = container "API Gateway" "Routes requests through a VPC link and a'
        ' Network Load Balancer to the internal Application Load Balancer" "Amazon API Gateway"',
    ]
    ids = {context.name: f"ctx_{context.name}" for context in plan.contexts}
    for context in plan.contexts:
        summary = f"{len(context.modules)} modules, {len(context.symbols)} symbols"
        lines.append(
            f"      {ids[context.name]} = container {_quoted(context.name)}"
            f' {_quoted(summary)} "EC2 Auto Scaling group behind the internal ALB"'
        )
        if context.datastore.kind != "none":
            lines.append(
                f"      db_{context.name} = container {_quoted(context.name + ' data')}"
                f' "Owned data" {_quoted(context.datastore.kind)} {{'
            )
            lines += ['        tags "Database"', "      }"]
    inboxes = plan.inboxes()  # the queues infra/ builds
    for consumer in inboxes:
        lines.append(
            f"      q_{consumer} = container {_quoted(consumer + '-inbox')}"
            f' "Events sent to {consumer}" "Amazon SQS" {{'
        )
        lines += ['        tags "Queue"', "      }"]
    lines += ["    }", '    user -> gateway "Uses" "HTTPS"']
    for context in plan.contexts:
        if context.entry_points:
            lines.append(f'    gateway -> {ids[context.name]} "Routes to" "HTTPS"')
        if context.datastore.kind != "none":
            lines.append(f'    {ids[context.name]} -> db_{context.name} "Reads and writes"')
    for source, target, kind, weight, what in _links(plan):
        if kind != "rest":  # events go through the inboxes below; data is no call
            continue
        description = what or f"{weight} dependencies"
        lines.append(f'    {ids[source]} -> {ids[target]} {_quoted(description)} "REST/HTTPS"')
    for consumer, producers in inboxes.items():
        lines.append(f'    q_{consumer} -> {ids[consumer]} "Delivers events" "Amazon SQS"')
        lines += [f'    {ids[p]} -> q_{consumer} "Sends events" "Amazon SQS"' for p in producers]
    lines += [
        "  }",
        "  views {",
        '    container system "containers" {',
        "      include *",
        "      autoLayout lr",
        "    }",
        "    styles {",
        '      element "Database" {',
        "        shape cylinder",
        "      }",
        '      element "Queue" {',
        "        shape pipe",
        "      }",
        "    }",
        "  }",
        "}",
    ]
    return "\n".join(lines) + "\n"


def _graphml(plan: DecompositionPlan, graph: DependencyGraph | None) -> str:
    """The module and symbol graph, each node with its context; without a graph, the
    context map. Streamed from the models (networkx's writer took seconds on a big graph); the
    same document networkx writes for a MultiDiGraph keyed by the edge's kind."""
    owners = {
        u: "shared_kernel" for u in (*plan.shared_kernel.modules, *plan.shared_kernel.symbols)
    }
    for context in plan.contexts:
        owners.update(dict.fromkeys((*context.modules, *context.symbols), context.name))
    nodes: dict[str, dict[str, _Value]] = {}
    # source -> target -> kind -> the edge's data, in the order each was first seen (a later
    # edge of the same three replaces the data)
    edges: dict[str, dict[str, dict[str, tuple[tuple[str, _Value], ...]]]] = {}

    def add_edge(source: str, target: str, attributes: tuple[tuple[str, _Value], ...]) -> None:
        nodes.setdefault(source, {})
        nodes.setdefault(target, {})
        key = str(attributes[0][1])  # the kind
        edges.setdefault(source, {}).setdefault(target, {})[key] = attributes

    if graph is None:
        for context in plan.contexts:
            nodes.setdefault(context.name, {}).update(kind="context", context=context.name)
        for source, target, kind, weight, _ in _links(plan):
            add_edge(source, target, (("kind", kind), ("weight", weight)))
    else:
        for node in graph.nodes:
            nodes.setdefault(node.id, {}).update(
                kind=node.kind,
                module=node.module,
                path=node.path,
                line=node.line,
                lines=node.lines,
                context=owners.get(node.id) or owners.get(node.module, ""),
            )
        for edge in graph.edges:
            add_edge(
                edge.source,
                edge.target,
                (("kind", edge.kind), ("weight", edge.weight), ("certainty", edge.certainty)),
            )
    keys: dict[tuple[str, str, str], str] = {}
    quoted = {node_id: _attribute(node_id) for node_id in nodes}  # each id quoted once
    element = _GraphmlWriter(keys)
    body = ['  <graph edgedefault="directed">']
    for node_id, attributes in nodes.items():
        body.append(element("node", f"id={quoted[node_id]}", attributes))
    # the <data> lines of an edge, by its data: few kinds, weights and certainties repeat
    blocks: dict[tuple[tuple[str, _Value], ...], str] = {}
    key_ids: dict[str, str] = {}  # each edge kind quoted once
    for source, targets in edges.items():
        for target, kinds in targets.items():
            ends = f"source={quoted[source]} target={quoted[target]}"
            for key, data in kinds.items():
                block = blocks.get(data)
                if block is None:
                    block = blocks[data] = element.data_lines("edge", dict(data))
                key_id = key_ids.get(key) or key_ids.setdefault(key, _attribute(key))
                body.append(f"    <edge {ends} id={key_id}>\n{block}\n    </edge>")
    head = [
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns'
        ' http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">'
    ]
    head += [
        f'  <key id="{key_id}" for="{scope}" attr.name={_attribute(name)} attr.type="{kind}" />'
        for (scope, name, kind), key_id in reversed(keys.items())
    ]
    return "\n".join([*head, *body, "  </graph>", "</graphml>"]) + "\n"


_Value = str | int | float
_GRAPHML_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}


class _GraphmlWriter:
    """Writes a node or an edge with its data, registering each attribute's key in `keys`.
    The `<data>` lines are memoised by (tag, name, value): on a big graph most values (kinds,
    certainties, contexts, modules) repeat, and escaping them again cost seconds."""

    def __init__(self, keys: dict[tuple[str, str, str], str]) -> None:
        self.keys = keys
        self.lines: dict[tuple[str, str, type, _Value], str] = {}

    def __call__(self, tag: str, opening: str, attributes: dict[str, _Value]) -> str:
        if not attributes:
            return f"    <{tag} {opening} />"
        return f"    <{tag} {opening}>\n{self.data_lines(tag, attributes)}\n    </{tag}>"

    def data_lines(self, tag: str, attributes: dict[str, _Value]) -> str:
        """The `<data>` lines of a node or an edge (at least one attribute)."""
        lines = []
        memo = self.lines
        for name, value in attributes.items():
            # the type is part of the key: 1, 1.0 and True are equal in a dict
            line = memo.get((tag, name, type(value), value))
            if line is None:
                line = memo[(tag, name, type(value), value)] = self._data(tag, name, value)
            lines.append(line)
        return "\n".join(lines)

    def _data(self, tag: str, name: str, value: _Value) -> str:
        key = (tag, name, _GRAPHML_TYPES[type(value)])
        key_id = self.keys.setdefault(key, f"d{len(self.keys)}")
        text = str(value).lower() if isinstance(value, bool) else str(value)
        if text:
            return f'      <data key="{key_id}">{_escape(text)}</data>'
        return f'      <data key="{key_id}" />'


def _attribute(value: str) -> str:
    """An XML attribute value, quoted and escaped as ElementTree writes it."""
    return '"' + _escape(value, _ATTRIBUTE_ENTITIES) + '"'


_ATTRIBUTE_ENTITIES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#09;"}


def _escape(text: str, entities: dict[str, str] | None = None) -> str:
    """XML text escaped as xml.sax.saxutils.escape does (that module imports urllib, http and
    ssl: 0.1 s of every command's start); most names need nothing, and are returned as is."""
    if _SPECIAL.search(text) is None:
        return text
    text = text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    for char, entity in (entities or {}).items():
        text = text.replace(char, entity)
    return text


_SPECIAL = re.compile(r'[&<>"\n\r\t]')
