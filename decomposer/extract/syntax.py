"""AST helpers shared by the extractors: dotted names, literals, statement blocks."""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterator

_FUNCTION_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef)
_SCOPE_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


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


def _dotted(node: ast.AST | None) -> str | None:
    """`a.b.c` for a chain of names and attributes, else None: `wire.dotted` for the nodes of a
    parsed tree, whose types are exact (no subclasses), so tested with `is`, which is faster."""
    if type(node) is _NAME:
        return node.id
    parts = []
    while type(node) is _ATTRIBUTE:
        parts.append(node.attr)
        node = node.value
    if type(node) is not _NAME:
        return None
    parts.append(node.id)
    parts.reverse()
    return ".".join(parts)


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
