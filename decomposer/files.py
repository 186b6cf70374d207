"""The only writer: graph JSON out, and the per-file cache of extracted facts in and out."""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

from pydantic import BaseModel

from decomposer.errors import UserError
from decomposer.models import ModuleFacts, ParseFailure

# A cache entry: (content digest, module name, is_package, what extraction gave).
CacheEntry = tuple[str, str, bool, ModuleFacts | ParseFailure]

# Public functions


def write_json(model: BaseModel, path: Path) -> Path:
    """Write a model as indented JSON, atomically (a reader never sees half a file)."""
    _write_atomic(path, model.model_dump_json(indent=2) + "\n")
    return path


def load_cache(path: Path) -> dict[str, CacheEntry]:
    """The facts cache, or an empty one if it is missing, unreadable or from another version.

    The cache is a pickle written by decomposer itself into the user's output folder; an entry is
    used only when the file's path and content digest match, so a stale cache costs time, never
    correctness.
    """
    try:
        with path.open("rb") as handle:
            loaded = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def save_cache(path: Path, entries: dict[str, CacheEntry]) -> None:
    """Replace the facts cache (best effort: a read-only folder only costs the next run time)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(path, pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        return


def prepare_out_dir(out: Path) -> Path:
    """Create the output folder, or explain why it cannot be used."""
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} exists and is not a folder", hint="pass another --out folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(
            f"cannot create {out}: {exc.strerror}", hint="pass another --out folder"
        ) from None
    return out


# Private functions


def _write_atomic(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode() if isinstance(content, str) else content
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
