"""Stage 7b, --with-code: find the sites of one module that cross into another context, and
decide for each what it becomes (a client call, a published event) or why it stays.

`CrossingAnalysis` only reads the tree; `rewrite.py` applies its decisions, keyed by node.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import libcst as cst
from libcst.metadata import (
    PositionProvider,
    QualifiedNameSource,
    ScopeProvider,
)

from decomposer import wire
from decomposer.models import LeftReason, ModuleSource, RewriteNote
from decomposer.scaffold.boundary import Boundary, Signature, absolute_module, chain, cst_dotted

# The module of every service package that rewritten code calls (templates/service/package).
OUTBOUND = "outbound"
MARKER = "# decomposer:"

# Methods of an in-process event bus that publish `(event_name, payload)`.
_EMIT_METHODS = frozenset({"publish", "emit", "fire", "trigger", "dispatch"})


@dataclass(frozen=True)
class Replacement:
    """How one call is rewritten: a client call (rest), or an event (sqs, emit, handler)."""

    kind: Literal["rest", "sqs", "emit", "handler"]
    context: str
    name: str  # operation or event
    params: tuple[str, ...] = ()
    uses_result: bool = False


class CrossingAnalysis(cst.CSTVisitor):
    """Finds every site that crosses into another context and decides what becomes of it;
    `rewrite.Apply` then changes the same tree, keyed by the original nodes."""

    # Parents come from the traversal's own stack and qualified names straight from the
    # scopes: LibCST's ParentNodeProvider and QualifiedNameProvider each cost a pass per module.
    METADATA_DEPENDENCIES = (PositionProvider, ScopeProvider)

    def __init__(
        self, source: ModuleSource, *, boundary: Boundary, keep: frozenset[str] | None
    ) -> None:
        super().__init__()
        self.source = source
        self.boundary = boundary
        self.keep = keep
        self.name = boundary.service.name
        self.replacements: dict[cst.Call, Replacement] = {}
        self.markers: dict[cst.CSTNode, list[str]] = {}
        self.removed_aliases: set[cst.ImportAlias] = set()
        self.dropped: set[cst.CSTNode] = set()
        self.kept_from_module: list[str] = []
        self.outbound = OUTBOUND
        self.rewritten: list[RewriteNote] = []
        self.left: list[RewriteNote] = []
        self._statements: list[cst.CSTNode] = []
        self._imports: list[tuple[cst.CSTNode, cst.CSTNode, cst.ImportAlias, str, str, str]] = []
        self._rewritten_roots: set[cst.CSTNode] = set()
        self._dropped_lines: list[tuple[int, int]] = []
        self._kept_lines: list[tuple[int, int]] = []
        self._kept_statements: list[cst.CSTNode] = []
        self._stack: list[cst.CSTNode] = []

    # -- traversal

    def on_visit(self, node: cst.CSTNode) -> bool:
        self._stack.append(node)
        if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            if self.keep is not None and isinstance(self._parent(node), cst.Module):
                if not self._is_kept(node):
                    self.dropped.add(node)
                    self._dropped_lines.append(self._lines(node))
                    return False
                self._kept_lines.append(self._lines(node))
                self._kept_statements.append(node)
            self._statements.append(node)
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        super().on_leave(original_node)
        self._stack.pop()
        if self._statements and self._statements[-1] is original_node:
            self._statements.pop()

    def visit_Module(self, node: cst.Module) -> None:
        scope = self.get_metadata(ScopeProvider, node)
        if scope is not None and OUTBOUND in scope:
            self.outbound = f"_{OUTBOUND}"

    def leave_Module(self, original_node: cst.Module) -> None:
        for statement, node, alias, bound, target, context in self._imports:
            self._import_outcome(statement, node, alias, bound, target, context)
        if self.keep is not None:
            self.kept_from_module = self._names_used_from_module(original_node)

    def visit_Annotation(self, node: cst.Annotation) -> bool:
        return False  # a type is not a call: the import of the name is what gets marked

    def visit_Import(self, node: cst.Import) -> bool:
        for alias in node.names:
            dotted = cst_dotted(alias.name) or ""
            self._import(node, alias, dotted, alias.evaluated_alias or dotted)
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        module = cst_dotted(node.module) if node.module else ""
        base = absolute_module(module or "", len(node.relative), self.source)
        if isinstance(node.names, cst.ImportStar):
            crossing = self._owner_of_dotted(base)
            if crossing:
                self._leave(node, *crossing, None, "direct-use", "a star import of its module")
            return False
        for alias in node.names:
            name = alias.evaluated_name
            self._import(
                node, alias, f"{base}.{name}" if base else name, alias.evaluated_alias or name
            )
        return False

    def visit_Call(self, node: cst.Call) -> bool:
        crossing = self._crossing(node.func)
        if crossing:
            self._crossing_call(node, *crossing)
        else:
            self._emit(node)
        return True

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if cst_dotted(node) is None:
            return True
        self._reference(node)
        return False

    def visit_Name(self, node: cst.Name) -> bool:
        self._reference(node)
        return False

    # -- decisions

    def _crossing_call(self, call: cst.Call, target: str, context: str) -> None:
        boundary = self.boundary
        operation = boundary.operations.get(target)
        handler = boundary.handlers.get(target)
        if operation and operation[0] == context:
            name = operation[1]
            if name in boundary.clients.get(context, ()):
                self._rewrite_operation(call, target, Replacement("rest", context, name))
            elif context in boundary.events.get(name, ()):
                self._rewrite_operation(call, target, Replacement("sqs", context, name))
            else:
                self._leave(
                    call, target, context, name, "no-client",
                    f"the plan gives {self.name} no client or event for operation {name}",
                )  # fmt: skip
            return
        if handler and handler[0] == context:
            events = [e for e in handler[1] if context in boundary.events.get(e, ())]
            if events:
                self._rewrite_handler(call, target, Replacement("handler", context, events[0]))
                return
        if target in boundary.orm_models:
            self._leave(
                call, target, context, None, "orm-model",
                f"creates the ORM model {target}: keep its id and ask {context} over REST",
            )  # fmt: skip
            return
        self._leave(
            call, target, context, None, "not-an-operation",
            f"{target} is no operation of {context} in the plan: add one, or keep it local",
        )  # fmt: skip

    def _rewrite_operation(self, call: cst.Call, target: str, plan: Replacement) -> None:
        signature = self.boundary.signature(target)
        reason = self._unsafe_arguments(call, target)
        keywords = [arg.keyword.value if arg.keyword else None for arg in call.args]
        params = signature.bind(keywords) if signature and reason is None else None
        mismatch: tuple[LeftReason, str] = (
            "argument-mismatch",
            f"the arguments do not match the parameters of {target}",
        )
        if signature and params is not None:
            reason = self._unsafe_use(call, plan.kind, signature, params)
        if reason is not None or params is None:
            self._leave(call, target, plan.context, plan.name, *(reason or mismatch))
            return
        discarded = isinstance(self._parent(call), cst.Expr)
        self._accept(call, target, replace(plan, params=params, uses_result=not discarded))

    def _rewrite_handler(self, call: cst.Call, target: str, plan: Replacement) -> None:
        if len(call.args) != 1 or call.args[0].star or call.args[0].keyword:
            self._leave(
                call, target, plan.context, plan.name, "argument-mismatch",
                "an event handler called with anything but one payload",
            )  # fmt: skip
        elif not isinstance(self._parent(call), cst.Expr):
            self._leave(
                call, target, plan.context, plan.name, "result-used",
                "its result is used, but an event has no answer",
            )  # fmt: skip
        else:
            self._accept(call, target, plan)

    def _emit(self, call: cst.Call) -> None:
        """`events.publish("order_placed", payload)` of an event another context consumes."""
        func = call.func
        if not (isinstance(func, cst.Attribute) and func.attr.value in _EMIT_METHODS):
            return
        first = call.args[0].value if call.args else None
        event = first.evaluated_value if isinstance(first, cst.SimpleString) else None
        consumers = self.boundary.events.get(event) if isinstance(event, str) else None
        if not consumers or not isinstance(event, str):
            return
        context = consumers[0]
        reason: tuple[LeftReason, str] | None = None
        if any(arg.star or arg.keyword for arg in call.args) or len(call.args) > 2:
            reason = ("argument-mismatch", "published with more than an event name and a payload")
        elif event in self.boundary.local_events:
            reason = (
                "handled-locally",
                f"{event} is also handled inside {self.name}: SQS alone would skip that handler",
            )
        elif not isinstance(self._parent(call), cst.Expr):
            reason = ("result-used", "its result is used, but SQS gives no answer")
        if reason:
            self._leave(call, event, context, event, *reason)
        else:
            self._accept(call, event, Replacement("emit", context, event))

    def _unsafe_arguments(self, call: cst.Call, target: str) -> tuple[LeftReason, str] | None:
        if any(arg.star for arg in call.args):
            return ("star-arguments", "it passes *args or **kwargs: the argument names are unknown")
        signature = self.boundary.signature(target)
        if signature is None:
            return ("no-signature", f"no definition of {target} found to name its arguments")
        if signature.kind != "function":
            return ("not-a-function", f"{target} is a {signature.kind}, not a function")
        return None

    def _unsafe_use(
        self, call: cst.Call, kind: str, signature: Signature, params: tuple[str, ...]
    ) -> tuple[LeftReason, str] | None:
        for param in params:
            model = signature.orm_params.get(param)
            if model:
                return ("orm-argument", f"argument {param} is the ORM model {model}: send its id")
        parent = self._parent(call)
        discarded = isinstance(parent, cst.Expr)
        if kind != "rest" and not discarded:
            return ("result-used", "its result is used, but an event has no answer")
        if _used_as_object(call, parent):
            return ("result-used", "its result is used as an object; the client returns JSON")
        if signature.orm_return and not discarded:
            return (
                "orm-result",
                f"it returns the ORM model {signature.orm_return}; over REST the caller gets JSON",
            )
        return None

    def _accept(self, call: cst.Call, target: str, replacement: Replacement) -> None:
        self.replacements[call] = replacement
        self._rewritten_roots.update(chain(call.func))
        self.rewritten.append(
            RewriteNote(
                location=self._location(call),
                context=replacement.context,
                target=target,
                operation=replacement.name,
                kind="rest-call" if replacement.kind == "rest" else "event-publish",
                detail=_describe(replacement, self.outbound),
            )
        )

    def _reference(self, node: cst.Name | cst.Attribute) -> None:
        parent = self._parent(node)
        if isinstance(parent, cst.Call) and parent.func is node:
            return
        crossing = self._crossing(node)
        if not crossing:
            return
        target, context = crossing
        if target in self.boundary.orm_models:
            self._leave(
                node, target, context, None, "orm-model",
                f"uses the ORM model {target}: keep its id and ask {context} over REST",
            )  # fmt: skip
        else:
            self._leave(node, target, context, None, "direct-use", f"uses {target} directly")

    def _import(self, node: cst.CSTNode, alias: cst.ImportAlias, dotted: str, bound: str) -> None:
        crossing = self._owner_of_dotted(dotted)
        if crossing and self._statements:
            target, context = crossing
            self._imports.append((self._statements[-1], node, alias, bound, target, context))

    def _import_outcome(
        self,
        statement: cst.CSTNode,
        node: cst.CSTNode,
        alias: cst.ImportAlias,
        bound: str,
        target: str,
        context: str,
    ) -> None:
        scope = self.get_metadata(ScopeProvider, node, None)
        uses = [
            access.node
            for assignment in (scope.assignments[bound] if scope and bound in scope else ())
            if getattr(assignment, "node", None) is node
            for access in assignment.references
            if access.node not in self._rewritten_roots
            and not self._within(access.node, self._dropped_lines)
        ]
        if uses:
            self._leave(
                node, target, context, None, "import-still-used",
                f"{bound} is still used {len(uses)} time(s) in this module",
                statement=statement,
            )  # fmt: skip
            return
        self.removed_aliases.add(alias)
        self.rewritten.append(
            RewriteNote(
                location=self._location(node),
                context=context,
                target=target,
                kind="import-removed",
                detail=f"import of {bound} removed: nothing here uses it any more",
            )
        )

    def _leave(
        self,
        node: cst.CSTNode,
        target: str,
        context: str,
        operation: str | None,
        kind: LeftReason,
        detail: str,
        *,
        statement: cst.CSTNode | None = None,
    ) -> None:
        where = statement or (self._statements[-1] if self._statements else None)
        note = RewriteNote(
            location=self._location(node),
            context=context,
            target=target,
            operation=operation,
            kind=kind,
            detail=detail,
        )
        if note in self.left:
            return
        self.left.append(note)
        if where is not None:
            entry = self.boundary.plan_entry(context, operation)
            comment = f"{MARKER} crosses into {context} (plan: {entry}) — not rewritten: {detail}"
            comments = self.markers.setdefault(where, [])
            if comment not in comments:
                comments.append(comment)

    # -- names

    def _crossing(self, node: cst.CSTNode) -> tuple[str, str] | None:
        """(target node, context) when `node` names a unit of another context."""
        scope = self.get_metadata(ScopeProvider, node, None)
        names = scope.get_qualified_names_for(node) if scope else set()
        for qualified in sorted(names, key=lambda q: (q.source.value, q.name)):
            if qualified.source == QualifiedNameSource.IMPORT:
                dotted = self._absolute(qualified.name)
            elif qualified.source == QualifiedNameSource.LOCAL:
                dotted = f"{self.source.module}.{qualified.name}"
            else:
                continue
            crossing = self._owner_of_dotted(dotted)
            if crossing:
                return crossing
        return None

    def _owner_of_dotted(self, dotted: str) -> tuple[str, str] | None:
        node = self.boundary.node_of(dotted)
        owner = self.boundary.owner(node) if node else None
        if node and owner and owner != self.name:
            return node, owner
        return None

    def _absolute(self, name: str) -> str:
        level = len(name) - len(name.lstrip("."))
        return absolute_module(name[level:], level, self.source) if level else name

    def _names_used_from_module(self, module: cst.Module) -> list[str]:
        """Top-level names of a split module that the kept symbols use but do not define."""
        scope = self.get_metadata(ScopeProvider, module, None)
        if scope is None:
            return []
        keep = self.keep or frozenset()
        used = set()
        for assignment in scope.assignments:
            node = getattr(assignment, "node", None)
            name = assignment.name
            if isinstance(node, (cst.Import, cst.ImportFrom)) or name in keep or name[:2] == "__":
                continue
            uses = sorted(
                (a.node for a in assignment.references if self._within(a.node, self._kept_lines)),
                key=lambda use: self._lines(use),
            )
            if not uses:
                continue
            used.add(name)
            crossing = self._owner_of_dotted(f"{self.source.module}.{name}")
            if crossing and not any(note.target == crossing[0] for note in self.left):
                line = self._lines(uses[0])[0]
                top = next(
                    statement
                    for statement, (start, end) in zip(
                        self._kept_statements, self._kept_lines, strict=True
                    )
                    if start <= line <= end
                )
                kind: LeftReason = (
                    "orm-model" if crossing[0] in self.boundary.orm_models else "direct-use"
                )
                detail = f"uses {crossing[0]}, which moves to {crossing[1]}"
                self._leave(uses[0], *crossing, None, kind, detail, statement=top)
        return sorted(used)

    # -- positions

    def _parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        """The parent of the node being visited (None for any other node)."""
        stack = self._stack
        return stack[-2] if len(stack) > 1 and stack[-1] is node else None

    def _location(self, node: cst.CSTNode) -> str:
        return f"{self.source.path}:{self._lines(node)[0]}"

    def _lines(self, node: cst.CSTNode) -> tuple[int, int]:
        position = self.get_metadata(PositionProvider, node, None)
        return (position.start.line, position.end.line) if position else (1, 1)

    def _within(self, node: cst.CSTNode, ranges: list[tuple[int, int]]) -> bool:
        line = self._lines(node)[0]
        return any(start <= line <= end for start, end in ranges)

    def _is_kept(self, node: cst.CSTNode) -> bool:
        """Of a split module, the imports, the docstring and the symbols that move."""
        keep = self.keep or frozenset()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            return node.name.value in keep
        if isinstance(node, cst.If):
            return cst_dotted(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
        if isinstance(node, cst.SimpleStatementLine):
            body = node.body
            if all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in body):
                return True
            module = self._parent(node)
            is_first = isinstance(module, cst.Module) and module.body[0] is node
            first = body[0]
            return (
                is_first
                and isinstance(first, cst.Expr)
                and isinstance(first.value, cst.SimpleString)
            )
        return False


# Private functions


def _describe(replacement: Replacement, outbound: str) -> str:
    keys = ", ".join(f'"{p}": …' for p in replacement.params)
    if replacement.kind == "rest":
        client = f"{outbound}.clients().{replacement.context}"
        keywords = ", ".join(f"{wire.attribute(p)}=…" for p in replacement.params)
        call = f"{client}.{replacement.name}({keywords})"
        return call + (".result" if replacement.uses_result else "")
    if replacement.kind == "sqs":
        return f"{outbound}.events().{replacement.name}({{{keys}}})"
    return f"{outbound}.events().{replacement.name}(payload)"


def _used_as_object(call: cst.Call, parent: cst.CSTNode | None) -> bool:
    return (
        (isinstance(parent, cst.Attribute) and parent.value is call)
        or (isinstance(parent, cst.Subscript) and parent.value is call)
        or (isinstance(parent, cst.Call) and parent.func is call)
    )
