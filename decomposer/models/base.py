"""The base of every model handed between stages."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

M = TypeVar("M", bound=BaseModel)


class Model(BaseModel):
    """Base of every stage model: immutable, and unknown fields are an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


# The slots pydantic keeps beside an instance's __dict__, set without its __setattr__.
_SET_FIELDS_SET = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_SET_EXTRA = BaseModel.__dict__["__pydantic_extra__"].__set__
_SET_PRIVATE = BaseModel.__dict__["__pydantic_private__"].__set__


# The names of every field of each model `trusted` built: one set per model class, which its
# instances share. Pydantic never changes a frozen instance's set in place (model_copy copies
# it before adding the updated names), and the models handed between stages are frozen.
_ALL_FIELDS: dict[type[BaseModel], set[str]] = {}


def trusted(cls: type[M], values: dict[str, Any]) -> M:
    """An instance of `cls` (a frozen model) from `values` the tool computed itself, already
    of the fields' types and naming every field, without validating them again (validation
    stays where data comes in: files, settings, plans). It equals, hashes and serialises as
    `cls(**values)`, at less than half its cost: the graph stage builds ~80k edge models.
    (`model_construct` would be slower than validating: it fills defaults and aliases field
    by field.)"""
    instance = object.__new__(cls)
    object.__setattr__(instance, "__dict__", values)
    fields = _ALL_FIELDS.get(cls)
    if fields is None:
        fields = _ALL_FIELDS[cls] = set(cls.model_fields)
    _SET_FIELDS_SET(instance, fields)
    _SET_EXTRA(instance, None)
    _SET_PRIVATE(instance, None)
    return instance
