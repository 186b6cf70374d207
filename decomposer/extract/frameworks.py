"""Framework facts: Django, SQLAlchemy, Flask, FastAPI, Celery, click and event buses."""

from __future__ import annotations

import ast
from typing import Literal

from decomposer.extract.syntax import (
    _BUILTIN_NAMES,
    _arg,
    _dotted,
    _join_route,
    _keyword,
    _mapped_class,
    _relative_to,
    _string,
)
from decomposer.models import (
    AppConfigDef,
    Definition,
    Diagnostic,
    EntryKind,
    EntryPoint,
    EventEmit,
    ImportRef,
    ImportScope,
    OrmRef,
    RouterDef,
    SourceFile,
    Transaction,
)

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


class FrameworkFacts:
    """Framework knowledge of the module collector: ORM fields, routes, tasks, signals,
    commands, units of work and published events. Mixed into the collector, which owns the
    lists these methods append to and resolves names."""

    source: SourceFile
    imports: list[ImportRef]
    definitions: list[Definition]
    orm_refs: list[OrmRef]
    entry_points: list[EntryPoint]
    routers: list[RouterDef]
    app_configs: list[AppConfigDef]
    transactions: list[Transaction]
    emits: list[EventEmit]
    diagnostics: list[Diagnostic]
    top_names: set[str]

    @property
    def package(self) -> str:
        """The package relative imports are resolved against."""
        if self.source.is_package:
            return self.source.module
        return self.source.module.rpartition(".")[0]

    def _resolve_chain(self, chain: str | None, local_imports: dict[str, str]) -> str | None:
        raise NotImplementedError

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
        if callee is not None:
            self.orm_call_to(owner, field_name, call, callee, local_imports, annotation=annotation)

    def orm_call_to(
        self,
        owner: str,
        field_name: str,
        call: ast.Call,
        callee: str,
        local_imports: dict[str, str],
        *,
        annotation: ast.expr | None,
    ) -> None:
        """`orm_call` where the callee is resolved already."""
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
