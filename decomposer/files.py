"""The only writer: graph JSON out, and the per-file cache of extracted facts in and out."""

from __future__ import annotations

import json
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from decomposer.errors import PlanError, UserError
from decomposer.models import (
    PLAN_SCHEMA_VERSION,
    DecompositionPlan,
    DependencyGraph,
    ModuleFacts,
    ParseFailure,
    RenderedFile,
)

# A cache entry: (content digest, module name, is_package, what extraction gave).
CacheEntry = tuple[str, str, bool, ModuleFacts | ParseFailure]

# Public functions


def write_json(model: BaseModel, path: Path) -> Path:
    """Write a model as indented JSON, atomically (a reader never sees half a file)."""
    _write_atomic(path, model.model_dump_json(indent=2) + "\n")
    return path


def write_text(text: str, path: Path) -> Path:
    """Write a generated text file (a report, an exported configuration), atomically.

    Raises:
        UserError: the file cannot be written.
    """
    try:
        _write_atomic(path, text)
    except OSError as exc:
        raise UserError(
            f"cannot write {path}: {exc.strerror}", hint="pass a path in a writable folder"
        ) from None
    return path


def write_rendered(rendered: list[RenderedFile], out: Path) -> list[Path]:
    """Write rendered files (a report, exports) under `out`, replacing earlier versions: they
    are generated, never edited by hand.

    Raises:
        UserError: a file cannot be written.
    """
    return [write_text(file.content, out / file.path) for file in rendered]


def read_graph(path: Path) -> DependencyGraph:
    """Load graph.json.

    Raises:
        UserError: unreadable, or not a graph.json this decomposer wrote.
    """
    try:
        return DependencyGraph.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise UserError(f"cannot read the graph {path}: {exc.strerror}") from None
    except ValidationError as exc:
        raise UserError(
            f"{path}: not a graph.json ({exc.error_count()} problem(s), first:"
            f" {exc.errors()[0]['msg']})",
            hint="pass the graph.json that `decompose analyze` wrote beside the plan",
        ) from None


def read_plan(path: Path) -> DecompositionPlan:
    """Load plan.json, with one readable line per problem.

    Raises:
        PlanError: not JSON, a schema version this decomposer does not know, invalid fields.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(f"cannot read the plan {path}: {exc}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError(
            f"{path}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}",
            hint="the plan is the plan.json that `decompose analyze` wrote",
        ) from None
    if not isinstance(document, dict):
        raise PlanError(f"{path}: a plan is a JSON object, not {type(document).__name__}")
    version = document.get("schema_version")
    if version != PLAN_SCHEMA_VERSION:
        raise PlanError(
            f"{path}: schema_version {version!r} is not one this decomposer reads"
            f" ({PLAN_SCHEMA_VERSION!r})",
            hint="use the decomposer that wrote the plan, or rerun `decompose analyze`",
        )
    try:
        return DecompositionPlan.model_validate(document)
    except ValidationError as exc:
        raise PlanError(
            f"{path}: {exc.error_count()} problem(s):\n" + "\n".join(_problems(exc, document)),
            hint="fix the fields named above",
        ) from None


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


def _problems(exc: ValidationError, document: dict[str, Any]) -> list[str]:
    """`contexts.orders.name: must be lowercase ...`, naming list items by their name."""
    lines = []
    for error in exc.errors():
        parts: list[str] = []
        node: Any = document
        for part in error["loc"]:
            if isinstance(part, int) and isinstance(node, list) and part < len(node):
                node = node[part]
                label = node.get("name") if isinstance(node, dict) else None
                parts.append(label if isinstance(label, str) and label else str(part))
            else:
                parts.append(str(part))
                node = node.get(part) if isinstance(node, dict) else None
        message = error["msg"].removeprefix("Value error, ")
        lines.append(f"{'.'.join(parts) or 'plan'}: {message}")
    return lines


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
