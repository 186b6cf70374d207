"""The columns of an owned entity in its service's database: a monolith column (SQLAlchemy or
Django, as the extractor recorded it) as a SQLAlchemy type of a small vocabulary, its Python
type, and whether it may be null.

The plan writes them into plan.json; the scaffold checks an edited one against the same
vocabulary before it becomes generated code.
"""

from __future__ import annotations

import ast
import functools
from typing import NamedTuple

from decomposer import wire
from decomposer.wire import dotted

# SQLAlchemy type -> Python wire type of its values
TYPES = {
    "Integer": "int",
    "BigInteger": "int",
    "SmallInteger": "int",
    "String": "str",
    "Text": "str",
    "Boolean": "bool",
    "DateTime": "datetime.datetime",
    "Date": "datetime.date",
    "Time": "datetime.time",
    "Interval": "datetime.timedelta",
    "Numeric": "decimal.Decimal",
    "Float": "float",
    "JSON": "Any",
    "LargeBinary": "bytes",
    "Uuid": "uuid.UUID",
}
_KEYWORDS = frozenset({"length", "precision", "scale", "timezone", "asdecimal"})
_SQLALCHEMY_ALIASES = {
    "Unicode": "String",
    "UnicodeText": "Text",
    "Double": "Float",
    "REAL": "Float",
    "JSONB": "JSON",
    "UUID": "Uuid",
    "INTEGER": "Integer",
    "BIGINT": "BigInteger",
    "VARCHAR": "String",
    "TEXT": "Text",
    "BOOLEAN": "Boolean",
    "TIMESTAMP": "DateTime",
    "DATE": "Date",
    "NUMERIC": "Numeric",
}
_DJANGO = {
    "CharField": "String",
    "SlugField": "String",
    "EmailField": "String",
    "URLField": "String",
    "FilePathField": "String",
    "FileField": "String",
    "ImageField": "String",
    "GenericIPAddressField": "String",
    "TextField": "Text",
    "IntegerField": "Integer",
    "PositiveIntegerField": "Integer",
    "SmallIntegerField": "SmallInteger",
    "PositiveSmallIntegerField": "SmallInteger",
    "AutoField": "Integer",
    "SmallAutoField": "SmallInteger",
    "BigIntegerField": "BigInteger",
    "PositiveBigIntegerField": "BigInteger",
    "BigAutoField": "BigInteger",
    "BooleanField": "Boolean",
    "NullBooleanField": "Boolean",
    "DateTimeField": "DateTime",
    "DateField": "Date",
    "TimeField": "Time",
    "DurationField": "Interval",
    "DecimalField": "Numeric",
    "FloatField": "Float",
    "JSONField": "JSON",
    "UUIDField": "Uuid",
    "BinaryField": "LargeBinary",
    "ForeignKey": "Integer",
    "OneToOneField": "Integer",
}
_FROM_PYTHON = {python: sql for sql, python in reversed(TYPES.items())}


class SqlType(NamedTuple):
    type: str  # e.g. String(64), Numeric(8, 2), DateTime(timezone=True)
    note: str | None


# Public functions


def sqlalchemy_type(written: str | None, annotation_wire: str | None) -> SqlType:
    """The type of a SQLAlchemy column: as written, or from its `Mapped[...]` annotation."""
    if written:
        call = _parse_call(written)
        if call is not None:
            name = call[0].rpartition(".")[2]
            name = _SQLALCHEMY_ALIASES.get(name, name)
            if name in TYPES:
                return SqlType(_code(name, call[1], call[2]), None)
    if annotation_wire:
        base = [p for p in annotation_wire.split(" | ") if p != "None"]
        if len(base) == 1 and base[0] in _FROM_PYTHON:
            return SqlType(_FROM_PYTHON[base[0]], None)
        if base and (base[0].startswith(("list[", "dict[")) or base[0] == "Any"):
            return SqlType("JSON", None)
    return SqlType("String", f"type {written or annotation_wire or 'unknown'} kept as String")


@functools.lru_cache(maxsize=4096)  # a plan asks about the same few fields hundreds of times
def django_type(written: str | None) -> SqlType:
    """The type of a Django field: CharField(max_length=n) -> String(n), and so on."""
    call = _parse_call(written or "")
    if call is None:
        return SqlType("String", f"field {written} kept as String")
    name, _, keywords = call[0].rpartition(".")[2], call[1], call[2]
    mapped = _DJANGO.get(name)
    if mapped is None:
        return SqlType("String", f"field {name} kept as String")
    if mapped == "String" and "max_length" in keywords:
        return SqlType(f"String({keywords['max_length']})", None)
    if mapped == "Numeric" and {"max_digits", "decimal_places"} <= keywords.keys():
        return SqlType(f"Numeric({keywords['max_digits']}, {keywords['decimal_places']})", None)
    return SqlType(mapped, None)


def python_type(sql_type: str) -> str:
    """The wire (Python) type of a column of `sql_type`."""
    return TYPES[check(sql_type).partition("(")[0]]


@functools.lru_cache(maxsize=4096)
def check(sql_type: str) -> str:
    """`sql_type` itself if it is in the vocabulary (a type of TYPES with constant arguments).

    Raises:
        ValueError: anything else.
    """
    try:
        node = ast.parse(sql_type, mode="eval").body
    except SyntaxError:
        node = None
    call = node if isinstance(node, ast.Call) else None
    head = call.func if call else node
    valid = (
        isinstance(head, ast.Name)
        and head.id in TYPES
        and (
            call is None
            or (
                all(_constant(a) for a in call.args)
                and all(k.arg in _KEYWORDS and _constant(k.value) for k in call.keywords)
            )
        )
    )
    if not valid:
        raise ValueError(
            f"{sql_type!r} is not a column type (allowed: {', '.join(sorted(TYPES))}, with"
            " integer arguments or length, precision, scale, timezone, asdecimal)"
        )
    return sql_type


def column_python(sql_type: str, annotation: str | None, models: dict[str, str]) -> str:
    """The Python type of a column: its annotation's wire type where that is a plain type,
    else the one of its SQL type."""
    if annotation:
        found = wire.to_wire(annotation, models).type
        base = [p for p in found.split(" | ") if p != "None"]
        if len(base) == 1 and base[0] in TYPES.values() and base[0] != "Any":
            return base[0]
    return python_type(sql_type)


# Private functions


def _constant(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, bool))


def _parse_call(text: str) -> tuple[str, list[object], dict[str, object]] | None:
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    call = node if isinstance(node, ast.Call) else None
    name = dotted(call.func if call else node)
    if name is None:
        return None
    if call is None:
        return name, [], {}
    args: list[object] = [a.value for a in call.args if isinstance(a, ast.Constant)]
    keywords: dict[str, object] = {
        k.arg: k.value.value for k in call.keywords if k.arg and isinstance(k.value, ast.Constant)
    }
    return name, args, keywords


def _code(name: str, args: list[object], keywords: dict[str, object]) -> str:
    kept = [repr(a) for a in args if isinstance(a, int)]
    kept += [f"{k}={v!r}" for k, v in keywords.items() if k in _KEYWORDS]
    return f"{name}({', '.join(kept)})" if kept else name
