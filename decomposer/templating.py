"""The one Jinja environment: where templates live, how they render, the named filters.

Shared by the report (stage 7a) and the scaffold (stage 7b). Templates end in `.j2`; a
missing variable is an error (StrictUndefined), never an empty string; only `.html.j2`
templates are autoescaped.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

# Public functions


def templates_dir() -> Path:
    """The templates: `templates/` of a source checkout, or the copy shipped in the wheel."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "_templates", package.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"no templates beside {package}")  # a broken install: a bug


def render(template: str, **context: Any) -> str:
    """Render one template (path relative to the templates folder) with its root variable."""
    return _environment().get_template(template).render(**context)


def read_static(path: str) -> str:
    """A file shipped under templates/ (CSS, vendored JavaScript), to inline."""
    return (templates_dir() / path).read_text(encoding="utf-8")


def tf_identifier(value: str) -> str:
    """A Terraform identifier: letters, digits, '_' and '-', starting with a letter or '_'."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "_", value)
    return cleaned if re.match(r"^[A-Za-z_]", cleaned) else f"_{cleaned}"


def snake_case(value: str) -> str:
    """`PriceTier` -> `price_tier`, `order-lines` -> `order_lines`."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", value)
    return re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_")


def from_import(module: str, names: list[str], indent: str = "") -> str:
    """`from module import a, B, C` in the order ruff's isort keeps (constants, classes, then
    the rest, each case-insensitively), wrapped one name per line past 100 characters."""

    def kind(name: str) -> int:
        if name.isupper() and len(name) > 1:
            return 0
        return 1 if name[:1].isupper() else 2

    ordered = sorted(set(names), key=lambda n: (kind(n), n.lower(), n))
    line = f"{indent}from {module} import {', '.join(ordered)}"
    if len(line) <= 100:
        return line
    inner = "".join(f"{indent}    {name},\n" for name in ordered)
    return f"{indent}from {module} import (\n{inner}{indent})"


def python_literal(text: str) -> str:
    """A JSON document as a Python literal (`true` -> `True`), for generated code."""
    return repr(json.loads(text))


# Private functions


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
    )
    environment.filters["tf_identifier"] = tf_identifier
    environment.filters["snake_case"] = snake_case
    environment.filters["python_literal"] = python_literal
    environment.globals["from_import"] = from_import
    return environment
