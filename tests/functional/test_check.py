"""`decompose check` as a user meets it: the plan as a contract during the migration."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from decomposer.cli import main

# Two domain packages and a shared utils module; orders already calls payments (the baseline).
SHOP = {
    "shop/__init__.py": "",
    "shop/utils.py": """\
        def money(cents):
            return f"{cents / 100:.2f}"


        def slug(text):
            return text.lower().replace(" ", "-")
        """,
    "shop/orders/__init__.py": "",
    "shop/orders/cart.py": """\
        from shop.utils import money


        class Cart:
            def __init__(self):
                self.lines = []

            def total(self):
                return money(sum(self.lines))
        """,
    "shop/orders/services.py": """\
        from shop.orders.cart import Cart
        from shop.payments import services as payments
        from shop.utils import slug


        def place_order(name):
            cart = Cart()
            payments.charge(name, 100)
            return slug(name), cart.total()
        """,
    "shop/orders/views.py": """\
        from shop.orders import services


        def order_view(name):
            return services.place_order(name)
        """,
    "shop/payments/__init__.py": "",
    "shop/payments/gateway.py": """\
        from shop.utils import money


        def authorize(cents):
            return money(cents)
        """,
    "shop/payments/services.py": """\
        from shop.payments.gateway import authorize
        from shop.utils import slug


        def charge(name, cents):
            return slug(name), authorize(cents)
        """,
    "shop/payments/views.py": """\
        from shop.payments import services


        def charge_view(name):
            return services.charge(name, 100)
        """,
}
# payments now reaches back into orders: an import and a call the plan never had.
NEW_DEPENDENCY = """\
from shop.orders.services import place_order
from shop.utils import money


def authorize(cents):
    place_order("refund")
    return money(cents)
"""
NEW_IMPORT = (
    "shop/payments/gateway.py:1:1: DEC001 shop.payments.gateway imports shop.orders.services:"
    " payments -> orders is not in the plan's baseline"
)
NEW_CALL = (
    "shop/payments/gateway.py:6:5: DEC001 shop.payments.gateway:authorize calls"
    " shop.orders.services:place_order: payments -> orders is not in the plan's baseline"
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def planned(write_tree, tmp_path: Path) -> tuple[Path, Path]:
    """The shop and the plan `analyze` wrote for it."""
    repo = write_tree(SHOP)
    code, _, err = run("analyze", str(repo), "--out", str(tmp_path / "out"), "-q")
    assert code == 0, err
    plan = json.loads((tmp_path / "out" / "plan.json").read_text())
    assert {c["name"]: c["modules"] for c in plan["contexts"]} == {
        "orders": ["shop.orders", "shop.orders.cart", "shop.orders.services", "shop.orders.views"],
        "payments": [
            "shop.payments",
            "shop.payments.gateway",
            "shop.payments.services",
            "shop.payments.views",
        ],
    }
    assert plan["shared_kernel"]["modules"] == ["shop", "shop.utils"]
    return repo, tmp_path / "out" / "plan.json"


def check(repo: Path, plan: Path, *args: str) -> tuple[int, str, str]:
    return run("check", str(repo), "--plan", str(plan), "--out", str(plan.parent), *args)


def test_verbose_check_says_where_the_time_went(planned, settled_at_once, tmp_path: Path) -> None:
    repo, plan = planned
    out = tmp_path / "checked"
    args = ("check", str(repo), "--plan", str(plan), "--out", str(out), "-v")
    code, _, err = run(*args)
    assert code == 0, err
    stages = [line.split()[1] for line in err.splitlines() if line.startswith("stage ")]
    assert stages == [
        "fingerprint",
        "read",
        "discover",
        "extract",
        "graph",
        "check",
        "writes",
        "total",
    ]
    # nothing changed: the last result is kept, and the stages say so
    code, _, err = run(*args)
    assert code == 0, err
    stages = [line.split()[1] for line in err.splitlines() if line.startswith("stage ")]
    assert stages == ["fingerprint", "total"]


def test_unchanged_code_keeps_the_plan(planned) -> None:
    repo, plan = planned
    code, out, _ = check(repo, plan)
    assert code == 0
    assert out == "0 violations in 0 files (baseline: 2 dependencies)\n"


def test_new_cross_context_import_fails_with_its_location(planned) -> None:
    repo, plan = planned
    (repo / "shop" / "payments" / "gateway.py").write_text(NEW_DEPENDENCY)
    code, out, _ = check(repo, plan)
    assert code == 4
    assert out.splitlines() == [
        NEW_IMPORT,
        NEW_CALL,
        "2 violations in 1 file (baseline: 2 dependencies)",
    ]


def test_new_module_joins_its_package_context(planned) -> None:
    repo, plan = planned
    (repo / "shop" / "payments" / "refunds.py").write_text("from shop.orders import services\n")
    code, out, err = check(repo, plan)
    assert code == 4
    assert out.startswith(
        "shop/payments/refunds.py:1:1: DEC001 shop.payments.refunds imports shop.orders.services:"
        " payments -> orders"
    )
    assert "warning" not in err


def test_module_no_package_places_is_reported_not_checked(planned) -> None:
    repo, plan = planned
    (repo / "reviews.py").write_text("from shop.orders import services\n")
    code, out, err = check(repo, plan)
    assert code == 0
    assert out.startswith("0 violations")
    assert "1 new module(s) in no context of the plan, not checked: reviews" in err


def test_sarif_report_lists_each_violation(planned, tmp_path: Path) -> None:
    repo, plan = planned
    (repo / "shop" / "payments" / "gateway.py").write_text(NEW_DEPENDENCY)
    report = tmp_path / "check.sarif"
    code, out, _ = check(repo, plan, "--format", "sarif", "--output", str(report))
    assert code == 4
    assert out == "2 violations in 1 file (baseline: 2 dependencies)\n"
    sarif = json.loads(report.read_text())
    assert sarif["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert sarif["version"] == "2.1.0"
    (run_,) = sarif["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "decomposer"
    assert [r["id"] for r in driver["rules"]] == ["DEC001", "DEC002", "DEC003"]
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
    results = run_["results"]
    assert len(results) == 2
    for result in results:
        assert result["ruleId"] == driver["rules"][result["ruleIndex"]]["id"] == "DEC001"
        assert result["level"] == "error"
        assert result["message"]["text"]
        (location,) = result["locations"]
        assert location["physicalLocation"]["artifactLocation"]["uri"] == (
            "shop/payments/gateway.py"
        )
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in results]
    assert regions == [{"startLine": 1, "startColumn": 1}, {"startLine": 6, "startColumn": 5}]


def test_json_report_is_machine_readable(planned) -> None:
    repo, plan = planned
    (repo / "shop" / "payments" / "gateway.py").write_text(NEW_DEPENDENCY)
    code, out, _ = check(repo, plan, "--format", "json")
    assert code == 4
    document = json.loads(out)
    assert document["baseline"] == 2 and document["files"] == 1
    assert [(v["rule"], v["line"], v["kind"]) for v in document["violations"]] == [
        ("DEC001", 1, "import"),
        ("DEC001", 6, "call"),
    ]


def test_plan_of_another_repository_is_a_user_error(planned, write_tree, tmp_path) -> None:
    _, plan = planned
    other = write_tree({"blog/__init__.py": "", "blog/posts.py": ""}, tmp_path / "blog")
    code, _, err = check(other, plan)
    assert code == 1
    assert "error: none of the plan's modules is in blog" in err


def test_tach_export_lists_every_module(planned, tmp_path: Path) -> None:
    repo, plan = planned
    target = tmp_path / "tach.toml"
    code, _, err = check(repo, plan, "--export-tach", str(target))
    assert code == 0
    assert f"written: {target}" in err
    text = target.read_text()
    assert "# Symbols (module:QualName) cannot be expressed here" in text
    config = tomllib.loads(text)
    assert config["source_roots"] == ["."]
    modules = {m["path"]: m for m in config["modules"]}
    assert sorted(modules) == [
        "shop",
        "shop.orders",
        "shop.orders.cart",
        "shop.orders.services",
        "shop.orders.views",
        "shop.payments",
        "shop.payments.gateway",
        "shop.payments.services",
        "shop.payments.views",
        "shop.utils",
    ]
    assert modules["shop.utils"]["utility"] is True
    assert modules["shop.orders.services"]["depends_on"] == [
        "shop.orders",
        "shop.orders.cart",
        "shop.orders.views",
        "shop.payments.services",
    ]
    assert "shop.orders.services" not in modules["shop.payments.gateway"]["depends_on"]


# import-linter is a test dependency; it runs beside this Python, on the repo's own sys.path.
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(repo: Path, config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), str(config), "--no-cache", "--no-logo"],
        cwd=repo,
        env={**os.environ, "PYTHONPATH": str(repo)},
        capture_output=True,
        text=True,
        check=False,
    )


def test_importlinter_export_keeps_the_same_boundary(planned, tmp_path: Path) -> None:
    repo, plan = planned
    config = tmp_path / "importlinter.toml"
    code, _, _ = check(repo, plan, "--export-importlinter", str(config))
    assert code == 0
    contracts = tomllib.loads(config.read_text())["tool"]["importlinter"]["contracts"]
    orders = next(c for c in contracts if "context orders" in c["name"])
    assert orders["type"] == "forbidden"
    assert "shop.payments.services" in orders["forbidden_modules"]
    assert orders["ignore_imports"] == ["shop.orders.services -> shop.payments.services"]
    if not LINT_IMPORTS.exists():
        pytest.skip("lint-imports is not installed beside this Python")
    kept = _lint_imports(repo, config)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    (repo / "shop" / "payments" / "gateway.py").write_text(NEW_DEPENDENCY)
    broken = _lint_imports(repo, config)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "shop.payments.gateway -> shop.orders.services" in broken.stdout


def test_example_monolith_keeps_its_own_plan(example_repo: Path, tmp_path: Path) -> None:
    """Its composition roots (app.py, commands.py) sit in the kernel and use every context."""
    out = tmp_path / "out"
    code, _, err = run("analyze", str(example_repo), "--out", str(out), "-q")
    assert code == 0, err
    code, stdout, _ = check(example_repo, out / "plan.json")
    assert code == 0
    assert stdout.startswith("0 violations in 0 files (baseline: ")


def test_text_report_can_go_to_a_file(planned, tmp_path: Path) -> None:
    repo, plan = planned
    (repo / "shop" / "payments" / "gateway.py").write_text(NEW_DEPENDENCY)
    report = tmp_path / "report.txt"
    code, out, _ = check(repo, plan, "--output", str(report))
    assert code == 4
    assert out == "2 violations in 1 file (baseline: 2 dependencies)\n"
    assert report.read_text().splitlines()[0] == NEW_IMPORT


# The forbidden import of NEW_DEPENDENCY, hidden behind a syntax error (issue 13: check exited 0)
UNPARSABLE = NEW_DEPENDENCY + "def broken(:\n    pass\n"
NOT_PARSED = (
    "shop/payments/gateway.py:8:12: DEC003 cannot check this file: syntax error: invalid syntax"
)


def test_file_that_cannot_be_parsed_fails_the_check(planned) -> None:
    repo, plan = planned
    (repo / "shop" / "payments" / "gateway.py").write_text(UNPARSABLE)
    code, out, _ = check(repo, plan)
    assert code == 4
    assert out.splitlines() == [
        NOT_PARSED,
        "0 violations in 0 files, 1 file not parsed (baseline: 2 dependencies)",
    ]


def test_allow_unparsed_passes_and_still_lists_the_file(planned) -> None:
    repo, plan = planned
    (repo / "shop" / "payments" / "gateway.py").write_text(UNPARSABLE)
    code, out, _ = check(repo, plan, "--allow-unparsed")
    assert code == 0
    assert NOT_PARSED in out.splitlines()


def test_unparsed_file_is_listed_in_json(planned) -> None:
    repo, plan = planned
    (repo / "shop" / "payments" / "gateway.py").write_text(UNPARSABLE)
    code, out, _ = check(repo, plan, "--format", "json")
    assert code == 4
    document = json.loads(out)
    assert document["unparsed"] == [
        {
            "path": "shop/payments/gateway.py",
            "line": 8,
            "col": 12,
            "rule": "DEC003",
            "reason": "syntax-error",
            "message": "cannot check this file: syntax error: invalid syntax",
        }
    ]
    assert document["summary"].startswith("0 violations in 0 files, 1 file not parsed")


@pytest.mark.parametrize(("allow", "level"), [((), "error"), (("--allow-unparsed",), "warning")])
def test_unparsed_file_is_a_sarif_result(
    planned, tmp_path: Path, allow: tuple[str, ...], level: str
) -> None:
    repo, plan = planned
    (repo / "shop" / "payments" / "gateway.py").write_text(UNPARSABLE)
    report = tmp_path / "check.sarif"
    code, out, _ = check(repo, plan, "--format", "sarif", "--output", str(report), *allow)
    assert code == (0 if allow else 4)
    assert out == "0 violations in 0 files, 1 file not parsed (baseline: 2 dependencies)\n"
    (run_,) = json.loads(report.read_text())["runs"]
    (result,) = run_["results"]
    assert result["ruleId"] == run_["tool"]["driver"]["rules"][result["ruleIndex"]]["id"]
    assert (result["ruleId"], result["level"]) == ("DEC003", level)
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 8, "startColumn": 12}


@pytest.fixture
def settled_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # files written by the test are seconds old at most: trust their stat at once
    from decomposer import discover

    monkeypatch.setattr(discover, "_SETTLED_NS", 0)


def test_a_second_check_with_nothing_changed_reads_no_source(
    planned, settled_at_once, monkeypatch: pytest.MonkeyPatch
) -> None:
    from decomposer import discover

    repo, plan = planned
    (repo / "shop" / "payments" / "gateway.py").write_text(NEW_DEPENDENCY)
    first = check(repo, plan)

    def unread(*_: object) -> bytes:
        raise AssertionError("a source file was read")

    with monkeypatch.context() as patched:
        patched.setattr(discover, "read_source", unread)
        assert check(repo, plan) == first
    assert first[0] == 4 and first[1].splitlines()[:2] == [NEW_IMPORT, NEW_CALL]


def test_a_check_after_a_change_sees_it(planned, settled_at_once) -> None:
    repo, plan = planned
    assert check(repo, plan)[0] == 0
    (repo / "shop" / "payments" / "gateway.py").write_text(NEW_DEPENDENCY)
    code, out, _ = check(repo, plan)
    assert code == 4 and out.splitlines()[:2] == [NEW_IMPORT, NEW_CALL]


def test_a_check_with_other_options_or_another_plan_is_not_the_last_one(
    planned, settled_at_once
) -> None:
    repo, plan = planned
    assert check(repo, plan)[1].startswith("0 violations")
    code, out, _ = check(repo, plan, "--format", "json")
    assert code == 0 and json.loads(out)["violations"] == []
    document = json.loads(plan.read_text())
    document["baseline"] = []
    plan.write_text(json.dumps(document))
    code, out, _ = check(repo, plan)
    assert code == 4 and "0 violations" not in out
