"""benchmarks/quality.py: the scoring rules of the corpus README on hand-built assignments."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from benchmarks.quality import (
    Truth,
    corpus_modules,
    depth_contexts,
    harmonic,
    label_of,
    labeled,
    module_contexts,
    module_name,
    on_modules,
    score,
)
from decomposer.models import DecompositionPlan
from decomposer.models.plan import BoundedContext, SharedKernel

TRUTH = Truth(
    name="shop",
    repo="acme/shop",
    commit="0" * 40,
    source_root="src",
    contexts={
        "orders": ["shop.orders", "shop.api.orders", "shop.models.order"],
        "catalog": ["shop.catalog", "shop.api.catalog"],
        "_shared": ["shop.models", "shop.core"],
    },
)


def test_mojofm_both_ways_and_ari_of_identical_partitions_are_perfect_whatever_the_labels() -> None:
    truth = {"a": "orders", "b": "orders", "c": "catalog", "d": "catalog"}
    proposal = {"a": "x", "b": "x", "c": "y", "d": "y"}
    scores = score(proposal, truth)
    assert (scores.forward, scores.backward, scores.balanced) == (100.0, 100.0, 100.0)
    assert scores.ari == pytest.approx(1.0)
    assert scores.nmi == pytest.approx(1.0)
    assert (scores.modules, scores.clusters) == (4, 2)


def test_all_in_one_is_punished_forward_forgiven_backward_and_balanced_is_zero() -> None:
    truth = {"a": "p", "b": "p", "c": "q", "d": "q", "e": "r", "f": "r"}
    scores = score(dict.fromkeys(truth, "all"), truth)
    # forward: 4 moves, worst case 6 - 2; backward: 2 joins, worst case 6 - 1
    assert (scores.forward, scores.backward) == (0.0, pytest.approx(60.0))
    assert scores.balanced == 0.0
    assert scores.ari == pytest.approx(0.0)
    assert scores.nmi == pytest.approx(0.0)


def test_balanced_is_the_harmonic_mean_and_zero_when_both_are() -> None:
    assert harmonic(100.0, 50.0) == pytest.approx(200 / 3)
    assert harmonic(0.0, 0.0) == 0.0


def test_a_module_takes_the_context_of_its_longest_matching_prefix() -> None:
    prefixes = TRUTH.prefixes()
    assert label_of("shop.models.order", prefixes) == "orders"  # file-level override
    assert label_of("shop.models.order_line", prefixes) == "_shared"  # not a dotted prefix
    assert label_of("shop.models", prefixes) == "_shared"  # the prefix itself
    assert label_of("shop.api.orders.views", prefixes) == "orders"
    assert label_of("shop.api", prefixes) is None
    assert label_of("shopping", prefixes) is None


def test_shared_and_unmatched_modules_are_left_out_of_the_score() -> None:
    modules = ["shop", "shop.core.utils", "shop.models", "shop.models.order", "shop.orders"]
    assert labeled(modules, TRUTH) == {"shop.models.order": "orders", "shop.orders": "orders"}


@pytest.mark.parametrize(
    ("path", "module"),
    [
        ("shop/orders/models.py", "shop.orders.models"),
        ("shop/orders/__init__.py", "shop.orders"),
        ("shop/orders/tests/factories.py", None),
        ("shop/migrations/0001_initial.py", None),
        ("shop/build/models.py", None),
        ("shop/.hidden/x.py", None),
        ("shop/orders/test_views.py", None),
        ("shop/orders/views_test.py", None),
        ("shop/orders/tests.py", None),
        ("conftest.py", None),
        ("shop/orders/README.md", None),
        ("shop/my-app/views.py", None),
        ("manage.py", "manage"),
    ],
)
def test_files_become_modules_by_the_readme_rules(path: str, module: str | None) -> None:
    assert module_name(PurePosixPath(path)) == module


def test_a_module_the_proposal_does_not_name_is_a_singleton() -> None:
    objects = ["a", "b", "c"]
    assignment = on_modules(objects, {"a": "x", "src.b": "x"})
    assert assignment["a"] == "x"
    assert len({assignment["b"], assignment["c"], "x"}) == 3


def test_a_proposal_under_another_root_scores_zero_both_ways() -> None:
    truth = {"p.a": "p", "p.b": "p", "q.a": "q", "q.b": "q"}
    wrong_names = {f"src.{m}": c for m, c in truth.items()}
    scores = score(on_modules(truth, wrong_names), truth)
    # every module a singleton: 2 joins of a worst 2, then 2 moves of a worst 3
    assert (scores.forward, scores.backward) == (0.0, pytest.approx(100 / 3))
    assert scores.balanced == 0.0 and scores.ari == pytest.approx(0.0)


def test_depth_2_echoes_the_first_two_parts_of_the_name() -> None:
    assert depth_contexts(["shop", "shop.orders", "shop.orders.models.line"]) == {
        "shop": "shop",
        "shop.orders": "shop.orders",
        "shop.orders.models.line": "shop.orders",
    }


def plan(
    contexts: dict[str, tuple[str, ...]], kernel: tuple[str, ...], split: tuple[str, ...]
) -> DecompositionPlan:
    """A plan with only the members filled in (the rest as model_construct leaves it)."""
    return DecompositionPlan.model_construct(
        split_modules=split,
        contexts=tuple(
            BoundedContext.model_construct(
                name=name,
                modules=tuple(u for u in units if ":" not in u),
                symbols=tuple(u for u in units if ":" in u),
            )
            for name, units in contexts.items()
        ),
        shared_kernel=SharedKernel(
            modules=tuple(u for u in kernel if ":" not in u),
            symbols=tuple(u for u in kernel if ":" in u),
        ),
    )


def test_kernel_modules_are_a_context_of_their_own_and_split_modules_vote() -> None:
    proposal = plan(
        {
            "orders": ("shop.orders", "shop.models", "shop.models:Order", "shop.models:Line"),
            "catalog": ("shop.catalog", "shop.models:Product"),
        },
        kernel=("shop.core", "shop.models:Money", "shop.util:slug"),
        split=("shop.models", "shop.util"),
    )
    assert module_contexts(proposal) == {
        "shop.orders": "orders",
        "shop.catalog": "catalog",
        "shop.core": "_kernel",
        "shop.models": "orders",  # 2 symbols of 4 in orders, 1 in catalog, 1 in the kernel
        "shop.util": "_kernel",  # its only symbol is shared (the module itself is no unit here)
    }


def test_a_tied_vote_keeps_the_module_in_its_own_context() -> None:
    proposal = plan(
        {"a": ("m:X",), "b": ("m", "m:Y")},
        kernel=(),
        split=("m",),
    )
    assert module_contexts(proposal)["m"] == "b"


def test_the_corpus_modules_are_the_python_files_below_the_source_root(tmp_path: Path) -> None:
    files = [
        "server/polar/__init__.py",
        "server/polar/order/service.py",
        "server/polar/order/tests/test_service.py",
        "server/polar/migrations/versions/x.py",
        "server/scripts/backfill.py",
        "server/.venv/lib/site.py",
        "clients/sdk/polar.py",
    ]
    for file in files:
        (tmp_path / file).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / file).write_text("")
    truth = Truth("polar", "polarsource/polar", "0" * 40, "server", {"orders": ("polar.order",)})
    assert corpus_modules(tmp_path, truth) == ["polar", "polar.order.service"]
