"""How close decomposer's contexts come to an expected split, beside plain Louvain.

    python benchmarks/mojofm.py REPO [--truth readme|as-is] [--services N]

- truth `readme`: the "Expected split" table of REPO/README.md (the example monolith's answer
  key: `| unit | context |` rows, units as dotted modules or module:Class);
- truth `as-is`: one context per top-level package below the common root (for real Django
  monoliths whose apps are the business capabilities, e.g. saleor.order, saleor.payment);
- truth `layered`: as-is, but a package inside a technical layer (graphql, api, rest, admin,
  dashboard, views) that is named after a capability belongs to that capability
  (saleor.graphql.order.* -> order): the split an architect would draw for such monoliths.

The baseline is what import-graph visualizers do: Louvain community detection (networkx,
seed 0) on the undirected module import graph. Every score is MoJoFM (Wen & Tzerpos 2004) in
both directions: proposal->truth forgives over-splitting, truth->proposal punishes it.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.partition import louvain, unit_owners
from decomposer import cluster, pipeline
from decomposer.config import ClusterSettings, Settings
from decomposer.metrics import mojofm_both
from decomposer.models import DecompositionPlan, DependencyGraph


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--truth", choices=["readme", "as-is", "layered"], default="readme")
    parser.add_argument("--services", type=int, default=None)
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="decomposer-mojofm-"))
    default = pipeline.analyze(args.repo, Settings(), out=out / "default")
    assert default.graph is not None  # a fresh folder: nothing to reuse
    if args.truth == "readme":
        truth = _readme_truth(args.repo)
    else:
        truth = _as_is_truth(default.graph, layered=args.truth == "layered")
    count = args.services or len(set(truth.values()) - {"shared"})
    requested = pipeline.analyze(
        args.repo,
        Settings(cluster=ClusterSettings(services=count)),
        out=out / "requested",
    )
    communities = louvain(default.graph, seed=0)
    baseline = {u: communities[u.partition(":")[0]] for u in truth}
    rows = [
        ("decomposer, default settings", _assignment(default.plan, truth)),
        (f"decomposer, --services {count}", _assignment(requested.plan, truth)),
        ("Louvain on the module import graph", baseline),
    ]
    print(f"{args.repo}: {len(truth)} units, {len(set(truth.values()))} expected contexts")
    print(f"{'':40} {'contexts':>8} {'prop->truth':>12} {'truth->prop':>12}")
    for name, assignment in rows:
        forward, backward = mojofm_both(assignment, truth)
        print(f"{name:40} {len(set(assignment.values())):>8} {forward:>12.1f} {backward:>12.1f}")
    return 0


def _assignment(plan: DecompositionPlan, truth: dict[str, str]) -> dict[str, str]:
    """unit -> context for every truth unit (a symbol of an unsplit module follows its module)."""
    owner = unit_owners(plan, kernel="shared")
    return {
        unit: owner.get(unit) or owner.get(unit.partition(":")[0], "(unplaced)") for unit in truth
    }


def _readme_truth(repo: Path) -> dict[str, str]:
    text = (repo / "README.md").read_text()
    section = text[text.index("## Expected split") :]
    truth = {}
    for line in section.splitlines()[1:]:
        if line.startswith("## "):
            break
        match = re.match(r"^\|\s*`?([\w.:]+)`?\s*\|\s*`?(\w+)`?\s*\|", line)
        if match and match.group(1) != "unit":
            truth[match.group(1)] = match.group(2)
    return truth


LAYERS = frozenset({"graphql", "api", "rest", "admin", "dashboard", "views"})


def _as_is_truth(graph: DependencyGraph, *, layered: bool) -> dict[str, str]:
    as_is = cluster.as_is_contexts(graph)
    truth = {unit: context.name for context in as_is.contexts for unit in context.units}
    if layered:
        root = cluster.common_root(truth)
        for unit, context in truth.items():
            parts = unit[len(root) + 1 :].split(".") if root else unit.split(".")
            if context in LAYERS and len(parts) > 1 and parts[1] in truth.values():
                truth[unit] = parts[1]
    return truth


if __name__ == "__main__":
    raise SystemExit(main())
