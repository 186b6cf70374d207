"""The module collector: imports first (they bind names), then every top-level statement."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from decomposer.extract.columns import columns_of
from decomposer.extract.django import installed_apps, settings_module_named
from decomposer.extract.frameworks import (
    FrameworkFacts,
)
from decomposer.extract.scanner import (
    _ScopeScanner,
)
from decomposer.extract.syntax import (
    _BUILTIN_NAMES,
    _COMPOUND_TYPES,
    _FUNCTION_TYPES,
    _blocks,
    _dotted,
    _headers,
    _is_type_checking,
    _module_statements,
    _table_name,
)
from decomposer.models import (
    AppConfigDef,
    Binding,
    Definition,
    Diagnostic,
    EntryPoint,
    EventEmit,
    FunctionSignature,
    ImportKind,
    ImportRef,
    ImportScope,
    InstalledApps,
    ModuleFacts,
    OrmRef,
    Parameter,
    RouterDef,
    SourceFile,
    SymbolRef,
    Transaction,
)
from decomposer.models.base import trusted


@dataclass
class _ModuleCollector(FrameworkFacts):
    """Walks one module. Imports first (they bind names), then every top-level statement."""

    source: SourceFile
    lines: int
    imports: list[ImportRef] = field(default_factory=list)
    bindings: dict[str, str] = field(default_factory=dict)
    definitions: list[Definition] = field(default_factory=list)
    references: list[SymbolRef] = field(default_factory=list)
    orm_refs: list[OrmRef] = field(default_factory=list)
    entry_points: list[EntryPoint] = field(default_factory=list)
    routers: list[RouterDef] = field(default_factory=list)
    app_configs: list[AppConfigDef] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)
    emits: list[EventEmit] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    top_names: set[str] = field(default_factory=set)
    # Names a chain can start with to matter in any scope: imports and the module's own
    # definitions (set once the module's imports are read).
    known_heads: frozenset[str] = frozenset()
    has_star: bool = False
    qualified_annotations: dict[str, str] = field(default_factory=dict)
    django_settings: str | None = None
    installed_apps: InstalledApps | None = None

    def facts(self) -> ModuleFacts:
        # Built, not validated (`trusted`): every value was made here with its model's types,
        # and validating the tens of thousands of references again cost 0.1 s on saleor.
        # The facts cache is validated where it is read.
        return trusted(
            ModuleFacts,
            {
                "module": self.source.module,
                "path": self.source.path,
                "is_package": self.source.is_package,
                "lines": self.lines,
                "imports": tuple(self.imports),
                "bindings": tuple(
                    Binding(name=k, target=v) for k, v in sorted(self.bindings.items())
                ),
                "definitions": tuple(self.definitions),
                "references": tuple(self.references),
                "orm_refs": tuple(self.orm_refs),
                "entry_points": tuple(self.entry_points),
                "routers": tuple(self.routers),
                "app_configs": tuple(self.app_configs),
                "django_settings": self.django_settings,
                "installed_apps": self.installed_apps,
                "transactions": tuple(self.transactions),
                "emits": tuple(self.emits),
                "diagnostics": tuple(self.diagnostics),
            },
        )

    def collect(self, tree: ast.Module) -> ModuleFacts:
        for statement in _module_statements(tree.body):
            if isinstance(statement, (*_FUNCTION_TYPES, ast.ClassDef)):
                self.top_names.add(statement.name)
        self._module_imports(tree.body, scope="module", type_only=False)
        self.known_heads = frozenset(self.bindings.keys() | self.top_names)
        for statement in tree.body:
            self._top_level(statement)
        self._management_command()
        return self.facts()

    def collect_settings(self, tree: ast.Module, text: str) -> None:
        """Django's settings module named here, and INSTALLED_APPS if this is one."""
        self.django_settings = settings_module_named(tree, text)
        self.installed_apps = installed_apps(tree, text)

    # -- imports ---------------------------------------------------------------------------

    def _module_imports(
        self, body: Iterable[ast.stmt], *, scope: ImportScope, type_only: bool
    ) -> None:
        """Module-level imports, including those nested in if/try/with blocks."""
        for statement in body:
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                for ref, local in self._import_refs(statement, scope=scope, type_only=type_only):
                    self.imports.append(ref)
                    if local is not None:
                        self.bindings[local[0]] = local[1]
            elif isinstance(statement, ast.If):
                is_tc = _is_type_checking(statement.test)
                self._module_imports(
                    statement.body, scope="conditional", type_only=type_only or is_tc
                )
                self._module_imports(statement.orelse, scope="conditional", type_only=type_only)
            elif isinstance(statement, (ast.Try, ast.TryStar)):
                for block in (statement.body, statement.orelse, statement.finalbody):
                    self._module_imports(block, scope="conditional", type_only=type_only)
                for handler in statement.handlers:
                    self._module_imports(handler.body, scope="conditional", type_only=type_only)
            else:
                for block in _blocks(statement):
                    self._module_imports(block, scope="conditional", type_only=type_only)

    def _import_refs(
        self, statement: ast.Import | ast.ImportFrom, *, scope: ImportScope, type_only: bool
    ) -> Iterator[tuple[ImportRef, tuple[str, str] | None]]:
        kind: ImportKind = "type_import" if type_only else "import"
        line, col = statement.lineno, statement.col_offset + 1
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                ref = ImportRef(alias.name, None, kind, scope, 0, line, col)
                # `import a.b` binds `a` (to package a); `import a.b as c` binds `c` to a.b.
                if alias.asname:
                    yield ref, (alias.asname, alias.name)
                else:
                    head = alias.name.partition(".")[0]
                    yield ref, (head, head)
            return
        base = self._absolute(statement.module, statement.level)
        if base is None:
            self.diagnostics.append(
                Diagnostic(
                    code="IMP001",
                    message="relative import goes above the top-level package",
                    line=line,
                    col=col,
                )
            )
            return
        for alias in statement.names:
            if alias.name == "*":
                self.has_star = True
            ref = ImportRef(base, alias.name, kind, scope, statement.level, line, col)
            if alias.name == "*":
                yield ref, None
            else:
                yield (
                    ref,
                    (alias.asname or alias.name, f"{base}.{alias.name}" if base else alias.name),
                )

    def _absolute(self, module: str | None, level: int) -> str | None:
        if level == 0:
            return module or ""
        parts = self.package.split(".") if self.package else []
        if level - 1 > len(parts) or (level - 1 == len(parts) and not module):
            return None
        base_parts = parts[: len(parts) - (level - 1)]
        if module:
            base_parts.append(module)
        return ".".join(base_parts) or None

    # -- top-level statements --------------------------------------------------------------

    def _top_level(self, statement: ast.stmt) -> None:
        if isinstance(statement, _FUNCTION_TYPES):
            self._function(statement)
        elif isinstance(statement, ast.ClassDef):
            self._class(statement)
        elif isinstance(statement, _COMPOUND_TYPES):
            # A class or function defined under `if`/`try`/`with` at module level is still a
            # top-level definition of the module; only the statement's own header is module code.
            for header in _headers(statement):
                self._scan("", header, local_imports={}, module_level=True)
            for block in _blocks(statement):
                for inner in block:
                    self._top_level(inner)
        elif not isinstance(statement, (ast.Import, ast.ImportFrom)):
            # (module-level imports were collected first; they hold no references)
            self._router_def(statement)
            self._scan("", statement, local_imports={}, module_level=True)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.definitions.append(
            Definition(
                name=node.name,
                kind="function",
                line=node.lineno,
                end_line=node.end_lineno or node.lineno,
                signature=self._signature(node),
            )
        )
        self._entry_points_of(node)
        self._scan(node.name, node, local_imports={}, module_level=False)

    def _signature(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> FunctionSignature:
        """Parameters and return annotation, each name in an annotation made absolute through
        the module's imports (`Order` -> `shop.models.Order`, `Optional` -> `typing.Optional`)."""
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
        defaults += args.defaults
        parameters = [
            self._parameter(arg, kind, default)
            for arg, kind, default in zip(
                positional,
                ["positional_only"] * len(args.posonlyargs) + ["positional"] * len(args.args),
                defaults,
                strict=True,
            )
        ]
        if args.vararg:
            parameters.append(self._parameter(args.vararg, "var_positional", None))
        for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
            parameters.append(self._parameter(arg, "keyword_only", default))
        if args.kwarg:
            parameters.append(self._parameter(args.kwarg, "var_keyword", None))
        return FunctionSignature(
            parameters=tuple(parameters),
            returns=self._annotation(node.returns),
            is_async=isinstance(node, ast.AsyncFunctionDef),
        )

    def _parameter(self, arg: ast.arg, kind: str, default: ast.expr | None) -> Parameter:
        return Parameter(
            name=arg.arg,
            kind=kind,  # type: ignore[arg-type]  # one of ParamKind, by construction above
            annotation=self._annotation(arg.annotation),
            default=ast.unparse(default) if default is not None else None,
        )

    def _annotation(self, annotation: ast.expr | None) -> str | None:
        if annotation is None:
            return None
        chain = _dotted(annotation)
        if chain is not None:
            # `Order`, `models.Order` (most annotations): the chain resolves whole or not at all
            qualified = self.qualified_annotations.get(chain)
            if qualified is None:
                qualified = self._resolve_chain(chain, {}) or chain
                self.qualified_annotations[chain] = qualified
            return qualified
        text = ast.unparse(annotation)
        # the names an annotation resolves to are fixed once the module's imports are read:
        # each distinct annotation of the module is qualified once (on a copy: the scan of
        # references reads the tree after)
        qualified = self.qualified_annotations.get(text)
        if qualified is None:
            qualified = ast.unparse(_Qualify(self).visit(ast.parse(text, mode="eval")))
            self.qualified_annotations[text] = qualified
        return qualified

    def _class(self, node: ast.ClassDef) -> None:
        table = None
        for statement in node.body:
            table = table or _table_name(statement)
        self._scan(node.name, node, local_imports={}, module_level=False)
        self._app_config(node)
        fields = self._declared_fields(node)
        framework = fields or ("sqlalchemy" if table else None)
        self.definitions.append(
            Definition(
                name=node.name,
                kind="class",
                line=node.lineno,
                end_line=node.end_lineno or node.lineno,
                table=table,
                orm_fields=fields,
                columns=columns_of(
                    node,
                    framework,
                    lambda dotted: self._resolve_chain(dotted, {}),
                    lambda annotation: self._annotation(annotation) or "",
                )
                if framework
                else (),
            )
        )
        self._entry_points_of(node)

    # -- the reference scanner ---------------------------------------------------------------

    def _scan(
        self,
        owner: str,
        node: ast.AST,
        *,
        local_imports: dict[str, str],
        module_level: bool,
        with_header: bool = True,
        enclosing_locals: frozenset[str] = frozenset(),
    ) -> None:
        """Collect references in one scope; nested function and class scopes recurse.

        A nested function sees the locals of the functions around it (a closure), so those
        shadow imports there too; a class body's names are not visible in its methods.
        """
        scanner = _ScopeScanner(self, owner, local_imports, module_level=module_level)
        scanner.stored.update(enclosing_locals)
        scanner.run(node, with_header=with_header)
        stored, local_imports = scanner.stored, scanner.local_imports
        references = self.references
        for chain, kind, line, col, discards_result in scanner.candidates:
            head = chain.partition(".")[0]
            if head in stored and head not in local_imports:
                continue  # a parameter or local variable shadows the module-level name
            resolved = self._resolve_candidate(chain, local_imports)
            if resolved is not None:
                target, via = resolved
                references.append(
                    SymbolRef(owner, target, kind, via, line, col, discards_result)  # type: ignore[arg-type]
                )
        is_function = isinstance(node, (*_FUNCTION_TYPES, ast.Lambda))
        closure = frozenset(stored - scanner.local_imports.keys()) if is_function else frozenset()
        for nested in scanner.nested:
            self._scan(
                owner,
                nested,
                local_imports=dict(scanner.local_imports),
                module_level=False,
                with_header=False,
                enclosing_locals=closure if is_function else enclosing_locals,
            )

    def _resolve_chain(self, chain: str | None, local_imports: dict[str, str]) -> str | None:
        if chain is None:
            return None
        resolved = self._resolve_candidate(chain, local_imports)
        if resolved is None:
            return chain if chain.partition(".")[0] in _BUILTIN_NAMES else None
        return resolved[0]

    def _resolve_candidate(
        self, chain: str, local_imports: dict[str, str]
    ) -> tuple[str, str] | None:
        head, _, rest = chain.partition(".")
        if head in local_imports:
            base, via = local_imports[head], "import"
        elif head in self.bindings:
            base, via = self.bindings[head], "import"
        elif head in self.top_names:
            base, via = f"{self.source.module}.{head}", "same-module"
        elif self.has_star and head not in _BUILTIN_NAMES:
            # Bound, perhaps, by a star import: the graph stage checks the star-imported modules.
            return chain, "star-import"
        else:
            return None
        return (f"{base}.{rest}" if rest else base), via

    # -- ORM, routers, entry points -------------------------------------------------------


class _Qualify(ast.NodeTransformer):
    """Replaces each dotted name of an annotation with the absolute name it stands for."""

    def __init__(self, extractor: _ModuleCollector) -> None:
        self.extractor = extractor

    def visit_Name(self, node: ast.Name) -> ast.expr:
        return self._qualified(node) or node

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        return self._qualified(node) or self.generic_visit(node)  # type: ignore[return-value]

    def visit_Constant(self, node: ast.Constant) -> ast.expr:
        if isinstance(node.value, str):  # a forward reference inside an annotation
            try:
                inner = ast.parse(node.value.strip(), mode="eval").body
            except SyntaxError:
                return node
            return self.visit(inner)  # type: ignore[no-any-return]
        return node

    def _qualified(self, node: ast.expr) -> ast.Name | None:
        dotted = _dotted(node)
        resolved = self.extractor._resolve_chain(dotted, {}) if dotted else None
        return ast.Name(id=resolved) if resolved else None
