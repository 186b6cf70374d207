"""Stage 7b, --with-code: where each unit of the monolith moves, and what one service may call
on the others (its clients and events), read from the plan, the service and the sources; and
how a dotted name in the code becomes a unit."""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import libcst as cst
from libcst.metadata import MetadataWrapper

from decomposer.models import DecompositionPlan, ModuleSource, ServiceSpec
from decomposer.wire import dotted as _dotted


@dataclass(frozen=True)
class Signature:
    """What a call of a monolith function may pass, read from its `def`."""

    kind: Literal["function", "class", "method"]
    params: tuple[str, ...] = ()
    positional: int = 0
    has_star: bool = False
    orm_params: Mapping[str, str] = field(default_factory=dict)
    orm_return: str | None = None

    def bind(self, keywords: Sequence[str | None]) -> tuple[str, ...] | None:
        """The parameter each argument binds (`keywords`: its keyword, or None when passed by
        position), or None if the arguments do not fit."""
        bound: list[str] = []
        for index, keyword in enumerate(keywords):
            if keyword is None and index >= self.positional:
                return None
            name = keyword or self.params[index]
            if name not in self.params or name in bound:
                return None
            bound.append(name)
        return tuple(bound)


@dataclass
class Boundary:
    """Where each unit of the monolith goes, and what one service may call on the others."""

    service: ServiceSpec
    plan: DecompositionPlan
    sources: Mapping[str, ModuleSource]
    modules: frozenset[str]
    module_owner: dict[str, str]
    symbol_owner: dict[str, str]
    operations: dict[str, tuple[str, str, str]]  # target -> (context, operation, style)
    clients: dict[str, frozenset[str]]  # context -> REST operations of its client
    events: dict[str, tuple[str, ...]]  # event this service publishes -> consumers
    handlers: dict[str, tuple[str, tuple[str, ...]]]  # handler node -> (context, events)
    local_events: frozenset[str]
    orm_models: frozenset[str]
    depends_on: frozenset[str]
    _signatures: dict[str, dict[str, Signature]] = field(default_factory=dict)
    # Parsed modules with their metadata, shared by the services: the symbols of a split
    # module are copied into several, and LibCST's scope analysis is the slow part.
    trees: dict[str, tuple[str, MetadataWrapper]] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        plan: DecompositionPlan,
        service: ServiceSpec,
        sources: Mapping[str, ModuleSource],
        *,
        trees: dict[str, tuple[str, MetadataWrapper]] | None = None,
    ) -> Boundary:
        kernel = plan.shared_kernel
        events = {e.name: [i.consumer for i in e.inboxes] for e in service.publishes}
        this = next(c for c in plan.contexts if c.name == service.name)
        return cls(
            service=service,
            plan=plan,
            sources=sources,
            modules=frozenset(
                [*sources, *kernel.modules, *plan.split_modules]
                + [m for c in plan.contexts for m in c.modules]
            ),
            module_owner={m: c.name for c in plan.contexts for m in c.modules},
            symbol_owner={s: c.name for c in plan.contexts for s in c.symbols},
            operations={
                op.target: (c.name, op.name, op.style) for c in plan.contexts for op in c.operations
            },
            clients={c.service: frozenset(op.name for op in c.operations) for c in service.clients},
            events={name: tuple(sorted(consumers)) for name, consumers in events.items()},
            handlers=_handlers(plan),
            local_events=frozenset(
                e.name for e in this.entry_points if e.kind in ("event_handler", "signal_receiver")
            ),
            orm_models=frozenset(o.model for c in plan.contexts for o in c.owned_data),
            depends_on=frozenset(service.depends_on),
            trees={} if trees is None else trees,
        )

    def node_of(self, dotted: str) -> str | None:
        """`shop.models.Order` -> `shop.models:Order`; a module stays dotted; None if unknown."""
        parts = dotted.split(".")
        for cut in range(len(parts), 0, -1):
            module = ".".join(parts[:cut])
            if module in self.modules:
                rest = ".".join(parts[cut:])
                return f"{module}:{rest}" if rest else module
        return None

    def owner(self, node: str) -> str | None:
        """The context a node moves to; None for the shared kernel and unknown code."""
        module, _, name = node.partition(":")
        if name:
            top = f"{module}:{name.split('.')[0]}"
            for candidate in (node, top):
                if candidate in self.symbol_owner:
                    return self.symbol_owner[candidate]
        return self.module_owner.get(module)

    def plan_entry(self, context: str, operation: str | None) -> str:
        """The plan entry a crossing site belongs to, for markers and MIGRATION.md."""
        ops = {name for owner, name, _ in self.operations.values() if owner == context}
        label = "operation" if operation in ops else "event"
        if context in self.depends_on:
            entry = f"dependencies {self.service.name} -> {context}"
            return entry + (f", {label} {operation}" if operation else "")
        return f"contexts.{context}" + (f", {label} {operation}" if operation else "")

    def may_cross(self, source: ModuleSource) -> bool:
        """Whether a module imports another context's code or names an event another context
        consumes: a cheap test with Python's own parser before LibCST's slower analysis."""
        try:
            tree = ast.parse(source.text)
        except (SyntaxError, ValueError):
            return True  # LibCST reports where
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if node.value in self.events:
                    return True
                continue
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = absolute_module(node.module or "", node.level, source)
                names = [base, *(f"{base}.{alias.name}".lstrip(".") for alias in node.names)]
            else:
                continue
            for name in names:
                unit = self.node_of(name)
                if unit and self.owner(unit) not in (None, self.service.name):
                    return True
        return False

    def signature(self, node: str) -> Signature | None:
        module, _, name = node.partition(":")
        if module not in self._signatures:
            source = self.sources.get(module)
            self._signatures[module] = self._read_signatures(source) if source else {}
        return self._signatures[module].get(name)

    def _read_signatures(self, source: ModuleSource) -> dict[str, Signature]:
        try:
            tree = ast.parse(source.text)
        except (SyntaxError, ValueError):
            return {}
        table = _import_table(tree, source)
        found: dict[str, Signature] = {}
        for statement in tree.body:
            if isinstance(statement, ast.ClassDef):
                found[statement.name] = Signature(kind="class")
                for inner in statement.body:
                    if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        found[f"{statement.name}.{inner.name}"] = Signature(kind="method")
            elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found[statement.name] = self._function(statement, table)
        return found

    def _function(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, table: dict[str, str]
    ) -> Signature:
        arguments = node.args
        positional = [*arguments.posonlyargs, *arguments.args]
        every = [*positional, *arguments.kwonlyargs]
        orm = {a.arg: m for a in every if a.annotation and (m := self._orm(a.annotation, table))}
        return Signature(
            kind="function",
            params=tuple(a.arg for a in every),
            positional=len(positional),
            has_star=bool(arguments.vararg or arguments.kwarg),
            orm_params=orm,
            orm_return=self._orm(node.returns, table) if node.returns else None,
        )

    def _orm(self, annotation: ast.expr, table: dict[str, str]) -> str | None:
        """The ORM model an annotation names (`Order`, `Order | None`, `"Order"`), if any."""
        for dotted in sorted(_annotation_names(annotation, table)):
            node = self.node_of(dotted)
            if node in self.orm_models:
                return node
        return None


# Public functions


def absolute_module(name: str, level: int, source: ModuleSource) -> str:
    """The absolute module of `from <level dots><name> import ...` in `source`."""
    if not level:
        return name
    package = source.module if source.is_package else source.module.rpartition(".")[0]
    parts = package.split(".") if package else []
    base = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
    return ".".join([*base, *([name] if name else [])])


def chain(node: cst.BaseExpression) -> list[cst.CSTNode]:
    """Every Name and Attribute of a dotted chain (`a.b.c`): where scope analysis records
    the use of an imported name."""
    found: list[cst.CSTNode] = []
    while isinstance(node, cst.Attribute):
        found.append(node)
        node = node.value
    if isinstance(node, cst.Name):
        found.append(node)
    return found


def cst_dotted(node: cst.CSTNode | None) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = cst_dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


# Private functions


def _handlers(plan: DecompositionPlan) -> dict[str, tuple[str, tuple[str, ...]]]:
    found: dict[str, tuple[str, tuple[str, ...]]] = {}
    for context in plan.contexts:
        for entry in context.entry_points:
            if entry.kind in ("event_handler", "signal_receiver"):
                events = found.get(entry.handler, (context.name, ()))[1]
                found[entry.handler] = (context.name, tuple(sorted({*events, entry.name})))
    return found


def _import_table(tree: ast.Module, source: ModuleSource) -> dict[str, str]:
    """Local name -> dotted name it stands for, in one module."""
    table: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    table[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    table[top] = top
        elif isinstance(node, ast.ImportFrom):
            base = absolute_module(node.module or "", node.level, source)
            for alias in node.names:
                table[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
    for statement in tree.body:
        if isinstance(statement, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            table[statement.name] = f"{source.module}.{statement.name}"
    return table


def _annotation_names(annotation: ast.expr, table: dict[str, str]) -> set[str]:
    names = set()
    for node in ast.walk(annotation):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                names |= _annotation_names(ast.parse(node.value, mode="eval").body, table)
            except SyntaxError:
                continue
        elif isinstance(node, (ast.Name, ast.Attribute)):
            dotted = _dotted(node)
            if dotted:
                first, _, rest = dotted.partition(".")
                if first in table:
                    names.add(table[first] + (f".{rest}" if rest else ""))
    return names
