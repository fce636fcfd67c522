"""Whether a value an effect stored is of its field's type all the way down.

``fire`` keeps the data an effect returns, and the group's document is written from
it. A tuple must hold what its annotation says at every level: a list inside it
could be changed in place, with no event, and a ``None`` or a number inside a tuple
of texts makes a document that ``load`` refuses. The top-level test of
:func:`kelompok._data.immutable.value_check` sees neither; these tests read every
level. As at the top level, a ``float`` field may hold a whole number and a moment
may have any UTC offset: the value is the same once loaded (``0.0``, the moment in
UTC). An event changes an entry or two of a large map or sequence, so a collection
field is tested by the entries the event changed, not by all of them.
"""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from collections import abc
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final

import attrs

from kelompok._base.frozen import FrozenMap, frozen_map
from kelompok._base.frozen_list import FrozenList, frozen_list
from kelompok._data.immutable import SIMPLE_CHECKS

Check = Callable[[object], bool]


def exact_check(annotation: Any) -> Check:
    """A test that a value is of *annotation* at every level."""
    return _Builder().check(annotation)


def field_checks(
    annotations: Sequence[Any],
) -> tuple[tuple[Check, ...], tuple[tuple[Check, Check] | None, ...]]:
    """For the fields of a data class: each one's :func:`exact_check`, and its entries' tests.

    The entries' tests, for a map or a sequence field, test an entry's key (or
    index) and its value; a tuple of fixed length is tested whole (``None``). One
    builder serves every field: a class several fields hold is read once.
    """
    builder = _Builder()
    return (
        tuple(builder.check(a) for a in annotations),
        tuple(builder.entries(a) for a in annotations),
    )


def _any(_value: object) -> bool:
    return True


def _never(_value: object) -> bool:
    return False


class _Builder:
    """Builds the tests of one annotation; a class that holds itself is tested lazily."""

    def __init__(self) -> None:
        self._classes: dict[type[Any], Check] = {}

    def entries(self, annotation: Any) -> tuple[Check, Check] | None:
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin in (FrozenMap, abc.Mapping) and len(args) == 2:
            return self.check(args[0]), self.check(args[1])
        if origin is FrozenList and args:
            return _any, self.check(args[0])
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return _any, self.check(args[0])
        return None

    def check(self, annotation: Any) -> Check:  # noqa: PLR0911 -- a case per kind
        simple = SIMPLE_CHECKS.get(annotation)
        if simple is not None:
            return simple
        origin = typing.get_origin(annotation) or annotation
        args = typing.get_args(annotation)
        if origin is typing.Literal:
            allowed = {(type(a), a) for a in args}
            return lambda v: (type(v), v) in allowed
        if isinstance(origin, type) and issubclass(origin, enum.Enum):
            return lambda v: type(v) is origin
        if origin in (typing.Union, types.UnionType):
            checks = [self.check(a) for a in args]
            return lambda v: any(check(v) for check in checks)
        if origin is tuple:
            return self._tuple(args)
        if origin is FrozenList and args:
            item = self.check(args[0])
            return lambda v: type(v) is FrozenList and all(map(item, v))
        if origin in (FrozenMap, abc.Mapping) and len(args) == 2:
            key, value = self.check(args[0]), self.check(args[1])
            return lambda v: type(v) is FrozenMap and all(key(k) and value(x) for k, x in v.items())
        if isinstance(origin, type) and attrs.has(origin):
            return self._class(origin)
        return _never  # a type the definition check refuses

    def _tuple(self, args: tuple[Any, ...]) -> Check:
        if len(args) == 2 and args[1] is Ellipsis:
            item = self.check(args[0])
            return lambda v: type(v) is tuple and all(map(item, v))
        items = [self.check(a) for a in args]
        size = len(items)
        return lambda v: (
            type(v) is tuple
            and len(v) == size
            and all(check(x) for check, x in zip(items, v, strict=True))
        )

    def _class(self, cls: type[Any]) -> Check:
        known = self._classes.get(cls)
        if known is not None:
            return known
        fields: list[tuple[str, Check]] = []

        def check(value: object) -> bool:
            return type(value) is cls and all(test(getattr(value, n)) for n, test in fields)

        self._classes[cls] = check  # before its fields: a class may hold itself
        hints = typing.get_type_hints(cls)
        fields += [(f.name, self.check(hints.get(f.name, f.type))) for f in attrs.fields(cls)]
        return check


_RELOADED: tuple[Any, ...] = (float, dt.datetime)
"""The types whose values :func:`exact_check` lets pass in a form ``load`` does not make."""


def reachable(annotation: Any) -> Iterator[Any]:
    """*annotation*, and every annotation inside it: its arguments, the fields of attrs classes.

    Each once, the outer first; a class that holds itself is read once.
    """
    seen: set[Any] = set()
    stack: list[Any] = [annotation]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        yield current
        origin = typing.get_origin(current) or current
        if isinstance(origin, type) and attrs.has(origin):
            stack += typing.get_type_hints(origin).values()
        else:
            stack += typing.get_args(current)


def loads_as_stored(cls: type[Any]) -> bool:
    """Whether every value of attrs class *cls* that passes :func:`exact_check` loads as itself.

    True unless *cls* holds a ``float`` (a whole number in it loads as a float) or a
    moment (any offset loads in UTC) somewhere inside.
    """
    return not any(current in _RELOADED for current in reachable(cls))


_TRUSTED: set[Any] = {frozen_map, frozen_list}
"""Converters whose value is what they were given, checked or frozen: kelompok's own."""
_free: dict[type[Any], bool] = {}


def trust_converter(converter: Any) -> Any:
    """Note *converter* as one that returns only checked text or a frozen copy; returns it."""
    _TRUSTED.add(converter)
    _free.clear()
    return converter


def converts_freely(cls: type[Any]) -> bool:
    """Whether attrs class *cls* (or a class it holds) may hold what it was not given.

    A converter of its own, a default that is not a plain value, or an
    ``__attrs_post_init__`` runs after the payload was checked, and may make
    anything: a ``NaN``, a lone surrogate, a number out of range. What such a class
    makes must then be checked once more before it is recorded or kept.
    """
    known = _free.get(cls)
    if known is not None:
        return known
    found = any(
        hasattr(current, "__attrs_post_init__") or any(_own_value(f) for f in attrs.fields(current))
        for current in reachable(cls)
        if isinstance(current, type) and attrs.has(current)
    )
    _free[cls] = found
    return found


_PLAIN_FACTORIES: Final = frozenset({list, dict, tuple, frozenset, FrozenList, FrozenMap})


def _own_value(field: attrs.Attribute[Any]) -> bool:
    """Whether *field* has a converter of its class's own, or a default that is no plain value."""
    if field.converter is not None and field.converter not in _TRUSTED:
        return True
    default = field.default
    if default is attrs.NOTHING or default is None or type(default) is bool:
        return False
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        return default.factory not in _PLAIN_FACTORIES and default.factory not in _TRUSTED
    if type(default) is int:
        return not -(2**63) <= default < 2**63
    if type(default) is str:
        return not (default.isascii() or _encodes(default))
    return bool(default != ())  # a float may be NaN; anything else is the class's own


def _encodes(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True
