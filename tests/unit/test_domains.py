"""The monolith's own domain units, from module paths alone (cluster/domains.py)."""

from __future__ import annotations

from decomposer.cluster.domains import find_domains, normalise


def domains_of(modules: list[str]) -> dict[str, str | None]:
    packages = {m.rpartition(".")[0] for m in modules if "." in m} | {
        m for m in modules if any(o.startswith(m + ".") for o in modules)
    }
    found = find_domains(modules, packages)
    return {m: found.domain_of(m) for m in modules}


def test_names_are_made_singular_and_lower_case() -> None:
    assert [normalise(n) for n in ("Orders", "categories", "addresses", "status", "checkout")] == [
        "order",
        "category",
        "address",
        "status",
        "checkout",
    ]


def test_each_app_package_is_a_domain_and_its_files_belong_to_it() -> None:
    found = domains_of(["shop.orders.models", "shop.orders.views", "shop.payments.services"])
    assert found == {
        "shop.orders.models": "order",
        "shop.orders.views": "order",
        "shop.payments.services": "payment",
    }


def test_an_api_layer_mirroring_the_apps_gives_each_file_to_its_app() -> None:
    found = domains_of(
        [
            "shop.order.models",
            "shop.product.models",
            "shop.checkout.models",
            "shop.graphql.order.mutations",
            "shop.graphql.product.types",
            "shop.graphql.checkout.schema",
            "shop.graphql.core.scalars",
        ]
    )
    assert found["shop.graphql.order.mutations"] == "order"
    assert found["shop.graphql.product.types"] == "product"
    assert found["shop.graphql.core.scalars"] is None  # the layer's own shell
    assert "graphql" not in {d for d in found.values() if d}


def test_a_central_models_package_gives_each_model_file_to_its_domain() -> None:
    found = domains_of(
        [
            "billing.models.product",
            "billing.models.product_price",
            "billing.models.subscription",
            "billing.models.checkout_link",
            "billing.product.service",
            "billing.subscription.service",
            "billing.checkout_link.endpoints",
        ]
    )
    assert found["billing.models.product_price"] == "product"  # <domain>_<rest>.py
    assert found["billing.models.checkout_link"] == "checkout_link"  # longest domain wins
    assert found["billing.models.subscription"] == "subscription"


def test_a_layered_monolith_finds_domains_recurring_across_its_layers() -> None:
    found = domains_of(
        [
            "tix.base.models.orders",
            "tix.base.models.vouchers",
            "tix.base.services.orders",
            "tix.base.services.vouchers",
            "tix.control.views.orders",
            "tix.control.views.vouchers",
            "tix.control.navigation",
        ]
    )
    assert found["tix.base.models.orders"] == found["tix.control.views.orders"] == "order"
    assert found["tix.base.services.vouchers"] == "voucher"
    assert found["tix.control.navigation"] is None  # a layer's shell names no domain


def test_a_file_every_app_has_is_not_a_domain() -> None:
    found = domains_of(
        ["shop.orders.actions", "shop.checkout.actions", "shop.payments.actions", "shop.orders.a"]
    )
    assert set(found.values()) == {"order", "checkout", "payment"}


def test_a_plugin_of_a_plugin_family_is_one_unit() -> None:
    found = domains_of(
        [
            "tix.orders.models",
            "tix.plugins.stripe.views",
            "tix.plugins.stripe.forms",
            "tix.plugins.paypal.views",
        ]
    )
    assert (
        found["tix.plugins.stripe.views"] == found["tix.plugins.stripe.forms"] == "plugins.stripe"
    )
    assert found["tix.plugins.paypal.views"] == "plugins.paypal"


def test_several_top_level_apps_without_a_common_package_are_domains() -> None:
    found = domains_of(["part.models", "part.api", "stock.models", "stock.api", "manage"])
    assert found == {
        "part.models": "part",
        "part.api": "part",
        "stock.models": "stock",
        "stock.api": "stock",
        "manage": None,
    }


def test_labels_keep_the_code_spelling_of_the_domain() -> None:
    modules = ["shop.orders.models", "shop.orders.views", "shop.payments.models"]
    found = find_domains(modules, {"shop", "shop.orders", "shop.payments"})
    assert found.label("shop.orders.views") == "orders"
    assert found.label("shop.settings") == "settings"


def test_an_installed_app_holding_files_named_after_other_apps_is_its_own_domain() -> None:
    modules = [
        "forum.threads.models",
        "forum.threads.views",
        "forum.categories.models",
        "forum.readtracker.models",
        "forum.readtracker.threads",
        "forum.readtracker.categories",
        "forum.readtracker.tracker",
    ]
    packages = {"forum", "forum.threads", "forum.categories", "forum.readtracker"}
    apps = ("forum.threads", "forum.categories", "forum.readtracker")
    declared = find_domains(modules, packages, apps)
    # Django declares readtracker an app: its threads.py is the read tracking of threads
    assert {declared.domain_of(m) for m in modules if ".readtracker." in m} == {"readtracker"}
    # without the framework's word, a package of files named after the apps is a layer
    inferred = find_domains(modules, packages)
    assert inferred.domain_of("forum.readtracker.threads") == "thread"


def test_a_name_recurring_in_one_apps_own_layers_is_part_of_that_app() -> None:
    own = [
        f"conf.person.{layer}.{name}"
        for layer in ("models", "forms")
        for name in ("profile", "information", "picture")
    ]
    found = domains_of([*own, "conf.person.views", "conf.talks.models.talk", "conf.talks.views"])
    # person/models/profile.py and person/forms/profile.py are the person app's profile, not a
    # profile domain that would make person/models a layer and split the app
    assert {found[m] for m in own} == {"person"}
    assert found["conf.talks.models.talk"] == "talk"
