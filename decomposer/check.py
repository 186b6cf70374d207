"""Stage 8: the plan as a contract: graph of the code today + the plan's cut -> violations.

`decompose check` runs during the migration. The plan records every cross-context dependency
that existed when it was made (its baseline); anything beyond that is a violation, reported
at each code location as `path:line:col: DEC001 message`. The same boundaries are exported as
tach and import-linter configurations, at module level (neither tool knows about symbols).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import Any, Literal

from decomposer import __version__
from decomposer.errors import PlanError
from decomposer.models import (
    RUNTIME_KINDS,
    BaselineEdge,
    Clustering,
    CodeDependencies,
    ContextGroup,
    DecompositionPlan,
    Dependency,
    ParseFailure,
    Violation,
)
from decomposer.quality import lifted_edges

ReportFormat = Literal["text", "json", "sarif"]

RULES = {
    "DEC001": (
        "cross-context dependency not in the plan's baseline",
        "Code in one bounded context depends on another context in a way the plan did not"
        " record when it was made. Remove the dependency, go through the other service's"
        " operations, or move the code; if the dependency is intended, make a new plan.",
    ),
    "DEC002": (
        "shared kernel depends on a service context",
        "Every service may use the shared kernel, so the kernel must not depend on any"
        " service. Move the code into the context it needs, or invert the dependency.",
    ),
    "DEC003": (
        "file could not be parsed, so its dependencies are not checked",
        "check fails closed: a file it cannot read could hide any dependency. Fix the file"
        " (or run decomposer on the Python the project targets), exclude it, or pass"
        " --allow-unparsed to accept unchecked code.",
    ),
}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_VERBS: dict[str, str] = {
    "import": "imports",
    "dynamic_import": "imports dynamically",
    "call": "calls",
    "instantiation": "instantiates",
    "inheritance": "inherits from",
    "decorator": "is decorated with",
    "reference": "uses",
    "event": "sends an event to",
    "orm_relation": "has an ORM relation to",
}
_SYMBOLS_NOTE = (
    "# Symbols (module:QualName) cannot be expressed here: boundaries are exported per module,\n"
    "# and a split module ({split}) belongs to the context or kernel holding the module itself.\n"
)

# Public functions


def place_units(
    plan: DecompositionPlan, code: CodeDependencies, *, kernel_name: str
) -> tuple[Clustering, tuple[str, ...]]:
    """The plan's cut laid over the code as it is now.

    Units that no longer exist are dropped. A module that is new since the plan joins the
    context that holds most (more than half) of the modules of its nearest package the plan
    knows; new modules that no package places, and new classes or functions of split modules,
    are returned as unplaced: their dependencies are not checked.

    Raises:
        PlanError: no module of the plan is in the repository (the plan of another repo).
    """
    modules, symbols = code.modules, code.symbols
    groups = [(c.name, (*c.modules, *c.symbols)) for c in plan.contexts]
    groups.append((kernel_name, (*plan.shared_kernel.modules, *plan.shared_kernel.symbols)))
    kept = {name: [u for u in units if u in modules or u in symbols] for name, units in groups}
    owner = {u: name for name, units in kept.items() for u in units if ":" not in u}
    if not owner and (plan.contexts or plan.shared_kernel.modules):
        raise PlanError(
            f"none of the plan's modules is in {code.repo} (the plan is for {plan.repo})",
            hint="pass the repository the plan was made for",
        )
    unplaced = []
    for module in sorted(modules - set(owner)):
        context = _package_context(module, owner)
        if context is None:
            unplaced.append(module)
        else:
            kept[context].append(module)
    placed = {u for units in kept.values() for u in units}
    split = set(plan.split_modules)
    unplaced += sorted(s for s in symbols - placed if s.partition(":")[0] in split)
    clustering = Clustering(
        granularity=plan.granularity,
        split_modules=tuple(sorted(split & modules)),
        contexts=tuple(
            ContextGroup(name=name, units=tuple(sorted(kept[name]))) for name, _ in groups[:-1]
        ),
        shared_kernel=ContextGroup(name=kernel_name, units=tuple(sorted(kept[kernel_name]))),
        selection=plan.selection,
    )
    return clustering, tuple(sorted(unplaced))


def find_violations(
    code: CodeDependencies,
    clustering: Clustering,
    baseline: tuple[BaselineEdge, ...],
    *,
    roots: frozenset[str] | None = None,
) -> tuple[Violation, ...]:
    """Every location of a runtime dependency that crosses the plan's boundaries beyond its
    baseline: between two service contexts (DEC001), or from the shared kernel into a service
    context (DEC002). Anything may use the kernel, and the kernel's composition roots (`roots`,
    found here unless given) may use anything; unplaced units are not checked."""
    owner = {u: g.name for g in clustering.contexts for u in g.units}
    kernel = set(clustering.shared_kernel.units)
    owner.update({u: clustering.shared_kernel.name for u in kernel})
    if roots is None:
        roots = composition_roots(code, clustering)
    allowed = {(b.source, b.target, b.kind) for b in baseline}
    found: dict[tuple[str, int, int, str, str], Violation] = {}
    for source, target, edge in lifted_edges(_runtime(code), clustering.unit_of, {}):
        source_context, target_context = owner.get(source), owner.get(target)
        if (
            source_context is None
            or target_context is None
            or source_context == target_context
            or target in kernel
            or source in roots
            or (source, target, edge.kind) in allowed
        ):
            continue
        for violation in _violations(edge, source_context, target_context, source in kernel):
            key = (violation.path, violation.line, violation.col, violation.rule, violation.message)
            found.setdefault(key, violation)
    return tuple(found[key] for key in sorted(found))


def composition_roots(code: CodeDependencies, clustering: Clustering) -> frozenset[str]:
    """Kernel units that no service uses, directly or through other kernel units: `app.py`
    registering every blueprint, a CLI seeding every context.

    The kernel must not depend on services because every service carries the kernel along;
    a unit no service reaches is not carried along, so its dependencies cut nothing.
    """
    kernel = set(clustering.shared_kernel.units)
    placed = {u for g in clustering.contexts for u in g.units}
    uses: defaultdict[str, set[str]] = defaultdict(set)
    for source, target, _ in lifted_edges(_runtime(code), clustering.unit_of, {}):
        uses[source].add(target)
    todo = [t for s in placed for t in uses[s] if t in kernel]
    shared: set[str] = set()
    while todo:
        unit = todo.pop()
        if unit not in shared:
            shared.add(unit)
            todo.extend(t for t in uses[unit] if t in kernel)
    return frozenset(kernel - shared)


def _runtime(code: CodeDependencies) -> Iterator[Dependency]:
    return (edge for edge in code.dependencies if edge.kind in RUNTIME_KINDS)


def export_tach(
    plan: DecompositionPlan,
    *,
    source_roots: Iterable[str] = (".",),
    roots: frozenset[str] = frozenset(),
) -> str:
    """tach.toml with one module per plan module: each may use the modules of its own context
    and what the baseline records; the shared kernel's modules are utilities anyone may use,
    and its composition `roots` may use anything."""
    context_of = _module_contexts(plan)
    kernel = set(plan.shared_kernel.modules)
    members: dict[str, set[str]] = defaultdict(set)
    for module, context in context_of.items():
        members[context].add(module)
    allowed = _module_baseline(plan)
    lines = [
        "# tach.toml: the boundaries of the decomposition plan, generated by `decompose check`.",
        _SYMBOLS_NOTE.format(split=", ".join(plan.split_modules) or "none").rstrip("\n"),
        "# Only imports are checked here; calls, events and ORM relations need `decompose check`.",
        f"source_roots = {_toml_list(sorted(set(source_roots)))}",
        "exact = false",
        "ignore_type_checking_imports = true",
        'root_module = "ignore"',
    ]
    for module in sorted(context_of):
        context = context_of[module]
        uses = set() if module in kernel else members[context]
        depends_on = sorted((uses | allowed[module]) - kernel - {module})
        lines += ["", "[[modules]]", f"path = {_toml_str(module)}"]
        if module not in roots:
            lines.append(f"depends_on = {_toml_list(depends_on)}")
        if module in kernel:
            lines.append("utility = true")
    return "\n".join(lines) + "\n"


def export_importlinter(plan: DecompositionPlan, *, roots: frozenset[str] = frozenset()) -> str:
    """`[tool.importlinter]` contracts (for pyproject.toml, or `lint-imports --config FILE`):
    one `forbidden` contract per context against the modules of every other context, and one
    keeping the shared kernel (but its composition `roots`) off the services, each ignoring
    the baseline's imports."""
    context_of = _module_contexts(plan)
    kernel = set(plan.shared_kernel.modules)
    allowed = _module_baseline(plan)
    packages = sorted({m.partition(".")[0] for m in context_of})
    lines = [
        "# import-linter contracts for the boundaries of the decomposition plan,",
        "# generated by `decompose check`.",
        _SYMBOLS_NOTE.format(split=", ".join(plan.split_modules) or "none").rstrip("\n"),
        "# Only direct imports are checked; calls, events and ORM relations need"
        " `decompose check`.",
        "[tool.importlinter]",
        f"root_packages = {_toml_list(packages)}",
        "exclude_type_checking_imports = true",
    ]
    services = {m for m in context_of if m not in kernel}
    contracts = [
        (
            f"context {c.name} depends on no other context beyond the plan's baseline",
            {m for m in c.modules if m not in kernel},
        )
        for c in plan.contexts
    ]
    contracts.append(("the shared kernel depends on no service context", kernel - roots))
    for name, sources in contracts:
        forbidden = services - sources
        if not sources or not forbidden:
            continue
        ignored = sorted(f"{s} -> {t}" for s in sources for t in allowed[s] & forbidden)
        lines += [
            "",
            "[[tool.importlinter.contracts]]",
            f"name = {_toml_str(name)}",
            'type = "forbidden"',
            f"source_modules = {_toml_list(sorted(sources))}",
            f"forbidden_modules = {_toml_list(sorted(forbidden))}",
            f"ignore_imports = {_toml_list(ignored)}",
            "allow_indirect_imports = true",
            "as_packages = false",
            # A baseline dependency that is not an import (a call through a re-export, an ORM
            # string) has no import to match; that is not an error.
            'unmatched_ignore_imports_alerting = "none"',
        ]
    return "\n".join(lines) + "\n"


def render_report(
    violations: tuple[Violation, ...],
    *,
    report_format: ReportFormat,
    baseline: int,
    unplaced: tuple[str, ...] = (),
    unparsed: tuple[ParseFailure, ...] = (),
    allow_unparsed: bool = False,
) -> str:
    """The violations and the files that could not be parsed (DEC003) as text
    (`path:line:col: DEC001 message` and a summary), JSON or SARIF 2.1.0."""
    described = summary(violations, baseline=baseline, unparsed=len(unparsed))
    if report_format == "sarif":
        document = _sarif(violations, unparsed, allow_unparsed=allow_unparsed)
        return json.dumps(document, indent=2, sort_keys=True) + "\n"
    if report_format == "json":
        document = {
            "violations": [v.model_dump(mode="json") for v in violations],
            "files": len({v.path for v in violations}),
            "baseline": baseline,
            "unplaced": list(unplaced),
            "unparsed": [_unparsed(f) for f in unparsed],
            "summary": described,
        }
        return json.dumps(document, indent=2, sort_keys=True) + "\n"
    lines = [str(v) for v in violations]
    lines += [f"{f.path}:{f.line}:{f.col}: DEC003 {_unparsed(f)['message']}" for f in unparsed]
    return "".join(f"{line}\n" for line in lines) + described + "\n"


def summary(violations: tuple[Violation, ...], *, baseline: int, unparsed: int = 0) -> str:
    """`2 violations in 1 file, 1 file not parsed (baseline: 71 dependencies)`."""
    files = len({v.path for v in violations})
    not_parsed = f", {_count(unparsed, 'file')} not parsed" if unparsed else ""
    return (
        f"{_count(len(violations), 'violation')} in {_count(files, 'file')}{not_parsed}"
        f" (baseline: {_count(baseline, 'dependency', 'dependencies')})"
    )


# Private functions


def _package_context(module: str, owner: dict[str, str]) -> str | None:
    """The context holding more than half the known modules of the nearest known package."""
    parts = module.split(".")
    for depth in range(len(parts) - 1, 0, -1):
        package = ".".join(parts[:depth])
        counts = Counter(c for m, c in owner.items() if m == package or m.startswith(package + "."))
        if counts:
            name, most = min(counts.items(), key=lambda item: (-item[1], item[0]))
            return name if most * 2 > sum(counts.values()) else None
    return None


def _violations(
    edge: Dependency, source_context: str, target_context: str, from_kernel: bool
) -> list[Violation]:
    verb = _VERBS.get(edge.kind, f"depends ({edge.kind}) on")
    rule: Literal["DEC001", "DEC002"]
    if from_kernel:
        rule = "DEC002"
        why = f"the shared kernel must not depend on context {target_context}"
    else:
        rule = "DEC001"
        why = f"{source_context} -> {target_context} is not in the plan's baseline"
    message = f"{edge.source} {verb} {edge.target}: {why}"
    return [
        Violation(
            path=path,
            line=line,
            col=col,
            rule=rule,
            message=message,
            source=edge.source,
            target=edge.target,
            kind=edge.kind,
            source_context=source_context,
            target_context=target_context,
        )
        for path, line, col, *_ in edge.locations
    ]


def _module_contexts(plan: DecompositionPlan) -> dict[str, str]:
    """Module -> the context (or "") that holds it; symbols go with their module."""
    context_of = {m: c.name for c in plan.contexts for m in c.modules}
    context_of.update({m: "" for m in plan.shared_kernel.modules})
    return context_of


def _module_baseline(plan: DecompositionPlan) -> defaultdict[str, set[str]]:
    """The baseline at module level: source module -> modules it may use across contexts."""
    allowed: defaultdict[str, set[str]] = defaultdict(set)
    for edge in plan.baseline:
        source, target = edge.source.partition(":")[0], edge.target.partition(":")[0]
        if source != target:
            allowed[source].add(target)
    return allowed


def _unparsed(failure: ParseFailure) -> dict[str, Any]:
    return {
        "path": failure.path,
        "line": failure.line,
        "col": failure.col,
        "rule": "DEC003",
        "reason": failure.reason,
        "message": f"cannot check this file: {failure.message}",
    }


def _sarif(
    violations: tuple[Violation, ...],
    unparsed: tuple[ParseFailure, ...] = (),
    *,
    allow_unparsed: bool = False,
) -> dict[str, Any]:
    rule_ids = sorted(RULES)
    findings: list[tuple[str, str, str, str, int, int]] = [
        (v.rule, "error", v.message, v.path, v.line, v.col) for v in violations
    ]
    findings += [
        (
            "DEC003",
            "warning" if allow_unparsed else "error",
            _unparsed(f)["message"],
            f.path,
            f.line,
            f.col,
        )
        for f in unparsed
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "decomposer",
                        "version": __version__,
                        "rules": [
                            {
                                "id": rule,
                                "shortDescription": {"text": RULES[rule][0]},
                                "fullDescription": {"text": RULES[rule][1]},
                                "defaultConfiguration": {"level": "error"},
                            }
                            for rule in rule_ids
                        ],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [
                    {
                        "ruleId": rule,
                        "ruleIndex": rule_ids.index(rule),
                        "level": level,
                        "message": {"text": message},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": path},
                                    "region": {"startLine": line, "startColumn": col},
                                }
                            }
                        ],
                    }
                    for rule, level, message, path, line, col in findings
                ],
            }
        ],
    }


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"


def _toml_str(value: str) -> str:
    # A JSON string is a valid TOML basic string (same escapes).
    return json.dumps(value)


def _toml_list(values: list[str]) -> str:
    if len(values) <= 1:
        return "[" + ", ".join(_toml_str(v) for v in values) + "]"
    return "[\n" + "".join(f"    {_toml_str(v)},\n" for v in values) + "]"
