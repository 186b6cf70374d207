"""A Django project met as a user meets it: `analyze` on a repository whose manage.py sits in a
subfolder, with INSTALLED_APPS read statically, or, where it is computed, said so."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from decomposer.cli import main

APP_CODE = {
    "models.py": (
        "from django.db import models\n"
        "from project.base import Stamped\n"
        "class {model}(Stamped, models.Model):\n"
        "    name = models.CharField(max_length=20)\n"
    ),
    "services.py": (
        "from {app}.models import {model}\n"
        "def create(name):\n    return {model}.objects.create(name=name)\n"
        "def find(name):\n    return {model}.objects.filter(name=name).first()\n"
    ),
    "views.py": (
        "from {app}.services import create, find\n"
        "def post(request):\n    return create(request.POST['name'])\n"
        "def get(request):\n    return find(request.GET['name'])\n"
    ),
}


def project(installed_apps: str) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {
        "README.md": "a shop\n",
        "backend/manage.py": (
            "import os, sys\n"
            "def main():\n"
            "    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'project.settings')\n"
            "if __name__ == '__main__':\n    main()\n"
        ),
        "backend/project/__init__.py": "",
        "backend/project/settings.py": f"INSTALLED_APPS = {installed_apps}\n",
        "backend/project/base.py": (
            "from django.db import models\n"
            "class Stamped(models.Model):\n"
            "    created = models.DateTimeField(auto_now_add=True)\n"
            "    class Meta:\n        abstract = True\n"
        ),
        "backend/project/urls.py": "import orders.views\nimport billing.views\n",
    }
    for app, model in (("orders", "Order"), ("billing", "Invoice")):
        files[f"backend/{app}/__init__.py"] = ""
        files[f"backend/{app}/apps.py"] = (
            f"from django.apps import AppConfig\nclass Config(AppConfig):\n    name = '{app}'\n"
        )
        for name, code in APP_CODE.items():
            files[f"backend/{app}/{name}"] = code.format(app=app, model=model)
    return files


def analyze(repo: Path, out: Path) -> tuple[dict[str, object], str]:
    result = CliRunner().invoke(main, ["analyze", str(repo), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return json.loads((out / "plan.json").read_text()), result.output


def test_installed_apps_of_a_project_in_a_subfolder_name_the_contexts(
    write_tree: Callable[[dict[str, str | bytes]], Path], tmp_path: Path
) -> None:
    repo = write_tree(
        project("['django.contrib.auth', 'orders', 'billing.apps.Config', 'project']")
    )
    plan, output = analyze(repo, tmp_path / "out")
    contexts = {c["name"]: c for c in plan["contexts"]}  # type: ignore[union-attr]
    assert set(contexts) == {"orders", "billing"}
    # module names start at the folder of manage.py, not at the repository
    assert "orders.services" in contexts["orders"]["modules"]
    kernel = plan["shared_kernel"]["modules"]  # type: ignore[index]
    assert {"project.settings", "project.urls", "project.base"} <= set(kernel)
    layout = plan["layout"]
    assert layout["kind"] == "apps"  # type: ignore[index]
    assert layout["apps_from"].startswith("INSTALLED_APPS of project.settings")  # type: ignore[index]
    assert "layout: apps" in output
    assert "layout: <strong>apps</strong>" in (tmp_path / "out" / "report.html").read_text()


def test_a_computed_installed_apps_falls_back_and_says_so(
    write_tree: Callable[[dict[str, str | bytes]], Path], tmp_path: Path
) -> None:
    repo = write_tree(project("load_apps()"))
    plan, output = analyze(repo, tmp_path / "out")
    assert {c["name"] for c in plan["contexts"]} == {"orders", "billing"}  # type: ignore[union-attr]
    notes = plan["layout"]["notes"]  # type: ignore[index]
    assert notes and "cannot be read statically (line 1: `load_apps()`" in notes[0]
    assert "the AppConfig classes" in plan["layout"]["apps_from"]  # type: ignore[index]
    assert "note: INSTALLED_APPS of project.settings cannot be read statically" in output
