"""The synchronous store's connections: on SQLite, one per thread, kept open between calls.

On SQLite a request's own SQL costs less than checking a connection out of
SQLAlchemy's pool and back in (docs/storing.md, "Performance"), so each thread
keeps the connection it used last. A kept connection is never shared: a call
made while its thread's connection is in use (a listener's, say) takes one from
the pool, as every call on PostgreSQL does, where the pool also tests each
connection before handing it out.

A call cut short by an interrupt anywhere, even between ``connections()`` and its
``with``, leaves no connection in use for ever (see :class:`_Kept`), and none that
``store.close()`` cannot close: a connection stays listed until it is closed, and the
call closing it holds a claim that ends with the call (:meth:`Connections._claim`). Both
end in a ``finally``, not when the garbage collector frees the call's frames, which a
traceback kept (by the REPL, a future) keeps alive. ``store.close()`` may be called from
a signal handler or a finalizer, even one that runs while this thread holds the lock.

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


class _Token:
    """Alive while its holder holds it: a thread's ``threading.local``, or a call closing.

    Followed by weak references only, so it is gone when the thread ends (however it
    was started). A call closing connections also marks it ``done`` as it ends, in a
    ``finally``: its frames, and so the token, may outlive it in a traceback.
    """

    __slots__ = ("__weakref__", "done")

    def __init__(self) -> None:
        self.done = False

    def live(self) -> bool:
        """Whether the call holding it is still running (see :meth:`Connections._claim`)."""
        return not self.done


class _Kept:
    """The connection one thread keeps, and the call using it now, if any.

    A call holds its connection through a :class:`_Using`: the connection is busy
    while that object lives and the call has not given it back, which it does in a
    ``finally`` (or as its ``with`` fails to begin). A call cut short before its
    ``with`` began frees it as its ``_Using`` is dropped. A call cut short in the
    middle may leave a transaction open, so the connection is used again only after
    a call that ended (``clean``); otherwise it is dropped.
    """

    __slots__ = ("alive", "clean", "closer", "conn", "generation", "pid", "user")

    def __init__(self, conn: sa.Connection, generation: int, alive: _Token, user: _Using) -> None:
        self.conn = conn
        self.user: weakref.ref[_Using] | None = weakref.ref(user)
        self.clean = False  # until its first call ends
        self.generation = generation
        self.pid = os.getpid()
        self.alive = weakref.ref(alive)
        self.closer: weakref.ref[_Token] | None = None  # see Connections._claim

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
        try:
            self._kept = self._owner._take(self)  # noqa: SLF001 -- this module's own
        except BaseException:
            self._owner._free(self)  # noqa: SLF001 -- no SQL ran: what it took is fit to use
            raise
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
            try:
                roll_back(kept.conn)  # only a call cut short in the middle left one open
            except BaseException:
                self._owner.drop(kept)
                raise
            kept.clean = True
            if kept.generation != self._owner.generation:  # the store was closed meanwhile
                self._owner.drop(kept)  # still busy: close() leaves it to this call
        finally:
            kept.user = None


class Connections:
    """Where the store's calls get their connection: ``with connections() as conn:``."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._keep = engine.dialect.name == "sqlite"
        self._local = threading.local()
        self._lock = threading.RLock()  # close() may run in a signal handler under it
        self._kept: list[_Kept] = []  # every connection opened in this process, until closed
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
            alive = self._local.alive = _Token()
        conn = self._engine.connect()  # not under the lock: a fork meanwhile would copy it held
        kept = _Kept(conn, self.generation, alive, user)  # busy: close() leaves it to this call
        closing = _Token()
        try:
            with self._lock:
                self._forked()
                self._kept.append(kept)  # listed before it is the thread's: see _stale
            self._local.kept = kept  # from here on a nested call connects on its own
            with self._lock:  # so the sweep sees what one made the thread's meanwhile
                listed = list(self._kept)  # a copy: a close() in a signal handler may unlist
                gone = [k for k in listed if _stale(k, self.generation, alive)]
                gone = [k for k in gone if self._claim(k, closing)]
            self._close_claimed(gone)  # their threads ended, or the store was closed since
        finally:
            closing.done = True
        return kept

    def _free(self, user: _Using) -> None:
        """Give back what *user*, whose ``with`` failed to begin, holds busy."""
        with self._lock:
            held = [*self._kept, self._local.__dict__.get("kept")]
        for kept in held:
            if kept is not None and kept.user is not None and kept.user() is user:
                kept.user = None

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
        self._lock = threading.RLock()

    def drop(self, kept: _Kept) -> None:
        """Stop keeping *kept*, and close it, unless another call is closing it already.

        The caller holds *kept* busy, so that ``close()`` leaves it alone meanwhile.
        """
        closing = _Token()
        try:
            with self._lock:
                mine = self._claim(kept, closing)
            if self._local.__dict__.get("kept") is kept:
                del self._local.kept
            if mine:
                self._close_claimed([kept])
        finally:
            closing.done = True

    def close(self) -> None:
        """Close every kept connection not in use; one in use is closed when its call ends."""
        closing = _Token()
        try:
            with self._lock:
                self._forked()
                self.generation += 1  # before reading busy: a call that starts now sees it
                listed = list(self._kept)  # a copy: _claim unlists what is closed already
                idle = [k for k in listed if not k.busy and self._claim(k, closing)]
            self._close_claimed(idle)
        finally:
            closing.done = True

    def _claim(self, kept: _Kept, closing: _Token) -> bool:
        """Under the lock: whether *kept* is now the call holding *closing*'s to close.

        Two calls never close one connection at once: a connection is claimed by one
        call at a time, and stays listed until it is closed. A claim lasts as long as
        the call that made it runs (:class:`_Token`), so a call interrupted before it
        closed what it claimed leaves it to the next ``close()``. A ``close()`` run in
        a signal handler while this thread is closing leaves what that call claimed
        to it.
        """
        if kept.closer is not None:
            closer = kept.closer()
            if closer is not None and closer.live():
                return False  # another call is closing it
        if kept.conn.closed:  # closed by a call interrupted before it unlisted it
            if kept in self._kept:
                self._kept.remove(kept)
            return False
        kept.closer = weakref.ref(closing)
        return True

    def _close_claimed(self, claimed: list[_Kept]) -> None:
        """Close the connections claimed, then unlist them."""
        for kept in claimed:
            _close(kept)
        with self._lock:
            for kept in claimed:
                if kept in self._kept:
                    self._kept.remove(kept)


def _stale(kept: _Kept, generation: int, alive: _Token) -> bool:
    """Whether *kept*, idle, will not be used again: of a thread that ended, or closed.

    Or it is the thread's own, listed by a call interrupted before it became the thread's.
    """
    if kept.busy:
        return False
    of = kept.alive()
    return of is None or of is alive or kept.generation != generation


_every: weakref.WeakSet[Connections] = weakref.WeakSet()


def _after_fork() -> None:
    for connections in list(_every):
        connections._after_fork()  # noqa: SLF001 -- this module's own


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_after_fork)


def _close(kept: _Kept) -> None:
    """Close *kept*'s connection, whatever state it is in."""
    try:
        kept.conn.close()
    except sa.exc.SQLAlchemyError:  # a broken connection: nothing left to close
        with contextlib.suppress(sa.exc.SQLAlchemyError):
            kept.conn.invalidate()
