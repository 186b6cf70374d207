"""Stage 8: violations of a plan's boundaries, on graphs and plans built by hand."""

from __future__ import annotations

import json
import tomllib

import pytest

from decomposer.check import (
    composition_roots,
    export_importlinter,
    export_tach,
    find_violations,
    place_units,
    render_report,
)
from decomposer.errors import PlanError
from decomposer.models import (
    AsIsSplit,
    BaselineEdge,
    BoundedContext,
    Clustering,
    CodeDependencies,
    ContextCountChoice,
    ContextGroup,
    ContextMetrics,
    CutMetrics,
    DatastoreChoice,
    DecompositionPlan,
    DependencyGraph,
    EdgeKind,
    GraphEdge,
    GraphNode,
    GraphStats,
    Location,
    Risks,
    SharedKernel,
)
from tests.conftest import dependencies_of

Edge = tuple[str, str, EdgeKind]
STATS = GraphStats(
    files=0,
    lines=0,
    modules=0,
    symbols=0,
    failed_files=0,
    skipped_files=0,
    empty_files=0,
    edges_by_kind={},
    entry_points_by_kind={},
    orm_models=0,
)
CHOICE = ContextCountChoice(criterion="by hand", alternatives=())


def graph_of(edges: list[Edge], *, nodes: tuple[str, ...] = (), lines: int = 1) -> CodeDependencies:
    """What check reads of a graph of (source, target, kind) edges, each seen at `lines`
    locations (line 1, 2, ...) of the source's file; `module:Name` nodes are symbols."""
    ids = sorted({e[0] for e in edges} | {e[1] for e in edges} | set(nodes))
    ids = sorted(set(ids) | {i.partition(":")[0] for i in ids})
    graph = DependencyGraph(
        repo="repo",
        roots=(".",),
        stats=STATS,
        nodes=tuple(
            GraphNode(
                id=node,
                kind="function" if ":" in node else "module",
                module=node.partition(":")[0],
                path=_path(node),
                line=1,
                end_line=10,
                lines=10,
            )
            for node in ids
        ),
        edges=tuple(
            GraphEdge(
                source=source,
                target=target,
                kind=kind,
                weight=lines,
                certainty="certain",
                locations=tuple(
                    Location(
                        path=_path(source),
                        line=line,
                        col=1,
                        certainty="certain",
                        resolution="import-table",
                    )
                    for line in range(1, lines + 1)
                ),
            )
            for source, target, kind in edges
        ),
        entry_points=(),
        transactions=(),
        unresolved=(),
        failures=(),
        skipped=(),
    )
    return dependencies_of(graph)


def _path(node: str) -> str:
    return node.partition(":")[0].replace(".", "/") + ".py"


def clustering_of(
    contexts: dict[str, str], *, kernel: str = "", split: tuple[str, ...] = ()
) -> Clustering:
    """Contexts as {name: "space separated units"}."""
    return Clustering(
        granularity="auto" if split else "module",
        split_modules=split,
        contexts=tuple(ContextGroup(name=n, units=tuple(u.split())) for n, u in contexts.items()),
        shared_kernel=ContextGroup(name="shared", units=tuple(kernel.split())),
        selection=CHOICE,
    )


def baseline_of(*edges: Edge) -> tuple[BaselineEdge, ...]:
    return tuple(BaselineEdge(source=s, target=t, kind=k) for s, t, k in edges)


def plan_of(
    contexts: dict[str, str],
    *,
    kernel: str = "",
    baseline: tuple[BaselineEdge, ...] = (),
    split: tuple[str, ...] = (),
) -> DecompositionPlan:
    """A plan with only what `check` reads: contexts, kernel, split modules and baseline."""
    zero = CutMetrics(
        contexts=0,
        modularity=0,
        structural_modularity=0,
        icp=0,
        ifn=0,
        ned=0,
        bcp=0,
        cross_context_edges=0,
        cyclic_context_pairs=0,
    )
    return DecompositionPlan(
        tool_version="0",
        repo="repo",
        settings={},
        summary=STATS,
        granularity="auto" if split else "module",
        split_modules=split,
        selection=CHOICE,
        contexts=tuple(
            BoundedContext(
                name=name,
                modules=tuple(u for u in units.split() if ":" not in u),
                symbols=tuple(u for u in units.split() if ":" in u),
                datastore=DatastoreChoice(kind="none", evidence=()),
                metrics=ContextMetrics(units=0, lines=0, cohesion=1, efferent=0, afferent=0),
            )
            for name, units in contexts.items()
        ),
        shared_kernel=SharedKernel(
            modules=tuple(u for u in kernel.split() if ":" not in u),
            symbols=tuple(u for u in kernel.split() if ":" in u),
        ),
        dependencies=(),
        metrics=zero,
        as_is=AsIsSplit(description="", contexts=(), metrics=zero),
        risks=Risks(
            cycles=(),
            broken_relations=(),
            distributed_transactions=(),
            shared_tables=(),
            parse_failures=0,
            unresolved=0,
        ),
        extraction_order=(),
        baseline=baseline,
    )


SHOP = {"orders": "shop.orders shop.orders.views", "payments": "shop.payments"}
KERNEL = "shop shop.utils shop.app"


# --------------------------------------------------------------------------- find_violations


def test_cross_context_import_not_in_the_baseline_is_dec001_at_its_location() -> None:
    graph = graph_of([("shop.orders", "shop.payments", "import")])
    (violation,) = find_violations(graph, clustering_of(SHOP, kernel=KERNEL), ())
    assert str(violation) == (
        "shop/orders.py:1:1: DEC001 shop.orders imports shop.payments:"
        " orders -> payments is not in the plan's baseline"
    )
    assert (violation.source_context, violation.target_context) == ("orders", "payments")


def test_baseline_edge_is_allowed() -> None:
    graph = graph_of([("shop.orders", "shop.payments", "import")])
    baseline = baseline_of(("shop.orders", "shop.payments", "import"))
    assert find_violations(graph, clustering_of(SHOP, kernel=KERNEL), baseline) == ()


def test_baseline_allows_only_the_recorded_kind() -> None:
    graph = graph_of([("shop.orders:place", "shop.payments:charge", "call")])
    baseline = baseline_of(("shop.orders", "shop.payments", "import"))
    (violation,) = find_violations(graph, clustering_of(SHOP, kernel=KERNEL), baseline)
    assert violation.kind == "call" and "calls shop.payments:charge" in violation.message


def test_every_service_may_use_the_kernel() -> None:
    graph = graph_of([("shop.orders", "shop.utils", "import"), ("shop.payments", "shop", "call")])
    assert find_violations(graph, clustering_of(SHOP, kernel=KERNEL), ()) == ()


def test_kernel_depending_on_a_service_is_dec002() -> None:
    graph = graph_of(
        [("shop.orders", "shop.utils", "import"), ("shop.utils", "shop.payments", "import")]
    )
    (violation,) = find_violations(graph, clustering_of(SHOP, kernel=KERNEL), ())
    assert violation.rule == "DEC002"
    assert violation.message == (
        "shop.utils imports shop.payments: the shared kernel must not depend on context payments"
    )


def test_kernel_reached_only_through_the_kernel_is_still_shared() -> None:
    graph = graph_of(
        [
            ("shop.orders", "shop.utils", "import"),
            ("shop.utils", "shop", "import"),
            ("shop", "shop.payments", "import"),
        ]
    )
    (violation,) = find_violations(graph, clustering_of(SHOP, kernel=KERNEL), ())
    assert (violation.source, violation.rule) == ("shop", "DEC002")


def test_composition_root_no_service_uses_may_use_every_service() -> None:
    graph = graph_of(
        [
            ("shop.app", "shop.orders.views", "import"),
            ("shop.app", "shop.payments", "reference"),
            ("shop.orders", "shop.utils", "import"),
        ]
    )
    clustering = clustering_of(SHOP, kernel=KERNEL)
    assert find_violations(graph, clustering, ()) == ()
    assert composition_roots(graph, clustering) == {"shop", "shop.app"}


@pytest.mark.parametrize("kind", ["annotation", "type_import"])
def test_type_only_dependencies_are_not_checked(kind: EdgeKind) -> None:
    graph = graph_of([("shop.orders", "shop.payments", kind)])
    assert find_violations(graph, clustering_of(SHOP, kernel=KERNEL), ()) == ()


def test_one_violation_per_location_sorted() -> None:
    graph = graph_of(
        [("shop.payments", "shop.orders", "import"), ("shop.orders", "shop.payments", "call")],
        lines=2,
    )
    violations = find_violations(graph, clustering_of(SHOP, kernel=KERNEL), ())
    assert [(v.path, v.line) for v in violations] == [
        ("shop/orders.py", 1),
        ("shop/orders.py", 2),
        ("shop/payments.py", 1),
        ("shop/payments.py", 2),
    ]


def test_symbols_of_a_split_module_belong_to_their_own_contexts() -> None:
    clustering = clustering_of(
        {
            "orders": "shop.orders shop.models:Order",
            "payments": "shop.payments shop.models:Payment",
        },
        kernel="shop.models",
        split=("shop.models",),
    )
    graph = graph_of(
        [
            ("shop.models:Order", "shop.models:Payment", "orm_relation"),
            ("shop.orders", "shop.models:Order", "call"),
        ]
    )
    (violation,) = find_violations(graph, clustering, ())
    assert (violation.source_context, violation.target_context) == ("orders", "payments")


def test_units_in_no_context_are_not_checked() -> None:
    graph = graph_of([("reviews", "shop.payments", "import")])
    assert find_violations(graph, clustering_of(SHOP, kernel=KERNEL), ()) == ()


# --------------------------------------------------------------------------- place_units


def test_new_module_joins_the_context_of_its_package() -> None:
    graph = graph_of([], nodes=("shop.orders", "shop.orders.views", "shop.orders.refunds"))
    clustering, unplaced = place_units(plan_of(SHOP, kernel=KERNEL), graph, kernel_name="shared")
    orders = next(g for g in clustering.contexts if g.name == "orders")
    assert orders.units == ("shop.orders", "shop.orders.refunds", "shop.orders.views")
    assert unplaced == ()


def test_new_module_in_a_package_of_many_contexts_is_unplaced() -> None:
    graph = graph_of([], nodes=("shop", "shop.orders", "shop.payments", "shop.reviews", "blog"))
    _, unplaced = place_units(plan_of(SHOP, kernel=KERNEL), graph, kernel_name="shared")
    assert unplaced == ("blog", "shop.reviews")


def test_units_that_no_longer_exist_are_dropped() -> None:
    graph = graph_of([], nodes=("shop.orders", "shop.payments"))
    clustering, _ = place_units(plan_of(SHOP, kernel=KERNEL), graph, kernel_name="shared")
    assert [g.units for g in clustering.contexts] == [("shop.orders",), ("shop.payments",)]
    assert clustering.shared_kernel.units == ()


def test_new_symbol_of_a_split_module_is_unplaced() -> None:
    plan = plan_of(
        {"orders": "shop.orders shop.models:Order"}, kernel="shop.models", split=("shop.models",)
    )
    graph = graph_of([], nodes=("shop.orders", "shop.models:Order", "shop.models:Coupon"))
    _, unplaced = place_units(plan, graph, kernel_name="shared")
    assert unplaced == ("shop.models:Coupon",)


def test_plan_of_another_repository_is_a_plan_error() -> None:
    with pytest.raises(PlanError, match="none of the plan's modules is in repo"):
        place_units(plan_of(SHOP), graph_of([], nodes=("blog",)), kernel_name="shared")


# --------------------------------------------------------------------------- exports


def test_tach_export_allows_own_context_baseline_and_kernel() -> None:
    plan = plan_of(
        SHOP,
        kernel=KERNEL,
        baseline=baseline_of(("shop.orders:place", "shop.payments:charge", "call")),
    )
    text = export_tach(plan, roots=frozenset({"shop.app"}))
    assert "# Symbols (module:QualName) cannot be expressed here" in text
    modules = {m["path"]: m for m in tomllib.loads(text)["modules"]}
    assert modules["shop.orders"]["depends_on"] == ["shop.orders.views", "shop.payments"]
    assert modules["shop.payments"]["depends_on"] == []
    assert modules["shop.utils"] == {"path": "shop.utils", "depends_on": [], "utility": True}
    assert modules["shop.app"] == {"path": "shop.app", "utility": True}


def test_importlinter_export_forbids_other_contexts_but_the_baseline() -> None:
    plan = plan_of(
        SHOP, kernel=KERNEL, baseline=baseline_of(("shop.orders", "shop.payments", "import"))
    )
    config = tomllib.loads(export_importlinter(plan, roots=frozenset({"shop.app"})))
    options = config["tool"]["importlinter"]
    assert options["root_packages"] == ["shop"]
    contracts = {c["name"]: c for c in options["contracts"]}
    orders = contracts["context orders depends on no other context beyond the plan's baseline"]
    assert orders["source_modules"] == ["shop.orders", "shop.orders.views"]
    assert orders["forbidden_modules"] == ["shop.payments"]
    assert orders["ignore_imports"] == ["shop.orders -> shop.payments"]
    assert (orders["as_packages"], orders["allow_indirect_imports"]) == (False, True)
    kernel = contracts["the shared kernel depends on no service context"]
    assert kernel["source_modules"] == ["shop", "shop.utils"]
    assert kernel["forbidden_modules"] == ["shop.orders", "shop.orders.views", "shop.payments"]


# --------------------------------------------------------------------------- reports


def test_text_report_ends_with_a_counting_summary() -> None:
    graph = graph_of([("shop.orders", "shop.payments", "import")])
    violations = find_violations(graph, clustering_of(SHOP, kernel=KERNEL), ())
    report = render_report(violations, report_format="text", baseline=1)
    assert report.splitlines()[-1] == "1 violation in 1 file (baseline: 1 dependency)"


def test_sarif_report_has_the_required_structure() -> None:
    graph = graph_of(
        [("shop.utils", "shop.payments", "call"), ("shop.orders", "shop.utils", "call")]
    )
    violations = find_violations(graph, clustering_of(SHOP, kernel=KERNEL), ())
    sarif = json.loads(render_report(violations, report_format="sarif", baseline=0))
    assert (sarif["version"], sarif["$schema"]) == (
        "2.1.0",
        "https://json.schemastore.org/sarif-2.1.0.json",
    )
    (result,) = sarif["runs"][0]["results"]
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert result["ruleId"] == rules[result["ruleIndex"]]["id"] == "DEC002"
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "shop/utils.py"},
        "region": {"startLine": 1, "startColumn": 1},
    }
