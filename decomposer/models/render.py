"""Models of stage 7: files rendered in memory, and what writing them did."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from decomposer.models.base import Model


class RenderedFile(Model):
    """A file the report or the scaffold produced, not yet written."""

    path: str = Field(description="POSIX path relative to the output folder")
    content: str


class FileChange(Model):
    """What writing one rendered file does (copier's vocabulary)."""

    path: str
    action: Literal["create", "identical", "update", "conflict", "overwrite"] = Field(
        description="create: new; identical: same bytes; update: generated before and not"
        " edited since; conflict: edited by someone (kept without --force); overwrite: a"
        " conflict replaced with --force"
    )
