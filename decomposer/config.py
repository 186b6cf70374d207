"""Settings and load_settings(): the only code that reads configuration."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

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
TEST_DIRS: tuple[str, ...] = ("tests",)


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
    merged.update({k: v for k, v in (overrides or {}).items() if v is not None})
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
