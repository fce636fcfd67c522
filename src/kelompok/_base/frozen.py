"""``FrozenMap``: the read-only mapping that every mapping in a group's data is.

Why not ``types.MappingProxyType``: a proxy hands the dict it wraps to the other
operand of a comparison (``proxy == evil`` calls ``evil.__eq__(the_dict)``), and
so do the dict's own views (``keys() == evil`` hands over a view whose
``.mapping`` reaches the dict). Any object compared with ``group.members`` could
keep that dict and change a group without an event. A ``FrozenMap`` owns its
dict and never lets it out: comparisons, views, copies and pickles are given
fresh objects, and every way to "change" it returns a new map.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import (
    ItemsView,
    Iterable,
    Iterator,
    KeysView,
    Mapping,
    ValuesView,
)
from collections.abc import Set as AbstractSet
from typing import Any, TypeVar, overload

K = TypeVar("K")
V = TypeVar("V")
D = TypeVar("D")


class FrozenMap(Mapping[K, V]):
    """An immutable mapping; equal to any mapping with the same items.

    Build one from a mapping or from ``(key, value)`` pairs; "change" one with
    :meth:`set`, :meth:`delete` or :meth:`update`, which return a new map.
    """

    __slots__ = ("_map",)

    _map: dict[K, V]

    def __init__(self, items: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        self._map = dict(items._map if type(items) is FrozenMap else items)  # noqa: SLF001

    @classmethod
    def _own(cls, inner: dict[K, V]) -> FrozenMap[K, V]:
        """A map of *inner* itself, not a copy: only for a dict that nobody else holds."""
        new: FrozenMap[K, V] = object.__new__(cls)
        new._map = inner
        return new

    # -- Mapping ------------------------------------------------------------------

    def __getitem__(self, key: K) -> V:
        return self._map[key]

    def __contains__(self, key: object) -> bool:
        return key in self._map

    def __iter__(self) -> Iterator[K]:
        return iter(self._map)

    def __len__(self) -> int:
        return len(self._map)

    @overload
    def get(self, key: K, /) -> V | None: ...
    @overload
    def get(self, key: K, default: V | D, /) -> V | D: ...
    def get(self, key: K, default: Any = None, /) -> Any:
        return self._map.get(key, default)

    def keys(self) -> KeysView[K]:
        return _Keys(self)

    def values(self) -> ValuesView[V]:
        return _Values(self)

    def items(self) -> ItemsView[K, V]:
        return _Items(self)

    # -- making new maps --------------------------------------------------------

    def set(self, key: K, value: V) -> FrozenMap[K, V]:
        """A new map with *key* set to *value* (this one is unchanged)."""
        inner = dict(self._map)
        inner[key] = value
        return FrozenMap._own(inner)

    def delete(self, key: K) -> FrozenMap[K, V]:
        """A new map without *key*; ``KeyError`` if it has none."""
        inner = dict(self._map)
        del inner[key]
        return FrozenMap._own(inner)

    def update(self, items: Mapping[K, V] | Iterable[tuple[K, V]]) -> FrozenMap[K, V]:
        """A new map with every item of *items* set."""
        inner = dict(self._map)
        inner.update(items)
        return FrozenMap._own(inner)

    # -- comparing, hashing, copying ----------------------------------------------

    def __eq__(self, other: object) -> bool:
        if type(other) is FrozenMap:
            return self._map == other._map
        if isinstance(other, Mapping):
            # A fresh dict, never ours: a reflected __eq__ on the other side may keep it.
            return dict(self._map) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(frozenset(self._map.items()))

    def __repr__(self) -> str:
        return f"FrozenMap({self._map!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenMap, (dict(self._map),))

    def __getstate__(self) -> None:
        msg = "a FrozenMap has no state to take: it pickles as a copy of its items"
        raise TypeError(msg)

    def __copy__(self) -> FrozenMap[K, V]:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenMap[K, V]:
        return self


# The views of collections.abc, iterating the dict directly instead of through
# __iter__ and __getitem__. Never the dict's own views: keys().mapping reaches it.


class _Keys(KeysView[K]):
    __slots__ = ()
    _mapping: FrozenMap[K, Any]

    def __iter__(self) -> Iterator[K]:
        return iter(self._mapping._map)  # noqa: SLF001

    def __eq__(self, other: object) -> bool:
        if isinstance(other, AbstractSet):
            return frozenset(self._mapping._map) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class _Values(ValuesView[V]):
    __slots__ = ()
    _mapping: FrozenMap[Any, V]

    def __iter__(self) -> Iterator[V]:
        return iter(self._mapping._map.values())  # noqa: SLF001


class _Items(ItemsView[K, V]):
    __slots__ = ()
    _mapping: FrozenMap[K, V]

    def __iter__(self) -> Iterator[tuple[K, V]]:
        return iter(self._mapping._map.items())  # noqa: SLF001


EMPTY: FrozenMap[Any, Any] = FrozenMap()


def frozen_map(mapping: Mapping[Any, Any] | Iterable[tuple[Any, Any]] = ()) -> FrozenMap[Any, Any]:
    """*mapping* as a :class:`FrozenMap` (itself when it already is one).

    The converter of every mapping field of kelompok's data classes: frozen
    attrs classes stop attribute assignment, not ``dict.clear()``.
    """
    if type(mapping) is FrozenMap:
        return mapping
    return FrozenMap(mapping)


def own_frozen(mapping: dict[Any, Any]) -> FrozenMap[Any, Any]:
    """A :class:`FrozenMap` of *mapping* itself: for a fresh dict that nobody else holds."""
    return FrozenMap._own(mapping)  # noqa: SLF001


def entries_of(collection: object) -> Iterable[tuple[Any, Any]]:
    """The entries of a collection field: a map's items, a sequence's (index, item) pairs."""
    if isinstance(collection, Mapping):
        return collection.items()
    if isinstance(collection, tuple):
        return enumerate(collection)
    return ()


def changed_entries(old: object, new: object) -> Iterable[tuple[Any, Any]]:
    """The entries of *new* that are not in *old* (added, or holding another object).

    Read structurally where the collections share their structure; all entries
    of *new* otherwise.
    """
    if (
        type(old) is tuple
        and type(new) is tuple
        and len(new) >= len(old)
        and all(map(operator.is_, old, new))  # compares len(old) pairs by identity
    ):
        return itertools.islice(enumerate(new), len(old), None)
    return entries_of(new)
