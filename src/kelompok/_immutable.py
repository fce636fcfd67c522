"""Which declared field types can change after they were checked (and so are refused).

A group's data is immutable so that only an event can change it and a failed
event can leave it as it was. attrs' ``frozen`` stops attribute assignment, not
``list.append``: a data class with a ``list``, ``dict`` or ``set`` field, or with a
field of a class that is not frozen, would let ``g.data.items.append(x)`` change
a group with no event. Such definitions are refused when they are built.
"""

from __future__ import annotations

import typing
from collections import abc
from typing import Any, TypeVar

import attrs

T = TypeVar("T")

_MUTABLE_ORIGINS = (
    list,
    dict,
    set,
    bytearray,
    abc.MutableMapping,
    abc.MutableSequence,
    abc.MutableSet,
)
_ALTERNATIVES = {
    list: "tuple[X, ...]",
    dict: "kelompok.FrozenMap[K, V] (or Mapping[K, V] with converter=kelompok.FrozenMap)",
    set: "frozenset[X]",
    bytearray: "bytes",
}


def _is_frozen(cls: type[Any]) -> bool:
    setter = getattr(cls, "__setattr__", None)
    return getattr(setter, "__name__", "") == "_frozen_setattrs"


def mutable_field_problems(cls: type[Any], where: str) -> list[str]:
    """Every field of attrs class *cls* (and of the attrs classes it holds) that can change."""
    problems: list[str] = []
    _check_class(cls, where, problems, set())
    return problems


def _check_class(cls: type[Any], where: str, problems: list[str], seen: set[type[Any]]) -> None:
    if cls in seen:
        return
    seen.add(cls)
    if not _is_frozen(cls):
        problems.append(
            f"{where}: {cls.__name__} is not frozen; declare it with @attrs.frozen so that "
            "only an event can change a group"
        )
        return
    try:
        hints = typing.get_type_hints(cls)
    except Exception as exc:  # noqa: BLE001 -- any unresolvable annotation is reported
        problems.append(f"{where}: the annotations of {cls.__name__} cannot be resolved ({exc})")
        return
    for field in attrs.fields(cls):
        annotation = hints.get(field.name, field.type)
        _check_type(annotation, f"{where}.{field.name}", field.converter, problems, seen)


def _check_type(
    annotation: Any,
    where: str,
    converter: object | None,
    problems: list[str],
    seen: set[type[Any]],
) -> None:
    """Check one annotation; *converter* is the field's (``False`` inside another type)."""
    origin = typing.get_origin(annotation) or annotation
    if isinstance(origin, type) and issubclass(origin, _MUTABLE_ORIGINS):
        plain = next(t for t in (list, dict, set, bytearray, origin) if issubclass(origin, t))
        better = _ALTERNATIVES.get(plain, "an immutable type")
        problems.append(f"{where}: {origin.__name__} can be changed in place; use {better}")
        return
    if origin is abc.Mapping and converter is None:
        problems.append(
            f"{where}: a Mapping field needs converter=kelompok.FrozenMap, or a plain dict "
            "would be stored and could be changed in place"
        )
    elif origin is abc.Mapping and converter is False:
        problems.append(f"{where}: a Mapping inside another type must be kelompok.FrozenMap[K, V]")
    if isinstance(origin, type) and attrs.has(origin):
        _check_class(origin, where, problems, seen)
    for arg in typing.get_args(annotation):
        if arg is not Ellipsis:
            _check_type(arg, where, False, problems, seen)  # noqa: FBT003 -- "inside a type"
