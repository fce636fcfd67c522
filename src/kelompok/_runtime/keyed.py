"""Entries by the key they read: the entries a change to a map they read by key can break.

An entry check may read a map of the data only at the key its entry names (an
activity reads ``programs[activity.program]``): ``Invariant(entry_keys=...)``. When
an event changes that map at some keys, only the entries that name those keys can
be broken. An index from each key to the entries that name it finds them without
reading the others. The index of a collection is kept beside it (by identity, held
weakly: it goes with the collection), and the next version's index is the last
one with the changed entries moved, so an event costs what it changes.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any

from kelompok._base.entries import entries_of
from kelompok._base.frozen import FrozenMap
from kelompok._base.frozen_list import FrozenList

Index = FrozenMap[Hashable, FrozenMap[Hashable, bool]]
"""key -> the entries (their map keys or indices) whose entry names it."""

_INDEXES: dict[int, tuple[weakref.ref[Any], dict[tuple[str, str], Index]]] = {}
"""id(collection) -> (a weak reference to it, its indexes by invariant and field). By
identity, not equality: equal collections would be hashed whole to be found."""


def _kept(collection: object, token: tuple[str, str]) -> Index | None:
    found = _INDEXES.get(id(collection))
    if found is None or found[0]() is not collection:
        return None
    return found[1].get(token)


def _keep(collection: object, token: tuple[str, str], index: Index) -> None:
    key = id(collection)
    found = _INDEXES.get(key)
    if found is not None and found[0]() is collection:
        found[1][token] = index
        return
    try:
        ref = weakref.ref(collection, functools.partial(_forget, key))
    except TypeError:  # a tuple: no index is kept for it, it is built when needed
        return
    _INDEXES[key] = (ref, {token: index})


def _forget(key: int, dead: weakref.ref[Any]) -> None:
    found = _INDEXES.get(key)
    if found is not None and found[0] is dead:
        del _INDEXES[key]


def index_of(collection: object, token: tuple[str, str], key_of: Callable[[Any], Any]) -> Index:
    """The index of *collection* for the entry key *key_of* (built once, then kept)."""
    index = _kept(collection, token)
    if index is None:
        groups: dict[Hashable, dict[Hashable, bool]] = {}
        for entry, value in entries_of(collection):
            groups.setdefault(key_of(value), {})[entry] = True
        index = FrozenMap((key, FrozenMap._own(entries)) for key, entries in groups.items())  # noqa: SLF001
        _keep(collection, token, index)
    return index


def _value(collection: object, entry: Any) -> tuple[bool, Any]:
    """Whether *collection* has *entry* (a key, or an index), and its value."""
    if isinstance(collection, Mapping):
        return (True, collection[entry]) if entry in collection else (False, None)
    if isinstance(collection, FrozenList | tuple) and 0 <= entry < len(collection):
        return True, collection[entry]
    return False, None


def carry(
    old: object,
    new: object,
    token: tuple[str, str],
    key_of: Callable[[Any], Any],
    changed: Iterable[Any],
) -> None:
    """Keep the index of *new*: that of *old* with the *changed* entries moved."""
    if new is old:
        return
    index = index_of(old, token, key_of)
    for entry in changed:
        for version, add in ((old, False), (new, True)):
            present, value = _value(version, entry)
            if not present:
                continue
            key = key_of(value)
            entries = index.get(key, FrozenMap())
            if add:
                entries = entries.set(entry, True)  # noqa: FBT003 -- a set, as a map
            elif entry in entries:
                entries = entries.delete(entry)
            if entries:
                index = index.set(key, entries)
            elif key in index:
                index = index.delete(key)
    _keep(new, token, index)


def naming(index: Index, keys: Iterable[Any]) -> list[Any]:
    """The entries whose entry names one of *keys*."""
    return [entry for key in keys for entry in index.get(key, ())]


def _changed_keys(old: object, new: object) -> Iterable[Any] | None:
    """The entries (keys or indices) that differ between two versions, deleted ones too."""
    if type(old) is FrozenMap and type(new) is FrozenMap:
        return new.changed_since(old)
    if type(old) is FrozenList and type(new) is FrozenList:
        start = new.appended_since(old)
        return None if start is None else range(start, len(new))
    return None


def keyed_entries(  # noqa: PLR0913, PLR0917 -- what one entry check reads after an event
    code: str,
    each: str,
    entry_keys: tuple[tuple[str, Callable[[Any], Any]], ...],
    moved: tuple[int, ...],
    old_data: Any,
    data: Any,
    changed: list[tuple[Any, Any]],
) -> list[tuple[Any, Any]] | None:
    """The entries the event changed, and those naming a key it changed in a keyed map.

    *changed* are the first; ``None`` when the second cannot be told (then every
    entry is read). Keeps the indexes of the new collection, needed now or not.
    """
    old, new = getattr(old_data, each), getattr(data, each)
    entries = changed
    if moved:
        named: list[Any] = []
        for j in moved:
            field, key_of = entry_keys[j]
            before, after = getattr(old_data, field), getattr(data, field)
            keys = after.changed_since(before) if type(before) is type(after) is FrozenMap else None
            if keys is None:
                return None
            named += naming(index_of(old, (code, field), key_of), keys)
        seen = {entry for entry, _ in changed}
        entries = [*changed]
        for entry in named:
            present, value = _value(new, entry)
            if present and entry not in seen:
                seen.add(entry)
                entries.append((entry, value))
    moves = _changed_keys(old, new)
    if moves is not None:
        moves = list(moves)
        for field, key_of in entry_keys:
            carry(old, new, (code, field), key_of, moves)
    return entries
