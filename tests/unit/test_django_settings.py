"""Django's settings read without running them: the settings module manage.py names, the apps
INSTALLED_APPS lists, and what the clustering makes of them (extract/django.py, graph.py,
cluster/)."""

from __future__ import annotations

import ast

from decomposer.cluster import find_contexts
from decomposer.config import ClusterSettings
from decomposer.extract.django import installed_apps, settings_module_named
from tests.conftest import graph_of


def apps_of(source: str) -> tuple[tuple[str, ...], str | None] | None:
    found = installed_apps(ast.parse(source), source)
    return None if found is None else (found.apps, found.computed)


def test_installed_apps_follows_names_sums_and_later_additions() -> None:
    source = (
        "DJANGO_APPS = ['django.contrib.admin', 'django.contrib.auth']\n"
        "LOCAL_APPS = ('shop.orders', 'shop.billing.apps.BillingConfig')\n"
        "INSTALLED_APPS = DJANGO_APPS + [*LOCAL_APPS]\n"
        "if DEBUG:\n"
        "    INSTALLED_APPS += ['debug_toolbar']\n"
        "INSTALLED_APPS.append('shop.audit')\n"
    )
    assert apps_of(source) == (
        (
            "django.contrib.admin",
            "django.contrib.auth",
            "shop.orders",
            "shop.billing.apps.BillingConfig",
            "debug_toolbar",
            "shop.audit",
        ),
        None,
    )


def test_computed_installed_apps_says_why_it_cannot_be_read() -> None:
    source = "INSTALLED_APPS = discover_apps() + ['shop.orders']\n"
    assert apps_of(source) == (
        (),
        "line 1: `discover_apps() + ['shop.orders']` is not a literal list",
    )


def test_a_module_without_installed_apps_has_none() -> None:
    assert apps_of("APPS = ['a']\n") is None


def test_manage_py_names_the_settings_module_inside_its_main() -> None:
    source = (
        "import os\n"
        "def main():\n"
        "    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'project.settings.dev')\n"
    )
    assert settings_module_named(ast.parse(source), source) == "project.settings.dev"
    other = "os.environ['DJANGO_SETTINGS_MODULE'] = 'project.settings'\n"
    assert settings_module_named(ast.parse(other), other) == "project.settings"


PROJECT = {
    "manage": ("import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'project.settings')\n"),
    "project/": "",
    "project.settings": (
        "INSTALLED_APPS = ['django.contrib.auth', 'orders', 'billing.apps.BillingConfig',"
        " 'project']\n"
    ),
    "project.models": ("class TimeStamped:\n    created = None\ndef audit(obj):\n    return obj\n"),
    "project.urls": "import orders.views\nimport billing.views\n",
    "orders/": "",
    "orders.models": (
        "from django.db import models\nfrom project.models import TimeStamped, audit\n"
        "class Order(models.Model, TimeStamped):\n"
        "    total = models.IntegerField()\n"
        "def place():\n    return audit(Order())\n"
    ),
    "orders.views": "from orders.models import place\ndef create(request):\n    return place()\n",
    "billing/": "",
    "billing.apps": (
        "from django.apps import AppConfig\nclass BillingConfig(AppConfig):\n    name = 'billing'\n"
    ),
    "billing.models": (
        "from django.db import models\nfrom project.models import TimeStamped, audit\n"
        "class Invoice(models.Model, TimeStamped):\n"
        "    amount = models.IntegerField()\n"
        "def issue():\n    return audit(Invoice())\n"
    ),
    "billing.views": "from billing.models import issue\ndef create(request):\n    return issue()\n",
}


def test_the_graph_records_the_apps_installed_apps_names_in_the_repository() -> None:
    graph = graph_of(PROJECT)
    assert graph.apps is not None
    assert graph.apps.settings == "project.settings"
    assert graph.apps.source == "INSTALLED_APPS"
    # django.contrib.auth is not code of the repository; the AppConfig path names its package
    assert graph.apps.apps == ("billing", "orders", "project")


def test_where_installed_apps_is_computed_the_appconfig_classes_name_the_apps() -> None:
    computed = {**PROJECT, "project.settings": "INSTALLED_APPS = find_apps()\n"}
    graph = graph_of(computed)
    assert graph.apps is not None
    assert graph.apps.source == "AppConfig"
    assert graph.apps.apps == ("billing",)
    assert graph.apps.note is not None
    assert "project.settings cannot be read statically" in graph.apps.note


def test_the_project_package_beside_the_apps_is_kernel_never_a_context() -> None:
    clustering = find_contexts(graph_of(PROJECT), ClusterSettings())
    in_contexts = {u for c in clustering.contexts for u in c.units}
    kernel = dict(
        (p.unit, p.reasons[0].signal) for p in clustering.shared_kernel.placements if p.reasons
    )
    assert "project.urls" in kernel and "project.urls" not in in_contexts
    assert "the Django project package project" in kernel["project.models"]
    assert {c.name for c in clustering.contexts} == {"orders", "billing"}
    assert clustering.layout is not None
    assert clustering.layout.kind == "apps"
    assert clustering.layout.apps_from.startswith("INSTALLED_APPS of project.settings")


def test_a_layered_monolith_is_recognised_as_layers() -> None:
    modules = {
        "shop/": "",
        "shop.models/": "",
        "shop.views/": "",
        "shop.services/": "",
    }
    for domain in ("orders", "payments", "catalog"):
        modules[f"shop.models.{domain}"] = f"class {domain.title()}:\n    pass\n"
        modules[f"shop.services.{domain}"] = (
            f"from shop.models.{domain} import {domain.title()}\n"
            f"def run():\n    return {domain.title()}()\n"
        )
        modules[f"shop.views.{domain}"] = (
            f"from shop.services.{domain} import run\ndef view():\n    return run()\n"
        )
    clustering = find_contexts(graph_of(modules), ClusterSettings())
    assert clustering.layout is not None
    assert clustering.layout.kind == "layers"
    assert clustering.layout.apps_from == "the folder tree"
    assert {"shop.models", "shop.services", "shop.views"} <= set(clustering.layout.layers)
