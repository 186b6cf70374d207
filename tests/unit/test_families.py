"""How domain units group before clustering: infrastructure domains, compound names, plugin
families."""

from __future__ import annotations

from decomposer.cluster import find_contexts
from decomposer.cluster.families import compound_heads, infrastructure_domains, plugin_families
from decomposer.cluster.units import _UnitView
from decomposer.config import ClusterSettings
from decomposer.models import Clustering
from tests.conftest import graph_of


def context_of(clustering: Clustering, unit: str) -> str:
    return next(c.name for c in clustering.contexts if unit in c.units)


def test_a_compound_name_follows_its_head_domain() -> None:
    heads = compound_heads(
        [
            "certificate",
            "pending_certificate",
            "customer",
            "customer_session",
            "customer_session_code",
            "mail",
            "sendmail",
            "event",
            "subevent",
            "plugins.lemur_acme",
        ]
    )
    assert heads == {
        "pending_certificate": "certificate",
        "customer_session": "customer",
        "customer_session_code": "customer_session",
        "sendmail": "mail",
        "subevent": "event",
    }


def test_an_ambiguous_or_merely_similar_name_is_left_alone() -> None:
    heads = compound_heads(["user", "organization", "user_organization", "auth", "authority"])
    # user_organization extends two domains; authority only starts like auth; oauth's
    # modifier would be one letter
    assert heads == {}
    assert compound_heads(["auth", "oauth"]) == {}


PLUGINS = {
    "app/": "",
    "app.certs/": "",
    "app.certs.models": "class Certificate:\n    pass\n",
    "app.certs.service": (
        "from app.certs.models import Certificate\nfrom app.plugins.base import registry\n"
        "def issue():\n    return registry.get('issuer').create(Certificate())\n"
    ),
    "app.targets/": "",
    "app.targets.service": (
        "from app.plugins.base import registry\n"
        "def upload(cert):\n    return registry.get('destination').upload(cert)\n"
    ),
    "app.plugins/": "",
    "app.plugins.base": (
        "class Registry:\n    def get(self, name): ...\nregistry = Registry()\n"
        "class IssuerPlugin:\n    def create(self, cert): ...\n"
        "class DestinationPlugin:\n    def upload(self, cert): ...\n"
    ),
    "app.plugins.entrust/": "",
    "app.plugins.entrust.plugin": (
        "from app.plugins.base import IssuerPlugin\n"
        "class EntrustIssuer(IssuerPlugin):\n    def create(self, cert):\n        return 1\n"
    ),
    "app.plugins.verisign/": "",
    "app.plugins.verisign.plugin": (
        "from app.plugins.base import IssuerPlugin\n"
        "class VerisignIssuer(IssuerPlugin):\n    def create(self, cert):\n        return 2\n"
    ),
    "app.plugins.sftp/": "",
    "app.plugins.sftp.plugin": (
        "from app.plugins.base import DestinationPlugin\n"
        "class SftpDestination(DestinationPlugin):\n    def upload(self, cert):\n        return 3\n"
    ),
    "app.plugins.gcs/": "",
    "app.plugins.gcs.plugin": (
        "from app.plugins.base import DestinationPlugin\n"
        "class GcsDestination(DestinationPlugin):\n    def upload(self, cert):\n        return 4\n"
    ),
}


def test_siblings_extending_one_extension_point_are_one_family() -> None:
    graph = graph_of(PLUGINS)
    view = _UnitView(graph, frozenset())
    units_of = {
        f"app.plugins.{name}{suffix}": f"plugins.{name}"
        for name in ("entrust", "verisign", "sftp", "gcs")
        for suffix in ("", ".plugin")
    }
    units_of |= {"app.certs.models": "cert", "app.certs.service": "cert"}
    families = plugin_families(view, units_of, "app")
    issuers = "app.plugins:app.plugins.base:IssuerPlugin"
    destinations = "app.plugins:app.plugins.base:DestinationPlugin"
    assert families == {
        "plugins.entrust": issuers,
        "plugins.verisign": issuers,
        "plugins.sftp": destinations,
        "plugins.gcs": destinations,
    }


def test_a_plugin_family_lands_in_one_context() -> None:
    clustering = find_contexts(graph_of(PLUGINS), ClusterSettings())
    assert context_of(clustering, "app.plugins.entrust.plugin") == context_of(
        clustering, "app.plugins.verisign.plugin"
    )
    assert context_of(clustering, "app.plugins.sftp.plugin") == context_of(
        clustering, "app.plugins.gcs.plugin"
    )


def _domain(name: str, uses: str = "") -> dict[str, str]:
    code = f"from shop.{uses} import models as other\n" if uses else ""
    return {
        f"shop.{name}/": "",
        f"shop.{name}.models": f"{code}class {name.title()}:\n    pass\n",
        f"shop.{name}.service": (
            f"from shop.{name}.models import {name.title()}\n"
            "from shop.toolkit import db, pages\n"
            f"def get():\n    return db.load({name.title()}), pages.page(1)\n"
        ),
    }


TOOLKIT = {
    "shop/": "",
    "shop.toolkit/": "",
    "shop.toolkit.db": "def load(x):\n    return x\n",
    "shop.toolkit.pages": "def page(n):\n    return n\n",
    **_domain("orders", uses="catalog"),
    **_domain("catalog"),
    **_domain("billing", uses="orders"),
    **_domain("shipping", uses="orders"),
}


def test_a_domain_every_other_domain_uses_and_that_uses_none_is_infrastructure() -> None:
    graph = graph_of(TOOLKIT)
    view = _UnitView(graph, frozenset())
    units_of = {
        n.id: n.id.split(".")[1] for n in graph.nodes if n.kind == "module" and n.id != "shop"
    }
    found = infrastructure_domains(view, units_of)
    assert set(found) == {"toolkit"}
    assert found["toolkit"].startswith("infrastructure by how it is used: 4 of 4 domains")


def test_the_infrastructure_domain_goes_to_the_kernel_with_its_reason() -> None:
    clustering = find_contexts(graph_of(TOOLKIT), ClusterSettings())
    kernel = {p.unit: p.reasons[0].signal for p in clustering.shared_kernel.placements}
    assert "shop.toolkit.db" in kernel
    assert "shop.toolkit.pages" in kernel
    assert all("toolkit" not in c.name for c in clustering.contexts)


def test_a_compound_domain_shares_its_head_domains_context() -> None:
    graph = graph_of(
        {
            "shop/": "",
            **_domain("orders", uses="catalog"),
            **_domain("catalog"),
            **_domain("pending_orders", uses="orders"),
            **_domain("billing", uses="orders"),
        }
    )
    clustering = find_contexts(graph, ClusterSettings(resolution=8.0))
    assert context_of(clustering, "shop.pending_orders.models") == context_of(
        clustering, "shop.orders.models"
    )


def test_a_base_every_sibling_extends_is_the_frameworks_not_a_family() -> None:
    # every app's configuration extends ShopConfig: no family, each app stays its own unit
    apps = ("orders", "billing", "search", "offers", "shipping")
    modules = {"shop/": "", "shop.config": "class ShopConfig:\n    name = ''\n"}
    for app in apps:
        modules[f"shop.apps.{app}/"] = ""
        modules[f"shop.apps.{app}.config"] = (
            f"from shop.config import ShopConfig\nclass {app.title()}Config(ShopConfig):\n"
            f"    name = '{app}'\n    label = '{app}'\n"
        )
    graph = graph_of(modules)
    view = _UnitView(graph, frozenset())
    units_of = {f"shop.apps.{app}.config": f"apps.{app}" for app in apps}
    assert plugin_families(view, units_of, "shop") == {}
