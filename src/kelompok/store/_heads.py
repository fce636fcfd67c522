"""Heads this store wrote or checked lately, so a row read back unchanged is not checked again.

A bot or a single-worker backend handles one event per request on the same few
groups: each request reads back the very row the request before it wrote. That
row was made by this process from a group that passed every check, so checking
it again (parsing its JSON, structuring its data, the head's walk and tally, every
invariant: most of a request's time) can only give the same group. A row is
"the same" when its head text, type, definition, stage and version are equal,
character for character, to what was remembered: a row edited by hand, or
written by another process, differs in at least its text or version and is
checked in full (docs/storing.md, "What is checked on read").

The cache is bounded, and each entry is a private copy: the groups handed out
are copies again, so firing one of them changes nothing here.

What a store remembers of a row it wrote is the group that loading that row gives
(:func:`as_loaded`), with every invariant checked on it, since one that reads more
than it declares is not checked by ``fire``; a head that ``load`` would refuse is
not remembered, and reading it back checks it in full. ``fire`` checks every level
of what an effect stores, so the group in memory is that group, unless its type
holds a ``float`` (a whole number in it loads as a float) or a moment (it loads in
UTC) somewhere: then the data and founding are structured again from the head
text. Only the head's walk and tally, which the engine made itself, are never
read again.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Final

from kelompok._codec.json_bytes import codec
from kelompok._data.convert import parse_utc, structure_or_reasons
from kelompok._data.exact import loads_as_stored
from kelompok._runtime.checks import broken_invariants

if TYPE_CHECKING:
    from kelompok._runtime.group import Group

DEFAULT_SIZE: Final = 1024
"""How many groups a store remembers the head of, by default."""
TEXT_LIMIT: Final = 16 * 1024 * 1024
"""The most characters of head text a store remembers, whatever its size: a few times that
in memory for the groups (1,024 groups of 500 members each would be some 230 MB)."""


def row_key(row: Any) -> tuple[Any, ...]:
    """What a head row holds that :meth:`Heads.recall` compares."""
    return (row.head, row.type, row.definition, row.stage, row.version)


def written(group: Group, head: str, definition: str) -> tuple[Any, ...]:
    """What the row that *group*'s head was written to holds, as :meth:`Heads.recall` compares."""
    return (head, group.type.name, definition, group.stage, group.version)


class Heads:
    """A bounded map from group ids to the last head row known sound, with its group."""

    __slots__ = ("_entries", "_lock", "_text", "size", "text_limit")

    def __init__(self, size: int = DEFAULT_SIZE, text_limit: int = TEXT_LIMIT) -> None:
        self.size, self.text_limit = size, text_limit
        self._entries: dict[str, tuple[tuple[Any, ...], Group]] = {}
        self._text = 0  # characters of head text remembered
        self._lock = threading.Lock()

    def recall(self, row: Any) -> Group | None:
        """A copy of the group of *row* if *row* is exactly the one remembered, else ``None``."""
        entry = self._entries.get(row.id)
        if entry is None or entry[0] != row_key(row):
            return None
        return entry[1].__copy__()  # a name, once registered, keeps its type: no need to look

    def remember(self, group: Group, key: tuple[Any, ...]) -> None:
        """Remember the row holding *key* as the head of *group*.

        *key* is what :func:`row_key` reads from a row, or :func:`written` from
        what was written to it. What is kept is a copy of *group* as loading
        that row gives it: without the records *group* may hold, its
        listeners, or any tie to *group* itself.
        """
        if self.size <= 0:
            return
        self._keep(group.id, key, _head_only(group))

    def remember_written(self, group: Group, key: tuple[Any, ...]) -> None:
        """Remember the row this store just wrote from *group*, holding *key* (:func:`written`).

        What is kept is :func:`as_loaded`: the group that checking the row gives,
        not *group* as it is in memory; nothing if checking the row would refuse it.
        """
        if self.size <= 0:
            return
        loaded = as_loaded(group, key)
        if loaded is not None:
            self._keep(group.id, key, loaded)

    def _keep(self, group_id: str, key: tuple[Any, ...], group: Group) -> None:
        size = len(key[0])
        if size > self.text_limit:
            return
        with self._lock:
            entries = self._entries
            gone = entries.pop(group_id, None)  # re-inserted last: the oldest entry goes first
            if gone is not None:
                self._text -= len(gone[0][0])
            entries[group_id] = (key, group)
            self._text += size
            while len(entries) > self.size or self._text > self.text_limit:
                oldest = next(iter(entries))
                self._text -= len(entries.pop(oldest)[0][0])

    def clear(self) -> None:
        """Forget every head: each row read next is checked in full."""
        with self._lock:
            self._entries.clear()
            self._text = 0


def _head_only(group: Group) -> Group:
    """An independent copy of *group* as loading its head gives it: no records."""
    state = group._state()  # noqa: SLF001 -- the store rebuilds what its own rows hold
    return group._copy_of(state._replace(length=0))  # noqa: SLF001 -- it counts from the records given


_as_stored: dict[int, tuple[object, bool]] = {}


def _loads_as_stored(gt: Any) -> bool:
    """Whether every group of *gt* that ``fire`` makes is, in memory, what loading it gives."""
    known = _as_stored.get(id(gt))
    if known is None or known[0] is not gt:
        known = _as_stored[id(gt)] = (gt, loads_as_stored(gt.data) and loads_as_stored(gt.founding))
    return known[1]


def as_loaded(group: Group, key: tuple[Any, ...]) -> Group | None:
    """The group that loading the head row *key* (written from *group*) gives; ``None`` if refused.

    ``fire`` checks what an effect stores at every level, so the group in memory is
    the one loading gives, unless its type holds a number or a moment somewhere
    (:func:`~kelompok._data.exact.loads_as_stored`): then the data and founding are
    structured from the head text as ``load`` structures them. Either way every
    invariant is checked on the result, since one that reads more than it declares
    is not checked by ``fire``; the stage, version and tally are *group*'s own, which
    must be the ones the head holds.
    """
    gt = group.type
    state = group._state()  # noqa: SLF001 -- the store rebuilds what its own rows hold
    if key[3:] != (state.stage, state.version):
        return None
    loaded = _head_only(group) if _loads_as_stored(gt) else _restructured(group, key)
    try:
        if loaded is None or broken_invariants(loaded, gt.invariants, "load"):
            return None
    except Exception:  # noqa: BLE001 -- the event is committed; checking the row reports it
        return None
    return loaded


def _restructured(group: Group, key: tuple[Any, ...]) -> Group | None:
    """*group* with its data and founding structured from the head text *key* holds."""
    gt = group.type
    state = group._state()  # noqa: SLF001 -- the store rebuilds what its own rows hold
    try:
        document = codec.decode(key[0])
        data, problems = structure_or_reasons(
            document["data"], gt.data, code="document", where="data"
        )
        founding, others = structure_or_reasons(
            document["founding"], gt.founding, code="document", where="founding"
        )
        same = (document["stage"], document["version"]) == (state.stage, state.version)
        if problems or others or not same or gt._engine.misfits(data):  # noqa: SLF001
            return None
        return gt.group_class._build(  # noqa: SLF001
            group_type=gt,
            group_id=group.id,
            created_at=parse_utc(document["created_at"]),
            stage=state.stage,
            version=state.version,
            data=data,
            history=[],
            peak=state.peak,
            founding=founding,
            tally=(state.counts, state.marks),
        )
    except Exception:  # noqa: BLE001 -- whatever fails here, checking the row reports it
        return None
