"""Groups in a database: SQLite (embedded, the default) or PostgreSQL (many app servers).

::

    from kelompok.store import open_store

    with open_store() as store:  # ./kelompok.db, or $KELOMPOK_DB
        group = store.create(kelompok.PROFESSIONAL, name="...", profession="...")
        store.fire(group.id, "identify_needs", needs=["..."], idempotency_key=request_id)

Every ``fire`` is one transaction: the head is read, the event checked, the
new head written with a compare-and-set on its version and the record
appended, all or nothing; a lost race is retried from a fresh read. Needs the
``sql`` extra: ``pip install "kelompok[sql]"``. docs/storing.md tells the rest.
"""

from __future__ import annotations

from kelompok.store._async import AsyncStore, open_async_store
from kelompok.store._errors import (
    Conflict,
    IdempotencyMismatch,
    NotFound,
    SchemaTooNew,
    StoreBusy,
    StoreError,
    StoreUnavailable,
)
from kelompok.store._rows import OutboxEntry
from kelompok.store._sync import Store, open_store
from kelompok.store._tables import SCHEMA_VERSION

__all__ = [
    "SCHEMA_VERSION",
    "AsyncStore",
    "Conflict",
    "IdempotencyMismatch",
    "NotFound",
    "OutboxEntry",
    "SchemaTooNew",
    "Store",
    "StoreBusy",
    "StoreError",
    "StoreUnavailable",
    "open_async_store",
    "open_store",
]
