"""Errors a user can act on, and the exit codes the CLI maps them to."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes, documented in README.md."""

    OK = 0
    USER_ERROR = 1
    USAGE = 2
    INTERNAL = 3
    CHECK_FAILED = 4


class DecomposerError(Exception):
    """Base of every error decomposer raises on purpose."""


class UserError(DecomposerError):
    """Something the user can fix: a bad path, bad settings, a bad plan file."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class ConfigError(UserError):
    """Invalid `[tool.decomposer]` settings or command-line overrides."""


class PlanError(UserError):
    """A plan file that cannot be read, or that does not match the repository."""


class ConflictError(UserError):
    """Generated files would overwrite files someone edited (`--force` to overwrite)."""
