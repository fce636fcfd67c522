"""What the store raises besides the core's errors; every one is a :class:`KelompokError`.

Each error keeps its message in every language (``exc.text("id")``) beside the
English ``str(exc)``, and the facts a caller acts on as attributes.
"""

from __future__ import annotations

from kelompok._base.errors import KelompokError
from kelompok._base.text import Localized, msg


class StoreError(KelompokError):
    """Root of the store's own errors.

    Attributes:
        text: the message, to read in a language (``exc.text("id")``).
    """

    def __init__(self, text: Localized) -> None:
        super().__init__(text())
        self.text = text


class NotFound(StoreError, LookupError):
    """The store holds no group with that id.

    Attributes:
        group_id: the id asked for.
    """

    def __init__(self, group_id: str) -> None:
        super().__init__(msg("store.not_found", "no stored group has the id {id!r}", id=group_id))
        self.group_id = group_id

    def __str__(self) -> str:  # LookupError would quote the message like a key
        return str(self.args[0])


class Conflict(StoreError):
    """The stored group is not at the version the caller expected; nothing was written.

    Read the group again (``store.get``), decide again, and fire with the new
    version, or without ``expected_version`` to let the store retry by itself.

    Attributes:
        group_id: the group's id.
        expected: the version the caller gave (``None`` for a ``create``, which
            expects no group with that id).
        actual: the version stored.
    """

    def __init__(self, group_id: str, expected: int | None, actual: int) -> None:
        text = (
            msg(
                "store.exists",
                "a group with the id {id!r} is stored already (version {actual})",
                id=group_id,
                actual=actual,
            )
            if expected is None
            else msg(
                "store.conflict",
                "group {id!r} is at version {actual}, not {expected}; read it again and retry",
                id=group_id,
                actual=actual,
                expected=expected,
            )
        )
        super().__init__(text)
        self.group_id = group_id
        self.expected = expected
        self.actual = actual


class IdempotencyMismatch(StoreError, ValueError):
    """An idempotency key was used before with another event or payload; nothing was applied.

    Attributes:
        group_id: the group's id.
        key: the idempotency key.
        event: the event of the first call with this key.
    """

    def __init__(self, group_id: str, key: str, event: str) -> None:
        super().__init__(
            msg(
                "store.idempotency_mismatch",
                "idempotency key {given!r} of group {id!r} was used for another request "
                "({event!r} with another payload, or another event); use a new key",
                given=key,
                id=group_id,
                event=event,
            )
        )
        self.group_id = group_id
        self.key = key
        self.event = event


class StoreBusy(StoreError):
    """The database stayed busy (locked, or a lost race) through every retry; nothing was written.

    Attributes:
        group_id: the group's id; ``None`` for a write of no one group (pruning
            idempotency keys, acknowledging outbox entries).
        attempts: how many times the write was tried.
    """

    def __init__(self, group_id: str | None, attempts: int) -> None:
        if group_id is None:
            text = msg(
                "store.busy_database",
                "the database stayed busy through {attempts} attempts; nothing was written, "
                "try again later",
                attempts=attempts,
            )
        else:
            text = msg(
                "store.busy",
                "group {id!r} stayed busy through {attempts} attempts; nothing was written, "
                "try again later",
                id=group_id,
                attempts=attempts,
            )
        super().__init__(text)
        self.group_id = group_id
        self.attempts = attempts


class SchemaTooNew(StoreError):
    """The database was set up by a newer kelompok, whose tables this one cannot read.

    Attributes:
        found: the schema version the database records.
        supported: the newest schema version this kelompok knows.
    """

    def __init__(self, found: str, supported: int) -> None:
        super().__init__(
            msg(
                "store.schema_too_new",
                "the database's kelompok tables are at schema version {found}; this kelompok "
                "knows versions up to {supported}: upgrade kelompok",
                found=found,
                supported=supported,
            )
        )
        self.found = found
        self.supported = supported


class StoreUnavailable(StoreError):
    """The database could not be opened: no server answers, or the file is not a database.

    Raised by ``open_store`` (and by an async store's first call): the URL names
    a server that is not running or refuses the login, a folder that does not
    exist, a directory, or a file that is not an SQLite database. Nothing was
    written.

    Attributes:
        url: the store's URL, without its password.
        reason: what the database driver said (or, from the ``kelompok`` command, why it
            did not open it).
    """

    def __init__(self, url: str, reason: str | Localized) -> None:
        super().__init__(
            msg(
                "store.unavailable",
                "cannot open the database at {url}: {reason}",
                url=url,
                reason=reason,
            )
        )
        self.url = url
        self.reason = reason
