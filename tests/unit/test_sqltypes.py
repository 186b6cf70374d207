"""Owned entities' columns: monolith column types mapped onto the services' SQLAlchemy types,
and edited plans checked."""

from __future__ import annotations

import pytest

from decomposer import sqltypes


@pytest.mark.parametrize(
    ("written", "annotation", "expected"),
    [
        ("sqlalchemy.String(64)", "str", "String(64)"),
        ("sqlalchemy.Numeric(10, 2)", "decimal.Decimal", "Numeric(10, 2)"),
        ("sqlalchemy.DateTime(timezone=True)", None, "DateTime(timezone=True)"),
        ("sqlalchemy.dialects.postgresql.JSONB", None, "JSON"),
        ("sqlalchemy.Unicode(20)", None, "String(20)"),
        (None, "int | None", "Integer"),
        (None, "datetime.datetime", "DateTime"),
        (None, "dict[str, Any]", "JSON"),
    ],
)
def test_sqlalchemy_columns_keep_their_type(
    written: str | None, annotation: str | None, expected: str
) -> None:
    assert sqltypes.sqlalchemy_type(written, annotation) == (expected, None)


def test_an_unknown_type_becomes_a_string_with_a_note() -> None:
    found = sqltypes.sqlalchemy_type("shop.types.Money", None)

    assert found.type == "String" and "shop.types.Money" in (found.note or "")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("django.db.models.CharField(max_length=200, unique=True)", "String(200)"),
        ("django.db.models.DecimalField(max_digits=8, decimal_places=2)", "Numeric(8, 2)"),
        ("django.db.models.ForeignKey", "Integer"),
        ("django.db.models.BigAutoField(primary_key=True)", "BigInteger"),
        ("django.db.models.JSONField(default=dict)", "JSON"),
    ],
)
def test_django_fields_map_onto_sqlalchemy_types(written: str, expected: str) -> None:
    assert sqltypes.django_type(written).type == expected


@pytest.mark.parametrize(
    "bad", ["String(os.system('id'))", "Foo", "String(length=x)", "String(evil=1)", "1 + 1"]
)
def test_anything_but_a_column_type_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="not a column type"):
        sqltypes.check(bad)


def test_python_type_of_a_column() -> None:
    assert sqltypes.python_type("Numeric(8, 2)") == "decimal.Decimal"
    assert sqltypes.column_python("Integer", "int | None", {}) == "int"
    assert sqltypes.column_python("JSON", None, {}) == "Any"
