"""`decompose scaffold` writes services/<name>/ safely: names checked, edits kept, dry runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from decomposer.cli import main

PLAN = Path(__file__).resolve().parent.parent / "golden" / "scaffold" / "plan.json"


def scaffold(plan: Path, out: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["scaffold", str(plan), "--out", str(out), *args])
    return result.exit_code, result.output


def edited_plan(tmp_path: Path, context: str, **changes: Any) -> Path:
    document = json.loads(PLAN.read_text())
    for entry in document["contexts"]:
        if entry["name"] == context:
            for key, value in changes.items():
                value(entry) if callable(value) else entry.__setitem__(key, value)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document))
    return path


def rename_first_operation(name: str) -> Any:
    def edit(entry: dict[str, Any]) -> None:
        entry["operations"][0]["name"] = name

    return edit


def test_every_context_gets_a_service_folder(tmp_path: Path) -> None:
    code, output = scaffold(PLAN, tmp_path / "out")
    assert code == 0, output
    names = sorted(p.name for p in (tmp_path / "out" / "services").iterdir())
    assert names == sorted(c["name"] for c in json.loads(PLAN.read_text())["contexts"])
    assert (tmp_path / "out" / "services" / "orders" / "orders_service" / "main.py").is_file()
    assert (tmp_path / "out" / "docker-compose.yml").is_file()


def test_a_context_name_that_leaves_the_folder_is_refused(tmp_path: Path) -> None:
    plan = edited_plan(tmp_path, "catalog", name="../../evil")
    code, output = scaffold(plan, tmp_path / "out")
    assert code == 1
    assert "must be lowercase letters" in output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.py"))
    assert not (tmp_path.parent / "evil").exists()


def test_an_operation_name_that_is_a_keyword_is_refused(tmp_path: Path) -> None:
    plan = edited_plan(tmp_path, "catalog", op=rename_first_operation("class"))
    code, output = scaffold(plan, tmp_path / "out")
    assert code == 1
    assert "contexts.catalog.operations.class" in output and "no Python keyword" in output


def test_dry_run_lists_every_service_file_and_writes_nothing(tmp_path: Path) -> None:
    code, output = scaffold(PLAN, tmp_path / "out", "--dry-run")
    assert code == 0
    assert "create  services/orders/orders_service/main.py" in output
    assert "create  services/notifications/tests/test_contracts.py" in output
    assert not (tmp_path / "out" / "services").exists()


def test_a_changed_plan_updates_generated_files_and_keeps_edited_ones(tmp_path: Path) -> None:
    out = tmp_path / "out"
    scaffold(PLAN, out)
    handlers = out / "services" / "catalog" / "catalog_service" / "handlers.py"
    handlers.write_text(handlers.read_text() + "\n# mine\n")
    plan = edited_plan(tmp_path, "catalog", op=rename_first_operation("find_product"))
    document = json.loads(plan.read_text())
    for dependency in document["dependencies"]:  # its callers call it by the new name too
        if dependency["target"] == "catalog":
            dependency["operations"] = [
                "find_product" if op == "get_product" else op for op in dependency["operations"]
            ]
    plan.write_text(json.dumps(document))

    code, output = scaffold(plan, out, "--dry-run")
    assert "update  services/catalog/catalog_service/routes.py" in output
    code, output = scaffold(plan, out)

    assert code == 0
    assert "conflict  services/catalog/catalog_service/handlers.py" in output
    assert handlers.read_text().endswith("# mine\n")
    assert "def find_product" in (handlers.parent / "handlers.py.new").read_text()


def test_a_call_of_an_operation_the_context_does_not_list_is_refused(tmp_path: Path) -> None:
    plan = edited_plan(tmp_path, "catalog", op=rename_first_operation("find_product"))

    code, output = scaffold(plan, tmp_path / "out")

    assert code == 1
    assert "orders -> catalog calls 'get_product', which contexts.catalog.operations" in output


def test_a_wire_type_that_is_not_a_type_is_refused(tmp_path: Path) -> None:
    def inject(entry: dict[str, Any]) -> None:
        entry["operations"][0]["parameters"][0]["type"] = "__import__('os').system('id')"

    code, output = scaffold(edited_plan(tmp_path, "catalog", op=inject), tmp_path / "out")

    assert code == 1
    assert "contexts.catalog.operations.get_product.parameters.product_id" in output
    assert not (tmp_path / "out").exists()


def test_a_column_type_that_is_not_a_type_is_refused(tmp_path: Path) -> None:
    def inject(entry: dict[str, Any]) -> None:
        entry["owned_data"][0]["columns"][1]["type"] = "String(__import__('os').getpid())"

    code, output = scaffold(edited_plan(tmp_path, "catalog", owned=inject), tmp_path / "out")

    assert code == 1
    assert "is not a column type" in output
    assert not (tmp_path / "out").exists()
