"""Stage 7a: the report and the exports, from hand-built plans (no disk)."""

from __future__ import annotations

import io
import itertools
import json
import re
from pathlib import Path
from typing import Any

import networkx as nx
import pydot
import pytest
from rich.console import Console

from decomposer import pipeline
from decomposer.cluster import find_contexts
from decomposer.config import Settings
from decomposer.console import Reporter
from decomposer.export import render_exports
from decomposer.models import DecompositionPlan
from decomposer.models.infra import ScaffoldOptions
from decomposer.report import (
    edges_between,
    embeddable_json,
    inconsistencies,
    render_report,
    report_view,
)
from decomposer.scaffold.infra import build_spec
from tests.conftest import graph_of

METRICS = {
    "contexts": 2,
    "modularity": 0.5,
    "structural_modularity": 0.1,
    "icp": 0.1,
    "ifn": 1.0,
    "ned": 0.0,
    "bcp": 0.5,
    "cross_context_edges": 1,
    "cyclic_context_pairs": 0,
}
# pydot 4 calls pyparsing APIs that pyparsing 3.2 deprecates.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CONTEXT_METRICS = {"units": 1, "lines": 10, "cohesion": 0.5, "efferent": 0, "afferent": 0}


def context(name: str, *modules: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "modules": list(modules),
        "datastore": {"kind": "none", "evidence": []},
        "metrics": CONTEXT_METRICS,
    } | extra


def make_plan(contexts: list[dict[str, Any]], **extra: Any) -> DecompositionPlan:
    document: dict[str, Any] = {
        "tool_version": "0",
        "repo": "repo",
        "settings": {},
        "summary": {
            "files": 3,
            "lines": 30,
            "modules": 3,
            "symbols": 2,
            "failed_files": 0,
            "skipped_files": 0,
            "empty_files": 0,
            "edges_by_kind": {},
            "entry_points_by_kind": {},
            "orm_models": 0,
        },
        "granularity": "module",
        "selection": {"criterion": "test", "alternatives": []},
        "contexts": contexts,
        "shared_kernel": {},
        "dependencies": [],
        "metrics": METRICS,
        "as_is": {"description": "packages", "contexts": [], "metrics": METRICS},
        "risks": {
            "cycles": [],
            "broken_relations": [],
            "distributed_transactions": [],
            "shared_tables": [],
            "parse_failures": 0,
            "unresolved": 0,
        },
        "extraction_order": [
            {"order": i + 1, "context": c["name"], "entanglement": 0, "reasons": []}
            for i, c in enumerate(contexts)
        ],
        "baseline": [],
    }
    return DecompositionPlan.model_validate(document | extra)


def dependency(source: str, target: str, style: str = "rest", weight: int = 2) -> dict[str, Any]:
    return {
        "source": source,
        "target": target,
        "style": style,
        "reason": "test",
        "weight": weight,
        "evidence": [],
    }


def embedded(html: str) -> dict[str, Any]:
    match = re.search(
        r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S
    )
    assert match, "no embedded data"
    return dict(json.loads(match.group(1)))


SHOP = {
    "shop/": "",
    "shop.orders": "from shop import payments\ndef place():\n    payments.charge()\n    payments.charge()\n",
    "shop.payments": "def charge(): ...\n",
}


def test_a_name_with_script_end_tag_stays_inside_the_embedded_json() -> None:
    evil = "shop.</script><!--<script>alert(1)</script>"
    html = render_report(make_plan([context("orders", evil)]), None).content
    assert evil not in html
    assert embedded(html)["contexts"][0]["modules"] == [evil]


def test_names_with_markup_ampersands_and_quotes_are_escaped_in_the_html() -> None:
    name = "shop.<b>x</b>&\"q'"
    html = render_report(make_plan([context("orders", name)]), None).content
    assert "<b>x</b>" not in html
    assert "shop.&lt;b&gt;x&lt;/b&gt;&amp;&#34;q&#39;" in html


def test_embeddable_json_has_no_angle_brackets_or_ampersands() -> None:
    text = embeddable_json({"a": "</script><!-- & >"})
    assert not set("<>&") & set(text)
    assert json.loads(text) == {"a": "</script><!-- & >"}


def test_content_security_policy_allows_no_host_and_nothing_loads_from_elsewhere() -> None:
    html = render_report(make_plan([context("orders", "shop.orders")]), None).content
    assert "default-src &#39;none&#39;" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html and "@import" not in html


def test_a_context_with_no_members_renders_and_is_reported() -> None:
    plan = make_plan([context("orders", "shop.orders"), context("empty")])
    html = render_report(plan, None).content
    assert "contexts.empty: has no members" in html
    assert "This context has no members." in html


def test_a_plan_that_does_not_match_the_graph_says_what_differs() -> None:
    graph = graph_of(SHOP)
    plan = make_plan(
        [context("orders", "shop.orders", "shop.gone")],
        dependencies=[dependency("orders", "billing")],
    )
    problems = inconsistencies(plan, graph)
    assert "1 unit(s) of the plan not in the graph: shop.gone" in problems
    assert "2 module(s) of the graph in no context: shop, shop.payments" in problems
    assert any("names 'billing', which is no context of the plan" in p for p in problems)
    assert "the plan is of 'repo'" not in " ".join(problems)
    assert "shop.gone" in render_report(plan, graph).content


def test_without_a_graph_the_report_says_what_is_missing() -> None:
    html = render_report(make_plan([context("orders", "shop.orders")]), None).content
    assert "no graph.json beside the plan" in html
    assert embedded(html)["dsm"]["source"] == "plan"


def test_dsm_counts_runtime_dependency_locations_between_contexts() -> None:
    plan = make_plan(
        [context("orders", "shop.orders"), context("payments", "shop.payments")],
        shared_kernel={"modules": ["shop"]},
    )
    dsm = report_view(plan, graph_of(SHOP))["dsm"]
    assert dsm["names"] == ["orders", "payments"]
    counts = [[cell["count"] for cell in row["cells"]] for row in dsm["rows"]]
    assert counts == [[0, 3], [0, 0]]  # one import and one call edge seen at two places


def test_map_has_one_node_per_context_and_edges_coloured_by_kind() -> None:
    plan = make_plan(
        [context("orders", "shop.orders"), context("payments", "shop.payments")],
        dependencies=[dependency("orders", "payments", "sqs", 3)],
    )
    view = report_view(plan, None)["map"]
    assert [n["id"] for n in view["nodes"]] == ["orders", "payments"]
    assert [(e["kind"], e["weight"]) for e in view["edges"]] == [("sqs", 3)]


def test_two_thousand_modules_render_with_one_map_node_per_context() -> None:
    contexts = [
        context(f"c{i}", *(f"pkg{i}.m{j}" for j in range(100)), metrics=CONTEXT_METRICS)
        for i in range(21)
    ]
    html = render_report(make_plan(contexts), None).content
    data = embedded(html)
    assert len(data["map"]["nodes"]) == 21
    assert sum(len(m) for m in data["map"]["members"].values()) == 2100


def test_very_long_names_are_shortened_on_the_map_but_whole_on_the_page() -> None:
    long = "shop." + "x" * 300
    view = report_view(make_plan([context("orders", long)]), None)
    assert len(view["map"]["members"]["orders"][0]["label"]) == 40
    assert view["contexts"][0]["modules"] == [long]


def test_the_view_is_deterministic() -> None:
    plan = make_plan([context("orders", "shop.orders"), context("payments", "shop.payments")])
    first = render_report(plan, graph_of(SHOP)).content
    assert render_report(plan, graph_of(SHOP)).content == first


# -- exports ---------------------------------------------------------------------------------


def exports(plan: DecompositionPlan, graph: Any = None) -> dict[str, str]:
    return {file.path: file.content for file in render_exports(plan, graph)}


TWO = [context("orders", "shop.orders"), context("payments", "shop.payments")]


def test_dot_export_parses_with_pydot_and_escapes_quotes() -> None:
    plan = make_plan(TWO, repo='my "shop"\\', dependencies=[dependency("orders", "payments")])
    (graph,) = pydot.graph_from_dot_data(exports(plan)["context-map.dot"])
    assert sorted(
        n.get_name().strip('"') for n in graph.get_nodes() if "label" in n.get_attributes()
    ) == ["orders", "payments"]
    assert len(graph.get_edges()) == 1


def test_graphml_export_reads_back_with_networkx_with_each_node_context() -> None:
    plan = make_plan(TWO, shared_kernel={"modules": ["shop"]})
    document = nx.parse_graphml(exports(plan, graph_of(SHOP))["graph.graphml"])
    assert document.nodes["shop.payments:charge"]["context"] == "payments"
    assert document.nodes["shop"]["context"] == "shared_kernel"


def test_graphml_export_streams_what_networkx_reads_back_to_the_same_graph() -> None:
    plan = make_plan(TWO, shared_kernel={"modules": ["shop"]})
    graph = graph_of(SHOP)
    node = graph.nodes[0]
    odd = node.model_copy(update={"path": 'a&b <"c">\td\n.py'})
    graph = graph.model_copy(update={"nodes": (odd, *graph.nodes[1:])})
    document = nx.parse_graphml(exports(plan, graph)["graph.graphml"], force_multigraph=True)
    assert document.nodes[node.id]["path"] == 'a&b <"c">\td\n.py'
    assert list(document.nodes) == [n.id for n in graph.nodes]
    assert {n: d["lines"] for n, d in document.nodes(data=True)} == {
        n.id: n.lines for n in graph.nodes
    }
    assert sorted(document.edges(keys=True, data=True)) == sorted(
        (
            e.source,
            e.target,
            e.kind,
            {"kind": e.kind, "weight": e.weight, "certainty": e.certainty},
        )
        for e in graph.edges
    )


def test_graphml_export_without_a_graph_is_the_context_map() -> None:
    plan = make_plan(TWO, dependencies=[dependency("orders", "payments")])
    document = nx.parse_graphml(exports(plan)["graph.graphml"])
    assert sorted(document.nodes) == ["orders", "payments"]
    assert document.number_of_edges() == 1


def test_mermaid_export_is_a_flowchart_with_one_node_per_context() -> None:
    plan = make_plan(TWO, dependencies=[dependency("orders", "payments", "sqs")])
    text = exports(plan)["context-map.mmd"]
    assert text.startswith("flowchart LR\n")
    assert re.findall(r'^  (c\d+)\["', text, re.M) == ["c0", "c1"]
    assert '  c0 -.->|"sqs 2"| c1' in text


def test_structurizr_export_has_a_container_per_context_and_balanced_braces() -> None:
    plan = make_plan(TWO, dependencies=[dependency("orders", "payments")])
    text = exports(plan)["workspace.dsl"]
    assert text.count("{") == text.count("}")
    assert 'ctx_orders = container "orders"' in text
    assert 'ctx_orders -> ctx_payments "2 dependencies" "REST/HTTPS"' in text


def test_the_report_and_exports_describe_the_ec2_target_the_terraform_builds() -> None:
    """Issue 12.4: the diagram, its caption and workspace.dsl said ECS Fargate while infra/
    builds EC2 Auto Scaling groups behind an internal ALB reached through a VPC link."""
    plan = make_plan([context("orders", "shop.orders"), context("payments", "shop.payments")])
    html = render_report(plan, None).content
    boxes = {box["id"]: box for box in embedded(html)["aws"]["boxes"]}
    assert "ECS" not in html and "Fargate" not in html
    assert boxes["svc:orders"]["sub"] == "EC2 Auto Scaling"
    assert "VPC link" in boxes["apigw"]["sub"] and "CloudTrail" in boxes["ops"]["title"]
    dsl = next(f.content for f in render_exports(plan, None) if f.path.endswith(".dsl"))
    assert "ECS" not in dsl and "EC2 Auto Scaling group" in dsl


def test_a_crowded_map_opens_on_its_heaviest_links_and_a_sparse_one_on_all() -> None:
    """Issue 12.4: 19 contexts drew every link at once, a hairball."""
    names = [f"c{i}" for i in range(4)]
    pairs = [(a, b) for a in names for b in names if a != b]  # 12 links, 4 contexts
    links = [dependency(a, b, weight=w) for (a, b), w in zip(pairs, range(1, 13), strict=True)]
    crowded = report_view(
        make_plan([context(n, f"p.{n}") for n in names], dependencies=links), None
    )
    assert crowded["map"]["min_weight"] == 5  # the 8 heaviest: 2 a context
    sparse = make_plan([context(n, f"p.{n}") for n in names], dependencies=links[:8])
    assert report_view(sparse, None)["map"]["min_weight"] == 1


def test_members_are_labelled_inside_their_context_and_named_whole_elsewhere() -> None:
    plan = make_plan([context("orders", "shop.orders", "shop.orders.cart", "shop.orders.api.v1")])
    members = report_view(plan, None)["map"]["members"]["orders"]
    assert [(m["id"], m["label"]) for m in members] == [
        ("shop.orders", "orders"),
        ("shop.orders.cart", "cart"),
        ("shop.orders.api.v1", "api.v1"),
    ]


def target_plan() -> DecompositionPlan:
    """Five contexts, every datastore, events sent both ways and along a REST dependency."""
    stores = ["aurora-postgresql", "dynamodb", "none", "aurora-mysql", "aurora-postgresql"]
    names = ["orders", "payments", "notifications", "shipping", "catalog"]
    contexts = [
        context(n, f"shop.{n}", datastore={"kind": kind, "evidence": []})
        for n, kind in zip(names, stores, strict=True)
    ]
    sends = [("orders", "notifications"), ("payments", "notifications"), ("shipping", "orders")]
    links = [
        dependency(a, b, "sqs") | {"events": [f"{a}_changed"], "operations": [f"{a}_changed"]}
        for a, b in sends
    ]
    links.append(
        dependency("catalog", "shipping")
        | {"operations": ["quote", "catalog_changed"], "events": ["catalog_changed"]}
    )
    links.append(dependency("orders", "payments") | {"operations": ["charge"]})
    return make_plan(contexts, dependencies=links)


def test_no_line_of_the_aws_diagram_crosses_a_box_it_does_not_join() -> None:
    """Issue 12.4: SQS lines ran through the database boxes (and the ALB's through services)."""
    aws = report_view(target_plan(), None)["aws"]
    boxes = {box["id"]: box for box in aws["boxes"]}
    crossed = []
    for line in aws["lines"]:
        points = [tuple(map(float, p.split(","))) for p in line["points"].split()]
        for (x1, y1), (x2, y2) in itertools.pairwise(points):
            steps = int(max(abs(x2 - x1), abs(y2 - y1))) + 1
            for step in range(steps + 1):
                x, y = x1 + (x2 - x1) * step / steps, y1 + (y2 - y1) * step / steps
                crossed += [
                    f"{line['from']} -> {line['to']} crosses {key}"
                    for key, b in boxes.items()
                    if key not in (line["from"], line["to"])
                    and b["x"] + 1 < x < b["x"] + b["w"] - 1
                    and b["y"] + 1 < y < b["y"] + 47
                ]
    assert sorted(set(crossed)) == []
    overlapping = [
        f"{a['id']} / {b['id']}"
        for a, b in itertools.combinations(aws["boxes"], 2)
        if a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and abs(a["y"] - b["y"]) < 48
    ]
    assert overlapping == []


def test_the_diagram_and_workspace_dsl_show_the_queues_and_datastores_infra_builds() -> None:
    """One source for all three: a REST dependency that carries an event gets an inbox in
    infra/, so the diagram and workspace.dsl draw it too."""
    plan = target_plan()
    spec = build_spec(plan, ScaffoldOptions())
    queues = {q.consumer: q.producers for q in spec.queues}
    stores = {s.name: s.datastore for s in spec.services if s.datastore != "none"}
    assert set(queues) == {"notifications", "orders", "shipping"}
    aws = report_view(plan, None)["aws"]
    assert {b["id"].removeprefix("q:") for b in aws["boxes"] if b["kind"] == "queue"} == set(queues)
    drawn = {(line["from"], line["to"]) for line in aws["lines"] if line["kind"] == "sqs"}
    assert drawn >= {(f"svc:{p}", f"q:{c}") for c, ps in queues.items() for p in ps}
    assert {
        b["id"].removeprefix("db:"): b["label"] for b in aws["boxes"] if b["kind"] == "store"
    } == stores
    dsl = exports(plan)["workspace.dsl"]
    assert {name for name in queues if f"q_{name} = container" in dsl} == set(queues)
    assert 'ctx_catalog -> q_shipping "Sends events" "Amazon SQS"' in dsl
    assert {c.name for c in plan.contexts if f"db_{c.name} = container" in dsl} == set(stores)
    for name, kind in stores.items():
        assert f'db_{name} = container "{name} data" "Owned data" "{kind}"' in dsl
    assert "Network Load Balancer" in dsl


def test_a_risk_with_nothing_found_is_not_listed_and_cycles_are_counted_one_way() -> None:
    """Issue 12.8: "0 tables used across contexts" was listed as a risk, and "17 cycles
    between contexts" stood beside "6 context pairs in a cycle"."""
    risks = {
        "cycles": [["orders", "payments"]],
        "broken_relations": [],
        "distributed_transactions": [],
        "shared_tables": [],
        "parse_failures": 0,
        "unresolved": 0,
    }
    plan = make_plan(TWO, risks=risks)
    html = render_report(plan, None).content
    listed = re.findall(r"<li><b>([\d,]+)</b> ([^:<]+)", html)
    assert listed == [("1", "dependency cycle of 2 to 4 contexts")]
    assert "context pairs depending on each other" in html
    assert "pairs in a cycle" not in html
    reporter = Reporter()
    reporter.out = Console(file=io.StringIO(), width=200)
    reporter.plan_summary(plan)
    printed = reporter.out.file.getvalue()  # type: ignore[attr-defined]
    assert "risks: 1 dependency cycle of 2 to 4 contexts; 0 dependencies" in printed
    quiet = make_plan(TWO, risks=risks | {"cycles": []})
    assert "none found" in render_report(quiet, None).content


def test_fewer_contexts_than_services_asked_for_is_said_in_the_report_and_console() -> None:
    """Issue 12.8: `--services 30` silently gave 17 contexts."""
    selection = {"criterion": "--services 30", "requested": 30, "alternatives": []}
    plan = make_plan(TWO, selection=selection)
    assert "--services 30 gave 2 contexts, not 30" in render_report(plan, None).content
    reporter = Reporter()
    reporter.out = Console(file=io.StringIO(), width=200)
    reporter.err = Console(file=io.StringIO(), width=200)
    reporter.plan_summary(plan)
    assert "warning: --services 30 gave 2 contexts, not 30" in reporter.err.file.getvalue()  # type: ignore[attr-defined]
    enough = make_plan(TWO, selection=selection | {"requested": 2})
    assert "gave" not in render_report(enough, None).content


def test_the_edges_between_units_found_beside_the_plan_are_the_reports_own(
    example_repo: Path, tmp_path: Path
) -> None:
    # The pipeline finds them from the clustering's units while the cut is measured on a
    # second core, before the plan exists: the report must be the one it draws from the plan.
    settings = Settings(cache=False)
    graph = pipeline.build_graph(example_repo, settings, out=tmp_path).graph
    assert graph is not None
    clustering = find_contexts(graph, settings.cluster)
    assert clustering.split_modules and clustering.shared_kernel.units  # symbols and a kernel
    plan, between = pipeline._plan_of(graph, clustering, settings)
    assert between  # the example's contexts depend on each other
    assert report_view(plan, graph, unit_edges=between) == report_view(plan, graph)
    assert edges_between(graph, set(between_units(plan))) == between


def between_units(plan: DecompositionPlan) -> list[str]:
    groups = [*plan.contexts, plan.shared_kernel]
    return [unit for group in groups for unit in (*group.modules, *group.symbols)]
