"""Which declared field types a group can keep, and which values an effect may store.

A group's data must not change except through an event, and must round-trip as a
strict JSON document. attrs' ``frozen`` stops attribute assignment, not
``list.append``: a data class with a ``list``, ``dict`` or ``set`` field, a field of
a class that is not frozen, or an ``Any`` field that may hold a list, would let
``g.data.items.append(x)`` change a group with no event. So the types a data or
founding class may declare are a closed list, checked when the type is built:

* texts, whole numbers, numbers, booleans, ``None``, dates and times, ``Literal``
  values and enums;
* ``tuple[X, ...]`` and fixed tuples of those, and ``kelompok.FrozenList[X]`` (a
  sequence whose append does not copy it);
* ``kelompok.FrozenMap[K, V]``, or ``Mapping[K, V]`` with ``converter=kelompok.FrozenMap``;
* frozen attrs classes made of the same.

Payload classes (whose values only pass through, into the effect and a history
record) may also declare ``list`` and ``dict``. And at run time, the fields an
effect changed must hold values of immutable kinds.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import types
import typing
from collections import abc
from collections.abc import Callable
from typing import Any

import attrs

from kelompok._base.frozen import FrozenMap
from kelompok._base.frozen_list import FrozenList

_SCALARS = (str, int, float, bool, type(None), dt.date, dt.datetime)
_ALTERNATIVES = {
    list: "tuple[X, ...]",
    dict: "kelompok.FrozenMap[K, V] (or Mapping[K, V] with converter=kelompok.FrozenMap)",
    set: "a tuple[X, ...] of distinct items (a set has no order a document can keep)",
    frozenset: "a tuple[X, ...] of distinct items (a set has no order a document can keep)",
}
_IMMUTABLE_VALUES = frozenset({*_SCALARS, tuple, FrozenMap, FrozenList})


def is_frozen(cls: type[Any]) -> bool:
    """Whether *cls* is a frozen attrs class."""
    setter = getattr(cls, "__setattr__", None)
    return attrs.has(cls) and getattr(setter, "__name__", "") == "_frozen_setattrs"


def value_check(annotation: Any) -> Callable[[object], bool]:  # noqa: PLR0911 -- a case per kind
    """A test that a value fits *annotation* at its top level (for a field the check allows).

    What an effect or ``initial_data`` stores is tested with it: a value of the wrong
    kind would make a group whose own document ``load`` refuses, or one that changes
    in place. Only the top level is tested; what a tuple or map holds is not.
    """
    origin = typing.get_origin(annotation) or annotation
    args = typing.get_args(annotation)
    simple = SIMPLE_CHECKS.get(annotation)
    if simple is not None:
        return simple
    if origin is typing.Literal:
        allowed = {(type(a), a) for a in args}
        return lambda v: (type(v), v) in allowed
    if origin in (typing.Union, types.UnionType):
        others = [a for a in args if a is not type(None)]
        if len(others) == 1 < len(args):  # X | None, the usual union: no generator per test
            inner = value_check(others[0])
            return lambda v: v is None or inner(v)
        checks = [value_check(a) for a in args]
        return lambda v: any(check(v) for check in checks)
    if origin is tuple:
        return lambda v: type(v) is tuple
    if origin is FrozenList:
        return lambda v: type(v) is FrozenList
    if origin is FrozenMap or origin is abc.Mapping:
        return lambda v: type(v) is FrozenMap
    if isinstance(origin, type):
        return lambda v: type(v) is origin
    return lambda _v: False  # a type the definition check refuses: nothing fits it


def _aware(value: object) -> bool:
    """A moment with an offset, that is a moment in UTC too (``load`` reads it in UTC)."""
    if type(value) is not dt.datetime or value.utcoffset() is None:
        return False
    try:
        value.astimezone(dt.timezone.utc)
    except OverflowError:  # datetime.min at +01:00, say: before the first moment in UTC
        return False
    return True


def _text(value: object) -> bool:
    """Exact text that UTF-8 can write: no lone surrogate, which no document can hold."""
    if type(value) is not str:
        return False
    if value.isascii():
        return True
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


SIMPLE_CHECKS: dict[Any, Callable[[object], bool]] = {
    str: _text,
    int: lambda v: type(v) is int and -(2**63) <= v < 2**63,
    float: lambda v: type(v) in (float, int) and math.isfinite(v),  # type: ignore[arg-type]
    bool: lambda v: v is True or v is False,
    type(None): lambda v: v is None,
    dt.date: lambda v: type(v) is dt.date,
    dt.datetime: _aware,
}


def field_type_problems(cls: type[Any], where: str, *, stored: bool) -> list[str]:
    """Every field of attrs class *cls* (and the classes it holds) that a group cannot keep.

    Args:
        cls: a data, founding or payload class.
        where: how the problems name it (``"data"``).
        stored: the values are kept in the group (data, founding): they must be
            immutable; a payload's may be lists and dicts too.
    """
    problems: list[str] = []
    _check_class(cls, where, problems, set(), stored=stored)
    return problems


def _check_class(
    cls: type[Any], where: str, problems: list[str], seen: set[type[Any]], *, stored: bool
) -> None:
    if cls in seen:
        return
    seen.add(cls)
    if stored and not is_frozen(cls):
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
        if stored and not field.init:
            problems.append(
                f"{where}.{field.name}: a field with init=False cannot be loaded from the "
                "document that holds it; give it init=True"
            )
            continue
        check = _Check(f"{where}.{field.name}", problems, seen, stored=stored)
        check.type(annotation, field.converter)


def enums_in(cls: type[Any]) -> set[type[enum.Enum]]:
    """The enum classes that attrs class *cls* (and the classes it holds) declares."""
    found: set[type[enum.Enum]] = set()
    stack: list[Any] = [cls]
    seen: set[Any] = set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        if isinstance(current, type) and issubclass(current, enum.Enum):
            found.add(current)
        elif isinstance(current, type) and attrs.has(current):
            try:
                stack += typing.get_type_hints(current).values()
            except Exception:  # noqa: BLE001, S112 -- reported by field_type_problems
                continue
        else:
            stack += typing.get_args(current)
    return found


class _Check:
    """Checks one field's annotation, and the types inside it."""

    def __init__(
        self, where: str, problems: list[str], seen: set[type[Any]], *, stored: bool
    ) -> None:
        self.where, self.problems, self.seen, self.stored = where, problems, seen, stored

    def fail(self, why: str) -> None:
        self.problems.append(f"{self.where}: {why}")

    def type(self, annotation: Any, converter: object = False) -> None:  # noqa: C901, FBT002, PLR0911, PLR0912 -- a case per kind
        """Check *annotation*; *converter* is the field's (``False`` inside another type)."""
        origin = typing.get_origin(annotation) or annotation
        args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        if annotation in _SCALARS or origin is typing.Literal:
            return
        if isinstance(origin, type) and issubclass(origin, enum.Enum):
            odd = [m.name for m in origin if type(m.value) not in (str, int)]
            if odd:
                self.fail(f"{origin.__name__} has values that are not texts or whole numbers")
            return
        if annotation in (tuple, FrozenMap, FrozenList, abc.Mapping, typing.Tuple, typing.Mapping):  # noqa: UP006
            self.fail(
                f"a bare {origin.__name__} could hold anything: say what, like tuple[str, ...]"
            )
            return
        if origin in (typing.Union, types.UnionType) or origin is tuple or origin is FrozenList:
            for arg in args:
                self.type(arg)
            return
        if origin in (list, dict, abc.Sequence, abc.MutableSequence, abc.MutableMapping):
            if self.stored:
                plain = dict if origin in (dict, abc.MutableMapping) else list
                self.fail(f"{origin.__name__} can be changed in place; use {_ALTERNATIVES[plain]}")
                return
            for arg in args:
                self.type(arg)
            return
        if origin in (set, frozenset, abc.Set, abc.MutableSet):
            self.fail(f"{origin.__name__} cannot be kept in a document; use {_ALTERNATIVES[set]}")
            return
        if origin is FrozenMap or origin is abc.Mapping:
            if origin is abc.Mapping and self.stored and converter is None:
                self.fail(
                    "a Mapping field needs converter=kelompok.FrozenMap, or a plain dict would "
                    "be stored and could be changed in place"
                )
            elif origin is abc.Mapping and self.stored and converter is False:
                self.fail("a Mapping inside another type must be kelompok.FrozenMap[K, V]")
            for arg in args:
                self.type(arg)
            return
        if isinstance(origin, type) and attrs.has(origin):
            _check_class(origin, self.where, self.problems, self.seen, stored=self.stored)
            return
        name = getattr(annotation, "__name__", None) or str(annotation)
        self.fail(
            f"kelompok cannot keep a {name} in a group or a document: use texts, numbers, "
            "booleans, dates, enums, tuples, FrozenMaps or frozen attrs classes of those"
        )
