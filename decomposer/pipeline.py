"""The only orchestrator: composes the stages for each command."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from decomposer import discover, extract, files, graph
from decomposer.config import Settings
from decomposer.models import DependencyGraph, ModuleFacts, ParseFailure, SourceFile

StageCallback = Callable[[str, int, int], None]
# Below this many files to parse, starting worker processes costs more than it saves.
_POOL_THRESHOLD = 64


class AnalysisResult(BaseModel):
    """What `analyze` produced, for the CLI to report."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    graph: DependencyGraph
    outputs: tuple[str, ...]
    cache_hits: int
    parsed_files: int


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


# Public functions


def analyze(
    repo: Path, settings: Settings, *, out: Path, on_stage: StageCallback = _no_progress
) -> AnalysisResult:
    """discover -> extract (cached, in parallel) -> graph; writes graph.json under `out`."""
    tree = discover.find_sources(repo, settings)
    out = files.prepare_out_dir(out)
    cache_path = out / ".cache" / f"facts-{extract.EXTRACTOR_VERSION}.pickle"
    cache = files.load_cache(cache_path) if settings.cache else {}
    results, fresh, hits = _extract_all(repo.resolve(), tree.files, cache, settings, on_stage)
    if settings.cache and fresh != cache:
        files.save_cache(cache_path, fresh)
    facts = [r for r in results if isinstance(r, ModuleFacts)]
    failures = [r for r in results if isinstance(r, ParseFailure)]
    on_stage("graph", 0, 1)
    document = graph.build_graph(tree, facts, failures)
    on_stage("graph", 1, 1)
    graph_path = files.write_json(document, out / "graph.json")
    return AnalysisResult(
        graph=document,
        outputs=(str(graph_path),),
        cache_hits=hits,
        parsed_files=len(results) - hits,
    )


# Private functions


def _extract_all(
    repo: Path,
    sources: Sequence[SourceFile],
    cache: dict[str, files.CacheEntry],
    settings: Settings,
    on_stage: StageCallback,
) -> tuple[list[ModuleFacts | ParseFailure], dict[str, files.CacheEntry], int]:
    """Facts for every file: from the cache where path and content digest match, else parsed."""
    results: list[ModuleFacts | ParseFailure] = []
    fresh: dict[str, files.CacheEntry] = {}
    todo: list[tuple[SourceFile, bytes, str]] = []
    total = len(sources)
    for source in sources:
        try:
            content = discover.read_source(repo, source)
        except OSError as exc:
            results.append(
                ParseFailure(
                    path=source.path,
                    line=1,
                    col=1,
                    reason="encoding",
                    message=f"cannot read: {exc.strerror}",
                )
            )
            continue
        digest = hashlib.sha256(content).hexdigest()
        entry = cache.get(source.path)
        if entry is not None and entry[:3] == (digest, source.module, source.is_package):
            results.append(entry[3])
            fresh[source.path] = entry
        else:
            todo.append((source, content, digest))
    hits = len(results)
    on_stage("extract", hits, total)
    parsed = _parse(todo, settings, hits, total, on_stage)
    for (source, _, digest), result in zip(todo, parsed, strict=True):
        results.append(result)
        fresh[source.path] = (digest, source.module, source.is_package, result)
    return results, fresh, hits


def _parse(
    todo: list[tuple[SourceFile, bytes, str]],
    settings: Settings,
    done: int,
    total: int,
    on_stage: StageCallback,
) -> list[ModuleFacts | ParseFailure]:
    jobs = settings.jobs or os.cpu_count() or 1
    work = [(source, content) for source, content, _ in todo]
    if jobs == 1 or len(work) < _POOL_THRESHOLD:
        results = []
        for source, content in work:
            results.append(extract.extract_facts(source, content))
            done += 1
            on_stage("extract", done, total)
        return results
    # Largest files first, in small batches, so both workers finish together.
    order = sorted(range(len(work)), key=lambda i: -len(work[i][1]))
    batches = [order[i :: jobs * 8] for i in range(jobs * 8)]
    results_by_index: dict[int, ModuleFacts | ParseFailure] = {}
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = [pool.submit(_extract_batch, [work[i] for i in batch]) for batch in batches]
        for batch, future in zip(batches, futures, strict=True):
            for index, result in zip(batch, future.result(), strict=True):
                results_by_index[index] = result
            done += len(batch)
            on_stage("extract", done, total)
    return [results_by_index[i] for i in range(len(work))]


def _extract_batch(batch: list[tuple[SourceFile, bytes]]) -> list[ModuleFacts | ParseFailure]:
    return [extract.extract_facts(source, content) for source, content in batch]
