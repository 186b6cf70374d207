"""The example's report in a real headless Chromium, as a person would see it: no errors, no
request to any host, a map node per context, a click that opens a context, a DSM row per
context. A screenshot is kept for review (and copied to /tmp/report-screenshot.png)."""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from decomposer import files
from decomposer.cli import main
from decomposer.models import DecompositionPlan
from decomposer.report import render_report
from tests.integration.chromium import Chromium, find_browser
from tests.unit.test_report import context, dependency, make_plan

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "shop"
SCREENSHOT_COPY = Path("/tmp/report-screenshot.png")
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        find_browser() is None,
        reason="no Chromium on this machine: apt-get install chromium (.ci/run does)",
    ),
]


@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("browser")
    result = CliRunner().invoke(main, ["analyze", str(EXAMPLE), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.stderr
    with Chromium(width=1440, height=1000) as browser:
        page = browser.open((out / "report.html").resolve().as_uri())
        page.wait_for("window.reportReady !== undefined")
        yield page, files.read_plan(out / "plan.json"), out


def test_report_loads_without_errors_or_requests_to_any_host(opened) -> None:  # type: ignore[no-untyped-def]
    page, _, _ = opened
    assert page.errors() == []
    remote = [url for url in page.requests() if not url.startswith(LOCAL_SCHEMES)]
    assert remote == []


def test_context_map_has_one_node_per_context(opened) -> None:  # type: ignore[no-untyped-def]
    page, plan, _ = opened
    count = page.evaluate("reportMap.nodes('[type=\"context\"]').length")
    assert count == len(plan.contexts)
    assert page.evaluate("document.getElementById('cy').dataset.contexts") == str(count)


def test_dsm_has_one_row_per_context(opened) -> None:  # type: ignore[no-untyped-def]
    page, plan, _ = opened
    rows = page.evaluate(
        "Array.from(document.querySelectorAll('table.dsm tbody tr')).map(r => r.dataset.context)"
    )
    assert rows == [c.name for c in plan.contexts]


def test_clicking_a_context_shows_its_members(opened, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page, plan, _ = opened
    context = max(plan.contexts, key=lambda c: len(c.modules))
    x, y = page.evaluate(
        f"""(() => {{
        const node = reportMap.getElementById('ctx/{context.name}');
        const box = document.getElementById('cy').getBoundingClientRect();
        const at = node.renderedPosition();
        return [box.left + at.x, box.top + at.y];
    }})()"""
    )
    page.click(x, y)
    page.wait_for("!!document.querySelector('#map-detail li[data-unit]')", timeout_s=10)
    time.sleep(0.3)  # let the canvas repaint before the screenshot
    listed = page.evaluate(
        "Array.from(document.querySelectorAll('#map-detail li[data-unit]')).map(li => li.dataset.unit)"
    )
    assert listed == [*context.modules, *context.symbols]
    shown = page.evaluate(f"reportMap.getElementById('ctx/{context.name}').children().length")
    assert shown == len(context.modules) + len(context.symbols)
    screenshot = page.screenshot(tmp_path / "report.png")
    shutil.copyfile(screenshot, SCREENSHOT_COPY)
    assert screenshot.stat().st_size > 10_000
    assert page.errors() == []


# A plan of 30 contexts, as a big monolith gives: names of every length, 3 to 24 members each,
# a dense web of dependencies with weights from 1 to 60 (issue 12.4: the map of 19 contexts
# was a hairball with overlapping labels, "notificationsrs").
WORDS = [
    "orders",
    "catalog",
    "payments",
    "notifications",
    "shipping",
    "inventory",
    "customers",
    "loyalty",
    "search",
    "pricing",
    "invoicing",
    "refunds",
    "returns",
    "reviews",
    "recommendations",
    "warehouse",
    "accounts",
    "audit",
    "reporting",
    "subscriptions",
    "promotions",
    "tax",
    "fraud_detection",
    "identity",
    "messaging",
    "media",
    "localisation",
    "gift_cards",
    "marketplace_sellers",
    "customer_support_tickets",
]


def thirty_context_plan() -> DecompositionPlan:
    rng = random.Random(30)
    contexts = [
        context(name, *(f"shop.{name}.module_{j}" for j in range(3 + (7 * i) % 22)))
        for i, name in enumerate(WORDS)
    ]
    dependencies, seen = [], set()
    while len(dependencies) < 170:
        source, target = rng.sample(WORDS, 2)
        if (source, target) in seen:
            continue
        seen.add((source, target))
        style = "sqs" if rng.random() < 0.25 else "rest"
        dependencies.append(dependency(source, target, style, rng.choice((1, 1, 2, 3, 5, 8, 60))))
    return make_plan(contexts, dependencies=dependencies)


OVERLAPS = """(selector => {
    const boxes = reportMap.nodes(selector).filter(n => n.visible()).map(n =>
        [n.id(), n.boundingBox({includeLabels: true, includeOverlays: false})]);
    const hit = [];
    for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
            const [a, p] = boxes[i], [b, q] = boxes[j];
            if (p.x1 < q.x2 && q.x1 < p.x2 && p.y1 < q.y2 && q.y1 < p.y2) { hit.push(a + ' / ' + b); }
        }
    }
    return hit;
})"""


@pytest.fixture(scope="module")
def thirty(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    plan = thirty_context_plan()
    path = tmp_path_factory.mktemp("thirty") / "report.html"
    path.write_text(render_report(plan, None).content)
    with Chromium(width=1440, height=1000) as browser:
        page = browser.open(path.resolve().as_uri())
        page.wait_for("window.reportReady !== undefined")
        yield page, plan


def test_thirty_contexts_are_laid_out_with_no_node_or_label_overlapping_another(thirty) -> None:  # type: ignore[no-untyped-def]
    page, plan = thirty
    assert page.evaluate("reportMap.nodes('[type=\"context\"]').length") == len(plan.contexts)
    assert page.evaluate(OVERLAPS + "('[type=\"context\"]')") == []
    assert page.errors() == []


def test_thirty_contexts_show_the_heaviest_links_by_default_and_all_on_demand(thirty) -> None:  # type: ignore[no-untyped-def]
    page, plan = thirty
    total = len(plan.dependencies)
    shown = page.evaluate("reportMap.edges(':visible').length")
    assert 0 < shown <= 2 * len(plan.contexts) < total
    assert str(total) in page.evaluate("document.getElementById('map-edges').textContent")
    page.evaluate("document.getElementById('map-all').click()")
    assert page.evaluate("reportMap.edges(':visible').length") == total
    page.evaluate("document.getElementById('map-all').click()")  # and back to the default
    assert page.evaluate("reportMap.edges(':visible').length") == shown


def test_an_opened_context_shows_readable_member_labels_that_do_not_overlap(thirty) -> None:  # type: ignore[no-untyped-def]
    page, plan = thirty
    name = max(plan.contexts, key=lambda c: len(c.modules)).name
    page.evaluate(f"void reportMap.getElementById('ctx/{name}').emit('tap')")
    page.wait_for(f"reportMap.getElementById('ctx/{name}').children().length > 0")
    units = f'[parent = "ctx/{name}"]'
    assert page.evaluate(OVERLAPS + f"('{units}')") == []
    assert page.evaluate(OVERLAPS + "('[type=\"context\"]')") == []  # the others made room
    # on zoom: the opened context fills the view, so its members' labels are drawn legibly
    size = page.evaluate(
        f"reportMap.zoom() * parseFloat(reportMap.nodes('{units}')[0].style('font-size'))"
    )
    assert size >= 9, f"member labels drawn at {size:.1f} px"
    # on hover: the whole name of a member, however long, in a tooltip
    unit = plan.contexts[[c.name for c in plan.contexts].index(name)].modules[-1]
    page.evaluate(f"void reportMap.getElementById('unit/{unit}').emit('mouseover')")
    assert page.evaluate("document.getElementById('map-tip').textContent") == unit
    assert page.evaluate("getComputedStyle(document.getElementById('map-tip')).display") != "none"
    page.evaluate("document.getElementById('map-collapse').click()")


BROKEN_WORDS = """(() => {
    const broken = [];
    for (const el of document.querySelectorAll('th, .tag, td.num, td.verdict')) {
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (const m of node.data.matchAll(/[^\\s(),]+/g)) {
                const range = document.createRange();
                range.setStart(node, m.index);
                range.setEnd(node, m.index + m[0].length);
                const lines = new Set(Array.from(range.getClientRects())
                    .filter(b => b.width > 0).map(b => Math.round(b.top)));
                if (lines.size > 1) { broken.push(m[0]); }
            }
        }
    }
    return broken;
})()"""


@pytest.mark.parametrize("width", [900, 1200, 1440])
def test_no_table_header_or_tag_breaks_in_the_middle_of_a_word(opened, width: int) -> None:  # type: ignore[no-untyped-def]
    """Issue 12.8: headers broke mid-word ("propo sal", "re st")."""
    page, _, _ = opened
    metrics = {"width": width, "height": 1000, "deviceScaleFactor": 1, "mobile": False}
    page.call("Emulation.setDeviceMetricsOverride", **metrics)
    try:
        time.sleep(0.2)
        assert page.evaluate(BROKEN_WORDS) == []
    finally:
        page.call("Emulation.setDeviceMetricsOverride", **(metrics | {"width": 1440}))
