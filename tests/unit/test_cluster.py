"""Stage 4: contexts from hand-made repositories with an obvious answer."""

from __future__ import annotations

import pytest

from decomposer.cluster import as_is_contexts, common_root, domain_of, find_contexts
from decomposer.config import ClusterSettings
from decomposer.errors import ConfigError
from decomposer.models import Clustering, DependencyGraph
from tests.conftest import graph_of

SHOP = {
    "shop/": "",
    "shop.utils": "def money(x): ...\ndef slug(x): ...\n",
    "shop.orders/": "",
    "shop.orders.services": (
        "from shop import utils\nfrom shop.orders import repo\n"
        "def place():\n    repo.save(utils.money(1))\n    return repo.load()\n"
    ),
    "shop.orders.repo": "from shop import utils\ndef save(x): ...\ndef load():\n    return utils.slug(1)\n",
    "shop.orders.views": "from shop.orders import services\ndef create():\n    return services.place()\n",
    "shop.billing/": "",
    "shop.billing.services": (
        "from shop import utils\nfrom shop.billing import ledger\n"
        "def charge():\n    ledger.post(utils.money(2))\n    return ledger.total()\n"
    ),
    "shop.billing.ledger": "from shop import utils\ndef post(x): ...\ndef total():\n    return utils.slug(2)\n",
    "shop.billing.views": "from shop.billing import services\ndef pay():\n    return services.charge()\n",
    "shop.catalog/": "",
    "shop.catalog.services": "from shop import utils\ndef find():\n    return utils.slug(3)\n",
}


def contexts_of(clustering: Clustering) -> dict[str, set[str]]:
    return {c.name: set(c.units) for c in clustering.contexts}


def shop() -> DependencyGraph:
    return graph_of(SHOP)


def test_each_domain_becomes_a_context_named_after_its_package() -> None:
    found = contexts_of(find_contexts(shop(), ClusterSettings()))
    assert found["orders"] >= {"shop.orders.services", "shop.orders.repo", "shop.orders.views"}
    assert found["billing"] >= {
        "shop.billing.services",
        "shop.billing.ledger",
        "shop.billing.views",
    }


def test_utility_used_across_domains_is_the_shared_kernel() -> None:
    clustering = find_contexts(shop(), ClusterSettings())
    assert "shop.utils" in clustering.shared_kernel.units
    reason = next(p for p in clustering.shared_kernel.placements if p.unit == "shop.utils")
    assert reason.reasons[0].signal.startswith("utility used by")


def test_every_unit_is_placed_exactly_once() -> None:
    graph = shop()
    clustering = find_contexts(graph, ClusterSettings())
    placed = [u for c in clustering.contexts for u in c.units] + list(
        clustering.shared_kernel.units
    )
    assert sorted(placed) == sorted(n.id for n in graph.nodes if n.kind == "module")


def test_same_graph_and_settings_give_the_same_clustering() -> None:
    first = find_contexts(shop(), ClusterSettings())
    second = find_contexts(shop(), ClusterSettings())
    assert first.model_dump_json() == second.model_dump_json()


def test_requested_number_of_services_is_honoured() -> None:
    for wanted in (1, 2, 3):
        clustering = find_contexts(shop(), ClusterSettings(services=wanted))
        assert len(clustering.contexts) == wanted
        assert clustering.selection.requested == wanted


def test_alternatives_considered_are_reported_with_the_chosen_one() -> None:
    selection = find_contexts(shop(), ClusterSettings()).selection
    assert sum(a.chosen for a in selection.alternatives) == 1
    assert "modularity" in selection.criterion


def test_pin_places_a_unit_in_the_named_context() -> None:
    settings = ClusterSettings(pin={"shop.orders.repo": "billing"})
    found = contexts_of(find_contexts(shop(), settings))
    assert "shop.orders.repo" in found["billing"]


def test_pin_to_shared_puts_a_unit_in_the_kernel() -> None:
    settings = ClusterSettings(pin={"shop.catalog.services": "shared"})
    assert "shop.catalog.services" in find_contexts(shop(), settings).shared_kernel.units


def test_together_keeps_units_in_one_context() -> None:
    settings = ClusterSettings(together=(("shop.orders.views", "shop.billing.views"),))
    found = contexts_of(find_contexts(shop(), settings))
    assert any({"shop.orders.views", "shop.billing.views"} <= units for units in found.values())


def test_apart_separates_units() -> None:
    settings = ClusterSettings(
        services=1, apart=(("shop.orders.services", "shop.billing.services"),)
    )
    found = contexts_of(find_contexts(shop(), settings))
    assert not any({"shop.orders.services", "shop.billing.services"} <= u for u in found.values())


def test_god_models_module_is_split_and_models_follow_their_domains() -> None:
    models = (
        "from django.db import models\n"
        "class Order(models.Model): ...\nclass Invoice(models.Model): ...\n"
        "class Product(models.Model): ...\nclass Review(models.Model): ...\n"
    )
    graph = graph_of(
        {
            **SHOP,
            "shop.models": models,
            "shop.orders.repo": "from shop.models import Order\ndef save(x):\n    Order(x)\ndef load():\n    return Order()\n",
            "shop.billing.ledger": "from shop.models import Invoice\ndef post(x):\n    Invoice(x)\ndef total():\n    return Invoice()\n",
            "shop.catalog.services": "from shop.models import Product, Review\ndef find():\n    return Product(), Review()\n",
        }
    )
    clustering = find_contexts(graph, ClusterSettings())
    assert clustering.split_modules == ("shop.models",)
    found = contexts_of(clustering)
    assert "shop.models:Order" in found["orders"]
    assert "shop.models:Invoice" in found["billing"]
    assert clustering.unit_of("shop.models:Order") == "shop.models:Order"
    assert clustering.unit_of("shop.orders.repo:save") == "shop.orders.repo"


def test_module_granularity_never_splits() -> None:
    clustering = find_contexts(shop(), ClusterSettings(granularity="module"))
    assert clustering.split_modules == ()


def test_single_module_repository_gives_one_context() -> None:
    graph = graph_of({"app": "def main():\n    return 1\n"})
    clustering = find_contexts(graph, ClusterSettings())
    units = [u for c in clustering.contexts for u in c.units] + list(clustering.shared_kernel.units)
    assert units == ["app"]


def test_context_names_are_safe_identifiers() -> None:
    graph = graph_of(
        {
            "My_App/": "",
            "My_App.Mod": "def f(): ...",
            "My_App.Other": "from My_App import Mod\ndef g():\n    Mod.f()\n",
        }
    )
    for context in find_contexts(graph, ClusterSettings()).contexts:
        assert context.name.isidentifier() and context.name == context.name.lower()


def test_placements_explain_members_with_locations() -> None:
    clustering = find_contexts(shop(), ClusterSettings())
    orders = next(c for c in clustering.contexts if c.name == "orders")
    views = next(p for p in orders.placements if p.unit == "shop.orders.views")
    assert views.reasons[0].unit == "shop.orders.services"
    assert any(r.location and r.location.startswith("shop/orders/views.py:") for r in views.reasons)


def test_as_is_split_is_one_context_per_package_below_the_root() -> None:
    as_is = as_is_contexts(shop())
    assert {c.name for c in as_is.contexts} == {"shop", "utils", "orders", "billing", "catalog"}


def test_common_root_and_domain() -> None:
    assert common_root(["shop.a.x", "shop.b"]) == "shop"
    assert common_root(["shop", "shop.a"]) == "shop"
    assert domain_of("shop.orders.services", "shop") == "orders"
    assert domain_of("other.x", "shop") == "other"


def test_a_rule_naming_a_unit_that_does_not_exist_is_an_error_naming_the_setting() -> None:
    settings = ClusterSettings(pin={"shop.nowhere": "orders"}, apart=(("shop.orders.repo", "x.y"),))
    with pytest.raises(ConfigError) as raised:
        find_contexts(shop(), settings)
    message = str(raised.value)
    assert "tool.decomposer.cluster.pin: 'shop.nowhere' is not a module" in message
    assert "tool.decomposer.cluster.apart[0]: 'x.y'" in message


def test_settings_urls_and_server_entry_points_are_kernel_never_contexts() -> None:
    graph = graph_of(
        {
            **SHOP,
            "shop.settings": "from shop.orders import services\nfrom shop.billing import ledger\nDEBUG = 1\n",
            "shop.urls": "from shop.orders import views\nfrom shop.billing import views as b\nurlpatterns = []\n",
            "shop.wsgi": "from shop import settings\napplication = None\n",
            "shop.bin/": "",
            "shop.bin.shop": "from shop.orders import services\nfrom shop.billing import ledger\n",
            "shop.scripts/": "",
            "shop.scripts.backfill": (
                "from shop.orders import services\nfrom shop.billing import ledger\n"
            ),
            "shop.setting/": "",
            "shop.setting.registry": (
                "from shop.orders import services\nfrom shop.billing import ledger\nKEYS = {}\n"
            ),
        }
    )
    clustering = find_contexts(graph, ClusterSettings())
    kernel = dict(
        zip(clustering.shared_kernel.units, clustering.shared_kernel.placements, strict=True)
    )
    for module in (
        "shop.settings",
        "shop.urls",
        "shop.wsgi",
        "shop.setting.registry",
        "shop.bin.shop",
        "shop.scripts.backfill",
    ):
        assert module in kernel
        assert not any(module in c.units for c in clustering.contexts)


def test_a_domains_endpoints_wiring_other_domains_stay_with_their_domain() -> None:
    graph = graph_of(
        {
            **SHOP,
            "shop.shipping/": "",
            "shop.shipping.services": "def ship():\n    return 1\n",
            "shop.orders.endpoints": (
                "from shop.orders import services\nfrom shop.billing import services as bill\n"
                "from shop.catalog import services as cat\nfrom shop.shipping import services as sh\n"
                "def create():\n    cat.find()\n    bill.charge()\n    sh.ship()\n"
                "    return services.place()\n"
            ),
            "shop.api": (
                "from shop.orders import endpoints\nfrom shop.billing import views\n"
                "from shop.catalog import services\nroutes = [endpoints.create, views.pay]\n"
            ),
        }
    )
    clustering = find_contexts(graph, ClusterSettings())
    kernel = {p.unit: p.reasons[0].signal for p in clustering.shared_kernel.placements}
    # the router that includes every domain's endpoints is the composition root ...
    assert kernel["shop.api"].startswith("composition root")
    # ... the orders endpoints it includes are the orders domain's entry point, not glue
    assert "shop.orders.endpoints" not in kernel
    assert "shop.orders.endpoints" in contexts_of(clustering)["orders"]


def test_test_support_and_nested_samples_are_kernel_never_contexts() -> None:
    graph = graph_of(
        {
            **SHOP,
            "shop.orders.samples/": "",
            "shop.orders.samples.demo_order": (
                "from shop.orders import services\ndef run():\n    return services.place()\n"
            ),
            "shop.testutils": "from shop.billing import ledger\ndef fake():\n    return ledger.total()\n",
        }
    )
    clustering = find_contexts(graph, ClusterSettings())
    kernel = {p.unit: p.reasons[0].signal for p in clustering.shared_kernel.placements}
    assert kernel["shop.orders.samples.demo_order"] == (
        "samples or demonstration code by its name (shop.orders.samples)"
    )
    assert kernel["shop.testutils"] == "test support by its name (shop.testutils)"


def test_a_top_level_samples_app_is_a_domain() -> None:
    # a laboratory's samples are its business: only a nested samples package is demo code
    graph = graph_of(
        {
            **SHOP,
            "shop.samples/": "",
            "shop.samples.services": (
                "from shop.orders import services\ndef collect():\n    return services.place()\n"
            ),
            "shop.samples.models": "class Sample:\n    pass\n",
        }
    )
    clustering = find_contexts(graph, ClusterSettings())
    assert "shop.samples.services" not in clustering.shared_kernel.units


_CLUSTER_IN_A_FRESH_PROCESS = """
import sys
from decomposer.cluster import find_contexts
from decomposer.config import ClusterSettings
from tests.unit.test_cluster import shop
find_contexts(shop(), ClusterSettings())
print("numpy" in sys.modules)
"""


def test_clustering_does_not_import_numpy() -> None:
    # igraph.Graph(n=..., edges=...) imports numpy (a quarter of a second of every analysis)
    # only to ask whether the edge list is an array
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = subprocess.run(
        [sys.executable, "-c", _CLUSTER_IN_A_FRESH_PROCESS],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    ).stdout
    assert found.strip() == "False"


def test_the_weighted_graph_is_the_one_adding_each_signal_edge_by_edge_gives() -> None:
    # the graph is summed in dicts and built once; its edges, their order (which the
    # modularity's float sums follow) and their weights must be those of adding one by one
    import networkx as nx

    from decomposer.cluster.signals import _Builder

    signals = [
        ("b", "a", 1.0, "call", "x.py:1"),
        ("c", "d", 0.5, "package", None),
        ("a", "b", 0.25, "call", "x.py:2"),
        ("d", "a", 2.0, "data_sharing", "both use M"),
        ("c", "d", 0.125, "cochange", None),
        ("a", "a", 9.0, "call", None),
        ("e", "a", 0.0, "call", None),
    ]
    builder = _Builder()
    expected = nx.Graph()
    expected.add_nodes_from(["a", "b", "c", "d", "e"])
    for a, b, weight, signal, location in signals:
        builder.add(a, b, weight, signal, location)
        if a != b and weight > 0:
            key = tuple(sorted((a, b)))
            if expected.has_edge(*key):
                expected[key[0]][key[1]]["weight"] += weight
            else:
                expected.add_edge(*key, weight=weight)
    built = builder.build(["a", "b", "c", "d", "e"])
    assert list(built.graph.edges(data=True)) == list(expected.edges(data=True))
    assert {n: list(built.graph.adj[n]) for n in built.graph} == {
        n: list(expected.adj[n]) for n in expected
    }
    assert built.evidence[("a", "b")] == {"call": (1.25, "x.py:1")}
