"""`decomposer.models` hands out every model by name, importing each module when first asked."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import decomposer.models as models


def test_every_exported_name_resolves_to_the_class_of_its_module() -> None:
    for name in models.__all__:
        value = getattr(models, name)
        module = sys.modules[f"decomposer.models.{models._WHERE[name]}"]
        assert getattr(module, name) is value


def test_the_lazy_table_agrees_with_the_imports_for_type_checkers_and_with_all() -> None:
    tree = ast.parse(Path(models.__file__).read_text())
    typed = {
        alias.name: node.module.rsplit(".", 1)[1]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("decomposer.")
        for alias in node.names
    }
    assert typed == models._WHERE
    assert sorted(models.__all__) == sorted(models._WHERE)


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        models.NoSuchModel  # noqa: B018
    except AttributeError as exc:
        assert "NoSuchModel" in str(exc)
    else:
        raise AssertionError("an unknown name resolved")


def test_the_cli_starts_without_the_scaffold_models() -> None:
    """Building the infra, service and delivery models cost about 0.15 s of every start-up,
    `analyze` and `check` included, which never use them."""
    probe = (
        "import sys, decomposer.cli; "
        "print(sorted(m for m in sys.modules if m.startswith('decomposer.models.')))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = {name.rsplit(".", 1)[1] for name in ast.literal_eval(done.stdout)}
    assert not loaded & {"infra", "service", "delivery"}
