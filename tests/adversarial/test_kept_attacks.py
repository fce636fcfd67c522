"""Attacks on the kept SQLite connections (kelompok.store._kept) and transaction() (_driver).

Commit 1ad7ed6 made each thread keep one SQLite connection between calls and made the
store emit BEGIN / BEGIN IMMEDIATE / COMMIT / ROLLBACK itself. A kept connection outlives
the call that used it, so whatever a failed call leaves on it (an open transaction, a
half-finished SQLAlchemy transaction, a lock) is met again by the thread's next call.
Each test names the promise it attacks and, in a comment, the line or mutant of the source
it would catch: reads that take the write lock, a transaction or lock left after an error
or an interrupt (inside COMMIT too), a connection shared by two threads, threads that come
and go, store.close() while others work, fork in the middle of use, calls made within a
call, database errors that are not KelompokErrors, and the async store on SQLite.
"""

from __future__ import annotations

import _thread
import asyncio
import os
import select
import signal
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event

import kelompok
from kelompok import KelompokError, TransitionNotAllowed, UsageError
from kelompok.store import NotFound, StoreBusy, open_async_store, open_store
from kelompok.store import _calls as calls
from kelompok.store import _driver as driver
from kelompok.store import _engine as engine_module
from kelompok.store import _rows as rows
from kelompok.store._driver import transaction
from store_contract import lock_is_free, recruiting
from store_workers import member

PRO = kelompok.PROFESSIONAL


@pytest.fixture
def path(tmp_path) -> str:
    return str(tmp_path / "kept.db")


@pytest.fixture
def store(path) -> Any:
    with open_store(f"sqlite:///{path}") as opened:
        yield opened


def commit_raises_once(store: Any, monkeypatch: Any, exc: BaseException) -> None:
    """The next commit SQLAlchemy makes for *store* raises *exc* instead, once."""
    dialect = store._engine.dialect
    real, armed = dialect.do_commit, [exc]

    def commit(dbapi_connection: Any) -> None:
        if armed:
            raise armed.pop()
        real(dbapi_connection)

    monkeypatch.setattr(dialect, "do_commit", commit)


def kept_of(store: Any) -> Any:
    """The _Kept of the calling thread."""
    return store._connections._local.kept


def dbapi_of(store: Any) -> sqlite3.Connection:
    return kept_of(store).conn.connection.dbapi_connection


def hold_write_lock(path: str) -> sqlite3.Connection:
    other = sqlite3.connect(path, isolation_level=None, timeout=0.05)
    other.execute("BEGIN IMMEDIATE")
    return other


def fast_fail(store: Any, ms: int = 20) -> None:
    """The calling thread's kept connection gives up waiting for a lock after *ms*."""
    dbapi_of(store).execute(f"PRAGMA busy_timeout={ms}")


def members(store: Any, group_id: str) -> int:
    return len(store.get(group_id).data.members)


# -- reads never take the write lock; writes do ------------------------------------------


def test_a_read_transaction_begins_deferred_and_a_write_transaction_immediate(store, path):
    # catches swapping "BEGIN IMMEDIATE" / "BEGIN" in _driver.transaction.__enter__ (the
    # write flag ignored either way): a read would queue behind writers, a write would
    # read, then fail halfway at its first write.
    with store._connections() as conn:
        with transaction(conn, write=False):
            assert conn.connection.dbapi_connection.in_transaction
            assert lock_is_free(path)
        with transaction(conn, write=True):
            assert not lock_is_free(path)
        assert not conn.connection.dbapi_connection.in_transaction
        assert lock_is_free(path)


def test_every_read_method_runs_while_another_writer_holds_the_lock(path):
    # catches write=True on any of ops.get / history_page / find / pending (a read that
    # takes the write lock fails here after the 20 ms busy timeout with "database is locked")
    with open_store(f"sqlite:///{path}", outbox=True) as store:
        group_id = recruiting(store)
        store.fire(group_id, "admit", member("citra"))  # the kept connection wrote last
        fast_fail(store)
        other = hold_write_lock(path)
        try:
            assert store.get(group_id).version == 5
            assert [r.event for r in store.history(group_id, after=3)] == [
                "open_recruitment",
                "admit",
            ]
            assert len(store.history(group_id)) == 5
            assert [g.id for g in store.find(stage="recruiting")] == [group_id]
            assert [e.seq for e in store.pending()] == [1, 2, 3, 4, 5]
        finally:
            other.execute("ROLLBACK")
            other.close()


# -- database errors: KelompokErrors, and the connection still usable ------------------


def test_a_locked_database_makes_fire_raise_store_busy_and_leaves_the_connection_usable(
    store, path, monkeypatch
):
    # catches retryable() not matching "database is locked" from BEGIN IMMEDIATE, a retry
    # loop that ignores calls.ATTEMPTS, and a kept connection dropped or left in a
    # transaction after the failed BEGIN (_Using.__exit__ / roll_back)
    group_id = recruiting(store)
    monkeypatch.setattr(calls, "ATTEMPTS", 2)
    fast_fail(store)
    before = kept_of(store)
    other = hold_write_lock(path)
    try:
        with pytest.raises(StoreBusy) as caught:
            store.fire(group_id, "admit", member("citra"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert (caught.value.group_id, caught.value.attempts) == (group_id, 2)
    assert isinstance(caught.value, KelompokError)
    assert kept_of(store) is before
    assert not before.busy
    assert not dbapi_of(store).in_transaction
    assert store.fire(group_id, "admit", member("citra")).version == 5
    assert lock_is_free(path)


@pytest.mark.parametrize("call", ["create", "prune_idempotency_keys", "acknowledge"])
def test_a_locked_database_on_any_write_is_a_kelompok_error(path, call, monkeypatch):
    # The brief: every error a KelompokError. create / prune_idempotency_keys /
    # acknowledge run BEGIN IMMEDIATE (_driver.transaction.__enter__) outside fire's retry
    # loop, and nothing turns "database is locked" into a kelompok error (_sync.py create,
    # prune_idempotency_keys, acknowledge): sqlalchemy.exc.OperationalError comes out.
    monkeypatch.setattr(calls, "ATTEMPTS", 2)
    with open_store(f"sqlite:///{path}", outbox=True) as store:
        recruiting(store)
        fast_fail(store)
        run = {
            "create": lambda: store.create(PRO, name="Lain", profession="pharmacist"),
            "prune_idempotency_keys": lambda: store.prune_idempotency_keys(1.0),
            "acknowledge": lambda: store.acknowledge(1),
        }[call]
        other = hold_write_lock(path)
        try:
            with pytest.raises(KelompokError):
                run()
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert not dbapi_of(store).in_transaction
        assert lock_is_free(path)


def test_a_failed_sqlalchemy_commit_leaves_the_kept_connection_usable(store, path, monkeypatch):
    # find / history / create commit through SQLAlchemy (conn.commit() in
    # transaction.__exit__). When that COMMIT fails, SQLAlchemy keeps its RootTransaction
    # on the connection, inactive, "so that a rollback needs to occur". roll_back() asks
    # conn.in_transaction(), which is False for an inactive transaction, and so never calls
    # conn.rollback(): the kept connection raises PendingRollbackError on every later
    # SQLAlchemy statement of this thread until store.close(). Before 1ad7ed6 the pooled
    # connection was closed (reset) after the call, so the next call was unaffected.
    group_id = recruiting(store)
    commit_raises_once(store, monkeypatch, sqlite3.OperationalError("disk I/O error"))
    with pytest.raises(sa.exc.OperationalError):
        store.find()
    assert lock_is_free(path)
    assert [g.id for g in store.find()] == [group_id]
    assert len(store.history(group_id)) == 4
    assert store.create(PRO, id="g-after", name="Lain", profession="pharmacist").version == 0
    assert store.get("g-after").version == 0


def test_a_refused_event_leaves_the_kept_connection_idle_and_unlocked(store, path):
    # catches _Using.__exit__ marking the connection busy forever (busy = False missing:
    # the next call would open a separate connection and the kept one would change) and
    # a rollback skipped after a refusal (the write lock would stay held)
    group_id = recruiting(store)
    before = kept_of(store)
    with pytest.raises(TransitionNotAllowed):
        store.fire(group_id, "establish_structure")  # no chair: refused
    assert not before.busy
    assert not dbapi_of(store).in_transaction
    assert lock_is_free(path)
    assert store.fire(group_id, "admit", member("citra")).version == 5
    assert kept_of(store) is before


def test_a_leftover_history_row_makes_add_fail_whole_and_the_connection_usable(store, path):
    # catches roll_back(conn) removed from transaction.__exit__ (exception branch): _insert's
    # IntegrityError would leave its transaction open and the conflict lookup's own BEGIN
    # would fail with "cannot start a transaction within a transaction" (an OperationalError).
    group = PRO.create(id="g-left", name="Lain", profession="pharmacist")
    group.fire("identify_needs", needs=["support"], actor="ani")
    raw = sqlite3.connect(path, isolation_level=None)  # foreign keys off: a stray row
    raw.execute(
        "INSERT INTO kelompok_history (group_id, seq, event, record) VALUES (?, 1, 'x', '{}')",
        ("g-left",),
    )
    raw.close()
    with pytest.raises(KelompokError):
        store.add(group)
    assert not dbapi_of(store).in_transaction
    assert lock_is_free(path)
    with pytest.raises(NotFound):
        store.get("g-left")  # nothing of the group was stored
    assert store.create(PRO, id="g-next", name="Lain", profession="pharmacist").version == 0


# -- interrupts at awkward points ----------------------------------------------------------


def _commit_interrupted(monkeypatch, *, after: bool) -> None:
    """KeyboardInterrupt from inside the store's own COMMIT (before or after it runs)."""
    real = driver.execute
    armed = [True]

    def execute(conn: Any, sql: str, params: Any = ()) -> Any:
        if sql == "COMMIT" and armed:
            armed.clear()
            if after:
                real(conn, sql, params).close()
            raise KeyboardInterrupt
        return real(conn, sql, params)

    monkeypatch.setattr(driver, "execute", execute)


def test_an_interrupt_inside_commit_before_it_runs_applies_nothing_and_leaves_no_lock(
    store, path, monkeypatch
):
    # catches roll_back(kept.conn) removed from _Using.__exit__: transaction.__exit__ is
    # where the interrupt comes from, so only _Using can end the open BEGIN IMMEDIATE; the
    # write lock would stay held by this thread's kept connection.
    group_id = recruiting(store)
    _commit_interrupted(monkeypatch, after=False)
    with pytest.raises(KeyboardInterrupt):
        store.fire(group_id, "admit", member("citra"))
    assert not dbapi_of(store).in_transaction
    assert lock_is_free(path)
    assert store.get(group_id).version == 4
    assert len(store.history(group_id)) == 4
    assert store.fire(group_id, "admit", member("citra")).version == 5


def test_an_interrupt_inside_commit_after_it_ran_keeps_the_event_whole(store, path, monkeypatch):
    # the event committed, then the interrupt: it must be there whole (head and record),
    # the heads cache must not claim otherwise, and the next event numbers on from it
    # (catches a roll_back that ran ROLLBACK unconditionally and failed, dropping or
    # breaking the connection; and heads.remember_written before the commit)
    group_id = recruiting(store)
    _commit_interrupted(monkeypatch, after=True)
    with pytest.raises(KeyboardInterrupt):
        store.fire(group_id, "admit", member("citra"))
    assert not dbapi_of(store).in_transaction
    assert lock_is_free(path)
    assert store.get(group_id).version == 5
    assert [r.event for r in store.history(group_id)][-1] == "admit"
    assert store.fire(group_id, "admit", member("dewi")).version == 6
    assert kelompok.load(store.get(group_id).to_dict()).version == 6


def test_an_interrupt_inside_sqlalchemy_commit_stores_nothing_and_the_thread_goes_on(
    store, path, monkeypatch
):
    # create commits through SQLAlchemy (conn.commit()); a KeyboardInterrupt from the
    # driver's commit makes SQLAlchemy invalidate the connection. The thread must connect
    # anew (catches dropping the `kept.conn.invalidated` test in Connections.__call__)
    commit_raises_once(store, monkeypatch, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        store.create(PRO, id="g-cut", name="Lain", profession="pharmacist")
    assert lock_is_free(path)
    with pytest.raises(NotFound):
        store.get("g-cut")
    assert store.create(PRO, id="g-cut", name="Lain", profession="pharmacist").version == 0
    assert not dbapi_of(store).in_transaction


def test_an_invalidated_connection_is_not_kept_for_the_life_of_its_thread(store, monkeypatch):
    # an interrupted commit makes SQLAlchemy invalidate the connection. Connections.__call__
    # used to replace it with a new one (_new) but never removed the old _Kept from
    # Connections._kept, one entry per interrupted commit until store.close().
    store.find()
    old = dbapi_of(store)
    commit_raises_once(store, monkeypatch, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        store.find()
    store.find()
    # rolled back, the invalidated connection reconnects: a new driver connection, one entry
    assert dbapi_of(store) is not old
    assert len(store._connections._kept) == 1


def test_an_interrupt_inside_every_rollback_drops_the_connection_and_leaves_no_lock(
    store, path, monkeypatch
):
    # a refused event rolls back in transaction.__exit__; interrupted there, _Using.__exit__
    # rolls back again; interrupted there too, it must drop the connection (closing it ends
    # the transaction). Catches `except BaseException: self._owner.drop(kept)` removed from
    # _Using.__exit__ (the thread would keep a connection holding the write lock) and
    # `kept.busy = False` moved out of its finally.
    group_id = recruiting(store)
    before = kept_of(store)
    real = driver.execute
    interrupts = [2]

    def execute(conn: Any, sql: str, params: Any = ()) -> Any:
        if sql == "ROLLBACK" and interrupts[0]:
            interrupts[0] -= 1
            raise KeyboardInterrupt
        return real(conn, sql, params)

    monkeypatch.setattr(driver, "execute", execute)
    with pytest.raises(KeyboardInterrupt):
        store.fire(group_id, "establish_structure")  # refused: rolled back
    assert interrupts == [0]
    assert not before.busy
    assert before.conn.closed
    assert before not in store._connections._kept
    assert lock_is_free(path)
    assert store.fire(group_id, "admit", member("citra")).version == 5
    assert kept_of(store) is not before


def test_an_interrupt_in_a_read_leaves_no_snapshot_behind(store, path, monkeypatch):
    # a read transaction left open on the kept connection would pin its WAL snapshot: the
    # thread's next read would not see later commits (or fail: BEGIN within a transaction).
    # catches both rollbacks (transaction.__exit__ and _Using.__exit__) removed together
    # with the exception branch of roll_back's dbapi test.
    with open_store(f"sqlite:///{path}", head_cache=0) as strict:
        group_id = recruiting(strict)
        real = rows.group_from_row

        def interrupted(row: Any) -> Any:
            raise KeyboardInterrupt

        monkeypatch.setattr(rows, "group_from_row", interrupted)
        with pytest.raises(KeyboardInterrupt):
            strict.get(group_id)
        monkeypatch.setattr(rows, "group_from_row", real)
        assert not dbapi_of(strict).in_transaction
        done = threading.Thread(target=lambda: store.fire(group_id, "admit", member("citra")))
        done.start()
        done.join()
        assert strict.get(group_id).version == 5  # sees the other thread's commit


def test_a_store_listener_raising_keyboard_interrupt_leaves_the_event_committed(store, path):
    # listeners run after `with self._connections()` ended (_sync.fire): the event is
    # committed and the kept connection is idle; catches a listener moved inside the call
    # (its interrupt would then roll the event back, or leave the connection busy)
    group_id = recruiting(store)

    def listener(group: Any, record: Any) -> None:
        raise KeyboardInterrupt

    unsubscribe = store.subscribe(listener)
    with pytest.raises(KeyboardInterrupt):
        store.fire(group_id, "admit", member("citra"))
    unsubscribe()
    before = kept_of(store)
    assert not before.busy
    assert store.get(group_id).version == 5
    assert lock_is_free(path)
    assert store.fire(group_id, "admit", member("dewi")).version == 6
    assert kept_of(store) is before


# -- calls made within a call -----------------------------------------------------------------


def _type_listener(group_id: str, action: Any) -> Any:
    """Subscribe *action(group)* on PROFESSIONAL, for *group_id* only; returns unsubscribe."""

    def listener(group: Any, _record: Any) -> None:
        if group.id == group_id:
            action(group)

    return PRO.subscribe(listener)


def test_a_read_from_inside_the_transaction_gets_its_own_connection_and_sees_the_commit_before(
    store,
):
    # catches the `kept.busy and kept.pid == os.getpid()` branch of Connections.__call__
    # removed: the nested get would reuse the busy connection, its BEGIN would fail inside
    # the open transaction (or its COMMIT would commit the outer event halfway).
    group_id = recruiting(store)
    seen: list[Any] = []
    outer = kept_of(store)

    def read(_group: Any) -> None:
        seen.append(store.get(group_id).version)
        seen.append(kept_of(store) is outer and outer.busy)

    unsubscribe = _type_listener(group_id, read)
    try:
        assert store.fire(group_id, "admit", member("citra")).version == 5
    finally:
        unsubscribe()
    assert seen == [4, True]
    assert not outer.busy
    assert kept_of(store) is outer
    assert len(store._connections._kept) == 1  # the nested one was not kept
    assert store.get(group_id).version == 5


NESTED_WRITES: dict[str, Callable[[Any, str], object]] = {
    "fire": lambda store, other_id: store.fire(other_id, "admit", member("nested")),
    "create": lambda store, other_id: store.create(PRO, name="B", profession="nurse"),
    "add": lambda store, other_id: store.add(PRO.create(name="B", profession="nurse")),
    "acknowledge": lambda store, other_id: store.acknowledge(1),
    "prune_idempotency_keys": lambda store, other_id: store.prune_idempotency_keys(),
}

NESTED_READS: dict[str, Callable[[Any, str], object]] = {
    "history": lambda store, group_id: len(store.history(group_id)),
    "history page": lambda store, group_id: len(store.history(group_id, after=1, limit=2)),
    "find": lambda store, group_id: len(store.find(type=PRO)),
    "pending": lambda store, group_id: len(store.pending()),
}


@pytest.mark.parametrize(
    ("read", "seen"), [("history", 4), ("history page", 2), ("find", 1), ("pending", 0)]
)
def test_every_read_from_inside_the_transaction_is_served(store, read, seen):
    # a read takes no write lock: one taken from inside a write of its thread would be
    # refused (catches write=True in a read's transaction)
    group_id = recruiting(store)
    found: list[object] = []
    unsubscribe = _type_listener(
        group_id, lambda _g: found.append(NESTED_READS[read](store, group_id))
    )
    try:
        assert store.fire(group_id, "admit", member("citra")).version == 5
    finally:
        unsubscribe()
    assert [seen] == found


@pytest.mark.parametrize("nested", sorted(NESTED_WRITES))
def test_a_write_from_inside_the_transaction_is_refused_at_once_and_undoes_the_event(
    path, monkeypatch, nested
):
    # a nested write on another connection of the same thread would wait for the write lock
    # its own thread holds (with the default 30 s timeout and 30 attempts, about 15 minutes,
    # then StoreBusy): it must be a UsageError at once (catches _own_write in
    # _driver.transaction not called, or not released after a transaction), undo the outer
    # event, and leave no lock. (A short timeout, so that without the check it fails fast.)
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT", 0.05)
    monkeypatch.setattr(calls, "ATTEMPTS", 2)
    with open_store(f"sqlite:///{path}") as store:
        group_id, other_id = recruiting(store), recruiting(store)

        def write(_group: Any) -> None:
            NESTED_WRITES[nested](store, other_id)

        unsubscribe = _type_listener(group_id, write)
        started = time.monotonic()
        try:
            with pytest.raises(UsageError, match="its own lock"):
                store.fire(group_id, "admit", member("citra"))
        finally:
            unsubscribe()
        assert time.monotonic() - started < 5
        assert (store.get(group_id).version, store.get(other_id).version) == (4, 4)
        assert lock_is_free(path)
        assert store.fire(group_id, "admit", member("citra")).version == 5
        assert store.fire(other_id, "admit", member("after")).version == 5  # released


def test_close_called_from_inside_the_transaction_lets_the_event_commit(store, path):
    # close() must leave the busy connection to its call (catches `idle = list(self._kept)`
    # in Connections.close: the outer COMMIT would run on a closed connection) and the call
    # must close it when it ends (catches the generation test in _Using.__exit__ removed)
    group_id = recruiting(store)
    outer = kept_of(store)
    unsubscribe = _type_listener(group_id, lambda _g: store.close())
    try:
        assert store.fire(group_id, "admit", member("citra")).version == 5
    finally:
        unsubscribe()
    assert outer.conn.closed
    assert outer not in store._connections._kept
    assert store.get(group_id).version == 5
    assert kept_of(store) is not outer
    assert lock_is_free(path)


# -- threads -----------------------------------------------------------------------------------


def test_close_from_another_thread_mid_transaction_lets_that_transaction_commit(store, path):
    # catches close() closing a busy connection (the other thread's COMMIT would fail, the
    # event be lost) and a kept connection closed before its call ends
    group_id = recruiting(store)
    entered, go = threading.Event(), threading.Event()
    results: list[Any] = []

    held: list[Any] = []

    def hold(_group: Any) -> None:
        if threading.current_thread().name == "worker":
            held.append(kept_of(store))
            entered.set()
            go.wait(2)

    def work() -> None:
        try:
            results.append(store.fire(group_id, "admit", member("citra")).version)
        except BaseException as exc:  # noqa: BLE001 -- reported below
            results.append(exc)

    unsubscribe = _type_listener(group_id, hold)
    try:
        worker = threading.Thread(target=work, name="worker")
        worker.start()
        assert entered.wait(2)
        store.close()
        go.set()
        worker.join(2)
    finally:
        unsubscribe()
    assert results == [5]
    assert held[0].conn.closed  # closed when its call ended
    assert held[0] not in store._connections._kept
    assert store.get(group_id).version == 5
    assert lock_is_free(path)


def test_threads_that_come_and_go_leave_no_connection_open(store):
    # catches _stale() not testing `thread is None or not thread.is_alive()` (a connection
    # per ended thread would pile up) and _new() not closing the ones it sweeps
    group_id = recruiting(store)
    seen: list[Any] = []

    def use() -> None:
        store.get(group_id)
        seen.append(kept_of(store))

    for _ in range(25):
        thread = threading.Thread(target=use)
        thread.start()
        thread.join()
    assert len(seen) == 25
    assert len({id(k.conn) for k in seen}) == 25
    assert all(k.conn.closed for k in seen[:-1])
    assert not seen[-1].conn.closed  # its thread ended; closed when another connects
    assert len(store._connections._kept) == 2  # the main thread's and the last one's


def test_a_thread_not_started_by_threading_has_its_connection_closed_after_it_ends(store):
    # _Kept remembers threading.current_thread(); for a thread started by _thread (a C
    # extension's or an embedding server's thread) that is a _DummyThread, whose is_alive()
    # is always True on Python 3.11 and which threading keeps forever. So _stale() never
    # finds it ended and its connection stays open until store.close(): one leaked SQLite
    # connection (file descriptors) per such thread.
    # (The thread that connects next is started before the raw one ends: a thread started
    # after it would reuse its ident, replace its _DummyThread in threading._active and so,
    # by luck, let it be found ended.)
    recruiting(store)
    seen: list[Any] = []
    finished, go = threading.Event(), threading.Event()

    def use() -> None:
        try:
            store.find()
            seen.append(kept_of(store))
        finally:
            finished.set()

    def connect_later() -> None:
        go.wait(2)
        store.find()

    other = threading.Thread(target=connect_later)
    other.start()
    _thread.start_new_thread(use, ())
    assert finished.wait(2)
    time.sleep(0.05)  # the raw thread returns and ends
    go.set()
    other.join(2)
    assert seen[0] not in store._connections._kept
    assert seen[0].conn.closed


def test_a_thread_pool_never_uses_one_connection_from_two_threads(store):
    # every statement of the store runs through _driver.execute on the DBAPI connection;
    # each DBAPI connection must only ever be used by one thread (catches a kept _Kept
    # shared through a plain attribute instead of threading.local, or a closed connection
    # handed back to another thread) and no event may be lost
    group_ids = [recruiting(store) for _ in range(3)]
    users: dict[int, set[int]] = {}
    held: list[Any] = []  # keeps each connection alive so that id() is not reused
    real = driver.execute
    guard = threading.Lock()

    def execute(conn: Any, sql: str, params: Any = ()) -> Any:
        dbapi = conn.connection.dbapi_connection
        with guard:
            held.append(dbapi)
            users.setdefault(id(dbapi), set()).add(threading.get_ident())
        return real(conn, sql, params)

    driver.execute = execute  # type: ignore[assignment]
    try:

        def task(n: int) -> int:
            gid = group_ids[n % 3]
            if n % 4 == 0:
                return store.fire(gid, "admit", member(f"p{n}")).version
            return store.get(gid).version

        with ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(task, range(48)))
    finally:
        driver.execute = real  # type: ignore[assignment]
    assert all(len(threads) == 1 for threads in users.values())
    assert sum(members(store, g) for g in group_ids) == 3 * 2 + 12


def test_close_while_other_threads_work_loses_no_event_and_raises_nothing(store):
    # catches every race between Connections.close() and a call starting or ending in another
    # thread: busy set after the generation test (a connection closed under its call), a
    # closed kept connection reused, a double close racing in two threads
    group_ids = [recruiting(store) for _ in range(4)]
    errors: list[BaseException] = []
    start = threading.Barrier(5)

    def work(n: int) -> None:
        try:
            start.wait()
            for i in range(8):
                store.fire(group_ids[n], "admit", member(f"w{n}-{i}"))
                store.get(group_ids[n])
        except BaseException as exc:  # noqa: BLE001 -- reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    start.wait()
    while any(t.is_alive() for t in threads):
        store.close()
        time.sleep(0.002)
    for t in threads:
        t.join()
    assert errors == []
    assert [members(store, g) for g in group_ids] == [2 + 8] * 4
    store.close()
    assert store._connections._kept == []


def test_many_threads_at_once_neither_deadlock_nor_run_out_of_connections(store, path):
    # NullPool: no pool to run dry; 32 threads, half writing, half reading, with a close in
    # the middle; every thread must finish (no deadlock on Connections._lock) and every
    # event be there. Catches a poolclass other than NullPool with its default bound of
    # 15 (timeouts after 30 s) and _new() holding the lock across a wait.
    group_id = recruiting(store)
    errors: list[BaseException] = []
    start = threading.Barrier(33)

    def work(n: int) -> None:
        try:
            start.wait()
            if n % 2:
                store.fire(group_id, "admit", member(f"t{n}"))
            else:
                store.history(group_id, after=2)
        except BaseException as exc:  # noqa: BLE001 -- reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(32)]
    for t in threads:
        t.start()
    start.wait()
    store.close()
    for t in threads:
        t.join(10)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert members(store, group_id) == 2 + 16
    assert isinstance(store._engine.pool, sa.pool.NullPool)
    assert lock_is_free(path)


# -- use after close ---------------------------------------------------------------------------


def test_a_closed_store_closed_again_serves_every_call_afresh(store, path):
    # catches close() leaving kept connections open, and a closed kept connection reused
    # (`kept.generation != self.generation` or `kept.conn.closed` dropped from __call__)
    group_id = recruiting(store)
    first = kept_of(store)
    store.close()
    store.close()
    assert first.conn.closed
    assert store.get(group_id).version == 4
    second = kept_of(store)
    assert second is not first
    assert not second.conn.closed
    second.conn.close()  # closed behind the store's back
    assert store.fire(group_id, "admit", member("citra")).version == 5
    assert kept_of(store) is not second
    store.close()
    assert store._connections._kept == []
    with store:
        assert len(store.history(group_id)) == 5
    assert store._connections._kept == []
    assert lock_is_free(path)


# -- fork ---------------------------------------------------------------------------------------


def _in_child(read: int, pid: int, timeout: float = 1.5) -> bytes:
    """The byte the child wrote, or b"" if it hung (then it is killed)."""
    ready = select.select([read], [], [], timeout)[0]
    if not ready:
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return os.read(read, 1) if ready else b""


def test_a_forked_child_closing_the_store_leaves_its_parents_connections_alone(store):
    # catches self._forked() removed from Connections.close(): the child's close() would
    # sqlite3_close its parent's connection (and so drop the child's own POSIX locks on
    # the file); the child must orphan them and still write, and the parent write after it.
    group_id = recruiting(store)
    parents = kept_of(store)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover -- the child
        code = 1
        try:
            store.close()
            untouched = not parents.conn.closed and parents in store._connections._orphans
            version = store.fire(group_id, "admit", member("child")).version
            code = 0 if (untouched, version) == (True, 5) else 2
        finally:
            os.write(write, bytes([code]))
            os._exit(0)
    assert _in_child(read, pid) == b"\x00"
    assert not parents.conn.closed
    assert kept_of(store) is parents
    assert store.fire(group_id, "admit", member("parent")).version == 6
    assert {"child", "parent"} <= set(store.get(group_id).data.members)


def test_a_fork_while_another_thread_is_mid_write_leaves_the_child_busy_and_the_parent_whole(
    path, monkeypatch
):
    # a worker thread of the parent holds the write lock (inside its transaction) when the
    # main thread forks. SQLite keeps one table of locks per file for all the connections of
    # a process, and the child inherits the parent's held lock, which no one in the child
    # can release: the child cannot write (docs/storing.md, "Opening a store": fork when no
    # thread is writing). What is promised: the child gets StoreBusy (a KelompokError) after
    # its retries, writes nothing, and the parent loses nothing.
    # (Short busy timeout and 3 attempts: with the defaults the child waits 30 s x 30.)
    # Child codes: 0 both fires applied, 3 StoreBusy, 2 other.
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT", 0.15)
    monkeypatch.setattr(calls, "ATTEMPTS", 3)
    with open_store(f"sqlite:///{path}") as store:
        _fork_mid_write(store, path)


def _fork_mid_write(store: Any, path: str) -> None:
    group_id, other_id = recruiting(store), recruiting(store)
    entered, go = threading.Event(), threading.Event()
    tokens = [1]
    results: list[Any] = []

    def hold(_group: Any) -> None:
        if tokens:
            tokens.pop()
            entered.set()
            go.wait(2)

    def work() -> None:
        results.append(store.fire(group_id, "admit", member("worker")).version)

    unsubscribe = _type_listener(group_id, hold)
    try:
        worker = threading.Thread(target=work)
        worker.start()
        assert entered.wait(2)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover -- the child
            code = 1
            try:
                a = store.fire(other_id, "admit", member("child")).version
                b = store.fire(group_id, "admit", member("child")).version
                code = 0 if (a, b) == (5, 6) else 2
            except StoreBusy:
                code = 3
            finally:
                os.write(write, bytes([code]))
                os._exit(0)
        time.sleep(0.05)  # the child reaches its BEGIN IMMEDIATE
        go.set()
        worker.join(2)
        assert _in_child(read, pid) == b"\x03"
    finally:
        unsubscribe()
    assert results == [5]
    assert store.fire(group_id, "admit", member("parent")).version == 6
    assert store.get(other_id).version == 4
    assert len(store.history(group_id)) == 6
    assert lock_is_free(path)


def test_a_child_forked_while_another_thread_opens_its_connection_does_not_hang(store):
    # Connections._new() holds Connections._lock while it connects (engine.connect() runs the
    # connect listener's PRAGMAs, and waits on the file). A fork at that moment copies the
    # lock held, and the child's first call (_new -> `with self._lock`) waits forever: no
    # os.register_at_fork re-creates the lock in the child. The slow connect is simulated.
    group_id = recruiting(store)
    entered, release = threading.Event(), threading.Event()

    def slow_connect(_dbapi: Any, _record: Any) -> None:
        if threading.current_thread().name == "opener":
            entered.set()
            release.wait(1)

    event.listen(store._engine, "connect", slow_connect)
    opener = threading.Thread(target=store.find, name="opener")
    opener.start()
    assert entered.wait(2)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover -- the child
        code = 1
        try:
            code = 0 if store.fire(group_id, "admit", member("child")).version == 5 else 2
        finally:
            os.write(write, bytes([code]))
            os._exit(0)
    release.set()
    opener.join(2)
    assert _in_child(read, pid) == b"\x00", "the child hung on Connections._lock"


# -- the async store on SQLite ----------------------------------------------------------------


def test_the_async_store_on_sqlite_loses_no_event_and_leaves_no_lock(path):
    # the async store runs the same ops through run_sync, where roll_back() cannot see the
    # driver's in_transaction (aiosqlite's adapter has none): its refused and concurrent
    # fires must still end every transaction (catches transaction.__enter__ emitting BEGIN on
    # a connection SQLAlchemy began, or COMMIT skipped when conn.in_transaction() is False)
    url = f"sqlite:///{path}"
    with open_store(url) as store:
        group_id = recruiting(store)

    async def main() -> tuple[list[int], int, bool]:
        async with open_async_store(url) as astore:
            refused = 0
            try:
                await astore.fire(group_id, "establish_structure")
            except TransitionNotAllowed:
                refused = 1
            free = lock_is_free(path)
            fired = await asyncio.gather(
                *(astore.fire(group_id, "admit", member(f"a{n}")) for n in range(8))
            )
            found = await astore.find(stage="recruiting")
            assert [g.id for g in found] == [group_id]
            assert len(await astore.history(group_id)) == 12
            return sorted(g.version for g in fired), refused, free

    versions, refused, free_after_refusal = asyncio.run(main())
    assert versions == list(range(5, 13))
    assert (refused, free_after_refusal) == (1, True)
    assert lock_is_free(path)
    with open_store(url) as store:
        assert store.get(group_id).version == 12
        assert len(store.get(group_id).data.members) == 2 + 8
