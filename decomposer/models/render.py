"""Models of stage 7: files rendered in memory, and what writing them did."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from decomposer.models.base import Model


class RenderedFile(Model):
    """A file the report or the scaffold produced, not yet written."""

    path: str = Field(description="POSIX path relative to the output folder")
    content: str
    is_teams: bool = Field(
        default=False,
        description="A file the team is told to edit (handlers, event stubs, README): created"
        " once, never overwritten, not even with --force",
    )


class FileChange(Model):
    """What writing one rendered file does (copier's vocabulary)."""

    path: str
    action: Literal["create", "identical", "update", "keep", "conflict", "overwrite"] = Field(
        description="create: new; identical: same bytes; update: generated before and not"
        " edited since; keep: edited by someone and nothing new was generated for it;"
        " conflict: changed in both places (kept; the generated version is written beside it"
        " as <path>.new); overwrite: a conflict replaced with --force (the edited file is kept"
        " as <path>.orig)"
    )
