"""Stage 2: each import, reference, ORM and entry-point shape, from inline snippets."""

from __future__ import annotations

from decomposer.extract import extract_facts
from decomposer.models import ImportRef, ParseFailure, SourceFile, SymbolRef
from tests.conftest import facts_of


def imports(code: str, module: str = "pkg.mod", **kwargs: bool) -> list[ImportRef]:
    return list(facts_of(code, module, **kwargs).imports)


def refs(code: str, module: str = "pkg.mod") -> set[tuple[str, str, str, int]]:
    """(source, target, kind, line) of every reference."""
    return {(r.source, r.target, r.kind, r.line) for r in facts_of(code, module).references}


# -- imports -------------------------------------------------------------------------------


def test_plain_import_names_the_module_with_its_location() -> None:
    (ref,) = imports("import shop.orders.services\n")
    assert ref == ImportRef("shop.orders.services", None, "import", "module", 0, 1, 1)


def test_from_import_keeps_module_and_name_apart() -> None:
    (ref,) = imports("from shop.orders import services\n")
    assert (ref.module, ref.name, ref.level) == ("shop.orders", "services", 0)


def test_relative_import_resolves_against_enclosing_package() -> None:
    first, second = imports(
        "from . import repository\nfrom ..utils import money\n", "shop.orders.services"
    )
    assert (first.module, first.name, first.level) == ("shop.orders", "repository", 1)
    assert (second.module, second.name, second.level) == ("shop.utils", "money", 2)


def test_relative_import_in_package_init_resolves_against_the_package_itself() -> None:
    (ref,) = imports("from .views import bp\n", "shop.orders", is_package=True)
    assert ref.module == "shop.orders.views"


def test_relative_import_above_top_level_is_a_diagnostic_not_an_import() -> None:
    facts = facts_of("from ... import x\n", "pkg.mod")
    assert facts.imports == ()
    assert [d.code for d in facts.diagnostics] == ["IMP001"]


def test_star_import_is_recorded_with_star_name() -> None:
    (ref,) = imports("from shop.constants import *\n")
    assert (ref.module, ref.name) == ("shop.constants", "*")


def test_function_local_import_has_function_scope() -> None:
    (ref,) = imports("def f():\n    import shop.tasks\n    return shop.tasks\n")
    assert (ref.module, ref.scope) == ("shop.tasks", "function")


def test_conditional_import_has_conditional_scope() -> None:
    code = "try:\n    import ujson as json\nexcept ImportError:\n    import json\n"
    assert [(r.module, r.scope) for r in imports(code)] == [
        ("ujson", "conditional"),
        ("json", "conditional"),
    ]


def test_type_checking_import_is_its_own_kind() -> None:
    code = """
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from shop.orders.models import Order
        else:
            import shop.runtime
    """
    kinds = {r.module: r.kind for r in imports(code)}
    assert kinds["shop.orders.models"] == "type_import"
    assert kinds["shop.runtime"] == "import"


def test_typing_dot_type_checking_is_recognised() -> None:
    code = "import typing\nif typing.TYPE_CHECKING:\n    import shop.models\n"
    assert imports(code)[-1].kind == "type_import"


def test_importlib_literal_is_a_dynamic_import() -> None:
    code = (
        'import importlib\ndef load():\n    return importlib.import_module("shop.payments.fake")\n'
    )
    ref = imports(code)[-1]
    assert (ref.module, ref.kind, ref.line) == ("shop.payments.fake", "dynamic_import", 3)


def test_dunder_import_literal_is_a_dynamic_import() -> None:
    ref = imports('sms = __import__("shop.notifications.sms")\n')[-1]
    assert (ref.module, ref.kind) == ("shop.notifications.sms", "dynamic_import")


def test_relative_importlib_literal_uses_the_package_argument() -> None:
    code = (
        'from importlib import import_module\nm = import_module(".carriers", package=__package__)\n'
    )
    ref = imports(code, "shop.shipping.rates")[-1]
    assert ref.module == "shop.shipping.carriers"


def test_non_literal_importlib_is_a_diagnostic_not_a_guess() -> None:
    code = 'import importlib\ndef load(name):\n    return importlib.import_module("shop." + name)\n'
    facts = facts_of(code)
    assert [i.kind for i in facts.imports] == ["import"]
    assert [(d.code, d.line) for d in facts.diagnostics] == [("DYN001", 3)]


def test_django_import_string_imports_the_module_of_the_dotted_path() -> None:
    code = "from django.utils.module_loading import import_string\n"
    code += 'Backend = import_string("shop.payments.backends.Stripe")\n'
    assert imports(code)[-1].module == "shop.payments.backends"


# -- definitions and references ---------------------------------------------------------------


def test_top_level_definitions_have_spans() -> None:
    facts = facts_of("class A:\n    x = 1\n\n\ndef f():\n    pass\n")
    assert [(d.name, d.kind, d.line, d.end_line) for d in facts.definitions] == [
        ("A", "class", 1, 2),
        ("f", "function", 5, 6),
    ]


def test_call_through_imported_module_resolves_to_the_function() -> None:
    code = "from shop.payments import services\ndef pay():\n    services.charge(1)\n"
    assert ("pay", "shop.payments.services.charge", "call", 3) in refs(code)


def test_call_of_imported_name_resolves_through_the_import_table() -> None:
    code = "from shop.inventory.services import reserve_stock as reserve\ndef f():\n    reserve()\n"
    assert ("f", "shop.inventory.services.reserve_stock", "call", 3) in refs(code)


def test_attribute_chain_of_plain_import_keeps_the_full_path() -> None:
    code = "import shop.orders.services\ndef f():\n    shop.orders.services.place_order()\n"
    assert ("f", "shop.orders.services.place_order", "call", 3) in refs(code)


def test_method_body_is_attributed_to_its_top_level_class() -> None:
    code = "import shop.tax\nclass Cart:\n    def total(self):\n        return shop.tax.rate()\n"
    assert ("Cart", "shop.tax.rate", "call", 4) in refs(code)


def test_base_class_decorator_and_annotation_kinds() -> None:
    code = """
        from shop.base import Gateway, Order, retry
        class Stripe(Gateway):
            @retry
            def charge(self, order: Order) -> "Order":
                pass
    """
    found = refs(code)
    assert ("Stripe", "shop.base.Gateway", "inheritance", 3) in found
    assert ("Stripe", "shop.base.retry", "decorator", 4) in found
    assert ("Stripe", "shop.base.Order", "annotation", 5) in found


def test_decorator_factory_call_is_a_decorator_reference() -> None:
    code = "from shop.auth import login_required\n@login_required(role='staff')\ndef view():\n    pass\n"
    assert ("view", "shop.auth.login_required", "decorator", 2) in refs(code)


def test_same_module_call_is_labelled_same_module() -> None:
    facts = facts_of("def helper():\n    pass\ndef main():\n    helper()\n")
    (ref,) = facts.references
    assert ref == SymbolRef(
        "main", "pkg.mod.helper", "call", "same-module", 4, 5, discards_result=True
    )


def test_parameter_shadowing_an_import_is_not_a_reference() -> None:
    code = "from shop import repository\ndef save(repository):\n    repository.save()\n"
    assert refs(code) == set()


def test_local_assignment_shadowing_an_import_is_not_a_reference() -> None:
    code = (
        "import json\nfrom shop import services\ndef f():\n    services = {}\n    services.get(1)\n"
    )
    assert not any(target.startswith("shop.services") for _, target, _, _ in refs(code))


def test_function_local_import_binds_inside_the_function() -> None:
    code = "def f():\n    from shop.inventory import services as inv\n    inv.reserve()\n"
    assert ("f", "shop.inventory.services.reserve", "call", 3) in refs(code)


def test_module_level_code_is_attributed_to_the_module() -> None:
    code = "from shop import views\nHANDLERS = [views.index]\n"
    assert ("", "shop.views.index", "reference", 2) in refs(code)


def test_string_annotation_is_resolved() -> None:
    code = "from shop.models import Order\ndef f(order: 'Order') -> None:\n    pass\n"
    assert ("f", "shop.models.Order", "annotation", 2) in refs(code)


def test_name_unbound_in_module_with_star_import_is_left_for_the_graph() -> None:
    code = "from shop.constants import *\ndef f():\n    return DEFAULT_CURRENCY\n"
    facts = facts_of(code)
    assert [(r.target, r.via) for r in facts.references] == [("DEFAULT_CURRENCY", "star-import")]


def test_builtins_are_never_references() -> None:
    assert refs("def f(x):\n    return len(x) + int('1')\n") == set()


# -- ORM --------------------------------------------------------------------------------------


def test_django_foreign_keys_with_strings_self_and_classes() -> None:
    code = """
        from django.db import models
        from shop.customers.models import Customer
        class Order(models.Model):
            customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
            parent = models.ForeignKey("self", null=True, on_delete=models.SET_NULL)
            product = models.OneToOneField("catalog.Product", on_delete=models.CASCADE)
            tags = models.ManyToManyField(to="catalog.Tag")
    """
    found = {(r.field, r.kind, r.target, r.is_string) for r in facts_of(code).orm_refs}
    assert found == {
        ("customer", "ForeignKey", "shop.customers.models.Customer", False),
        ("parent", "ForeignKey", "self", True),
        ("product", "OneToOneField", "catalog.Product", True),
        ("tags", "ManyToManyField", "catalog.Tag", True),
    }


def test_django_get_model_is_a_model_lookup() -> None:
    code = "from django.apps import apps\ndef f():\n    return apps.get_model('orders', 'Order')\n"
    (ref,) = facts_of(code).orm_refs
    assert (ref.owner, ref.kind, ref.target) == ("f", "get_model", "orders.Order")


def test_sqlalchemy_table_relationships_and_foreign_keys() -> None:
    code = """
        from sqlalchemy import ForeignKey
        from sqlalchemy.orm import Mapped, mapped_column, relationship
        from shop.db import Base
        class OrderLine(Base):
            __tablename__ = "order_lines"
            product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
            product = relationship("Product")
            order: Mapped["Order"] = relationship(back_populates="lines")
    """
    facts = facts_of(code)
    (definition,) = facts.definitions
    assert (definition.table, definition.orm_fields) == ("order_lines", "sqlalchemy")
    found = {(r.field, r.kind, r.target) for r in facts.orm_refs}
    assert found == {
        ("product_id", "table_foreign_key", "products.id"),
        ("product", "relationship", "Product"),
        ("order", "relationship", "Order"),
    }


def test_django_meta_db_table_is_the_table_name() -> None:
    code = "from django.db import models\nclass A(models.Model):\n    class Meta:\n        db_table = 'a_t'\n"
    assert facts_of(code).definitions[0].table == "a_t"


# -- entry points -----------------------------------------------------------------------------


def test_flask_blueprint_routes_carry_prefix_and_methods() -> None:
    code = """
        from flask import Blueprint
        bp = Blueprint("orders", __name__, url_prefix="/orders")
        @bp.route("/<int:order_id>", methods=["GET", "DELETE"])
        def detail(order_id): ...
        @bp.post("/")
        def create(): ...
    """
    found = {
        (e.target, e.name, e.methods) for e in facts_of(code, "shop.orders.views").entry_points
    }
    assert found == {
        ("shop.orders.views.detail", "/orders/<int:order_id>", ("DELETE", "GET")),
        ("shop.orders.views.create", "/orders/", ("POST",)),
    }


def test_fastapi_router_prefix() -> None:
    code = """
        from fastapi import APIRouter
        router = APIRouter(prefix="/items")
        @router.get("/{item_id}")
        async def read(item_id: int): ...
    """
    (entry,) = facts_of(code).entry_points
    assert (entry.framework, entry.name, entry.methods) == ("fastapi", "/items/{item_id}", ("GET",))


def test_django_urls_path_with_view_function_and_class_based_view() -> None:
    code = """
        from django.urls import include, path
        from . import views
        urlpatterns = [
            path("orders/", views.order_list, name="list"),
            path("orders/<int:pk>/", views.OrderDetail.as_view()),
            path("api/", include("shop.api.urls")),
        ]
    """
    found = {(e.target, e.name) for e in facts_of(code, "shop.orders.urls").entry_points}
    assert found == {
        ("shop.orders.views.order_list", "orders/"),
        ("shop.orders.views.OrderDetail", "orders/<int:pk>/"),
    }


def test_celery_tasks_signal_receivers_and_commands() -> None:
    code = """
        import click
        from celery import shared_task
        from django.db.models.signals import post_save
        from django.dispatch import receiver
        @shared_task
        def send_receipt(order_id): ...
        @receiver(post_save, sender="orders.Order")
        def on_order_saved(sender, **kwargs): ...
        @click.command("seed-data")
        def seed(): ...
        def on_delete(sender, **kwargs): ...
        post_save.connect(on_delete)
    """
    found = {(e.kind, e.name, e.target.rpartition(".")[2]) for e in facts_of(code).entry_points}
    assert found == {
        ("celery_task", "send_receipt", "send_receipt"),
        ("signal_receiver", "django.db.models.signals.post_save", "on_order_saved"),
        ("cli_command", "seed-data", "seed"),
        ("signal_receiver", "django.db.models.signals.post_save", "on_delete"),
    }


def test_django_management_command_is_an_entry_point() -> None:
    code = "from django.core.management.base import BaseCommand\nclass Command(BaseCommand):\n    pass\n"
    (entry,) = facts_of(code, "shop.orders.management.commands.close_stale").entry_points
    assert (entry.kind, entry.name) == ("management_command", "close_stale")


def test_event_bus_subscriber_is_an_event_handler() -> None:
    code = "from shop import events\n@events.subscribe('order_placed')\ndef notify(payload): ...\n"
    (entry,) = facts_of(code).entry_points
    assert (entry.kind, entry.name) == ("event_handler", "order_placed")


def test_closure_over_a_local_that_shadows_an_import_is_not_a_reference() -> None:
    code = """
        from pkg.models import Order
        def f(items):
            Order = items[0]
            def inner():
                return Order()
            return sorted(items, key=lambda x: Order.key(x))
    """
    assert refs(code) == set()


def test_class_body_names_do_not_shadow_inside_methods() -> None:
    code = """
        from pkg import services
        class A:
            services = None
            def run(self):
                return services.go()
    """
    assert ("A", "pkg.services.go", "call", 6) in refs(code)


def test_imports_inside_match_cases_and_loop_else_are_found() -> None:
    code = """
        import sys
        match sys.platform:
            case "linux":
                from pkg import linux
        for _ in ():
            pass
        else:
            from pkg import fallback
    """
    assert {(r.module, r.name) for r in imports(code)} >= {("pkg", "linux"), ("pkg", "fallback")}


def test_class_defined_under_module_level_if_is_a_top_level_definition() -> None:
    code = """
        import sys
        from pkg import base
        if sys.version_info >= (3, 11):
            class Entry(base.Model):
                pass
        else:
            def Entry():
                pass
    """
    facts = facts_of(code)
    assert [(d.name, d.kind) for d in facts.definitions] == [
        ("Entry", "class"),
        ("Entry", "function"),
    ]
    assert ("Entry", "pkg.base.Model", "inheritance", 5) in refs(code)


def test_django_app_config_label_is_recorded() -> None:
    code = """
        from django.apps import AppConfig
        class CoreConfig(AppConfig):
            name = "wagtail"
            label = "wagtailcore"
    """
    (config,) = facts_of(code).app_configs
    assert (config.app, config.label) == ("wagtail", "wagtailcore")


def test_class_with_django_fields_declares_django_fields() -> None:
    code = "from django.db import models\nfrom treebeard.mp_tree import MP_Node\n"
    code += "class Collection(MP_Node):\n    name = models.CharField(max_length=255)\n"
    assert facts_of(code).definitions[0].orm_fields == "django"


def test_python_312_type_parameters_are_set_aside_and_the_rest_analyzed() -> None:
    code = """
        from pkg import base
        type Alias = list[int]
        class Box[T](base.Container):
            pass
        def first[T](items: list[T]) -> T:
            return base.pick(items)
    """
    facts = facts_of(code)
    assert [d.name for d in facts.definitions] == ["Box", "first"]
    assert [d.code for d in facts.diagnostics] == ["SYN001"]
    assert ("first", "pkg.base.pick", "call", 7) in refs(code)


def test_type_parameters_over_several_lines_are_set_aside_on_the_same_lines() -> None:
    code = """
        from pkg import base
        class Box[
            T: base.Item,  # what it holds
        ]:
            def first[
                U,
            ](self, items: list[U]) -> U:
                return base.pick(items)
        class Crate[
            T,
        ](
            base.Container,
        ):
            pass
    """
    facts = facts_of(code)
    assert [d.name for d in facts.definitions] == ["Box", "Crate"]
    assert [d.code for d in facts.diagnostics] == ["SYN001"]
    assert ("Box", "pkg.base.pick", "call", 9) in refs(code)
    assert ("Crate", "pkg.base.Container", "inheritance", 13) in refs(code)


def test_python_312_f_strings_are_analyzed_triple_quoted_on_the_same_lines() -> None:
    code = """
        from pkg import base
        label = f"-{
            base.money(
                1, "EUR"
            )
        }"
        key = f"{base.KEYS["main"]}"
        after = base.done()
    """
    facts = facts_of(code)
    assert [d.code for d in facts.diagnostics] == ["SYN001"]
    found = {(r.target, r.line) for r in facts.references}
    assert {("pkg.base.money", 4), ("pkg.base.KEYS", 8), ("pkg.base.done", 9)} <= found


def test_python_314_exception_types_without_parentheses_are_analyzed_in_place() -> None:
    code = """
        from pkg import errors
        def fetch():
            try:
                errors.run()
            except* KeyError, errors.Failed:
                pass
            try:
                errors.run()
            except ValueError, errors.Gone: return None
    """
    facts = facts_of(code)
    assert [d.code for d in facts.diagnostics] == ["SYN001"]
    # every name keeps its line and column: `(` takes the blank before the first type
    found = {(r.target, r.line, r.col) for r in facts.references}
    assert ("pkg.errors.Failed", 6, 23) in found
    assert ("pkg.errors.Gone", 10, 24) in found
    assert ("pkg.errors.run", 9, 9) in found


def test_python_2_except_binding_a_name_is_not_read_as_python_314() -> None:
    failure = extract_facts(
        SourceFile(path="m.py", module="m", is_package=False, root=".", size_bytes=1),
        b"try:\n    pass\nexcept ValueError, error:\n    pass\n",
    )
    assert isinstance(failure, ParseFailure)
    assert (failure.reason, failure.line) == ("python2", 3)


# -- signatures ----------------------------------------------------------------------------


def test_a_function_signature_has_absolute_annotations_kinds_and_defaults() -> None:
    code = (
        "import datetime as dt\n"
        "from typing import Optional, TYPE_CHECKING\n"
        "from shop.models import Order\n"
        "if TYPE_CHECKING:\n"
        "    from shop.customers.models import Customer\n"
        "def f(a, /, order: Order, when: dt.datetime | None = None, *args: int,\n"
        "      c: 'Customer', d: Optional[list['Order']] = [], **kw) -> dict[int, Order]:\n"
        "    pass\n"
        "async def g() -> 'Unknown[int]': ...\n"
    )
    definitions = {d.name: d for d in facts_of(code, "shop.m").definitions}
    signature = definitions["f"].signature
    assert signature is not None
    assert [(p.name, p.kind, p.annotation, p.default) for p in signature.parameters] == [
        ("a", "positional_only", None, None),
        ("order", "positional", "shop.models.Order", None),
        ("when", "positional", "datetime.datetime | None", "None"),
        ("args", "var_positional", "int", None),
        ("c", "keyword_only", "shop.customers.models.Customer", None),
        ("d", "keyword_only", "typing.Optional[list[shop.models.Order]]", "[]"),
        ("kw", "var_keyword", None, None),
    ]
    assert signature.returns == "dict[int, shop.models.Order]"
    other = definitions["g"].signature
    assert other is not None and other.is_async and other.returns == "Unknown[int]"


def test_orm_columns_of_sqlalchemy_and_django_models() -> None:
    sqlalchemy = (
        "from sqlalchemy import ForeignKey, String, Column, Integer\n"
        "from sqlalchemy.orm import Mapped, mapped_column, relationship\n"
        "class Item(Base):\n"
        "    __tablename__ = 'items'\n"
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        "    sku: Mapped[str] = mapped_column(String(64), unique=True)\n"
        "    note: Mapped[str | None]\n"
        "    order_id: Mapped[int] = mapped_column(ForeignKey('orders.id'), nullable=False)\n"
        "    legacy = Column(Integer, default=3)\n"
        "    order: Mapped['Order'] = relationship('Order')\n"
    )
    (item,) = facts_of(sqlalchemy, "shop.models").definitions
    assert [
        (c.name, c.annotation, c.sql_type, c.nullable, c.primary_key, c.unique, c.foreign_key)
        for c in item.columns
    ] == [
        ("id", "int", None, None, True, False, None),
        ("sku", "str", "sqlalchemy.String(64)", None, False, True, None),
        ("note", "str | None", None, None, False, False, None),
        ("order_id", "int", None, False, False, False, "orders.id"),
        ("legacy", None, "sqlalchemy.Integer", None, False, False, None),
    ]
    assert item.columns[-1].default == "3"
    django = (
        "from django.db import models\n"
        "class Book(models.Model):\n"
        "    title = models.CharField(max_length=200, unique=True)\n"
        "    author = models.ForeignKey('library.Author', on_delete=models.CASCADE, null=True)\n"
        "    tags = models.ManyToManyField('Tag')\n"
        "    objects = models.Manager()\n"
    )
    (book,) = facts_of(django, "library.models").definitions
    assert [(c.name, c.sql_type, c.nullable, c.foreign_key) for c in book.columns] == [
        ("title", "django.db.models.CharField(max_length=200, unique=True)", False, None),
        ("author_id", "django.db.models.ForeignKey", True, "library.Author"),
    ]


def test_a_long_line_in_a_file_that_fails_to_parse_never_reaches_libcst() -> None:
    # The mutation probe of issue 13: a 1 MB `x = 1 + 1 + ...` line in a Django file with an
    # f-string hung `analyze` (libcst's native parser, which SIGALRM cannot interrupt).
    import time

    from decomposer.extract import extract_facts
    from decomposer.models import ParseFailure, SourceFile

    # 3.12 syntax, a long line, then an error
    text = "def f[T](): pass\nx = " + "1 + " * 20_000 + "1\n    y = 1\n"
    source = SourceFile(path="m.py", module="m", is_package=False, root=".", size_bytes=len(text))
    start = time.perf_counter()
    result = extract_facts(source, text.encode())
    assert isinstance(result, ParseFailure), result
    assert time.perf_counter() - start < 5


def test_facts_come_back_from_a_worker_process_equal() -> None:
    # pickled with their NamedTuples as plain tuples, rebuilt as NamedTuples
    import pickle

    from decomposer.models import OrmRef

    code = """
        from django.db import models
        from pkg import helpers
        class Order(models.Model):
            customer = models.ForeignKey("shop.Customer", on_delete=models.CASCADE)
        def place(order: Order) -> None:
            helpers.notify(order)
    """
    facts = facts_of(code)
    back = pickle.loads(pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == facts
    assert back.model_dump_json() == facts.model_dump_json()
    assert facts.imports and facts.references and facts.orm_refs
    assert {type(r) for r in back.imports} == {ImportRef}
    assert {type(r) for r in back.references} == {SymbolRef}
    assert {type(r) for r in back.orm_refs} == {OrmRef}
    assert back.references[0].target == facts.references[0].target
