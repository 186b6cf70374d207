"""Plans are data, never code: any text in any free-text field of a hand-edited plan is either
refused with the field named, or rendered into files that parse and hold the same statements
as the example plan's (issue 13, point 2)."""

from __future__ import annotations

import ast
import json
import tempfile
import unicodedata
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from decomposer.errors import PlanError, UserError
from decomposer.files import read_plan
from decomposer.models import RenderedFile, ScaffoldOptions
from decomposer.scaffold import render_scaffold
from decomposer.templating import hcl_str, one_line, py_str, py_text

PLAN = Path(__file__).resolve().parent.parent / "golden" / "scaffold" / "plan.json"

Plan = dict[str, Any]


def _context(plan: Plan, name: str) -> dict[str, Any]:
    return next(c for c in plan["contexts"] if c["name"] == name)


def _operation(plan: Plan, context: str, name: str) -> dict[str, Any]:
    return next(o for o in _context(plan, context)["operations"] if o["name"] == name)


def _column(plan: Plan) -> dict[str, Any]:
    owned = _context(plan, "catalog")["owned_data"]
    product = next(m for m in owned if m["model"] == "shop.models:Product")
    return next(c for c in product["columns"] if c["name"] == "name")


def _set(get: Callable[[Plan], dict[str, Any]], key: str) -> Callable[[Plan, str], None]:
    def put(plan: Plan, text: str) -> None:
        get(plan)[key] = text

    return put


def _append(get: Callable[[Plan], dict[str, Any]], key: str) -> Callable[[Plan, str], None]:
    def put(plan: Plan, text: str) -> None:
        target = get(plan)
        target[key] = [*target[key], text]

    return put


def _points(plan: Plan) -> dict[str, Any]:
    return _operation(plan, "customers", "max_redeemable_points")


def _product(plan: Plan) -> dict[str, Any]:
    return _operation(plan, "catalog", "get_product")


# field (as the plan names it) -> how to put text there. Names and types that are already
# checked against a closed vocabulary (context, operation, event, table and column names, wire
# and SQL types) are left out: the model or the scaffold refuses anything else.
FIELDS: dict[str, Callable[[Plan, str], None]] = {
    "repo": lambda plan, text: plan.__setitem__("repo", text),
    "target": _set(_product, "target"),
    "callers": lambda plan, text: _product(plan).__setitem__("callers", [text]),
    "operations.notes": _append(_points, "notes"),
    "parameters.notes": _append(lambda plan: _points(plan)["parameters"][1], "notes"),
    "parameters.annotation": _set(lambda plan: _points(plan)["parameters"][0], "annotation"),
    "parameters.default": lambda plan, text: _points(plan)["parameters"][0].update(
        required=False, default=text
    ),
    "returns.notes": _append(lambda plan: _product(plan)["returns"], "notes"),
    "owned_data.model": lambda plan, text: _context(plan, "catalog")["owned_data"][0].update(
        model=f"{text}:Category"
    ),
    "columns.note": _set(_column, "note"),
    "columns.default": _set(_column, "default"),
    "entry_points.name": _set(lambda plan: _context(plan, "catalog")["entry_points"][0], "name"),
    "entry_points.handler": _set(
        lambda plan: _context(plan, "catalog")["entry_points"][0], "handler"
    ),
}

# What breaks out of a literal, a comment or a docstring somewhere, mixed with any text.
FRAGMENTS = (
    "\n",
    "\r",
    "\x0b",
    "\x0c",
    "\x85",
    "\u2028",
    "\x00",
    "\ud800",
    '"',
    '"""',
    "'",
    "'''",
    "\\",
    "\\N",
    "#",
    "`",
    "|",
    "${",
    "%{",
    "{{",
    "}",
    "*/",
    ": ",
    "- ",
    "import os; os.system('id')",
    'resource "terraform_data" "pwn" {}',
)
TEXT = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=6).map("".join)


def _render(plan: Plan) -> list[RenderedFile]:
    """The scaffold of `plan`, read from a file as `decompose scaffold` reads it."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.json"
        path.write_text(json.dumps(plan), encoding="utf-8")
        edited = read_plan(path)
    return render_scaffold(edited, options=ScaffoldOptions())


def _python_shape(text: str) -> set[tuple[str, ...]]:
    """What a Python file does, whatever its strings say: its kinds of statement, the names
    it defines, imports and calls."""
    shape: set[tuple[str, ...]] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.stmt):
            shape.add(("statement", type(node).__name__))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            shape.add(("defines", node.name))
        if isinstance(node, ast.Import | ast.ImportFrom):
            shape.update(("imports", getattr(node, "module", "") or "", a.name) for a in node.names)
        if isinstance(node, ast.Call):
            shape.add(("calls", ast.unparse(node.func)))
    return shape


def _blocks(text: str) -> set[tuple[str, str]]:
    """The Terraform blocks of a file: (kind, name) of each resource, module, variable, ..."""
    return {
        (kind, name)
        for kind, blocks in hcl2.loads(text).items()
        if isinstance(blocks, list)
        for block in blocks
        if isinstance(block, dict)
        for name in block
    }


def _keys(document: object, prefix: str = "") -> set[str]:
    """The paths of every key of a YAML document (its values may quote the plan's text)."""
    if isinstance(document, dict):
        return {
            path
            for key, value in document.items()
            for path in {f"{prefix}/{key}"} | _keys(value, f"{prefix}/{key}")
        }
    if isinstance(document, list):
        return {path for item in document for path in _keys(item, f"{prefix}[]")}
    return set()


def _shapes(rendered: list[RenderedFile]) -> dict[str, object]:
    return {file.path: _shape(file.path.rpartition(".")[2], file.content) for file in rendered}


@lru_cache(maxsize=1024)
def _shape(suffix: str, text: str) -> object:
    """Cached: most files do not change from one example to the next (HCL parses slowly)."""
    if suffix == "py":
        return _python_shape(text)
    if suffix in ("yml", "yaml"):
        return _keys(yaml.safe_load(text))
    if suffix in ("tf", "tfvars"):
        return _blocks(text)
    return None


@cache
def _baseline() -> dict[str, object]:
    return _shapes(_render(json.loads(PLAN.read_text())))


@pytest.mark.parametrize("field", sorted(FIELDS))
@settings(
    derandomize=True,
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(text=TEXT)
def test_free_text_is_refused_or_adds_no_statement(field: str, text: str) -> None:
    plan = json.loads(PLAN.read_text())
    FIELDS[field](plan, text)
    try:
        rendered = _render(plan)
    except PlanError as exc:
        assert field.rpartition(".")[2] in exc.message, exc.message
        event(f"{field}: refused")
        return
    except UserError as exc:  # a generated file that does not parse: the check caught a bug
        pytest.fail(f"{field} = {text!r}: {exc.message}")
    event(f"{field}: rendered")
    shapes, baseline = _shapes(rendered), _baseline()
    assert shapes.keys() == baseline.keys()
    changed = [path for path in shapes if shapes[path] != baseline[path]]
    assert not changed, f"{field} = {text!r} changed the code of {changed}"


# The renderers themselves, on any text: cheap, so more examples.


@settings(derandomize=True, max_examples=200, deadline=None)
@given(text=TEXT)
def test_py_str_is_a_literal_of_exactly_the_text(text: str) -> None:
    assert ast.literal_eval(py_str(text)) == text


@settings(derandomize=True, max_examples=200, deadline=None)
@given(text=TEXT)
def test_py_text_stays_inside_a_docstring_and_a_string(text: str) -> None:
    for code in (f'"""{py_text(text)}"""', f'"a {py_text(text)}"'):
        tree = ast.parse(f"{code}\n")
        assert len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr), code


@settings(derandomize=True, max_examples=200, deadline=None)
@given(text=TEXT)
def test_one_line_text_stays_in_a_comment(text: str) -> None:
    line = one_line(text)
    assert ast.parse(f"# {line}\nx = 1\n").body[0].lineno == 2
    assert yaml.safe_load(f"# {line}\nx: 1\n") == {"x": 1}


@settings(derandomize=True, max_examples=100, deadline=None)
@given(text=TEXT)
def test_hcl_str_is_one_string_never_an_interpolation(text: str) -> None:
    assume(not any(unicodedata.category(c) == "Cs" for c in text))  # no UTF-8 file holds one
    # python-hcl2 reads `$${` and `%%{` only when a `}` closes them (Terraform does not ask)
    literal = hcl_str(f"{text}}}")
    parsed = hcl2.loads(f"locals {{\n  a = {literal}\n}}\n")
    keys = [key for key in parsed["locals"][0] if not key.startswith("__")]
    assert list(parsed) == ["locals"] and keys == ["a"], parsed
    assert "${" not in literal.replace("$${", "") and "%{" not in literal.replace("%%{", "")
