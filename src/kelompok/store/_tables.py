"""The store's tables (SQLAlchemy Core), and creating them once, whoever comes first.

Heads and history live apart: a request reads and writes one head row and
appends one history row, so its cost does not grow with the group's age
(docs/storing.md, "The tables").
"""

from __future__ import annotations

from typing import Final

import sqlalchemy as sa

from kelompok.store._driver import transaction
from kelompok.store._errors import SchemaTooNew

SCHEMA_VERSION: Final = 1
"""The version of the store's tables that this kelompok creates and reads."""

metadata: Final = sa.MetaData()

meta: Final = sa.Table(
    "kelompok_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
"""Facts about the tables themselves: ``schema_version``."""

groups: Final = sa.Table(
    "kelompok_groups",
    metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("type", sa.String, nullable=False),
    sa.Column("definition", sa.String(32), nullable=False),
    sa.Column("stage", sa.String, nullable=False),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("head", sa.Text, nullable=False),
    sa.Column("updated_at", sa.Double, nullable=False),
    sa.Index("kelompok_groups_type_stage", "type", "stage", "id"),
)
"""One row per group: its document's head (JSON text) and the columns ``find`` looks up.

``definition`` is a digest of the group type's definition when the row was
written, so that a later kelompok can tell which rows a changed type must migrate.
"""

history: Final = sa.Table(
    "kelompok_history",
    metadata,
    sa.Column("group_id", sa.String, sa.ForeignKey(groups.c.id), primary_key=True),
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("event", sa.String, nullable=False),
    sa.Column("record", sa.Text, nullable=False),
)
"""Append-only: record ``seq`` is the event that took the group to version ``seq``."""

idempotency: Final = sa.Table(
    "kelompok_idempotency",
    metadata,
    sa.Column("group_id", sa.String, sa.ForeignKey(groups.c.id), primary_key=True),
    sa.Column("key", sa.String, primary_key=True),
    sa.Column("event", sa.String, nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("head", sa.Text, nullable=False),
    sa.Column("created_at", sa.Double, nullable=False),
    sa.Index("kelompok_idempotency_created", "created_at"),
)
"""Keys of applied requests, with the head their event gave, until pruned."""

outbox: Final = sa.Table(
    "kelompok_outbox",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column("group_id", sa.String, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("type", sa.String, nullable=False),
    sa.Column("event", sa.String, nullable=False),
    sa.Column("record", sa.Text, nullable=False),
    sa.Column("created_at", sa.Double, nullable=False),
)
"""Events committed and not yet acknowledged by a worker (only with ``outbox=True``)."""


def ensure_schema(conn: sa.Connection) -> None:
    """Create the tables if they are missing and check their schema version, in one transaction.

    Safe when many processes open the store at once: on PostgreSQL an advisory
    lock makes them take turns; on SQLite the write transaction does.
    """
    with transaction(conn, write=True):
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(7215033)"))
        metadata.create_all(conn, checkfirst=True)
        found = conn.execute(
            sa.select(meta.c.value).where(meta.c.key == "schema_version")
        ).scalar_one_or_none()
        if found is None:
            conn.execute(meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
        elif found != str(SCHEMA_VERSION):
            raise SchemaTooNew(found, SCHEMA_VERSION)
