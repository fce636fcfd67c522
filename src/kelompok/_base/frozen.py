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

from collections.abc import (
    ItemsView,
    Iterable,
    Iterator,
    KeysView,
    Mapping,
    ValuesView,
)
from collections.abc import Set as AbstractSet
from typing import Any, TypeVar, cast, overload

from kelompok._base.hamt import diff_dicts
from kelompok._base.persistent import _SMALL, PMap

K = TypeVar("K")
V = TypeVar("V")
D = TypeVar("D")


class FrozenMap(Mapping[K, V]):
    """An immutable mapping; equal to any mapping with the same items.

    Build one from a mapping or from ``(key, value)`` pairs; "change" one with
    :meth:`set`, :meth:`delete` or :meth:`update`, which return a new map. The
    new map shares what did not change with this one
    (:class:`kelompok._base.persistent.PMap`): setting one key of a map of
    100,000 costs what it costs in a map of ten.
    """

    __slots__ = ("__weakref__", "_map", "_p")

    # A small map is its dict alone, read and copied directly: the fast path, and one
    # object per map. Past _SMALL entries it is a PMap's hash trie.
    _map: dict[K, V] | None  # the items of a small map, else None
    _p: PMap[K, V] | None  # the PMap of a large map, else None

    def __init__(self, items: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        if type(items) is FrozenMap:
            self._map, self._p = items._map, items._p  # noqa: SLF001
            return
        inner = dict(items)
        if len(inner) <= _SMALL:
            self._map, self._p = inner, None
        else:
            self._map, self._p = None, PMap.own(inner)

    @classmethod
    def _of(cls, p: PMap[K, V]) -> FrozenMap[K, V]:
        small = p._d  # noqa: SLF001 -- the dict of a small PMap
        new: FrozenMap[K, V] = object.__new__(cls)
        new._map, new._p = (small, None) if small is not None else (None, p)
        return new

    @classmethod
    def _own(cls, inner: dict[K, V]) -> FrozenMap[K, V]:
        """A map of *inner* itself, not a copy: only for a dict that nobody else holds."""
        if len(inner) > _SMALL:
            return cls._of(PMap.own(inner))
        new: FrozenMap[K, V] = object.__new__(cls)
        new._map, new._p = inner, None
        return new

    def _pmap(self) -> PMap[K, V]:
        p = self._p
        return p if p is not None else PMap.own(cast("dict[K, V]", self._map))

    def _items(self) -> dict[K, V]:
        """The items as a dict: its own one (never to be handed out) or a fresh one."""
        m = self._map
        return m if m is not None else cast("PMap[K, V]", self._p).to_dict()

    # -- Mapping ------------------------------------------------------------------

    def __getitem__(self, key: K) -> V:
        m = self._map
        return m[key] if m is not None else cast("PMap[K, V]", self._p)[key]

    def __contains__(self, key: object) -> bool:
        m = self._map
        return key in m if m is not None else key in cast("PMap[K, V]", self._p)

    def __iter__(self) -> Iterator[K]:
        m = self._map
        return iter(m) if m is not None else iter(cast("PMap[K, V]", self._p))

    def __len__(self) -> int:
        m = self._map
        return len(m) if m is not None else len(cast("PMap[K, V]", self._p))

    @overload
    def get(self, key: K, /) -> V | None: ...
    @overload
    def get(self, key: K, default: V | D, /) -> V | D: ...
    def get(self, key: K, default: Any = None, /) -> Any:
        m = self._map
        return m.get(key, default) if m is not None else self._pmap().get(key, default)

    def keys(self) -> KeysView[K]:
        return _Keys(self)

    def values(self) -> ValuesView[V]:
        return _Values(self)

    def items(self) -> ItemsView[K, V]:
        return _Items(self)

    # -- making new maps --------------------------------------------------------

    def set(self, key: K, value: V) -> FrozenMap[K, V]:
        """A new map with *key* set to *value* (this one is unchanged)."""
        m = self._map
        if m is None:
            return FrozenMap._of(self._pmap().set(key, value))
        inner = m.copy()
        inner[key] = value
        return FrozenMap._own(inner)

    def delete(self, key: K) -> FrozenMap[K, V]:
        """A new map without *key*; ``KeyError`` if it has none."""
        m = self._map
        if m is None:
            return FrozenMap._of(self._pmap().delete(key))
        inner = m.copy()
        del inner[key]
        return FrozenMap._own(inner)

    def update(self, items: Mapping[K, V] | Iterable[tuple[K, V]]) -> FrozenMap[K, V]:
        """A new map with every item of *items* set."""
        m = self._map
        if m is None:
            given = items._pmap() if type(items) is FrozenMap else items  # noqa: SLF001
            return FrozenMap._of(self._pmap().update(given))
        inner = m.copy()
        inner.update(items)
        return FrozenMap._own(inner)

    def to_dict(self) -> dict[K, V]:
        """The items as a new dict (in their order)."""
        m = self._map
        return m.copy() if m is not None else cast("PMap[K, V]", self._p).to_dict()

    def changed_since(self, old: FrozenMap[K, V]) -> list[K] | None:
        """The keys whose entry differs between *old* and this map (see ``PMap.changed_since``)."""
        mine, theirs = self._map, old._map
        if mine is not None and theirs is not None:
            return diff_dicts(theirs, mine)
        return self._pmap().changed_since(old._pmap())

    # -- comparing, hashing, copying ----------------------------------------------

    def __eq__(self, other: object) -> bool:
        if type(other) is FrozenMap:
            # both dicts are ours: the comparison hands them to nobody but each other
            return len(self) == len(other) and self._items() == other._items()
        if isinstance(other, Mapping):
            # A fresh dict, never ours: a reflected __eq__ on the other side may keep it.
            return dict(self._items()) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(frozenset(self._items().items()))

    def __repr__(self) -> str:
        return f"FrozenMap({self._items()!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenMap, (dict(self._items()),))

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
        return iter(self._mapping)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, AbstractSet):
            return frozenset(self._mapping) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class _Values(ValuesView[V]):
    __slots__ = ()
    _mapping: FrozenMap[Any, V]

    def __iter__(self) -> Iterator[V]:
        m = self._mapping._map  # noqa: SLF001
        return iter(m.values()) if m is not None else self._mapping._pmap().values()  # noqa: SLF001


class _Items(ItemsView[K, V]):
    __slots__ = ()
    _mapping: FrozenMap[K, V]

    def __iter__(self) -> Iterator[tuple[K, V]]:
        m = self._mapping._map  # noqa: SLF001
        return iter(m.items()) if m is not None else self._mapping._pmap().items()  # noqa: SLF001


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
