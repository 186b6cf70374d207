"""Work split across forked processes gives what the same work gives in one process: the
sweep of Leiden resolutions on --jobs 2 finds the clustering --jobs 1 finds, and a child that
fails hands its task back to the parent, whose own failure is what the caller sees."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from decomposer import forks, pipeline
from decomposer.cluster import find_contexts
from decomposer.config import ClusterSettings, Settings

SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"


def square_and_pid(number: int) -> tuple[int, int]:
    return number * number, os.getpid()


@pytest.mark.parametrize("count", [0, 1, 2, 5, 9])
@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_map_forked_keeps_the_order_of_the_items(count: int, jobs: int) -> None:
    results = forks.map_forked(square_and_pid, list(range(count)), jobs)
    assert [value for value, _ in results] == [n * n for n in range(count)]
    # this process takes items 0, n, 2n...: the first answer is always its own
    assert all(pid == os.getpid() for _, pid in results[:: min(jobs, count) or 1])


@pytest.mark.skipif(not hasattr(os, "fork") or os.uname().sysname != "Linux", reason="fork")
def test_map_forked_uses_other_processes_for_the_other_items() -> None:
    results = forks.map_forked(square_and_pid, [1, 2, 3, 4], 2)
    assert results[0][1] == os.getpid() == results[2][1]
    assert results[1][1] != os.getpid() and results[1][1] == results[3][1]


def test_forked_on_one_core_runs_the_task_here() -> None:
    assert forks.forked(lambda: os.getpid(), 1)() == os.getpid()


def test_forked_returns_any_picklable_value() -> None:
    assert forks.forked(lambda: {"a": (1, 2.5, None)}, 2)() == {"a": (1, 2.5, None)}


def test_a_failing_child_hands_its_task_back_and_the_parent_raises_its_error() -> None:
    parent = os.getpid()

    def fails_in_the_child() -> str:
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return "answered here"

    assert forks.forked(fails_in_the_child, 2)() == "answered here"

    def always_fails() -> str:
        raise ValueError("broken task")

    with pytest.raises(ValueError, match="broken task"):
        forks.forked(always_fails, 2)()


@pytest.mark.parametrize("settings", [ClusterSettings(), ClusterSettings(services=3)])
def test_the_sweep_on_two_processes_finds_the_clustering_of_one(
    tmp_path: Path, settings: ClusterSettings
) -> None:
    graph = pipeline.build_graph(SHOP, Settings(cache=False), out=tmp_path).graph
    assert graph is not None
    alone = find_contexts(graph, settings, jobs=1)
    assert len(alone.contexts) > 1
    assert alone.selection.alternatives  # the sweep ran
    assert find_contexts(graph, settings, jobs=2).model_dump_json() == alone.model_dump_json()
