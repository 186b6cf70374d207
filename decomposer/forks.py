"""Work on a second core by fork: a child process sees this process's memory without copying
it, so it needs nothing pickled but its answer. Where fork is not safe (Windows, macOS), the
work runs here, in order; the answers are the same either way."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def cores(jobs: int) -> int:
    """The processes `--jobs` asks for: 0 is one per core."""
    return jobs or os.cpu_count() or 1


def forked(task: Callable[[], T], jobs: int) -> Callable[[], T]:
    """Start `task` in a forked child process, and return what waits for its result. With
    one core for `jobs`, where fork is not safe, or if the child fails, the task runs here when
    its result is asked for: a failure is raised with its own traceback."""
    if cores(jobs) <= 1 or sys.platform != "linux":
        return task
    import multiprocessing

    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)

    def child() -> None:
        try:
            writer.send((True, task()))
        except BaseException:  # the parent runs the task again and raises what it raises
            writer.send((False, None))
        finally:
            writer.close()

    process = context.Process(target=child, daemon=True)
    process.start()
    writer.close()

    def result() -> T:
        try:
            done, value = reader.recv()
        except EOFError:  # the child died
            done, value = False, None
        process.join()
        return value if done else task()

    return result


def map_forked(function: Callable[[T], R], items: Sequence[T], jobs: int) -> list[R]:
    """`function` of each item, in order, on `cores(jobs)` processes: this one takes
    `items[0::n]`, forked children the others (`items[k::n]`)."""
    n = min(cores(jobs), len(items))
    if n <= 1 or sys.platform != "linux":
        return [function(item) for item in items]

    def share(k: int) -> Callable[[], list[R]]:
        return lambda: [function(item) for item in items[k::n]]

    waiting = [forked(share(k), jobs) for k in range(1, n)]
    shares = [share(0)(), *(wait() for wait in waiting)]
    results: list[R] = [None] * len(items)  # type: ignore[list-item]
    for k, answers in enumerate(shares):
        results[k::n] = answers
    return results
