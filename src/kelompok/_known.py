"""Documents this process made or checked lately, so :func:`kelompok.load` need not check them.

A web backend or a bot handles one event per request: load the stored document,
fire, store ``to_dict()`` again. The next request loads exactly what the last
one stored. ``load`` treats every document as untrusted and checks every field,
history step and invariant, which is most of a request's time; but a document
that is, value for value and type for type, one this process produced from a
group (or already checked) describes a group that is known. ``load`` then
returns a copy of that group without checking anything again.

What "the same document" means is decided by ``marshal`` (format 2, which has
no back-references): its bytes differ whenever two documents differ in a value,
a type (``True`` is not ``1``, ``1.0`` is not ``1``) or the order of keys, and
it refuses subclasses of ``dict``, ``str`` or ``int`` outright. The bytes are
the cache key itself, not a hash of them, so no collision can let a forged
document through. A document whose keys were reordered (PostgreSQL ``jsonb``
does that) is simply checked again.
"""

from __future__ import annotations

import marshal
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Final

from kelompok._errors import InvalidValue, KelompokError
from kelompok._registry import get_group_type

if TYPE_CHECKING:
    from kelompok._group import Group

_FORMAT: Final = 2
DEFAULT_LIMIT: Final = 4 * 1024 * 1024


def fingerprint(document: Any) -> bytes | None:
    """*document* as bytes that differ whenever documents differ; ``None`` if not plain data."""
    try:
        return marshal.dumps(document, _FORMAT)
    except ValueError:  # a subclass, or an object marshal does not know: not a made document
        return None


class KnownDocuments:
    """A bounded, least-recently-used map from documents to the groups they describe.

    There is one, :data:`kelompok.known_documents`. ``Group.to_dict()`` adds the
    document it returns, and ``load`` adds every document it has checked; both
    keep a copy of the group, so later events on the group change nothing here.
    ``load(document)`` of a known document returns a fresh copy of the group
    (``load(..., replay=True)`` always checks). The groups kept share their
    immutable data with the live ones.

    Attributes:
        hits: loads answered from here since the last :meth:`clear`.
        misses: loads that had to check the document.
    """

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self._entries: OrderedDict[bytes, Group] = OrderedDict()
        self._lock = threading.Lock()
        self._size = 0
        self._limit = _checked_limit(limit)
        self.hits = 0
        self.misses = 0

    @property
    def limit(self) -> int:
        """How many bytes of documents (in marshal form) to keep; 0 turns the cache off.

        The default, 4 MiB, holds about 1,700 small groups. The groups kept cost
        a few times their documents' size while the live groups are gone.
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

    def key(self, document: Any) -> bytes | None:
        """The key of *document*, or ``None`` when the cache is off or it is not plain data."""
        return fingerprint(document) if self._limit else None

    def recall(self, key: bytes) -> Group | None:
        """A fresh copy of the group *key* describes, or ``None`` if it is not known."""
        with self._lock:
            group = self._entries.get(key)
            if group is not None and _still_registered(group):
                self._entries.move_to_end(key)
                self.hits += 1
                return group.__copy__()
            self.misses += 1
            return None

    def remember(self, key: bytes, group: Group) -> None:
        """Keep a copy of *group* (as it is now) under *key*."""
        if len(key) > self._limit:
            return
        snapshot = group.__copy__()
        with self._lock:
            if self._entries.pop(key, None) is not None:
                self._size -= len(key)
            self._entries[key] = snapshot
            self._size += len(key)
            self._trim()

    def _trim(self) -> None:
        while self._size > self._limit:
            key, _ = self._entries.popitem(last=False)
            self._size -= len(key)

    def __repr__(self) -> str:
        return (
            f"<KnownDocuments {len(self._entries)} documents, {self._size:,} of "
            f"{self._limit:,} bytes; {self.hits} hits, {self.misses} misses>"
        )


def _checked_limit(value: object) -> int:
    if type(value) is not int or value < 0:
        msg = f"must be a whole number of bytes >= 0, got {value!r}"
        raise InvalidValue(msg, f"harus bilangan bulat byte >= 0, bukan {value!r}", "limit")
    return value


def _still_registered(group: Group) -> bool:
    """Whether the registry still gives the group's type (a test may have replaced it)."""
    try:
        return get_group_type(group.type.name) is group.type
    except KelompokError:
        return False


known_documents = KnownDocuments()
"""The process's known documents (see :class:`KnownDocuments`)."""
