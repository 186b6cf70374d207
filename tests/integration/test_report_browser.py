"""The example's report in a real headless Chromium, as a person would see it: no errors, no
request to any host, a map node per context, a click that opens a context, a DSM row per
context. A screenshot is kept for review (and copied to /tmp/report-screenshot.png)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from decomposer import files
from decomposer.cli import main
from tests.integration.chromium import Chromium, find_browser

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
