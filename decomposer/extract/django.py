"""Django's project settings, read without running them: the settings module that
`manage.py` (or wsgi.py, asgi.py) names, and the apps its INSTALLED_APPS lists."""

from __future__ import annotations

import ast

from decomposer.extract.syntax import _string
from decomposer.models import InstalledApps

_SETTING = "DJANGO_SETTINGS_MODULE"
_APPS = "INSTALLED_APPS"


def settings_module_named(tree: ast.Module, text: str) -> str | None:
    """The module named by `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "x.settings")` or
    `os.environ["DJANGO_SETTINGS_MODULE"] = "x.settings"`, anywhere in the module."""
    if _SETTING not in text:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and len(node.args) >= 2 and _string(node.args[0]) == _SETTING:
            value = _string(node.args[1])
            if value:
                return value
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Subscript) and _string(target.slice) == _SETTING:
                value = _string(node.value)
                if value:
                    return value
    return None


def installed_apps(tree: ast.Module, text: str) -> InstalledApps | None:
    """INSTALLED_APPS as assigned, extended and appended to at module level (inside `if` and
    `try` blocks too: an app that may be installed is an app). Lists bound to other names of
    the module (DJANGO_APPS + LOCAL_APPS) are followed; anything else is reported as computed."""
    if _APPS not in text:
        return None
    reader = _AppsReader()
    reader.block(tree.body)
    if reader.line is None:
        return None
    return InstalledApps(apps=tuple(reader.apps), line=reader.line, computed=reader.computed)


class _AppsReader:
    def __init__(self) -> None:
        self.lists: dict[str, list[str]] = {}
        self.apps: list[str] = []
        self.line: int | None = None
        self.computed: str | None = None

    def block(self, body: list[ast.stmt]) -> None:
        for statement in body:
            if isinstance(statement, ast.If):
                self.block(statement.body)
                self.block(statement.orelse)
            elif isinstance(statement, (ast.Try, ast.TryStar)):
                for part in (statement.body, statement.orelse, statement.finalbody):
                    self.block(part)
            else:
                self.statement(statement)

    def statement(self, statement: ast.stmt) -> None:
        if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    self.bind(target.id, statement.value, statement, extend=False)
        elif isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Name):
            if isinstance(statement.op, ast.Add):
                self.bind(statement.target.id, statement.value, statement, extend=True)
        elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            call = statement.value
            func = call.func
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.attr in ("append", "extend", "insert")
                and call.args
            ):
                value = call.args[-1]
                if func.attr != "extend":
                    value = ast.List(elts=[value], ctx=ast.Load())
                self.bind(func.value.id, value, statement, extend=True)

    def bind(self, name: str, value: ast.expr, statement: ast.stmt, *, extend: bool) -> None:
        entries = self.evaluate(value)
        if name == _APPS:
            if self.line is None:
                self.line = statement.lineno
            if entries is None:
                self.computed = self.computed or (
                    f"line {statement.lineno}: `{_short(value)}` is not a literal list"
                )
                return
            if not extend:
                self.apps = []
            self.apps.extend(e for e in entries if e not in self.apps)
        elif entries is not None:
            self.lists[name] = [*self.lists.get(name, []), *entries] if extend else entries

    def evaluate(self, value: ast.expr) -> list[str] | None:
        """The strings of a literal list or tuple, a name bound to one, or their sum; None when
        any part is not a string or list read this way."""
        if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
            out: list[str] = []
            for element in value.elts:
                if isinstance(element, ast.Starred):
                    part = self.evaluate(element.value)
                    if part is None:
                        return None
                    out.extend(part)
                    continue
                text = _string(element)
                if text is None:
                    return None
                out.append(text)
            return out
        if isinstance(value, ast.Name):
            known = self.lists.get(value.id)
            return list(known) if known is not None else None
        if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
            left, right = self.evaluate(value.left), self.evaluate(value.right)
            return None if left is None or right is None else left + right
        return None


def _short(value: ast.expr) -> str:
    text = " ".join(ast.unparse(value).split())
    return text if len(text) <= 60 else text[:57] + "..."
