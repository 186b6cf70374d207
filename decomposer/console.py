"""The one place that prints: diagnostics and progress to stderr, results to stdout."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from decomposer.models import (
    METRIC_DIRECTIONS,
    CutMetrics,
    DecompositionPlan,
    GraphSummary,
    ParseFailure,
    StageTiming,
)

# What a run that kept the last run's outputs found unchanged (pipeline.Reuse).
_UNCHANGED = {
    "inputs": "the files' stat",
    "contents": "the files' contents",
    "facts": "the facts of every file: an edit no fact shows",
}


class Reporter:
    """Owns the two consoles; `quiet` drops everything but errors, `verbose` adds detail."""

    def __init__(self, *, verbosity: int = 0, color: bool | None = None) -> None:
        self.verbosity = verbosity
        # Piped output (CI logs, files) is not cut at 80 columns: tables stay readable.
        width = None if sys.stdout.isatty() else 120
        self.out = Console(no_color=color is False, soft_wrap=True, width=width)
        self.err = Console(stderr=True, no_color=color is False, soft_wrap=True)

    # -- diagnostics ------------------------------------------------------------------------

    def error(self, message: str, hint: str | None = None) -> None:
        self.err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
        if hint:
            self.err.print(f"[dim]hint: {escape(hint)}[/]", highlight=False)

    def warn(self, message: str) -> None:
        if self.verbosity >= 0:
            self.err.print(f"[yellow]warning:[/] {escape(message)}", highlight=False)

    def info(self, message: str) -> None:
        if self.verbosity >= 0:
            self.err.print(escape(message), highlight=False)

    def failure(self, failure: ParseFailure) -> None:
        """`path:line:col: message`, then the line and a caret under the column."""
        self.err.print(f"[red]{escape(str(failure))}[/]", highlight=False)
        if failure.source_line and self.verbosity >= 0:
            line = failure.source_line.expandtabs(1)[:200]
            self.err.print(f"    {escape(line)}", highlight=False)
            self.err.print("    " + " " * min(failure.col - 1, len(line)) + "^", highlight=False)

    # -- progress ---------------------------------------------------------------------------

    @contextmanager
    def progress(self) -> Iterator[Any]:
        """A callback `on_stage(name, done, total)` that drives a progress bar on a terminal."""
        if self.verbosity < 0 or not self.err.is_terminal:
            yield lambda stage, done, total: None
            return
        bar = Progress(
            TextColumn("{task.description:>8}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.err,
            transient=True,
        )
        tasks: dict[str, Any] = {}

        def on_stage(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        with bar:
            yield on_stage

    # -- results ----------------------------------------------------------------------------

    def json(self, document: dict[str, Any]) -> None:
        self.out.print_json(json.dumps(document, sort_keys=True))

    def graph_summary(
        self,
        graph: GraphSummary,
        *,
        outputs: tuple[str, ...],
        cache_hits: int,
        reused: bool = False,
        reuse: str | None = None,
        reused_partition: bool = False,
    ) -> None:
        """The counts an architect looks at first, then where the output went (and, where the
        last run's outputs were kept, what was found unchanged: `reuse`)."""
        stats = graph.stats
        for failure in graph.failures:
            self.failure(failure)
        if self.verbosity > 0:
            for skipped in graph.skipped:
                self.warn(f"{skipped.path}: skipped ({skipped.reason}): {skipped.message}")
            for exclusion in graph.excluded:
                files = f", {exclusion.files:,} Python files" if exclusion.files > 1 else ""
                self.info(f"{exclusion.path}: excluded ({exclusion.kind}{files})")
            for unresolved in graph.unresolved:
                self.warn(str(unresolved))
        if self.verbosity < 0:
            return
        table = Table(title=f"{graph.repo}: dependency graph", show_header=False, box=None)
        table.add_column(style="bold")
        table.add_column(justify="right")
        rows = [
            ("files", f"{stats.files:,}"),
            ("lines", f"{stats.lines:,}"),
            ("modules", f"{stats.modules:,}"),
            ("classes and functions", f"{stats.symbols:,}"),
            ("ORM models", f"{stats.orm_models:,}"),
        ]
        rows += [(f"edges: {kind}", f"{count:,}") for kind, count in stats.edges_by_kind.items()]
        rows += [(f"entry points: {k}", f"{n:,}") for k, n in stats.entry_points_by_kind.items()]
        rows += [
            ("unresolved (see -v)", f"{len(graph.unresolved):,}"),
            ("failed to parse", f"{stats.failed_files:,}"),
            ("skipped", f"{stats.skipped_files:,}"),
        ]
        for name, value in rows:
            table.add_row(name, value)
        self.out.print(table)
        not_analyzed = stats.failed_files + stats.skipped_files
        edges = sum(stats.edges_by_kind.values())
        self.out.print(
            f"analyzed {stats.files:,} files ({not_analyzed:,} skipped or failed, "
            f"{cache_hits:,} from cache), "
            f"{edges:,} dependencies; written: {', '.join(outputs)}",
            highlight=False,
        )
        if graph.excluded:
            self.out.print(f"excluded: {excluded_summary(graph)} (-v lists them)", highlight=False)
        if reused:
            unchanged = _UNCHANGED.get(reuse or "", "")
            self.out.print(
                "unchanged: reused the outputs of the last run"
                + (f" ({unchanged})" * bool(unchanged)),
                highlight=False,
            )
        if reused_partition and self.verbosity > 0:
            self.info(
                "clustering: the partition of an earlier run on the same weighted unit graph"
                " reused (Leiden not run again)"
            )

    def stage_timings(self, stages: tuple[StageTiming, ...]) -> None:
        """With -v: where the time went, stage by stage, and the peak memory after each."""
        if self.verbosity <= 0 or not stages:
            return
        total = sum(s.seconds for s in stages)
        for stage in stages:
            memory = f"{stage.peak_rss_kib / 1024:,.0f} MiB" if stage.peak_rss_kib else "?"
            self.info(f"stage {stage.name:<9} {stage.seconds:8.3f} s   peak memory {memory}")
        self.info(f"stage {'total':<9} {total:8.3f} s")

    def before_after(self, before: CutMetrics, after: CutMetrics) -> None:
        """The edited plan's metrics as it came in, and as scored now."""
        table = Table(title="the edit: before -> after", box=box.SIMPLE_HEAD)
        for column in ("metric", "before", "after", ""):
            table.add_column(column, justify="left" if column in ("metric", "") else "right")
        for name, _, better in METRIC_DIRECTIONS:
            was, now = getattr(before, name), getattr(after, name)
            table.add_row(name, _number(was), _number(now), _arrow(was, now, better))
        self.out.print(table)

    def plan_summary(self, plan: DecompositionPlan) -> None:
        """The proposed contexts, the metrics beside the as-is split, and the top risks."""
        if self.verbosity < 0:
            return
        table = Table(
            title=f"{len(plan.contexts)} bounded contexts", box=box.SIMPLE_HEAD, padding=(0, 1)
        )
        table.add_column("context", no_wrap=True)
        for column in ("modules", "symbols", "lines", "entries"):
            table.add_column(column, justify="right")
        table.add_column("datastore", no_wrap=True)
        table.add_column("cohesion", justify="right")
        table.add_column("order", justify="right")
        order = {step.context: step.order for step in plan.extraction_order}
        for context in plan.contexts:
            table.add_row(
                context.name,
                str(len(context.modules)),
                str(len(context.symbols)),
                f"{context.metrics.lines:,}",
                str(len(context.entry_points)),
                context.datastore.kind,
                f"{context.metrics.cohesion:.2f}",
                str(order.get(context.name, 0)),
            )
        kernel = plan.shared_kernel
        table.add_row(
            "shared kernel", str(len(kernel.modules)), str(len(kernel.symbols)), "", "", "library"
        )
        self.out.print(table)
        if plan.layout is not None:
            self.out.print(
                f"layout: {plan.layout.kind}: {plan.layout.summary}; apps from"
                f" {plan.layout.apps_from}",
                highlight=False,
            )
            if plan.layout.groups:
                self.out.print(plan.layout.grouped(), highlight=False)
            for note in plan.layout.notes:
                self.out.print(f"note: {note}", highlight=False)
        self.out.print(f"number of contexts: {plan.selection.criterion}", highlight=False)
        shortfall = plan.selection.shortfall(len(plan.contexts))
        if shortfall:
            self.warn(shortfall)
        metrics = Table(title="metrics of the cut", box=box.SIMPLE_HEAD)
        metrics.add_column("metric")
        metrics.add_column("proposal", justify="right")
        metrics.add_column(f"as-is ({len(plan.as_is.contexts)} units)", justify="right")
        metrics.add_column("proposal is")
        for v in plan.as_is.comparison or plan.metrics.compare(plan.as_is.metrics):
            metrics.add_row(v.metric, _number(v.proposal), _number(v.as_is), v.verdict)
        self.out.print(metrics)
        if plan.as_is.verdict:
            self.out.print(f"against the as-is split: {plan.as_is.verdict}", highlight=False)
        found = ", ".join(f"{count:,} {what}" for _, count, what in plan.risks.found())
        self.out.print(
            f"risks: {found or 'none found'};"
            f" {len(plan.dependencies)} dependencies"
            f" ({sum(d.style == 'rest' for d in plan.dependencies)} REST,"
            f" {sum(d.style == 'sqs' for d in plan.dependencies)} SQS)",
            highlight=False,
        )


def excluded_summary(graph: GraphSummary) -> str:
    """`539 test files, 120 migrations, 3 hidden folders`: what the defaults left out."""
    files: dict[str, int] = {}
    folders: dict[str, int] = {}
    for exclusion in graph.excluded:
        if exclusion.files:
            files[exclusion.kind] = files.get(exclusion.kind, 0) + exclusion.files
        else:
            folders[exclusion.kind] = folders.get(exclusion.kind, 0) + 1
    parts = [f"{n:,} {_EXCLUDED_FILES.get(k, k + ' files')}" for k, n in sorted(files.items())]
    parts += [f"{n:,} {k} folder{'s' if n > 1 else ''}" for k, n in sorted(folders.items())]
    return ", ".join(parts)


_EXCLUDED_FILES = {
    "tests": "test files",
    "migrations": "migrations",
    "scripts": "script files",
    "--exclude": "files matching --exclude",
}


def _arrow(before: float, after: float, better: str) -> str:
    if before == after:
        return "same"
    return "better" if (after > before) == (better == "higher") else "worse"


def _number(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:.3f}"
