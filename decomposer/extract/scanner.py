"""The scope scanner: one pass over one scope collects the uses of imported names."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from decomposer.extract.frameworks import (
    _DJANGO_URL_FUNCS,
    _DYNAMIC_IMPORTERS,
    _EMIT_METHODS,
    _FIELD_FACTORIES,
)
from decomposer.extract.syntax import (
    _ATTRIBUTE,
    _CALL,
    _CHILD_FIELDS,
    _CONSTANT,
    _FUNCTION_TYPES,
    _LOAD,
    _NAME,
    _SCOPE_TYPE_SET,
    _child_fields,
    _dotted,
    _stored_names,
)
from decomposer.models import (
    ImportScope,
    RefKind,
)

if TYPE_CHECKING:
    from decomposer.extract.module import _ModuleCollector


# A name or chain that may be a reference, resolved once the scope's locals are known:
# (chain, kind, line, col, discards_result). A plain tuple: one is made per use of a name.
_Candidate = tuple[str, RefKind, int, int, bool]


class _ScopeScanner:
    """One pass over one scope: candidate references, local names, nested scopes.

    The walk is by hand (a stack) rather than ast.NodeVisitor so that nested functions can be
    pruned and scanned as scopes of their own; parents are seen before children, which lets an
    attribute chain `a.b.c` or a call's callee claim its inner nodes.
    """

    def __init__(
        self,
        module: _ModuleCollector,
        owner: str,
        local_imports: dict[str, str],
        *,
        module_level: bool,
    ) -> None:
        self.module = module
        self.owner = owner
        self.local_imports = local_imports
        self.module_level = module_level
        self.candidates: list[_Candidate] = []
        self.stored: set[str] = set()
        self.nested: list[ast.AST] = []
        self.claimed: dict[int, RefKind] = {}
        self.annotation_ids: set[int] = set()
        self.orm_done: set[int] = set()
        self.discarded: set[int] = set()
        self.scope_node: ast.AST | None = None
        # Names a chain can start with to matter: imports and the module's own definitions
        # (and `local_imports`, which grows during the scan).
        self.known_heads = module.known_heads

    def run(self, root: ast.AST, *, with_header: bool) -> None:
        """Scan one scope; `with_header` also scans the decorators, bases and annotations of a
        top-level definition (a nested one's header was scanned by its enclosing scope)."""
        stack: list[ast.AST] = []
        if isinstance(root, _FUNCTION_TYPES):
            self.scope_node = root
        if isinstance(root, (*_FUNCTION_TYPES, ast.Lambda, ast.ClassDef)):
            self.stored.update(_stored_names(root))
            if with_header:
                self._enter_scope_root(root, stack)
            elif isinstance(root, ast.Lambda):
                stack.append(root.body)
            else:
                stack.extend(reversed(root.body))
        else:
            stack.append(root)
        self._walk(stack)

    def _enter_scope_root(self, root: ast.AST, stack: list[ast.AST]) -> None:
        """A top-level definition's header and body."""
        if isinstance(root, _FUNCTION_TYPES):
            self._header(root, stack)
            stack.extend(reversed(root.body))
        elif isinstance(root, ast.ClassDef):
            for base in root.bases:
                self._claim(base, "inheritance")
                stack.append(base)
            for keyword in root.keywords:
                stack.append(keyword.value)
            for decorator in root.decorator_list:
                self._decorator(decorator, stack)
            stack.extend(reversed(root.body))
        elif isinstance(root, ast.Lambda):
            stack.append(root.body)

    def _header(self, node: ast.FunctionDef | ast.AsyncFunctionDef, stack: list[ast.AST]) -> None:
        for decorator in node.decorator_list:
            self._decorator(decorator, stack)
        arguments = node.args
        for arg in (
            *arguments.posonlyargs,
            *arguments.args,
            *arguments.kwonlyargs,
            arguments.vararg,
            arguments.kwarg,
        ):
            if arg is not None and arg.annotation is not None:
                self._annotation(arg.annotation, stack)
        for default in (*arguments.defaults, *arguments.kw_defaults):
            if default is not None:
                stack.append(default)
        if node.returns is not None:
            self._annotation(node.returns, stack)

    def _decorator(self, decorator: ast.expr, stack: list[ast.AST]) -> None:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        self._claim(target, "decorator")
        chain = _dotted(target) or ""
        if chain.rpartition(".")[2] == "atomic" and self.scope_node is not None:
            self.module.transaction(self.owner, "atomic", decorator, self.scope_node)
        if isinstance(decorator, ast.Call):
            self.claimed[id(decorator)] = "decorator"
        stack.append(decorator)

    def _annotation(self, node: ast.expr, stack: list[ast.AST]) -> None:
        # the nodes of the annotation (the names, attributes and strings among them matter)
        ids, todo = self.annotation_ids, [node]
        while todo:
            inner = todo.pop()
            ids.add(id(inner))
            fields = _CHILD_FIELDS.get(type(inner))
            if fields is None:
                fields = _child_fields(type(inner))
            for field_name in fields:
                value = getattr(inner, field_name)
                if type(value) is list:
                    todo.extend(value)
                elif value is not None:
                    todo.append(value)
        stack.append(node)

    def _claim(self, node: ast.expr, kind: RefKind) -> None:
        self.claimed[id(node)] = kind

    def _walk(self, stack: list[ast.AST]) -> None:
        # The hottest loop of the analyzer (every node of every file passes here once), so the
        # common node types are tested first and looked up through locals.
        name_type, attribute_type, call_type, constant_type = _NAME, _ATTRIBUTE, _CALL, _CONSTANT
        load_type, stored, known_heads = _LOAD, self.stored, self.known_heads
        local_imports, has_star = self.local_imports, self.module.has_star
        child_cache = _CHILD_FIELDS
        while stack:
            node = stack.pop()
            kind_of = type(node)
            if kind_of is name_type:
                head = node.id  # type: ignore[attr-defined]
                if type(node.ctx) is not load_type:  # type: ignore[attr-defined]
                    stored.add(head)
                elif head in known_heads or head in local_imports or has_star:
                    self._candidate(head, node)  # type: ignore[arg-type]
                continue
            if kind_of is constant_type:
                if self.annotation_ids and id(node) in self.annotation_ids:
                    self._string_annotation(node)  # type: ignore[arg-type]
                continue
            if kind_of is attribute_type:
                if self._reference(node):  # type: ignore[arg-type]
                    continue
            elif kind_of is call_type:
                self._call(node)  # type: ignore[arg-type]
            elif kind_of in _SCOPE_TYPE_SET:
                self._nested_scope(node, stack)
                continue
            elif kind_of is ast.Import or kind_of is ast.ImportFrom:
                self._local_import(node)  # type: ignore[arg-type]
                continue
            elif kind_of is ast.AnnAssign:
                self._field(node.target, node.value, node.annotation)  # type: ignore[attr-defined]
                self._annotation(node.annotation, stack)  # type: ignore[attr-defined]
                if node.value is not None:  # type: ignore[attr-defined]
                    stack.append(node.value)  # type: ignore[attr-defined]
                stack.append(node.target)  # type: ignore[attr-defined]
                continue
            elif kind_of is ast.Assign and len(node.targets) == 1:  # type: ignore[attr-defined]
                self._field(node.targets[0], node.value, None)  # type: ignore[attr-defined]
            elif kind_of is ast.Expr:
                value = node.value  # type: ignore[attr-defined]
                if type(value) is call_type:
                    # A call whose result is thrown away: the caller needs no answer.
                    self.discarded.add(id(value.func))
                elif type(value) is ast.Await and type(value.value) is call_type:
                    self.discarded.add(id(value.value.func))
            elif kind_of is ast.With or kind_of is ast.AsyncWith:
                self._with(node)  # type: ignore[arg-type]
            fields = child_cache.get(kind_of)
            if fields is None:
                fields = _child_fields(kind_of)
            for field_name in fields:
                value = getattr(node, field_name)
                if type(value) is list:
                    stack.extend(reversed(value))  # popped in source order: imports before uses
                elif value is not None:
                    stack.append(value)

    def _candidate(self, chain: str, node: ast.Name | ast.Attribute) -> None:
        kind = self.claimed.get(id(node))
        if kind is None:
            kind = "annotation" if id(node) in self.annotation_ids else "reference"
        self.candidates.append(
            (chain, kind, node.lineno, node.col_offset + 1, id(node) in self.discarded)
        )

    def _reference(self, node: ast.Attribute) -> bool:
        """Record a load of a chain `a.b.c`; True when the chain's inner nodes are consumed."""
        chain = _dotted(node)
        if chain is None:
            return False  # `f().x`, `a[0].b`: the inner call or name is visited on its own
        head = chain.partition(".")[0]
        if head in self.known_heads or head in self.local_imports or self.module.has_star:
            self._candidate(chain, node)
        return True

    def _call(self, node: ast.Call) -> None:
        func = node.func
        if id(func) not in self.claimed:
            self.claimed[id(func)] = "decorator" if self.claimed.get(id(node)) else "call"
        chain = _dotted(func)
        if chain is None:
            return
        module = self.module
        # Registration methods are called on local objects (`app` inside create_app), so they
        # are recognised by name before the callee is resolved.
        if chain.endswith(".connect") and node.args:
            module.signal_connect(node, chain, self.local_imports)
            return
        if chain.endswith((".add_url_rule", ".add_api_route")):
            module.route_call(node, chain, self.local_imports)
            return
        last = chain.rpartition(".")[2]
        if last == "commit" and self.scope_node is not None:
            module.transaction(self.owner, "commit", node, self.scope_node)
        elif last in _EMIT_METHODS:
            module.event_emit(self.owner, node, chain, self.local_imports)
        callee = module._resolve_chain(chain, self.local_imports)
        if callee is None:
            return
        if callee in _DYNAMIC_IMPORTERS and not (chain == "__import__" and chain in self.stored):
            scope: ImportScope = "module" if self.module_level else "function"
            module.dynamic_import(node, callee, scope=scope)
        elif callee in _DJANGO_URL_FUNCS:
            module.django_url(node, self.local_imports)
        elif id(node) not in self.orm_done:
            module.orm_call_to(self.owner, "", node, callee, self.local_imports, annotation=None)

    def _with(self, node: ast.With | ast.AsyncWith) -> None:
        """`with transaction.atomic():`, `with session.begin():`: a unit of work."""
        for item in node.items:
            expression = item.context_expr
            call = expression.func if isinstance(expression, ast.Call) else expression
            last = (_dotted(call) or "").rpartition(".")[2]
            if last in ("atomic", "begin", "begin_nested"):
                kind = "atomic" if last == "atomic" else "session"
                self.module.transaction(self.owner, kind, node, node)
                return

    def _field(self, target: ast.expr, value: ast.expr | None, annotation: ast.expr | None) -> None:
        """`name = ForeignKey(...)` / `name: Mapped[X] = relationship()` in a class body."""
        if not isinstance(value, ast.Call) or not isinstance(target, ast.Name):
            return
        func = value.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name not in _FIELD_FACTORIES:
            return
        for inner in ast.walk(value):
            if isinstance(inner, ast.Call):
                self.orm_done.add(id(inner))
                self.module.orm_call(
                    self.owner, target.id, inner, self.local_imports, annotation=annotation
                )

    def _string_annotation(self, node: ast.Constant) -> None:
        if not isinstance(node.value, str):
            return
        try:
            expression = ast.parse(node.value.strip(), mode="eval")
        except (SyntaxError, ValueError):
            return
        for inner in ast.walk(expression):
            if isinstance(inner, (ast.Name, ast.Attribute)):
                chain = _dotted(inner)
                if chain is not None:
                    self.candidates.append(
                        (chain, "annotation", node.lineno, node.col_offset + 1, False)
                    )

    def _nested_scope(self, node: ast.AST, stack: list[ast.AST]) -> None:
        if isinstance(node, (*_FUNCTION_TYPES, ast.ClassDef)):
            self.stored.add(node.name)
            # Decorators, annotations and bases are evaluated in this scope.
            if isinstance(node, _FUNCTION_TYPES):
                self._header(node, stack)
            else:
                for base in node.bases:
                    self._claim(base, "inheritance")
                    stack.append(base)
                for decorator in node.decorator_list:
                    self._decorator(decorator, stack)
        self.nested.append(node)

    def _local_import(self, node: ast.Import | ast.ImportFrom) -> None:
        scope: ImportScope = "module" if self.module_level else "function"
        if self.module_level:
            return  # module-level imports were collected first, with their exact scope
        for ref, local in self.module._import_refs(node, scope=scope, type_only=False):
            self.module.imports.append(ref)
            if local is not None:
                self.local_imports[local[0]] = local[1]
