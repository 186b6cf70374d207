"""The generated services' bridge to the monolith's copied code (templates/service/package/
bridge.py), loaded from the template itself: it needs only pydantic."""

from __future__ import annotations

import dataclasses
import enum
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from pydantic import BaseModel, ConfigDict, Field

from decomposer.templating import templates_dir


@pytest.fixture
def bridge(tmp_path: Path) -> ModuleType:
    package = tmp_path / "svc"
    (package / "monolith" / "legacy").mkdir(parents=True)
    (package / "monolith" / "legacy" / "__init__.py").write_text("")
    (package / "monolith" / "legacy" / "prices.py").write_text(
        "def quote(amount, /, *, rate=2):\n    return {'total': amount * rate}\n"
    )
    (package / "monolith" / "legacy" / "broken.py").write_text("def f(:\n    pass\n")
    (package / "monolith" / "legacy" / "needs.py").write_text("import shop_kernel_missing\n")
    (package / "bridge.py").write_text(
        (templates_dir() / "service" / "package" / "bridge.py").read_text()
    )
    spec = importlib.util.spec_from_file_location("svc_bridge", package / "bridge.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    sys.path[:] = [p for p in sys.path if not p.startswith(str(tmp_path))]
    for name in [m for m in sys.modules if m == "legacy" or m.startswith("legacy.")]:
        del sys.modules[name]


class Quote(BaseModel):
    amount: int
    rate: int = 2


def test_calls_the_copy_with_the_fields_the_caller_set(bridge: ModuleType) -> None:
    result = bridge.call_monolith(
        "legacy.prices", "quote", Quote(amount=5), positional_only=("amount",)
    )
    assert result == {"total": 10}
    assert bridge.call_monolith(
        "legacy.prices", "quote", Quote(amount=5, rate=3), positional_only=("amount",)
    ) == {"total": 15}


class BoundTask(BaseModel):
    """A request whose fields were renamed for pydantic, as the generated schemas rename them."""

    model_config = ConfigDict(populate_by_name=True)

    self_: str = Field(alias="self")
    json_: int = Field(alias="json")


def test_calls_the_copy_under_the_parameters_own_names(bridge: ModuleType, tmp_path: Path) -> None:
    # a Celery task bound with bind=True takes `self`; `json` is a BaseModel attribute
    (tmp_path / "svc" / "monolith" / "legacy" / "tasks.py").write_text(
        "def export(self, json):\n    return {'task': self, 'json': json}\n"
    )
    request = BoundTask(self_="task", json_=3)
    assert bridge.call_monolith("legacy.tasks", "export", request) == {"task": "task", "json": 3}


def test_code_that_cannot_load_here_answers_not_implemented(bridge: ModuleType) -> None:
    with pytest.raises(NotImplementedError, match="shop_kernel_missing"):
        bridge.call_monolith("legacy.needs", "f", Quote(amount=1))
    with pytest.raises(NotImplementedError, match=r"broken.py:1"):
        bridge.call_monolith("legacy.broken", "f", Quote(amount=1))


def test_results_become_plain_data(bridge: ModuleType) -> None:
    @dataclasses.dataclass
    class Line:
        sku: str
        colour: Colour

    class Colour(enum.Enum):
        RED = "red"

    assert bridge.plain([Line("MUG", Colour.RED)]) == [{"sku": "MUG", "colour": "red"}]
    assert bridge.plain({"n": (1, 2)}) == {"n": [1, 2]}
