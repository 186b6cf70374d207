"""The sha256 keys by which a run finds what an earlier run computed from the same inputs."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


def key_of(parts: Iterable[str]) -> str:
    """sha256 of the parts, each ended by a NUL byte (so that no two lists of parts share a
    key by where their boundaries fall)."""
    key = hashlib.sha256()
    for part in parts:
        key.update(part.encode())
        key.update(b"\0")
    return key.hexdigest()
