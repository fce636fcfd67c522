"""Which declared field types can change after they were checked (and so are refused).

A group's data is immutable so that only an event can change it and a failed
event can leave it as it was. attrs' ``frozen`` stops attribute assignment, not
``list.append``: a data class with a ``list``, ``dict`` or ``set`` field, or with a
field of a class that is not frozen, would let ``g.data.items.append(x)`` change
a group with no event. Such definitions are refused when they are built.
"""

from __future__ import annotations

import functools
import typing
from collections import abc
from typing import Any, TypeVar, cast

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


# -- sealing: no re-initialising in place -------------------------------------------
#
# A frozen attrs instance refuses attribute assignment, yet its own ``__init__``
# and ``__setstate__`` are still callable on it: ``member.__init__(id="x", ...)``
# rewrites a member that a group holds. A sealed class runs them only on an
# instance that is not initialised yet (what ``attrs``, ``copy`` and ``pickle`` do).

_SEALED = "__kelompok_sealed__"


def sealed(cls: type[T]) -> type[T]:
    """Make ``__init__`` and ``__setstate__`` of attrs class *cls* refuse a built instance."""
    if cls.__dict__.get(_SEALED) or not _is_attrs_class(cls):
        return cls
    names = [a.name for a in attrs.fields(cast("type[Any]", cls))]
    if not names:
        return cls
    probe = names[0]

    def _guard(method: Any) -> Any:
        @functools.wraps(method)
        def guarded(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                object.__getattribute__(self, probe)
            except AttributeError:
                return method(self, *args, **kwargs)
            # what assigning to a field of a frozen instance raises, for the same reason
            raise attrs.exceptions.FrozenInstanceError

        return guarded

    setattr(cls, "__init__", _guard(cls.__init__))  # noqa: B010 -- mypy forbids assigning a method
    if "__setstate__" in cls.__dict__:
        setattr(cls, "__setstate__", _guard(cls.__dict__["__setstate__"]))  # noqa: B010
    setattr(cls, _SEALED, True)
    return cls


def seal_tree(cls: type[Any]) -> None:
    """Seal attrs class *cls* and every attrs class its fields hold."""
    stack: list[Any] = [cls]
    seen: set[type[Any]] = set()
    while stack:
        current = stack.pop()
        if current in seen or not _is_attrs_class(current):
            continue
        seen.add(current)
        sealed(current)
        try:
            hints = typing.get_type_hints(current)
        except Exception:  # noqa: BLE001, S112 -- unresolvable: reported by mutable_field_problems
            continue
        for annotation in hints.values():
            stack += _classes_in(annotation)


def _is_attrs_class(value: object) -> bool:
    return isinstance(value, type) and attrs.has(value)


def _classes_in(annotation: Any) -> list[Any]:
    found = [annotation] if isinstance(annotation, type) else []
    for arg in typing.get_args(annotation):
        found += _classes_in(arg)
    return found
