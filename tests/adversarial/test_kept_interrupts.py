"""Interrupts at every point of a store call, against the kept SQLite connections (_kept.py).

kelompok.store._kept promises that a ``KeyboardInterrupt`` (or any ``BaseException``)
arriving anywhere in a synchronous store call, even between ``connections()`` and its
``with`` or inside ``__enter__`` / ``_take`` / ``_new`` / ``drop`` / ``__exit__``, never
leaves (a) a connection busy for ever, (b) a transaction open on a connection used again,
(c) the SQLite write lock held, (d) a connection ``store.close()`` cannot close, (e) a
connection closed twice or under a call using it, (f) half an event.

A trace function counts the points of one call in _kept.py and _driver.py and raises at
the n-th, for every n (a sweep); after each, :func:`damage` lists what the interrupt left
behind. Two kinds of point:

* "signal" points: where CPython 3.11 runs a signal handler (and so where a real
  ``SIGINT`` / ``SIGALRM`` handler raises): the entry of a Python function (``RESUME``),
  and just after a call or a backward jump. There a real ``SIGALRM`` handler raises
  (made pending by ``signal.raise_signal`` from the trace function).
* every instruction of _kept.py, except the few between a ``with`` block's last
  instruction and its ``__exit__`` call, where an exception skips ``__exit__`` in any
  Python code (a lock stays held) and where no signal is ever delivered.

Other attacks pause one thread at every point of its call where the GIL can pass to another
thread (the signal points) while that other thread closes the store, and interrupt
``store.close()`` itself at every point.

CPython 3.11 only: the points are its bytecode's.
"""

from __future__ import annotations

import contextlib
import dis
import functools
import gc
import signal
import sqlite3
import sys
import threading
import weakref
from collections.abc import Callable, Iterator
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
)
from kelompok.store import _driver, _kept, open_store
from store_contract import lock_is_free, recruiting
from store_workers import member

KEPT = _kept.__file__
DRIVER = _driver.__file__

# The sweeps count CPython 3.11's bytecode points: CI's Python is 3.11, so they run there.
pytestmark = pytest.mark.skipif(
    sys.version_info[:2] != (3, 11), reason="the signal points are CPython 3.11's"
)


class Interrupted(BaseException):
    """Raised by the SIGALRM handler: not a KeyboardInterrupt, not an Exception."""


class _WeakConnection(sqlite3.Connection):
    """A driver connection a weak reference can follow (sqlite3.Connection takes none)."""


# -- where an exception can be raised --------------------------------------------------------


@functools.cache
def _with_exits(code: Any) -> frozenset[int]:
    """The offsets between a ``with`` body's end and its ``__exit__`` call (a tracer's only)."""
    entries = dis._parse_exception_table(code)  # type: ignore[attr-defined]
    instructions = list(dis.get_instructions(code))
    skipped: set[int] = set()
    for ins in instructions:
        if ins.opname != "BEFORE_WITH":
            continue
        body = next(e for e in entries if e.start == ins.offset + 2)
        for after in instructions:
            if after.offset >= body.end:
                skipped.add(after.offset)
                if after.opname == "CALL":
                    break
    return frozenset(skipped)


class Injector:
    """A trace function: counts the points of one call and acts at the *at*-th one.

    *mode* "signal": the points where CPython delivers a signal (and lets another thread
    take the GIL), in frames of *files* (default _kept.py and _driver.py) and at the entry
    of a function they call; "any": every instruction of a frame of *files* (default
    _kept.py) but those of :func:`_with_exits`. *act()* is called at the point (it raises,
    or pauses).
    """

    def __init__(
        self,
        mode: str,
        at: int | None = None,
        act: Callable[[], None] | None = None,
        files: frozenset[str] | None = None,
    ) -> None:
        self.mode, self.at, self.act = mode, at, act
        self.count = 0
        self.where: tuple[str, int] | None = None
        default = {KEPT, DRIVER} if mode == "signal" else {KEPT}
        self._files = default if files is None else files
        self._last: dict[int, int | None] = {}

    def __call__(self, frame: Any, event: str, arg: Any) -> Any:
        if event != "call":
            return None
        if frame.f_code.co_filename in self._files:
            frame.f_trace_opcodes = True
            frame.f_trace_lines = False
            self._last[id(frame)] = None
            if self.mode == "signal":
                self._point(frame)
            return self._opcode
        caller = frame.f_back
        if (
            self.mode == "signal"
            and caller is not None
            and caller.f_code.co_filename in self._files
            and frame.f_code.co_filename not in CALLBACKS
        ):
            self._point(frame)  # the callee's RESUME: the call raised before doing anything
        return None

    def _opcode(self, frame: Any, event: str, arg: Any) -> Any:
        if event != "opcode":
            return self._opcode
        code, offset = frame.f_code, frame.f_lasti
        if self.mode == "any":
            if offset not in _with_exits(code):
                self._point(frame)
            return self._opcode
        last, self._last[id(frame)] = self._last.get(id(frame)), offset
        # just after a call: the handler runs as the call's own exception would be raised
        if last is not None and opnames(code)[last] in CALLS:
            reached = handlers(code)
            if reached[last] == reached[offset]:
                self._point(frame)
        return self._opcode

    def _point(self, frame: Any) -> None:
        self.count += 1
        if self.count == self.at:
            self.where = (frame.f_code.co_qualname, frame.f_lasti)
            assert self.act is not None
            self.act()


@contextlib.contextmanager
def alarm_raises() -> Iterator[None]:
    """While in the block, a SIGALRM raises Interrupted wherever the thread is."""

    def handler(signum: int, frame: Any) -> None:
        raise Interrupted

    previous = signal.signal(signal.SIGALRM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGALRM, previous)


def _alarm() -> None:
    signal.raise_signal(signal.SIGALRM)  # its handler raises Interrupted, here and now


def _keyboard_interrupt() -> None:
    raise KeyboardInterrupt


def traced(tracer: Any, call: Callable[[], Any]) -> BaseException | None:
    """Run *call* under the trace function *tracer*; what it raised, or None."""
    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        call()
    except BaseException as exc:  # noqa: BLE001 -- the interrupt, returned to the sweep
        return exc
    finally:
        sys.settrace(previous)
    return None


# -- the store and what an interrupt may leave behind ----------------------------------------


class Subject:
    """A store on a file, a group in it, and every driver connection it opened (weakly)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.store = open_store(f"sqlite:///{path}")
        self._made: list[weakref.ref[sqlite3.Connection]] = []
        engine = self.store._engine

        def do_connect(dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> None:
            cparams["factory"] = _WeakConnection

        def connect(dbapi_connection: Any, record: Any) -> None:
            self._made.append(weakref.ref(dbapi_connection))

        sa.event.listen(engine, "do_connect", do_connect)
        sa.event.listen(engine, "connect", connect)
        self.store.close()  # the connection that opened the store was made before them
        self.group_id = recruiting(self.store)
        self.fired = 0

    @property
    def connections(self) -> Any:
        return self.store._connections

    def fire(self) -> int:
        self.fired += 1
        return self.store.fire(self.group_id, "admit", member(f"m{self.fired}")).version

    def open_connections(
        self, *, besides: list[sqlite3.Connection] = ()
    ) -> list[sqlite3.Connection]:  # type: ignore[assignment]
        """The driver connections still open but those *besides*, none merely unreachable."""

        def found() -> list[sqlite3.Connection]:
            alive = (ref() for ref in self._made)
            return [
                c
                for c in alive
                if c is not None and all(c is not b for b in besides) and _is_open(c)
            ]

        if not found():
            return []
        gc.collect()  # only then: a collection costs more than the call swept
        return found()

    def listed(self) -> list[sqlite3.Connection]:
        return [
            k.conn.connection.dbapi_connection
            for k in self.connections._kept
            if not k.conn.closed and not k.conn.invalidated
        ]


def _is_open(conn: sqlite3.Connection) -> bool:
    try:
        conn.execute("SELECT 1").close()
    except sqlite3.ProgrammingError:  # "Cannot operate on a closed database."
        return False
    return True


def held(lock: Any) -> bool:
    """Whether some thread holds *lock*, a reentrant one too (it has no ``locked()`` in 3.11)."""
    got: list[bool] = []

    def probe() -> None:  # another thread: this one would take a lock it holds again
        got.append(lock.acquire(blocking=False))
        if got[-1]:
            lock.release()

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join()
    return not got[0]


def damage(subject: Subject, before: int, then: str) -> list[str]:
    """What an interrupted call of this thread left behind; repaired, so the sweep goes on.

    *then* "call": the thread calls again, as it would after catching the interrupt; it
    must keep one connection, the one it uses. "close": the store is closed first, and
    every connection must be closed by it.
    """
    mine = subject.connections._local.__dict__.get("kept")
    found = _left_in_use(subject, mine)
    if then == "close":
        return found + _left_open(subject, mine) + _next_calls(subject, before)
    found += _next_calls(subject, before)  # which sweeps what the interrupted call listed
    return found + _left_beside(subject, subject.connections._local.__dict__.get("kept"))


def _left_in_use(subject: Subject, mine: Any) -> list[str]:
    """(a), (b), (c), and the lock of the list of connections."""
    found = []
    connections = subject.connections
    if held(connections._lock):
        found.append("Connections._lock held")
        connections._lock = threading.RLock()
    if mine is not None and mine.busy:
        found.append("(a) this thread's kept connection still busy")
    found.extend(
        "(b) a listed connection left in a transaction"
        for kept in connections._kept
        if not kept.conn.closed and kept.conn.connection.dbapi_connection.in_transaction
    )
    if not lock_is_free(subject.path):
        found.append("(c) the write lock held")
    return found


def _left_open(subject: Subject, mine: Any) -> list[str]:
    """(d): a connection store.close() does not close."""
    subject.store.close()
    left = subject.open_connections()
    if not left:
        return []
    if mine is not None and not mine.conn.closed:
        mine.conn.close()
    for conn in left:
        conn.close()
    return ["(d) a connection store.close() left open"]


def _left_beside(subject: Subject, mine: Any) -> list[str]:
    """A connection kept for the thread beside the one it uses: open, unused, until close()."""
    connections = subject.connections
    beside = [kept for kept in connections._kept if kept is not mine]
    for kept in beside:
        connections._kept.remove(kept)
        kept.conn.close()
    return ["a second connection listed for the thread (open until close)"] if beside else []


def _next_calls(subject: Subject, before: int) -> list[str]:
    """(f), and whether the thread's next calls work."""
    found = []
    store = subject.store
    try:
        version = store.get(subject.group_id).version
        if version not in (before, before + 1):
            found.append(f"(f) version {before} became {version}")
        if len(store.history(subject.group_id, after=before - 1)) != version - before + 1:
            found.append("(f) the head and the history disagree")
        if subject.fire() != version + 1:
            found.append("the next fire gave a wrong version")
    except Exception as exc:  # noqa: BLE001 -- reported
        found.append(f"the next calls raised {type(exc).__name__}: {str(exc)[:60]}")
        store.close()  # a fresh connection for the rest of the sweep
        _driver._writing.__dict__.get("files", set()).clear()  # a write that never ended
    return found


def sweep(
    subject: Subject,
    mode: str,
    call: Callable[[], Any],
    prepare: Callable[[], None] = lambda: None,
    then: str = "call",
) -> tuple[int, dict[str, list[tuple[str, int]]]]:
    """Interrupt *call* at each of its points in turn; how many, and what each left behind."""
    act, expected = (
        (_alarm, Interrupted) if mode == "signal" else (_keyboard_interrupt, KeyboardInterrupt)
    )
    problems: dict[str, list[tuple[str, int]]] = {}
    at = 0
    while True:
        at += 1
        assert at < 1000, "the call's points keep growing"
        before = subject.store.get(subject.group_id).version
        prepare()
        injector = Injector(mode, at, act)
        with alarm_raises():
            raised = traced(injector, call)
        if injector.where is None:
            assert raised is None
            return at - 1, problems
        assert isinstance(raised, expected), (injector.where, raised)
        del raised
        for problem in damage(subject, before, then):
            problems.setdefault(problem, []).append(injector.where)


@pytest.fixture
def subject(tmp_path: Any) -> Iterator[Subject]:
    made = Subject(str(tmp_path / "interrupts.db"))
    try:
        yield made
    finally:
        made.store.close()
        _driver._writing.__dict__.get("files", set()).clear()  # what a failing test left


# -- sweeps over one fire ----------------------------------------------------------------------


def _unclean(subject: Subject) -> Callable[[], None]:
    def prepare() -> None:
        # a read interrupted as its `with` ended (the entry of _Using.__exit__): its
        # connection is still listed, and not clean
        tracer = at_entry_of("_Using.__exit__", KeyboardInterrupt())
        assert isinstance(
            traced(tracer, lambda: subject.store.get(subject.group_id)), KeyboardInterrupt
        )
        assert not subject.connections._local.kept.clean

    return prepare


SCENARIOS = {
    # the thread's connection, clean, used again
    "kept": lambda subject: lambda: None,
    # store.close() since: _take retires it, _new opens another
    "after close": lambda subject: subject.store.close,
    # a call that never ended used it: _take drops it (still listed), _new opens another
    "unclean": _unclean,
}


@pytest.mark.parametrize("then", ["call", "close"])
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_a_signal_at_any_point_of_a_fire_leaves_nothing_behind(subject, scenario, then):
    # The realistic sweep: a real SIGALRM handler raises at each point where CPython runs
    # one, in _kept.py and _driver.py. It found the faults the minimal tests below pin
    # (the write note of _driver, the windows of _new, drop and close), and it catches
    # `roll_back(kept.conn)` removed from _Using.__exit__ ((b), (c): an interrupt at COMMIT
    # leaves BEGIN IMMEDIATE open) and `busy` not following the weak reference
    # (`return user is not None`: (a) at 95 points).
    points, problems = sweep(
        subject, "signal", subject.fire, SCENARIOS[scenario](subject), then=then
    )
    assert points > 100
    assert problems == {}, report(problems)


@pytest.mark.parametrize(
    ("scenario", "then"), [("kept", "call"), ("kept", "close"), ("after close", "call")]
)
def test_an_interrupt_at_any_instruction_of_kept_py_in_a_fire_leaves_nothing_behind(
    subject, scenario, then
):
    # Every instruction of _kept.py, not only the signal points (what a trace function can
    # raise at). "kept" catches `busy` as `return user is not None` ((a): a call
    # interrupted in _take, or in __exit__ before `kept.user = None`, leaves the connection
    # busy: the thread opens a pooled connection per call, close() never closes it).
    # "after close" catches _new listing its connection after it is the thread's.
    points, problems = sweep(subject, "any", subject.fire, SCENARIOS[scenario](subject), then=then)
    assert points > 100
    assert problems == {}, report(problems)


def test_a_signal_at_any_point_of_a_read_leaves_nothing_behind(subject):
    # A read holds no write lock but a snapshot; catches `roll_back` in
    # _Using.__exit__ replaced by `pass` (the BEGIN of a read interrupted at its COMMIT stays
    # open; the next call's BEGIN fails), and `busy` as `return user is not None`.
    points, problems = sweep(subject, "signal", lambda: subject.store.get(subject.group_id))
    assert points > 40
    assert problems == {}, report(problems)


# -- the minimal cases of what the sweeps find ---------------------------------------------------


def _after_call_in(qualname: str, callee: str, exc: BaseException) -> Any:
    """A trace function raising *exc* in *qualname* just after its first call of *callee*.

    The instruction after a call is where CPython runs a pending signal's handler.
    """
    armed = [exc]

    def local(frame: Any, event: str, arg: Any) -> Any:
        if event == "opcode" and armed and frame.f_lasti in _after_calls(frame.f_code, callee):
            raise armed.pop()
        return local

    def tracer(frame: Any, event: str, arg: Any) -> Any:
        if event == "call" and frame.f_code.co_qualname == qualname:
            frame.f_trace_opcodes = True
            frame.f_trace_lines = False
            return local
        return None

    return tracer


@functools.cache
def _after_calls(code: Any, callee: str) -> frozenset[int]:
    """The offsets of the instructions just after a call of the function or method *callee*."""
    found, loaded, previous = set(), None, None
    for ins in dis.get_instructions(code):
        if previous is not None and previous.opname == "CALL" and loaded == callee:
            found.add(ins.offset)
        if ins.opname in ("LOAD_METHOD", "LOAD_GLOBAL", "LOAD_ATTR"):
            loaded = ins.argval
        previous = ins
    return frozenset(found)


def test_an_interrupt_as_a_write_transaction_ends_does_not_refuse_every_later_write(subject):
    # _driver.transaction: a signal at the entry of _release (in __exit__'s `finally`, after
    # COMMIT) means _release never runs, so the file stays in _driver._writing.files and
    # every later write of this thread, on any store of that file, raises UsageError ("a
    # store call that writes was made while a store call of the same thread is writing")
    # at once, for the life of the thread, unless the note of a write holds its connection
    # and counts only while that is in a transaction. (So did the entry of
    # transaction.__exit__, and the instructions after files.add in _own_write and after
    # _own_write returns in __enter__.)
    raised = traced(at_entry_of("transaction._release", KeyboardInterrupt()), subject.fire)
    assert isinstance(raised, KeyboardInterrupt)
    del raised  # handled: its traceback no longer holds the call's frames
    assert subject.store.get(subject.group_id).version == 5  # committed, whole
    assert subject.fire() == 6


def test_an_interrupt_as_a_new_connection_is_listed_leaves_one_connection_for_the_thread(
    subject,
):
    # Connections._new: a signal just after `self._kept.append(kept)` (or after the lock's
    # __exit__) and before `self._local.kept = kept`: the new connection is listed, idle,
    # of a live thread and the current generation, and the thread never uses it again.
    # Unless the thread's next _new counts its own idle connections as stale, it stays open
    # until store.close(), one more per such interrupt.
    subject.store.close()
    raised = traced(_after_call_in("Connections._new", "append", KeyboardInterrupt()), subject.fire)
    assert isinstance(raised, KeyboardInterrupt)
    del raised  # handled: its traceback no longer holds the call's frames
    assert subject.fire() == 5
    assert len(subject.connections._kept) == 1
    assert subject.connections._kept[0] is subject.connections._local.kept
    assert len(subject.open_connections()) == 1


def test_an_interrupt_as_an_unclean_connection_is_dropped_leaves_it_to_close(subject):
    # Connections.drop, called by _take for a connection whose last call never ended (here a
    # read interrupted at the entry of _Using.__exit__; also one a driver error
    # invalidated): a signal after drop claimed it and before it is closed. If unlisting
    # came before closing (as it did), nothing closes it then but the garbage collector:
    # store.close() cannot find it. Now it stays listed, and the claim dies with the call.
    _unclean(subject)()
    kept = subject.connections._local.kept
    raised = traced(at_entry_of("Connections._close_claimed", KeyboardInterrupt()), subject.fire)
    assert isinstance(raised, KeyboardInterrupt)
    del raised  # handled: its traceback no longer holds the call's frames
    subject.store.close()
    assert kept.conn.closed
    assert subject.open_connections() == []


def test_a_call_the_store_was_closed_under_closes_its_connection_even_if_interrupted(subject):
    # the same window, reached by one interrupt in a healthy store: store.close() while this
    # thread's call runs leaves its connection to the call, whose _Using.__exit__ drops it;
    # interrupted after drop claimed it, it must stay where a second store.close() closes it.
    kept = subject.connections._local.kept
    tracer = at_entry_of("Connections._close_claimed", KeyboardInterrupt())

    def call() -> None:
        with subject.connections() as conn:
            assert conn is kept.conn
            subject.store.close()  # another thread's, say: the call's connection is left to it
            sys.settrace(tracer)

    raised = traced(None, call)
    assert isinstance(raised, KeyboardInterrupt)
    del raised  # handled: its traceback no longer holds the call's frames
    subject.store.close()
    assert kept.conn.closed
    assert subject.open_connections() == []


@pytest.mark.parametrize("traceback_kept", [False, True])
def test_an_interrupted_close_leaves_no_connection_a_second_close_cannot_close(
    subject, traceback_kept
):
    # Connections.close() claims every idle connection under the lock, then closes them one
    # by one: a signal in that loop must leave the rest to the next close(). (When close()
    # unlisted them first, it closed nothing again: a thread that keeps its connection but
    # makes no call kept it open for good.) The interrupt's traceback may outlive it, as
    # the REPL keeps it in sys.last_value: the first close()'s claims live in its frames,
    # so they count as dead to a later call of the same thread.
    other = Worker()
    try:
        other.run(lambda: subject.store.get(subject.group_id))
        assert len(subject.connections._kept) == 2
        raised = traced(at_entry_of("_close", KeyboardInterrupt()), subject.store.close)
        assert isinstance(raised, KeyboardInterrupt)
        if not traceback_kept:
            del raised  # handled: its traceback no longer holds the call's frames
        subject.store.close()
        assert subject.open_connections() == []
    finally:
        other.stop()


def test_a_signal_at_any_point_of_close_leaves_nothing_a_second_close_cannot_close(subject):
    # the sweep behind the test above, with another thread's idle connection listed too
    other = Worker()
    problems: dict[str, list[Any]] = {}
    try:
        at = 0
        while True:
            at += 1
            subject.store.get(subject.group_id)
            other.run(lambda: subject.store.get(subject.group_id))
            injector = Injector("signal", at, _alarm)
            with alarm_raises():
                raised = traced(injector, subject.store.close)
            if injector.where is None:
                break
            assert isinstance(raised, Interrupted)
            del raised
            subject.store.close()
            if subject.open_connections():
                problems.setdefault("(d) open after a second close()", []).append(injector.where)
            if subject.connections._kept:
                problems.setdefault("still listed after close()", []).append(injector.where)
        assert at > 10
        assert problems == {}, report(problems)
    finally:
        other.stop()


# -- threads: a call paused at each GIL switch while another thread closes the store ------------


@pytest.mark.parametrize("scenario", ["kept", "after close"])
def test_close_at_any_gil_switch_of_another_threads_call_never_closes_its_connection(
    subject, scenario
):
    # A worker's fire is paused at each point of _kept.py where the GIL can pass to another
    # thread (the signal points) while this thread runs store.close(). The worker's call must
    # succeed (no connection closed under it, none used after close() closed it), and a
    # second close() must leave nothing open. Catches `kept.user = weakref.ref(user)` moved
    # after the fitness test in _take (close() sees the connection idle and closes it as the
    # worker takes it), the `kept.generation != self._owner.generation` drop removed from
    # _Using.__exit__ (the connection close() left to the call stays open after it), and a
    # new _Kept not busy from the start (`self.user = None` in _Kept.__init__: close()
    # closes it between _new's append and the call's first statement).
    worker = Worker()
    problems: dict[str, list[Any]] = {}
    try:
        at = 0
        while True:
            at += 1
            if scenario == "kept":
                worker.run(lambda: subject.store.get(subject.group_id))
            where, found = _close_while_paused(subject, worker, at)
            if where is None:
                break
            for problem in found:
                problems.setdefault(problem, []).append(where)
        assert at > (10 if scenario == "kept" else 25)
        assert problems == {}, report(problems)
    finally:
        worker.stop()


def _close_while_paused(subject: Subject, worker: Worker, at: int) -> tuple[Any, list[str]]:
    """The worker fires, paused at its *at*-th point while this thread closes the store.

    Where it paused (None: it ended first), and what was wrong after.
    """
    before = subject.store.get(subject.group_id).version
    paused, resume = threading.Event(), threading.Event()

    def pause() -> None:
        paused.set()
        assert resume.wait(10)

    injector = Injector("signal", at, pause, files=frozenset({KEPT}))

    def fire() -> int:
        try:
            return subject.fire()
        finally:
            paused.set()  # also when it ended without pausing

    result = worker.start(fire, injector)
    assert paused.wait(10)
    if injector.where is not None and not held(subject.connections._lock):
        subject.store.close()  # (with the lock held by the worker, close() would wait for it)
    resume.set()
    got = result()
    if injector.where is None:
        return None, []
    found = []
    if got != before + 1:
        found.append(f"the worker's fire gave {got!r}")
    current = [
        k.conn.connection.dbapi_connection
        for k in subject.connections._kept
        if k.generation == subject.connections.generation and not k.conn.closed
    ]
    if subject.open_connections(besides=current):
        found.append("(d) open after its call ended, retired by close()")
    del current
    subject.store.close()
    if subject.open_connections():
        found.append("(d) open after close()")
    if not lock_is_free(subject.path):
        found.append("(c) the write lock held")
    return injector.where, found
