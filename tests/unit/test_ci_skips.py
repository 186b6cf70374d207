"""tests/conftest.py: under CI=true an integration test that skips fails, saying why."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"
TESTS = """
import pytest

@pytest.mark.integration
@pytest.mark.skipif(True, reason="no frobnicator on this machine")
def test_needs_a_tool():
    pass

@pytest.mark.integration
def test_skips_itself():
    pytest.skip("frobnicator install failed")

def test_unit_skip():
    pytest.skip("not integration")
"""


def run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str) -> pytest.RunResult:
    monkeypatch.setenv("CI", ci)
    pytester.makeconftest(CONFTEST.read_text())
    pytester.makeini("[pytest]\nmarkers =\n    integration: slow\n")
    pytester.makepyfile(test_tools=TESTS)
    return pytester.runpytest_subprocess("-rA")


def test_skipped_integration_test_fails_under_ci(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(pytester, monkeypatch, "true")
    outcomes = result.parseoutcomes()
    assert (outcomes.get("errors", 0) + outcomes.get("failed", 0), outcomes["skipped"]) == (2, 1)
    result.stdout.fnmatch_lines(
        [
            "*integration test skipped under CI=true: no frobnicator on this machine*",
            "*integration test skipped under CI=true: frobnicator install failed*",
        ]
    )


def test_skipped_integration_test_only_skips_outside_ci(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(pytester, monkeypatch, "").parseoutcomes() == {"skipped": 3}
