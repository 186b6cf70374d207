"""How fast the report of a real monolith becomes interactive in headless Chromium.

    python benchmarks/report_speed.py [PLAN_DIR] [--runs N]

PLAN_DIR holds the plan.json and graph.json of `decompose analyze` (default: analyzes
/work/real/saleor/saleor into a temporary folder if it exists, else Django 5.2's sdist from
PyPI). The script renders report.html (timed), opens it N times in a fresh headless Chromium
and prints the median time until interactive: `window.reportReady`, which the page sets to
`performance.now()` once the context map is laid out and its handlers are bound. It also times
opening the largest context (a click, until its members are listed).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.speed import django_source  # noqa: E402
from decomposer import files  # noqa: E402
from decomposer.report import render_report  # noqa: E402
from tests.integration.chromium import Chromium  # noqa: E402

SALEOR = Path("/work/real/saleor/saleor")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plan_dir", nargs="?", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    plan_dir = args.plan_dir or _analyzed(Path(tempfile.mkdtemp(prefix="report-speed-")))
    plan = files.read_plan(plan_dir / "plan.json")
    graph = files.read_graph(plan_dir / "graph.json")
    started = time.perf_counter()
    rendered = render_report(plan, graph)
    render_s = time.perf_counter() - started
    report = plan_dir / "report.html"
    report.write_text(rendered.content, encoding="utf-8")
    largest = max(plan.contexts, key=lambda c: len(c.modules) + len(c.symbols))
    ready, opened = [], []
    for _ in range(args.runs):
        with Chromium() as browser:
            page = browser.open(report.resolve().as_uri())
            ready.append(page.wait_for("window.reportReady", timeout_s=120))
            opened.append(_open_context(page, largest.name))
            if page.errors():
                print(f"errors: {page.errors()}")
    print(
        f"{plan.repo}: {plan.summary.modules:,} modules, {plan.summary.symbols:,} symbols,"
        f" {len(plan.contexts)} contexts; report {len(rendered.content) / 1e6:.1f} MB,"
        f" rendered in {render_s:.2f} s"
    )
    print(
        f"interactive after (ms, {args.runs} runs): median {statistics.median(ready):.0f},"
        f" min {min(ready):.0f}, max {max(ready):.0f}"
    )
    members = len(largest.modules) + len(largest.symbols)
    print(f"opening {largest.name} ({members} members): median {statistics.median(opened):.0f} ms")


def _open_context(page: object, name: str) -> float:
    script = f"""(() => {{
        const t = performance.now();
        reportMap.getElementById('ctx/{name}').emit('tap');
        return performance.now() - t;
    }})()"""
    return float(page.evaluate(script))  # type: ignore[attr-defined]


def _analyzed(out: Path) -> Path:
    source = SALEOR if SALEOR.is_dir() else django_source() / "django"
    decompose = Path(sys.executable).parent / "decompose"
    subprocess.run([str(decompose), "analyze", str(source), "--out", str(out), "-q"], check=True)
    return out


if __name__ == "__main__":
    main()
