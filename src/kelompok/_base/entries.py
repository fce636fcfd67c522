"""The entries of a collection field, and the ones an event changed: what entry checks read.

An invariant's entry check (docs/model.md §4.7) reads each entry of a map or a
sequence. After an event, ``fire`` hands it only the entries that differ from
the data before, found by the collections' shared structure, not by reading
every entry.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterable, Mapping
from typing import Any

from kelompok._base.frozen import FrozenMap
from kelompok._base.frozen_list import FrozenList


def entries_of(collection: object) -> Iterable[tuple[Any, Any]]:
    """The entries of a collection field: a map's items, a sequence's (index, item) pairs."""
    if type(collection) is FrozenMap:  # the usual fields first, without the ABC's test
        return collection.items()
    if type(collection) is tuple or type(collection) is FrozenList:
        return enumerate(collection)
    if isinstance(collection, Mapping):
        return collection.items()
    if isinstance(collection, tuple | FrozenList):
        return enumerate(collection)
    return ()


def changed_entries(old: object, new: object) -> Iterable[tuple[Any, Any]]:
    """The entries of *new* that are not in *old* (added, or holding another object).

    Read structurally where the collections share their structure; all entries
    of *new* otherwise. An entry *new* lost is not one: a fact about every entry
    holds for fewer entries too.
    """
    if type(new) is FrozenMap and type(old) is FrozenMap:
        keys = new.changed_since(old)
        if keys is not None:
            return [(key, new[key]) for key in keys if key in new]
    elif type(new) is FrozenList and type(old) is FrozenList:
        start = new.appended_since(old)
        if start is not None:
            return new.entries_from(start)
    elif (
        type(new) is tuple
        and type(old) is tuple
        and len(new) >= len(old)
        and all(map(operator.is_, old, new))  # compares len(old) pairs by identity
    ):
        return itertools.islice(enumerate(new), len(old), None)
    return entries_of(new)
