"""Persistent collections: ``PMap`` and ``PVector``, new versions that share the old ones' parts.

Why: a group's data is immutable and every event builds new data. With plain dicts and
tuples, one "set" copies the whole dict and one "append" the whole tuple, so one event on a
group of 100,000 members costs O(n) before any check has run, and the invariant checks after
it read every entry again. Here a new version copies only the path to what changed, O(log32
n), and the old version stays valid and unchanged. As versions share their unchanged parts,
:meth:`PMap.changed_since` and :meth:`PVector.appended_since` find what changed by comparing
parts by identity, without reading the entries that did not change.

``PVector`` is Clojure's vector: a 32-way trie of full 32-item leaves, and a tail of 1 to 32
items. Up to 32 items it is only the tail, a plain tuple copied on append. Past that, an
append copies the tail and, every 32nd time, the right edge of the trie (log32 n nodes).

``PMap`` is a plain dict up to ``_SMALL`` entries, copied on every change: below a few
hundred entries that is faster than any trie in pure Python (and as fast as before). Past
that, the hash trie of :mod:`kelompok._base.hamt`, whose leaves are small dicts: lookups are
a dict's (``is``, then ``==``; ``1``, ``1.0`` and ``True`` are one key, hash collisions are
the dict's business), and a change copies one leaf and the log32 n nodes above it. The
insertion order is a ``PVector`` of the same ``(key, value, seq)`` entries, at ``seq``; a
deleted key leaves ``None`` there, and the map is rebuilt compactly when those outnumber the
live entries (amortised O(1) a delete). Below ``_SMALL // 2`` entries it is a dict again.

Nothing published is ever changed (new parts are built from copies), so versions are safe to
share between threads, and an exception from a key's ``__hash__`` or ``__eq__`` leaves
nothing half done.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from itertools import chain, islice
from operator import index, itemgetter
from typing import Any, Generic, TypeVar, overload

from kelompok._base import hamt

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")
D = TypeVar("D")

_SMALL = 128  # a PMap of at most this many entries is a plain dict
_MISSING: Any = object()
_KEY = itemgetter(0)
_VALUE = itemgetter(1)
_new = object.__new__


# -- PVector ---------------------------------------------------------------------------------


def _push(root: tuple[Any, ...], shift: int, tailoff: int, leaf: tuple[Any, ...]) -> Any:
    """``(root, shift)`` of the trie *root* with *leaf* added after its *tailoff* items."""
    if tailoff >> 5 == 1 << shift:  # full: a new root over the old one
        root, shift = (root,), shift + 5
    return _put(root, shift, tailoff, leaf), shift


def _put(node: tuple[Any, ...], level: int, at: int, leaf: tuple[Any, ...]) -> tuple[Any, ...]:
    if not level:
        return leaf
    i = (at >> level) & 31
    children = list(node)
    if i < len(children):
        children[i] = _put(children[i], level - 5, at, leaf)
    else:
        children.append(_put((), level - 5, at, leaf))
    return tuple(children)


def _assoc(node: tuple[Any, ...], level: int, i: int, item: Any) -> tuple[Any, ...]:
    j = (i >> level) & 31
    copy = list(node)
    copy[j] = _assoc(node[j], level - 5, i, item) if level else item
    return tuple(copy)


def _leaves(node: tuple[Any, ...], level: int, first: int = 0) -> Iterator[Any]:
    """The leaves of *node*, from the one holding item *first* (an index of the whole vector)."""
    start = (first >> level) & 31
    if level == 5:
        return islice(node, start, None)
    rest = (_leaves(child, level - 5) for child in islice(node, start + 1, None))
    return chain(_leaves(node[start], level - 5, first), chain.from_iterable(rest))


def _shares_leaves(old: tuple[Any, ...], old_shift: int, new: tuple[Any, ...], shift: int) -> bool:
    """Whether every leaf of the trie *old* is, by identity, the leaf at its place in *new*."""
    for _ in range((shift - old_shift) // 5):
        new = new[0]
    level = old_shift
    while old is not new:
        if len(new) < len(old):
            return False
        if level == 5:  # leaves never change once in the trie
            return all(a is b for a, b in zip(old, new, strict=False))
        last = len(old) - 1
        if any(old[j] is not new[j] for j in range(last)):
            return False
        old, new, level = old[last], new[last], level - 5
    return True


class PVector(Generic[T]):
    """Persistent sequence, append-optimised (like Clojure's vector: 32-way trie + tail)."""

    __slots__ = ("_cnt", "_origin", "_root", "_shift", "_tail")

    _cnt: int
    _shift: int  # 5 bits a level: the root's children are leaves at shift 5
    _root: tuple[Any, ...]
    _tail: tuple[T, ...]
    _origin: object  # kept by append, extend and _set; never shared by vectors built apart

    def __new__(cls, items: Iterable[T] = ()) -> PVector[T]:
        return cls.of(items)

    @staticmethod
    def _make(
        cnt: int, shift: int, root: tuple[Any, ...], tail: tuple[T, ...], origin: object
    ) -> PVector[T]:
        new: PVector[T] = _new(PVector)
        new._cnt, new._shift, new._root, new._tail, new._origin = cnt, shift, root, tail, origin
        return new

    @classmethod
    def of(cls, items: Iterable[T]) -> PVector[T]:
        """A vector of *items*, built bottom-up into the shape that appending them gives."""
        if type(items) is PVector:
            return items
        items = tuple(items)
        cnt = len(items)
        if not cnt:
            return cls.empty()
        tailoff = ((cnt - 1) >> 5) << 5
        level: list[Any] = [items[i : i + 32] for i in range(0, tailoff, 32)]
        shift = 5
        while len(level) > 32:
            level = [tuple(level[i : i + 32]) for i in range(0, len(level), 32)]
            shift += 5
        return PVector._make(cnt, shift, tuple(level), items[tailoff:], object())

    @classmethod
    def own(cls, items: list[T]) -> PVector[T]:
        """A vector of the fresh list *items* (copied all the same: a list can change)."""
        return cls.of(items)

    @classmethod
    def empty(cls) -> PVector[T]:
        """The empty vector."""
        empty: PVector[T] = EMPTY_VECTOR
        return empty

    def __len__(self) -> int:
        return self._cnt

    def _get(self, i: int) -> T:
        tail = self._tail
        tailoff = self._cnt - len(tail)
        if i >= tailoff:
            return tail[i - tailoff]
        node: Any = self._root
        level = self._shift
        while level:
            node = node[(i >> level) & 31]
            level -= 5
        item: T = node[i & 31]
        return item

    @overload
    def __getitem__(self, i: int, /) -> T: ...
    @overload
    def __getitem__(self, i: slice, /) -> tuple[T, ...]: ...
    def __getitem__(self, i: int | slice, /) -> T | tuple[T, ...]:
        if isinstance(i, slice):
            span = range(self._cnt)[i]
            if not span:
                return ()
            if span.step < 0:
                return tuple(map(self._get, span))
            return tuple(islice(self._iter_from(span.start), 0, span.stop - span.start, span.step))
        at = index(i)
        if at < 0:
            at += self._cnt
        if not 0 <= at < self._cnt:
            raise IndexError("PVector index out of range")
        return self._get(at)

    def _iter_from(self, start: int) -> Iterator[T]:
        tail = self._tail
        tailoff = self._cnt - len(tail)
        if start >= tailoff:
            return islice(tail, start - tailoff, None)
        leaves = _leaves(self._root, self._shift, start)
        return islice(chain(chain.from_iterable(leaves), tail), start & 31, None)

    def __iter__(self) -> Iterator[T]:
        if not self._root:
            return iter(self._tail)
        return chain(chain.from_iterable(_leaves(self._root, self._shift)), self._tail)

    def __reversed__(self) -> Iterator[T]:
        return reversed(self.to_tuple())

    def to_tuple(self) -> tuple[T, ...]:
        """The items, as a fresh tuple."""
        return tuple(iter(self))

    def append(self, item: T) -> PVector[T]:
        """A vector with *item* after the items of this one."""
        new: PVector[T] = _new(PVector)
        tail = self._tail
        cnt = self._cnt
        new._cnt = cnt + 1
        if len(tail) < 32:
            new._shift, new._root, new._tail = self._shift, self._root, (*tail, item)
            new._origin = self._origin if cnt else object()
        else:
            new._root, new._shift = _push(self._root, self._shift, cnt - 32, tail)
            new._tail, new._origin = (item,), self._origin
        return new

    def extend(self, items: Iterable[T]) -> PVector[T]:
        """A vector with *items* after the items of this one."""
        more = tuple(items)
        if not more or not self._cnt:
            return self.of(more) if more else self
        root, shift, tail = self._root, self._shift, self._tail
        tailoff = self._cnt - len(tail)
        done = 32 - len(tail)
        tail = (*tail, *more[:done])
        while done < len(more):  # push the full tail, one leaf at a time: the trie is shared
            root, shift = _push(root, shift, tailoff, tail)
            tailoff += 32
            tail = more[done : done + 32]
            done += 32
        return PVector._make(self._cnt + len(more), shift, root, tail, self._origin)

    def _set(self, i: int, item: T) -> PVector[T]:
        """A vector with *item* at index ``0 <= i < len``: for :class:`PMap` only."""
        tail = self._tail
        tailoff = self._cnt - len(tail)
        root = self._root
        if i >= tailoff:
            copy = list(tail)
            copy[i - tailoff] = item
            tail = tuple(copy)
        else:
            root = _assoc(root, self._shift, i, item)
        return PVector._make(self._cnt, self._shift, root, tail, self._origin)

    def appended_since(self, old: PVector[T]) -> int | None:
        """``len(old)`` if this vector is *old* with items appended, else ``None``.

        Checked by identity, in O(log n): the trie leaves that hold *old*'s items must be
        the very same objects here, and so must the items of *old*'s tail (at most 32).
        """
        cnt = old._cnt
        if not cnt:
            return 0
        if self._origin is not old._origin or self._cnt < cnt or self._shift < old._shift:
            return None
        old_tail = old._tail
        old_tailoff = cnt - len(old_tail)
        if old_tailoff and not _shares_leaves(old._root, old._shift, self._root, self._shift):
            return None
        here: Any = self._tail
        if self._cnt - len(here) > old_tailoff:  # the old tail went into the trie
            here, level = self._root, self._shift
            while level:
                here, level = here[(old_tailoff >> level) & 31], level - 5
        if here is not old_tail and any(a is not b for a, b in zip(old_tail, here, strict=False)):
            return None
        return cnt

    def __repr__(self) -> str:
        return f"PVector({list(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (PVector.of, (self.to_tuple(),))


EMPTY_VECTOR: PVector[Any] = PVector._make(0, 5, (), (), object())


# -- PMap ------------------------------------------------------------------------------------


class PMap(Generic[K, V]):
    """Persistent, insertion-ordered map. Immutable: every "change" returns a new PMap."""

    __slots__ = ("_d", "_len", "_order", "_root")

    _d: dict[K, V] | None  # the whole map, while small; else None, and these three:
    _root: Any  # the hash trie (kelompok._base.hamt)
    _order: PVector[hamt.Entry | None]  # the entries, at their seq; None where one was deleted
    _len: int

    def __new__(cls, items: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> PMap[K, V]:
        return cls.of(items)

    @staticmethod
    def _of_dict(d: dict[K, V]) -> PMap[K, V]:
        """A map of the dict *d*, which nobody else holds (a small map keeps it)."""
        new: PMap[K, V] = _new(PMap)
        if len(d) <= _SMALL:
            new._d = d
            return new
        entries = [(key, value, seq) for seq, (key, value) in enumerate(d.items())]
        new._d, new._len = None, len(entries)
        new._root = hamt.node_of({entry[0]: entry for entry in entries}, 0)
        new._order = PVector.of(entries)
        return new

    @staticmethod
    def _large(root: Any, order: PVector[hamt.Entry | None], length: int) -> PMap[K, V]:
        new: PMap[K, V] = _new(PMap)
        new._d, new._root, new._order, new._len = None, root, order, length
        return new

    @classmethod
    def of(cls, items: PMap[K, V] | Mapping[K, V] | Iterable[tuple[K, V]]) -> PMap[K, V]:
        """A map of *items*; of equal keys the last value wins, at the first one's place."""
        if isinstance(items, PMap):
            return items
        return PMap._of_dict(dict(items))

    @classmethod
    def own(cls, d: dict[K, V]) -> PMap[K, V]:
        """A map of the dict *d*, which nobody else may hold: a small map uses it as it is."""
        return PMap._of_dict(d if type(d) is dict else dict(d))

    @classmethod
    def empty(cls) -> PMap[K, V]:
        """The empty map."""
        empty: PMap[K, V] = EMPTY_MAP
        return empty

    # -- reading ------------------------------------------------------------------------------

    def __len__(self) -> int:
        d = self._d
        return len(d) if d is not None else self._len

    def _entry(self, key: object) -> hamt.Entry | None:
        h = hash(key)
        node = self._root
        while type(node) is tuple:
            node = node[h & 31]
            h >>= 5
        return node.get(key)  # type: ignore[no-any-return]

    def __contains__(self, key: object) -> bool:
        d = self._d
        return key in d if d is not None else self._entry(key) is not None

    def __getitem__(self, key: K) -> V:
        d = self._d
        if d is not None:
            return d[key]
        entry = self._entry(key)
        if entry is None:
            raise KeyError(key)
        value: V = entry[1]
        return value

    @overload
    def get(self, key: K, /) -> V | None: ...
    @overload
    def get(self, key: K, default: V | D, /) -> V | D: ...
    def get(self, key: K, default: Any = None, /) -> Any:
        d = self._d
        if d is not None:
            return d.get(key, default)
        entry = self._entry(key)
        return default if entry is None else entry[1]

    def __iter__(self) -> Iterator[K]:
        d = self._d
        return iter(d) if d is not None else map(_KEY, filter(None, self._order))

    def keys(self) -> Iterator[K]:
        """The keys, in insertion order."""
        return iter(self)

    def values(self) -> Iterator[V]:
        """The values, in insertion order."""
        d = self._d
        return iter(d.values()) if d is not None else map(_VALUE, filter(None, self._order))

    def items(self) -> Iterator[tuple[K, V]]:
        """The ``(key, value)`` pairs, in insertion order."""
        d = self._d
        if d is not None:
            return iter(d.items())
        order = self._order  # two passes zipped: faster than itemgetter(0, 1) on each entry
        return zip(map(_KEY, filter(None, order)), map(_VALUE, filter(None, order)), strict=True)

    def to_dict(self) -> dict[K, V]:
        """The entries, as a fresh dict."""
        d = self._d
        return d.copy() if d is not None else dict(self.items())

    # -- new versions -------------------------------------------------------------------------

    def set(self, key: K, value: V) -> PMap[K, V]:
        """A map with *key* set to *value*; a key already here keeps its place."""
        d = self._d
        if d is not None:
            if d.get(key, _MISSING) is value:
                return self
            d = d.copy()
            d[key] = value
            if len(d) > _SMALL:
                return PMap._of_dict(d)
            new: PMap[K, V] = _new(PMap)
            new._d = d
            return new
        done = hamt.put(self._root, key, value, len(self._order))
        if done is None:
            return self
        root, entry, added = done
        if added:
            return PMap._large(root, self._order.append(entry), self._len + 1)
        return PMap._large(root, self._order._set(entry[2], entry), self._len)  # noqa: SLF001

    def delete(self, key: K) -> PMap[K, V]:
        """A map without *key*; ``KeyError`` if there is none."""
        d = self._d
        if d is not None:
            d = d.copy()
            del d[key]
            return PMap._of_dict(d)
        root, seq = hamt.remove(self._root, key)
        length = self._len - 1
        order = self._order._set(seq, None)  # noqa: SLF001 -- its own kind of collection
        if length < _SMALL // 2 or len(order) > 2 * length:  # a dict again, or compacted
            return PMap._of_dict({entry[0]: entry[1] for entry in filter(None, order)})
        return PMap._large(root, order, length)

    def update(self, items: PMap[K, V] | Mapping[K, V] | Iterable[tuple[K, V]]) -> PMap[K, V]:
        """A map with every pair of *items* set, in their order."""
        pairs = list(items.items() if isinstance(items, (PMap, Mapping)) else items)
        if self._d is not None or 8 * len(pairs) > self._len:  # cheaper to build anew
            d = self.to_dict()
            d.update(pairs)
            return PMap._of_dict(d)
        new = self
        for key, value in pairs:
            new = new.set(key, value)
        return new

    # -- what changed -------------------------------------------------------------------------

    def changed_since(self, old: PMap[K, V]) -> list[K] | None:
        """The keys whose entry differs between *old* and this map, or ``None``.

        Added, deleted, or set to a value that is not the same object. When this map was
        made from *old* (in any number of steps), the parts they share are skipped by
        identity: the cost is O(changes * log n). ``None`` when the answer would cost about
        as much as reading every entry (a quarter of them): unrelated or much changed maps.
        """
        if self is old:
            return []
        if self._d is not None and old._d is not None:
            return hamt.diff_dicts(old._d, self._d)
        tries = self._d is None and old._d is None
        if tries and self._order._origin is old._order._origin:  # noqa: SLF001 -- ours too
            out: list[K] = []  # a map built apart (or rebuilt) shares no origin, and no parts
            budget = [max(self._len, old._len) // 4 + 4 * hamt.BUCKET]
            return out if hamt.diff(old._root, self._root, out, budget) else None
        if len(self) + len(old) > 4 * _SMALL:
            return None
        return hamt.diff_dicts(old.to_dict(), self.to_dict())

    def __repr__(self) -> str:
        return f"PMap({self.to_dict()!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (PMap.of, (list(self.items()),))


EMPTY_MAP: PMap[Any, Any] = PMap._of_dict({})  # noqa: SLF001 -- the one
