"""Stage 3: names resolved against the repository's modules, edges aggregated and labelled."""

from __future__ import annotations

from decomposer import discover
from decomposer.config import Settings
from decomposer.extract import extract_facts
from decomposer.graph import build_graph, code_dependencies
from decomposer.models import DependencyGraph, GraphEdge, Location, ModuleFacts, ParseFailure
from decomposer.models.base import trusted
from tests.conftest import EXAMPLE, dependencies_of, graph_of


def edge(graph: DependencyGraph, source: str, target: str, kind: str) -> GraphEdge:
    for found in graph.edges:
        if (found.source, found.target, found.kind) == (source, target, kind):
            return found
    kinds = [(e.source, e.target, e.kind) for e in graph.edges]
    raise AssertionError(f"no {kind} edge {source} -> {target}; edges: {kinds}")


def test_from_import_of_a_submodule_points_at_the_submodule() -> None:
    graph = graph_of({"shop/": "", "shop.a": "from shop import b\n", "shop.b": ""})
    assert edge(graph, "shop.a", "shop.b", "import").locations[0].resolution == "absolute-import"


def test_from_import_of_a_name_points_at_the_module_that_defines_it() -> None:
    graph = graph_of({"shop/": "", "shop.a": "from shop.b import f\n", "shop.b": "def f(): ..."})
    edge(graph, "shop.a", "shop.b", "import")


def test_relative_import_edge_is_labelled_relative() -> None:
    graph = graph_of({"shop/": "", "shop.a": "from . import b\n", "shop.b": ""})
    assert edge(graph, "shop.a", "shop.b", "import").locations[0].resolution == "relative-import"


def test_import_of_missing_internal_module_is_unresolved_not_dropped() -> None:
    graph = graph_of({"shop/": "", "shop.a": "import shop.gone\n"})
    assert [u.code for u in graph.unresolved] == ["IMP002"]
    assert (
        str(graph.unresolved[0])
        == "shop/a.py:1:1: IMP002 imports shop.gone, which is not among the analyzed modules"
    )


def test_external_imports_make_no_edges() -> None:
    graph = graph_of({"shop/": "", "shop.a": "import json\nfrom django.db import models\n"})
    assert graph.edges == ()


def test_dynamic_import_is_labelled_dynamic() -> None:
    code = "import importlib\ndef f():\n    importlib.import_module('shop.b')\n"
    graph = graph_of({"shop/": "", "shop.a": code, "shop.b": ""})
    found = edge(graph, "shop.a", "shop.b", "dynamic_import")
    assert (found.certainty, found.locations[0].resolution) == ("dynamic", "literal-string")


def test_call_through_module_lands_on_the_function_node() -> None:
    code = "from shop import b\ndef f():\n    b.g()\n    b.g()\n"
    graph = graph_of({"shop/": "", "shop.a": code, "shop.b": "def g(): ..."})
    found = edge(graph, "shop.a:f", "shop.b:g", "call")
    assert (found.weight, found.certainty) == (2, "certain")
    assert [str(loc) for loc in found.locations] == ["shop/a.py:3:5", "shop/a.py:4:5"]


def test_calling_a_class_is_an_instantiation() -> None:
    code = "from shop.b import Cart\ndef f():\n    return Cart()\n"
    graph = graph_of({"shop/": "", "shop.a": code, "shop.b": "class Cart: ..."})
    edge(graph, "shop.a:f", "shop.b:Cart", "instantiation")


def test_calling_a_method_of_a_class_is_a_call_of_the_class() -> None:
    code = "from shop.b import Cart\ndef f():\n    return Cart.empty()\n"
    graph = graph_of({"shop/": "", "shop.a": code, "shop.b": "class Cart: ..."})
    edge(graph, "shop.a:f", "shop.b:Cart", "call")


def test_reexport_from_package_init_is_followed_to_the_definition() -> None:
    graph = graph_of(
        {
            "shop/": "",
            "shop.pay/": "from .services import charge\n",
            "shop.pay.services": "def charge(): ...",
            "shop.a": "from shop.pay import charge\ndef f():\n    charge()\n",
        }
    )
    found = edge(graph, "shop.a:f", "shop.pay.services:charge", "call")
    assert found.locations[0].resolution == "re-export"


def test_star_import_reference_is_inferred_from_the_star_module() -> None:
    graph = graph_of(
        {
            "shop/": "",
            "shop.consts": "def currency(): ...",
            "shop.a": "from shop.consts import *\ndef f():\n    currency()\n",
        }
    )
    found = edge(graph, "shop.a:f", "shop.consts:currency", "call")
    assert (found.certainty, found.locations[0].resolution) == ("inferred", "star-import")


def test_reference_to_module_variable_points_at_the_module() -> None:
    graph = graph_of(
        {
            "shop/": "",
            "shop.cfg": "RATE = 1\n",
            "shop.a": "from shop import cfg\ndef f():\n    return cfg.RATE\n",
        }
    )
    edge(graph, "shop.a:f", "shop.cfg", "reference")


def test_self_references_and_recursion_make_no_edges() -> None:
    graph = graph_of({"shop/": "", "shop.a": "def f():\n    f()\n"})
    assert graph.edges == ()


def test_django_app_label_string_resolves_with_inferred_certainty() -> None:
    graph = graph_of(
        {
            "shop/": "",
            "shop.orders/": "",
            "shop.catalog/": "",
            "shop.catalog.models": "from django.db import models\nclass Product(models.Model): ...\n",
            "shop.orders.models": (
                "from django.db import models\n"
                "class Order(models.Model):\n"
                "    product = models.ForeignKey('catalog.Product', on_delete=models.CASCADE)\n"
                "    parent = models.ForeignKey('self', on_delete=models.CASCADE)\n"
                "    again = models.ForeignKey('Order', on_delete=models.CASCADE)\n"
            ),
        }
    )
    found = edge(graph, "shop.orders.models:Order", "shop.catalog.models:Product", "orm_relation")
    assert (found.certainty, found.locations[0].resolution) == ("inferred", "django-app-label")
    nodes = {n.id: n for n in graph.nodes}
    assert nodes["shop.orders.models:Order"].orm == "django"
    assert graph.stats.orm_models == 2


def test_sqlalchemy_class_and_table_strings_resolve() -> None:
    models = """
        from sqlalchemy import ForeignKey
        from sqlalchemy.orm import DeclarativeBase, relationship, mapped_column
        class Base(DeclarativeBase): ...
        class Product(Base):
            __tablename__ = "products"
        class Line(Base):
            __tablename__ = "lines"
            product_id = mapped_column(ForeignKey("products.id"))
            product = relationship("Product")
    """
    graph = graph_of({"shop/": "", "shop.models": models})
    found = edge(graph, "shop.models:Line", "shop.models:Product", "orm_relation")
    assert {loc.resolution for loc in found.locations} == {
        "sqlalchemy-class-name",
        "sqlalchemy-table-name",
    }
    assert {n.id for n in graph.nodes if n.orm} == {"shop.models:Line", "shop.models:Product"}


def test_unknown_orm_string_is_unresolved() -> None:
    code = "from sqlalchemy.orm import relationship\nclass A:\n    __tablename__ = 'a'\n    b = relationship('Nope')\n"
    graph = graph_of({"shop/": "", "shop.models": code})
    assert [u.code for u in graph.unresolved] == ["ORM001"]


def test_route_on_blueprint_from_another_module_gets_its_prefix() -> None:
    graph = graph_of(
        {
            "shop/": "",
            "shop.orders/": "from flask import Blueprint\nbp = Blueprint('o', __name__, url_prefix='/orders')\n",
            "shop.orders.views": "from shop.orders import bp\n@bp.get('/<int:id>')\ndef show(id): ...\n",
        }
    )
    (entry,) = graph.entry_points
    assert (entry.node, entry.name, entry.methods) == (
        "shop.orders.views:show",
        "/orders/<int:id>",
        ("GET",),
    )


def test_graph_is_deterministic_and_sorted() -> None:
    modules = {"shop/": "", "shop.b": "from shop import a\n", "shop.a": "from shop import b\n"}
    first, second = graph_of(modules), graph_of(dict(reversed(list(modules.items()))))
    assert first.model_dump_json() == second.model_dump_json()
    assert [n.id for n in first.nodes] == sorted(n.id for n in first.nodes)


def test_networkx_view_has_every_node_and_edge() -> None:
    graph = graph_of(
        {
            "shop/": "",
            "shop.a": "from shop import b\ndef f():\n    b.g()\n",
            "shop.b": "def g(): ...",
        }
    )
    nx_graph = graph.to_networkx()
    assert set(nx_graph.nodes) == {n.id for n in graph.nodes}
    assert nx_graph.number_of_edges() == len(graph.edges)
    assert nx_graph["shop.a:f"]["shop.b:g"]["call"]["weight"] == 1


def test_published_event_links_publisher_to_subscribers() -> None:
    graph = graph_of(
        {
            "shop/": "",
            "shop.events": "def publish(name, payload): ...\ndef subscribe(name): ...\n",
            "shop.orders": "from shop import events\ndef place():\n    events.publish('order_placed', {})\n",
            "shop.mail": "from shop import events\n@events.subscribe('order_placed')\ndef on_placed(p): ...\n",
        }
    )
    found = edge(graph, "shop.orders:place", "shop.mail:on_placed", "event")
    assert (found.certainty, found.locations[0].resolution) == ("inferred", "event-name")


def test_discarded_call_result_is_recorded_on_the_location() -> None:
    code = "from shop import b\ndef f():\n    b.g()\n    return b.h()\n"
    graph = graph_of({"shop/": "", "shop.a": code, "shop.b": "def g(): ...\ndef h(): ..."})
    assert edge(graph, "shop.a:f", "shop.b:g", "call").locations[0].discards_result
    assert not edge(graph, "shop.a:f", "shop.b:h", "call").locations[0].discards_result


def test_unit_of_work_lists_the_models_it_touches() -> None:
    models = (
        "from django.db import models\n"
        "class Order(models.Model): ...\n"
        "class Stock(models.Model): ...\n"
    )
    service = (
        "from django.db import transaction\n"
        "from shop.models import Order, Stock\n"
        "def place():\n"
        "    with transaction.atomic():\n"
        "        Order.objects.create()\n"
        "        Stock.objects.update()\n"
        "def read():\n"
        "    return Order.objects.all()\n"
    )
    graph = graph_of({"shop/": "", "shop.models": models, "shop.service": service})
    (unit,) = graph.transactions
    assert (unit.node, unit.kind, unit.line) == ("shop.service:place", "atomic", 4)
    assert unit.models == ("shop.models:Order", "shop.models:Stock")


def test_edges_built_without_validation_equal_validated_ones() -> None:
    code = (
        "from shop import b\nfrom shop.b import *\n"
        "class C(b.Base):\n    x: b.G = b.G()\n"
        "def f():\n    b.g()\n    g()\n    b.G()\n"
    )
    graph = graph_of(
        {"shop/": "", "shop.a": code, "shop.b": "class Base: ...\nclass G: ...\ndef g(): ..."}
    )
    assert {e.kind for e in graph.edges} >= {"import", "call", "instantiation", "inheritance"}
    again = DependencyGraph.model_validate_json(graph.model_dump_json())
    assert again == graph
    assert [hash(e) for e in again.edges] == [hash(e) for e in graph.edges]
    assert again.model_dump_json() == graph.model_dump_json()


def test_what_check_reads_is_the_graph_without_its_models() -> None:
    tree = discover.find_sources(EXAMPLE, Settings())
    results = [extract_facts(s, (EXAMPLE / s.path).read_bytes()) for s in tree.files]
    facts = [r for r in results if isinstance(r, ModuleFacts)]
    broken = ParseFailure(path="shop/broken.py", line=1, col=1, reason="syntax-error", message="x")
    graph = build_graph(tree, facts, [broken])
    code = code_dependencies(tree, facts, [broken])
    assert {d.kind for d in code.dependencies} >= {"import", "call", "orm_relation", "event"}
    expected = dependencies_of(graph)
    # the same edges and locations (the check reads them in no particular order) ...
    assert sorted(code.dependencies) == sorted(expected.dependencies)
    # ... and the same everything else
    assert code.model_copy(update={"dependencies": ()}) == expected.model_copy(
        update={"dependencies": ()}
    )
    assert code.symbols and code.failures == (broken,)


def test_a_trusted_model_is_the_validated_one_and_its_copies_change_only_themselves() -> None:
    values = {
        "path": "shop/a.py",
        "line": 3,
        "col": 1,
        "certainty": "certain",
        "resolution": "absolute-import",
        "discards_result": False,
    }
    first, second = trusted(Location, dict(values)), trusted(Location, dict(values))
    validated = Location(**values)
    assert first == validated and hash(first) == hash(validated)
    assert first.model_dump_json() == validated.model_dump_json()
    assert first.model_fields_set == validated.model_fields_set
    moved = first.model_copy(update={"line": 4})
    assert moved.line == 4 and first.line == 3
    # the instances of a model share the set of their field names; a copy gets its own
    assert first.model_fields_set == second.model_fields_set == set(Location.model_fields)
    assert moved.model_fields_set is not first.model_fields_set
