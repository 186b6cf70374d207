"""The command line: parse flags, load settings, call the pipeline, report, set the exit code."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from decomposer import __version__, pipeline
from decomposer.config import load_settings
from decomposer.console import Reporter
from decomposer.errors import ExitCode, UserError

F = TypeVar("F", bound=Callable[..., Any])


def common_options(function: F) -> F:
    """--debug, -v and -q: the same on every command."""
    function = click.option(
        "--debug",
        is_flag=True,
        help="Show the traceback of an internal error instead of a summary.",
    )(function)
    function = click.option("-q", "--quiet", is_flag=True, help="Print only errors and results.")(
        function
    )
    function = click.option(
        "-v", "--verbose", is_flag=True, help="Also list skipped files and unresolved dependencies."
    )(function)
    return function


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


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="decompose")
def main() -> None:
    """Cut a Python monolith into bounded contexts, and scaffold the services."""


@main.command()
@click.argument("repo", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=Path("decomposer-out"),
    show_default=True,
    help="Write graph.json (and the facts cache) into this folder.",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read settings from this TOML file (over the repo's [tool.decomposer]).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Print a summary for people, or JSON for machines.",
)
@click.option("--jobs", type=click.IntRange(min=0), help="Worker processes (0 = one per core).")
@click.option("--no-cache", is_flag=True, help="Parse every file again, ignoring cached facts.")
@click.option("--include-tests", is_flag=True, default=None, help="Analyze test modules too.")
@click.option("--exclude", multiple=True, help="Skip paths matching this glob (repeatable).")
@common_options
@handle_errors
def analyze(
    repo: Path,
    out: Path,
    config_file: Path | None,
    output_format: str,
    jobs: int | None,
    no_cache: bool,
    include_tests: bool | None,
    exclude: tuple[str, ...],
    reporter: Reporter,
    **_: Any,
) -> None:
    """Analyze the Python repository REPO into a dependency graph."""
    overrides: dict[str, Any] = {"jobs": jobs, "include_tests": include_tests}
    overrides["cache"] = False if no_cache else None
    settings = load_settings(repo, config_file=config_file, overrides=overrides)
    if exclude:
        settings = settings.model_copy(update={"exclude": settings.exclude + exclude})
    with reporter.progress() as on_stage:
        result = pipeline.analyze(repo, settings, out=out, on_stage=on_stage)
    if output_format == "json":
        reporter.json(
            {
                "stats": result.graph.stats.model_dump(),
                "outputs": list(result.outputs),
                "failures": [f.model_dump() for f in result.graph.failures],
                "skipped": [s.model_dump() for s in result.graph.skipped],
                "unresolved": [u.model_dump() for u in result.graph.unresolved],
            }
        )
        return
    reporter.graph_summary(result.graph, outputs=result.outputs, cache_hits=result.cache_hits)
