"""Models of `decompose check`: a dependency that breaks the plan's boundaries."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from decomposer.models.base import Model
from decomposer.models.facts import ParseFailure
from decomposer.models.graph import EdgeKind
from decomposer.models.run import StageTiming

RuleId = Literal["DEC001", "DEC002"]


class Violation(Model):
    """One code location that depends across a boundary the plan does not allow."""

    path: str = Field(description="Repo-relative POSIX path of the file")
    line: int = Field(ge=1)
    col: int = Field(ge=1)
    rule: RuleId = Field(
        description="DEC001: cross-context dependency not in the baseline;"
        " DEC002: the shared kernel depends on a service context"
    )
    message: str
    source: str = Field(description="Graph node that depends (module or module:QualName)")
    target: str = Field(description="Graph node it depends on")
    kind: EdgeKind
    source_context: str
    target_context: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.rule} {self.message}"


class CheckResult(Model):
    """What `check` found, for the CLI to report."""

    violations: tuple[Violation, ...]
    unplaced: tuple[str, ...] = Field(
        description="Modules (and symbols of split modules) new since the plan, in no context"
    )
    unparsed: tuple[ParseFailure, ...] = Field(
        default=(), description="Files that could not be parsed: their dependencies are unchecked"
    )
    baseline: int = Field(ge=0, description="Cross-context dependencies the plan allows")
    summary: str = Field(description="`2 violations in 1 file (baseline: 71 dependencies)`")
    report: str = Field(description="The report in the requested format")
    outputs: tuple[str, ...] = Field(description="Files written")
    reused: bool = Field(
        default=False,
        description="nothing changed since the last `check` into the same folder: its result was"
        " kept",
    )
    stages: tuple[StageTiming, ...] = Field(
        default=(), description="Wall time and peak memory of each stage of this run"
    )


class CheckRecord(Model):
    """What the last `check` into a folder found, and from what: `key` hashes the stat
    fingerprint of the repository's inputs (see `discover.fingerprint`), the settings, the
    plan's bytes and the report's options. A run with the same key reuses `result` without
    reading a source file."""

    format: Literal["decomposer-check"] = "decomposer-check"
    key: str
    result: CheckResult
