"""The one Jinja environment: where templates live, how they render, the named filters.

Shared by the report (stage 7a) and the scaffold (stage 7b). Templates end in `.j2`; a
missing variable is an error (StrictUndefined), never an empty string; only `.html.j2`
templates are autoescaped.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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


def warm(*templates: str) -> None:
    """Make the environment and compile `templates` ahead of their first rendering (what
    `decompose server` does once for all its commands; a template edited since is compiled
    again when it renders, as Jinja checks its file's time)."""
    for template in templates:
        _environment().get_template(template)


def read_static(path: str) -> str:
    """A file shipped under templates/ (CSS, vendored JavaScript), to inline."""
    return (templates_dir() / path).read_text(encoding="utf-8")


@cache
def static_texts() -> frozenset[str]:
    """The contents of the files under templates/ that are copied byte for byte (not `.j2`)."""
    return frozenset(
        path.read_text(encoding="utf-8")
        for path in templates_dir().rglob("*")
        if path.is_file() and path.suffix != ".j2" and path.parent.name != "static"
    )


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


def one_line(value: str) -> str:
    """`value` on one line: every line break, control character and lone surrogate (which no
    UTF-8 file can hold) becomes a space. Python, YAML and HCL end a comment at a line break,
    and YAML also at U+0085, U+2028 and U+2029, so free text of a plan goes through here."""
    return "".join(" " if unicodedata.category(char) in _NOT_IN_A_LINE else char for char in value)


def py_str(value: str) -> str:
    """A Python string literal of exactly `value`, in double quotes as ruff formats them."""
    literal = repr(value)
    if literal.startswith("'") and '"' not in value:
        # repr chose single quotes although `value` has no `'` either: nothing to unescape
        literal = f'"{literal[1:-1]}"'
    return literal


def py_text(value: str) -> str:
    """Free text for the inside of a double-quoted Python string or docstring: one line, and
    backslashes and double quotes escaped, so it can neither end the string nor the line."""
    return one_line(value).replace("\\", "\\\\").replace('"', '\\"')


def hcl_str(value: str) -> str:
    """An HCL quoted string of exactly `value`: JSON's escapes, and `${` / `%{` doubled so
    Terraform reads them as text, not as an interpolation or a directive."""
    return json.dumps(value).replace("${", "$${").replace("%{", "%%{")


def md_code(value: str) -> str:
    """`value` as a Markdown code span on one line, also inside a table cell: fenced by more
    backticks than it contains, its `|` escaped (GitHub splits cells before code spans)."""
    text = one_line(value).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    return f"{fence}{padded}{fence}"


# Private functions

# Unicode categories of characters that end a line somewhere or cannot be written as UTF-8:
# controls (\n, \r, \x85, ...), line and paragraph separators, surrogates.
_NOT_IN_A_LINE = frozenset({"Cc", "Zl", "Zp", "Cs"})


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Jinja's compiled templates, kept between runs: compiling the report's template took
    0.1-0.16 s of every analysis, all 94 templates 0.5 s of every scaffold (0.02 s from the
    cache). Jinja's own per-user folder under the temporary directory, which it creates with
    mode 0700 and refuses if another user owns it; an entry is keyed by the template's name and
    a checksum of its source. None where that folder cannot be had: templates are compiled."""
    import jinja2

    try:
        return jinja2.FileSystemBytecodeCache()
    except (OSError, RuntimeError):
        return None


@cache
def _environment() -> jinja2.Environment:
    import jinja2  # imported on the first rendering: reading where templates live needs none

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
        bytecode_cache=_bytecode_cache(),
    )
    environment.filters["tf_identifier"] = tf_identifier
    environment.filters["snake_case"] = snake_case
    environment.filters["python_literal"] = python_literal
    for name, function in (
        ("one_line", one_line),
        ("py_str", py_str),
        ("py_text", py_text),
        ("hcl_str", hcl_str),
        ("md_code", md_code),
    ):
        environment.filters[name] = function
    environment.globals["from_import"] = from_import
    return environment
