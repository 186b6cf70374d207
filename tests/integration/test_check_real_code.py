"""`decompose check` on real code: the plan `analyze` has just written is a contract the code
keeps as it is (Django: the shared kernel's dependencies on contexts were not in the baseline,
and a fresh plan failed with 260 DEC002 violations)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        "DECOMPOSER_ORACLE_DJANGO" not in os.environ,
        reason="set DECOMPOSER_ORACLE_DJANGO to a folder holding Django's source (.ci/run does)",
    ),
]


def decompose(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "decomposer", *args], capture_output=True, text=True, check=False
    )


def test_the_plan_analyze_wrote_passes_check_on_the_same_code(tmp_path: Path) -> None:
    repo = os.environ["DECOMPOSER_ORACLE_DJANGO"]
    cache = ("--cache-dir", str(tmp_path / "cache"))
    analyzed = decompose("analyze", repo, "--out", str(tmp_path / "out"), "-q", *cache)
    assert analyzed.returncode == 0, analyzed.stderr
    plan = tmp_path / "out" / "plan.json"
    checked = decompose("check", repo, "--plan", str(plan), "--out", str(tmp_path / "c"), *cache)
    assert checked.returncode == 0, checked.stdout[-2000:]
    assert checked.stdout.startswith("0 violations in 0 files (baseline: ")
