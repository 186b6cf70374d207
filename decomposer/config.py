"""Settings and load_settings(): the only code that reads configuration."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from decomposer.errors import ConfigError

DEFAULT_EXCLUDED_DIRS: tuple[str, ...] = (
    "__pycache__",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
    "env",
    "docs",
)
# Tests and test support (wagtail.test, django.test's kind, load tests): never a service.
TEST_DIRS: tuple[str, ...] = ("tests", "test", "testing", "load_tests")
# One-off scripts beside the application package (backfills, maintenance): not the monolith.
SCRIPT_DIRS: tuple[str, ...] = ("scripts",)


class Weights(BaseModel):
    """How strongly each signal ties two units together (0 switches a signal off)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    # structural coupling, per edge kind of the graph
    import_: float = Field(default=1.0, ge=0, alias="import", description="module imports")
    call: float = Field(default=1.0, ge=0)
    instantiation: float = Field(default=1.0, ge=0)
    inheritance: float = Field(default=2.0, ge=0)
    decorator: float = Field(default=0.5, ge=0)
    reference: float = Field(default=0.5, ge=0)
    dynamic_import: float = Field(default=0.5, ge=0)
    # type-only coupling is not runtime coupling: off by default
    annotation: float = Field(default=0.0, ge=0)
    type_import: float = Field(default=0.0, ge=0)
    event: float = Field(default=0.3, ge=0, description="publisher -> subscriber (asynchronous)")
    # data coupling
    orm_relation: float = Field(default=1.0, ge=0, description="ORM models referencing each other")
    ownership: float = Field(
        default=3.0, ge=0, description="code that creates instances of an ORM model (it owns it)"
    )
    data_sharing: float = Field(default=1.0, ge=0, description="units using the same ORM model")
    transaction: float = Field(default=1.5, ge=0, description="models changed in one unit of work")
    # business use cases, package structure, history
    use_case: float = Field(
        default=1.0, ge=0, description="units reached from the same entry point"
    )
    package: float = Field(default=1.0, ge=0, description="weak prior: units of the same package")
    cochange: float = Field(
        default=1.0, ge=0, description="files changed in the same commits (--git)"
    )

    def of(self, kind: str) -> float:
        """The weight of a graph edge kind or signal name."""
        return float(getattr(self, "import_" if kind == "import" else kind))


class ClusterSettings(BaseModel):
    """How `analyze` cuts the graph into bounded contexts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    granularity: Literal["module", "auto", "symbol"] = Field(
        default="auto",
        description="module: whole modules; auto: whole modules, but god modules (a models.py or"
        " utils.py serving several domains) split by class/function; symbol: every module split",
    )
    services: int | None = Field(default=None, ge=1, description="Ask for this many contexts")
    seed: int = Field(default=7, description="Seed of the community detection (determinism)")
    resolution: float = Field(
        default=3.0,
        gt=0,
        description="Leiden resolution on the graph of domain units: higher gives more, smaller"
        " contexts. 2.5 to 3.5 match the maintainers' own domains equally well on six real"
        " monoliths (benchmarks/quality.py: mean balanced MoJoFM 76.3 to 76.6); 3.0 is the"
        " middle of that plateau",
    )
    weights: Weights = Field(default_factory=Weights)
    shared_kernel: bool = Field(
        default=True, description="Propose high fan-in, low fan-out utilities as a shared kernel"
    )
    kernel_min_dependents: int = Field(
        default=2, ge=1, description="A kernel candidate is used by at least this many packages"
    )
    kernel_max_instability: float = Field(
        default=0.35, ge=0, le=1, description="...and has instability Ce/(Ca+Ce) at most this"
    )
    pin: dict[str, str] = Field(
        default_factory=dict, description="unit -> context name: always place the unit there"
    )
    together: tuple[tuple[str, ...], ...] = Field(
        default=(), description="Groups of units that must land in the same context"
    )
    apart: tuple[tuple[str, ...], ...] = Field(
        default=(), description="Groups of units that must land in different contexts"
    )
    git: bool = Field(default=False, description="Use git co-change history as a signal")
    relational_engine: Literal["aurora-postgresql", "aurora-mysql"] = Field(
        default="aurora-postgresql", description="Aurora engine for contexts that need one"
    )
    ned_bounds: tuple[int, int] = Field(
        default=(5, 20), description="NED: context sizes (in units) that count as non-extreme"
    )


class Settings(BaseModel):
    """Effective settings of one run; recorded in the outputs so any run can be reproduced."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source_roots: tuple[str, ...] = Field(
        default=(),
        description="Folders (relative to the repo) that hold top-level packages; empty = detect",
    )
    exclude: tuple[str, ...] = Field(
        default=(),
        description="Extra globs of repo-relative POSIX paths to skip, e.g. 'shop/legacy/*'",
    )
    include_tests: bool = Field(default=False, description="Analyze test modules too")
    include_migrations: bool = Field(default=False, description="Analyze migration modules too")
    max_file_kb: int = Field(
        default=2048, gt=0, description="Skip files larger than this (generated code), in KiB"
    )
    jobs: int = Field(default=0, ge=0, description="Worker processes; 0 = one per core")
    cache: bool = Field(default=True, description="Reuse facts of unchanged files between runs")
    cluster: ClusterSettings = Field(default_factory=ClusterSettings)


# Public functions


def load_settings(
    repo: Path, *, config_file: Path | None = None, overrides: dict[str, Any] | None = None
) -> Settings:
    """Merge defaults < repo pyproject/decomposer.toml < --config FILE < command-line flags.

    Raises:
        ConfigError: a file is not valid TOML or a value is out of range, one line per problem.
    """
    merged: dict[str, Any] = {}
    merged.update(_repo_table(repo))
    if config_file is not None:
        merged.update(_table_of(config_file, _read_toml(config_file)))
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        if key.startswith("cluster."):
            merged.setdefault("cluster", {})[key.removeprefix("cluster.")] = value
        else:
            merged[key] = value
    try:
        return Settings.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError(
            "invalid settings:\n" + "\n".join(_format_problems(exc)),
            hint="fix [tool.decomposer] in pyproject.toml, decomposer.toml or the --config file",
        ) from None


# Private functions


def _repo_table(repo: Path) -> dict[str, Any]:
    standalone = repo / "decomposer.toml"
    if standalone.is_file():
        return _table_of(standalone, _read_toml(standalone))
    pyproject = repo / "pyproject.toml"
    if pyproject.is_file():
        tool = _read_toml(pyproject).get("tool", {})
        table = tool.get("decomposer", {}) if isinstance(tool, dict) else {}
        if not isinstance(table, dict):
            raise ConfigError(f"{pyproject}: [tool.decomposer] must be a table")
        return _normalise(table)
    return {}


def _table_of(path: Path, document: dict[str, Any]) -> dict[str, Any]:
    """decomposer.toml or --config: the keys at top level, or under [tool.decomposer]."""
    tool = document.get("tool")
    if isinstance(tool, dict) and isinstance(tool.get("decomposer"), dict):
        return _normalise(tool["decomposer"])
    return _normalise(document)


def _normalise(table: dict[str, Any]) -> dict[str, Any]:
    return {key.replace("-", "_"): value for key, value in table.items()}


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}", hint="fix the file's syntax") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def _format_problems(exc: ValidationError) -> list[str]:
    lines = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"])
        message = error["msg"].lower()
        if error["type"] == "extra_forbidden":
            message = "unknown setting"
        lines.append(f"tool.decomposer.{field}: {message} (got {error.get('input')!r})")
    return lines
