"""The command line: parse flags, load settings, call the pipeline, report, set the exit code."""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import click
from click.core import ParameterSource

from decomposer import __version__, pipeline
from decomposer import server as warm
from decomposer.config import Settings, load_settings
from decomposer.console import Reporter
from decomposer.errors import ExitCode, UserError
from decomposer.export import FORMATS
from decomposer.models import DecompositionPlan
from decomposer.models.check import CheckResult
from decomposer.server import DEFAULT_IDLE_TIMEOUT

if TYPE_CHECKING:
    from decomposer.models import ServiceMigration

F = TypeVar("F", bound=Callable[..., Any])


def common_options(*, verbose: str, quiet: str = "Print errors only.") -> Callable[[F], F]:
    """--debug, -v and -q on every command; what -v adds and -q leaves out is said per command."""

    def decorate(function: F) -> F:
        function = click.option(
            "--debug",
            is_flag=True,
            help="Show the traceback of an internal error instead of a summary.",
        )(function)
        function = click.option("-q", "--quiet", is_flag=True, help=quiet)(function)
        return click.option("-v", "--verbose", is_flag=True, help=verbose)(function)

    return decorate


# What -v adds on the commands that analyze a repository.
ANALYSIS_VERBOSE = (
    "Also list the excluded and skipped files, the unresolved dependencies, and each stage's"
    " time and peak memory."
)


def handle_errors(function: F) -> F:
    """Turn exceptions into messages and exit codes (README: Exit codes)."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        reporter = Reporter(verbosity=_verbosity(kwargs))
        try:
            return function(*args, reporter=reporter, **kwargs)
        except UserError as exc:
            reporter.error(exc.message, exc.hint)
            sys.exit(ExitCode.USER_ERROR)
        except (click.exceptions.Exit, click.ClickException, KeyboardInterrupt):
            raise
        except Exception as exc:
            if kwargs.get("debug"):
                raise
            reporter.error(
                f"internal error: {type(exc).__name__}: {exc}"
                " (rerun with --debug for the traceback)"
            )
            sys.exit(ExitCode.INTERNAL)

    return wrapper  # type: ignore[return-value]


def _verbosity(options: dict[str, Any]) -> int:
    return -1 if options.get("quiet") else 1 if options.get("verbose") else 0


EXAMPLES = """\b
Examples:
  decompose analyze shop/ --out plans           # plan.json, report.html
  decompose score plans/plan.json shop/         # after a hand edit
  decompose check shop/ --plan plans/plan.json  # in CI: new crossings fail
  decompose scaffold plans/plan.json --out new  # services, Terraform, CI/CD

Each command has its own --help."""


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EXAMPLES,
)
@click.version_option(__version__, prog_name="decompose")
def main() -> None:
    """Cut a Python monolith into bounded contexts, and scaffold the services."""


def analysis_options(function: F) -> F:
    """Options of every command that analyzes a repository."""
    for option in reversed(
        [
            click.option(
                "--out",
                "out",
                type=click.Path(path_type=Path),
                default=Path("decomposer-out"),
                show_default=True,
                help="Write graph.json and plan.json into this folder.",
            ),
            click.option(
                "--config",
                "config_file",
                type=click.Path(exists=True, dir_okay=False, path_type=Path),
                help="Read settings from this TOML file (over the repo's [tool.decomposer]).",
            ),
            click.option(
                "--jobs", type=click.IntRange(min=0), help="Worker processes (0 = one per core)."
            ),
            click.option(
                "--no-cache", is_flag=True, help="Parse every file again, ignoring cached facts."
            ),
            click.option(
                "--cache-dir",
                type=click.Path(file_okay=False, path_type=Path),
                envvar="DECOMPOSER_CACHE_DIR",
                show_envvar=True,
                help="Keep the facts cache here (default: the user's cache folder).",
            ),
            click.option(
                "--include-tests", is_flag=True, default=None, help="Analyze test modules too."
            ),
            click.option(
                "--exclude", multiple=True, help="Skip paths matching this glob (repeatable)."
            ),
        ]
    ):
        function = option(function)
    return function


def _settings(repo: Path, options: dict[str, Any]) -> Settings:
    overrides: dict[str, Any] = {
        "jobs": options.get("jobs"),
        "include_tests": options.get("include_tests"),
        "cache": False if options.get("no_cache") else None,
        "cluster.services": options.get("services"),
        "cluster.granularity": options.get("granularity"),
        "cluster.git": True if options.get("git") else None,
    }
    settings = load_settings(repo, config_file=options.get("config_file"), overrides=overrides)
    if options.get("exclude"):
        settings = settings.model_copy(update={"exclude": settings.exclude + options["exclude"]})
    return settings


FORMAT = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Print a summary for people, or JSON for machines.",
)
REPO = click.argument("repo", type=click.Path(exists=True, file_okay=False, path_type=Path))


@main.command()
@REPO
@analysis_options
@click.option("--services", type=click.IntRange(min=1), help="Ask for this many contexts.")
@click.option(
    "--granularity",
    type=click.Choice(["module", "auto", "symbol"]),
    help="Cluster whole modules, split god modules (auto, the default), or split every module.",
)
@click.option("--git", is_flag=True, help="Use git co-change history as a clustering signal.")
@click.option("--graph-only", is_flag=True, help="Stop after graph.json: no contexts, no plan.")
@FORMAT
@common_options(
    verbose=ANALYSIS_VERBOSE, quiet="Print errors only (every file is written all the same)."
)
@handle_errors
def analyze(repo: Path, out: Path, output_format: str, reporter: Reporter, **options: Any) -> None:
    """Analyze REPO into a dependency graph and a decomposition plan."""
    settings = _settings(repo, options)
    run = pipeline.build_graph if options.get("graph_only") else pipeline.analyze
    with reporter.progress() as on_stage:
        result = run(repo, settings, out=out, on_stage=on_stage, cache_dir=options.get("cache_dir"))
    _report(reporter, result, output_format)


@main.command(short_help="Re-score a hand-edited PLAN against REPO, in place.")
@click.argument(
    "plan_file", metavar="PLAN", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@REPO
@analysis_options
@click.option(
    "--accept-baseline",
    is_flag=True,
    help="Record the edited cut's dependencies as the new baseline `check` tolerates.",
)
@FORMAT
@common_options(
    verbose=ANALYSIS_VERBOSE, quiet="Print errors only (every file is written all the same)."
)
@handle_errors
def score(
    plan_file: Path, repo: Path, out: Path, output_format: str, reporter: Reporter, **options: Any
) -> None:
    """Validate a (hand-edited) PLAN against REPO and score its cut again, in place.

    The plan, graph.json and the report are written beside PLAN unless --out names a folder.
    """
    settings = _settings(repo, options)
    if click.get_current_context().get_parameter_source("out") is ParameterSource.DEFAULT:
        out = plan_file.parent
    with reporter.progress() as on_stage:
        result = pipeline.score(
            plan_file,
            repo,
            settings,
            out=out,
            accept_baseline=options["accept_baseline"],
            on_stage=on_stage,
            cache_dir=options["cache_dir"],
        )
    _report(reporter, result, output_format)


@main.command(short_help="Fail where REPO crosses PLAN's boundaries beyond its baseline.")
@REPO
@click.option(
    "--plan",
    "plan_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The plan.json whose boundaries the code must keep.",
)
@analysis_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "sarif"]),
    default="text",
    show_default=True,
    help="Report violations as path:line:col lines, JSON, or SARIF 2.1.0.",
)
@click.option(
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of stdout.",
)
@click.option(
    "--export-tach",
    "tach_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the plan's boundaries as a tach.toml to this file.",
)
@click.option(
    "--export-importlinter",
    "importlinter_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the plan's boundaries as import-linter contracts (TOML) to this file.",
)
@click.option(
    "--allow-unparsed",
    is_flag=True,
    help="Pass even if some files could not be parsed (they are still reported, as DEC003).",
)
@common_options(verbose=ANALYSIS_VERBOSE, quiet="Print the violations and errors only.")
@handle_errors
def check(
    repo: Path,
    plan_file: Path,
    out: Path,
    output_format: Literal["text", "json", "sarif"],
    output: Path | None,
    allow_unparsed: bool,
    reporter: Reporter,
    **options: Any,
) -> None:
    """Fail (exit code 4) where REPO depends across the plan's boundaries beyond its baseline,
    or has a file that cannot be parsed (unless --allow-unparsed)."""
    settings = _settings(repo, options)
    with reporter.progress() as on_stage:
        result = pipeline.check(
            repo,
            plan_file,
            settings,
            out=out,
            on_stage=on_stage,
            cache_dir=options["cache_dir"],
            report_format=output_format,
            report_file=output,
            tach_file=options.get("tach_file"),
            importlinter_file=options.get("importlinter_file"),
            allow_unparsed=allow_unparsed,
        )
    _report_check(reporter, result, to_stdout=output is None)
    failed = result.violations or (result.unparsed and not allow_unparsed)
    sys.exit(ExitCode.CHECK_FAILED if failed else ExitCode.OK)


PLAN = click.argument(
    "plan_file", metavar="PLAN", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
GRAPH = click.option(
    "--graph",
    "graph_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The graph.json of the plan [default: graph.json beside PLAN, if there].",
)
RENDER_OUT = click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    help="Write into this folder [default: the folder of PLAN].",
)


@main.command(short_help="Render report.html from PLAN, without analyzing again.")
@PLAN
@RENDER_OUT
@GRAPH
@common_options(
    verbose="Accepted on every command; report prints every problem of the plan anyway."
)
@handle_errors
def report(
    plan_file: Path, out: Path | None, graph_file: Path | None, reporter: Reporter, **_: Any
) -> None:
    """Render report.html from a (hand-edited) PLAN without analyzing again."""
    result = pipeline.report(plan_file, out=out, graph_path=graph_file)
    _report_rendered(reporter, result)


@main.command()
@PLAN
@click.option(
    "--format",
    "formats",
    type=click.Choice(["dot", "mermaid", "structurizr", "graphml", "all"]),
    multiple=True,
    default=("all",),
    show_default=True,
    help="Graphviz DOT or Mermaid of the context map, a Structurizr C4 model, the graph as"
    " GraphML (repeatable).",
)
@RENDER_OUT
@GRAPH
@common_options(
    verbose="Accepted on every command; export prints every problem of the plan anyway."
)
@handle_errors
def export(
    plan_file: Path,
    formats: tuple[str, ...],
    out: Path | None,
    graph_file: Path | None,
    reporter: Reporter,
    **_: Any,
) -> None:
    """Export PLAN's context map, C4 model or graph for other tools."""
    chosen = FORMATS if "all" in formats else tuple(f for f in FORMATS if f in formats)
    result = pipeline.export(plan_file, chosen, out=out, graph_path=graph_file)
    _report_rendered(reporter, result)


@main.command(short_help="Generate PLAN's services, Terraform and CI/CD pipelines.")
@PLAN
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Write infra/ and .github/workflows/ into this folder.",
)
@click.option("--force", is_flag=True, help="Overwrite generated files that were edited since.")
@click.option("--dry-run", is_flag=True, help="List what would change; write nothing.")
@click.option(
    "--vpc-link",
    type=click.Choice(["nlb", "alb-direct"]),
    default="nlb",
    show_default=True,
    help="Reach the ALB through an NLB (hashicorp/aws 5.x) or directly (needs 6.25+).",
)
@click.option(
    "--with-code",
    "with_code",
    metavar="REPO",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Copy the monolith REPO's code into each service, its calls into other services"
    " rewritten to the generated clients and events (MIGRATION.md lists what is left).",
)
@common_options(
    verbose="Accepted on every command; scaffold lists every file it writes anyway.",
    quiet="Print errors only (--dry-run still lists what would change).",
)
@handle_errors
def scaffold(
    plan_file: Path,
    out: Path,
    force: bool,
    dry_run: bool,
    vpc_link: Literal["nlb", "alb-direct"],
    with_code: Path | None,
    reporter: Reporter,
    **_: Any,
) -> None:
    """Generate PLAN's AWS infrastructure (Terraform), CI/CD pipelines and services into --out."""
    from decomposer.models import ScaffoldOptions

    options = ScaffoldOptions(vpc_link=vpc_link)
    result = pipeline.scaffold(
        plan_file, out=out, options=options, force=force, dry_run=dry_run, repo=with_code
    )
    changes = result.changes
    for change in changes:
        if dry_run or reporter.verbosity >= 0:  # -q drops the list, --dry-run always shows it
            reporter.out.print(f"{change.action:>9}  {change.path}", markup=False, highlight=False)
    counts: Counter[str] = Counter(change.action for change in changes)
    summary = ", ".join(f"{counts[a]} {a}" for a in _ACTIONS if counts[a])
    verb = "would write" if dry_run else "wrote"
    if dry_run or reporter.verbosity >= 0:
        reporter.out.print(f"{verb} {len(changes)} files into {out}: {summary}", markup=False)
    if with_code is not None:
        _report_migrations(reporter, result.migrations)
    conflicts = [c.path for c in changes if c.action == "conflict"]
    if conflicts:
        where = "would go" if dry_run else "is"
        reporter.warn(
            f"{len(conflicts)} file(s) changed both here and in what decomposer generates; each"
            f" is kept, and the generated version {where} beside it as <file>.new (merge by"
            f" hand; --force replaces generated files, keeping yours as <file>.orig):"
            f" {', '.join(conflicts[:10])}" + (" ..." if len(conflicts) > 10 else "")
        )


def _report_migrations(reporter: Reporter, migrations: tuple[ServiceMigration, ...]) -> None:
    """`with code: copied 46 modules; rewrote 9 sites, left 120 in place (...)`."""
    copied = sum(len(m.copies) for m in migrations)
    rewritten = sum(len(m.rewritten) for m in migrations)
    left: Counter[str] = Counter(note.kind for m in migrations for note in m.left)
    reasons = ", ".join(
        f"{count} {kind}" for kind, count in sorted(left.items(), key=lambda i: (-i[1], i[0]))
    )
    if reporter.verbosity < 0:
        return
    reporter.out.print(
        f"with code: copied {copied} modules; rewrote {rewritten} sites, left {left.total()}"
        f" in place ({reasons or 'none'}): see services/*/MIGRATION.md",
        markup=False,
        highlight=False,
    )


_ACTIONS = ("create", "update", "overwrite", "identical", "keep", "conflict")


def _report_rendered(reporter: Reporter, result: pipeline.RenderResult) -> None:
    if not result.has_graph:
        reporter.warn("no graph.json beside the plan: module-level views are missing (--graph)")
    for problem in result.problems:
        reporter.warn(problem)
    if reporter.verbosity >= 0:
        reporter.out.print(f"written: {', '.join(result.outputs)}", markup=False, highlight=False)


@main.command()
@common_options(
    verbose="Accepted on every command; the schema is all this command prints.",
    quiet="Accepted on every command; the schema is printed all the same.",
)
@handle_errors
def schema(reporter: Reporter, **_: Any) -> None:
    """Print the JSON Schema of plan.json."""
    reporter.json(DecompositionPlan.model_json_schema())


IDLE_TIMEOUT = click.option(
    "--idle-timeout",
    type=click.FloatRange(min=1),
    default=DEFAULT_IDLE_TIMEOUT,
    show_default=True,
    help="Exit after this many seconds without a command.",
)
SERVER_VERBOSE = "Accepted on every command; this one prints one line anyway."


@main.group(short_help="Keep the tool loaded in the background for repeated commands.")
def server() -> None:
    """Keep the tool loaded in a background process, so that repeated commands (a
    pre-commit hook, `analyze` after each edit) start faster.

    While a server runs, each `decompose` command of this installation and user runs in a
    process forked from it, with the caller's terminal, folder and environment, and writes the
    same outputs; it skips about 0.8 s of start-up. A server exits after --idle-timeout, and
    is no longer used once the tool's files change (an upgrade, an edit). Set
    DECOMPOSER_SERVER=off to run a command in its own process."""


@server.command("start")
@IDLE_TIMEOUT
@common_options(verbose=SERVER_VERBOSE)
@handle_errors
def server_start(idle_timeout: float, reporter: Reporter, **_: Any) -> None:
    """Start a server in the background (nothing to do if one runs)."""
    import subprocess
    import time

    pid = warm.running()
    if pid is not None:
        reporter.info(f"a server runs already (pid {pid})")
        return
    log = warm.paths().log
    if not warm.private_folder(log.parent, create=True):
        raise UserError(f"{log.parent} is not a folder only this user can enter")
    with open(log, "ab") as handle:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "decomposer",
                "server",
                "run",
                "--idle-timeout",
                f"{idle_timeout}",
            ],
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=handle,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while (pid := warm.running()) is None or not warm.paths().socket.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise UserError(
                f"the server did not start (exit status {process.poll()})", hint=f"see {log}"
            )
        time.sleep(0.05)
    reporter.info(f"server started (pid {pid}); its log: {log}")


@server.command("run")
@IDLE_TIMEOUT
@common_options(verbose=SERVER_VERBOSE)
@handle_errors
def server_run(idle_timeout: float, reporter: Reporter, **_: Any) -> None:
    """Serve in this process, in the foreground, until idle or interrupted."""
    import gc

    pipeline.preload()
    gc.freeze()  # what the imports made is never collected: the children need not scan it
    socket = warm.paths().socket
    if not warm.serve(
        status,
        idle_timeout=idle_timeout,
        ready=lambda: reporter.info(f"serving on {socket} (pid {os.getpid()})"),
    ):
        raise UserError(
            f"a server of this installation runs already (pid {warm.running()})",
            hint="decompose server stop",
        )


@server.command("stop")
@common_options(verbose=SERVER_VERBOSE)
@handle_errors
def server_stop(reporter: Reporter, **_: Any) -> None:
    """Stop the server (commands it runs go on to their end)."""
    import signal
    import time

    pid = warm.running()
    if pid is None:
        reporter.info("no server runs")
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while warm.running() is not None:
        if time.monotonic() > deadline:
            raise UserError(f"the server (pid {pid}) did not stop within 30 s")
        time.sleep(0.05)
    reporter.info(f"server stopped (pid {pid})")


@server.command("status")
@common_options(verbose=SERVER_VERBOSE)
@handle_errors
def server_status(reporter: Reporter, **_: Any) -> None:
    """Say whether a server runs, and where its socket and log are."""
    pid = warm.running()
    files = warm.paths()
    if pid is None:
        reporter.out.print("no server runs", markup=False, highlight=False)
    else:
        reporter.out.print(
            f"a server runs (pid {pid}); socket {files.socket}; log {files.log}",
            markup=False,
            highlight=False,
        )


def _report_check(reporter: Reporter, result: CheckResult, *, to_stdout: bool) -> None:
    if to_stdout:
        reporter.out.print(result.report, end="", markup=False, highlight=False, emoji=False)
    elif reporter.verbosity >= 0:
        reporter.out.print(result.summary, markup=False, highlight=False, emoji=False)
    if result.unplaced:
        shown = ", ".join(result.unplaced[:5]) + (
            f" and {len(result.unplaced) - 5} more" if len(result.unplaced) > 5 else ""
        )
        reporter.warn(
            f"{len(result.unplaced)} new module(s) in no context of the plan, not checked: {shown};"
            " add them to a context of the plan"
        )
    if result.outputs:
        reporter.info(f"written: {', '.join(result.outputs)}")
    reporter.stage_timings(result.stages)


def _report(reporter: Reporter, result: pipeline.AnalysisResult, output_format: str) -> None:
    plan = result.plan
    if output_format == "json":
        document: dict[str, Any] = {
            "stats": result.summary.stats.model_dump(),
            "outputs": list(result.outputs),
            "failures": [f.model_dump() for f in result.summary.failures],
            "skipped": [s.model_dump() for s in result.summary.skipped],
            "excluded": [e.model_dump() for e in result.summary.excluded],
            "unresolved": [u.model_dump() for u in result.summary.unresolved],
            "stages": [s.model_dump() for s in result.stages],
            "reused": result.reused,
            "reuse": result.reuse,
            "reused_partition": result.reused_partition,
        }
        if plan is not None:
            document["contexts"] = {
                c.name: {
                    "modules": len(c.modules),
                    "symbols": len(c.symbols),
                    "datastore": c.datastore.kind,
                }
                for c in plan.contexts
            }
            document["metrics"] = plan.metrics.model_dump()
            document["as_is_metrics"] = plan.as_is.metrics.model_dump()
            if result.previous is not None:
                document["previous_metrics"] = result.previous.model_dump()
        reporter.json(document)
        return
    reporter.graph_summary(
        result.summary,
        outputs=result.outputs,
        cache_hits=result.cache_hits,
        reused=result.reused,
        reuse=result.reuse,
        reused_partition=result.reused_partition,
    )
    reporter.stage_timings(result.stages)
    if plan is not None:
        reporter.plan_summary(plan)
    if plan is not None and result.previous is not None and reporter.verbosity >= 0:
        reporter.before_after(result.previous, plan.metrics)


def run() -> None:
    """The `decompose` program (and `python -m decomposer`): `main`, then the process ends
    without tearing the interpreter down. Freeing the analysis's millions of objects one by one
    at exit took about 0.4 s on saleor; every file is closed and every child process joined by
    then, so what is left to do is flushing the two streams.

    For the same reason the process runs without the cyclic garbage collector: the pipeline
    pauses it for a command anyway, and turning it on again when the command returned made
    its first pass walk every object the run had made (0.16 s of saleor with one file changed)
    for a process about to end."""
    import gc

    gc.disable()
    code = status(sys.argv[1:])
    if sys.getprofile() or sys.gettrace():  # a profiler or coverage writes its data at exit
        sys.exit(code)
    os._exit(code)


def status(argv: list[str], prog_name: str | None = None) -> int:
    """Run the command `argv`; its exit status, once both streams are flushed. The program
    and the server's children (`decompose server`) both end with it."""
    try:
        main(args=argv, prog_name=prog_name)
        code = 0
    except SystemExit as exc:  # click's standalone mode always ends so
        code = warm.exit_status(exc.code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a full disk, a reader gone: the output is incomplete
            code = code or ExitCode.INTERNAL
    return code
