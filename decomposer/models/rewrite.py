"""Models of stage 7b, --with-code: the monolith's code copied into a service, and what crossing
calls became (a client call, a published event) or why they were left in place."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from decomposer.models.base import Model

# What a crossing site became: a REST call of the generated client, an event published to
# SQS, or an import of another context that nothing uses any more (removed).
RewriteKind = Literal["rest-call", "event-publish", "import-removed"]
# Why a crossing site was left in place, marked with a `# decomposer:` comment.
LeftReason = Literal[
    "orm-argument",
    "orm-result",
    "result-used",
    "star-arguments",
    "argument-mismatch",
    "no-signature",
    "not-a-function",
    "not-an-operation",
    "no-client",
    "handled-locally",
    "orm-model",
    "direct-use",
    "import-still-used",
    "parse-error",
]


class ModuleSource(Model):
    """The text of one monolith module, read by the pipeline for the pure rewriter."""

    module: str = Field(description="Dotted module name")
    path: str = Field(description="POSIX path relative to the monolith folder")
    is_package: bool = Field(description="An `__init__.py`")
    text: str


class RewriteNote(Model):
    """One site of the monolith's code that crosses into another context."""

    location: str = Field(description="path:line in the monolith")
    context: str = Field(description="The context it crosses into")
    target: str = Field(description="Graph node (module:QualName), module, or event name")
    operation: str | None = Field(default=None, description="The plan's operation or event")
    kind: RewriteKind | LeftReason = Field(description="What it became, or why it was left")
    detail: str = Field(description="The new code, or the reason in words")


class RewriteResult(Model):
    """One module after rewriting: its code and every crossing site, rewritten or left."""

    code: str
    rewritten: tuple[RewriteNote, ...] = ()
    left: tuple[RewriteNote, ...] = ()


class CopiedModule(Model):
    """A monolith module (or the symbols of a split one) copied into a service."""

    source: str = Field(description="Module, or `module:Name, Name` for split symbols")
    path: str = Field(description="Monolith path it came from")
    destination: str = Field(description="Path of the copy in the output folder")
    result: RewriteResult


class ServiceMigration(Model):
    """What --with-code did for one service."""

    service: str = Field(description="Context name")
    package: str = Field(description="The service's Python package")
    copies: tuple[CopiedModule, ...]
    packages: tuple[str, ...] = Field(
        description="Paths of `__init__.py` files written for packages that did not move"
    )

    @property
    def rewritten(self) -> tuple[RewriteNote, ...]:
        return tuple(note for copy in self.copies for note in copy.result.rewritten)

    @property
    def left(self) -> tuple[RewriteNote, ...]:
        return tuple(note for copy in self.copies for note in copy.result.left)

    @property
    def left_by_kind(self) -> tuple[tuple[str, int], ...]:
        """(reason, count) of the sites left in place, the most frequent first."""
        counts: dict[str, int] = {}
        for note in self.left:
            counts[note.kind] = counts.get(note.kind, 0) + 1
        return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
