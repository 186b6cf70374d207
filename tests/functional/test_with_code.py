"""`decompose scaffold --with-code` on the example monolith: code copied, calls rewritten."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from decomposer.cli import main

PLAN = Path(__file__).resolve().parent.parent / "golden" / "scaffold" / "plan.json"
SUMMARY = re.compile(r"with code: copied (\d+) modules; rewrote (\d+) sites, left (\d+) in place")


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory: pytest.TempPathFactory, example_repo: Path) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("with-code")
    result = CliRunner().invoke(
        main, ["scaffold", str(PLAN), "--out", str(out), "--with-code", str(example_repo)]
    )
    assert result.exit_code == 0, result.output
    return out, result.output


@pytest.fixture(scope="module")
def example_repo() -> Path:
    return Path(__file__).resolve().parent.parent.parent / "examples" / "shop"


def rows(migration: str, section: str) -> list[str]:
    part = migration.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    return [line for line in part.splitlines() if line.startswith("| shop/")]


def test_the_summary_counts_rewritten_and_left_sites(scaffolded: tuple[Path, str]) -> None:
    _, output = scaffolded
    found = SUMMARY.search(output)
    assert found, output
    copied, rewritten, left = (int(n) for n in found.groups())
    assert copied > 0 and rewritten > 0 and left > 0


def test_every_copied_and_generated_python_file_parses(scaffolded: tuple[Path, str]) -> None:
    out, _ = scaffolded
    copies = sorted(out.glob("services/*/*_service/monolith/**/*.py"))
    assert out / "services/orders/orders_service/monolith/shop/orders/services.py" in copies
    for path in [*copies, *out.glob("services/*/*_service/outbound.py")]:
        ast.parse(path.read_text(), filename=str(path))


def test_migration_lists_every_site_with_its_marker(scaffolded: tuple[Path, str]) -> None:
    out, output = scaffolded
    found = SUMMARY.search(output)
    assert found
    rewritten = left = 0
    for migration in sorted(out.glob("services/*/MIGRATION.md")):
        text = migration.read_text()
        rewritten += len(rows(text, "Rewritten"))
        left += len(rows(text, "Left in place"))
    assert (rewritten, left) == (int(found.group(2)), int(found.group(3)))
    orders = (out / "services/orders/MIGRATION.md").read_text()
    assert (
        "| shop/orders/services.py:191 | inventory | `shop.inventory.services:release_reservations`"
        in orders
    )
    assert "orm-argument: argument order is the ORM model shop.models:Order" in orders


def test_rewritten_code_calls_the_generated_clients_and_events(
    scaffolded: tuple[Path, str],
) -> None:
    out, _ = scaffolded
    package = out / "services/orders/orders_service"
    services = (package / "monolith/shop/orders/services.py").read_text()
    assert "outbound.events().order_placed(" in services
    assert "# decomposer: crosses into payments" in services
    assert "from orders_service import outbound" in services
    cart = (package / "monolith/shop/orders/cart.py").read_text()
    assert "outbound.clients().inventory.availability(product_id=product_id).result" in cart
    assert "def availability(" in (package / "clients.py").read_text()
    assert (
        'extend-exclude = ["orders_service/monolith"]'
        in (out / "services/orders/pyproject.toml").read_text()
    )


def test_without_with_code_no_monolith_code_is_written(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["scaffold", str(PLAN), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "with code" not in result.output
    assert not list(tmp_path.glob("services/*/*_service/monolith"))
    assert not list(tmp_path.glob("services/*/MIGRATION.md"))
    assert "extend-exclude" not in (tmp_path / "services/orders/pyproject.toml").read_text()
