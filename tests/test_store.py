"""The store on SQLite and PostgreSQL, synchronous and asynchronous: one contract, four runs."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

import attrs
import pytest
import sqlalchemy as sa

import kelompok
from builders import CHARTER, PRO_FOUNDERS
from kelompok._base.errors import UsageError
from kelompok.store import (
    AsyncStore,
    NotFound,
    SchemaTooNew,
    StoreUnavailable,
    open_async_store,
    open_store,
)
from kelompok.store import _calls as calls
from kelompok.store import _engine as engine_module
from kelompok.store._engine import resolve_url
from store_contract import ProcessContract, StoreContract, member, raw, recruiting


class Blocking:
    """An :class:`AsyncStore` driven from synchronous code: its coroutines run on a loop thread."""

    def __init__(self, store: AsyncStore, loop: asyncio.AbstractEventLoop) -> None:
        self._store, self._loop = store, loop

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._store, name)
        if not inspect.iscoroutinefunction(found):
            return found
        return lambda *args, **kwargs: asyncio.run_coroutine_threadsafe(
            found(*args, **kwargs), self._loop
        ).result(120)


@contextlib.contextmanager
def event_loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield loop
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


class AsyncContract(StoreContract):
    """The contract run on the asynchronous store."""

    @contextlib.contextmanager
    def opened(self, url: str, **options: Any) -> Iterator[Any]:
        with event_loop() as loop:
            store = open_async_store(url, **options)
            blocking = Blocking(store, loop)
            try:
                yield blocking
            finally:
                blocking.close()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'groups.db'}"


class TestSQLite(StoreContract, ProcessContract):
    @pytest.fixture
    def url(self, sqlite_url: str) -> str:
        return sqlite_url


class TestSQLiteAsync(AsyncContract):
    @pytest.fixture
    def url(self, sqlite_url: str) -> str:
        return sqlite_url


@pytest.mark.postgres
class TestPostgres(StoreContract, ProcessContract):
    @pytest.fixture
    def url(self, postgres_url: str) -> str:
        return postgres_url


@pytest.mark.postgres
class TestPostgresAsync(AsyncContract):
    @pytest.fixture
    def url(self, postgres_url: str) -> str:
        return postgres_url


# -- what only one backend or one flavour has ------------------------------------------------


def test_the_embedded_default_is_kelompok_db_or_the_environment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KELOMPOK_DB", raising=False)
    with open_store() as store:
        store.create(kelompok.PROFESSIONAL, id="here", name="A", profession="nurse")
    assert (tmp_path / "kelompok.db").exists()
    monkeypatch.setenv("KELOMPOK_DB", str(tmp_path / "elsewhere.db"))
    with open_store() as store:
        assert [] == store.find()
    monkeypatch.setenv("KELOMPOK_DB", f"sqlite:///{tmp_path / 'kelompok.db'}")
    with open_store() as store:
        assert ["here"] == [g.id for g in store.find()]


def test_the_sqlite_file_is_in_wal_mode(sqlite_url):
    with open_store(sqlite_url) as store:
        store.create(kelompok.PROFESSIONAL, name="A", profession="nurse")
    with raw(sqlite_url) as conn:
        assert "wal" == conn.execute(sa.text("PRAGMA journal_mode")).scalar()


@pytest.mark.parametrize(
    "url",
    [
        "mysql://db/x",
        "sqlite://",
        "sqlite:///:memory:",
        "sqlite:///file:shared?mode=memory&uri=true",
        "sqlite:///file::memory:?uri=true",
        "sqlite:///file:memx?vfs=memdb&uri=true",
        "sqlite:///file:groups.db?uri=true",
        "sqlite:///:memory:?cache=shared",
        "nonsense://",
        "sqlite:///x.db?timeout=soon",
        "groups\x00.db",
        "groups\ud800.db",
        42,
    ],
)
def test_a_url_the_store_cannot_use_says_what_it_can(url):
    with pytest.raises(UsageError) as caught:
        open_store(url)
    assert isinstance(caught.value, kelompok.KelompokError)


@pytest.mark.parametrize("name", ["tenant?a.db", "report%41.db", "x#y.db"])
def test_a_path_is_the_file_of_that_name(tmp_path, monkeypatch, name):
    # read as a URL, "tenant?a.db" would be the file "tenant" and "report%41.db" reportA.db
    monkeypatch.chdir(tmp_path)
    with open_store(name) as store:
        store.create(kelompok.PROFESSIONAL, id="here", name="A", profession="nurse")
    assert [name] == [p.name for p in tmp_path.iterdir() if p.suffix == ".db"]
    with open_store(str(tmp_path / name)) as store:
        assert ["here"] == [g.id for g in store.find()]


def test_a_relative_path_names_the_file_it_named_when_the_store_opened(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with open_store("groups.db") as store:
        assert str(tmp_path / "groups.db") in store.url
        (tmp_path / "elsewhere").mkdir()
        monkeypatch.chdir(tmp_path / "elsewhere")
        store.create(kelompok.PROFESSIONAL, id="here", name="A", profession="nurse")
    assert not (tmp_path / "elsewhere" / "groups.db").exists()


@pytest.mark.parametrize("what", ["not a database", "a directory", "a missing folder"])
def test_a_file_the_store_cannot_open_is_unavailable_not_a_driver_error(tmp_path, what):
    path = {
        "not a database": tmp_path / "notes.txt",
        "a directory": tmp_path,
        "a missing folder": tmp_path / "missing" / "groups.db",
    }[what]
    if what == "not a database":
        path.write_text("shopping: milk, eggs, bread\n" * 100)
    with pytest.raises(StoreUnavailable) as caught:
        open_store(str(path))
    assert str(path) in caught.value.url
    assert caught.value.reason in str(caught.value)
    assert "tidak dapat membuka" in caught.value.text("id")


def test_an_async_store_that_cannot_open_its_file_is_unavailable(tmp_path):
    async def first_call() -> None:
        store = open_async_store(str(tmp_path / "missing" / "groups.db"))
        try:
            await store.find()
        finally:
            await store.close()
            await asyncio.sleep(0.2)  # the driver's thread ends on this loop, not after it closed

    with pytest.raises(StoreUnavailable):
        asyncio.run(first_call())


def test_a_nested_write_to_the_same_file_named_another_way_is_refused_at_once(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "link").symlink_to(tmp_path)
    with (
        open_store("groups.db") as store,
        open_store(str(tmp_path / "link" / "groups.db")) as other,
    ):
        group = store.create(kelompok.PROFESSIONAL, name="A", profession="nurse")

        def nested(g: Any, record: Any) -> None:
            other.create(kelompok.PROFESSIONAL, name="B", profession="nurse")

        unsubscribe = kelompok.PROFESSIONAL.subscribe(nested)
        try:
            with pytest.raises(UsageError, match="same SQLite file"):
                store.fire(group.id, "identify_needs", needs=["x"])
        finally:
            unsubscribe()
        assert 0 == store.get(group.id).version


def test_urls_name_the_drivers_the_extra_installs():
    assert "postgresql+psycopg" == resolve_url("postgresql://u@h/db").drivername
    assert "sqlite+aiosqlite" == resolve_url("sqlite:///x.db", asynchronous=True).drivername
    assert "sqlite+pysqlite" == resolve_url("groups.db").drivername


@pytest.mark.postgres
def test_on_postgresql_reads_do_not_wait_for_a_request_holding_the_groups_row(postgres_url):
    with open_store(postgres_url) as store:
        recruiting(store, "held")
        with ThreadPoolExecutor(1) as reader, raw(postgres_url) as writer:
            # a request of another app server, between its read and its commit
            writer.execute(
                sa.text("SELECT version FROM kelompok_groups WHERE id = :id FOR UPDATE"),
                {"id": "held"},
            )
            read = reader.submit(lambda: (store.get("held").version, len(store.history("held"))))
            done, _ = wait([read], timeout=10)
            assert {read} == done  # else the reads queued for the row lock, as writers do
        assert (4, 4) == read.result()


def test_opening_a_store_twice_creates_the_tables_once(sqlite_url):
    with open_store(sqlite_url) as store:
        recruiting(store, "kept")
    with open_store(sqlite_url) as store:
        assert 4 == store.get("kept").version


def test_tables_of_a_newer_kelompok_are_refused(sqlite_url):
    open_store(sqlite_url).close()
    with raw(sqlite_url) as conn:
        conn.execute(sa.text("UPDATE kelompok_meta SET value = '99'"))
    with pytest.raises(SchemaTooNew) as caught:
        open_store(sqlite_url)
    assert ("99", 1) == (caught.value.found, caught.value.supported)


def test_an_unregistered_type_cannot_be_stored(sqlite_url):
    child = kelompok.PROFESSIONAL.derive(
        "unregistered", {"en": "Unregistered", "id": "Tak terdaftar"}
    )
    with open_store(sqlite_url) as store, pytest.raises(UsageError, match="register"):
        store.create(child, name="A", profession="nurse")


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"actor": 7}, "actor"),
        ({"idempotency_key": ""}, "idempotency_key"),
        ({"expected_version": -1}, "expected_version"),
        ({"expected_version": True}, "expected_version"),
    ],
)
def test_wrong_arguments_are_usage_errors(sqlite_url, arguments, field):
    with open_store(sqlite_url) as store:
        group = store.create(kelompok.PROFESSIONAL, name="A", profession="nurse")
        with pytest.raises(UsageError, match=field):
            store.fire(group.id, "identify_needs", {"needs": ["x"]}, **arguments)
        with pytest.raises(UsageError):
            store.fire(group.id, "identify_needs", {"needs": ["x"]}, needs=["y"])
        assert 0 == store.get(group.id).version


async def _recruiting(store: AsyncStore) -> str:
    group = await store.create(kelompok.PROFESSIONAL, name="A", profession="pharmacist")
    await store.fire(group.id, "identify_needs", needs=["x"])
    await store.fire(group.id, "form_core_group", founders=PRO_FOUNDERS)
    await store.fire(group.id, "adopt_charter", CHARTER)
    await store.fire(group.id, "open_recruitment")
    return str(group.id)


async def _concurrent(url: str, count: int) -> tuple[int, int]:
    async with open_async_store(url) as store:
        group_id = await _recruiting(store)
        await asyncio.gather(
            *(store.fire(group_id, "admit", member(f"c{i}")) for i in range(count))
        )
        after = await store.get(group_id)
        return after.version, len(await store.history(group_id))


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_concurrent_coroutines_on_one_async_store_lose_no_event(backend, request):
    url = request.getfixturevalue(f"{backend}_url")
    assert (44, 44) == asyncio.run(_concurrent(url, 40))


async def _cancelled(url: str, count: int) -> tuple[int, int, int]:
    """Fire *count* admits, cancelling each after a different delay; count what committed.

    Read back by another store once the first is closed: closing waits for the
    transactions the cancelled calls left running.
    """
    async with open_async_store(url) as store:
        group_id = await _recruiting(store)
        done = 0
        for i in range(count):
            task = asyncio.ensure_future(store.fire(group_id, "admit", member(f"c{i}")))
            await asyncio.sleep(i * 0.0005)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
                done += 1
    assert not store._running  # closing waited for every one
    async with open_async_store(url) as other:
        after = await other.get(group_id)
        return done, after.version - 4, len(await other.history(group_id)) - 4


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_a_cancelled_fire_either_committed_or_wrote_nothing(backend, request):
    url = request.getfixturevalue(f"{backend}_url")
    done, version, records = asyncio.run(_cancelled(url, 30))
    assert version == records  # every committed event has its record, and only those
    assert done <= version <= 30


async def _cancelled_between_attempts(url: str, path: str, write: str) -> tuple[bool, int]:
    """Cancel *write*'s caller as it waits to try again on a locked file; what it then did.

    Whether the caller saw its cancellation, and the version the write left behind.
    """
    async with open_async_store(url) as store:
        group_id = await _recruiting(store)
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # the write lock, so the first attempt fails
        caller: asyncio.Task[Any] | None = None
        first_delay = calls.delay

        def delay(attempt: int) -> float:  # the retry loop, about to wait for its next attempt
            assert caller is not None
            caller.cancel()
            holder.execute("ROLLBACK")  # the next attempt gets the lock
            return first_delay(attempt)

        writes = {
            "fire": lambda: store.fire(group_id, "admit", member("dewi")),
            "create": lambda: store.create(
                kelompok.PROFESSIONAL, id="later", name="B", profession="nurse"
            ),
        }
        before = set(asyncio.all_tasks())
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(calls, "delay", delay)
            caller = asyncio.ensure_future(writes[write]())
            with contextlib.suppress(asyncio.CancelledError):
                await caller
            await asyncio.gather(*(set(asyncio.all_tasks()) - before - {caller}))
        holder.close()
        try:
            made = await store.get(group_id if write == "fire" else "later")
        except NotFound:
            return caller.cancelled(), -1
        return caller.cancelled(), made.version


async def _closed_while_a_cancelled_write_waits(url: str, path: str) -> tuple[bool, int]:
    """Cancel a fire waiting on a locked file, close the store; whether close waited, and after."""
    store = open_async_store(url)
    group_id = await _recruiting(store)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the write lock: the fire waits for it
    caller = asyncio.ensure_future(store.fire(group_id, "admit", member("dewi")))
    await asyncio.sleep(0.1)
    caller.cancel()
    closing = asyncio.ensure_future(store.close())
    await asyncio.sleep(0.1)
    waited = not closing.done()  # the fire's transaction has not ended: close waits for it
    holder.execute("ROLLBACK")
    holder.close()
    await closing
    async with open_async_store(url) as other:
        return waited, (await other.get(group_id)).version


def test_closing_an_async_store_waits_for_the_transactions_of_cancelled_calls(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT", 0.05)
    path = str(tmp_path / "groups.db")
    waited, version = asyncio.run(_closed_while_a_cancelled_write_waits(f"sqlite:///{path}", path))
    assert waited
    assert version == 5  # the cancelled caller's fire went on, and committed before the close


async def _closed_by_a_listener(url: str) -> int:
    store = open_async_store(url)
    group_id = await _recruiting(store)

    async def shut_down(group: Any, record: Any) -> None:
        if record.event == "admit":
            await store.close()  # "close the store after this event": not its own transaction

    store.subscribe(shut_down)
    fired = await asyncio.wait_for(store.fire(group_id, "admit", member("dewi")), 10)
    return fired.version


def test_a_listener_may_close_the_async_store(tmp_path):
    assert 5 == asyncio.run(_closed_by_a_listener(f"sqlite:///{tmp_path / 'groups.db'}"))


def _aiosqlite_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if "_connection_worker_thread" in t.name]


async def _fired_while_the_pool_closes(url: str) -> tuple[bool, int]:
    store = open_async_store(url)
    group_id = await _recruiting(store)
    closing = asyncio.ensure_future(store.close())
    await asyncio.sleep(0)  # the close is closing the pool now
    late = asyncio.ensure_future(store.fire(group_id, "admit", member("late")))
    await closing
    return late.done(), (await late).version


def test_a_write_begun_while_the_async_store_closes_is_waited_for_and_leaks_no_connection(
    tmp_path,
):
    waited, version = asyncio.run(_fired_while_the_pool_closes(f"sqlite:///{tmp_path / 'g.db'}"))
    assert (waited, version) == (True, 5)
    for thread in _aiosqlite_threads():  # each connection's thread ends once it is closed
        thread.join(2)
    assert not _aiosqlite_threads()


# aiosqlite's thread of the abandoned loop's connection finds that loop closed, and says so
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_an_async_store_serves_a_second_event_loop_after_one_ended_mid_setup(tmp_path):
    # The first loop ends while writes wait for the tables to be made; the lock they wait on
    # belongs to that loop, and the next loop's writes must not wait on it.
    store = open_async_store(f"sqlite:///{tmp_path / 'groups.db'}")

    async def abandoned() -> None:
        pending = [
            asyncio.ensure_future(
                store.create(kelompok.PROFESSIONAL, id=f"g{i}", name="A", profession="nurse")
            )
            for i in range(3)
        ]
        await asyncio.sleep(0)
        assert not any(task.done() for task in pending)

    async def later() -> list[int]:
        made = await asyncio.gather(
            *(
                store.create(kelompok.PROFESSIONAL, id=f"h{i}", name="A", profession="nurse")
                for i in range(3)
            )
        )
        await store.close()
        return [group.version for group in made]

    with contextlib.suppress(RuntimeError):  # the abandoned writes' loop is closed under them
        asyncio.run(abandoned())
    assert [0, 0, 0] == asyncio.run(later())


@pytest.mark.parametrize(("write", "version"), [("fire", 5), ("create", 0)])
def test_a_write_cancelled_between_two_attempts_still_makes_its_next_attempts(
    tmp_path, monkeypatch, write, version
):
    # The whole retry loop of an async write is shielded, not each attempt alone: a caller
    # cancelled while the loop waits after a locked attempt leaves it to go on, and the
    # write is made once (before, the wait was the caller's, and the write was lost).
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT", 0.05)
    path = str(tmp_path / "groups.db")
    cancelled, made = asyncio.run(_cancelled_between_attempts(f"sqlite:///{path}", path, write))
    assert cancelled
    assert made == version


@attrs.frozen
class _Allies:
    name: str
    allies: tuple[str, ...] = ()


@attrs.frozen
class _Founding:
    name: str


@attrs.frozen
class _MaybeAlly:
    partner: kelompok.PartnerRef | None


@attrs.frozen
class _Allied:
    partners: tuple[kelompok.PartnerRef, ...]


def _alliance() -> kelompok.GroupType[Any]:
    label = {"en": "x", "id": "x"}
    return kelompok.register(
        kelompok.GroupType(
            name="alliance",
            label=label,
            stages=[kelompok.Stage("open", label), kelompok.Stage("closed", label, terminal=True)],
            events=[
                kelompok.Event("ally", label, moves={"open": None}, payload=_MaybeAlly),
                kelompok.Event("allies", label, moves={"open": None}, payload=_Allied),
                kelompok.Event("close", label, moves={"open": "closed"}),
            ],
            data=_Allies,
            founding=_Founding,
            initial_data=lambda f: _Allies(name=f.name),
            group_class=kelompok.Group,
        )
    )


@pytest.mark.parametrize(("event", "field"), [("ally", "partner"), ("allies", "partners")])
def test_a_group_reference_inside_a_payload_field_is_refused_not_trusted(sqlite_url, event, field):
    # the store reads the partner only for a field typed exactly PartnerRef: inside an
    # Optional or a tuple, a client's own description of a group ("ghost") would be taken
    alliance = _alliance()
    ghost = {"id": "ghost", "name": "Ghost", "type": "alliance", "stage": "open"}
    given = {"partner": ghost, "partners": [ghost]}[field]
    with open_store(sqlite_url) as store:
        group = store.create(alliance, name="A")
        with pytest.raises(UsageError, match="typed exactly PartnerRef"):
            store.fire(group.id, event, {field: given})
        assert 0 == store.get(group.id).version
