"""Fuzz `decompose analyze` and `check` with mutated real files, seeded (issue 13).

Real files, the example monolith's and (when DECOMPOSER_ORACLE_DJANGO names a folder holding
Django's source, as .ci/run sets it) a fixed sample of Django's, mutated by every family of
benchmarks/probe.py with fixed seeds: flipped bytes, truncation, lines deleted or duplicated,
deep nesting, NUL bytes, coding cookies (forbidden and unknown codecs too), a BOM with another
cookie, links to themselves or out of the tree, named pipes, huge lines. Each run must exit 0
without a traceback, keep every good file, account for every mutated one and write nothing
outside --out. `python benchmarks/probe.py SOURCE` runs the same at scale.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import pytest

from benchmarks.probe import FAMILIES, Run, decompose, graph_files, listing, problems

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "examples" / "shop"
DJANGO_SAMPLE = ("__init__.py", "dispatch", "http", "urls", "middleware")
TIMEOUT = 90.0  # seconds for one run: a hang, far above the 2-5 s a run takes
NAMES = list(FAMILIES)


def shop(target: Path) -> Path:
    shutil.copytree(SHOP, target, symlinks=True)
    return target


def django_sample(target: Path) -> Path:
    if "DECOMPOSER_ORACLE_DJANGO" not in os.environ:
        pytest.skip("set DECOMPOSER_ORACLE_DJANGO to a folder holding Django's source")
    source = Path(os.environ["DECOMPOSER_ORACLE_DJANGO"]) / "django"
    for name in DJANGO_SAMPLE:
        if (source / name).is_dir():
            shutil.copytree(source / name, target / "django" / name)
        else:
            (target / "django").mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / name, target / "django" / name)
    return target


class Tree:
    """A copy of real files under tmp_path, run through `decompose` with a private cache."""

    def __init__(self, tmp_path: Path, repo: Path) -> None:
        self.tmp, self.repo = tmp_path, repo
        self.cache, self.outside = tmp_path / "cache", tmp_path / "outside"
        self.outside.mkdir()

    def run(self, command: str, out: Path, *args: str) -> Run:
        """Run `decompose COMMAND REPO --out OUT ARGS`, asserting it neither hangs nor crashes
        and writes nothing outside OUT (and the cache)."""
        before = listing(self.tmp, [out, self.cache])
        run = decompose(
            command, str(self.repo), "--out", str(out), *args,
            cache=self.cache, timeout=TIMEOUT, cwd=self.tmp, root=ROOT,
        )  # fmt: skip
        assert run.code is not None, f"{command} hung: killed after {run.seconds:.0f} s"
        assert "Traceback" not in run.output and "internal error" not in run.output, run.output
        after = listing(self.tmp, [out, self.cache])
        assert sorted(set(before.items()) ^ set(after.items())) == [], "written outside --out"
        return run

    def analyzed(self, out: Path) -> list[str]:
        """The files a run on the unmutated tree analyzes, writing into `out`."""
        run = self.run("analyze", out, "--jobs", "1")
        assert run.code == 0, run.output
        return sorted(graph_files(out)[0])

    def mutate(self, seed: int, count: int, analyzed: list[str]) -> dict[str, str]:
        """Mutate `count` of the analyzed files, the families taking turns from `seed`:
        {path: family}."""
        rng = random.Random(seed)
        chosen = rng.sample(analyzed, count)
        families = {path: NAMES[(seed * count + i) % len(NAMES)] for i, path in enumerate(chosen)}
        for path, family in families.items():
            FAMILIES[family](rng, self.repo / path, self.outside)
        return families


def assert_accounted_for(run: Run, out: Path, analyzed: list[str], mutated: dict[str, str]) -> None:
    """Exit 0, every good file a node, every mutated one a node or a failure (reported as
    path:line:col) or skipped (with a message)."""
    assert run.code == 0, run.output
    found = problems(run, out, set(analyzed) - set(mutated), set(mutated))
    assert found == {"crash": [], "hang": [], "data lost": []}, mutated
    graph = json.loads((out / "graph.json").read_text())
    for failure in graph["failures"]:
        position = f"{failure['path']}:{failure['line']}:{failure['col']}: "
        assert position in run.output, (mutated[failure["path"]], run.output)


@pytest.fixture(scope="module")
def clean_shop(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], Path]:
    """The files the unmutated shop analyzes, and its plan.json."""
    tmp = tmp_path_factory.mktemp("clean")
    out = tmp / "out"
    return Tree(tmp, shop(tmp / "shop")).analyzed(out), out / "plan.json"


# (seed, files mutated, options): 3 x 4 files run each of the 12 families once on the shop
SHOP_ROUNDS = [
    (0, 4, ("--jobs", "1", "--graph-only")),
    (1, 4, ("--jobs", "2", "--graph-only")),
    (2, 4, ("--jobs", "1")),  # the whole analysis: contexts, plan, report
]


@pytest.mark.parametrize(("seed", "count", "options"), SHOP_ROUNDS)
def test_analyze_survives_mutated_shop_files(
    tmp_path: Path, clean_shop: tuple[list[str], Path], seed: int, count: int, options: tuple[str]
) -> None:
    analyzed = clean_shop[0]
    tree = Tree(tmp_path, shop(tmp_path / "shop"))
    mutated = tree.mutate(seed, count, analyzed)
    run = tree.run("analyze", tmp_path / "out", *options)
    assert_accounted_for(run, tmp_path / "out", analyzed, mutated)


def test_analyze_survives_mutated_django_files(tmp_path: Path) -> None:
    tree = Tree(tmp_path, django_sample(tmp_path / "repo"))
    analyzed = tree.analyzed(tmp_path / "clean")
    mutated = tree.mutate(4, len(NAMES), analyzed)  # every family once
    run = tree.run("analyze", tmp_path / "out", "--jobs", "2", "--graph-only")
    assert_accounted_for(run, tmp_path / "out", analyzed, mutated)


def test_check_reports_each_mutated_file_it_cannot_parse(
    tmp_path: Path, clean_shop: tuple[list[str], Path]
) -> None:
    analyzed, plan = clean_shop
    tree = Tree(tmp_path, shop(tmp_path / "shop"))
    mutated = tree.mutate(6, 6, analyzed)  # the first 6 families: bytes, lines, nesting, NUL
    run = tree.run("analyze", tmp_path / "graph", "--graph-only")  # which files fail to parse
    assert_accounted_for(run, tmp_path / "graph", analyzed, mutated)
    failures = json.loads((tmp_path / "graph" / "graph.json").read_text())["failures"]
    assert failures, mutated  # these seeds break at least one file

    run = tree.run("check", tmp_path / "out", "--plan", str(plan))
    assert run.code == 4, run.output  # never 3, and a file it cannot parse fails the check
    for failure in failures:
        assert f"{failure['path']}:{failure['line']}:{failure['col']}: DEC003 " in run.output
