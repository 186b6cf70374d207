"""How a value of the monolith travels between services: its Python annotation (names made
absolute by the extractor) turned into a type JSON can carry, and back into code.

A wire type is a small Python type expression over a closed vocabulary: `int`, `float`, `str`,
`bool`, `bytes`, `None`, `Any`, `Literal[...]`, `list[T]`, `tuple[A, B]`, `dict[K, V]`, unions
with `|`, and `decimal.Decimal`, `datetime.{datetime,date,time,timedelta}`, `uuid.UUID`. The plan
stage writes them into plan.json (an architect may edit them); the scaffold checks an edited one
against the same vocabulary before it becomes generated code, so a plan cannot inject code.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from pydantic import BaseModel

SCALARS = frozenset({"int", "float", "str", "bool", "bytes"})
STDLIB = frozenset(
    {
        "decimal.Decimal",
        "datetime.datetime",
        "datetime.date",
        "datetime.time",
        "datetime.timedelta",
        "uuid.UUID",
    }
)
_ALIASES = {
    "typing.Text": "str",
    "bytearray": "bytes",
    "typing.ByteString": "bytes",
    "collections.abc.ByteString": "bytes",
}
_ANY = frozenset({"typing.Any", "Any", "object", "typing_extensions.Any"})
_LISTS = frozenset(
    f"{module}.{name}" if module else name
    for module, names in {
        "": ("list", "set", "frozenset"),
        "typing": (
            "List", "Set", "FrozenSet", "Sequence", "MutableSequence", "Iterable", "Iterator",
            "Collection", "AbstractSet", "MutableSet", "Generator",
        ),
        "collections.abc": (
            "Sequence", "MutableSequence", "Iterable", "Iterator", "Collection", "Set",
            "MutableSet", "Generator",
        ),
        "collections": ("deque",),
    }.items()
    for name in names
)  # fmt: skip
_TUPLES = frozenset({"tuple", "typing.Tuple"})
_DICTS = frozenset(
    {
        "dict",
        "typing.Dict",
        "typing.Mapping",
        "typing.MutableMapping",
        "typing.DefaultDict",
        "typing.OrderedDict",
        "typing.Counter",
        "collections.abc.Mapping",
        "collections.abc.MutableMapping",
        "collections.OrderedDict",
        "collections.defaultdict",
        "collections.Counter",
    }
)
_OPTIONAL = frozenset({"typing.Optional", "typing_extensions.Optional"})
_UNION = frozenset({"typing.Union", "typing_extensions.Union"})
_LITERAL = frozenset({"typing.Literal", "typing_extensions.Literal", "Literal"})
_ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})
_MODEL_ATTRIBUTES = frozenset(dir(BaseModel))
_GENERICS = frozenset({"list", "tuple", "dict", "Literal"})
_EXAMPLES: dict[str, Any] = {
    "int": 1,
    "float": 1.5,
    "str": "text",
    "bool": True,
    "bytes": "bytes",
    "None": None,
    "Any": "value",
    "decimal.Decimal": "12.50",
    "datetime.datetime": "2024-05-01T12:00:00Z",
    "datetime.date": "2024-05-01",
    "datetime.time": "12:00:00",
    "datetime.timedelta": "PT1H",
    "uuid.UUID": "12345678-1234-5678-1234-567812345678",
}


# Public functions


class Wire(NamedTuple):
    """A monolith annotation on the wire."""

    type: str
    notes: tuple[str, ...]
    models: tuple[str, ...]  # ORM model nodes it named: they travel as dicts of their fields


def to_wire(annotation: str | None, models: Mapping[str, str]) -> Wire:
    """The wire type of a monolith annotation, and notes on what it could not keep.

    `models`: dotted name of each ORM model (`shop.models.Order`) -> its graph node. A model
    travels as an object of its fields; a class with no JSON form travels untyped (`Any`).
    """
    if annotation is None:
        return Wire("Any", ("not annotated in the monolith",), ())
    try:
        expression = ast.parse(annotation, mode="eval").body
    except SyntaxError:
        return Wire("Any", (f"annotation {annotation!r} is not an expression",), ())
    notes: list[str] = []
    wire = _convert(expression, models, notes)
    used = tuple(sorted({models[n] for n in _names(expression) if n in models}))
    return Wire(wire, tuple(dict.fromkeys(notes)), used)


def attribute(parameter: str) -> str:
    """The attribute of a request model (and keyword of a client method) for a parameter:
    itself, with a trailing `_` where pydantic's BaseModel already has that name or where it
    is `self` (the client method's own first parameter: a Celery task bound with `bind=True`
    takes one), or `arg_x` for `_x` (pydantic takes names with a leading underscore for
    private attributes)."""
    if parameter.startswith("_"):
        return f"arg{parameter}"
    taken = parameter in _MODEL_ATTRIBUTES or parameter.startswith("model_") or parameter == "self"
    return f"{parameter}_" if taken else parameter


def constant(text: str) -> bool | int | float | str | None:
    """The value of a default written as a constant JSON can carry: None, a boolean, a number
    or a string.

    Raises:
        ValueError: anything else (an expression, a call, a container).
    """
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        raise ValueError(f"{text!r} is not a constant") from None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ValueError(f"{text!r} is not a scalar constant")


def check(wire: str) -> str:
    """`wire` itself if it is a wire type (the vocabulary above).

    Raises:
        ValueError: anything else, saying what is not allowed.
    """
    try:
        expression = ast.parse(wire, mode="eval").body
    except SyntaxError:
        raise ValueError(f"{wire!r} is not a type expression") from None
    _check(expression, wire, in_literal=False)
    return wire


def python(wire: str) -> str:
    """The wire type as code of a generated module that imports what `imports` lists:
    standard modules under an alias (`_datetime.date`), so no field name can shadow them."""
    tree = ast.parse(check(wire), mode="eval")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            node.value.id = f"_{node.value.id}"
    return ast.unparse(tree)


def imports(wires: Iterable[str]) -> list[str]:
    """The import lines the code of `python(wire)` needs, sorted."""
    lines = set()
    for wire in wires:
        for node in ast.walk(ast.parse(check(wire), mode="eval")):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                lines.add(f"import {node.value.id} as _{node.value.id}")
            elif isinstance(node, ast.Name) and node.id in ("Any", "Literal"):
                lines.add(f"from typing import {node.id}")
    return sorted(lines)


def example(wire: str) -> Any:
    """A JSON value of the wire type, for generated tests."""
    return _example(ast.parse(check(wire), mode="eval").body)


# Private functions


def _convert(node: ast.expr, models: Mapping[str, str], notes: list[str]) -> str:
    if isinstance(node, ast.Constant):
        if node.value is None:
            return "None"
        notes.append(f"{node.value!r} is not a type")
        return "Any"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _union([_convert(side, models, notes) for side in (node.left, node.right)])
    if isinstance(node, ast.Subscript):
        return _generic(node, models, notes)
    name = dotted(node)
    if name is None:
        notes.append(f"{ast.unparse(node)}: not a type the services can send")
        return "Any"
    return _named(name, models, notes)


def _named(name: str, models: Mapping[str, str], notes: list[str]) -> str:
    name = _ALIASES.get(name, name)
    if name in SCALARS or name in STDLIB or name == "None":
        return name
    if name in _ANY:
        return "Any"
    if name in _LISTS:
        return "list[Any]"
    if name in _TUPLES:
        return "list[Any]"
    if name in _DICTS:
        return "dict[str, Any]"
    if name in models:
        notes.append(f"ORM model {models[name]}: travels as an object of its fields")
        return "dict[str, Any]"
    notes.append(f"{name}: no JSON form known, travels untyped")
    return "Any"


def _generic(node: ast.Subscript, models: Mapping[str, str], notes: list[str]) -> str:
    origin = _ALIASES.get(dotted(node.value) or "", dotted(node.value) or "")
    items = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
    if origin in _LITERAL:
        values = [item for item in items if isinstance(item, ast.Constant)]
        if values and len(values) == len(items):
            return f"Literal[{', '.join(repr(v.value) for v in values)}]"
        notes.append(f"{ast.unparse(node)}: literal values must be constants")
        return "Any"
    if origin in _ANNOTATED:
        return _convert(items[0], models, notes)
    if origin in _OPTIONAL:
        return _union([_convert(items[0], models, notes), "None"])
    if origin in _UNION:
        return _union([_convert(item, models, notes) for item in items])
    if origin in _TUPLES:
        if len(items) == 2 and isinstance(items[1], ast.Constant) and items[1].value is ...:
            return f"list[{_convert(items[0], models, notes)}]"
        return f"tuple[{', '.join(_convert(item, models, notes) for item in items)}]"
    if origin in _LISTS:
        return f"list[{_convert(items[0], models, notes)}]"
    if origin in _DICTS:
        if origin in ("typing.Counter", "collections.Counter"):
            return f"dict[{_convert(items[0], models, notes)}, int]"
        if len(items) != 2:
            return "dict[str, Any]"
        return f"dict[{_convert(items[0], models, notes)}, {_convert(items[1], models, notes)}]"
    return _named(origin, models, notes) if origin else "Any"


def _union(members: list[str]) -> str:
    flat: list[str] = []
    for member in members:
        for part in _split_union(member):
            if part not in flat:
                flat.append(part)
    if "Any" in flat:
        return "Any | None" if "None" in flat else "Any"
    return " | ".join([*(p for p in flat if p != "None"), *(["None"] if "None" in flat else [])])


def _split_union(wire: str) -> list[str]:
    expression = ast.parse(wire, mode="eval").body
    if isinstance(expression, ast.BinOp) and isinstance(expression.op, ast.BitOr):
        return [
            *_split_union(ast.unparse(expression.left)),
            *_split_union(ast.unparse(expression.right)),
        ]
    return [wire]


def _check(node: ast.expr, wire: str, *, in_literal: bool) -> None:
    if in_literal:
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, bool)):
            return
        raise ValueError(f"{wire!r}: Literal takes only strings, integers and booleans")
    if isinstance(node, ast.Constant) and node.value is None:
        return
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        _check(node.left, wire, in_literal=False)
        _check(node.right, wire, in_literal=False)
        return
    if isinstance(node, ast.Subscript):
        origin = dotted(node.value)
        if origin not in _GENERICS:
            raise ValueError(f"{wire!r}: {origin or ast.unparse(node.value)}[...] is not allowed")
        items = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        arity = {"list": 1, "dict": 2}.get(origin)
        if arity and len(items) != arity:
            raise ValueError(f"{wire!r}: {origin} takes {arity} type(s)")
        for item in items:
            _check(item, wire, in_literal=origin == "Literal")
        return
    name = dotted(node)
    if name in SCALARS or name in STDLIB or name == "Any":
        return
    raise ValueError(
        f"{wire!r}: {ast.unparse(node)} is not a wire type (allowed: "
        f"{', '.join(sorted(SCALARS | STDLIB))}, None, Any, list, tuple, dict, Literal, |)"
    )


def _example(node: ast.expr) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.BinOp):
        left = _example(node.left)
        return left if left is not None else _example(node.right)
    if isinstance(node, ast.Subscript):
        origin = dotted(node.value)
        items = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        if origin == "Literal":
            return _example(items[0])
        if origin == "list":
            return [_example(items[0])]
        if origin == "tuple":
            return [_example(item) for item in items]
        key = _example(items[0])
        return {str(key) if key is not None else "key": _example(items[1])}
    return _EXAMPLES[dotted(node) or "Any"]


def _names(expression: ast.expr) -> set[str]:
    return {
        name
        for node in ast.walk(expression)
        if isinstance(node, ast.expr) and (name := dotted(node))
    }


def dotted(node: ast.expr) -> str | None:
    """`a.b.c` for a chain of names and attributes, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))
