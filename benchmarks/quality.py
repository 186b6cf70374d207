"""How close decomposer's contexts come to hand-made maps of real monoliths, beside two baselines.

    python benchmarks/quality.py --corpus /work/corpus [--truth-dir ../shared/corpus] [NAME ...]
        [--json OUT.json] [--jobs N] [--out DIR] [--given-root]

For each map `<truth-dir>/<NAME>.truth.json` whose repository folder `<corpus>/<NAME>` exists,
it runs `analyze` with the settings `decompose analyze` would use (defaults, or the
repository's own [tool.decomposer]) on the repository's root: finding the source root is the
analyzer's job. `--given-root` passes the map's `source_root` instead (source_roots setting),
to see the clustering apart from root detection; `--jobs` is the analyzer's worker processes.

Scoring follows the corpus README ("How to score"). The objects are the labeled modules of a
map: the Python files below its `source_root`, minus the folders and files the README leaves
out, named as dotted modules relative to that root, each labeled by its longest matching
prefix; `_shared` and unmatched modules are left out. A proposal assigns each of them its
context; a module of the shared kernel is a context of its own (`_kernel`); a module split into
symbols goes to the context holding most of its symbols; a module the proposal does not name
(another root, skipped file) is a singleton. Scores: MoJoFM (Wen & Tzerpos 2004) of the
proposal against the map, the reverse (map against proposal: punishes over-splitting), their
harmonic mean ("balanced"), the adjusted Rand index and NMI (scikit-learn, arithmetic mean).
Baselines on the same modules: Louvain (networkx, seed 0) on the undirected module import graph
decomposer built, and one context per first two parts of the dotted name (the folder tree at
depth 2).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score  # noqa: E402

from benchmarks.partition import louvain, unit_owners  # noqa: E402
from decomposer import pipeline  # noqa: E402
from decomposer.config import load_settings  # noqa: E402
from decomposer.files import read_graph  # noqa: E402
from decomposer.metrics import mojofm_both  # noqa: E402
from decomposer.models import DecompositionPlan  # noqa: E402

SHARED = "_shared"
KERNEL = "_kernel"
# The corpus README: "Left out of the maps, as decomposer leaves them out by default".
EXCLUDED_DIRS = frozenset(
    {"tests", "test", "testing", "migrations", "docs", "doc", "build", "dist", "venv", ".venv"}
    | {"env", "node_modules", "site-packages"}
)
EXCLUDED_FILES = frozenset({"tests.py", "conftest.py"})
# ... "for polar also server/scripts (one-off backfills) and server/load_tests" (repo-relative).
EXCLUDED_PATHS = {"polarsource/polar": ("server/scripts", "server/load_tests")}
METHODS = ("decomposer", "louvain", "depth-2")


# Pure scoring


@dataclass(frozen=True)
class Truth:
    """A map of one monolith (the corpus README's format)."""

    name: str
    repo: str
    commit: str
    source_root: str
    contexts: dict[str, tuple[str, ...]]

    def prefixes(self) -> dict[str, str]:
        """dotted prefix -> context, `_shared` included."""
        return {p: context for context, ps in self.contexts.items() for p in ps}


@dataclass(frozen=True)
class Scores:
    modules: int
    clusters: int
    forward: float
    backward: float
    balanced: float
    ari: float
    nmi: float


def load_truth(path: Path) -> Truth:
    data = json.loads(path.read_text())
    return Truth(
        name=path.name.removesuffix(".truth.json"),
        repo=data["repo"],
        commit=data["commit"],
        source_root=data["source_root"],
        contexts={c: tuple(ps) for c, ps in data["contexts"].items()},
    )


def module_name(path: PurePosixPath) -> str | None:
    """The dotted module of a .py file (relative to a source root), or None when the README's
    rules leave it out or its path is no importable name."""
    parts = path.parts
    if not parts or path.suffix != ".py":
        return None
    folders, file = parts[:-1], parts[-1]
    if any(f in EXCLUDED_DIRS or f.startswith(".") for f in folders):
        return None
    if file in EXCLUDED_FILES or file.startswith("test_") or file.endswith("_test.py"):
        return None
    names = [*folders] if file == "__init__.py" else [*folders, file.removesuffix(".py")]
    if not names or not all(n.isidentifier() for n in names):
        return None
    return ".".join(names)


def label_of(module: str, prefixes: Mapping[str, str]) -> str | None:
    """The context of the longest prefix p with module == p or module starting with p + '.'."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        context = prefixes.get(".".join(parts[:end]))
        if context is not None:
            return context
    return None


def labeled(modules: Iterable[str], truth: Truth) -> dict[str, str]:
    """module -> context of the map for the modules it scores (`_shared`, unmatched left out)."""
    prefixes = truth.prefixes()
    found = {m: label_of(m, prefixes) for m in modules}
    return {m: c for m, c in sorted(found.items()) if c is not None and c != SHARED}


def module_contexts(plan: DecompositionPlan) -> dict[str, str]:
    """module -> context of a plan: the kernel is `_kernel`; a split module goes to the context
    holding most of its symbols (ties: its own context if tied, else the first name)."""
    owner = unit_owners(plan, kernel=KERNEL)
    votes: dict[str, Counter[str]] = {}
    for unit, context in owner.items():
        module, _, symbol = unit.partition(":")
        if symbol:
            votes.setdefault(module, Counter())[context] += 1
    result = {unit: context for unit, context in owner.items() if ":" not in unit}
    for module, counts in votes.items():
        top = max(counts.values())
        tied = sorted(c for c, n in counts.items() if n == top)
        own = result.get(module)
        result[module] = own if own in tied else tied[0]
    return result


def on_modules(objects: Iterable[str], assignment: Mapping[str, str]) -> dict[str, str]:
    """The assignment restricted to the objects; an object it does not name is a singleton."""
    return {m: assignment.get(m, f"(missing) {m}") for m in objects}


def depth_contexts(modules: Iterable[str], depth: int = 2) -> dict[str, str]:
    """One context per first `depth` parts of the dotted name: the folder tree echoed."""
    return {m: ".".join(m.split(".")[:depth]) for m in modules}


def harmonic(a: float, b: float) -> float:
    return 2 * a * b / (a + b) if a + b else 0.0


def score(proposal: Mapping[str, str], truth: Mapping[str, str]) -> Scores:
    """The proposal against the map on the map's objects (the proposal must label them all)."""
    objects = sorted(truth)
    forward, backward = mojofm_both({m: proposal[m] for m in objects}, truth)
    found = [proposal[m] for m in objects]
    expected = [truth[m] for m in objects]
    return Scores(
        modules=len(objects),
        clusters=len(set(found)),
        forward=forward,
        backward=backward,
        balanced=harmonic(forward, backward),
        ari=float(adjusted_rand_score(expected, found)),
        nmi=float(normalized_mutual_info_score(expected, found)),
    )


# I/O


def corpus_modules(repo: Path, truth: Truth) -> list[str]:
    """The dotted modules of the .py files below the map's source root, by the README's rules."""
    root = (repo / truth.source_root).resolve()
    skipped = [repo.resolve() / p for p in EXCLUDED_PATHS.get(truth.repo, ())]
    modules = set()
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(
            d
            for d in dirs
            if d not in EXCLUDED_DIRS and not d.startswith(".") and here / d not in skipped
        )
        for file in files:
            name = module_name(PurePosixPath((here / file).relative_to(root).as_posix()))
            if name is not None:
                modules.add(name)
    return sorted(modules)


@dataclass(frozen=True)
class Result:
    name: str
    modules: int
    truth_contexts: int
    plan_contexts: int
    kernel_modules: int
    missing: int
    seconds: float
    given_root: bool
    roots: tuple[str, ...]
    scores: dict[str, Scores]


def measure(repo: Path, truth: Truth, *, out: Path, jobs: int, given_root: bool) -> Result:
    overrides: dict[str, object] = {"jobs": jobs}
    if given_root:
        overrides["source_roots"] = (truth.source_root,)
    settings = load_settings(repo, overrides=overrides)
    start = time.perf_counter()
    result = pipeline.analyze(repo, settings, out=out)
    seconds = time.perf_counter() - start
    assert result.plan is not None
    graph = result.graph or read_graph(out / "graph.json")
    expected = labeled(corpus_modules(repo, truth), truth)
    proposal = module_contexts(result.plan)
    candidates = {
        "decomposer": on_modules(expected, proposal),
        "louvain": on_modules(expected, louvain(graph, seed=0)),
        "depth-2": depth_contexts(expected),
    }
    return Result(
        name=truth.name,
        modules=len(expected),
        truth_contexts=len(set(expected.values())),
        plan_contexts=len(result.plan.contexts),
        kernel_modules=len(result.plan.shared_kernel.modules),
        missing=sum(m not in proposal for m in expected),
        seconds=seconds,
        given_root=given_root,
        roots=graph.roots,
        scores={method: score(candidates[method], expected) for method in METHODS},
    )


def table(results: list[Result]) -> str:
    lines = [
        "| repository | method | modules | contexts | MoJoFM p>t | MoJoFM t>p | balanced"
        " | ARI | NMI |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        for method in METHODS:
            s = r.scores[method]
            lines.append(
                f"| {r.name} | {method} | {s.modules} | {s.clusters} | {s.forward:.1f}"
                f" | {s.backward:.1f} | {s.balanced:.1f} | {s.ari:.3f} | {s.nmi:.3f} |"
            )
    lines += [
        "",
        "| repository | labeled modules | missing from the plan | truth contexts"
        " | plan contexts | kernel modules | source roots found | analyze s |",
        "|---|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.modules} | {r.missing} | {r.truth_contexts} | {r.plan_contexts}"
            f" | {r.kernel_modules} | {', '.join(r.roots)} | {r.seconds:.1f} |"
        )
    mean = {m: sum(r.scores[m].balanced for r in results) / len(results) for m in METHODS}
    if results:
        lines += ["", "mean balanced: " + ", ".join(f"{m} {mean[m]:.1f}" for m in METHODS)]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="maps to score (default: all)")
    parser.add_argument("--corpus", type=Path, required=True, help="folder of <NAME>/ repos")
    parser.add_argument("--truth-dir", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--jobs", type=int, default=0, help="analyzer worker processes")
    parser.add_argument("--out", type=Path, default=None, help="keep plans (and cache) here")
    parser.add_argument("--given-root", action="store_true", help="analyze the map's root")
    args = parser.parse_args()
    truths = sorted(args.truth_dir.glob("*.truth.json"), key=lambda p: p.name.lower())
    chosen = [load_truth(p) for p in truths]
    chosen = [t for t in chosen if (not args.names or t.name in args.names)]
    unknown = set(args.names) - {t.name for t in chosen}
    if unknown:
        parser.error(f"no map named {', '.join(sorted(unknown))} in {args.truth_dir}")
    out = args.out or Path(tempfile.mkdtemp(prefix="decomposer-quality-"))
    results = []
    for truth in chosen:
        repo = args.corpus / truth.name
        if not repo.is_dir():
            print(f"skipped {truth.name}: no folder {repo}", file=sys.stderr)
            continue
        print(f"analyzing {truth.name} ...", file=sys.stderr, flush=True)
        results.append(
            measure(repo, truth, out=out / truth.name, jobs=args.jobs, given_root=args.given_root)
        )
    print(table(results))
    if args.json:
        figures = {r.name: asdict(r) for r in results}
        args.json.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
