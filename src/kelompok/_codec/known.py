"""Documents this process made lately, so :func:`kelompok.load` need not check them again.

A web backend or a bot handles one event per request: load the stored document,
fire, store ``to_dict()`` again. The next request loads exactly what the last
one stored. ``load`` treats every document as untrusted and checks every field,
history step and invariant, which is most of a request's time; but a document
that is, value for value and type for type, one this process made with
``to_dict()`` describes a group that is known. ``load`` then returns a copy of
that group without checking anything again.

What "the same document" means is decided by ``marshal`` (format 2, which has
no back-references): its bytes differ whenever two documents differ in a value,
a type (``True`` is not ``1``, ``1.0`` is not ``1``) or the order of keys, and
it refuses subclasses of ``dict``, ``str`` or ``int`` outright. The bytes are
compared whole, not by a hash, so no collision can let a forged document
through. Entries are found by ``(type, id, version)`` first, so a document the
process never made costs ``load`` a dictionary lookup, not a ``marshal``.
"""

from __future__ import annotations

import marshal
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from kelompok._base.errors import InvalidValue, KelompokError
from kelompok._base.scalars import describe
from kelompok._base.text import msg

if TYPE_CHECKING:
    from kelompok._runtime.group import Group

_FORMAT: Final = 2
DEFAULT_LIMIT: Final = 0


def fingerprint(document: Any) -> bytes | None:
    """*document* as bytes that differ whenever documents differ; ``None`` if not plain data."""
    try:
        return marshal.dumps(document, _FORMAT)
    except ValueError:  # a subclass, or an object marshal does not know: not a made document
        return None


def _index(document: Any) -> tuple[str, str, int, bool] | None:
    """Where *document* would be kept: its type, id, version and whether it holds a history."""
    if type(document) is not dict:
        return None
    name, group_id, version = document.get("type"), document.get("id"), document.get("version")
    if type(name) is str and type(group_id) is str and type(version) is int:
        return name, group_id, version, "history" in document
    return None


class KnownDocuments:
    """A bounded, least-recently-used map from documents to the groups they describe.

    :func:`kelompok.load` and ``Group.to_dict()`` use one,
    :data:`kelompok.known_documents` (the class is public for type hints), off
    until you give it a :attr:`limit`: it pays when this process loads the documents it stored
    (a bot, a single-worker backend: the request cycle takes 40% less time),
    and costs when it does not (documents last written by another process, or
    a store that reorders keys: every group kept is freed later, cold, which
    costs a quarter more per request). ``Group.to_dict()`` adds the
    document it returns with a copy of the group, so later events on the group
    change nothing here. ``load(document)`` of a known document returns a fresh
    copy of that group as it was, without checking it again: the checks are for
    documents that were damaged or forged, and a known one is neither. (A
    group type whose effects break its own invariants, a bug that
    :mod:`kelompok.testing` catches, would get its broken group back, as the
    group it stored was.) ``load(..., replay=True)`` always checks. The groups
    kept share their immutable data with the live ones.

    Attributes:
        hits: loads answered from here since the last :meth:`clear`.
        misses: loads that had to check the document.
    """

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self._entries: OrderedDict[tuple[str, str, int, bool], tuple[bytes, Group]] = OrderedDict()
        self._lock = threading.Lock()
        self._size = 0
        self._limit = _checked_limit(limit)
        self.hits = 0
        self.misses = 0

    @property
    def limit(self) -> int:
        """How many bytes of documents (in marshal form) to keep; 0, the default, keeps none.

        4 MiB holds about 1,700 small groups. The groups kept take about three
        times the limit in memory once the live groups are gone (13.6 MB for
        4 MiB of small groups).
        """
        return self._limit

    @limit.setter
    def limit(self, value: int) -> None:
        limit = _checked_limit(value)
        with self._lock:
            self._limit = limit
            self._trim()

    @property
    def size(self) -> int:
        """Bytes of documents held now (at most :attr:`limit`)."""
        return self._size

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Forget every document and reset :attr:`hits` and :attr:`misses`."""
        with self._lock:
            self._entries.clear()
            self._size = 0
            self.hits = self.misses = 0

    def recall(self, document: Any, find_type: Callable[[str], Any]) -> Group | None:
        """A fresh copy of the group *document* describes, or ``None`` if it is not known.

        The group kept must be of the type ``find_type(name)`` gives now (a test
        may have registered another type under the name since).
        """
        if not self._limit:
            return None
        index = _index(document)
        with self._lock:
            entry = self._entries.get(index) if index is not None else None
        if (
            index is not None
            and entry is not None
            and fingerprint(document) == entry[0]
            and _still_registered(entry[1], find_type)
        ):
            with self._lock:
                if self._entries.get(index) is entry:  # not dropped meanwhile
                    self._entries.move_to_end(index)
                    self.hits += 1
                    return entry[1].__copy__()
        with self._lock:
            self.misses += 1
        return None

    def remember(self, document: Any, copy: Callable[[], Group]) -> None:
        """Keep ``copy()``, a copy of the group in the state *document* was made from."""
        if not self._limit:
            return
        index = _index(document)
        if index is None:
            return
        key = fingerprint(document)
        if key is None or len(key) > self._limit:
            return
        snapshot = copy()
        with self._lock:
            old = self._entries.pop(index, None)
            if old is not None:
                self._size -= len(old[0])
            self._entries[index] = (key, snapshot)
            self._size += len(key)
            self._trim()

    def _trim(self) -> None:
        while self._size > self._limit:
            _, (key, _) = self._entries.popitem(last=False)
            self._size -= len(key)

    def __repr__(self) -> str:
        return (
            f"<KnownDocuments {len(self._entries)} documents, {self._size:,} of "
            f"{self._limit:,} bytes; {self.hits} hits, {self.misses} misses>"
        )


def _checked_limit(value: object) -> int:
    if type(value) is not int or value < 0:
        text = msg(
            "known.limit", "must be a whole number of bytes >= 0, got {got}", got=describe(value)
        )
        raise InvalidValue(text, "limit")
    return value


def _still_registered(group: Group, find_type: Callable[[str], Any]) -> bool:
    """Whether *find_type* still gives the group's type (a test may have replaced it)."""
    try:
        return find_type(group.type.name) is group.type
    except KelompokError:
        return False


known_documents = KnownDocuments()
"""The process's known documents (see :class:`KnownDocuments`)."""
