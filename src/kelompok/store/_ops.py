"""One attempt of each store operation: one transaction on a synchronous connection.

The synchronous store runs these on its connections; the asynchronous one runs
the very same functions through SQLAlchemy's ``run_sync``, so both have one
behaviour. Retrying a lost race is the caller's loop (:mod:`kelompok.store._sync`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import attrs
import sqlalchemy as sa

from kelompok._base.errors import InvalidGroupData, TransitionNotAllowed
from kelompok._base.text import Reason, msg
from kelompok._runtime.group import Group
from kelompok._runtime.history import HistoryRecord
from kelompok._types.group_type import load
from kelompok.store import _rows as rows
from kelompok.store._driver import Statement, transaction
from kelompok.store._errors import Conflict, IdempotencyMismatch, NotFound
from kelompok.store._heads import Heads, row_key, written
from kelompok.store._tables import groups, history, idempotency, outbox


class LostRace(Exception):
    """Another writer changed the group between the read and the compare-and-set."""


@attrs.frozen
class Request:
    """One ``fire``, as the caller gave it (the payload already a plain dict)."""

    group_id: str
    event: str
    payload: Mapping[str, Any]
    actor: str | None
    expected_version: int | None
    key: str | None


@attrs.frozen
class Settings:
    """What every operation of one store does alike."""

    idempotency_ttl: float
    outbox: bool
    heads: Heads = attrs.field(factory=Heads, eq=False)


@attrs.frozen
class Fired:
    """What ``fire`` gives back: the group after the event, and its record (none on a repeat)."""

    group: Group
    record: HistoryRecord | None


# The statements of a request, built once: SQLAlchemy then compiles each once per dialect.
_SELECT = sa.select(groups).where(groups.c.id == sa.bindparam("id"))
_READ = Statement(_SELECT)
_READ_LOCKED = Statement(_SELECT.with_for_update())
_SWAP = Statement(
    groups.update()
    .where(groups.c.id == sa.bindparam("gid"), groups.c.version == sa.bindparam("old"))
    .values(
        stage=sa.bindparam("stage"),
        version=sa.bindparam("new"),
        head=sa.bindparam("head"),
        definition=sa.bindparam("definition"),
        updated_at=sa.bindparam("now"),
    )
)
_APPEND = Statement(history.insert())
_REMEMBER = Statement(idempotency.insert())
_QUEUE = Statement(
    outbox.insert(), columns=("group_id", "seq", "type", "event", "record", "created_at")
)
_KEY = (idempotency.c.group_id == sa.bindparam("gid")) & (idempotency.c.key == sa.bindparam("key"))
_RECALL = Statement(sa.select(idempotency).where(_KEY))
_FORGET = Statement(idempotency.delete().where(_KEY))


def _head_row(conn: sa.Connection, group_id: str, *, lock: bool = False) -> Any:
    row = (_READ_LOCKED if lock else _READ).one_or_none(conn, {"id": group_id})
    if row is None:
        raise NotFound(group_id)
    return row


def _group(row: Any, heads: Heads, conn: sa.Connection) -> Group:
    """The group of a head row: the one remembered if the row is as written, else checked.

    A head whose order of events is too long a search from the head alone (a custom
    type that loops in ways the search cannot shorten) is checked with its history,
    so that every row the store wrote can be read back.
    """
    group = heads.recall(row)
    if group is None:
        try:
            group = rows.group_from_row(row)
        except InvalidGroupData as error:
            if not rows.undecided(error):
                raise
            found = conn.execute(_whole_history(row.id)).all()
            rows.numbered(found, 1, row.version)
            group = rows.group_from_rows(row, found)
        heads.remember(group, row_key(row))
    return group


def _whole_history(group_id: str) -> sa.Select[Any]:
    return (
        sa.select(history.c.seq, history.c.event, history.c.record)
        .where(history.c.group_id == group_id)
        .order_by(history.c.seq)
    )


def add(conn: sa.Connection, group: Group, settings: Settings, now: float) -> None:
    """Store *group* with its whole history; ``Conflict`` if its id is taken."""
    head, records = rows.split_whole(group)
    try:
        _insert(conn, group, head, records, now)
    except sa.exc.IntegrityError:  # the id is taken: by whom, read after the rollback
        with transaction(conn, write=False):
            taken = _head_row(conn, group.id)
        raise Conflict(group.id, None, taken.version) from None
    settings.heads.remember_written(group, written(group, head, rows.definition_digest(group.type)))


def _insert(
    conn: sa.Connection, group: Group, head: str, records: list[tuple[str, str]], now: float
) -> None:
    with transaction(conn, write=True):  # a taken id fails the insert: add says who took it
        conn.execute(
            groups.insert().values(
                id=group.id,
                type=group.type.name,
                definition=rows.definition_digest(group.type),
                stage=group.stage,
                version=group.version,
                head=head,
                updated_at=now,
            )
        )
        if records:
            conn.execute(
                history.insert(),
                [
                    {"group_id": group.id, "seq": seq, "event": event, "record": record}
                    for seq, (event, record) in enumerate(records, start=1)
                ],
            )


def get(conn: sa.Connection, settings: Settings, group_id: str) -> Group:
    with transaction(conn, write=False):
        return _group(_head_row(conn, group_id), settings.heads, conn)


def fire(conn: sa.Connection, request: Request, settings: Settings, now: float) -> Fired:
    """Read, check, compare-and-set, append: one transaction, all or nothing."""
    with transaction(conn, write=True):
        row = _head_row(conn, request.group_id, lock=True)
        group = _group(row, settings.heads, conn)
        spec = group.type.event(request.event)
        fingerprint = None
        if request.key is not None:
            fingerprint = rows.fingerprint(spec, request.payload, group, request.actor)
            repeat = _repeat(conn, group, request, fingerprint, settings=settings, now=now)
            if repeat is not None:
                return Fired(repeat, None)
        if request.expected_version is not None and group.version != request.expected_version:
            raise Conflict(request.group_id, request.expected_version, group.version)
        old = group.version
        group.fire(request.event, _resolved(conn, group, request, settings), actor=request.actor)
        head, record = rows.split_document(group)
        definition = rows.definition_digest(group.type)
        swapped = {
            "gid": group.id,
            "old": old,
            "stage": group.stage,
            "new": group.version,
            "head": head,
            "definition": definition,
            "now": now,
        }
        if _SWAP.count(conn, swapped) != 1:
            raise LostRace
        seq, event = group.version, request.event
        try:
            _APPEND.count(
                conn, {"group_id": group.id, "seq": seq, "event": event, "record": record}
            )
            if request.key is not None:
                remembered: dict[str, Any] = {"group_id": group.id, "key": request.key}
                remembered |= {"event": event, "fingerprint": fingerprint, "head": head}
                _REMEMBER.count(conn, remembered | {"created_at": now})
        except sa.exc.IntegrityError:
            # Writers to a group take turns on its row, so no event wrote what clashes here.
            raise rows.refuse(
                "history",
                "store.row_exists",
                msg(
                    "store.row_exists",
                    "a history or key row for version {seq} is stored already, past the head: "
                    "a row no event wrote",
                    seq=seq,
                ),
            ) from None
        if settings.outbox:
            queued: dict[str, Any] = {"group_id": group.id, "seq": seq, "event": event}
            queued["type"] = group.type.name
            _QUEUE.count(conn, queued | {"record": record, "created_at": now})
    settings.heads.remember_written(group, written(group, head, definition))  # committed
    return Fired(group, group.history[-1])


def _repeat(  # noqa: PLR0913 -- the request, the group it meets, the store's settings
    conn: sa.Connection,
    group: Group,
    request: Request,
    fingerprint: str,
    *,
    settings: Settings,
    now: float,
) -> Group | None:
    """The outcome of the first call with this key, or ``None`` if this is the first call."""
    key = {"gid": request.group_id, "key": request.key}
    seen = _RECALL.one_or_none(conn, key)
    if seen is None:
        return None
    rows.key_row_sound(seen)
    if seen.created_at < now - settings.idempotency_ttl:  # expired, not yet pruned
        _FORGET.count(conn, key)
        return None
    if seen.fingerprint != fingerprint:
        raise IdempotencyMismatch(request.group_id, str(request.key), seen.event)
    try:
        return rows.outcome_of(seen, group)
    except InvalidGroupData as error:  # a head to check with its history, as _group does
        version = rows.head_version(seen.head) if rows.undecided(error) else None
        if version is None:
            raise
        found = conn.execute(_whole_history(group.id).where(history.c.seq <= version)).all()
        rows.numbered(found, 1, version)
        return rows.outcome_of(seen, group, found)


def _resolved(
    conn: sa.Connection, group: Group, request: Request, settings: Settings
) -> Mapping[str, Any]:
    """The payload with each group reference (a partner's id) replaced by the stored group.

    A reference the store cannot resolve is refused together with every other
    reason the event has, as any refusal lists them all.
    """
    fields = rows.reference_fields(group.type.event(request.event))
    if not fields:
        return request.payload
    payload = dict(request.payload)  # a copy: the request may be tried again
    unresolved: list[Reason] = []
    for name in fields:
        if name not in payload:
            continue  # the event's own check says it is missing
        given = payload[name]
        row = None
        if type(given) is str and rows.could_be_id(given):
            row = _READ.one_or_none(conn, {"id": given})
        if row is not None:  # the group itself, which the event's checks may refuse as such
            payload[name] = _group(row, settings.heads, conn)
        elif type(given) is not str:
            text = msg(
                "store.reference_by_id",
                "{field}: give the stored group's id; the store reads the group itself",
                field=name,
            )
            unresolved.append(Reason("store.reference_by_id", text, name))
        else:
            text = msg(
                "store.reference_unknown",
                "{field}: no stored group has the id {id!r}",
                field=name,
                id=given[:200],
            )
            unresolved.append(Reason("store.reference_unknown", text, name))
    if unresolved:
        named = {r.field for r in unresolved}
        rest = {k: v for k, v in payload.items() if k not in named}
        others = group.why_not(request.event, rest, actor=request.actor)
        others = [r for r in others if r.field not in named]
        raise TransitionNotAllowed(request.event, group.stage, unresolved + others)
    return payload


def history_page(
    conn: sa.Connection, settings: Settings, group_id: str, after: int, limit: int | None
) -> list[HistoryRecord]:
    """Records ``after + 1`` on (at most *limit*); the whole history is checked with its head.

    The head and the records are read as of one moment: a record committed after the
    head was read would be numbered past its version.
    """
    with transaction(conn, write=False, snapshot=True):
        head = _head_row(conn, group_id)
        query = (
            sa.select(history.c.seq, history.c.event, history.c.record)
            .where(history.c.group_id == group_id, history.c.seq > after)
            .order_by(history.c.seq)
        )
        found = conn.execute(query.limit(limit)).all()  # limit(None): no limit
        group = _group(head, settings.heads, conn)  # the head and its columns first
    rows.numbered(found, after + 1, group.version)
    if after == 0 and limit is None:
        whole = load(rows.whole_document(head.head, found))
        return list(whole.history)
    return rows.read_records(group.type, found)


def find(  # noqa: PLR0913, PLR0917 -- the store's settings, then find's four arguments
    conn: sa.Connection,
    settings: Settings,
    type_name: str | None,
    stage: str | None,
    after: str | None,
    limit: int,
) -> list[Group]:
    query = sa.select(groups)
    if type_name is not None:
        query = query.where(groups.c.type == type_name)
    if stage is not None:
        query = query.where(groups.c.stage == stage)
    if after is not None:
        query = query.where(groups.c.id > after)
    with transaction(conn, write=False):
        found = conn.execute(query.order_by(groups.c.id).limit(limit)).all()
        return [_group(row, settings.heads, conn) for row in found]


def prune_keys(conn: sa.Connection, older_than: float, now: float) -> int:
    with transaction(conn, write=True):
        done = conn.execute(idempotency.delete().where(idempotency.c.created_at < now - older_than))
    return done.rowcount


def pending(conn: sa.Connection, limit: int) -> list[rows.OutboxEntry]:
    with transaction(conn, write=False):
        found = conn.execute(sa.select(outbox).order_by(outbox.c.id).limit(limit)).all()
    return [rows.outbox_entry(row) for row in found]


def acknowledge(conn: sa.Connection, ids: list[int]) -> int:
    with transaction(conn, write=True):
        done = conn.execute(outbox.delete().where(outbox.c.id.in_(ids)))
    return done.rowcount


def clock() -> float:
    return time.time()
