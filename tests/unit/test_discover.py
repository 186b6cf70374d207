"""Discovery (repository folder -> SourceTree) and settings loading."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

from decomposer.config import Settings, load_settings
from decomposer.discover import find_sources
from decomposer.errors import ConfigError, UserError
from decomposer.models import SourceTree


def make_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write {relative path: text or bytes} under `root` and return it."""
    root.mkdir(parents=True, exist_ok=True)
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


def discover(repo: Path, **settings: object) -> SourceTree:
    return find_sources(repo, Settings(**settings))  # type: ignore[arg-type]


def modules(tree: SourceTree) -> set[str]:
    return {f.module for f in tree.files}


def skipped(tree: SourceTree) -> dict[str, str]:
    return {s.path: s.reason for s in tree.skipped}


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"discovery did not finish within {seconds}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


SHOP = {"shop/__init__.py": "", "shop/orders.py": "", "shop/payments/__init__.py": ""}


# --------------------------------------------------------------------------- layouts


def test_flat_layout_names_modules_from_the_repo_root(tmp_path: Path) -> None:
    tree = discover(make_tree(tmp_path / "repo", {**SHOP, "manage.py": ""}))
    assert modules(tree) == {"shop", "shop.orders", "shop.payments", "manage"}
    assert tree.roots == (".",)
    orders = next(f for f in tree.files if f.module == "shop.orders")
    assert (orders.path, orders.is_package, orders.root) == ("shop/orders.py", False, ".")
    assert next(f for f in tree.files if f.module == "shop").is_package


def test_src_layout_names_modules_from_src(tmp_path: Path) -> None:
    files = {f"src/{path}": text for path, text in SHOP.items()}
    tree = discover(make_tree(tmp_path / "repo", {**files, "setup.py": "", "noxfile.py": ""}))
    assert modules(tree) == {"shop", "shop.orders", "shop.payments"}
    assert tree.roots == ("src",)
    assert {f.path for f in tree.files} == set(files)


def test_several_top_level_packages_are_all_found(tmp_path: Path) -> None:
    repo = make_tree(tmp_path / "repo", {**SHOP, "billing/__init__.py": "", "billing/api.py": ""})
    assert modules(discover(repo)) == {
        "shop",
        "shop.orders",
        "shop.payments",
        "billing",
        "billing.api",
    }


def test_django_project_with_manage_py_in_a_subfolder_is_the_source_root(tmp_path: Path) -> None:
    repo = make_tree(
        tmp_path / "repo",
        {
            "pyproject.toml": "",
            "docs/conf.py": "",
            "tasks.py": "",
            "src/backend/project/manage.py": "",
            "src/backend/project/project/__init__.py": "",
            "src/backend/project/project/settings.py": "INSTALLED_APPS = ['billing']\n",
            "src/backend/project/billing/__init__.py": "",
            "src/backend/project/billing/models.py": "from project import settings\n" * 20,
            "src/backend/project/build/__init__.py": "",
            "src/backend/project/build/models.py": "x = 1\n" * 20,
        },
    )
    tree = discover(repo)
    assert tree.roots == ("src/backend/project",)
    assert {"billing.models", "project.settings", "manage", "build.models"} <= modules(tree)
    assert not any(m.startswith("src.") for m in modules(tree))


def test_monorepo_application_declared_in_a_subfolder_is_the_source_root(tmp_path: Path) -> None:
    repo = make_tree(
        tmp_path / "repo",
        {
            "dev/setup_env.py": "x = 1\n" * 50,
            "sdk/client.py": "",
            "server/pyproject.toml": "[project]\nname = 'polaris'\n",
            "server/polaris/__init__.py": "",
            "server/polaris/orders/__init__.py": "",
            "server/polaris/orders/service.py": "x = 1\n" * 30,
            "server/scripts/backfill.py": "",
        },
    )
    tree = discover(repo)
    assert tree.roots == ("server",)
    assert {"polaris.orders.service", "polaris"} <= modules(tree)
    assert skipped(tree) == {"dev": "outside-project", "sdk": "outside-project"}


def test_folder_without_init_is_a_namespace_package(tmp_path: Path) -> None:
    repo = make_tree(tmp_path / "repo", {"acme/plugins/auth/login.py": "", "acme/core.py": ""})
    tree = discover(repo)
    assert modules(tree) == {"acme.plugins.auth.login", "acme.core"}
    assert not any(f.is_package for f in tree.files)


def test_package_folder_itself_prefixes_modules_with_its_name(tmp_path: Path) -> None:
    repo = make_tree(tmp_path / "shop", {"__init__.py": "", "orders.py": "", "pay/__init__.py": ""})
    tree = discover(repo)
    assert modules(tree) == {"shop", "shop.orders", "shop.pay"}
    assert next(f for f in tree.files if f.module == "shop").is_package


# --------------------------------------------------------------------------- tests and migrations

TESTS = {
    "tests/__init__.py": "",
    "tests/test_top.py": "",
    "shop/tests/__init__.py": "",
    "shop/tests/helpers.py": "",
    "shop/test_orders.py": "",
    "shop/orders_test.py": "",
    "shop/tests.py": "",
    "shop/conftest.py": "",
}


def test_test_files_and_folders_are_skipped_by_default(tmp_path: Path) -> None:
    tree = discover(make_tree(tmp_path / "repo", {**SHOP, **TESTS}))
    assert modules(tree) == {"shop", "shop.orders", "shop.payments"}
    assert tree.skipped == ()


def test_include_tests_keeps_test_files_and_folders(tmp_path: Path) -> None:
    tree = discover(make_tree(tmp_path / "repo", {**SHOP, **TESTS}), include_tests=True)
    assert modules(tree) >= {
        "tests",
        "tests.test_top",
        "shop.tests",
        "shop.tests.helpers",
        "shop.test_orders",
        "shop.orders_test",
        "shop.conftest",
    }


MIGRATIONS = {
    "shop/migrations/__init__.py": "",
    "shop/migrations/0001_initial.py": "",
    "alembic/env.py": "",
    "alembic/versions/1a2b3c_add_orders.py": "",
}


def test_django_and_alembic_migrations_are_skipped_by_default(tmp_path: Path) -> None:
    tree = discover(make_tree(tmp_path / "repo", {**SHOP, **MIGRATIONS}))
    assert modules(tree) == {"shop", "shop.orders", "shop.payments"}


def test_include_migrations_keeps_migrations(tmp_path: Path) -> None:
    tree = discover(make_tree(tmp_path / "repo", {**SHOP, **MIGRATIONS}), include_migrations=True)
    assert modules(tree) >= {
        "shop.migrations",
        "shop.migrations.0001_initial",
        "alembic.env",
        "alembic.versions.1a2b3c_add_orders",
    }


def test_package_named_migrations_without_numbered_files_is_kept(tmp_path: Path) -> None:
    repo = make_tree(
        tmp_path / "repo",
        {"fw/__init__.py": "", "fw/migrations/__init__.py": "", "fw/migrations/operations.py": ""},
    )
    assert modules(discover(repo)) == {"fw", "fw.migrations", "fw.migrations.operations"}


# --------------------------------------------------------------------------- excluded folders


@pytest.mark.parametrize(
    "extra",
    [
        {".venv/lib/site.py": "", ".venv/pyvenv.cfg": ""},
        {"venv/lib/site.py": ""},
        {"myenv/pyvenv.cfg": "home = /usr/bin\n", "myenv/lib/site.py": ""},
        {"build/lib/shop/orders.py": ""},
        {"dist/shop/orders.py": ""},
        {"node_modules/pkg/gyp.py": ""},
        {".hidden/tool.py": "", ".git/hooks/hook.py": ""},
        {"shop.egg-info/meta.py": ""},
    ],
    ids=["dot-venv", "venv", "pyvenv-cfg", "build", "dist", "node_modules", "hidden", "egg-info"],
)
def test_environment_and_build_folders_are_skipped(tmp_path: Path, extra: dict[str, str]) -> None:
    tree = discover(make_tree(tmp_path / "repo", {**SHOP, **extra}))
    assert modules(tree) == {"shop", "shop.orders", "shop.payments"}
    assert tree.skipped == ()


def test_exclude_globs_skip_folders_and_files(tmp_path: Path) -> None:
    repo = make_tree(
        tmp_path / "repo",
        {**SHOP, "shop/legacy/__init__.py": "", "shop/legacy/old.py": "", "shop/gen_pb2.py": ""},
    )
    tree = discover(repo, exclude=("shop/legacy/*", "*_pb2.py"))
    assert modules(tree) == {"shop", "shop.orders", "shop.payments"}


# --------------------------------------------------------------------------- skipped with a reason


def test_file_over_max_file_kb_is_skipped_as_too_large(tmp_path: Path) -> None:
    repo = make_tree(tmp_path / "repo", {**SHOP, "shop/generated.py": "x = 1\n" * 1000})
    tree = discover(repo, max_file_kb=1)
    assert "shop.generated" not in modules(tree)
    [skip] = tree.skipped
    assert (skip.path, skip.reason) == ("shop/generated.py", "too-large")
    assert "max_file_kb=1" in skip.message


def test_symlink_loop_is_reported_and_does_not_hang(tmp_path: Path) -> None:
    repo = make_tree(tmp_path / "repo", SHOP)
    os.symlink(repo / "shop", repo / "shop" / "payments" / "loop")
    with time_limit(20):
        tree = discover(repo)
    assert modules(tree) == {"shop", "shop.orders", "shop.payments"}
    assert skipped(tree) == {"shop/payments/loop": "symlink-loop"}


def test_file_name_no_import_can_name_is_skipped_as_invalid_module_name(tmp_path: Path) -> None:
    tree = discover(make_tree(tmp_path / "repo", {**SHOP, "shop/views.old.py": ""}))
    assert modules(tree) == {"shop", "shop.orders", "shop.payments"}
    assert skipped(tree) == {"shop/views.old.py": "invalid-module-name"}


def test_module_beside_same_named_package_is_skipped_as_duplicate(tmp_path: Path) -> None:
    tree = discover(make_tree(tmp_path / "repo", {**SHOP, "shop/payments.py": ""}))
    payments = [f for f in tree.files if f.module == "shop.payments"]
    assert [f.path for f in payments] == ["shop/payments/__init__.py"]
    assert skipped(tree) == {"shop/payments.py": "duplicate-module"}
    assert "shop/payments/__init__.py" in tree.skipped[0].message


# --------------------------------------------------------------------------- roots and errors


def test_source_roots_setting_names_modules_from_each_root(tmp_path: Path) -> None:
    repo = make_tree(
        tmp_path / "repo",
        {"lib/shop/__init__.py": "", "services/billing/api.py": "", "scripts/run.py": ""},
    )
    tree = discover(repo, source_roots=("lib", "services"))
    assert modules(tree) == {"shop", "billing.api"}
    assert tree.roots == ("lib", "services")
    assert {f.module: f.root for f in tree.files} == {"shop": "lib", "billing.api": "services"}


@pytest.mark.parametrize("root", ["missing", "../outside"])
def test_source_root_that_is_no_folder_inside_the_repo_is_a_user_error(
    tmp_path: Path, root: str
) -> None:
    (tmp_path / "outside").mkdir()
    repo = make_tree(tmp_path / "repo", SHOP)
    with pytest.raises(UserError, match="source root"):
        discover(repo, source_roots=(root,))


def test_folder_without_python_files_is_a_user_error(tmp_path: Path) -> None:
    repo = make_tree(tmp_path / "repo", {"README.md": "hi\n", "data/rows.csv": "a,b\n"})
    with pytest.raises(UserError, match="no Python files"):
        discover(repo)


def test_output_is_sorted_and_identical_between_runs(tmp_path: Path) -> None:
    repo = make_tree(
        tmp_path / "repo",
        {**SHOP, "zeta/z.py": "", "alpha/a.py": "", "shop/b.ad.py": "", "alpha/a.b.py": ""},
    )
    first, second = discover(repo), discover(repo)
    assert first == second
    assert [f.path for f in first.files] == sorted(f.path for f in first.files)
    assert [s.path for s in first.skipped] == ["alpha/a.b.py", "shop/b.ad.py"]


# --------------------------------------------------------------------------- settings


def test_pyproject_tool_decomposer_table_is_read(tmp_path: Path) -> None:
    repo = make_tree(
        tmp_path / "repo",
        {"pyproject.toml": '[tool.decomposer]\nmax-file-kb = 7\nexclude = ["a/*"]\n'},
    )
    settings = load_settings(repo)
    assert (settings.max_file_kb, settings.exclude) == (7, ("a/*",))


def test_decomposer_toml_is_preferred_over_pyproject(tmp_path: Path) -> None:
    repo = make_tree(
        tmp_path / "repo",
        {
            "pyproject.toml": "[tool.decomposer]\nmax_file_kb = 7\n",
            "decomposer.toml": "max_file_kb = 9\n",
        },
    )
    assert load_settings(repo).max_file_kb == 9


def test_config_file_overrides_the_repo_settings(tmp_path: Path) -> None:
    repo = make_tree(tmp_path / "repo", {"pyproject.toml": "[tool.decomposer]\nmax_file_kb = 7\n"})
    config = make_tree(tmp_path / "cfg", {"ci.toml": "[tool.decomposer]\nmax_file_kb = 11\n"})
    settings = load_settings(repo, config_file=config / "ci.toml")
    assert settings.max_file_kb == 11


def test_overrides_beat_every_file(tmp_path: Path) -> None:
    repo = make_tree(tmp_path / "repo", {"decomposer.toml": "jobs = 2\ninclude_tests = true\n"})
    config = make_tree(tmp_path / "cfg", {"ci.toml": "jobs = 3\n"})
    settings = load_settings(
        repo, config_file=config / "ci.toml", overrides={"jobs": 4, "include_tests": None}
    )
    assert (settings.jobs, settings.include_tests) == (4, True)


def test_unknown_setting_is_a_config_error_naming_it(tmp_path: Path) -> None:
    repo = make_tree(tmp_path / "repo", {"pyproject.toml": "[tool.decomposer]\nmax_fil_kb = 7\n"})
    with pytest.raises(ConfigError) as info:
        load_settings(repo)
    assert "tool.decomposer.max_fil_kb: unknown setting" in info.value.message


def test_out_of_range_setting_is_a_config_error_naming_the_field(tmp_path: Path) -> None:
    repo = make_tree(tmp_path / "repo", {"decomposer.toml": "max_file_kb = 0\njobs = -1\n"})
    with pytest.raises(ConfigError) as info:
        load_settings(repo)
    lines = info.value.message.splitlines()
    assert any(line.startswith("tool.decomposer.max_file_kb: ") for line in lines)
    assert any(line.startswith("tool.decomposer.jobs: ") for line in lines)


def test_invalid_toml_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    repo = make_tree(tmp_path / "repo", {"pyproject.toml": "[tool.decomposer\nmax_file_kb = \n"})
    with pytest.raises(ConfigError, match=r"pyproject\.toml: not valid TOML"):
        load_settings(repo)


def test_what_the_defaults_leave_out_is_counted_by_kind(tmp_path: Path) -> None:
    """Issue 12.7: 539 tests and migrations were left out and the summary said skipped 0."""
    repo = make_tree(
        tmp_path / "repo",
        {
            **SHOP,
            "shop/tests/__init__.py": "",
            "shop/tests/test_orders.py": "",
            "shop/tests/helpers/fixtures.py": "",
            "shop/test_payments.py": "",
            "shop/migrations/0001_initial.py": "",
            "shop/migrations/0002_more.py": "",
            ".git/hooks/x.py": "",
        },
    )
    tree = discover(repo)
    found = {(e.kind, e.path): e.files for e in tree.excluded}
    assert found == {
        ("tests", "shop/tests"): 3,
        ("tests", "shop/test_payments.py"): 1,
        ("migrations", "shop/migrations"): 2,
    }
