"""How an operation's handler runs the monolith's code copied into `monolith/`.

The copies import the monolith as it was (`from shop import db`): `monolith/` goes first on
sys.path, and what did not move here (the shared kernel, other contexts) must be importable
beside it, for example by installing the monolith's package in the service's image while the
migration lasts. An import that fails answers 501 with the missing module (or the syntax this
Python cannot read); the result is turned into JSON-ready data (ORM objects into dicts of their
columns).
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

MONOLITH = Path(__file__).resolve().parent / "monolith"


def call_monolith(
    module: str, function: str, request: BaseModel, *, positional_only: tuple[str, ...] = ()
) -> Any:
    """`module.function(**request)`, with the fields the caller set (the function's own
    defaults apply to the others), each under the parameter's own name (a field renamed for
    pydantic, `self_` or `json_`, carries it as its alias); its result as plain data."""
    target = _load(module, function)
    arguments = request.model_dump(exclude_unset=True, by_alias=True)
    positional = [arguments.pop(name) for name in positional_only if name in arguments]
    return plain(target(*positional, **arguments))


def plain(value: Any) -> Any:
    """`value` as data JSON can carry: ORM objects (SQLAlchemy, Django) become dicts of their
    columns, dataclasses and named tuples dicts, enums their value, collections lists."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, BaseModel):
        return value.model_dump()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    table = getattr(value, "__table__", None)
    if table is not None and hasattr(table, "columns"):  # SQLAlchemy
        return {c.key: plain(getattr(value, c.key, None)) for c in table.columns}
    meta = getattr(value, "_meta", None)
    if meta is not None and hasattr(meta, "concrete_fields"):  # Django
        return {f.attname: plain(getattr(value, f.attname)) for f in meta.concrete_fields}
    if isinstance(value, Mapping):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, Iterable) and not isinstance(value, (bytes, bytearray)):
        return [plain(item) for item in value]
    return value  # decimals, dates, UUIDs, bytes: pydantic serializes them


def _load(module: str, function: str) -> Callable[..., Any]:
    if str(MONOLITH) not in sys.path:
        sys.path.insert(0, str(MONOLITH))
    try:
        target: Callable[..., Any] = getattr(importlib.import_module(module), function)
    except ImportError as exc:
        raise NotImplementedError(
            f"{module}:{function} cannot run here: {exc}. Make the rest of the monolith"
            " importable beside monolith/ (see bridge.py), or move what it needs."
        ) from exc
    except SyntaxError as exc:  # the monolith needs a newer Python than the service runs
        raise NotImplementedError(
            f"{module}:{function} cannot run here: {exc.filename}:{exc.lineno}: {exc.msg}"
            f" (Python {sys.version_info.major}.{sys.version_info.minor}). Run the service on"
            " the Python the monolith needs."
        ) from exc
    return target
