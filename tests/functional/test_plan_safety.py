"""`decompose scaffold` on a hand-edited plan: its text never becomes code (issue 13, point 2).

The reproducers of the issue, as written: an operation `target` that would close a string in
handlers.py and a `repo` that would open a Terraform resource are refused, naming the field,
and nothing is written; free text where free text is allowed stays inside its docstring.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from decomposer.cli import main
from decomposer.errors import UserError
from decomposer.models import RenderedFile
from decomposer.scaffold.syntax import check_syntax

PLAN = Path(__file__).resolve().parent.parent / "golden" / "scaffold" / "plan.json"
TARGET = 'x")\nimport os; os.system("id>pwned.txt")  #'
REPO = (
    'shop\nresource "terraform_data" "pwn" {provisioner "local-exec" {command="id>pwned.txt"}}\n#'
)


def scaffold_edited(tmp_path: Path, edit: dict[str, dict[str, Any]]) -> tuple[int, str, Path]:
    document = json.loads(PLAN.read_text())
    operation = document["contexts"][0]["operations"][0]  # catalog: get_product
    operation.update(edit.get("operation", {}))
    document.update(edit.get("plan", {}))
    edited = tmp_path / "plan.json"
    edited.write_text(json.dumps(document))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["scaffold", str(edited), "--out", str(out)])
    return result.exit_code, result.output, out


def test_a_target_that_would_be_python_is_refused_and_nothing_written(tmp_path: Path) -> None:
    code, output, out = scaffold_edited(tmp_path, {"operation": {"target": TARGET}})
    assert code == 1, output
    assert "contexts.catalog.operations.get_product.target: must be a dotted module name" in output
    assert not out.exists()


def test_a_repo_that_would_be_terraform_is_refused_and_nothing_written(tmp_path: Path) -> None:
    code, output, out = scaffold_edited(tmp_path, {"plan": {"repo": REPO}})
    assert code == 1, output
    assert "repo: must be one line of printable characters" in output
    assert not out.exists()


@pytest.mark.parametrize("caller", ["orders\nimport os", 'orders")'])
def test_a_caller_that_is_not_a_context_name_is_refused(tmp_path: Path, caller: str) -> None:
    code, output, _ = scaffold_edited(tmp_path, {"operation": {"callers": [caller]}})
    assert code == 1 and "contexts.catalog.operations.get_product.callers.0" in output


def test_notes_that_would_close_the_docstring_stay_in_it(tmp_path: Path) -> None:
    note = f'"""\n{TARGET}\n"""\\'
    code, output, out = scaffold_edited(
        tmp_path, {"operation": {"notes": [note], "returns": {"type": "Any", "notes": [note]}}}
    )
    assert code == 0, output
    for path in (
        "services/catalog/catalog_service/schemas.py",
        "services/orders/orders_service/clients.py",
    ):
        tree = ast.parse((out / path).read_text())
        calls = {ast.unparse(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
        imports = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert "os.system" not in calls and "os" not in imports, path


def test_a_generated_file_that_does_not_parse_stops_the_scaffold() -> None:
    broken = RenderedFile(path="services/a/a_service/handlers.py", content='x = "\n')
    with pytest.raises(UserError, match=r"generated services/a/a_service/handlers.py does not"):
        check_syntax([RenderedFile(path="README.md", content='"'), broken])


@pytest.mark.parametrize(
    ("path", "content"),
    [
        (".github/workflows/infra.yml", "a: [\n"),
        ("infra/main.tf", 'resource "x" {\n'),
        ("infra/environments/dev.tfvars", "a = \n"),
        ("services/a/pyproject.toml", "[project\n"),
        ("services/a/a_service/x.py", "a = 1\x00\n"),
    ],
)
def test_each_language_is_parsed(path: str, content: str) -> None:
    with pytest.raises(UserError, match=f"generated {path} does not parse"):
        check_syntax([RenderedFile(path=path, content=content)])
