"""What a run measured about itself: the time and memory of each stage."""

from __future__ import annotations

from pydantic import Field

from decomposer.models.base import Model
from decomposer.models.graph import GraphSummary
from decomposer.models.plan import ContextCountChoice


class StageTiming(Model):
    """One stage of a run: its wall time, and the process's peak memory when it ended."""

    name: str = Field(description="discover, extract, graph, cluster, plan, report or writes")
    seconds: float = Field(ge=0)
    peak_rss_kib: int | None = Field(
        default=None, description="peak resident memory of the process so far (None: unknown)"
    )


class FactsDigests(Model):
    """The sha256 of each file's facts (of their JSON), by the file's content digest, as a run
    with the tool and settings `identity` computed them: the next run with the same identity
    takes them for the files whose content has not changed, instead of computing them again."""

    identity: str = Field(description="sha256 of the tool's versions and stamp and the settings")
    files: dict[str, tuple[str, str]] = Field(
        default_factory=dict, description="path -> (content digest, facts digest)"
    )


class AnalysisRecord(Model):
    """What the last `analyze` into a folder wrote, and from what: the key hashes the tool and
    extractor versions, the files and their content digests and the settings; `outputs` maps
    each file written (relative to the folder) to its sha256. A run with the same key, finding
    every output as written, reuses them instead of clustering and rendering again.

    `inputs` (a fingerprint of the folders and Python files by their stat, and of the settings)
    lets a run with nothing changed reuse the outputs without reading any source file: when it
    matches, `summary` is what that run reports."""

    format: str = "decomposer-analysis"
    key: str
    facts_key: str | None = Field(
        default=None,
        description="sha256 of what the graph is built from: the versions, the settings, the"
        " files found and each one's facts; an edit that changes no fact keeps it",
    )
    facts: FactsDigests | None = Field(
        default=None, description="each file's facts digest, which the facts key is made of"
    )
    outputs: dict[str, str]
    output_stats: dict[str, tuple[int, int]] = Field(
        default_factory=dict, description="each output's size and mtime_ns when it was written"
    )
    inputs: str | None = Field(
        default=None, description="the fingerprint of the inputs (None: none could be taken)"
    )
    summary: GraphSummary | None = None


class StoredPartition(Model):
    """The communities Leiden (and the count rules) found on one unit graph, and how their
    number was chosen: kept so that a later run on the same unit graph need not run it again."""

    communities: tuple[tuple[str, ...], ...] = Field(
        description="the units of each community, in the order the clustering returned them"
    )
    selection: ContextCountChoice


class PartitionStore(Model):
    """The partitions the last runs on a repository found (in the cache folder, beside the
    facts), by the key of everything they were computed from (`cluster.Partitions`)."""

    format: str = "decomposer-partitions"
    entries: dict[str, StoredPartition] = Field(
        default_factory=dict, description="the key -> the partition; the newest last"
    )
