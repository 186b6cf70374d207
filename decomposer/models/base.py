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


def trusted(cls: type[M], values: dict[str, Any]) -> M:
    """An instance of `cls` from `values` the tool computed itself, already of the fields'
    types and naming every field, without validating them again (validation stays where data
    comes in: files, settings, plans). It equals, hashes and serialises as `cls(**values)`,
    at less than half its cost: the graph stage builds ~80k edge models. (`model_construct`
    would be slower than validating: it fills defaults and aliases field by field.)"""
    instance = object.__new__(cls)
    object.__setattr__(instance, "__dict__", values)
    _SET_FIELDS_SET(instance, set(values))
    _SET_EXTRA(instance, None)
    _SET_PRIVATE(instance, None)
    return instance
