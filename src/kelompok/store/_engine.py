"""Connecting: which database a URL names, and the settings each backend needs.

SQLite runs in WAL mode with a busy timeout, and the store begins its own
transactions (``BEGIN IMMEDIATE`` for a write), so that writers queue for the
lock instead of failing halfway; PostgreSQL locks the group's row
(``SELECT ... FOR UPDATE``) for the same effect. Either way the compare-and-set
on ``version`` and the history's primary key make a lost update impossible,
even without the locks.
"""

from __future__ import annotations

import os
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import event

from kelompok._base.errors import UsageError
from kelompok.store._errors import StoreUnavailable

DEFAULT_FILE: Final = "kelompok.db"
"""The embedded default: an SQLite file in the working directory."""
ENV: Final = "KELOMPOK_DB"
"""The environment variable that names the embedded default instead (a path or a URL)."""
BUSY_TIMEOUT: Final = 30.0
"""Seconds an SQLite connection waits for another writer's lock before giving up."""


def resolve_url(url: str | None, *, asynchronous: bool = False) -> sa.URL:
    """The URL to connect to: *url*, or ``$KELOMPOK_DB``, or ``./kelompok.db``.

    A bare path means an SQLite file; ``postgresql://`` means psycopg 3.
    """
    if url is None:
        url = os.environ.get(ENV) or DEFAULT_FILE
    if type(url) is not str:
        msg = f"the store's URL must be text (str) or None, got {type(url).__name__}"
        raise UsageError(msg)
    if "://" not in url:  # a path, taken as it is: "?" and "%" are a file name's letters
        parsed = sa.URL.create("sqlite", database=url)
    else:
        try:
            parsed = sa.make_url(url)
        except sa.exc.ArgumentError as exc:
            msg = f"not a database URL: {url!r} ({exc})"
            raise UsageError(msg) from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend == "postgresql" and driver in ("", "psycopg", "psycopg_async"):
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and driver in ("", "pysqlite", "aiosqlite"):
        database = _sqlite_file(parsed)
        return parsed.set(
            drivername="sqlite+aiosqlite" if asynchronous else "sqlite+pysqlite",
            database=database,
        )
    msg = (
        f"the store runs on SQLite (sqlite:///path) or PostgreSQL "
        f"(postgresql+psycopg://...), not {parsed.drivername!r}"
    )
    raise UsageError(msg)


def _sqlite_file(url: sa.URL) -> str:
    """The SQLite file *url* names, as an absolute path with no links in it.

    Two stores on one file, however each names it, then know they are on the same
    file (``_driver._own_write``), and a later ``chdir`` moves neither. A memory
    database is refused: each connection would have one of its own.
    """
    database = url.database or ""
    query = url.query
    if database in ("", ":memory:") or query.get("mode") == "memory":
        msg = "the store needs an SQLite file (sqlite:///path/to/file.db), not a memory database"
        raise UsageError(msg)
    if "uri" in query:  # file:..., with a vfs or a mode that may be a memory database again
        msg = (
            "the store takes the SQLite file's path (sqlite:///path/to/file.db), not an SQLite "
            "URI (?uri=true)"
        )
        raise UsageError(msg)
    if "\x00" in database:
        msg = "the SQLite file's path holds a NUL character"
        raise UsageError(msg)
    try:
        os.fsencode(database)
    except UnicodeError:
        msg = "the SQLite file's path cannot be written in this system's file names"
        raise UsageError(msg) from None
    return os.path.realpath(database)


def create(make: Any, url: sa.URL, **options: Any) -> Any:
    """``make(url, **options)`` (``create_engine`` or its async twin); ``UsageError`` if refused.

    The URL's query is read here (``?timeout=soon``, say).
    """
    try:
        return make(url, **options)
    except (sa.exc.ArgumentError, ValueError, TypeError) as exc:
        shown = url.render_as_string(hide_password=True)
        msg = f"the store cannot connect with the options of {shown!r}: {exc}"
        raise UsageError(msg) from None


def unavailable(url: str, exc: sa.exc.DBAPIError) -> StoreUnavailable:
    """The error for a database that could not be opened, saying what its driver said."""
    said = str(exc.orig).strip().splitlines()
    reason = said[0][:300] if said else type(exc.orig).__name__
    return StoreUnavailable(url, reason)


def engine_options(url: sa.URL, *, kept: bool = False) -> dict[str, Any]:
    """What ``create_engine`` (or ``create_async_engine``) needs for *url*'s backend.

    *kept*: each thread keeps its own SQLite connection (:mod:`kelompok.store._kept`),
    so no pool is needed, nor a bound on how many threads a pool lets connect.
    """
    if url.get_backend_name() == "sqlite":  # resolve_url refused a memory database
        options: dict[str, Any] = {"connect_args": {"timeout": BUSY_TIMEOUT}}
        return options | {"poolclass": sa.NullPool} if kept else options
    return {"pool_pre_ping": True}


def prepare(engine: sa.Engine) -> None:
    """Give the SQLite connections of *engine* WAL mode, and no transaction the store did not begin.

    ``sqlite3`` would begin a transaction only at the first write; the store
    begins each itself (:class:`kelompok.store._driver.transaction`).
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # no implicit BEGIN: the store's own
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # WAL: durable against a crashed process
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


RETRY_STATES: Final = frozenset({"40001", "40P01", "55P03"})
"""PostgreSQL errors after which the transaction may simply be tried again."""


def retryable(exc: sa.exc.DBAPIError) -> bool:
    """Whether *exc* means "busy, try again": a lock not granted, a deadlock, a lost race.

    An ``IntegrityError`` is not one: writers to a group take turns on its row, so
    a clash on a primary key means a row that no event wrote (see ``_ops.fire``).
    """
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in RETRY_STATES:
        return True
    text = str(orig).lower()
    return "database is locked" in text or "database table is locked" in text
