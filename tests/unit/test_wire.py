"""Wire types: monolith annotations mapped onto what JSON carries, and edited plans checked."""

from __future__ import annotations

import pytest

from decomposer import wire

MODELS = {"shop.models.Order": "shop.models:Order"}


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        ("int", "int"),
        ("typing.Optional[int]", "int | None"),
        ("typing.Union[int, str, None]", "int | str | None"),
        ("dict[int, decimal.Decimal]", "dict[int, decimal.Decimal]"),
        ("collections.abc.Sequence[str]", "list[str]"),
        ("tuple[int, ...]", "list[int]"),
        ("tuple[int, str]", "tuple[int, str]"),
        ("typing.Literal['a', 'b']", "Literal['a', 'b']"),
        ("typing.Annotated[int, 'meta']", "int"),
        ("typing.Counter[str]", "dict[str, int]"),
        ("datetime.datetime | None", "datetime.datetime | None"),
        ("typing.Any | None", "Any | None"),
    ],
)
def test_annotations_map_onto_wire_types(annotation: str, expected: str) -> None:
    assert wire.to_wire(annotation, MODELS).type == expected


def test_an_orm_model_travels_as_its_fields_and_is_named() -> None:
    found = wire.to_wire("list[shop.models.Order] | None", MODELS)

    assert found.type == "list[dict[str, Any]] | None"
    assert found.models == ("shop.models:Order",)
    assert "ORM model shop.models:Order" in found.notes[0]


def test_a_class_with_no_json_form_travels_untyped_with_a_note() -> None:
    found = wire.to_wire("shop.pricing.Breakdown", MODELS)

    assert (found.type, found.models) == ("Any", ())
    assert found.notes == ("shop.pricing.Breakdown: no JSON form known, travels untyped",)
    assert wire.to_wire(None, MODELS).notes == ("not annotated in the monolith",)


@pytest.mark.parametrize(
    "bad",
    ["os.system('id')", "__import__('os')", "Foo", "list[int, str]", "Literal[x]", "lambda: 1"],
)
def test_anything_but_a_wire_type_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        wire.check(bad)


def test_code_imports_and_examples_of_a_wire_type() -> None:
    assert wire.python("dict[int, decimal.Decimal] | None") == "dict[int, _decimal.Decimal] | None"
    assert wire.imports(["dict[int, decimal.Decimal]", "Literal['a']", "Any"]) == [
        "from typing import Any",
        "from typing import Literal",
        "import decimal as _decimal",
    ]
    assert wire.example("dict[int, decimal.Decimal]") == {"1": "12.50"}
    assert wire.example("list[datetime.date] | None") == ["2024-05-01"]
    assert wire.example("Literal['b', 'c']") == "b"


def test_a_parameter_that_pydantic_already_names_gets_a_trailing_underscore() -> None:
    assert wire.attribute("json") == "json_"
    assert wire.attribute("model_id") == "model_id_"
    assert wire.attribute("product_id") == "product_id"
    assert wire.attribute("self") == "self_"  # the client method's own first parameter
    assert wire.attribute("_") == "arg_"
    assert wire.attribute("_private") == "arg_private"


def test_a_default_is_a_constant_only_when_json_can_carry_it() -> None:
    assert [wire.constant(t) for t in ("None", "True", "3", "1.5", "'EUR'")] == [
        None,
        True,
        3,
        1.5,
        "EUR",
    ]
    for text in ("utcnow()", "[]", "DEFAULT_REASON", "{'a': 1}"):
        with pytest.raises(ValueError):
            wire.constant(text)
