"""The columns an ORM model class declares: SQLAlchemy (`Mapped[...]`, `mapped_column`,
`Column`) and Django (`models.<X>Field`, and `<name>_id` for a foreign key).

Names in types and annotations are made absolute by the caller's `resolve` (the module's
imports), so the plan can tell `sqlalchemy.String` from a class of the same name.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from decomposer.extract.syntax import _string
from decomposer.models import OrmColumn
from decomposer.wire import dotted as _dotted

Resolve = Callable[[str | None], str | None]

_SQLALCHEMY_COLUMN = frozenset(
    {"sqlalchemy.Column", "sqlalchemy.schema.Column", "sqlalchemy.orm.mapped_column"}
)
_SQLALCHEMY_FOREIGN_KEY = frozenset({"sqlalchemy.ForeignKey", "sqlalchemy.schema.ForeignKey"})
_MAPPED = frozenset({"sqlalchemy.orm.Mapped", "sqlalchemy.orm.base.Mapped"})
_DJANGO_FOREIGN_KEYS = frozenset({"django.db.models.ForeignKey", "django.db.models.OneToOneField"})
_DJANGO_SKIPPED = frozenset(
    {"django.db.models.ManyToManyField", "django.db.models.GenericForeignKey"}
)


def columns_of(
    node: ast.ClassDef, framework: str, resolve: Resolve, annotation: Callable[[ast.expr], str]
) -> tuple[OrmColumn, ...]:
    """The columns `node` declares, in order. `annotation` renders an annotation with its
    names made absolute."""
    found = []
    for statement in node.body:
        column = (
            _sqlalchemy(statement, resolve, annotation)
            if framework == "sqlalchemy"
            else _django(statement, resolve)
        )
        if column is not None:
            found.append(column)
    return tuple(found)


def _sqlalchemy(
    statement: ast.stmt, resolve: Resolve, annotation: Callable[[ast.expr], str]
) -> OrmColumn | None:
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        name, value = statement.target.id, statement.value
        declared = statement.annotation
        if not (
            isinstance(declared, ast.Subscript) and resolve(_dotted(declared.value)) in _MAPPED
        ):
            return None
        inner: str | None = annotation(declared.slice)
    elif (
        isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
    ):
        name, value, inner = statement.targets[0].id, statement.value, None
    else:
        return None
    if value is None:  # `x: Mapped[int]`: a column whose type comes from the annotation
        return OrmColumn(name=name, annotation=inner)
    if not isinstance(value, ast.Call) or resolve(_dotted(value.func)) not in _SQLALCHEMY_COLUMN:
        return None
    sql_type, foreign_key = None, None
    for arg in value.args:
        if isinstance(arg, ast.Call) and resolve(_dotted(arg.func)) in _SQLALCHEMY_FOREIGN_KEY:
            foreign_key = _string(arg.args[0]) if arg.args else None
        elif isinstance(arg, (ast.Name, ast.Attribute, ast.Call)) and sql_type is None:
            sql_type = _type_text(arg, resolve)
    flags = _flags(value)
    return OrmColumn(
        name=name,
        annotation=inner,
        sql_type=sql_type,
        nullable=_bool(flags.get("nullable")),
        primary_key=flags.get("primary_key") is True,
        unique=flags.get("unique") is True,
        foreign_key=foreign_key,
        default=_default(value),
    )


def _django(statement: ast.stmt, resolve: Resolve) -> OrmColumn | None:
    if not (
        isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
        and isinstance(statement.value, ast.Call)
    ):
        return None
    name, call = statement.targets[0].id, statement.value
    field = resolve(_dotted(call.func)) or ""
    if not field.startswith("django.db.models.") or field in _DJANGO_SKIPPED:
        return None
    if not field.endswith("Field") and field not in _DJANGO_FOREIGN_KEYS:
        return None
    flags = _flags(call)
    if field in _DJANGO_FOREIGN_KEYS:
        target = call.args[0] if call.args else None
        target_name = _string(target) if target is not None else None
        if target_name is None and target is not None:
            target_name = resolve(_dotted(target)) or _dotted(target)
        return OrmColumn(
            name=f"{name}_id",
            sql_type=field,
            nullable=flags.get("null") is True,
            primary_key=flags.get("primary_key") is True,
            unique=flags.get("unique") is True or field.endswith("OneToOneField"),
            foreign_key=target_name,
        )
    return OrmColumn(
        name=name,
        sql_type=_type_text(call, resolve),
        nullable=flags.get("null") is True,
        primary_key=flags.get("primary_key") is True,
        unique=flags.get("unique") is True,
        default=_default(call),
    )


def _default(call: ast.Call) -> str | None:
    found = next((k.value for k in call.keywords if k.arg == "default"), None)
    return ast.unparse(found) if found is not None else None


def _bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _flags(call: ast.Call) -> dict[str, object]:
    return {
        keyword.arg: keyword.value.value
        for keyword in call.keywords
        if keyword.arg and isinstance(keyword.value, ast.Constant)
    }


def _type_text(node: ast.expr, resolve: Resolve) -> str | None:
    """`sqlalchemy.String(64)`, `django.db.models.CharField(max_length=64)`: the type's
    absolute name and its constant arguments."""
    call = node if isinstance(node, ast.Call) else None
    name = resolve(_dotted(call.func if call else node))
    if name is None:
        return None
    if call is None:
        return name
    arguments = [ast.unparse(arg) for arg in call.args if isinstance(arg, ast.Constant)]
    arguments += [
        f"{k.arg}={ast.unparse(k.value)}"
        for k in call.keywords
        if k.arg and isinstance(k.value, ast.Constant)
    ]
    return f"{name}({', '.join(arguments)})"
