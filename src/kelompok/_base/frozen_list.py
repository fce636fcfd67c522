"""``FrozenList``: the immutable sequence whose append does not copy what came before.

A group keeps some records for good: activities, rejections, evaluations. With a
tuple, each event that adds one copies all the others, so recording an activity
costs O(n) in the activities recorded so far. A ``FrozenList`` is a persistent
vector (:class:`kelompok._base.persistent.PVector`): :meth:`append` shares every
full block of 32 items with the list it came from and copies O(log32 n) of
it, and the list it came from is unchanged. It reads like a tuple and is equal
to the tuple of the same items.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar, overload

from kelompok._base.persistent import PVector

T = TypeVar("T")


class FrozenList(Sequence[T]):
    """An immutable sequence, equal to the ``tuple`` (or ``FrozenList``) of the same items.

    "Change" it with :meth:`append` or :meth:`extend`, which return a new list
    and leave this one as it was.
    """

    __slots__ = ("__weakref__", "_v")

    _v: PVector[T]

    def __init__(self, items: Iterable[T] = ()) -> None:
        self._v = items._v if type(items) is FrozenList else PVector.of(items)  # noqa: SLF001

    @classmethod
    def _of(cls, vector: PVector[T]) -> FrozenList[T]:
        new: FrozenList[T] = object.__new__(cls)
        new._v = vector
        return new

    @overload
    def __getitem__(self, index: int, /) -> T: ...
    @overload
    def __getitem__(self, index: slice, /) -> tuple[T, ...]: ...
    def __getitem__(self, index: int | slice, /) -> T | tuple[T, ...]:
        return self._v[index]

    def __len__(self) -> int:
        return len(self._v)

    def __iter__(self) -> Iterator[T]:
        return iter(self._v)

    def __reversed__(self) -> Iterator[T]:
        return reversed(self._v)

    def append(self, item: T) -> FrozenList[T]:
        """A new list with *item* at the end (this one is unchanged)."""
        return FrozenList._of(self._v.append(item))

    def extend(self, items: Iterable[T]) -> FrozenList[T]:
        """A new list with *items* at the end (this one is unchanged)."""
        return FrozenList._of(self._v.extend(items))

    def entries_from(self, start: int) -> Iterator[tuple[int, T]]:
        """``(index, item)`` of the items from *start* on, without walking those before it."""
        return zip(itertools.count(start), self._v._iter_from(start))  # noqa: SLF001

    def appended_since(self, old: FrozenList[Any]) -> int | None:
        """``len(old)`` if this list is *old* with items appended, else ``None`` (by identity)."""
        return self._v.appended_since(old._v)

    def __eq__(self, other: object) -> bool:
        if type(other) is FrozenList:
            return len(self) == len(other) and (
                self._v is other._v or self._v.to_tuple() == other._v.to_tuple()
            )
        if type(other) is tuple:
            # a fresh tuple, never ours: a reflected __eq__ may keep what it is given
            return self._v.to_tuple() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._v.to_tuple())

    def __repr__(self) -> str:
        return f"FrozenList({list(self._v)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenList, (self._v.to_tuple(),))

    def __copy__(self) -> FrozenList[T]:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenList[T]:
        return self


EMPTY: FrozenList[Any] = FrozenList()


def frozen_list(items: Iterable[Any] = ()) -> FrozenList[Any]:
    """*items* as a :class:`FrozenList` (itself when it already is one).

    The converter of every ``FrozenList`` field of kelompok's data classes.
    """
    if type(items) is FrozenList:
        return items
    return FrozenList(items)
