"""Stage 2: one source file's bytes -> ModuleFacts, or a ParseFailure that costs only that file.

Parsing uses the standard library's `ast`: the analyzer must read 160k lines in a few seconds and
libcst's parser (with its metadata) is 10x-40x slower. libcst is used only to tell a file written
for a newer Python than the running one from a plain syntax error.
"""

from __future__ import annotations

import ast
import builtins
import io
import re
import sys
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from decomposer.models import (
    AppConfigDef,
    Binding,
    Definition,
    Diagnostic,
    EntryKind,
    EntryPoint,
    EventEmit,
    FailureReason,
    ImportKind,
    ImportRef,
    ImportScope,
    ModuleFacts,
    OrmRef,
    ParseFailure,
    RefKind,
    RouterDef,
    SourceFile,
    SymbolRef,
    Transaction,
)

# Bump when the facts extracted from the same bytes change: it invalidates the facts cache.
EXTRACTOR_VERSION = "3"

_CODING_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=]", re.MULTILINE)
_FUNCTION_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef)
_SCOPE_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})
_ROUTE_DECORATORS = _HTTP_VERBS | {"route", "api_route", "websocket"}
_DJANGO_RELATIONS = {
    "django.db.models.ForeignKey": "ForeignKey",
    "django.db.models.OneToOneField": "OneToOneField",
    "django.db.models.ManyToManyField": "ManyToManyField",
    "django.db.models.fields.related.ForeignKey": "ForeignKey",
    "django.db.models.fields.related.OneToOneField": "OneToOneField",
    "django.db.models.fields.related.ManyToManyField": "ManyToManyField",
}
_SQLALCHEMY_RELATIONS = {
    "sqlalchemy.orm.relationship": "relationship",
    "sqlalchemy.orm.relation": "relationship",
    "sqlalchemy.ForeignKey": "table_foreign_key",
    "sqlalchemy.schema.ForeignKey": "table_foreign_key",
}
_SQLALCHEMY_COLUMNS = frozenset(
    {"sqlalchemy.Column", "sqlalchemy.schema.Column", "sqlalchemy.orm.mapped_column"}
)
_ROUTER_FACTORIES = {
    "flask.Blueprint": ("flask", "url_prefix"),
    "flask.Flask": ("flask", "url_prefix"),
    "fastapi.APIRouter": ("fastapi", "prefix"),
    "fastapi.routing.APIRouter": ("fastapi", "prefix"),
    "fastapi.FastAPI": ("fastapi", "root_path"),
}
# Methods that publish an event or send a signal: `events.publish("order_placed", ...)`,
# `order_placed.send(sender)`.
_EMIT_METHODS = frozenset({"publish", "emit", "send", "send_robust", "fire", "trigger", "dispatch"})
# Callees whose arguments may declare a relation: only these assignments are searched for one.
_FIELD_FACTORIES = frozenset(
    {
        "ForeignKey",
        "OneToOneField",
        "ManyToManyField",
        "relationship",
        "relation",
        "mapped_column",
        "Column",
    }
)
_DJANGO_URL_FUNCS = frozenset(
    {"django.urls.path", "django.urls.re_path", "django.conf.urls.url", "django.urls.conf.path"}
)
_DYNAMIC_IMPORTERS = frozenset(
    {"importlib.import_module", "__import__", "django.utils.module_loading.import_string"}
)


# Public functions


def extract_facts(source: SourceFile, content: bytes) -> ModuleFacts | ParseFailure:
    """Parse one file and collect its imports, definitions, references, ORM facts, entry points."""
    text_or_failure = _decode(source.path, content)
    if isinstance(text_or_failure, ParseFailure):
        return text_or_failure
    text = text_or_failure
    notes: list[Diagnostic] = []
    try:
        tree = ast.parse(text, filename=source.path)
    except SyntaxError as exc:
        downgraded = _without_new_syntax(text)
        if downgraded is None:
            return _syntax_failure(source.path, text, exc)
        tree = downgraded
        notes.append(
            Diagnostic(
                code="SYN001",
                message="Python 3.12+ syntax (type parameters or a `type` alias): analyzed with"
                " them set aside; run decomposer on the project's Python for exact facts",
                line=max(exc.lineno or 1, 1),
                col=max(exc.offset or 1, 1),
            )
        )
    except (ValueError, RecursionError, MemoryError) as exc:
        return ParseFailure(
            path=source.path, line=1, col=1, reason="syntax-error", message=f"cannot parse: {exc}"
        )
    lines = text.count("\n") + (1 if text and not text.endswith("\n") else 0)
    collector = _ModuleCollector(source=source, lines=lines)
    collector.diagnostics.extend(notes)
    try:
        return collector.collect(tree) if text else collector.facts()
    except RecursionError:
        return ParseFailure(
            path=source.path,
            line=1,
            col=1,
            reason="syntax-error",
            message="nesting too deep to analyze (generated code?)",
        )


# Private functions: decoding and failures


def _decode(path: str, content: bytes) -> str | ParseFailure:
    nul = content.find(b"\x00")
    if nul >= 0:
        line, col = _position_of(content, nul)
        return ParseFailure(
            path=path,
            line=line,
            col=col,
            reason="nul-bytes",
            message="file contains a NUL byte (binary or corrupted file)",
        )
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(content).readline)
    except SyntaxError as exc:
        # detect_encoding also fails on a bad byte in the first two lines; only a real
        # declaration is "bad", otherwise the decode below says where the byte is.
        if not _CODING_COOKIE.search(b"\n".join(content.split(b"\n", 2)[:2])):
            encoding = "utf-8"
        else:
            return ParseFailure(
                path=path,
                line=1,
                col=1,
                reason="encoding",
                message=f"bad coding declaration: {exc}",
            )
    try:
        return content.decode(encoding)
    except UnicodeDecodeError as exc:
        line, col = _position_of(content, exc.start)
        return ParseFailure(
            path=path,
            line=line,
            col=col,
            reason="encoding",
            message=f"byte 0x{content[exc.start]:02x} is not valid {encoding}; "
            "declare the file's encoding with a '# -*- coding: ... -*-' line",
        )
    except LookupError:
        return ParseFailure(
            path=path, line=1, col=1, reason="encoding", message=f"unknown encoding {encoding!r}"
        )


def _position_of(content: bytes, offset: int) -> tuple[int, int]:
    line_start = content.rfind(b"\n", 0, offset) + 1
    return content.count(b"\n", 0, offset) + 1, offset - line_start + 1


def _syntax_failure(path: str, text: str, exc: SyntaxError) -> ParseFailure:
    line = max(exc.lineno or 1, 1)
    col = max(exc.offset or 1, 1)
    lines = text.splitlines()
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    message = exc.msg
    reason: FailureReason = "syntax-error"
    if "print" in message or "exec" in message or _looks_like_python2(source_line):
        reason = "python2"
        message = f"Python 2 syntax ({message}); port the file to Python 3 or exclude it"
    elif _parses_as_newer_python(text):
        reason = "newer-syntax"
        running = f"{sys.version_info.major}.{sys.version_info.minor}"
        message = (
            f"syntax newer than the running Python {running} ({message}); "
            "run decomposer with the Python the project targets"
        )
    else:
        message = f"syntax error: {message}"
    return ParseFailure(
        path=path, line=line, col=col, reason=reason, message=message, source_line=source_line
    )


def _looks_like_python2(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(("print ", "exec ")) or (
        stripped.startswith("except ") and "," in stripped and " as " not in stripped
    )


def _without_new_syntax(text: str) -> ast.Module | None:
    """The module with PEP 695 syntax (type parameters, `type X = ...`) rewritten so that the
    running Python parses it, on the same lines; None if that does not make it parse.

    libcst parses newer grammars than the interpreter running it, and rewrites the tree without
    losing anything else, so one such construct does not cost the facts of a whole file.
    """
    import libcst

    class StripTypeParameters(libcst.CSTTransformer):
        def leave_FunctionDef(
            self, original_node: libcst.FunctionDef, updated_node: libcst.FunctionDef
        ) -> libcst.FunctionDef:
            return updated_node.with_changes(type_parameters=None)

        def leave_ClassDef(
            self, original_node: libcst.ClassDef, updated_node: libcst.ClassDef
        ) -> libcst.ClassDef:
            return updated_node.with_changes(type_parameters=None)

        def leave_TypeAlias(
            self, original_node: libcst.TypeAlias, updated_node: libcst.TypeAlias
        ) -> libcst.Assign:
            target = libcst.AssignTarget(target=updated_node.name)
            return libcst.Assign(targets=[target], value=updated_node.value)

    for version in ("3.13", "3.12"):
        try:
            module = libcst.parse_module(
                text, config=libcst.PartialParserConfig(python_version=version)
            )
            code = module.visit(StripTypeParameters()).code
            if code.count("\n") != text.count("\n"):
                return None  # multi-line type parameters: line numbers would drift
            return ast.parse(code)
        except Exception:  # libcst raises several types; any means "not this way"
            continue
    return None


def _parses_as_newer_python(text: str) -> bool:
    import libcst  # imported here: only files that fail to parse pay for it

    for version in ("3.14", "3.13", "3.12"):
        try:
            libcst.parse_module(text, config=libcst.PartialParserConfig(python_version=version))
        except Exception:
            continue
        return True
    return False


# Private functions: helpers over ast nodes


def _dotted(node: ast.expr) -> str | None:
    """`a.b.c` for Name/Attribute chains, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _arg(call: ast.Call, index: int, name: str) -> ast.expr | None:
    if len(call.args) > index and not isinstance(call.args[index], ast.Starred):
        return call.args[index]
    return _keyword(call, name)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _stored_names(node: ast.AST) -> Iterator[str]:
    """Names a function binds locally: parameters and assignment targets."""
    if isinstance(node, (*_FUNCTION_TYPES, ast.Lambda)):
        arguments = node.args
        for arg in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs):
            yield arg.arg
        if arguments.vararg:
            yield arguments.vararg.arg
        if arguments.kwarg:
            yield arguments.kwarg.arg


# Private functions: the collectors


@dataclass
class _Candidate:
    source: str
    chain: str
    kind: RefKind
    line: int
    col: int
    discards_result: bool


@dataclass
class _ModuleCollector:
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
    has_star: bool = False

    @property
    def package(self) -> str:
        """The package relative imports are resolved against."""
        if self.source.is_package:
            return self.source.module
        return self.source.module.rpartition(".")[0]

    def facts(self) -> ModuleFacts:
        return ModuleFacts(
            module=self.source.module,
            path=self.source.path,
            is_package=self.source.is_package,
            lines=self.lines,
            imports=tuple(self.imports),
            bindings=tuple(Binding(name=k, target=v) for k, v in sorted(self.bindings.items())),
            definitions=tuple(self.definitions),
            references=tuple(self.references),
            orm_refs=tuple(self.orm_refs),
            entry_points=tuple(self.entry_points),
            routers=tuple(self.routers),
            app_configs=tuple(self.app_configs),
            transactions=tuple(self.transactions),
            emits=tuple(self.emits),
            diagnostics=tuple(self.diagnostics),
        )

    def collect(self, tree: ast.Module) -> ModuleFacts:
        for statement in _module_statements(tree.body):
            if isinstance(statement, (*_FUNCTION_TYPES, ast.ClassDef)):
                self.top_names.add(statement.name)
        self._module_imports(tree.body, scope="module", type_only=False)
        for statement in tree.body:
            self._top_level(statement)
        self._management_command()
        return self.facts()

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
        else:
            self._router_def(statement)
            self._scan("", statement, local_imports={}, module_level=True)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.definitions.append(
            Definition(
                name=node.name,
                kind="function",
                line=node.lineno,
                end_line=node.end_lineno or node.lineno,
            )
        )
        self._entry_points_of(node)
        self._scan(node.name, node, local_imports={}, module_level=False)

    def _class(self, node: ast.ClassDef) -> None:
        table = None
        for statement in node.body:
            table = table or _table_name(statement)
        self._scan(node.name, node, local_imports={}, module_level=False)
        self._app_config(node)
        self.definitions.append(
            Definition(
                name=node.name,
                kind="class",
                line=node.lineno,
                end_line=node.end_lineno or node.lineno,
                table=table,
                orm_fields=self._declared_fields(node),
            )
        )
        self._entry_points_of(node)

    def _declared_fields(self, node: ast.ClassDef) -> Literal["django", "sqlalchemy"] | None:
        """Which ORM's columns or relations the class body declares, if any."""
        for statement in node.body:
            value = getattr(statement, "value", None)
            if not isinstance(value, ast.Call):
                continue
            callee = self._resolve_chain(_dotted(value.func), {}) or ""
            if callee in _SQLALCHEMY_COLUMNS or callee in _SQLALCHEMY_RELATIONS:
                return "sqlalchemy"
            if callee.startswith("django.db.models.") and (
                callee.endswith("Field") or callee in _DJANGO_RELATIONS
            ):
                return "django"
        return None

    def _app_config(self, node: ast.ClassDef) -> None:
        """A Django AppConfig: its `label` overrides the app label of "label.Model" strings."""
        bases = [self._resolve_chain(_dotted(base), {}) or "" for base in node.bases]
        if not any(base.endswith("AppConfig") for base in bases):
            return
        values = {}
        for statement in node.body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target = statement.targets[0]
                text = _string(statement.value)
                if isinstance(target, ast.Name) and text is not None:
                    values[target.id] = text
        if "name" in values:
            self.app_configs.append(AppConfigDef(app=values["name"], label=values.get("label")))

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
        stored = scanner.stored
        for candidate in scanner.candidates:
            head = candidate.chain.partition(".")[0]
            if head in stored and head not in scanner.local_imports:
                continue  # a parameter or local variable shadows the module-level name
            resolved = self._resolve_candidate(candidate.chain, scanner.local_imports)
            if resolved is None:
                continue
            target, via = resolved
            self.references.append(
                SymbolRef(
                    owner,
                    target,
                    candidate.kind,
                    via,  # type: ignore[arg-type]
                    candidate.line,
                    candidate.col,
                    candidate.discards_result,
                )
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

    def orm_call(
        self,
        owner: str,
        field_name: str,
        call: ast.Call,
        local_imports: dict[str, str],
        *,
        annotation: ast.expr | None,
    ) -> None:
        """Record an ORM relation (or model lookup) if `call` declares one."""
        callee = self._resolve_chain(_dotted(call.func), local_imports)
        if callee is None:
            return
        if callee in _DJANGO_RELATIONS:
            framework, kind = "django", _DJANGO_RELATIONS[callee]
            target_node = _arg(call, 0, "to")
        elif callee in _SQLALCHEMY_RELATIONS:
            framework, kind = "sqlalchemy", _SQLALCHEMY_RELATIONS[callee]
            target_node = _arg(call, 0, "argument" if kind == "relationship" else "column")
            if target_node is None and kind == "relationship" and annotation is not None:
                target_node = _mapped_class(annotation)
        elif callee.endswith("apps.get_model"):
            self._get_model(owner, call)
            return
        else:
            return
        if target_node is None:
            return
        text = _string(target_node)
        if text is None:
            resolved = self._resolve_chain(_dotted(target_node), local_imports)
            if resolved is None:
                return
            target, is_string = resolved, False
        else:
            target, is_string = text, True
        self.orm_refs.append(
            OrmRef(
                owner=owner,
                field=field_name,
                kind=kind,  # type: ignore[arg-type]
                framework=framework,  # type: ignore[arg-type]
                target=target,
                is_string=is_string,
                line=call.lineno,
                col=call.col_offset + 1,
            )
        )

    def _get_model(self, owner: str, call: ast.Call) -> None:
        first, second = _string(_arg(call, 0, "app_label")), _string(_arg(call, 1, "model_name"))
        if first is None:
            return
        target = f"{first}.{second}" if second else first
        self.orm_refs.append(
            OrmRef(
                owner=owner,
                field="",
                kind="get_model",
                framework="django",
                target=target,
                is_string=True,
                line=call.lineno,
                col=call.col_offset + 1,
            )
        )

    def dynamic_import(self, call: ast.Call, callee: str, *, scope: ImportScope) -> None:
        literal = _string(_arg(call, 0, "name"))
        line, col = call.lineno, call.col_offset + 1
        if literal is None:
            self.diagnostics.append(
                Diagnostic(
                    code="DYN001",
                    message=f"{callee}() with a non-literal argument cannot be resolved statically",
                    line=line,
                    col=col,
                )
            )
            return
        module = literal
        if callee.endswith("import_string"):
            module = literal.rpartition(".")[0]
        elif literal.startswith("."):
            level = len(literal) - len(literal.lstrip("."))
            package_node = _arg(call, 1, "package")
            package = _string(package_node)
            if (
                package is None
                and isinstance(package_node, ast.Name)
                and package_node.id in ("__package__", "__name__")
            ):
                package = self.package
            if package is None:
                return
            module = _relative_to(package, literal[level:], level) or package
        if module:
            self.imports.append(ImportRef(module, None, "dynamic_import", scope, 0, line, col))

    def _router_def(self, statement: ast.stmt) -> None:
        if not isinstance(statement, ast.Assign) or not isinstance(statement.value, ast.Call):
            return
        if len(statement.targets) != 1 or not isinstance(statement.targets[0], ast.Name):
            return
        callee = self._resolve_chain(_dotted(statement.value.func), {})
        if callee not in _ROUTER_FACTORIES:
            return
        framework, prefix_arg = _ROUTER_FACTORIES[callee]
        prefix = _string(_keyword(statement.value, prefix_arg)) or ""
        self.routers.append(
            RouterDef(
                name=statement.targets[0].id,
                framework=framework,  # type: ignore[arg-type]
                prefix=prefix,
                line=statement.lineno,
            )
        )

    def _entry_points_of(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        for decorator in node.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            chain = _dotted(call.func if call else decorator)
            if chain is None:
                continue
            entry = self._entry_from_decorator(chain, call, node.name, decorator)
            if entry is not None:
                self.entry_points.append(entry)

    def _entry_from_decorator(
        self, chain: str, call: ast.Call | None, name: str, decorator: ast.expr
    ) -> EntryPoint | None:
        """Routes, tasks, commands and handlers, recognised by their decorator."""
        resolved = self._resolve_chain(chain, {}) or chain
        last = chain.rpartition(".")[2]
        first_arg = _string(call.args[0]) if call and call.args else None
        position = {
            "target": f"{self.source.module}.{name}",
            "line": decorator.lineno,
            "col": decorator.col_offset + 1,
        }

        def entry(kind: EntryKind, framework: str, entry_name: str) -> EntryPoint:
            return EntryPoint.model_validate(
                {"kind": kind, "framework": framework, "name": entry_name, **position}
            )

        if last in _ROUTE_DECORATORS and "." in chain and first_arg is not None and call:
            return self._route(chain, call, last, first_arg).model_copy(update=position)
        if (
            resolved in ("celery.shared_task", "celery.task")
            or last == "shared_task"
            or (last == "task" and "." in chain)
        ):
            task = _string(_keyword(call, "name")) if call else None
            return entry("celery_task", "celery", task or name)
        if resolved == "django.dispatch.receiver" or last == "receiver":
            signal = _dotted(call.args[0]) if call and call.args else None
            return entry(
                "signal_receiver", "django", self._resolve_chain(signal, {}) or signal or "signal"
            )
        if last == "listens_for" and call:
            event = _string(call.args[1]) if len(call.args) > 1 else None
            return entry("signal_receiver", "sqlalchemy", event or "event")
        if last == "connect" and call is None:
            signal = self._resolve_chain(chain.rpartition(".")[0], {}) or chain
            return entry("signal_receiver", "blinker", signal)
        if last in ("subscribe", "subscriber") and first_arg is not None:
            return entry("event_handler", "generic", first_arg)
        if last in ("command", "group") and (resolved.startswith("click.") or "." in chain):
            command = first_arg or (_string(_keyword(call, "name")) if call else None)
            return entry("cli_command", "click", command or name.replace("_", "-"))
        return None

    def _route(self, chain: str, call: ast.Call, verb: str, path: str) -> EntryPoint:
        methods_node = _keyword(call, "methods")
        if verb in _HTTP_VERBS:
            methods: tuple[str, ...] = (verb.upper(),)
        elif isinstance(methods_node, (ast.List, ast.Tuple, ast.Set)):
            methods = tuple(sorted(s.upper() for e in methods_node.elts if (s := _string(e))))
        else:
            methods = ("GET",)
        router_name = chain.rpartition(".")[0]
        router = self._resolve_chain(router_name, {})
        framework = "flask"
        prefix = ""
        for definition in self.routers:
            if definition.name == router_name:
                framework, prefix = definition.framework, definition.prefix
        if router is None and "." not in router_name:
            router = f"{self.source.module}.{router_name}"
        return EntryPoint(
            kind="http_route",
            framework=framework,
            target="",
            name=_join_route(prefix, path),
            methods=methods,
            router=router,
            line=call.lineno,
            col=call.col_offset + 1,
        )

    def signal_connect(self, call: ast.Call, chain: str, local_imports: dict[str, str]) -> None:
        """`post_save.connect(handler, sender=X)`: the handler becomes a signal receiver."""
        handler = self._resolve_chain(_dotted(call.args[0]), local_imports)
        if handler is None or handler.partition(".")[0] in _BUILTIN_NAMES:
            return
        signal = self._resolve_chain(chain.rpartition(".")[0], local_imports)
        self.entry_points.append(
            EntryPoint(
                kind="signal_receiver",
                framework="django" if (signal or "").startswith("django.") else "generic",
                target=handler,
                name=signal or chain.rpartition(".")[0],
                line=call.lineno,
                col=call.col_offset + 1,
            )
        )

    def transaction(self, owner: str, kind: str, at: ast.AST, span: ast.AST) -> None:
        """A unit of work: the models used in `span` are changed together."""
        self.transactions.append(
            Transaction(
                owner=owner,
                kind=kind,  # type: ignore[arg-type]
                line=getattr(at, "lineno", 1),
                col=getattr(at, "col_offset", 0) + 1,
                start_line=getattr(span, "lineno", 1),
                end_line=getattr(span, "end_lineno", None) or getattr(span, "lineno", 1) or 1,
            )
        )

    def event_emit(
        self, owner: str, call: ast.Call, chain: str, local_imports: dict[str, str]
    ) -> None:
        """An event published by name, or a signal object sent."""
        name = _string(call.args[0]) if call.args else None
        if name is None:
            receiver = chain.rpartition(".")[0]
            if chain.rpartition(".")[2] not in ("send", "send_robust") or not receiver:
                return
            name = self._resolve_chain(receiver, local_imports)
            if name is None:
                return
        self.emits.append(
            EventEmit(owner=owner, name=name, line=call.lineno, col=call.col_offset + 1)
        )

    def route_call(self, call: ast.Call, chain: str, local_imports: dict[str, str]) -> None:
        """Flask's `app.add_url_rule(rule, view_func=f)`, FastAPI's `add_api_route(path, f)`."""
        is_flask = chain.endswith(".add_url_rule")
        rule = _string(_arg(call, 0, "rule" if is_flask else "path"))
        view = _arg(call, 2, "view_func") if is_flask else _arg(call, 1, "endpoint")
        handler = self._resolve_chain(_dotted(view), local_imports) if view is not None else None
        if rule is None or handler is None:
            return
        methods_node = _keyword(call, "methods")
        methods: tuple[str, ...] = ("GET",)
        if isinstance(methods_node, (ast.List, ast.Tuple, ast.Set)):
            methods = tuple(sorted(s.upper() for e in methods_node.elts if (s := _string(e))))
        self.entry_points.append(
            EntryPoint(
                kind="http_route",
                framework="flask" if is_flask else "fastapi",
                target=handler,
                name=rule,
                methods=methods,
                line=call.lineno,
                col=call.col_offset + 1,
            )
        )

    def django_url(self, call: ast.Call, local_imports: dict[str, str]) -> None:
        route = _string(_arg(call, 0, "route"))
        view = _arg(call, 1, "view")
        if route is None or view is None:
            return
        if isinstance(view, ast.Call) and isinstance(view.func, ast.Attribute):
            if view.func.attr == "as_view":
                view = view.func.value
            else:
                return  # include(...) is an import of another urls module, not a view
        target = (
            self._resolve_chain(_dotted(view), local_imports)
            if isinstance(view, ast.expr)
            else None
        )
        if target is None:
            return
        self.entry_points.append(
            EntryPoint(
                kind="http_route",
                framework="django",
                target=target,
                name=route,
                line=call.lineno,
                col=call.col_offset + 1,
            )
        )

    def _management_command(self) -> None:
        parts = self.source.module.split(".")
        if (
            len(parts) >= 3
            and parts[-3:-1] == ["management", "commands"]
            and "Command" in self.top_names
        ):
            self.entry_points.append(
                EntryPoint(
                    kind="management_command",
                    framework="django",
                    target=f"{self.source.module}.Command",
                    name=parts[-1],
                    line=next(d.line for d in self.definitions if d.name == "Command"),
                    col=1,
                )
            )


def _relative_to(package: str, name: str, level: int) -> str | None:
    parts = package.split(".")
    if level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    return ".".join([*base, name] if name else base)


def _join_route(prefix: str, path: str) -> str:
    if not prefix:
        return path
    return prefix.rstrip("/") + "/" + path.lstrip("/") if path else prefix


_COMPOUND_TYPES = (
    ast.If,
    ast.Try,
    ast.TryStar,
    ast.With,
    ast.AsyncWith,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.Match,
)


def _blocks(statement: ast.stmt) -> list[list[ast.stmt]]:
    """The statement lists nested in a compound statement (every branch, `else` included)."""
    if isinstance(statement, (ast.If, ast.For, ast.AsyncFor, ast.While)):
        return [statement.body, statement.orelse]
    if isinstance(statement, (ast.Try, ast.TryStar)):
        return [
            statement.body,
            *(h.body for h in statement.handlers),
            statement.orelse,
            statement.finalbody,
        ]
    if isinstance(statement, (ast.With, ast.AsyncWith)):
        return [statement.body]
    if isinstance(statement, ast.Match):
        return [case.body for case in statement.cases]
    return []


def _headers(statement: ast.stmt) -> list[ast.AST]:
    """The expressions a compound statement evaluates itself (its test, iterable, items)."""
    if isinstance(statement, (ast.If, ast.While)):
        return [statement.test]
    if isinstance(statement, (ast.For, ast.AsyncFor)):
        return [statement.target, statement.iter]
    if isinstance(statement, (ast.With, ast.AsyncWith)):
        return list(statement.items)
    if isinstance(statement, (ast.Try, ast.TryStar)):
        return [h.type for h in statement.handlers if h.type is not None]
    if isinstance(statement, ast.Match):
        return [statement.subject, *(c.guard for c in statement.cases if c.guard is not None)]
    return []


def _module_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, descending into compound statements but not into definitions."""
    for statement in body:
        yield statement
        for block in _blocks(statement):
            yield from _module_statements(block)


def _mapped_class(annotation: ast.expr) -> ast.expr | None:
    """The class in `Mapped["Order"]`, `Mapped[list["OrderLine"]]`, `Mapped[Optional[X]]`."""
    node: ast.expr = annotation
    while isinstance(node, ast.Subscript):
        inner = node.slice
        if isinstance(inner, ast.Tuple) and inner.elts:
            inner = inner.elts[0]
        node = inner
    if isinstance(node, ast.BinOp):  # X | None
        node = node.left
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node  # a forward reference: the graph stage resolves the class name
    return node if isinstance(node, (ast.Name, ast.Attribute)) else None


def _table_name(statement: ast.stmt) -> str | None:
    if isinstance(statement, ast.Assign):
        for target in statement.targets:
            if isinstance(target, ast.Name) and target.id in ("__tablename__", "db_table"):
                return _string(statement.value)
    if isinstance(statement, ast.ClassDef) and statement.name == "Meta":
        for inner in statement.body:
            found = _table_name(inner)
            if found:
                return found
    return None


_NAME, _ATTRIBUTE, _CALL, _CONSTANT, _LOAD = (
    ast.Name,
    ast.Attribute,
    ast.Call,
    ast.Constant,
    ast.Load,
)
_SCOPE_TYPE_SET = frozenset(_SCOPE_TYPES)
_NOT_CHILDREN = frozenset({"ctx", "op", "ops", "type_ignores", "type_comment"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(kind: type) -> tuple[str, ...]:
    """Fields of an ast class that can hold nodes worth visiting (not ctx/op markers, not the
    plain strings and numbers). ast.iter_child_nodes is a generator over every field and showed
    up as a third of the extraction time."""
    fields = _CHILD_FIELDS.get(kind)
    if fields is None and not issubclass(kind, ast.AST):
        return ()  # a plain string or number inside a list field (MatchClass.kwd_attrs)
    if fields is None:
        leaf = {
            "id",
            "attr",
            "name",
            "arg",
            "asname",
            "module",
            "level",
            "names",
            "value",
            "n",
            "s",
            "kind",
            "conversion",
            "lineno",
            "is_async",
            "simple",
            "kwd_attrs",
            "rest",
            "tag",
        }
        fields = tuple(f for f in kind._fields if f not in _NOT_CHILDREN and f not in leaf)  # type: ignore[attr-defined]
        if kind is not ast.Constant and "value" in kind._fields:  # type: ignore[attr-defined]
            fields += ("value",)
        if kind in (ast.Global, ast.Nonlocal):
            fields = ()
        _CHILD_FIELDS[kind] = fields
    return fields


_BUILTIN_NAMES = frozenset(dir(builtins))


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
        # Names a chain can start with to matter: imports and the module's own definitions.
        self.known_heads = module.bindings.keys() | module.top_names | local_imports.keys()

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
        for inner in ast.walk(node):
            self.annotation_ids.add(id(inner))
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
            _Candidate(
                self.owner,
                chain,
                kind,
                node.lineno,
                node.col_offset + 1,
                id(node) in self.discarded,
            )
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
            module.orm_call(self.owner, "", node, self.local_imports, annotation=None)

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
                        _Candidate(
                            self.owner, chain, "annotation", node.lineno, node.col_offset + 1, False
                        )
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
