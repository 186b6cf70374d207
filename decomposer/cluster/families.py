"""Plugin families: sibling packages that implement one extension point move as one unit.

A plugin package (one folder per integration: `plugins/digicert`, `plugins/sftp`) is loaded
by a registry, not imported by the rest of the code, so the import graph holds almost nothing
that ties it to its domain; what it is shows from the base class it extends (`IssuerPlugin`,
`DestinationPlugin`). Siblings under one parent package whose classes mostly extend the same
extension point are one family, and a family moves as one node through the clustering: it
lands with its domain as a whole, instead of one context per plugin.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping

from decomposer.cluster.domains import normalise
from decomposer.cluster.units import _UnitView
from decomposer.models import RUNTIME_KINDS, DomainGroup


def group_domains(
    view: _UnitView, units_of: Mapping[str, str], root: str, spell: Callable[[str], str]
) -> tuple[dict[str, str], tuple[DomainGroup, ...]]:
    """Each unit's domain after grouping (compound names with their head, plugin families as
    one), and the groups made, for the plan.

    Args:
        view: the graph seen as units.
        units_of: each unit's domain.
        root: the project's root package.
        spell: a domain as the code spells it, for the plan.
    """
    heads = compound_heads(set(units_of.values()))
    grouped = {unit: _follow(heads, domain) for unit, domain in units_of.items()}
    families = plugin_families(view, grouped, root)
    grouped = {unit: families.get(domain, domain) for unit, domain in grouped.items()}
    by_head: dict[str, set[str]] = defaultdict(set)
    for domain in heads:
        by_head[_follow(heads, domain)].add(domain)
    groups = [
        DomainGroup(
            name=spell(head),
            rule="compound-name",
            members=tuple(sorted(spell(d) for d in {head, *members})),
            why=f"{', '.join(sorted(spell(d) for d in members))} named as a kind of {spell(head)}",
        )
        for head, members in sorted(by_head.items())
    ]
    by_family: dict[str, set[str]] = defaultdict(set)
    for domain, family in families.items():
        by_family[family].add(domain)
    for family, members in sorted(by_family.items()):
        parent, _, base = family.partition(":")
        groups.append(
            DomainGroup(
                name=base.rpartition(":")[2] or base,
                rule="plugin-family",
                members=tuple(sorted(spell(d) for d in members)),
                why=f"{len(members)} sibling packages under {parent} extending {base},"
                " a plugin family nothing else imports",
            )
        )
    return grouped, tuple(groups)


def _follow(heads: Mapping[str, str], domain: str) -> str:
    """The head of a chain of compound names (customer_session_code -> customer)."""
    seen = {domain}
    while domain in heads and heads[domain] not in seen:
        domain = heads[domain]
        seen.add(domain)
    return domain


# A base class is an extension point of a parent package when at least this share of the
# classes extending it sit in the sibling packages below that parent.
_EXTENSION_SHARE = 2 / 3
# A base that this share of a parent's sibling packages extends (of five or more) is the
# framework's base for all of them, not a family's extension point.
_UNIVERSAL_SHARE = 0.8
_MIN_SIBLINGS = 5
# A plugin is used by few other domains (its registry's caller, a settings page): at most
# this share of them, or one.
_MAX_USERS_SHARE = 0.05


def plugin_families(view: _UnitView, units_of: Mapping[str, str], root: str) -> dict[str, str]:
    """Map each domain that belongs to a plugin family to the family's name
    (`<parent package>:<extension point>`); domains in no family are left out.

    Args:
        view: the graph seen as units.
        units_of: each unit's domain (its app, its package).
        root: the project's root package (its apps are not a family: they are the domains).
    """
    graph = view.graph
    packages = {n.id for n in graph.nodes if n.is_package}
    lines = {n.id: n.lines for n in graph.nodes}
    modules: dict[str, set[str]] = defaultdict(set)
    for unit, domain in units_of.items():
        modules[domain].add(view.module_of(unit))

    known: dict[str, str | None] = {}  # node -> its domain, looked up once per node

    def domain_of(node: str) -> str | None:
        if node not in known:
            known[node] = units_of.get(view.unit_of(node))
        return known[node]

    users: dict[str, set[str]] = defaultdict(set)
    bases: dict[str, Counter[str]] = defaultdict(Counter)
    subclasses: dict[str, list[str]] = defaultdict(list)
    for edge in graph.edges:
        if edge.kind not in RUNTIME_KINDS:
            continue
        source, target = domain_of(edge.source), domain_of(edge.target)
        if edge.kind == "inheritance":
            subclasses[edge.target].append(edge.source)
            if source is not None and source != target:
                bases[source][edge.target] += lines.get(edge.source, 0)
        elif source is not None and target is not None and source != target:
            users[target].add(source)
    families: dict[tuple[str, str], list[str]] = defaultdict(list)
    max_users = max(1, int(_MAX_USERS_SHARE * len(modules)))
    parents = {domain: _parent(members, packages) for domain, members in modules.items()}
    siblings = Counter(parents.values())
    for domain in sorted(modules):
        parent = parents[domain]
        if not parent or parent in (view.root, root) or len(users[domain]) > max_users:
            continue
        if not bases[domain]:
            continue
        base = min(bases[domain], key=lambda b: (-bases[domain][b], b))
        # the base's own module often ships a few built-in implementations: not counted
        extending = [s for s in subclasses[base] if s.partition(":")[0] != base.partition(":")[0]]
        own = domain_of(base)
        below = sum(
            1 for s in extending if s.startswith(parent + ".") and domain_of(s) not in (None, own)
        )
        # a base nearly every sibling extends is the framework's (an AppConfig for every app),
        # not an extension point that sets a family apart
        extenders = {
            domain_of(s) for s in subclasses[base] if parents.get(domain_of(s) or "") == parent
        }
        universal = siblings[parent] >= _MIN_SIBLINGS and len(extenders) >= (
            _UNIVERSAL_SHARE * siblings[parent]
        )
        if below >= _EXTENSION_SHARE * len(extending) and not universal:
            families[(parent, base)].append(domain)
    return {
        domain: f"{parent}:{base}"
        for (parent, base), members in families.items()
        if len(members) >= 2
        for domain in members
    }


def _parent(modules: set[str], packages: set[str]) -> str:
    """The package above the one that holds all of the modules."""
    parts = [m.split(".") for m in modules]
    common: list[str] = []
    for names in zip(*parts, strict=False):
        if len(set(names)) > 1:
            break
        common.append(names[0])
    holder = ".".join(common)
    if holder not in packages:
        common = common[:-1]  # a single file: its package holds it
    return ".".join(common[:-1])


# A compound name's modifier is at least this long (sub-event, web-checkin; not o-auth).
_MIN_MODIFIER = 3


def compound_heads(domains: Iterable[str]) -> dict[str, str]:
    """Map each domain whose name is a compound of another domain's name to that head:
    `pending_certificate` to `certificate`, `customer_session_code` to `customer_session`,
    `privatethread` to `thread`, `sendmail` to `mail`. A name that extends two different
    domains (`user_organization`: user, organization) is ambiguous and left alone, as is a
    name that only starts like another (`authority` is not a kind of `auth`).

    Args:
        domains: the domain names (dotted where they sit in a package: `plugins.lemur_acme`).
    """
    leaves: dict[str, list[str]] = defaultdict(list)
    for domain in domains:
        leaves[_leaf(domain)].append(domain)
    heads: dict[str, str] = {}
    for leaf, named in sorted(leaves.items()):
        tokens = leaf.split("_")
        found: dict[str, str] = {}  # side -> head leaf, the longest on each side
        for length in range(1, len(tokens)):
            if "_".join(tokens[:length]) in leaves:
                found["first"] = "_".join(tokens[:length])
            if "_".join(tokens[-length:]) in leaves and "last" not in found:
                found["last"] = "_".join(tokens[-length:])
        if len(tokens) == 1:
            # one word: a known name at its end with a modifier before it (sub-event)
            suffixes = [
                other
                for other in leaves
                if "_" not in other
                and len(other) >= _MIN_MODIFIER
                and leaf.endswith(other)
                and len(leaf) - len(other) >= _MIN_MODIFIER
                and leaf[: -len(other)].isalpha()
            ]
            if suffixes:
                found["last"] = max(suffixes, key=lambda o: (len(o), o))
        if len(found) != 1:
            continue
        (head,) = found.values()
        if len(leaves[head]) == 1:
            for domain in named:
                heads[domain] = leaves[head][0]
    return heads


def _leaf(domain: str) -> str:
    return normalise(domain.rpartition(".")[2])


# A domain that this share of the other domains uses (at least 3), and that itself uses at
# most _MAX_USED_SHARE of them, is infrastructure (a `kit`, a `worker`, an `i18n` package).
_MIN_USERS_SHARE = 0.15
_MAX_USED_SHARE = 0.05


def infrastructure_domains(view: _UnitView, units_of: Mapping[str, str]) -> dict[str, str]:
    """Domains that are infrastructure by how they are used, with the reason: used from many
    domains, using almost none, owning no ORM model. The kernel's module-level test misses
    them when their modules are each used by a few domains only (a toolkit package whose
    database, schema and pagination modules together serve every domain).

    Args:
        view: the graph seen as units.
        units_of: each unit's domain.
    """
    users: dict[str, set[str]] = defaultdict(set)
    used: dict[str, set[str]] = defaultdict(set)
    for source, target, _ in view.runtime_edges():
        a, b = units_of.get(source), units_of.get(target)
        if a is not None and b is not None and a != b:
            users[b].add(a)
            used[a].add(b)
    with_models = {units_of[u] for u in view.orm_units if u in units_of}
    domains = sorted(set(units_of.values()))
    others = len(domains) - 1
    found: dict[str, str] = {}
    for domain in domains:
        if domain in with_models or others <= 0:
            continue
        fan_in, fan_out = len(users[domain]), len(used[domain])
        if fan_in >= max(3, _MIN_USERS_SHARE * others) and fan_out <= _MAX_USED_SHARE * others:
            found[domain] = (
                f"infrastructure by how it is used: {fan_in} of {others} domains use {domain},"
                f" it uses {fan_out}, and it owns no ORM model"
            )
    return found
