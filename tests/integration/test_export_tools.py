"""The exports read by their own tools: the example's context-map.mmd must parse with the real
Mermaid (the npm package, run in headless Chromium, as a Markdown viewer would run it), and a
deliberately broken diagram must not, so the check is known to bite.

The npm package is installed once into a cache folder, $DECOMPOSER_NPM or
${TMPDIR:-/tmp}/decomposer-npm (.ci/run installs it there too); the test skips, saying why, when
npm or Chromium is missing or the install fails (offline).

workspace.dsl (Structurizr DSL) has no such test: the only reference parser is Structurizr's Java
library and CLI, published on Maven Central and GitHub releases, neither reachable here. PyPI,
npm and Debian hold no package that ships it; the npm `structurizr-parser` (a beta chevrotain
re-implementation) lacks the documented `tags` statement and so rejects valid DSL, and the PyPI
re-implementations (`pystructurizr-studio`) need Python 3.13.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from decomposer.cli import main
from tests.integration.chromium import Chromium, Page, find_browser

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "shop"
NPM_DIR = Path(
    os.environ.get("DECOMPOSER_NPM")
    or Path(os.environ.get("TMPDIR") or tempfile.gettempdir()) / "decomposer-npm"
)
MERMAID = "mermaid@11"
MERMAID_JS = NPM_DIR / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        find_browser() is None,
        reason="no Chromium on this machine: apt-get install chromium (.ci/run does)",
    ),
]


def mermaid_js() -> Path:
    """mermaid.min.js from the npm cache folder, installed there on first use."""
    if MERMAID_JS.is_file():
        return MERMAID_JS
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("no npm on this machine: apt-get install npm, to install mermaid from npm")
    try:
        done = subprocess.run(
            [npm, "install", "-q", "--prefix", str(NPM_DIR), "--no-audit", "--no-fund", MERMAID],
            capture_output=True,
            text=True,
            timeout=300,
        )
    except subprocess.TimeoutExpired:
        pytest.skip(f"npm install {MERMAID} into {NPM_DIR} timed out (offline?)")
    if done.returncode != 0 or not MERMAID_JS.is_file():
        pytest.skip(f"npm install {MERMAID} into {NPM_DIR} failed: {done.stderr.strip()[-500:]}")
    return MERMAID_JS


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("exports")
    result = CliRunner().invoke(main, ["analyze", str(EXAMPLE), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def mermaid_page():  # type: ignore[no-untyped-def]
    script = mermaid_js().read_text(encoding="utf-8")
    with Chromium(width=800, height=600) as browser:
        page = browser.open("about:blank")
        page.wait_for("document.readyState === 'complete'")
        page.evaluate(script + "\n;void 0")
        version = page.evaluate("typeof mermaid === 'object' && mermaid.parse ? 'ok' : ''")
        assert version == "ok", "mermaid.min.js did not define the mermaid global"
        page.evaluate("mermaid.initialize({startOnLoad: false})")
        yield page


def mermaid_parse(page: Page, text: str) -> dict[str, Any]:
    """{"ok": true, "type": ...} or {"ok": false, "error": ...} from `await mermaid.parse(text)`."""
    expression = f"""(async () => {{
        try {{
            const parsed = await mermaid.parse({json.dumps(text)});
            return {{ok: true, type: parsed.diagramType}};
        }} catch (error) {{
            return {{ok: false, error: String(error && error.message || error)}};
        }}
    }})()"""
    reply = page.call(
        "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
    )
    assert "exceptionDetails" not in reply, reply["exceptionDetails"]
    return dict(reply["result"]["value"])


def test_context_map_parses_with_mermaid(exports: Path, mermaid_page: Page) -> None:
    text = (exports / "context-map.mmd").read_text(encoding="utf-8")
    parsed = mermaid_parse(mermaid_page, text)
    numbered = "\n".join(f"{n:4} {line}" for n, line in enumerate(text.splitlines(), 1))
    assert parsed["ok"], f"mermaid rejects context-map.mmd: {parsed['error']}\n{numbered}"
    assert parsed["type"].startswith("flowchart")
    assert mermaid_page.errors() == []


def test_mermaid_rejects_a_broken_context_map(exports: Path, mermaid_page: Page) -> None:
    text = (exports / "context-map.mmd").read_text(encoding="utf-8")
    assert '"]' in text
    broken = text.replace('"]', '"', 1)  # the first node's label box is never closed
    parsed = mermaid_parse(mermaid_page, broken)
    assert not parsed["ok"]
    assert "Parse error" in parsed["error"] or "Expecting" in parsed["error"], parsed["error"]
