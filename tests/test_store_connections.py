"""The synchronous store's SQLite connections: one kept per thread (kelompok.store._kept).

Each attack names what would break without the part it tests: a read that takes the
write lock, a pool that runs dry, a call within a call, a transaction left open by an
interrupt, an interrupt before a call's ``with`` began or as it began, a thread that ends,
a store that is closed, a process that forks.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from typing import Any

import pytest

import kelompok
from builders import in_threads
from kelompok.store import _rows as rows
from kelompok.store import open_store
from kelompok.store._driver import transaction
from store_contract import recruiting
from store_workers import member


@pytest.fixture
def path(tmp_path) -> str:
    return str(tmp_path / "groups.db")


@pytest.fixture
def store(path) -> Any:
    with open_store(f"sqlite:///{path}") as opened:
        yield opened


def writer_holds_the_lock(path: str) -> sqlite3.Connection:
    """Another connection, in the middle of a write transaction on the same file."""
    other = sqlite3.connect(path, isolation_level=None, timeout=0.1)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_a_read_after_a_write_does_not_wait_for_the_write_lock(store, path):
    # the thread's connection wrote last; the read must still begin a plain transaction
    group_id = recruiting(store)
    store.fire(group_id, "admit", member("citra"))
    kept = store._connections._local.kept.conn
    kept.connection.dbapi_connection.execute("PRAGMA busy_timeout=100")  # a wait fails fast
    other = writer_holds_the_lock(path)
    try:
        assert "citra" in store.get(group_id).data.members
        assert len(store.history(group_id)) == 5
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_more_threads_than_a_pool_holds_each_get_a_connection(store):
    group_ids = [recruiting(store) for _ in range(3)]
    start = threading.Barrier(40)

    def work(n: int) -> None:
        start.wait()
        store.fire(group_ids[n % 3], "admit", member(f"m{n}"))

    assert in_threads(work, 40) == []
    assert sum(len(store.get(g).data.members) for g in group_ids) == 3 * 2 + 40


def test_a_call_within_a_call_gets_a_connection_of_its_own(store):
    group_id = recruiting(store)
    seen = []
    store.subscribe(lambda g, _r: seen.append(store.get(g.id).version))
    store.fire(group_id, "admit", member("citra"))
    assert seen == [5]
    with store._connections() as conn, transaction(conn, write=True):  # a call in progress
        assert [g.id for g in store.find()] == [group_id]  # a requirement could call this
        assert conn is store._connections._local.kept.conn


def test_an_interrupt_mid_transaction_leaves_no_lock_and_no_change(store, path, monkeypatch):
    group_id = recruiting(store)
    real = rows.split_document

    def interrupted(group: Any) -> Any:
        real(group)
        raise KeyboardInterrupt

    monkeypatch.setattr(rows, "split_document", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.fire(group_id, "admit", member("citra"))
    monkeypatch.setattr(rows, "split_document", real)
    kept = store._connections._local.kept.conn
    assert not kept.connection.dbapi_connection.in_transaction
    other = writer_holds_the_lock(path)  # nothing else holds the write lock
    other.execute("ROLLBACK")
    other.close()
    assert store.get(group_id).version == 4
    assert store.fire(group_id, "admit", member("citra")).version == 5


def test_an_interrupt_before_the_with_began_leaves_the_connection_free(store):
    # connections() returned, then an interrupt: its `with` never began, nor ended
    group_id = recruiting(store)
    kept = store._connections._local.kept
    store._connections()  # dropped at once
    assert store.fire(group_id, "admit", member("citra")).version == 5
    assert store._connections._local.kept is kept  # used again, not one opened beside it
    store.close()
    assert kept.conn.closed  # free, so close() closed it


def test_an_interrupt_as_the_with_began_frees_the_connection_and_retires_it(store):
    # __enter__ returned, then an interrupt before the `with` could call __exit__
    group_id = recruiting(store)
    using = store._connections()
    abandoned = store._connections._local.kept
    assert using.__enter__() is abandoned.conn
    del using
    assert store.fire(group_id, "admit", member("citra")).version == 5
    assert abandoned.conn.closed  # it may have had a transaction open: not used again
    fresh = store._connections._local.kept
    assert fresh is not abandoned
    store.close()
    assert fresh.conn.closed


def test_an_interrupt_as_a_write_ends_does_not_refuse_the_threads_later_writes(store, monkeypatch):
    # the write committed, then an interrupt before the transaction forgot this thread's
    # write: the note it left must not make every later write a "call within a call"
    group_id = recruiting(store)
    real = transaction._release

    def interrupted(self: Any) -> None:
        monkeypatch.setattr(transaction, "_release", real)
        raise KeyboardInterrupt

    monkeypatch.setattr(transaction, "_release", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.fire(group_id, "admit", member("citra"))
    assert store.get(group_id).version == 5  # committed, whole
    assert store.fire(group_id, "admit", member("dewi")).version == 6


def test_the_connection_of_a_thread_that_ended_is_closed(store):
    recruiting(store)
    kept: list[Any] = []

    def use() -> None:
        store.find()
        kept.append(store._connections._local.kept)

    thread = threading.Thread(target=use)
    thread.start()
    thread.join()
    ended = kept[0]
    assert ended in store._connections._kept
    other = threading.Thread(target=store.find)
    other.start()
    other.join()
    assert ended not in store._connections._kept
    assert ended.conn.closed


def test_close_closes_the_kept_connections_and_the_store_opens_new_ones(store):
    group_id = recruiting(store)
    old = store._connections._local.kept
    store.close()
    assert old.conn.closed
    assert store._connections._kept == []
    assert store.fire(group_id, "admit", member("citra")).version == 5  # opened anew


def test_a_store_closed_during_a_call_closes_that_connection_when_it_ends(store):
    group_id = recruiting(store)
    with store._connections() as conn:
        store.close()
        assert not conn.closed  # in use: left to the call
    assert conn.closed
    assert store.get(group_id).version == 4


def test_a_forked_child_leaves_its_parents_connections_alone(store):
    group_id = recruiting(store)
    parents = store._connections._local.kept
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover -- the child
        code = 1
        try:
            child = store._connections
            version = store.fire(group_id, "admit", member("citra")).version
            fresh = child._local.kept is not parents and parents in child._orphans
            code = 0 if (version, fresh) == (5, True) else 2
        finally:
            os.write(write, bytes([code]))
            os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"\x00"
    assert not parents.conn.closed
    assert store.get(group_id).version == 5  # the parent's connection still works
    assert kelompok.load(store.get(group_id).to_dict()).version == 5
