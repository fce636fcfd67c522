"""The synchronous store's connections: on SQLite, one per thread, kept open between calls.

On SQLite a request's own SQL costs less than checking a connection out of
SQLAlchemy's pool and back in (docs/storing.md, "Performance"), so each thread
keeps the connection it used last. A kept connection is never shared: a call
made while its thread's connection is in use (a listener's, say) takes one from
the pool, as every call on PostgreSQL does, where the pool also tests each
connection before handing it out.

A call cut short by an interrupt anywhere, even between ``connections()`` and its
``with``, leaves no connection in use for ever (see :class:`_Kept`).

A process that forks gets none of its parent's connections: the child's first
call leaves them all alone (never closing or using them) and connects anew.
"""

from __future__ import annotations

import contextlib
import os
import threading
import weakref
from types import TracebackType
from typing import Any

import sqlalchemy as sa

from kelompok.store._driver import roll_back


class _Alive:
    """Held by a thread's ``threading.local`` alone: gone when the thread ends, however started."""

    __slots__ = ("__weakref__",)


class _Kept:
    """The connection one thread keeps, and the call using it now, if any.

    A call holds its connection through a :class:`_Using`: the connection is busy
    while that object lives, so a call cut short by an interrupt, even before its
    ``with`` began, frees it as its ``_Using`` is dropped. Such a connection may
    have a transaction open, so it is used again only after a call that ended
    (``clean``); otherwise it is dropped.
    """

    __slots__ = ("alive", "clean", "conn", "generation", "pid", "user")

    def __init__(self, conn: sa.Connection, generation: int, alive: _Alive, user: _Using) -> None:
        self.conn = conn
        self.user: weakref.ref[_Using] | None = weakref.ref(user)
        self.clean = False  # until its first call ends
        self.generation = generation
        self.pid = os.getpid()
        self.alive = weakref.ref(alive)

    @property
    def busy(self) -> bool:
        """Whether a call is using the connection now."""
        user = self.user
        return user is not None and user() is not None


class _Using:
    """``with``: the kept connection for one call, given back at the end of it."""

    __slots__ = ("__weakref__", "_kept", "_owner")

    def __init__(self, owner: Connections) -> None:
        self._kept: _Kept | None = None
        self._owner = owner

    def __enter__(self) -> sa.Connection:
        self._kept = self._owner._take(self)  # noqa: SLF001 -- this module's own
        return self._kept.conn

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        kept = self._kept
        if kept is None:
            return
        try:
            roll_back(kept.conn)  # only a call cut short in the middle left one open
        except BaseException:
            self._owner.drop(kept)
            raise
        kept.clean = True
        kept.user = None
        if kept.generation != self._owner.generation:  # the store was closed meanwhile
            self._owner.drop(kept)


class Connections:
    """Where the store's calls get their connection: ``with connections() as conn:``."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._keep = engine.dialect.name == "sqlite"
        self._local = threading.local()
        self._lock = threading.Lock()
        self._kept: list[_Kept] = []
        self._orphans: list[_Kept] = []  # a parent process's: never touched again
        self._pid = os.getpid()
        self.generation = 0
        _every.add(self)

    def __call__(self) -> Any:
        """A context manager giving a connection for one call."""
        if not self._keep:
            return self._engine.connect()
        kept: _Kept | None = self._local.__dict__.get("kept")
        if kept is not None and kept.busy and kept.pid == os.getpid():
            return self._engine.connect()  # a call made within a call of this thread
        return _Using(self)

    def _take(self, user: _Using) -> _Kept:
        """This thread's kept connection, now *user*'s: made anew if there is none fit to use."""
        kept: _Kept | None = self._local.__dict__.get("kept")
        if kept is not None and kept.pid != os.getpid():  # a parent process's: never touched
            kept = None
        elif kept is not None:
            kept.user = weakref.ref(user)  # first, so that close() leaves it to this call
            if not (
                kept.clean
                and kept.generation == self.generation
                and not kept.conn.invalidated
                and not kept.conn.closed
            ):
                self.drop(kept)
                kept = None
        if kept is None:
            kept = self._new(user)
        kept.clean = False
        return kept

    def _new(self, user: _Using) -> _Kept:
        alive = self._local.__dict__.get("alive")
        if alive is None:
            alive = self._local.alive = _Alive()
        conn = self._engine.connect()  # not under the lock: a fork meanwhile would copy it held
        kept = _Kept(conn, self.generation, alive, user)  # busy: close() leaves it to this call
        with self._lock:
            self._forked()
            gone = [k for k in self._kept if _stale(k, self.generation)]
            for k in gone:
                self._kept.remove(k)
            self._kept.append(kept)
        self._local.kept = kept
        for k in gone:  # their threads ended, or the store was closed since
            _close(k)
        return kept

    def _forked(self) -> None:
        """In a child process: forget the parent's connections, pooled and kept."""
        if self._pid == os.getpid():
            return
        self._pid = os.getpid()
        self._orphans.extend(self._kept)
        self._kept.clear()
        self._engine.dispose(close=False)

    def _after_fork(self) -> None:
        """In a child, just forked: a lock another thread held at the fork is held for ever."""
        self._lock = threading.Lock()

    def drop(self, kept: _Kept) -> None:
        """Stop keeping *kept*, and close it, unless another thread took it to close already.

        Whoever takes a connection out of the list (under the lock) closes it, and no
        one else: two threads never close one connection at once.
        """
        with self._lock:
            mine = kept in self._kept
            if mine:
                self._kept.remove(kept)
        if self._local.__dict__.get("kept") is kept:
            del self._local.kept
        if mine:
            _close(kept)

    def close(self) -> None:
        """Close every kept connection not in use; one in use is closed when its call ends."""
        with self._lock:
            self._forked()
            self.generation += 1  # before reading busy: a call that starts now sees it
            idle = [k for k in self._kept if not k.busy]
            for k in idle:
                self._kept.remove(k)
        for k in idle:
            _close(k)


def _stale(kept: _Kept, generation: int) -> bool:
    return not kept.busy and (kept.alive() is None or kept.generation != generation)


_every: weakref.WeakSet[Connections] = weakref.WeakSet()


def _after_fork() -> None:
    for connections in list(_every):
        connections._after_fork()  # noqa: SLF001 -- this module's own


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_after_fork)


def _close(kept: _Kept) -> None:
    try:
        kept.conn.close()
    except sa.exc.SQLAlchemyError:  # a broken connection: nothing left to close
        with contextlib.suppress(sa.exc.SQLAlchemyError):
            kept.conn.invalidate()
