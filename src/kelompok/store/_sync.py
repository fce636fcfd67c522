"""The store: groups in SQLite or PostgreSQL, one transaction per event (docs/storing.md)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, TypeVar

import sqlalchemy as sa

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
from kelompok.store._kept import Connections
from kelompok.store._rows import OutboxEntry
from kelompok.store._tables import ensure_schema

G = TypeVar("G", bound=Group)
T = TypeVar("T")


class Store:
    """Groups kept in a database; every change is one event, in one transaction.

    Open one with :func:`open_store`; one store serves every thread of a process
    (its connections are pooled). Groups it returns are snapshots: change a group
    with :meth:`fire`, not with the group's own ``fire``, which changes only the copy.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        idempotency_ttl: float = calls.DAY,
        outbox: bool = False,
        head_cache: int = calls.HEAD_CACHE,
    ) -> None:
        resolved = resolve_url(url)
        self.url = resolved.render_as_string(hide_password=True)
        self._settings = calls.settings(idempotency_ttl, outbox, head_cache)
        self._engine: sa.Engine = create(
            sa.create_engine, resolved, **engine_options(resolved, kept=True)
        )
        prepare(self._engine)
        self._connections = Connections(self._engine)
        self._listeners = calls.Listeners()
        try:
            self._retried(None, ensure_schema)
        except sa.exc.DBAPIError as exc:  # no server, no such folder, not a database file
            self._engine.dispose()
            raise unavailable(self.url, exc) from exc

    # -- writing ----------------------------------------------------------------------

    def create(self, group_type: GroupType[G], *, id: str | None = None, **founding: Any) -> G:  # noqa: A002 -- as GroupType.create
        """Create a group of *group_type* (as ``group_type.create``) and store it at version 0.

        Raises:
            CreationRefused: the founding arguments are refused.
            Conflict: a group with that id is stored already.
            UsageError: the type is not registered, so a stored group of it could not be read.
            StoreBusy: the database stayed locked through every retry.
        """
        calls.registered(group_type)
        group = group_type.create(id=id, **founding)
        self._retried(group.id, ops.add, group, self._settings, ops.clock())
        return group

    def add(self, group: G) -> G:
        """Store a group made elsewhere (loaded from a document, say), with its whole history.

        For moving groups into the store: the head and every record are written in
        one transaction, and read back with the same checks as every other row.

        Raises:
            Conflict: a group with that id is stored already.
            UsageError: the group does not hold its whole history (it was loaded
                from a head), or its type is not registered.
            StoreBusy: the database stayed locked through every retry.
        """
        calls.whole(group)
        self._retried(group.id, ops.add, group, self._settings, ops.clock())
        return group

    def fire(  # noqa: PLR0913 -- SPEC section 6 names every argument
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
        """Apply *event* to the stored group in one transaction; return the group after it.

        The group is read, the event checked and applied, the new head written
        with a compare-and-set on its version and the record appended, all or
        nothing. A lost race is tried again from a fresh read, unless
        *expected_version* is given.

        Raises:
            NotFound: no group has that id.
            TransitionNotAllowed: the event is refused; nothing is written.
            Conflict: *expected_version* is given and the stored version differs.
            IdempotencyMismatch: *idempotency_key* was used for another event or payload.
            StoreBusy: the database stayed busy through every retry.
            InvalidGroupData: the stored row does not pass the checks of ``load``.
        """
        request = calls.request(
            group_id,
            event,
            payload,
            fields,
            actor=actor,
            expected_version=expected_version,
            key=idempotency_key,
        )
        fired = self._attempts(request)
        if fired.record is not None:
            calls.notify(self._listeners.items, fired.group, fired.record)
        return fired.group

    def _attempts(self, request: ops.Request) -> ops.Fired:
        once = request.expected_version is not None  # a lost race is the caller's Conflict
        try:
            return self._retried(
                request.group_id,
                lambda conn: ops.fire(conn, request, self._settings, ops.clock()),
                once=once,
            )
        except StoreBusy:
            if once:
                with self._connections() as conn:  # tell the caller where the group is now
                    actual = ops.get(conn, self._settings, request.group_id).version
                if actual != request.expected_version:
                    raise Conflict(request.group_id, request.expected_version, actual) from None
            raise

    def _retried(
        self, group_id: str | None, fn: Callable[..., T], *args: Any, once: bool = False
    ) -> T:
        """``fn(connection, *args)``, tried again after a lost race or on a locked database.

        After :data:`~kelompok.store._calls.ATTEMPTS` attempts (one if *once*), ``StoreBusy``.
        """
        attempts = 0
        while True:
            attempts += 1
            try:
                with self._connections() as conn:
                    return fn(conn, *args)
            except ops.LostRace:
                pass
            except sa.exc.DBAPIError as exc:
                if not retryable(exc):
                    raise
            if once or attempts >= calls.ATTEMPTS:
                raise StoreBusy(group_id, attempts)
            time.sleep(calls.delay(attempts))

    def subscribe(self, listener: Callable[[Group, HistoryRecord], object]) -> Callable[[], None]:
        """Call *listener(group, record)* after each event this store commits; returns unsubscribe.

        It runs once, after the commit, in the process that fired; never on a
        ``get`` or a retry. One that raises is logged (logger ``kelompok.store``)
        and changes nothing. For delivery that survives a crash, use the outbox.
        """
        return self._listeners.add(listener)

    def prune_idempotency_keys(self, older_than: float | None = None) -> int:
        """Forget idempotency keys older than *older_than* seconds (default: the store's TTL)."""
        age = self._settings.idempotency_ttl if older_than is None else calls.seconds(older_than)
        return self._retried(None, ops.prune_keys, age, ops.clock())

    # -- reading ----------------------------------------------------------------------

    def get(self, group_id: str) -> Group:
        """The group as stored, checked as ``load`` checks a head; ``NotFound`` if absent."""
        group_id = calls.stored_id(group_id)
        with self._connections() as conn:
            return ops.get(conn, self._settings, group_id)

    def history(
        self, group_id: str, *, after: int | None = None, limit: int | None = None
    ) -> list[HistoryRecord]:
        """The group's records, oldest first: those after version *after*, at most *limit*.

        Page with ``after=records[-1]...`` the last version seen: record *n*
        took the group to version *n*. The whole history (no *after*, no
        *limit*) is checked against the head as ``load`` checks a document.
        """
        group_id = calls.stored_id(group_id)
        start = calls.checked_after(after)
        size = None if limit is None else calls.checked_limit(limit)
        with self._connections() as conn:
            return ops.history_page(conn, self._settings, group_id, start, size)

    def find(
        self,
        *,
        type: GroupType[Any] | str | None = None,  # noqa: A002 -- SPEC-like keyword
        stage: str | None = None,
        after: str | None = None,
        limit: int = 100,
    ) -> list[Group]:
        """Stored groups of a *type* and *stage* (both optional), by id, after the id *after*."""
        args = calls.find_args(type, stage, after, limit)
        with self._connections() as conn:
            return ops.find(conn, self._settings, *args)

    # -- the outbox ---------------------------------------------------------------------

    def pending(self, limit: int = 100) -> list[OutboxEntry]:
        """Committed events not yet acknowledged, oldest first (for a store with ``outbox=True``).

        Each is an :class:`OutboxEntry`, checked as every row the store reads.
        """
        with self._connections() as conn:
            return ops.pending(conn, calls.checked_limit(limit))

    def acknowledge(self, *ids: int) -> int:
        """Remove delivered outbox entries by id; returns how many were still there."""
        checked = calls.checked_ids(ids)
        if not checked:
            return 0
        return self._retried(None, ops.acknowledge, checked)

    # -- lifetime -----------------------------------------------------------------------

    def close(self) -> None:
        """Close every connection the store holds (one in use, when its call ends)."""
        self._connections.close()
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<kelompok Store {self.url}>"


def open_store(
    url: str | None = None,
    *,
    idempotency_ttl: float = calls.DAY,
    outbox: bool = False,
    head_cache: int = calls.HEAD_CACHE,
) -> Store:
    """Open the store at *url* (default ``$KELOMPOK_DB``, else the SQLite file ``./kelompok.db``).

    The tables are created on first use. *idempotency_ttl* is how long, in
    seconds, a repeated idempotency key is recognised; with *outbox*, every
    committed event is also queued for :meth:`Store.pending`.

    *head_cache* is how many groups' heads the store remembers as it wrote or
    checked them (and never more than 16 million characters of head text): a
    row read back exactly as remembered is not checked again, any other row is
    checked in full (docs/storing.md, "What is checked on read"). ``0`` checks
    every row it reads.
    """
    return Store(url, idempotency_ttl=idempotency_ttl, outbox=outbox, head_cache=head_cache)
