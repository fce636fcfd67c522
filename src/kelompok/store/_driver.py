"""The request's statements on the driver's own cursor: SQLAlchemy compiles, the driver runs.

``Connection.execute`` costs about 18 µs a statement more than the driver's own
``cursor.execute`` (cache lookup, execution context, result wrapping), some 60
µs of a request's three or four statements (docs/storing.md, "Performance").
So each statement a request runs is compiled once per dialect by SQLAlchemy,
and run on the DBAPI connection under the same transaction, which SQLAlchemy
still begins, commits and rolls back.
"""

from __future__ import annotations

import threading
from collections import namedtuple
from types import TracebackType
from typing import Any

import sqlalchemy as sa

from kelompok._base.errors import UsageError


def execute(conn: sa.Connection, sql: str, params: Any = ()) -> Any:
    """*sql* on a new cursor of *conn*'s driver connection; the cursor.

    The driver's errors come out as SQLAlchemy's (``IntegrityError``,
    ``OperationalError``, ...), as ``Connection.execute`` would give them.
    """
    dialect = conn.dialect
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, params)
    except dialect.loaded_dbapi.Error as exc:
        cursor.close()
        base = dialect.loaded_dbapi.Error
        raise sa.exc.DBAPIError.instance(
            sql, params, exc, base, hide_parameters=True, dialect=dialect
        ) from exc
    return cursor


class Statement:
    """One Core statement, compiled once for each dialect it runs on."""

    __slots__ = ("_columns", "_compiled", "_row", "_statement")

    def __init__(self, statement: sa.Executable, columns: tuple[str, ...] | None = None) -> None:
        """*columns*: for an ``INSERT``, the columns it gives (the others take their defaults)."""
        self._statement = statement
        self._columns = columns
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None]] = {}
        columns = getattr(statement, "selected_columns", None)
        self._row = None if columns is None else namedtuple("Row", [c.key for c in columns])  # noqa: PYI024

    def _sql(self, dialect: sa.Dialect) -> tuple[str, tuple[str, ...] | None]:
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self._statement.compile(dialect=dialect, column_keys=self._columns)  # type: ignore[attr-defined]
            positional = dialect.paramstyle in ("qmark", "format", "numeric")
            order = tuple(compiled.positiontup) if positional else None
            found = self._compiled[dialect.name] = (str(compiled), order)
        return found

    def run(self, conn: sa.Connection, params: dict[str, Any]) -> Any:
        """Run with *params* inside *conn*'s transaction; the driver's cursor."""
        sql, order = self._sql(conn.dialect)
        return execute(conn, sql, params if order is None else tuple(params[n] for n in order))

    def one_or_none(self, conn: sa.Connection, params: dict[str, Any]) -> Any:
        """The one row the statement selects, with its columns as attributes, or ``None``."""
        cursor = self.run(conn, params)
        found = cursor.fetchone()
        cursor.close()
        return None if found is None else self._row._make(found)  # type: ignore[union-attr]

    def count(self, conn: sa.Connection, params: dict[str, Any]) -> int:
        """Run, and give the number of rows the statement changed."""
        cursor = self.run(conn, params)
        changed = int(cursor.rowcount)
        cursor.close()
        return changed


class transaction:  # noqa: N801 -- used as a statement: ``with transaction(conn, write=True):``
    """One transaction on *conn*: committed at the end of the block, rolled back on any exception.

    On PostgreSQL, SQLAlchemy's own (``conn.begin()``); the row lock of
    ``SELECT ... FOR UPDATE`` makes writers take turns. On SQLite the ``sqlite3``
    module would begin a transaction only at the first write, so a read and the
    write after it would not be one transaction (SQLAlchemy's SQLite documentation,
    "Serializable isolation / Savepoints / Transactional DDL"): the store begins it
    itself, ``BEGIN IMMEDIATE`` for a *write*, so that writers queue for the lock
    instead of failing halfway. Statements run through SQLAlchemy inside it
    (``conn.execute``) take part in it, and are committed with it. A *snapshot*
    reads every statement as of one moment on PostgreSQL too (``REPEATABLE READ``):
    a head and the history rows it numbers, say.
    """

    __slots__ = ("_conn", "_file", "_outer", "_snapshot", "_write")

    def __init__(self, conn: sa.Connection, *, write: bool, snapshot: bool = False) -> None:
        self._conn = conn
        self._write = write
        self._snapshot = snapshot
        self._outer: Any = None
        self._file: str | None = None

    def __enter__(self) -> None:
        conn = self._conn
        if conn.dialect.name != "sqlite":
            self._outer = conn.begin()
            self._outer.__enter__()
            if self._snapshot:  # every statement of it sees the same commits (PostgreSQL's
                # READ COMMITTED gives each its own); SQLite's transaction is one snapshot
                try:
                    execute(conn, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").close()
                except BaseException as exc:
                    self._outer.__exit__(type(exc), exc, exc.__traceback__)
                    raise
            return
        if self._write and conn.dialect.driver == "pysqlite":
            self._file = _own_write(conn.engine.url.database, conn)
        try:
            execute(conn, "BEGIN IMMEDIATE" if self._write else "BEGIN").close()
        except BaseException:
            self._release()
            raise

    def _release(self) -> None:
        if self._file is not None:
            files = _writing.files
            if files.get(self._file) is self._conn:
                del files[self._file]
            self._file = None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn = self._conn
        if self._outer is not None:
            self._outer.__exit__(exc_type, exc, tb)
            return
        try:
            if exc_type is None:
                if conn.in_transaction():  # statements run through SQLAlchemy: it commits
                    conn.commit()
                else:
                    execute(conn, "COMMIT").close()
                return
            roll_back(conn)
        finally:
            self._release()


_writing = threading.local()
"""``files``: the SQLite files a transaction of this thread is writing to, and its connection.

An entry an interrupt left behind (the transaction ended, its ``_release`` never ran)
holds a connection no longer in a transaction: the next write replaces it.
"""


def _own_write(file: str | None, conn: sa.Connection) -> str | None:
    """Note that this thread writes to *file* on *conn*; ``UsageError`` if it is writing to it.

    A second write transaction on another connection of the same thread would wait
    for the lock its own first one holds, until every retry ran out.
    """
    if file is None:
        return None
    files: dict[str, sa.Connection] = _writing.__dict__.setdefault("files", {})
    owner = files.get(file)
    if owner is not None and owner is not conn and _in_transaction(owner):
        msg = (
            "a store call that writes was made while a store call of the same thread is "
            "writing to the same SQLite file (from a group type's listener?): it would wait "
            "for its own lock. Write after that call returns: a store's own listeners "
            "(store.subscribe) run after the commit"
        )
        raise UsageError(msg)
    files[file] = conn
    return file


def _in_transaction(conn: sa.Connection) -> bool:
    """Whether the driver's connection under *conn* is in a transaction now."""
    if conn.closed or conn.invalidated:
        return False
    return bool(getattr(conn.connection.dbapi_connection, "in_transaction", False))


def roll_back(conn: sa.Connection) -> None:
    """End the transaction open on *conn*, SQLAlchemy's or the store's own, undoing it."""
    try:
        if conn.get_transaction() is not None:  # active, or left inactive by a failed commit
            conn.rollback()  # (an inactive one is only forgotten)
        if getattr(conn.connection.dbapi_connection, "in_transaction", False):
            execute(conn, "ROLLBACK").close()
    except sa.exc.SQLAlchemyError:  # the connection broke: the database rolled back already
        conn.invalidate()
