"""The report and the exports as users meet them: written by analyze, re-rendered from an
edited plan, exported on demand; the data the example's report embeds is pinned."""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

import networkx as nx
import pydot
import pytest
from click.testing import CliRunner

from decomposer import files
from decomposer.cli import main
from decomposer.report import report_view

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "shop"
GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "report" / "example-data.json"
EXPORTS = ("context-map.dot", "context-map.mmd", "graph.graphml", "workspace.dsl")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pydot on pyparsing 3.2


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def example_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    code, _, err = run("analyze", str(EXAMPLE), "--out", str(out), "--no-cache")
    assert code == 0, err
    return out


def embedded(html: str) -> dict[str, object]:
    match = re.search(r'id="report-data">(.*?)</script>', html, re.S)
    assert match
    return dict(json.loads(match.group(1)))


def test_analyze_writes_the_report_and_the_exports_beside_the_plan(example_out: Path) -> None:
    for name in ("report.html", *EXPORTS):
        assert (example_out / name).is_file(), name
    html = (example_out / "report.html").read_text()
    plan = files.read_plan(example_out / "plan.json")
    assert len(embedded(html)["contexts"]) == len(plan.contexts)  # type: ignore[arg-type]


def test_every_export_parses_with_a_tool_that_reads_it(example_out: Path) -> None:
    (dot,) = pydot.graph_from_dot_data((example_out / "context-map.dot").read_text())
    plan = files.read_plan(example_out / "plan.json")
    assert {n.get_name().strip('"') for n in dot.get_nodes()} >= {c.name for c in plan.contexts}
    graph = nx.read_graphml(example_out / "graph.graphml")
    assert graph.number_of_nodes() == plan.summary.modules + plan.summary.symbols


def test_report_rerenders_an_edited_plan_without_analyzing(
    example_out: Path, tmp_path: Path
) -> None:
    document = json.loads((example_out / "plan.json").read_text())
    document["contexts"][0]["name"] = "storefront"
    edited = tmp_path / "plan.json"
    edited.write_text(json.dumps(document))
    code, out, err = run("report", str(edited), "--graph", str(example_out / "graph.json"))
    assert code == 0, err
    assert f"written: {tmp_path / 'report.html'}" in out
    html = (tmp_path / "report.html").read_text()
    assert 'id="context-storefront"' in html
    assert "extraction_order" in err  # the order still names the old context: said, not fatal


def test_report_without_a_graph_warns_and_still_renders(example_out: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_bytes((example_out / "plan.json").read_bytes())
    code, _, err = run("report", str(plan))
    assert code == 0
    assert "no graph.json beside the plan" in err
    assert "no graph.json beside the plan" in (tmp_path / "report.html").read_text()


def test_export_writes_only_the_formats_asked_for(example_out: Path, tmp_path: Path) -> None:
    plan = str(example_out / "plan.json")
    code, _, err = run("export", plan, "--format", "graphml", "--out", str(tmp_path))
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.graphml"]
    assert nx.read_graphml(tmp_path / "graph.graphml").number_of_nodes() > 0


def test_report_of_a_broken_plan_is_a_user_error(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text("{not json")
    code, _, err = run("report", str(plan))
    assert code == 1
    assert "not JSON" in err


def test_export_of_an_unknown_format_is_a_usage_error(example_out: Path) -> None:
    code, _, _ = run("export", str(example_out / "plan.json"), "--format", "png")
    assert code == 2


def test_embedded_data_of_the_example_matches_the_golden_file(
    example_out: Path, request: pytest.FixtureRequest
) -> None:
    plan = files.read_plan(example_out / "plan.json")
    graph = files.read_graph(example_out / "graph.json")
    actual = (
        json.dumps(report_view(plan, graph), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )
    if request.config.getoption("--update-golden"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(actual, encoding="utf-8")
        return
    assert GOLDEN.is_file(), (
        "no golden file: run `pytest tests/functional/test_report.py --update-golden`"
    )
    expected = GOLDEN.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                str(GOLDEN),
                "report data now",
                n=2,
            )
        )
        pytest.fail(
            f"the report's data changed:\n{diff[:20000]}\nreview the diff; if it is intended:"
            " pytest tests/functional/test_report.py --update-golden"
        )
