"""Stage 7b, the last check: every generated Python, YAML, TOML and Terraform file parses.

Free text of a plan reaches the generated files only through the renderers of `templating`
(string literals, one-line comments and docstrings); this check is the net under them. A file
that does not parse is a bug in decomposer, but it must stop the scaffold before anything is
written, not leave the user a service that fails to import, or, worse, runs a plan's text.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Callable, Iterable
from functools import lru_cache

import hcl2
import yaml

from decomposer import templating
from decomposer.errors import UserError
from decomposer.models import RenderedFile

# Public functions


def check_syntax(rendered: Iterable[RenderedFile]) -> None:
    """Parse each file by its suffix (.py, .yml/.yaml, .toml, .tf/.tfvars); others pass, and
    so do copies of the files shipped as they are (the integration tests validate those).

    Raises:
        UserError: `generated <path> does not parse: <message>`, for the first such file.
    """
    shipped = templating.static_texts()
    for file in rendered:
        if file.content in shipped:
            continue
        suffix = file.path.rpartition(".")[2]
        problem = _problem(suffix, file.content) if suffix in _PARSERS else None
        if problem:
            raise UserError(
                f"generated {file.path} does not parse: {problem}",
                hint="nothing was written; this is a bug in decomposer: please report it with"
                " the plan",
            )


# Private functions


def _python(text: str) -> None:
    ast.parse(text)


def _yaml(text: str) -> None:
    yaml.safe_load(text)


def _toml(text: str) -> None:
    tomllib.loads(text)


def _hcl(text: str) -> None:
    # The parse tree only: turning it into a dict (hcl2.loads) would double the time.
    hcl2.parses_to_tree(text)


_PARSERS: dict[str, Callable[[str], None]] = {
    "py": _python,
    "yml": _yaml,
    "yaml": _yaml,
    "toml": _toml,
    "tf": _hcl,
    "tfvars": _hcl,
}


@lru_cache(maxsize=4096)
def _problem(suffix: str, text: str) -> str | None:
    """Why `text` does not parse, or None. Cached: most files (every static Terraform module)
    are the same from one scaffold to the next, and parsing HCL takes a tenth of a second."""
    try:
        _PARSERS[suffix](text)
    except SyntaxError as exc:
        return f"line {exc.lineno}: {exc.msg}"
    # Each parser has its own errors (lark's for HCL, PyYAML's, ValueError for a null byte in
    # Python): any exception of a parser means the text does not parse.
    except Exception as exc:
        return " ".join(str(exc).split()) or type(exc).__name__
    return None
