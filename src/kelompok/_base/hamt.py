"""The hash trie under a large :class:`~kelompok._base.persistent.PMap`.

A node is a 32-slot tuple indexed by 5 bits of ``hash(key)`` per level, the lowest bits at
the root. A slot holds a node or a bucket: a dict ``key -> (key, value, seq)`` of at most
``BUCKET`` entries, the empty one being the shared ``EMPTY`` (never changed: a change copies
it). A bucket that grows past ``BUCKET`` becomes a node of buckets by the next 5 bits, up to
``MAX_DEPTH`` nodes deep: 13 * 5 bits cover a 64-bit hash, so a bucket that deep holds only
keys of one hash (a collision bucket), and the dict tells them apart (``is``, then ``==``).

Why buckets and not one entry per slot: in pure Python a dict of 32 entries is copied in
C faster than a path of nodes is rebuilt, and the dict gives the exact key semantics of a
dict (``1``, ``1.0`` and ``True`` are one key) with no comparison code here.

A change copies one bucket and the nodes above it: O(log32 n) nodes of 32 slots. Versions
made from one another share every other node, which :func:`diff` skips by identity.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterator, Mapping
from typing import Any

BUCKET = 32  # at most this many entries in a bucket (more only in a collision bucket)
MAX_DEPTH = 13  # nodes above a bucket, at most
EMPTY: dict[Any, Any] = {}
_MISSING: Any = object()
_SLOTS = range(32)

Entry = tuple[Any, Any, int]  # (key, value, seq): seq is the entry's place in insertion order
Bucket = dict[Any, Entry]


def node_of(bucket: Bucket, depth: int) -> Any:
    """*bucket* itself if it is small enough at *depth*, else a node of smaller buckets."""
    if len(bucket) <= BUCKET or depth >= MAX_DEPTH:
        return bucket or EMPTY
    shift = 5 * depth
    groups: dict[int, Bucket] = {}
    for key, entry in bucket.items():
        groups.setdefault((hash(key) >> shift) & 31, {})[key] = entry
    children: list[Any] = [EMPTY] * 32
    for i, group in groups.items():
        children[i] = node_of(group, depth + 1)
    return tuple(children)


def descend(root: Any, h: int) -> tuple[list[tuple[Any, ...]], Bucket]:
    """The nodes from *root* down to the bucket of hash *h*, and that bucket."""
    path = []
    node = root
    while type(node) is tuple:
        path.append(node)
        node = node[h & 31]
        h >>= 5
    return path, node


def rebuild(path: list[tuple[Any, ...]], h: int, child: Any) -> Any:
    """The new root over *child*, the new node or bucket at the end of *path* (root first)."""
    for depth in range(len(path) - 1, -1, -1):
        copy = list(path[depth])
        copy[(h >> (5 * depth)) & 31] = child
        child = tuple(copy)
    return child


def put(root: Any, key: Any, value: Any, seq: int) -> tuple[Any, Entry, bool] | None:
    """``(new root, new entry, whether it is a new key)``; ``None`` if *value* is there already.

    A new key's entry gets *seq*; a key already there keeps its own (and its key object).
    """
    h = hash(key)
    path, bucket = descend(root, h)
    was = bucket.get(key)
    if was is not None and was[1] is value:
        return None
    entry = (key, value, seq) if was is None else (was[0], value, was[2])
    bucket = bucket.copy()
    bucket[key] = entry
    return rebuild(path, h, node_of(bucket, len(path))), entry, was is None


def remove(root: Any, key: Any) -> tuple[Any, int]:
    """``(new root, seq of the entry removed)``; ``KeyError`` if *key* has none."""
    h = hash(key)
    path, bucket = descend(root, h)
    was = bucket.get(key)
    if was is None:
        raise KeyError(key)
    bucket = bucket.copy()
    del bucket[key]
    return rebuild(path, h, node_of(bucket, len(path))), was[2]


def entries(node: Any, budget: list[int]) -> Bucket | None:
    """Every entry under *node* (not a copy, for a bucket); ``None`` once over *budget*."""
    if type(node) is not tuple:
        budget[0] -= len(node)
        return node if budget[0] >= 0 else None
    found: Bucket = {}
    for child in node:
        more = entries(child, budget)
        if more is None:
            return None
        found.update(more)
    return found


def diff(old: Any, new: Any, out: list[Any], budget: list[int]) -> bool:
    """Add to *out* every key whose entry differs under *old* and *new*.

    Shared nodes and buckets are skipped by identity. ``budget[0]`` counts down the entries
    read (a node's 32 identity tests count as 8); False, with *out* unfinished, once it runs
    out: the caller is better off reading everything.
    """
    if type(old) is tuple and type(new) is tuple:
        budget[0] -= 8
        if budget[0] < 0:
            return False
        # the slots that differ, found in C: an event changes one or two of the 32
        return all(
            diff(old[i], new[i], out, budget)
            for i in itertools.compress(_SLOTS, map(operator.is_not, old, new))
        )
    before, after = entries(old, budget), entries(new, budget)
    if before is None or after is None:
        return False
    # An entry no change touched is the same tuple in both: those are skipped in C. Both
    # directions are read, since a key's == need not be symmetric (``a in old`` while
    # ``b`` is not in new).
    for key in itertools.compress(
        after, map(operator.is_not, map(before.get, after), after.values())
    ):
        was = before.get(key)
        if was is None or was[1] is not after[key][1]:
            out.append(key)
    out.extend(_gone(before, after))
    return True


def _gone(old: Mapping[Any, Any], new: Mapping[Any, Any]) -> Iterator[Any]:
    """The keys of *old* that *new* lacks, found in C."""
    return itertools.compress(old, map(operator.not_, map(new.__contains__, old)))


def diff_dicts(old: Mapping[Any, Any], new: Mapping[Any, Any]) -> list[Any]:
    """The keys whose values differ (by identity) in two plain dicts, compared in C."""
    differs = map(operator.is_not, map(old.get, new, itertools.repeat(_MISSING)), new.values())
    return [*itertools.compress(new, differs), *_gone(old, new)]
