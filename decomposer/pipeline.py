"""The only orchestrator: composes the stages for each command."""

from __future__ import annotations

import functools
import gc
import hashlib
import io
import os
import signal
import sys
import time
import tokenize
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from decomposer import __version__, discover, extract, files, forks
from decomposer.config import Settings, load_settings
from decomposer.errors import PlanError, UserError
from decomposer.keys import key_of
from decomposer.models import (
    KERNEL_NAME,
    AsIsSplit,
    Clustering,
    ContextGroup,
    ContextMetrics,
    CutMetrics,
    DecompositionPlan,
    DependencyGraph,
    FactsDigests,
    FailureReason,
    FileChange,
    GraphSummary,
    ModuleFacts,
    ModuleSource,
    ParseFailure,
    RenderedFile,
    ServiceMigration,
    SourceFile,
    SourceTree,
    StageTiming,
)
from decomposer.models.check import CheckResult

if sys.platform != "win32":
    import resource

if TYPE_CHECKING:
    from decomposer.check import ReportFormat
    from decomposer.export import ExportFormat
    from decomposer.models import ScaffoldOptions
    from decomposer.report import UnitEdges

StageCallback = Callable[[str, int, int], None]
T = TypeVar("T")
# What a run found unchanged since the last run into its `out`, and so kept: the stat of its
# inputs (nothing read), the content of its files, or the facts extracted from them.
Reuse = Literal["inputs", "contents", "facts"]
# Below this many files to parse, starting worker processes costs more than it saves.
_POOL_THRESHOLD = 64


class AnalysisResult(BaseModel):
    """What `analyze` produced, for the CLI to report."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    graph: DependencyGraph | None = Field(
        description="None when the outputs of the last run were reused without building it"
        " (`files.read_graph` loads the graph.json among `outputs`)"
    )
    summary: GraphSummary
    plan: DecompositionPlan | None = None
    outputs: tuple[str, ...]
    cache_hits: int
    parsed_files: int
    previous: CutMetrics | None = Field(
        default=None, description="`score`: the metrics the edited plan carried, for before/after"
    )
    reused: bool = Field(
        default=False,
        description="nothing changed since the last run into `out`: its outputs were kept",
    )
    reuse: Reuse | None = Field(
        default=None,
        description="what was found unchanged where `reused`: the stat of the inputs, the"
        " files' contents, or their facts (an edit no fact shows)",
    )
    reused_partition: bool = Field(
        default=False,
        description="the clustering found the partition of an earlier run on the same weighted"
        " unit graph (an edit that moved lines, not dependencies) and did not run Leiden again",
    )
    stages: tuple[StageTiming, ...] = Field(
        default=(), description="the wall time and peak memory of each stage, in order"
    )


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


def _no_wait() -> None:
    return None


def _import_later_stages() -> None:
    """Import what the stages after the graph use (networkx, igraph: a quarter of a second),
    for a cold run to do while discovery runs in a child process."""
    import decomposer.cluster  # noqa: F401


def preload() -> None:
    """Import every stage the commands import when they first need it, and compile the
    report's template: what `decompose server` does once, before it forks a process for each
    command."""
    from decomposer import (
        check,
        cluster,
        export,
        graph,
        metrics,
        plan,
        report,
        scaffold,
        templating,
    )

    del check, cluster, export, graph, metrics, plan, scaffold  # imported: all that was wanted
    templating.warm(report.TEMPLATE)


class _Stopwatch:
    """The wall time and the peak memory of each stage of one run (the clock is I/O: it is
    read here, at the pipeline's edge, and handed out as StageTiming models)."""

    def __init__(self) -> None:
        self.timings: list[StageTiming] = []

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings.append(
                StageTiming(
                    name=name, seconds=time.perf_counter() - start, peak_rss_kib=_peak_rss_kib()
                )
            )


def _peak_rss_kib() -> int | None:
    """The process's peak resident memory in KiB (ru_maxrss: KiB on Linux, bytes on macOS)."""
    if sys.platform == "win32":
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """The pipeline allocates millions of objects that reference counting frees (syntax trees,
    facts, the graph, the plan's models); the cyclic collector's passes over them free nothing
    and cost about 15% of a run (Django's source; saleor with one file changed, 7.9 s of
    stages against 6.7 s), so it is paused for a command's run. Also a decorator."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# Public functions


@_without_cyclic_gc()
def analyze(
    repo: Path,
    settings: Settings,
    *,
    out: Path,
    on_stage: StageCallback = _no_progress,
    cache_dir: Path | None = None,
) -> AnalysisResult:
    """discover -> extract -> graph -> cluster -> metrics -> plan; writes graph.json and
    plan.json under `out`."""
    clock = _Stopwatch()
    # --no-cache means "compute everything again"; git history is not part of the key
    reusable = settings.cache and not settings.cluster.git
    inputs = None
    if reusable and repo.is_dir():
        with clock.stage("fingerprint"):
            inputs = _fingerprint(repo, settings, out)
            kept = files.unchanged_outputs(out, inputs) if inputs is not None else None
        if kept:
            with clock.stage("reuse"):
                kept_plan = files.read_plan(out / "plan.json")
            hits = kept[1].stats.files
            return _kept_result(kept, kept_plan, "inputs", clock, hits=hits, parsed=0)
    extracted = _extracted(
        repo,
        settings,
        out=out,
        on_stage=on_stage,
        cache_dir=cache_dir,
        clock=clock,
        # a run with the cache may yet reuse the last outputs and need none of the later
        # stages; a run without it will run them all
        meanwhile=_no_wait if settings.cache else _import_later_stages,
    )
    key = _analysis_key(repo, extracted.tree, extracted.fresh, settings)
    facts: tuple[str, FactsDigests] | None = None
    if reusable:
        # the files' contents as before (`key`), or else their facts as before (the facts key:
        # an edit of a comment or a literal): the graph would be the same, and so every output
        with clock.stage("reuse"):
            kept = files.reusable_outputs(out, key)
            level: Reuse = "contents"
            if kept is None:
                facts = _facts_key(repo, extracted, settings, files.recorded_facts(out))
                kept, level = files.reusable_outputs(out, facts[0], facts=True), "facts"
            if kept is not None:
                previous = files.read_plan(out / "plan.json")
                files.record_reuse(
                    out, key=key, inputs=inputs, facts=facts[1] if facts is not None else None
                )
        if kept is not None:
            # The facts cache is saved only where most of it was missing: writing it costs
            # more than this run (saleor, 10 MB), and a few files missing there are parsed
            # again when their facts are needed.
            if extracted.save is not None and extracted.parsed * 20 > len(extracted.results):
                extracted.save()
            return _kept_result(
                kept, previous, level, clock, hits=extracted.hits, parsed=extracted.parsed
            )
    # The later stages are imported where they are used: `analyze --graph-only`, a run that
    # reuses the last one's outputs and the other commands do not pay for networkx, the
    # templates or libcst they do not need.
    from decomposer import cluster

    document = _graph_of(extracted, on_stage=on_stage, clock=clock)
    with clock.stage("cluster"):
        on_stage("cluster", 0, 1)
        # graph.json and the as-is split do not depend on the clustering: written and measured
        # meanwhile, on a second core
        graph_json = out / "graph.json"

        def beside_clustering() -> str:
            files.write_json(document, graph_json)
            return _as_is_split(document, settings).model_dump_json()

        as_is = (
            forks.forked(beside_clustering, settings.jobs)
            if forks.cores(settings.jobs) > 1
            else None
        )
        cochanges = discover.read_cochanges(repo) if settings.cluster.git else ()
        # the partitions of earlier runs, by the weighted unit graph they were found on: an
        # edit that moves lines but no dependency finds its partition there
        partitions_path = files.partitions_file(cache_dir, repo=repo)
        partitions = (
            cluster.Partitions(
                salt=key_of((__version__, _tool_stamp())),
                entries=files.load_partitions(partitions_path),
            )
            if settings.cache
            else None
        )
        clustering = cluster.find_contexts(
            document,
            settings.cluster,
            cochanges=cochanges,
            partitions=partitions,
            jobs=settings.jobs,
        )
        if partitions is not None and not partitions.reused:
            files.save_partitions(partitions_path, partitions.entries)
        on_stage("cluster", 1, 1)
    with clock.stage("plan"):
        decomposition, between = _plan_of(
            document,
            clustering,
            settings,
            as_is=(lambda: AsIsSplit.model_validate_json(as_is())) if as_is is not None else None,
        )
    outputs = _write_analysis(
        document,
        decomposition,
        out,
        clock,
        jobs=settings.jobs,
        unit_edges=between,
        keys=(key, *(facts or _facts_key(repo, extracted, settings, None))),
        inputs=inputs,
        graph_written=as_is is not None,
    )
    return AnalysisResult(
        graph=document,
        summary=document.summary(),
        plan=decomposition,
        outputs=outputs,
        cache_hits=extracted.hits,
        parsed_files=extracted.parsed,
        reused_partition=partitions is not None and partitions.reused,
        stages=tuple(clock.timings),
    )


def _kept_result(
    kept: tuple[tuple[Path, ...], GraphSummary],
    plan: DecompositionPlan,
    reuse: Reuse,
    clock: _Stopwatch,
    *,
    hits: int,
    parsed: int,
) -> AnalysisResult:
    """The result of a run that kept the last run's outputs (`kept`: their paths and the
    summary of their graph), found unchanged by `reuse`."""
    paths, summary = kept
    return AnalysisResult(
        graph=None,
        summary=summary,
        plan=plan,
        outputs=tuple(str(p) for p in paths),
        cache_hits=hits,
        parsed_files=parsed,
        reused=True,
        reuse=reuse,
        stages=tuple(clock.timings),
    )


@_without_cyclic_gc()
def build_graph(
    repo: Path,
    settings: Settings,
    *,
    out: Path,
    on_stage: StageCallback = _no_progress,
    cache_dir: Path | None = None,
) -> AnalysisResult:
    """discover -> extract -> graph only; writes graph.json under `out` (--graph-only)."""
    clock = _Stopwatch()
    document, hits, parsed = _dependency_graph(
        repo, settings, out=out, on_stage=on_stage, cache_dir=cache_dir, clock=clock
    )
    with clock.stage("writes"):
        path = files.write_json(document, out / "graph.json")
    return AnalysisResult(
        graph=document,
        summary=document.summary(),
        outputs=(str(path),),
        cache_hits=hits,
        parsed_files=parsed,
        stages=tuple(clock.timings),
    )


@_without_cyclic_gc()
def score(
    plan_path: Path,
    repo: Path,
    settings: Settings,
    *,
    out: Path,
    accept_baseline: bool = False,
    on_stage: StageCallback = _no_progress,
    cache_dir: Path | None = None,
) -> AnalysisResult:
    """Re-score a (hand-edited) plan against the repository as it is now: its cut with fresh
    evidence, metrics, dependencies, risks and order, written with graph.json and the report
    under `out`. The plan's baseline (what `check` tolerates) is kept unless
    `accept_baseline`."""
    from decomposer import cluster

    edited, raw, schema = files.read_plan_document(plan_path)
    clock = _Stopwatch()
    document, hits, parsed = _dependency_graph(
        repo, settings, out=out, on_stage=on_stage, cache_dir=cache_dir, clock=clock
    )
    if edited is None:
        # the fields are wrong; the cut is checked all the same, so one run shows every problem
        groups = _raw_groups(raw)
        made_for = str(raw.get("repo", "?"))
        cut = cut_problems(groups, document, made_for=made_for) if groups else []
        problems = [*schema, *(line for line in cut if not any(line in s for s in schema))]
        raise PlanError(
            f"{plan_path}: {len(problems)} problem(s):\n" + "\n".join(problems),
            hint="fix the fields named above, or rerun `decompose analyze` for a fresh plan",
        )
    with clock.stage("cluster"):
        clustering = cluster.explain(document, clustering_of(edited, document), settings.cluster)
    with clock.stage("plan"):
        decomposition, between = _plan_of(document, clustering, settings)
    if not accept_baseline:
        decomposition = decomposition.model_copy(update={"baseline": edited.baseline})
    outputs = _write_analysis(
        document, decomposition, out, clock, jobs=settings.jobs, unit_edges=between
    )
    return AnalysisResult(
        graph=document,
        summary=document.summary(),
        plan=decomposition,
        outputs=outputs,
        cache_hits=hits,
        parsed_files=parsed,
        previous=edited.metrics,
        stages=tuple(clock.timings),
    )


@_without_cyclic_gc()
def check(
    repo: Path,
    plan_path: Path,
    settings: Settings,
    *,
    out: Path,
    on_stage: StageCallback = _no_progress,
    cache_dir: Path | None = None,
    report_format: ReportFormat = "text",
    report_file: Path | None = None,
    tach_file: Path | None = None,
    importlinter_file: Path | None = None,
    allow_unparsed: bool = False,
) -> CheckResult:
    """The repository as it is now against the plan's boundaries; writes the report and the
    exported tach / import-linter configurations where asked."""
    # Nothing changed since the last check into `out` (by the stat of the inputs, as analyze
    # sees it; the plan and the options by their content): its result is kept. Not with
    # exports, which are written from the graph.
    clock = _Stopwatch()
    key = None
    if settings.cache and not (tach_file or importlinter_file) and repo.is_dir():
        with clock.stage("fingerprint"):
            key = _check_key(
                _fingerprint(repo, settings, out),
                plan_path,
                report_format=report_format,
                allow_unparsed=allow_unparsed,
            )
            kept = files.kept_check(out, key) if key is not None else None
        if kept is not None:
            if report_file:
                files.write_text(kept.report, report_file)
            written = (str(report_file),) if report_file else ()
            return kept.model_copy(
                update={"outputs": written, "reused": True, "stages": tuple(clock.timings)}
            )
    # imported here: only `check` needs it, and every command pays for what the CLI imports
    # (not cluster: networkx and igraph are a quarter of a second, and check places units
    # by the plan alone)
    from decomposer import check as contract_check
    from decomposer import graph

    with clock.stage("read plan"):
        contract = files.read_plan(plan_path)
    extracted = _extracted(
        repo, settings, out=out, on_stage=on_stage, cache_dir=cache_dir, clock=clock
    )
    code = _built(extracted, graph.code_dependencies, on_stage=on_stage, clock=clock)
    with clock.stage("check"):
        on_stage("check", 0, 1)
        clustering, unplaced = contract_check.place_units(contract, code, kernel_name=KERNEL_NAME)
        roots = contract_check.composition_roots(code, clustering)
        violations = contract_check.find_violations(
            code, clustering, contract.baseline, roots=roots
        )
        on_stage("check", 1, 1)
        report = contract_check.render_report(
            violations,
            report_format=report_format,
            baseline=len(contract.baseline),
            unplaced=unplaced,
            unparsed=code.failures,
            allow_unparsed=allow_unparsed,
        )
    with clock.stage("writes"):
        writes = [(report_file, report)]
        if tach_file:
            tach = contract_check.export_tach(contract, source_roots=code.roots, roots=roots)
            writes.append((tach_file, tach))
        if importlinter_file:
            writes.append(
                (importlinter_file, contract_check.export_importlinter(contract, roots=roots))
            )
        outputs = tuple(str(files.write_text(text, path)) for path, text in writes if path)
        result = CheckResult(
            violations=violations,
            unplaced=unplaced,
            unparsed=code.failures,
            baseline=len(contract.baseline),
            summary=contract_check.summary(
                violations, baseline=len(contract.baseline), unparsed=len(code.failures)
            ),
            report=report,
            outputs=outputs,
        )
        if key is not None:  # recorded without this run's outputs and timings
            files.record_check(out, key, result.model_copy(update={"outputs": ()}))
    return result.model_copy(update={"stages": tuple(clock.timings)})


def _check_key(
    inputs: str | None, plan_path: Path, *, report_format: str, allow_unparsed: bool
) -> str | None:
    """sha256 of what a check's result depends on besides the code's stat fingerprint
    `inputs` (which holds the versions and the settings): the plan's bytes and the report's
    options. None when there is no fingerprint, or the plan cannot be read (the run says why)."""
    if inputs is None:
        return None
    try:
        plan = plan_path.read_bytes()
    except OSError:
        return None
    return key_of((inputs, hashlib.sha256(plan).hexdigest(), report_format, str(allow_unparsed)))


class RenderResult(BaseModel):
    """What `report` or `export` wrote, and what in the plan does not add up."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    outputs: tuple[str, ...]
    problems: tuple[str, ...]
    has_graph: bool


def report(
    plan_path: Path, *, out: Path | None = None, graph_path: Path | None = None
) -> RenderResult:
    """Re-render report.html from a (hand-edited) plan, without analyzing again; the graph is
    graph.json beside the plan unless `graph_path` names one."""
    from decomposer import report as html_report

    edited, document = _plan_and_graph(plan_path, graph_path)
    written = files.write_rendered(
        [html_report.render_report(edited, document)],
        files.prepare_out_dir(out or plan_path.parent),
    )
    return RenderResult(
        outputs=tuple(str(p) for p in written),
        problems=html_report.inconsistencies(edited, document),
        has_graph=document is not None,
    )


def export(
    plan_path: Path,
    formats: tuple[ExportFormat, ...],
    *,
    out: Path | None = None,
    graph_path: Path | None = None,
) -> RenderResult:
    """Write the plan's context map (DOT, Mermaid), C4 model (Structurizr) or graph (GraphML)."""
    from decomposer import export as plan_export
    from decomposer import report as html_report

    edited, document = _plan_and_graph(plan_path, graph_path)
    written = files.write_rendered(
        plan_export.render_exports(edited, document, formats),
        files.prepare_out_dir(out or plan_path.parent),
    )
    return RenderResult(
        outputs=tuple(str(p) for p in written),
        problems=html_report.inconsistencies(edited, document),
        has_graph=document is not None,
    )


class ScaffoldResult(BaseModel):
    """What `scaffold` wrote (or would), and what --with-code did to each service's code."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    changes: tuple[FileChange, ...]
    migrations: tuple[ServiceMigration, ...] = ()


def scaffold(
    plan_path: Path,
    *,
    out: Path,
    options: ScaffoldOptions,
    force: bool,
    dry_run: bool,
    repo: Path | None = None,
) -> ScaffoldResult:
    """The plan's infrastructure, pipelines and services, written under `out` (or only
    listed); with `repo` (--with-code), the monolith's code copied into the services."""
    # imported here: the scaffold brings libcst (about 1 s to import) that no other command needs
    from decomposer import scaffold as generated

    decomposition = files.read_plan(plan_path)
    migrations = (
        generated.migrate_code(
            decomposition, options=options, sources=_module_sources(repo, decomposition)
        )
        if repo is not None
        else ()
    )
    rendered = generated.render_scaffold(decomposition, options=options, migrations=migrations)
    if not dry_run:
        files.prepare_out_dir(out)
    changes = files.apply(rendered, out, force=force, dry_run=dry_run)
    return ScaffoldResult(changes=changes, migrations=migrations)


def cut_problems(
    groups: Sequence[tuple[str, str, Sequence[str], Sequence[str]]],
    document: DependencyGraph,
    *,
    made_for: str,
) -> list[str]:
    """What is wrong with a cut against the graph, one line each: units that are no module
    or symbol of the repository, units placed twice, modules placed nowhere. `groups` are
    (field, name, modules, symbols), the shared kernel among them.

    Raises:
        PlanError: most units are unknown: the plan was made for another repository (one
            line, not one per unit).
    """
    modules = {n.id for n in document.nodes if n.kind == "module"}
    symbols = {n.id for n in document.nodes if n.kind != "module"}
    every = [u for _, _, m, s in groups for u in (*m, *s)]
    unknown = [u for u in every if u not in (modules if ":" not in u else symbols)]
    if every and len(unknown) * 2 > len(every):
        raise PlanError(
            f"the plan was made for another repository ({made_for}): {len(unknown)} of its"
            f" {len(every)} units are not in {document.repo} ({', '.join(unknown[:3])}, ...)",
            hint="pass the repository the plan was made from, or run `decompose analyze` on"
            " this one",
        )
    problems = []
    placed: dict[str, str] = {}
    for where, _, unit_modules, unit_symbols in groups:
        for unit in (*unit_modules, *unit_symbols):
            known = modules if ":" not in unit else symbols
            if unit not in known:
                what = "module" if ":" not in unit else "class or function"
                problems.append(f"{where}: {unit} is not a {what} of the repository")
            elif unit in placed:
                problems.append(f"{where}: {unit} is also in {placed[unit]}")
            placed.setdefault(unit, where)
    missing = sorted(modules - set(placed))
    if missing:
        shown = ", ".join(missing[:5]) + (
            f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        )
        problems.append(f"contexts: {shown} in no context; add to a context or shared_kernel")
    return problems


def clustering_of(edited: DecompositionPlan, document: DependencyGraph) -> Clustering:
    """The cut a plan describes, checked against the graph: every unit exists, and every
    module of the repository is placed exactly once.

    Raises:
        PlanError: one line per problem, naming the field.
    """

    kernel = edited.shared_kernel
    groups = [(f"contexts.{c.name}", c.name, c.modules, c.symbols) for c in edited.contexts]
    groups.append(("shared_kernel", KERNEL_NAME, kernel.modules, kernel.symbols))
    problems = cut_problems(groups, document, made_for=edited.repo)
    if problems:
        raise PlanError(
            f"{len(problems)} problem(s) in the plan:\n" + "\n".join(problems),
            hint="fix the plan, or rerun `decompose analyze` for a fresh one",
        )
    modules = {n.id for n in document.nodes if n.kind == "module"}
    placed = {u for _, _, m, s in groups for u in (*m, *s)}
    split = {u.partition(":")[0] for u in placed if ":" in u} | set(edited.split_modules)
    return Clustering(
        granularity=edited.granularity,
        split_modules=tuple(sorted(split & modules)),
        contexts=tuple(
            ContextGroup(
                name=name,
                name_source="named in the edited plan",
                units=tuple(sorted((*m, *s))),
            )
            for _, name, m, s in groups[:-1]
        ),
        shared_kernel=ContextGroup(
            name=KERNEL_NAME, units=tuple(sorted((*kernel.modules, *kernel.symbols)))
        ),
        selection=edited.selection,
    )


# Private functions


def _raw_groups(raw: dict[str, Any]) -> list[tuple[str, str, list[str], list[str]]]:
    """(field, name, modules, symbols) of a plan's JSON that did not validate, read as far as
    it can be: what is not a list of strings counts as empty (the schema problems say why)."""

    def strings(value: object) -> list[str]:
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []

    contexts = raw.get("contexts")
    groups = []
    for index, context in enumerate(contexts if isinstance(contexts, list) else []):
        context = context if isinstance(context, dict) else {}
        name = context.get("name")
        label = name if isinstance(name, str) and name else str(index)
        groups.append(
            (
                f"contexts.{label}",
                label,
                strings(context.get("modules")),
                strings(context.get("symbols")),
            )
        )
    if not groups:
        return []  # no cut to check: the schema problems say the contexts are missing
    kernel = raw.get("shared_kernel")
    kernel = kernel if isinstance(kernel, dict) else {}
    groups.append(
        (
            "shared_kernel",
            "shared_kernel",
            strings(kernel.get("modules")),
            strings(kernel.get("symbols")),
        )
    )
    return groups


def _write_analysis(
    document: DependencyGraph,
    decomposition: DecompositionPlan,
    out: Path,
    clock: _Stopwatch,
    *,
    jobs: int,
    unit_edges: UnitEdges | None = None,
    keys: tuple[str, str, FactsDigests] | None = None,
    inputs: str | None = None,
    graph_written: bool = False,
) -> tuple[str, ...]:
    """graph.json (unless `graph_written` already), plan.json, the report and the exports,
    under `out`; with `keys` (analyze: the keys of the files' contents and of their facts, and
    the facts digests), recorded for the next run to reuse; `unit_edges`: the report's
    dependencies between the plan's units, if found already. With a second core, the exports
    are rendered and written in a child process while this one writes the JSON files and the
    report."""
    from decomposer import export as plan_export
    from decomposer import report as html_report

    def written(rendered: list[RenderedFile]) -> str:
        return "\n".join(str(path) for path in files.write_rendered(rendered, out))

    def report_task() -> str:
        return written([html_report.render_report(decomposition, document, unit_edges=unit_edges)])

    def exports_task() -> str:
        return written(plan_export.render_exports(decomposition, document))

    with clock.stage("report"):
        exports = forks.forked(exports_task, jobs)
        models = (
            out / "graph.json" if graph_written else files.write_json(document, out / "graph.json"),
            files.write_json(decomposition, out / "plan.json"),
        )
        renderings = [report_task(), exports()]
        outputs = (*models, *(Path(p) for task in renderings for p in task.splitlines()))
    with clock.stage("writes"):
        if keys is not None:
            key, facts_key, facts = keys
            files.record_outputs(
                out,
                key,
                outputs,
                facts_key=facts_key,
                facts=facts,
                inputs=inputs,
                summary=document.summary(),
            )
    return tuple(str(p) for p in outputs)


def _module_sources(repo: Path, decomposition: DecompositionPlan) -> dict[str, ModuleSource]:
    """The text of every module the plan's contexts name, found as the plan's run found them.

    Raises:
        UserError: a module cannot be read or decoded.
    """
    try:
        settings = Settings.model_validate(decomposition.settings)
    except ValidationError:
        settings = load_settings(repo)
    wanted = {u.partition(":")[0] for c in decomposition.contexts for u in (*c.modules, *c.symbols)}
    sources = {}
    for source in discover.find_sources(repo, settings).files:
        if source.module not in wanted:
            continue
        try:
            content = discover.read_source(repo, source)
            encoding, _ = tokenize.detect_encoding(io.BytesIO(content).readline)
            text = content.decode(encoding)
        except (OSError, SyntaxError, UnicodeDecodeError, LookupError) as exc:
            raise UserError(
                f"cannot read {source.path} of {repo}: {exc}",
                hint="fix the file's encoding, or move the module out of the plan's contexts",
            ) from None
        sources[source.module] = ModuleSource(
            module=source.module, path=source.path, is_package=source.is_package, text=text
        )
    return sources


def _plan_and_graph(
    plan_path: Path, graph_path: Path | None
) -> tuple[DecompositionPlan, DependencyGraph | None]:
    edited = files.read_plan(plan_path)
    beside = plan_path.parent / "graph.json"
    if graph_path is None and not beside.is_file():
        return edited, None
    return edited, files.read_graph(graph_path or beside)


def _dependency_graph(
    repo: Path,
    settings: Settings,
    *,
    out: Path,
    on_stage: StageCallback,
    cache_dir: Path | None,
    clock: _Stopwatch,
) -> tuple[DependencyGraph, int, int]:
    """discover -> extract (cached, in parallel) -> graph; and how many files came from the
    facts cache and how many were parsed."""
    extracted = _extracted(
        repo, settings, out=out, on_stage=on_stage, cache_dir=cache_dir, clock=clock
    )
    document = _graph_of(extracted, on_stage=on_stage, clock=clock)
    return document, extracted.hits, extracted.parsed


class _Extracted(NamedTuple):
    """What discovery and extraction found: the files, each one's facts (or failure; those
    from the cache first), the facts cache as it is now, and what saves it where it changed
    (`save`: started with the graph; by a run that keeps the last outputs, only where most of
    the cache was missing)."""

    tree: SourceTree
    results: list[ModuleFacts | ParseFailure]
    fresh: dict[str, files.CacheEntry]
    hits: int
    save: Callable[[], str] | None
    jobs: int

    @property
    def parsed(self) -> int:
        return len(self.results) - self.hits


def _extracted(
    repo: Path,
    settings: Settings,
    *,
    out: Path,
    on_stage: StageCallback,
    cache_dir: Path | None,
    clock: _Stopwatch,
    meanwhile: Callable[[], object] = _no_wait,
) -> _Extracted:
    """discover -> extract. With a second core, discovery runs in a child process while this
    one loads the facts cache and runs `meanwhile` (the "discover" stage is the time until
    both are done); the files found are the same either way."""
    version = extract.EXTRACTOR_VERSION
    cache_path = files.cache_file(cache_dir, repo=repo, key=f"{__version__}-{version}")
    with clock.stage("discover"):
        find = functools.partial(discover.find_sources, repo, settings)
        found = forks.forked(find, settings.jobs)
        cache = (
            files.load_cache(
                cache_path, repo=repo, tool_version=__version__, extractor_version=version
            )
            if settings.cache
            else {}
        )
        meanwhile()
        tree = found()
        out = files.prepare_out_dir(out)
    with clock.stage("extract"):
        results, fresh, hits = _extract_all(repo.resolve(), tree.files, cache, settings, on_stage)

    def save() -> str:
        files.save_cache(
            cache_path, fresh, repo=repo, tool_version=__version__, extractor_version=version
        )
        return ""

    changed = settings.cache and fresh != cache
    return _Extracted(tree, results, fresh, hits, save if changed else None, settings.jobs)


def _graph_of(
    extracted: _Extracted, *, on_stage: StageCallback, clock: _Stopwatch
) -> DependencyGraph:
    from decomposer import graph

    return _built(extracted, graph.build_graph, on_stage=on_stage, clock=clock)


def _built(
    extracted: _Extracted,
    build: Callable[[SourceTree, list[ModuleFacts], list[ParseFailure]], T],
    *,
    on_stage: StageCallback,
    clock: _Stopwatch,
) -> T:
    """The "graph" stage: `build` (the graph, or what `check` reads of it) from the facts."""
    with clock.stage("graph"):
        # the facts cache, written by a second core while this one builds the graph
        save = extracted.save or str
        saved = forks.forked(save, extracted.jobs) if extracted.save else save
        facts = [r for r in extracted.results if isinstance(r, ModuleFacts)]
        failures = [r for r in extracted.results if isinstance(r, ParseFailure)]
        on_stage("graph", 0, 1)
        document = build(extracted.tree, facts, failures)
        saved()  # the cache is complete before the run goes on
        on_stage("graph", 1, 1)
    return document


def _analysis_key(
    repo: Path, tree: SourceTree, digests: dict[str, files.CacheEntry], settings: Settings
) -> str:
    """sha256 of everything an analysis depends on: the tool and extractor versions, the
    repository's path, the files found (and skipped, and excluded), the digest of each file's
    content, and the settings that shape the result (not --jobs, not --no-cache)."""
    return key_of(
        (
            *_identity(repo, settings),
            tree.model_dump_json(),
            *(part for path, entry in sorted(digests.items()) for part in (path, entry[0])),
        )
    )


def _facts_key(
    repo: Path, extracted: _Extracted, settings: Settings, known: FactsDigests | None
) -> tuple[str, FactsDigests]:
    """sha256 of everything the graph, and so every output of `analyze`, is computed from:
    what `_identity` holds, the files found (and skipped, and excluded; not their sizes,
    which nothing reads) and each one's facts (or why it failed). `graph.build_graph` reads
    nothing else: two runs with the same facts key build the same graph. Unlike the analysis
    key, an edit that changes no fact (a comment's or a string's text, the spacing inside a
    line) keeps it.

    Each file's facts digest is taken from `known` (what the last run recorded) where the
    file's content and the identity are the same, else computed; returned with the key, for
    the next run."""
    identity = _identity(repo, settings)
    salt = key_of(identity)
    trusted = known.files if known is not None and known.identity == salt else {}
    digests: dict[str, tuple[str, str]] = {}
    parts = []
    # in the order of their paths: the cached files come first in `results`
    for result in sorted(extracted.results, key=lambda result: result.path):
        entry = extracted.fresh.get(result.path)
        recorded = trusted.get(result.path)
        if entry is not None and recorded is not None and recorded[0] == entry[0]:
            part = recorded[1]
        else:
            part = hashlib.sha256(result.model_dump_json().encode()).hexdigest()
        if entry is not None:
            digests[result.path] = (entry[0], part)
        parts.append(part)
    tree = extracted.tree.model_dump_json(exclude={"files": {"__all__": {"size_bytes"}}})
    return key_of((*identity, tree, *parts)), FactsDigests(identity=salt, files=digests)


def _identity(repo: Path, settings: Settings) -> tuple[str, ...]:
    """What both keys of a run hold besides its files: the tool and extractor versions, the
    stat of the tool's own code, the repository's path, and the settings that shape the result
    (not --jobs, not --no-cache)."""
    return (
        __version__,
        extract.EXTRACTOR_VERSION,
        _tool_stamp(),
        str(repo.resolve()),
        settings.model_dump_json(exclude={"jobs", "cache"}),
    )


@functools.cache
def _tool_stamp() -> str:
    """The stat of decomposer's own code and templates (path, size, modification time): a
    result computed by other code is never reused, even where the version string is the same
    (a checkout between releases, an edited install)."""
    digest = hashlib.sha256()
    from decomposer import templating  # without jinja2: it is imported where templates render

    package = Path(__file__).resolve().parent
    templates = templating.templates_dir()
    # the wheel ships the templates inside the package: stamped with it
    for root in (package,) if templates.is_relative_to(package) else (package, templates):
        for path in sorted(root.rglob("*")):
            if path.suffix == ".pyc" or not path.is_file():
                continue
            status = path.stat()
            digest.update(f"{path}\0{status.st_size}\0{status.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _fingerprint(repo: Path, settings: Settings, out: Path) -> str | None:
    """The stat fingerprint of the analysis's inputs (see `discover.fingerprint`), salted with
    what else the key holds: the versions, the repository's path and the settings; taken before
    any source file is read. The output folder is created first: inside the repository (the
    default `decomposer-out`), creating it would change its parent folder's fingerprint."""
    files.prepare_out_dir(out)
    salt = "\0".join(_identity(repo, settings))
    return discover.fingerprint(repo.resolve(), salt=salt, skip=out.resolve())


def _plan_of(
    document: DependencyGraph,
    clustering: Clustering,
    settings: Settings,
    *,
    as_is: Callable[[], AsIsSplit] | None = None,
) -> tuple[DecompositionPlan, UnitEdges]:
    """Metrics of the cut and of the as-is split (`as_is`: what waits for it, if measured
    meanwhile) -> the plan; and the dependencies between its units that the report shows.
    With a second core, the cut's metrics (whole, and per context) are measured in a child
    process while this one finds those dependencies (they need only the cut's units) and
    assembles the rest of the plan."""
    from decomposer import metrics, plan, report

    def cut() -> tuple[CutMetrics, dict[str, ContextMetrics]]:
        return metrics.measure(document, clustering, settings.cluster)

    measured = functools.cache(forks.forked(cut, settings.jobs))
    groups = (*clustering.contexts, clustering.shared_kernel)
    between = report.edges_between(document, {unit for group in groups for unit in group.units})
    decomposition = plan.make_plan(
        document,
        clustering,
        metrics=lambda: measured()[0],
        context_metrics=lambda: measured()[1],
        as_is=as_is or (lambda: _as_is_split(document, settings)),
        settings=settings,
    )
    return decomposition, between


def _as_is_split(document: DependencyGraph, settings: Settings) -> AsIsSplit:
    """The split the code already has, and its metrics."""
    from decomposer import cluster, metrics

    as_is = cluster.as_is_contexts(document)
    return AsIsSplit(
        description=as_is.selection.criterion,
        contexts=as_is.contexts,
        metrics=metrics.measure_cut(document, as_is, settings.cluster),
    )


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
    """Every file parsed in worker processes, so that one file costs only itself: a file over
    its time or memory budget is a ParseFailure, and a file that kills its worker (a crash in a
    C extension) is found, reported, and the run goes on in a fresh pool."""
    work = [source_and_content[:2] for source_and_content in todo]
    jobs = 1 if len(work) < _POOL_THRESHOLD else settings.jobs or os.cpu_count() or 1
    # Largest files first, so that the workers finish together.
    pending = sorted(range(len(work)), key=lambda i: -len(work[i][1]))
    results: dict[int, ModuleFacts | ParseFailure] = {}

    def progress() -> None:
        on_stage("extract", done + len(results), total)

    while pending:
        suspects = _run_pool(work, pending, jobs, results, progress)
        if suspects is None:
            break
        # The pool broke: each file a worker was parsing at that moment runs alone; the one
        # that breaks a pool of its own is the culprit.
        unfinished = [i for i in pending if i not in results]
        for index in sorted(suspects - results.keys()) or unfinished[:1]:
            if _run_pool(work, [index], 1, results, progress) is not None:
                source = work[index][0]
                results[index] = ParseFailure(
                    path=source.path,
                    line=1,
                    col=1,
                    reason="crash",
                    message="the parser crashed on this file (its worker process died);"
                    " exclude the file and report it",
                )
                progress()
        pending = [i for i in pending if i not in results]
    return [results[i] for i in range(len(work))]


def _run_pool(
    work: list[tuple[SourceFile, bytes]],
    indices: list[int],
    jobs: int,
    results: dict[int, ModuleFacts | ParseFailure],
    progress: Callable[[], None],
) -> set[int] | None:
    """Parse `indices` in a pool of `jobs` workers, into `results`. None if all went well,
    else the indices the workers were parsing when one of them died."""
    # imported here: a run that reuses its outputs starts no process
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    batches = [indices[i :: jobs * 8] for i in range(min(len(indices), jobs * 8))]
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    parsing = context.Array("q", [-1] * jobs, lock=False)
    slots = context.Value("i", 0)
    broken = False
    with ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_start_worker,
        initargs=(parsing, slots),
    ) as pool:
        futures = [pool.submit(_extract_batch, [(i, *work[i]) for i in batch]) for batch in batches]
        for batch, future in zip(batches, futures, strict=True):
            try:
                parsed = future.result()
            except BrokenProcessPool:
                broken = True
                continue
            results.update(zip(batch, parsed, strict=True))
            progress()
    if not broken:
        return None
    return {index for index in parsing if index >= 0 and index not in results}


# Per file: the time and the memory (above what the worker holds already) its parse may take.
_FILE_SECONDS: float = 120
_FILE_BYTES = 3 * 1024**3

# In a worker process: the shared array of the file each worker parses, and this worker's slot.
_parsing: Any = None
_slot = 0


class _OverTime(Exception):
    """SIGALRM: the file took more than its time budget."""


def _start_worker(parsing: Any, slots: Any) -> None:
    global _parsing, _slot
    with slots.get_lock():
        _slot = slots.value
        slots.value += 1
    _parsing = parsing
    if sys.platform != "win32":
        signal.signal(signal.SIGALRM, _on_alarm)


def _on_alarm(signum: int, frame: object) -> None:
    raise _OverTime


def _extract_batch(
    batch: list[tuple[int, SourceFile, bytes]],
) -> list[ModuleFacts | ParseFailure]:
    results = []
    with _without_cyclic_gc():
        for index, source, content in batch:
            _parsing[_slot] = index
            results.append(_extract_within_budget(source, content))
    _parsing[_slot] = -1
    return results


def _extract_within_budget(source: SourceFile, content: bytes) -> ModuleFacts | ParseFailure:
    def failure(reason: FailureReason, message: str) -> ParseFailure:
        return ParseFailure(path=source.path, line=1, col=1, reason=reason, message=message)

    if sys.platform == "win32":  # neither SIGALRM nor RLIMIT_AS: only crashes are isolated
        return extract.extract_facts(source, content)
    limit = resource.getrlimit(resource.RLIMIT_AS)
    in_use = _address_space()
    if in_use is not None:
        budget = in_use + _FILE_BYTES
        if limit[1] == resource.RLIM_INFINITY or budget < limit[1]:
            resource.setrlimit(resource.RLIMIT_AS, (budget, limit[1]))
    signal.setitimer(signal.ITIMER_REAL, _FILE_SECONDS)
    try:
        return extract.extract_facts(source, content)
    except _OverTime:
        return failure(
            "too-slow",
            f"not analyzed within {_FILE_SECONDS} s (generated code?); exclude the file",
        )
    except (MemoryError, SystemError):
        # Under the address-space limit CPython's compiler sometimes fails an allocation with
        # "SystemError: ... returned NULL without setting an exception" instead of MemoryError.
        return failure(
            "too-much-memory",
            f"analysis needed more than {_FILE_BYTES / 1024**3:g} GiB of memory (generated"
            " code?); exclude the file",
        )
    except RecursionError:
        return failure(
            "too-deep", "nesting too deep to analyze (generated code?); exclude the file"
        )
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        resource.setrlimit(resource.RLIMIT_AS, limit)


def _address_space() -> int | None:
    """The worker's virtual memory size in bytes (Linux), or None where it cannot be read."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            pages = int(statm.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")
