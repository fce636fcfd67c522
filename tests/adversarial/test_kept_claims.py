"""Threads against the claims that close the kept SQLite connections (_kept.py).

Every connection a store opens stays in ``Connections._kept`` until it is closed; a call
that closes one claims it first, under the lock (``Connections._claim``), and the claim
counts while that call runs (its ``_Token``, marked done in a ``finally``). The promises
attacked here, with threads rather than interrupts: two threads never close one connection
at once; none is closed while another thread's call uses it; none is used after it was
closed; after the calls end, ``store.close()`` leaves nothing open; no deadlock; every call
still works.

A :class:`Monitor` sees every connection the store opens: SQLAlchemy's (``close()``) and
the driver's (every use, and ``close()``), and which thread's call is using each. The
sweeps pause one thread (the *worker*) at each point of its call where the GIL can pass to
another thread (CPython 3.11's signal points in _kept.py, and inside each close, in
SQLAlchemy's and in the driver's), and run another call in another thread (the *actor*)
meanwhile: to its end, or until it waits for the lock the worker holds, or until it is in
the middle of its own call or (for some pairs) of a close; then it goes on once the
worker's call ended, so that what the worker does after the pause is done under it. The
comment of the sweep names the mutants each pair catches.

The tests after them failed on f45896b, each with its explanation: what a claim or a call
kept alive by a traceback (a future's, the REPL's) left open, and store.close() made by a
signal handler or a finalizer while the same thread is inside the store: a deadlock under
``Connections._lock``, and one connection closed by two calls at once.

CPython 3.11 only: the points are its bytecode's.
"""

from __future__ import annotations

import contextlib
import gc
import signal
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa

from adversarial.interrupt_points import (
    CALLBACKS,
    CALLS,
    Worker,
    at_entry_of,
    handlers,
    opnames,
    report,
    under,
)
from kelompok.store import _kept, open_store
from store_contract import recruiting
from store_workers import member

KEPT = _kept.__file__
VERSION = 4  # recruiting(): created, then four events

# The sweeps count CPython 3.11's bytecode points: CI's Python is 3.11, so they run there.
pytestmark = pytest.mark.skipif(
    sys.version_info[:2] != (3, 11), reason="the signal points are CPython 3.11's"
)


# -- what the store does to its connections, seen from outside ---------------------------------


class _Gated:
    """``Connections._lock`` as a monitor sees it: who holds it; a thread that would wait.

    A thread of the actor's side that finds it held (by the paused worker) tells the
    monitor, then waits until the worker's call ended. A thread acquiring it again while
    it holds it takes it again if the store's own lock is reentrant (*reentrant*); if it
    is not, that is a certain deadlock, and it raises :class:`Deadlock`.
    """

    def __init__(self, monitor: Monitor, *, reentrant: bool) -> None:
        self._lock = threading.Lock()
        self._monitor = monitor
        self._reentrant = reentrant
        self.holder: int | None = None
        self._depth = 0

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        me = threading.get_ident()
        if self.holder == me:
            if self._reentrant:
                self._depth += 1
                return True
            self._monitor.problem("Connections._lock acquired again by the thread holding it")
            raise Deadlock
        if not self._lock.acquire(blocking=False):
            self._monitor.waits()
            if not self._lock.acquire(timeout=10):
                self._monitor.problem("Connections._lock not released in 10 s")
                raise Deadlock
        self.holder = me
        return True

    def release(self) -> None:
        if self._depth:
            self._depth -= 1
            return
        self.holder = None
        self._lock.release()

    def locked(self) -> bool:
        return self._lock.locked()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


class Deadlock(Exception):
    """Raised instead of waiting for ever on a lock."""


class _Driver(sqlite3.Connection):
    """A driver connection that reports to its monitor (:meth:`Monitor.factory`)."""

    monitor: Monitor

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.closing: int | None = None  # the thread in SQLAlchemy's close() of it
        self.closed = False  # closed by the driver's close()
        self.monitor.made.append(self)

    def _use(self, what: str) -> None:
        if self.closed or self.closing not in (None, threading.get_ident()):
            self.monitor.problem(f"a connection used ({what}) after another call closed it")

    def cursor(self, *args: Any, **kwargs: Any) -> Any:
        self._use("cursor")
        return super().cursor(*args, **kwargs)

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        self._use("execute")
        return super().execute(*args, **kwargs)

    def commit(self) -> None:
        self._use("commit")
        super().commit()

    def rollback(self) -> None:
        self._use("rollback")
        super().rollback()

    @property
    def in_transaction(self) -> bool:  # type: ignore[override]
        self._use("in_transaction")
        return sqlite3.Connection.in_transaction.__get__(self)  # type: ignore[attr-defined,no-any-return]

    def close(self) -> None:
        if self.closed:
            self.monitor.problem("a driver connection closed twice")
        self.monitor.point("the driver's close()")
        super().close()
        self.closed = True


class _Connection(sa.Connection):
    """SQLAlchemy's connection, reporting its ``close()`` (the engine's ``_connection_cls``)."""

    monitor: Monitor

    def close(self) -> None:
        fairy = self._dbapi_connection
        driver = None if fairy is None else fairy.dbapi_connection
        if isinstance(driver, _Driver):
            me = threading.get_ident()
            if driver.closing is not None:
                self.monitor.problem("a connection closed by two calls at once")
            if self.monitor.using.get(driver, me) != me:
                self.monitor.problem("a connection closed while another thread's call uses it")
            driver.closing = me
        self.monitor.point("SQLAlchemy's close()")
        try:
            super().close()
        finally:
            if isinstance(driver, _Driver):
                driver.closing = None


class Monitor:
    """Every connection a store opens, what was done to them, and the pause points of closes."""

    def __init__(self) -> None:
        self.made: list[_Driver] = []  # held: one the store forgets unclosed stays open
        self.using: dict[_Driver, int] = {}  # the thread whose call is using each, now
        self.problems: list[str] = []
        self.pauser: Pauser | None = None
        self.actor: Actor | None = None
        self.factory = type("Driver", (_Driver,), {"monitor": self})
        self.connection_cls = type("Connection", (_Connection,), {"monitor": self})

    def problem(self, what: str) -> None:
        self.problems.append(what)

    def point(self, where: str) -> None:
        pauser = self.pauser
        if pauser is not None and pauser.thread == threading.get_ident():
            pauser.point((where, 0))
        elif self.actor is not None and self.actor.stops_in_close:
            self.actor.stop("in a close")

    def waits(self) -> None:
        actor = self.actor
        if actor is not None and threading.get_ident() != self.pauser_thread():
            actor.stop("waits for the lock")

    def pauser_thread(self) -> int | None:
        return None if self.pauser is None else self.pauser.thread

    def open(self) -> list[_Driver]:
        return [c for c in self.made if not c.closed]


class Subject:
    """A store on a file, a group in it, and a monitor of every connection it opens."""

    def __init__(self, path: str, monkeypatch: Any) -> None:
        self.path = path
        self.monitor = monitor = Monitor()
        self.store = open_store(f"sqlite:///{path}")
        engine = self.store._engine

        def do_connect(dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> None:
            cparams["factory"] = monitor.factory

        sa.event.listen(engine, "do_connect", do_connect)
        monkeypatch.setattr(engine, "_connection_cls", monitor.connection_cls)
        self.store.close()  # the connection that opened the store was made before them
        reentrant = isinstance(self.connections._lock, type(threading.RLock()))
        self.connections._lock = _Gated(monitor, reentrant=reentrant)
        self.group_id = recruiting(self.store)

        real_enter, real_exit = _kept._Using.__enter__, _kept._Using.__exit__
        mine = threading.local()

        def enter(using: Any) -> sa.Connection:
            conn = real_enter(using)
            driver = conn.connection.dbapi_connection
            monitor.using[driver] = threading.get_ident()
            mine.__dict__.setdefault("stack", []).append(driver)
            actor = monitor.actor
            if actor is not None and threading.get_ident() != monitor.pauser_thread():
                actor.stop("in its call")
            return conn

        def exit_(using: Any, *exc: Any) -> None:
            try:
                real_exit(using, *exc)
            finally:
                stack = mine.__dict__.get("stack")
                if stack:
                    monitor.using.pop(stack.pop(), None)

        monkeypatch.setattr(_kept._Using, "__enter__", enter)
        monkeypatch.setattr(_kept._Using, "__exit__", exit_)

    @property
    def connections(self) -> Any:
        return self.store._connections

    def get(self) -> int:
        return self.store.get(self.group_id).version


@pytest.fixture
def subject(tmp_path: Any, monkeypatch: Any) -> Iterator[Subject]:
    made = Subject(str(tmp_path / "claims.db"), monkeypatch)
    try:
        yield made
    finally:
        made.monitor.pauser = made.monitor.actor = None
        if made.connections._lock.locked():  # a thread a failing test left stuck
            made.connections._lock = threading.RLock()
        made.store.close()


# -- pausing a thread where the GIL can pass to another ----------------------------------------


class Pauser:
    """A trace function pausing its thread at its *at*-th point, until :meth:`go`.

    The points: in frames of _kept.py, each function's entry, and the instruction after
    each call or backward jump (where CPython 3.11 lets another thread take the GIL); the
    entry of each function they call; and the :class:`Monitor`'s points inside a close.
    """

    def __init__(self, at: int) -> None:
        self.at, self.count = at, 0
        self.where: tuple[str, int] | None = None
        self.thread: int | None = None
        self.paused, self._go = threading.Event(), threading.Event()
        self._last: dict[int, int | None] = {}

    def install(self) -> None:
        """Start counting the calling thread's points (from its next call on)."""
        self.thread = threading.get_ident()
        sys.settrace(self)

    def __call__(self, frame: Any, event: str, arg: Any) -> Any:
        if event != "call":
            return None
        if frame.f_code.co_filename == KEPT:
            frame.f_trace_opcodes = True
            frame.f_trace_lines = False
            self._last[id(frame)] = None
            self.point((frame.f_code.co_qualname, frame.f_lasti))
            return self._opcode
        caller = frame.f_back
        if (
            caller is not None
            and caller.f_code.co_filename == KEPT
            and frame.f_code.co_filename not in CALLBACKS
        ):
            self.point((frame.f_code.co_qualname, -1))  # the entry of a function it calls
        return None

    def _opcode(self, frame: Any, event: str, arg: Any) -> Any:
        if event == "opcode":
            code, offset = frame.f_code, frame.f_lasti
            last, self._last[id(frame)] = self._last.get(id(frame)), offset
            after_call = last is not None and opnames(code)[last] in CALLS
            if after_call and handlers(code)[last] == handlers(code)[offset]:
                self.point((code.co_qualname, offset))
        return self._opcode

    def point(self, where: tuple[str, int]) -> None:
        self.count += 1
        if self.count == self.at:
            self.where = where
            self.paused.set()
            assert self._go.wait(10), "never resumed"

    def go(self) -> None:
        self._go.set()


def in_new_thread(call: Callable[[], Any]) -> Any:
    """*call* run in a thread started for it, which has ended when this returns."""
    worker = Worker()
    try:
        return worker.run(call)
    finally:
        worker.stop()


class Actor:
    """The other side of a sweep: one call run while the worker is paused.

    :meth:`stopped` waits until it ended, or waits for the lock the worker holds, or is in
    the middle of a call of its own (``_Using.__enter__`` returned) or of a close: then it
    goes on only once :meth:`release` is called.
    """

    def __init__(self, monitor: Monitor, *, stops_in_close: bool) -> None:
        self._monitor = monitor
        self.stops_in_close = stops_in_close
        self._stopped, self._released = threading.Event(), threading.Event()
        self.how: str | None = None

    def stop(self, how: str) -> None:
        if self._released.is_set():
            return
        self.how = self.how or how
        self._stopped.set()
        assert self._released.wait(10), "never released"

    def ended(self) -> None:
        self.how = self.how or "ended"
        self._stopped.set()

    def stopped(self) -> None:
        assert self._stopped.wait(10), "the actor neither ended nor stopped"

    def release(self) -> None:
        self._released.set()


# -- the sweeps ----------------------------------------------------------------------------------


def _job_close(subject: Subject, pauser: Pauser) -> Any:
    pauser.install()
    subject.store.close()
    return "closed"


def _job_get(subject: Subject, pauser: Pauser) -> Any:
    pauser.install()
    return subject.get()


def _job_closed_under(subject: Subject, pauser: Pauser) -> Any:
    # store.close() within the call (a group type's listener's, say): the call's connection
    # is left to it, and its _Using.__exit__ drops it; the points counted are from there on
    with subject.connections():
        subject.store.close()
        pauser.install()
    return "closed"


JOBS: dict[str, tuple[Callable[[Subject, Pauser], Any], str, Any]] = {
    # what the worker does, how its connection is before (see _prepare), what it gives
    "close": (_job_close, "kept", "closed"),
    "get": (_job_get, "kept", VERSION),
    "first get of a new thread": (_job_get, "new", VERSION),  # _new sweeps the ended one's
    "get, the store closed under it": (_job_closed_under, "kept", "closed"),  # __exit__ drops
}


def _action_close(subject: Subject) -> Any:
    subject.store.close()
    return "closed"


def _action_new_thread(subject: Subject) -> Any:
    return in_new_thread(subject.get)


ACTIONS: dict[str, tuple[Callable[[Subject], Any], bool, Any]] = {
    # what the actor does meanwhile, whether it stops in its first close, what it gives
    "close": (_action_close, False, "closed"),
    "close, stopped in a close": (_action_close, True, "closed"),
    "get": (Subject.get, False, VERSION),
    "get, stopped in a close": (Subject.get, True, VERSION),
    "first get of a new thread": (_action_new_thread, False, VERSION),
    "first get of a new thread, stopped in a close": (_action_new_thread, True, VERSION),
}


def _prepare(subject: Subject, worker: Worker, actor: Worker, before: str) -> tuple[Worker, Any]:
    """Each thread's kept connection as the sweep starts.

    The worker (a new one for "new"), and the _Kept of a thread that ended since, idle:
    every pair closes it (close() as it is idle, _new as it is stale).
    """
    subject.get()  # the main thread's, idle
    actor.run(subject.get)  # the actor's, idle
    ended = in_new_thread(lambda: (subject.get(), subject.connections._local.kept)[1])
    if before == "new":
        return Worker(), ended
    worker.run(subject.get)
    return worker, ended


def sweep(subject: Subject, job: str, action: str) -> tuple[int, dict[str, list[Any]]]:
    """The worker's *job* paused at each of its points in turn while the actor does *action*.

    How many points, and what was wrong after each (by kind: the points that left it).
    """
    threads = Worker(), Worker()
    problems: dict[str, list[Any]] = {}
    try:
        at = 0
        while True:
            at += 1
            assert at < 500, "the call's points keep growing"
            done = _at_point(subject, job, action, at, threads)
            if done is None:
                return at - 1, problems
            where, found = done
            for problem in found:
                problems.setdefault(problem, []).append(where)
    finally:
        for thread in threads:
            thread.stop()


def _at_point(
    subject: Subject, job: str, action: str, at: int, threads: tuple[Worker, Worker]
) -> tuple[Any, list[str]] | None:
    """The worker's *job* paused at its *at*-th point while the actor does *action*.

    Where it paused and how the actor stopped, and what was wrong (None: it ended first).
    """
    call, before, expected = JOBS[job]
    act_call, stops_in_close, act_expected = ACTIONS[action]
    worker, actor = threads
    this, ended = _prepare(subject, worker, actor, before)
    monitor = subject.monitor
    monitor.pauser = pauser = Pauser(at)

    def work() -> Any:
        try:
            return call(subject, pauser)
        finally:
            sys.settrace(None)
            pauser.paused.set()  # also when it ended without pausing

    try:
        worker_result = this.start(work)
        assert pauser.paused.wait(10)
        if pauser.where is None:
            assert worker_result() == expected
            return None
        monitor.actor = side = Actor(monitor, stops_in_close=stops_in_close)

        def act() -> Any:
            try:
                return act_call(subject)
            finally:
                side.ended()

        actor_result = actor.start(act)
        side.stopped()
        pauser.go()
        got = worker_result()
        side.release()
        acted = actor_result()
        monitor.pauser = monitor.actor = None
        found = [f"the worker's call gave {got!r}"] if got != expected else []
        if acted != act_expected:
            found.append(f"the other thread's call gave {acted!r}")
        return (pauser.where, side.how), found + _check(subject, (this, actor), ended)
    finally:
        monitor.pauser = monitor.actor = None
        if this is not worker:
            this.stop()


def _check(subject: Subject, threads: tuple[Worker, Worker], ended: Any) -> list[str]:
    """What the calls left wrong; then the store closed, and so on to the next point."""
    monitor, connections = subject.monitor, subject.connections
    found = list(dict.fromkeys(monitor.problems))
    monitor.problems.clear()
    if connections._lock.locked():
        found.append("Connections._lock left held")
    if any(k.generation != connections.generation and not k.conn.closed for k in connections._kept):
        found.append("a connection close() retired still open after its call ended")
    if not ended.conn.closed:
        found.append("the connection of a thread that ended left open by close() or _new")
    found += _later_calls(subject, threads)
    found.extend(dict.fromkeys(monitor.problems))
    monitor.problems.clear()
    found += _left_after_close(subject, closes=1)
    return found


def _later_calls(subject: Subject, threads: tuple[Worker, Worker]) -> list[str]:
    """Whether every thread's next calls work, the main thread's on the connection it keeps."""
    try:
        versions = [subject.get()] + [thread.run(subject.get) for thread in threads]
        kept = subject.connections._local.__dict__.get("kept")
        again = subject.get()
    except Exception as exc:  # noqa: BLE001 -- reported
        return [f"a later call raised {type(exc).__name__}"]
    found = (
        [] if versions == [VERSION] * 3 == [again] * 3 else ["a later call gave a wrong version"]
    )
    if kept is None or kept.conn.closed or subject.connections._local.kept is not kept:
        found.append("the thread's connection not kept for its next call")
    return found


PAIRS = [
    # (the worker's call, paused at each of its points; what another thread does meanwhile)
    ("close", "close, stopped in a close"),
    ("close", "get, stopped in a close"),
    ("get", "close"),
    ("first get of a new thread", "close"),
    ("first get of a new thread", "first get of a new thread, stopped in a close"),
    ("get, the store closed under it", "get"),
    ("get, the store closed under it", "close, stopped in a close"),
]


@pytest.mark.parametrize(("job", "action"), PAIRS)
def test_a_call_paused_at_any_point_while_another_thread_calls(subject, job, action):
    # The worker's *job* paused at each of its points while another thread does *action*:
    # no connection closed by two calls at once, or under another thread's call, or used
    # after it was closed; every call gives what it should, and so do the threads' next
    # calls, the main thread's on the connection it keeps; the connection of a thread that
    # ended is closed; store.close() then leaves nothing open. The mutants of _kept.py each
    # pair was checked to catch:
    # * close | close, stopped in a close: the claim test removed from _claim (`if
    #   kept.closer is not None: ...` gone), its thread test inverted (`thread ==`), the
    #   claim not recorded (no `kept.closer = ...`): two close() calls close one connection
    #   at once; close() claiming outside the lock (both claim one between test and record).
    # * close | get, stopped in a close: those four, and close() claiming busy connections
    #   (`not k.busy` gone), `self.generation += 1` moved after the claims and the
    #   `generation == self.generation` test removed from _take (the get takes, as fit, a
    #   connection close() claimed, and it is closed under the get), drop() closing what it
    #   did not claim (`if mine:` as `if True:`), _new closing the stale ones unclaimed.
    # * get | close: `kept.user = weakref.ref(user)` moved after the fitness test in _take
    #   (close() sees it idle and closes it as the get takes it), close() claiming busy ones.
    # * first get of a new thread | close, and | first get of a new thread: _new sweeping
    #   the ended thread's connection as close() or another new thread's _new does: the
    #   claim mutants, _new closing unclaimed; and _stale without `of is None` (the ended
    #   thread's connection left open by both _new calls).
    # * get, the store closed under it | get, and | close: _stale not testing `kept.busy`
    #   (the get's _new closes the connection close() left to the call, under the call);
    #   _Using.__exit__ not dropping a connection of an older generation (open after close()
    #   and its call ended), or setting `kept.user = None` before that drop (the other
    #   thread's close() closes it while the call is still in its `with`).
    # * every pair: a new connection of an older generation from the start (`kept.generation
    #   = -1` in _new: each call drops its connection and connects anew).
    # Not caught here (by test_kept_interrupts.py: they need an interrupt): the "current
    # thread's claim is dead" rule removed, _close_claimed unlisting before it closes,
    # close() iterating the list itself rather than a copy.
    points, problems = sweep(subject, job, action)
    assert points > 5
    assert problems == {}, report(problems)


# -- what the sweeps cannot reach: claims and calls kept alive by a traceback, re-entrance -------


def _interrupted(qualname: str, call: Callable[[], Any]) -> Callable[[], Any]:
    """*call*, interrupted (``KeyboardInterrupt``) at the entry of *qualname*."""

    def run() -> Any:
        sys.settrace(at_entry_of(qualname, KeyboardInterrupt()))
        try:
            return call()
        finally:
            sys.settrace(None)

    return run


def test_a_close_interrupted_in_a_pool_thread_leaves_nothing_a_later_close_cannot_close(subject):
    # Failed on f45896b, fixed since. store.close() run by a pool thread is interrupted
    # after it claimed every idle connection and before it closed the first (here at the
    # entry of _close: as by an asynchronous exception, PyThreadState_SetAsyncExc, which is
    # how a thread is interrupted). The future keeps the exception, so its traceback, so the
    # frames of that close(), so its `closing` token. When a claim counted while its token
    # lived (and the current thread's counted as dead), every later store.close(), here two
    # from the main thread after the pool's thread ended, left them all open for as long as
    # the future lived. A claim now ends as its call does (the token is marked done in a
    # `finally`); the interrupt sweeps drop the traceback, so they could not see this.
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(subject.get).result() == VERSION  # the pool thread's connection
        failed = pool.submit(_interrupted("_close", subject.store.close))
        assert isinstance(failed.exception(), KeyboardInterrupt)
    subject.store.close()
    subject.store.close()
    assert subject.monitor.open() == []
    assert subject.connections._kept == []


@pytest.mark.parametrize("kept_by", ["this thread (the REPL)", "another thread (a future)"])
def test_a_call_interrupted_with_its_traceback_kept_leaves_no_connection_busy_for_ever(
    subject, kept_by
):
    # Failed on f45896b, fixed since. A get interrupted in _take after
    # `kept.user = weakref.ref(user)`
    # (at the entry of the `invalidated` property, a point where CPython runs a signal
    # handler: Ctrl-C in the REPL), its traceback kept: by the REPL (sys.last_value; here
    # pytest.raises) or by a future. The frames of _Using.__enter__ and _take hold the
    # call's _Using, so its connection stays busy while the traceback lives: close() leaves
    # it "to its call", which has ended; _stale never sweeps it, even after its thread
    # ended; and the thread's later calls each connect anew (Connections.__call__ takes it
    # for "a call made within a call of this thread"). The interrupt sweeps drop the
    # traceback before they look.
    interrupted = _interrupted("Connection.invalidated", subject.get)
    if kept_by == "this thread (the REPL)":
        with pytest.raises(KeyboardInterrupt) as raised:
            interrupted()
        made = len(subject.monitor.made)
        assert [subject.get() for _ in range(3)] == [VERSION] * 3
    else:
        with ThreadPoolExecutor(1) as pool:
            assert pool.submit(subject.get).result() == VERSION
            raised = pool.submit(interrupted)
            assert isinstance(raised.exception(), KeyboardInterrupt)
            made = len(subject.monitor.made)
            assert [pool.submit(subject.get).result() for _ in range(3)] == [VERSION] * 3
    later = len(subject.monitor.made) - made
    subject.store.close()
    subject.store.close()
    assert subject.monitor.open() == []
    assert later == 0  # no SQL ran in the call cut short: the thread's connection is used again
    del raised


@pytest.fixture
def alarm_calls() -> Iterator[list[Callable[[], None]]]:
    """A SIGALRM handler calling what the list holds (``store.close()`` on SIGTERM, say)."""
    calls: list[Callable[[], None]] = []

    def handler(signum: int, frame: Any) -> None:
        for call in calls:
            call()

    previous = signal.signal(signal.SIGALRM, handler)
    try:
        yield calls
    finally:
        signal.signal(signal.SIGALRM, previous)


def _closing(subject: Subject, outcome: list[Any]) -> Callable[[], None]:
    def close() -> None:
        try:
            subject.store.close()
        except Deadlock as exc:  # the real lock would have waited for ever
            outcome.append(exc)
        else:
            outcome.append("closed")

    return close


@pytest.mark.parametrize("by", ["a signal handler", "a finalizer"])
def test_store_close_from_a_signal_handler_or_finalizer_run_under_the_lock_does_not_deadlock(
    subject, alarm_calls, by
):
    # Failed on f45896b, fixed since. Connections._lock is held over a few calls (_forked, _stale,
    # _claim, kept.busy, list(), weakref.ref()): at each, CPython may run a signal handler
    # in the main thread, and any allocation there may start a garbage collection, which
    # runs finalizers in the thread holding the lock. One that calls store.close() (a
    # SIGTERM handler shutting down, an object closing the store in __del__) acquires the
    # lock again in the thread that holds it: threading.Lock is not reentrant, so that
    # thread waits for itself for ever (the process hangs instead of exiting). Here the
    # main thread's get, the store closed since, is in drop() -> _claim, under the lock.
    outcome: list[Any] = []
    subject.store.close()  # its connection retired: the next get drops it, under the lock
    close = _closing(subject, outcome)

    class Owner:  # an object owning the store, closing it when collected
        def __init__(self) -> None:
            self.cycle = self

        def __del__(self) -> None:
            close()

    def at_claim(frame: Any, event: str, arg: Any) -> Any:
        if event == "call" and frame.f_code.co_qualname == "Connections._claim" and not outcome:
            if by == "a signal handler":
                alarm_calls.append(close)
                signal.raise_signal(signal.SIGALRM)  # its handler runs on return, here
            else:
                Owner()  # garbage, in a cycle: only a collection finds it
                gc.collect()  # as the next allocation might have started one
        return None

    got = under(at_claim, subject.get)
    assert outcome == ["closed"]
    assert got == VERSION


def test_store_close_from_a_signal_handler_during_close_does_not_close_a_connection_twice(
    subject, alarm_calls
):
    # Failed on f45896b, fixed since. The main thread's store.close() is closing a
    # connection it claimed (inside SQLAlchemy's close of it) when a signal handler calls
    # store.close() again. When a claim of the current thread's counted as an interrupted
    # call's, the second close() claimed the connection and closed it inside the first
    # close of it (SQLAlchemy's close entered twice at once on one connection). SQLAlchemy
    # 2.1.9's pool absorbs the second close (its connection counts its closes), so the
    # driver's was not called twice; what failed is the promise of the claims, the one
    # everything else relies on (the driver's close is where a signal may come: a Python
    # function's entry, as the many of SQLAlchemy's pool on the way to it).
    outcome: list[Any] = []
    alarm_calls.append(_closing(subject, outcome))

    def in_drivers_close(frame: Any, event: str, arg: Any) -> Any:
        if event == "call" and frame.f_code.co_qualname == "_Driver.close" and not outcome:
            signal.raise_signal(signal.SIGALRM)  # its handler runs on return, here
        return None

    under(in_drivers_close, subject.store.close)
    assert outcome == ["closed"]
    assert subject.monitor.problems == []
    assert subject.monitor.open() == []


def test_a_call_cut_short_as_it_ends_with_its_traceback_kept_leaves_nothing_open(subject):
    # A call whose store was closed under it drops its connection as it ends; interrupted
    # at the entry of that drop, its traceback kept (the REPL's), it must still give the
    # connection back (in __exit__'s `finally`), or it stays busy, and no close() closes it.
    def call() -> None:
        try:
            with subject.connections():
                subject.store.close()  # another thread's, say: the connection is left to it
                sys.settrace(at_entry_of("Connections.drop", KeyboardInterrupt()))
        finally:
            sys.settrace(None)

    with pytest.raises(KeyboardInterrupt) as raised:
        call()
    subject.store.close()
    assert subject.monitor.open() == []
    del raised


def test_a_drop_cut_short_with_its_traceback_kept_leaves_its_claim_to_close(subject):
    # drop() interrupted after it claimed a connection, before it closed it (the entry of
    # _close_claimed), its traceback kept: the claim must end with the call (its token
    # marked done in drop's `finally`), or close() takes it for a close still going on.
    # The connection dropped is one a call left unclean (cut short as its `with` ended).
    with contextlib.suppress(KeyboardInterrupt):  # its traceback gone: its connection is free
        _interrupted("_Using.__exit__", subject.get)()
    assert not subject.connections._local.kept.clean
    with pytest.raises(KeyboardInterrupt) as raised:
        _interrupted("Connections._close_claimed", subject.get)()
    subject.store.close()
    assert subject.monitor.open() == []
    del raised


def test_a_first_call_cut_short_with_its_traceback_kept_leaves_its_claims_to_close(subject):
    # A thread's first call claims the connections of threads that ended (_new), and is
    # interrupted before it closed them, its traceback kept by a future: the claims must
    # end with the call (_new's `finally`), or close() takes them for a close going on.
    ended = threading.Thread(target=subject.get)
    ended.start()
    ended.join()  # its connection is stale now: the next _new claims it
    with ThreadPoolExecutor(1) as pool:
        failed = pool.submit(_interrupted("Connections._close_claimed", subject.get))
        assert isinstance(failed.exception(), KeyboardInterrupt)
    subject.store.close()
    assert subject.monitor.open() == []
    del failed


# -- re-entrance: a signal handler or a finalizer calling the store at every point of a call ----


class _Reenter(Pauser):
    """The :class:`Pauser`'s points of the calling thread; at the *at*-th, *act* runs there.

    As a signal handler (or a finalizer a collection starts) runs in the thread, nested in
    its call: to its end, before the call goes on. Its own points are not counted.
    """

    def __init__(self, at: int, act: Callable[[], Any]) -> None:
        super().__init__(at)
        self.act = act
        self.acting = False
        self.outcome: list[Any] = []

    def point(self, where: tuple[str, int]) -> None:
        if self.acting:
            return
        self.count += 1
        if self.count == self.at:
            self.where = where
            self.acting = True
            try:
                self.outcome.append(self.act())
            except Exception as exc:  # noqa: BLE001 -- reported
                self.outcome.append(exc)
            finally:
                self.acting = False


def _re_get(subject: Subject) -> Any:
    return subject.get()


def _re_fire(subject: Subject) -> Any:
    subject.fired = getattr(subject, "fired", 0) + 1
    return subject.store.fire(subject.group_id, "admit", member(f"r{subject.fired}")).version


REENTERED: dict[str, Callable[[Subject], Any]] = {
    "close": _action_close,
    "get": _re_get,
    "fire": _re_fire,
}


def _r_get(subject: Subject, reenter: _Reenter) -> Any:
    reenter.install()
    return subject.get()


def _r_get_closed(subject: Subject, reenter: _Reenter) -> Any:
    subject.store.close()  # the thread's connection retired: _take drops it, _new connects
    reenter.install()
    return subject.get()


def _r_close(subject: Subject, reenter: _Reenter) -> Any:
    reenter.install()
    subject.store.close()
    return "closed"


def _r_closed_under(subject: Subject, reenter: _Reenter) -> Any:
    with subject.connections():
        subject.store.close()
        reenter.install()
    return "closed"


def _r_fire(subject: Subject, reenter: _Reenter) -> Any:
    reenter.install()
    return _re_fire(subject)


R_JOBS: dict[str, Callable[[Subject, _Reenter], Any]] = {
    "get": _r_get,
    "get, the store closed before": _r_get_closed,
    "close": _r_close,
    "get, the store closed under it": _r_closed_under,
    "fire": _r_fire,
}


def _reentered_at(
    subject: Subject, pair: tuple[str, str, str], at: int, other: Worker
) -> tuple[Any, list[str]] | None:
    """*pair*'s call with its nested call at its *at*-th point: where, and what was wrong.

    ``None`` when the call has no *at*-th point.
    """
    job, where, action = pair
    monitor = subject.monitor
    subject.get()  # the main thread's, idle
    other.run(subject.get)  # another thread's, idle
    ended = in_new_thread(lambda: (subject.get(), subject.connections._local.kept)[1])
    base = subject.get()
    reenter = _Reenter(at, lambda: REENTERED[action](subject))
    monitor.pauser = reenter

    def work() -> Any:
        try:
            return R_JOBS[job](subject, reenter)
        finally:
            sys.settrace(None)

    try:
        got = work() if where == "main" else in_new_thread(work)
    except Exception as exc:  # noqa: BLE001 -- reported
        got = exc
    finally:
        monitor.pauser = None
    if reenter.where is None:
        return None
    found = list(dict.fromkeys(monitor.problems))
    monitor.problems.clear()
    acted = reenter.outcome[0] if reenter.outcome else None
    found += _wrong_answers(job, action, base, got, acted)
    if subject.connections._lock.locked():
        found.append("Connections._lock left held")
    if not ended.conn.closed and "close" in (job, action):
        found.append("the connection of a thread that ended left open")
    found += _later_calls_wrong(subject, other, base + (job == "fire") + (action == "fire"))
    return reenter.where, found + _left_after_close(subject)


def _wrong_answers(job: str, action: str, base: int, got: Any, acted: Any) -> list[str]:
    """What the call (*got*) and the nested call (*acted*) gave that they should not have."""
    found = []
    if job == "fire":
        ok = got in (base + 1, base + 2) if action == "fire" else got == base + 1
    elif job in ("get", "get, the store closed before"):
        ok = got in (base, base + (action == "fire"))
    else:
        ok = got == "closed"
    if not ok:
        found.append(f"the call gave {got!r}")
    if action == "close":
        ok = acted == "closed"
    elif action == "get":
        ok = acted in (base, base + (job == "fire"))
    else:
        ok = acted in (base + 1, base + 2) if job == "fire" else acted == base + 1
    if not ok:
        found.append(f"the re-entered call gave {acted!r}")
    if job == "fire" and action == "fire" and got == acted:
        found.append("both fires gave one version")
    return found


def _later_calls_wrong(subject: Subject, other: Worker, version: int) -> list[str]:
    """Whether the threads' next calls give *version*, this one on the connection it keeps."""
    monitor, found = subject.monitor, []
    try:
        made = len(monitor.made)
        versions = [subject.get(), subject.get()]
        again = len(monitor.made) - made  # this thread's: one, if its connection was retired
        versions.append(other.run(subject.get))
        if versions != [version] * 3:
            found.append(f"later calls gave {versions}, not {version}")
        kept = subject.connections._local.__dict__.get("kept")
        if kept is None or kept.conn.closed or again > 1:
            found.append("the thread's connection not kept for its next call")
    except Exception as exc:  # noqa: BLE001 -- reported
        found.append(f"a later call raised {type(exc).__name__}: {exc}")
    found.extend(dict.fromkeys(monitor.problems))
    monitor.problems.clear()
    return found


def _left_after_close(subject: Subject, closes: int = 2) -> list[str]:
    """What *closes* store.close() left open or listed (closed then, for the next point)."""
    monitor, found = subject.monitor, []
    for _ in range(closes):
        subject.store.close()
    if monitor.open():
        said = "store.close()" if closes == 1 else "two store.close()"
        found.append(f"a connection {said} left open after the calls ended")
        for conn in monitor.open():
            conn.close()
    if subject.connections._kept:
        found.append("a connection still listed after store.close()")
        subject.connections._kept.clear()
    return found


def reenter_sweep(subject: Subject, pair: tuple[str, str, str]) -> tuple[int, dict[str, Any]]:
    """*pair*'s call with its nested call at each of its points in turn: how many, what wrong."""
    other = Worker()
    problems: dict[str, list[Any]] = {}
    try:
        at = 0
        while True:
            at += 1
            assert at < 500, "the call's points keep growing"
            done = _reentered_at(subject, pair, at, other)
            if done is None:
                return at - 1, problems
            point, found = done
            for problem in found:
                problems.setdefault(problem, []).append(point)
    finally:
        other.stop()


REENTERED_PAIRS = [
    # (the call swept, in which thread; what a signal handler or a finalizer calls in it)
    ("get", "main", "get"),
    ("get, the store closed before", "main", "close"),
    ("close", "main", "close"),
    ("get, the store closed under it", "main", "close"),
    ("fire", "main", "fire"),
    ("get", "new", "close"),  # a thread's first call: _new sweeps the ended thread's
]


@pytest.mark.parametrize("pair", REENTERED_PAIRS, ids=" | ".join)
def test_a_call_reentered_at_any_point_by_a_signal_handler_or_finalizer(subject, pair):
    # The call *job* (in the main thread, or a new thread's first) with a store call
    # *action* run nested in it at each of its points (as a signal handler or a finalizer a
    # collection starts would), under Connections._lock too (reentrant: _Gated): no
    # connection closed twice or by two calls at once or under a call, none used after it
    # was closed; both calls give the right version; the thread's later calls work on the
    # connection it keeps; two store.close() leave nothing open or listed. Mutants of
    # _kept.py it was checked to catch (with PYTHONPATH on a copy):
    # * get | get: Connections.__call__ without `kept.busy` (a nested call takes the
    #   connection its thread's call holds, and gives it back under it: the outer call then
    #   runs on a connection dropped or closed, ResourceClosedError); no other test in
    #   test_kept_claims.py or test_kept_interrupts.py catches it.
    # * get, the store closed before | close: threading.Lock for the RLock (a deadlock
    #   under _claim; also the deadlock test below).
    # * close | close: close() marking its token done before it closes what it claimed
    #   (the nested close() claims one the outer is closing: two closes at once).
    # * get, new thread | close: _new marking its token done before _close_claimed.
    # Not caught (equivalent here): drop() marking its token done early (what it drops
    # is busy all along), _claim without its `conn.closed` branch (SQLAlchemy's second
    # close is a no-op), _new iterating self._kept rather than a copy (a nested close()
    # unlists only what it closed).
    points, problems = reenter_sweep(subject, pair)
    assert points > 5
    assert problems == {}, report(problems)


def test_a_get_from_a_signal_handler_in_a_new_connections_sweep_leaves_one_for_the_thread(
    subject, alarm_calls
):
    # Failed on f2a7627, fixed since. A thread's call connecting anew (_new: the store was
    # closed, so _take dropped its connection) read a copy of the list, under the lock, to
    # sweep it; a signal handler (or a finalizer) making a store call there (at the entry
    # of _stale) found no connection of the thread's (not the thread's until _new ended),
    # so it connected anew, listed that one and made it the thread's; then the outer call
    # made its own the thread's. The nested call's connection stayed listed, idle, never
    # used again (the copy did not have it), open until a store.close(). Now _new makes
    # its connection the thread's first, then sweeps: a nested call finds it busy, and
    # connects on its own without keeping what it opened.
    subject.store.close()
    other = Worker()
    assert other.run(subject.get) == VERSION  # another thread's connection, listed: swept
    alarm_calls.append(subject.get)
    armed = [True]

    def at_stale(frame: Any, event: str, arg: Any) -> Any:
        if event == "call" and frame.f_code.co_qualname == "_stale" and armed:
            armed.pop()
            signal.raise_signal(signal.SIGALRM)  # its handler runs on return, here
        return None

    got = under(at_stale, subject.get)
    other.stop()
    assert got == VERSION
    assert not armed
    connections = subject.connections
    mine = [k for k in connections._kept if k.alive() is connections._local.alive]
    assert mine == [connections._local.kept]
    assert len(subject.monitor.open()) == 2  # this thread's, the other's
