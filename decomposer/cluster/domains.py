"""The monolith's own domain units: the apps, packages and per-domain files an architect sees.

A real monolith names its domains. Some give each one a package (saleor.order, a Django app);
many also mirror those packages in technical layers (saleor.graphql.order, admin.categories,
polar.models.order, customer_portal.endpoints.subscription); a layered one cuts every domain
across its layers file by file (base/models/orders.py, control/views/orders.py,
api/views/order.py). The clustering starts from these units instead of from loose modules:
every module is given the domain its path names, if any, and modules of one domain move as one.

How a domain is recognised, with no list of any repository's names:
- A *domain name* is the name of a package right below the project's root (an app), or a
  name that recurs under two or more different layers (`orders` under base/models,
  base/services and control/views). Names of the frameworks' technical files and layers
  (models, views, api, graphql, utils, ...) never are; neither is a name that recurs only
  inside domain packages (every app has its `actions.py`).
- A *layer* is a package most of whose children are named after domains (saleor.graphql,
  misago.admin, polar.models); a *container* is a layer, or a package most of whose modules
  sit in such layers (customer_portal/endpoints/<domain>.py). Containers never name a domain.
- A module's domain is the first name on its path, from the top, that is a domain name and
  not a container; a file named `<domain>_<rest>` (order_confirm.py, product_price.py) names
  that domain too. A module with no domain on its path belongs to the first package on it
  named other than technically (one plugin of a plugin family: plugins/stripe/*), if any.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from decomposer.cluster.units import common_root
from decomposer.models import LayoutKind

# Names the frameworks and common layouts give to technical files and layers: never a domain.
TECHNICAL_NAMES = frozenset(
    {
        "abstract", "actions", "addons", "contrib", "extensions", "integration", "integrations",
        "plugin", "plugins", "admin", "api", "apis", "apps", "asgi", "auth_backends",
        "backends", "base", "bases", "bin", "celery", "cli", "client", "clients", "commands",
        "common", "conf", "config", "constants", "context_processors", "controllers", "core",
        "dataloaders", "db", "decorators", "dependencies", "deps", "endpoints", "enums",
        "errors", "exceptions", "factories", "fields", "filters", "forms", "graphql",
        "handlers", "helpers", "hooks", "interfaces", "jobs", "lib", "libs", "management",
        "managers", "middleware", "middlewares", "mixins", "models", "mutations", "queries",
        "receivers", "repositories", "repository", "resolvers", "rest", "routers", "routes",
        "schema", "schemas", "scripts", "serializers", "service", "services", "setting",
        "settings", "shared", "signals", "sorters", "storage", "tasks", "templatetags", "types",
        "urls", "utils", "util", "validators", "views", "widgets", "workers", "wsgi",
    }
)  # fmt: skip
_API_VERSION = re.compile(r"^(api)?v\d+$|^api_?v\d+$")
_LAYER_SHARE = 0.5  # a layer: at least half of its named children are domains
_LAYER_MIN_DOMAINS = 2
_DOMINANT_SHARE = 0.8
_MINOR_SHARE = 0.2  # below this share of the modules with a domain, a layout is not followed


@dataclass(frozen=True)
class DomainMap:
    """Each module's domain (where its path names one), and how the names were found."""

    root: str
    domains: frozenset[str]
    containers: frozenset[str]
    module_domain: dict[str, str]
    spelling: dict[str, str]  # a domain as the code spells it: the app package's own name

    def layout(self) -> tuple[LayoutKind, int, int]:
        """Which layout the domains follow: (kind, modules in apps, modules in layers)."""
        in_apps = in_layers = 0
        for module, domain in self.module_domain.items():
            parts = _below(module, self.root)
            if parts and normalise(parts[0]) == domain:
                in_apps += 1
            elif any(".".join(parts[:d]) in self.containers for d in range(1, len(parts))):
                in_layers += 1
        found = in_apps + in_layers
        if not self.domains or not found:
            return "packages", in_apps, in_layers
        if in_layers < _MINOR_SHARE * found:
            return "apps", in_apps, in_layers
        if in_apps < _MINOR_SHARE * found:
            return "layers", in_apps, in_layers
        return "apps-and-layers", in_apps, in_layers

    def domain_of(self, module: str) -> str | None:
        return self.module_domain.get(module)

    def label(self, module: str) -> str:
        """A word for the module in a context's name: its domain, else the first name on its
        path that is not technical (i18n for base/i18n.py), else its own name."""
        domain = self.module_domain.get(module)
        if domain is not None:
            return self.spelling.get(domain, domain.rpartition(".")[2])
        parts = _below(module, self.root) or (module,)
        named = next((p for p in parts if not is_technical(p)), parts[-1])
        return named.lower().strip("_") or named


# Public functions


def normalise(name: str) -> str:
    """One spelling per domain name: lower case, singular (orders -> order, categories ->
    category, addresses -> address)."""
    name = name.lower().strip("_")
    if name.endswith("ies") and len(name) > 4:
        return name[:-3] + "y"
    if name.endswith(("sses", "shes", "ches", "xes")) and len(name) > 4:
        return name[:-2]
    if name.endswith("s") and not name.endswith(("ss", "us", "is")) and len(name) > 3:
        return name[:-1]
    return name


def is_technical(name: str) -> bool:
    normal = name.lower().strip("_")
    return (
        normal in TECHNICAL_NAMES
        or normalise(name) in TECHNICAL_NAMES
        or bool(_API_VERSION.match(normal))
        or normal.startswith(("test", "__"))
    )


def find_domains(
    modules: Iterable[str], packages: Iterable[str], apps: Iterable[str] = ()
) -> DomainMap:
    """Give every module the domain its path names (see the module docstring). `apps` are the
    packages the framework's configuration names as apps (Django's INSTALLED_APPS): each one
    not named technically is a domain name, wherever it sits."""
    modules = sorted(modules)
    packages = set(packages)
    root = _project_root(modules)
    paths = {m: _below(m, root) for m in modules}
    children: dict[tuple[str, ...], set[str]] = defaultdict(set)
    sizes: Counter[tuple[str, ...]] = Counter()  # modules at or below each path
    for parts in paths.values():
        for depth in range(len(parts)):
            children[parts[:depth]].add(parts[depth])
            sizes[parts[: depth + 1]] += 1
    top = {
        normalise(name)
        for name in children.get((), set())
        if not is_technical(name) and _is_package(root, (name,), packages)
    }
    top |= {
        normalise(parts[-1])
        for app in apps
        if (parts := _below(app, root)) and app != root and not is_technical(parts[-1])
    }
    # Where each name stands: the parents it recurs under.
    parents_of: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for parent, names in children.items():
        for name in names:
            if not is_technical(name):
                parents_of[normalise(name)].add(parent)
    # Names recurring under two or more technical layers: a domain cut across layers (pretix's
    # base/models/orders.py, control/views/orders.py). Files every app has (order/actions.py,
    # checkout/actions.py) recur under domains, not layers, and do not count.
    # Names recurring in the layers of one app only (person/models/profile.py with
    # person/forms/profile.py) are that app's own parts, not domains.
    recurring = {
        name
        for name, parents in parents_of.items()
        if sum(1 for p in parents if p and is_technical(p[-1])) >= 2
        and len({p[0] for p in parents if p and is_technical(p[-1])}) >= 2
    }
    domains = frozenset(top | recurring)
    declared = frozenset(parts for app in apps if (parts := _below(app, root)) and app != root)
    containers = _containers(children, sizes, domains, frozenset(top), declared)
    module_domain = {}
    for module, parts in paths.items():
        domain = _domain_on_path(parts, domains, containers)
        if domain is not None:
            module_domain[module] = domain
    return DomainMap(
        root=root,
        domains=domains,
        containers=containers,
        module_domain=module_domain,
        spelling=_spellings(children, domains),
    )


# Private functions


def _project_root(modules: list[str]) -> str:
    """The package the domains sit in: the common root of the modules, or of the top-level
    package that holds nearly all of them (manage.py and a few scripts beside saleor/)."""
    tops = Counter(m.partition(".")[0] for m in modules)
    if not tops:
        return ""
    top, count = max(tops.items(), key=lambda kv: (kv[1], kv[0]))
    if count >= _DOMINANT_SHARE * len(modules):
        return common_root([m for m in modules if m.partition(".")[0] == top])
    return common_root(modules)


def _below(module: str, root: str) -> tuple[str, ...]:
    if root and (module == root or module.startswith(root + ".")):
        return tuple(p for p in module[len(root) + 1 :].split(".") if p)
    return tuple(module.split("."))


def _is_package(root: str, parts: tuple[str, ...], packages: set[str]) -> bool:
    return ".".join(p for p in (root, *parts) if p) in packages


def _containers(
    children: dict[tuple[str, ...], set[str]],
    sizes: Counter[tuple[str, ...]],
    domains: frozenset[str],
    apps: frozenset[str],
    declared: frozenset[tuple[str, ...]],
) -> frozenset[str]:
    """Layers, and packages most of whose modules sit in technical children that are layers
    (customer_portal/endpoints/<domain>.py), as dotted paths. A package the framework declares
    as an app is never a layer for the files named after other apps it holds: those are its
    own slice of each (misago's readtracker/threads.py tracks reading threads)."""
    layers = {
        parent
        for parent, names in children.items()
        if parent
        and parent not in declared
        and _is_layer(parent, names, domains if is_technical(parent[-1]) else apps)
    }
    containers = set(layers)
    for parent, names in children.items():
        layered = sum(sizes[(*parent, n)] for n in names if (*parent, n) in layers)
        if parent and layered * 2 > sizes[parent]:
            containers.add(parent)
    return frozenset(".".join(parent) for parent in containers)


def _is_layer(parent: tuple[str, ...], names: set[str], domains: frozenset[str]) -> bool:
    """Most children named after domains. A technical package (views/, models/) is judged
    against every domain name; a package named like a domain only against the apps, so that
    an app's own subdomains (discount/voucher.py) do not make it a layer."""
    own = normalise(parent[-1])
    named = [n for n in names if not is_technical(n)]
    hits = [n for n in named if normalise(n) in domains and normalise(n) != own]
    return len(hits) >= _LAYER_MIN_DOMAINS and len(hits) >= _LAYER_SHARE * len(named)


def _spellings(
    children: dict[tuple[str, ...], set[str]], domains: frozenset[str]
) -> dict[str, str]:
    """Each domain as the code spells it: the top-level package's name if there is one, else
    the spelling most files use (orders, not order)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for parent, names in sorted(children.items()):
        for name in names:
            normal = normalise(name)
            if normal in domains:
                counts[normal][name.lower().strip("_")] += 100 if not parent else 1
    return {
        domain: max(c.items(), key=lambda kv: (kv[1], kv[0]))[0] for domain, c in counts.items()
    }


def _domain_on_path(
    parts: tuple[str, ...], domains: frozenset[str], containers: frozenset[str]
) -> str | None:
    first_named: str | None = None
    for depth, part in enumerate(parts):
        if is_technical(part) or ".".join(parts[: depth + 1]) in containers:
            continue
        name = normalise(part)
        if name in domains:
            return name
        prefixed = _prefix_domain(part, domains)
        if prefixed is not None:
            return prefixed
        if first_named is None and depth + 1 < len(parts):
            first_named = ".".join(parts[: depth + 1])
    # No domain on the path: the first package named other than technically is the unit (one
    # plugin of a plugin family, plugins/stripe/*), so its modules still move together.
    return first_named


def _prefix_domain(part: str, domains: frozenset[str]) -> str | None:
    """`order_confirm` -> order, `product_price` -> product: the longest domain name the file
    name starts with, followed by an underscore."""
    words = part.lower().strip("_").split("_")
    for length in range(len(words) - 1, 0, -1):
        candidate = normalise("_".join(words[:length]))
        if candidate in domains:
            return candidate
    return None
