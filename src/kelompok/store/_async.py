"""The store for asyncio: the same transactions as :class:`~kelompok.store.Store`, awaited.

Each operation runs the synchronous store's very transaction through
SQLAlchemy's ``AsyncConnection.run_sync`` (aiosqlite, or psycopg's async
connection), so both stores behave alike by construction. A cancelled call
does not cut its transaction short: the transaction runs in a task of its own
to its commit or its rollback, and the caller sees ``CancelledError`` either way
(retry it with the same idempotency key to learn which).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Coroutine, Mapping
from types import TracebackType
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from kelompok._base.compat import Self
from kelompok._runtime.group import Group
from kelompok._runtime.history import HistoryRecord
from kelompok._types.group_type import GroupType
from kelompok.store import _calls as calls
from kelompok.store import _ops as ops
from kelompok.store._engine import (
    create,
    engine_options,
    prepare,
    resolve_url,
    retryable,
    unavailable,
)
from kelompok.store._errors import Conflict, StoreBusy
from kelompok.store._rows import OutboxEntry
from kelompok.store._tables import ensure_schema

G = TypeVar("G", bound=Group)
T = TypeVar("T")


class AsyncStore:
    """:class:`~kelompok.store.Store` with coroutines; open one with :func:`open_async_store`."""

    def __init__(
        self,
        url: str | None = None,
        *,
        idempotency_ttl: float = calls.DAY,
        outbox: bool = False,
        head_cache: int = calls.HEAD_CACHE,
    ) -> None:
        resolved = resolve_url(url, asynchronous=True)
        self.url = resolved.render_as_string(hide_password=True)
        self._engine: AsyncEngine = create(
            create_async_engine, resolved, **engine_options(resolved)
        )
        prepare(self._engine.sync_engine)
        self._settings = calls.settings(idempotency_ttl, outbox, head_cache)
        self._listeners = calls.Listeners()
        self._ready = False
        self._setup: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None
        self._running: set[asyncio.Task[Any]] = set()  # transactions left to end by their callers
        self._disposing: set[asyncio.Future[None]] = set()  # the closes closing the pool now

    async def _shielded(self, work: Coroutine[Any, Any, T]) -> T:
        """*work* in a task of its own: a cancelled caller leaves it to end, commit or rollback."""
        task = asyncio.ensure_future(work)
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        task.add_done_callback(_retrieve)
        return await asyncio.shield(task)

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(connection, *args)`` in a transaction that a cancelled caller cannot cut short."""
        return await self._shielded(self._transaction(fn, *args))

    async def _retried(
        self, group_id: str | None, fn: Callable[..., T], *args: Any, once: bool = False
    ) -> T:
        """``fn(connection, *args)``, tried again after a lost race or on a locked database.

        After :data:`~kelompok.store._calls.ATTEMPTS` attempts (one if *once*), ``StoreBusy``.
        Not shielded: see :meth:`_written`.
        """
        attempts = 0
        while True:
            attempts += 1
            try:
                return await self._transaction(fn, *args)
            except ops.LostRace:
                pass
            except sa.exc.DBAPIError as exc:
                if not retryable(exc):
                    raise
            if once or attempts >= calls.ATTEMPTS:
                raise StoreBusy(group_id, attempts)
            await asyncio.sleep(calls.delay(attempts))

    async def _written(self, group_id: str | None, fn: Callable[..., T], *args: Any) -> T:
        """:meth:`_retried`, run to its end even if the caller is cancelled."""
        return await self._shielded(self._retried(group_id, fn, *args))

    async def _transaction(self, fn: Callable[..., T], *args: Any) -> T:
        await self._ensure_schema()
        await self._pool_open()
        async with self._engine.connect() as conn:
            return await conn.run_sync(fn, *args)

    async def _pool_open(self) -> None:
        """Wait while a :meth:`close` closes the pool: a connection taken meanwhile would leak."""
        while self._disposing:
            await asyncio.wait(tuple(self._disposing))

    async def _ensure_schema(self) -> None:
        if self._ready:
            return
        loop = asyncio.get_running_loop()
        if self._setup is None or self._setup[0] is not loop:
            self._setup = (loop, asyncio.Lock())  # an asyncio lock serves one event loop
        async with self._setup[1]:
            if not self._ready:
                await self._pool_open()
                try:
                    async with self._engine.connect() as conn:
                        await conn.run_sync(ensure_schema)
                except sa.exc.DBAPIError as exc:  # no server, no such folder, not a database
                    if retryable(exc):
                        raise StoreBusy(None, 1) from exc
                    raise unavailable(self.url, exc) from exc
                self._ready = True

    # -- writing ----------------------------------------------------------------------

    async def create(
        self,
        group_type: GroupType[G],
        *,
        id: str | None = None,  # noqa: A002 -- as GroupType.create
        **founding: Any,
    ) -> G:
        """As :meth:`Store.create <kelompok.store.Store.create>`."""
        calls.registered(group_type)
        group = group_type.create(id=id, **founding)
        await self._written(group.id, ops.add, group, self._settings, ops.clock())
        return group

    async def add(self, group: G) -> G:
        """As :meth:`Store.add <kelompok.store.Store.add>`."""
        calls.whole(group)
        await self._written(group.id, ops.add, group, self._settings, ops.clock())
        return group

    async def fire(  # noqa: PLR0913 -- SPEC section 6 names every argument
        self,
        group_id: str,
        event: str,
        payload: Mapping[str, Any] | None = None,
        /,
        *,
        actor: str | None = None,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> Group:
        """As :meth:`Store.fire <kelompok.store.Store.fire>`; listeners may be coroutines."""
        request = calls.request(
            group_id,
            event,
            payload,
            fields,
            actor=actor,
            expected_version=expected_version,
            key=idempotency_key,
        )
        # The retries and the listeners run to their end even if the caller is cancelled:
        # every committed event reaches the listeners once.
        return await self._shielded(self._fire(request))

    async def _fire(self, request: ops.Request) -> Group:
        fired = await self._attempts(request)
        if fired.record is not None:
            for result in calls.notify(self._listeners.items, fired.group, fired.record):
                if inspect.isawaitable(result):
                    try:
                        await result
                    except Exception:  # noqa: BLE001 -- committed: a listener cannot undo it
                        calls.log.exception("an async store listener raised after a commit")
        return fired.group

    async def _attempts(self, request: ops.Request) -> ops.Fired:
        once = request.expected_version is not None  # a lost race is the caller's Conflict
        try:
            return await self._retried(
                request.group_id,
                lambda conn: ops.fire(conn, request, self._settings, ops.clock()),
                once=once,
            )
        except StoreBusy:
            if once:
                got = await self._transaction(ops.get, self._settings, request.group_id)
                if got.version != request.expected_version:
                    raise Conflict(
                        request.group_id, request.expected_version, got.version
                    ) from None
            raise

    def subscribe(self, listener: Callable[[Group, HistoryRecord], object]) -> Callable[[], None]:
        """As :meth:`Store.subscribe <kelompok.store.Store.subscribe>`; may be ``async``."""
        return self._listeners.add(listener)

    async def prune_idempotency_keys(self, older_than: float | None = None) -> int:
        """As :meth:`Store.prune_idempotency_keys <kelompok.store.Store.prune_idempotency_keys>`."""
        age = self._settings.idempotency_ttl if older_than is None else calls.seconds(older_than)
        return await self._written(None, ops.prune_keys, age, ops.clock())

    # -- reading ----------------------------------------------------------------------

    async def get(self, group_id: str) -> Group:
        """As :meth:`Store.get <kelompok.store.Store.get>`."""
        group_id = calls.stored_id(group_id)
        return await self._run(ops.get, self._settings, group_id)

    async def history(
        self, group_id: str, *, after: int | None = None, limit: int | None = None
    ) -> list[HistoryRecord]:
        """As :meth:`Store.history <kelompok.store.Store.history>`."""
        group_id = calls.stored_id(group_id)
        start = calls.checked_after(after)
        size = None if limit is None else calls.checked_limit(limit)
        return await self._run(ops.history_page, self._settings, group_id, start, size)

    async def find(
        self,
        *,
        type: GroupType[Any] | str | None = None,  # noqa: A002 -- as Store.find
        stage: str | None = None,
        after: str | None = None,
        limit: int = 100,
    ) -> list[Group]:
        """As :meth:`Store.find <kelompok.store.Store.find>`."""
        args = calls.find_args(type, stage, after, limit)
        return await self._run(ops.find, self._settings, *args)

    async def pending(self, limit: int = 100) -> list[OutboxEntry]:
        """As :meth:`Store.pending <kelompok.store.Store.pending>`."""
        return await self._run(ops.pending, calls.checked_limit(limit))

    async def acknowledge(self, *ids: int) -> int:
        """As :meth:`Store.acknowledge <kelompok.store.Store.acknowledge>`."""
        checked = calls.checked_ids(ids)
        return await self._written(None, ops.acknowledge, checked) if checked else 0

    # -- lifetime -----------------------------------------------------------------------

    async def close(self) -> None:
        """Wait for the transactions of cancelled calls to end, then close every pooled connection.

        A call cancelled while its transaction runs leaves it running to its commit
        or rollback; closing waits for it, so nothing is cut short by the close. A
        listener may close the store: its own event's transaction is not waited for.
        """
        me = asyncio.current_task()
        while True:
            others = [task for task in self._running if task is not me]
            if others:
                await asyncio.wait(others)
                continue
            await self._dispose()
            if all(task is me for task in self._running):
                return  # else a call began while the pool was closed: wait, and close again

    async def _dispose(self) -> None:
        done = asyncio.get_running_loop().create_future()
        self._disposing.add(done)
        try:
            await self._engine.dispose()
        finally:
            self._disposing.discard(done)
            done.set_result(None)

    async def __aenter__(self) -> Self:
        await self._ensure_schema()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"<kelompok AsyncStore {self.url}>"


def _retrieve(task: asyncio.Future[Any]) -> None:
    """Take a shielded transaction's outcome, so an abandoned one logs no "never retrieved"."""
    if not task.cancelled():
        task.exception()


def open_async_store(
    url: str | None = None,
    *,
    idempotency_ttl: float = calls.DAY,
    outbox: bool = False,
    head_cache: int = calls.HEAD_CACHE,
) -> AsyncStore:
    """Open the asynchronous store at *url*, to use as ``async with ... as store``.

    The same URLs as :func:`~kelompok.store.open_store` (SQLite through
    aiosqlite, PostgreSQL through psycopg's async connection); the tables are
    created at the first operation. *idempotency_ttl*, *outbox* and
    *head_cache* are as for :func:`~kelompok.store.open_store`.
    """
    return AsyncStore(url, idempotency_ttl=idempotency_ttl, outbox=outbox, head_cache=head_cache)
