"""Rows in and out: a group from its head row (checked), records from history rows (checked).

Nothing read from the database is trusted: a head row is loaded as a head
document, with every check ``kelompok.load`` makes, and must agree with its own
columns; history rows are read as records, each a declared step from the one
before, numbered without a gap (docs/storing.md, "What is checked on read").
"""

from __future__ import annotations

import hashlib
import json
import typing
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs

from kelompok._base.errors import InvalidGroupData, InvalidValue, UsageError
from kelompok._base.scalars import exact_group_id
from kelompok._base.text import Reason, msg
from kelompok._codec.document import record_document
from kelompok._codec.history import read_history
from kelompok._codec.json_bytes import codec, decode_document
from kelompok._codec.loader import Loader
from kelompok._data.convert import converter, structure_or_reasons
from kelompok._data.exact import reachable
from kelompok._definition.parts import Event
from kelompok._formation.values import PartnerRef
from kelompok._runtime.group import Group
from kelompok._runtime.history import HistoryRecord
from kelompok._types.group_type import GroupType, checked_load

_WHAT: Final = "Cannot read this stored group"

REFERENCES: Final[tuple[type[Any], ...]] = (PartnerRef,)
"""Payload field types that name another group: through the store, given as its id."""


def refuse(field: str, code: str, text: Any) -> InvalidGroupData:
    """The error for a stored row that fails a check: *code* and *text* at *field*."""
    return InvalidGroupData(_WHAT, [Reason(code, text, field)])


def group_from_row(row: Any) -> Group:
    """The group of a head row; ``InvalidGroupData`` if the head or its columns are not sound.

    Every check, every time: not :data:`kelompok.known_documents`, which trusts what
    this process made in memory (the store's own :mod:`~kelompok.store._heads` knows
    what loading its rows gives).
    """
    return _agrees(checked_load(decode_document(row.head)), row)


def undecided(error: InvalidGroupData) -> bool:
    """Whether *error* refused a head only because its walk needs the history (model.md §4.4)."""
    return bool(error.problems) and all(
        _key_of(p.text) == "document.head_undecided" for p in error.problems
    )


def _key_of(text: object) -> str | None:
    """The catalog key of a message, under the field it may be said at (``at_field``)."""
    if getattr(text, "key", None) == "at_field":
        text = dict(getattr(text, "params", ())).get("text")
    return getattr(text, "key", None)


def group_from_rows(row: Any, found: Sequence[Any]) -> Group:
    """The group of a head row checked with every history row (*found*, numbered already).

    For a head whose order of events is too long a search from the head alone: the
    history shows it. The group handed out holds no records, as one read from its
    head alone.
    """
    group = _agrees(checked_load(whole_document(row.head, found)), row)
    return group._copy_of(group._state()._replace(length=0))  # noqa: SLF001 -- as read from a head


def _agrees(group: Group, row: Any) -> Group:
    """*group*, if the columns of *row* agree with it; else ``InvalidGroupData``."""
    found = {"id": group.id, "type": group.type.name, "stage": group.stage}
    found["version"] = group.version  # type: ignore[assignment]
    for column, value in found.items():
        if getattr(row, column) != value:
            raise refuse(
                column,
                "store.row_differs",
                msg(
                    "store.row_differs",
                    "the row's {column} column is {stored!r} but its head says {value!r}",
                    column=column,
                    stored=getattr(row, column),
                    value=value,
                ),
            )
    return group


def split_document(group: Group) -> tuple[str, str]:
    """The JSON texts of *group*'s head and of its last record, for one event's two rows."""
    head = group.to_dict(history=False)
    record = record_document(group.history[-1], shared=True)  # encoded at once, never handed out
    return codec.encode(head).decode(), codec.encode(record).decode()


def split_whole(group: Group) -> tuple[str, list[tuple[str, str]]]:
    """The JSON text of *group*'s head, and the event and JSON text of each of its records.

    *group* holds its whole history (``add`` refuses any other), so its document has
    no ``history_from``.
    """
    document = group.to_dict()
    records = document.pop("history")
    encode = codec.encode
    return encode(document).decode(), [(r["event"], encode(r).decode()) for r in records]


def numbered(found: Sequence[Any], first: int, version: int) -> None:
    """Refuse history rows not numbered *first*, *first* + 1, ... up to *version* at most."""
    for offset, row in enumerate(found):
        seq = row.seq
        if type(seq) is not int or seq != first + offset or seq > version:
            at = f"history[{first + offset}]"
            raise refuse(
                at,
                "store.history_gap",
                msg(
                    "store.history_numbers",
                    "history record {position} is numbered {seq!r}: the records are not "
                    "numbered 1, 2, ... up to the group's version {version}",
                    position=first + offset,
                    seq=seq,
                    version=version,
                ),
            )


def read_records(gt: GroupType[Any], found: Sequence[Any]) -> list[HistoryRecord]:
    """The records of a page of (numbered) history rows, each checked against the one before.

    A page of a history cannot be checked against the events before it; each
    record is checked for its form, for being a declared step of the type, and
    for starting where the one before it ended.
    """
    raw = [_record_json(row) for row in found]
    ld = Loader()
    top = max(gt._engine.order.values())  # noqa: SLF001 -- the stage order is not checked on a page
    seen = frozenset(gt._engine.events)  # noqa: SLF001
    first = found[0].seq - 1 if found else 0  # named as in the whole history: record 1 at 0
    records, _ = read_history(ld, gt, raw, peak=top, seen=seen, first=first)
    if ld.problems:
        raise InvalidGroupData(_WHAT, ld.problems)
    return records


def _record_json(row: Any) -> Any:
    try:  # a column SQLite let hold a number is refused as text that is not JSON is
        value = codec.decode(row.record)
    except (ValueError, TypeError, RecursionError, UnicodeError):
        value = None
    if type(value) is not dict or value.get("event") != row.event:
        at = f"history[{row.seq}]"
        raise refuse(
            at,
            "store.record_unreadable",
            msg(
                "store.record_unreadable",
                "history record {seq} is not a record of its event {event!r}",
                seq=row.seq,
                event=row.event,
            ),
        )
    return value


def whole_document(head: str, found: Sequence[Any]) -> dict[str, Any]:
    """The document of a head (checked already) and every history record, to load together."""
    document: dict[str, Any] = codec.decode(head)
    document["history"] = [_record_json(row) for row in found]
    return document


def key_row_sound(row: Any) -> None:
    """An idempotency row's columns must have their types; its head is checked when used."""
    kinds = (("fingerprint", str), ("event", str), ("head", str))
    when = row.created_at
    if any(type(getattr(row, name)) is not kind for name, kind in kinds) or (
        type(when) not in (int, float)
    ):
        raise refuse(
            "idempotency",
            "store.key_row",
            msg("store.key_row", "the idempotency row of key {given!r} is damaged", given=row.key),
        )


def head_version(head: str) -> int | None:
    """The version a head's text states, if it is a whole number (checked when loaded)."""
    try:
        version = codec.decode(head).get("version")
    except Exception:  # noqa: BLE001 -- not JSON: loading it says so
        return None
    return version if type(version) is int and version >= 0 else None


def outcome_of(row: Any, group: Group, found: Sequence[Any] | None = None) -> Group:
    """The group an idempotency row kept: an earlier version of *group*, or refused.

    With *found* (its history rows, numbered), the head is checked with its history.
    """
    if found is None:
        kept = checked_load(decode_document(row.head))
    else:
        whole = checked_load(whole_document(row.head, found))
        kept = whole._copy_of(whole._state()._replace(length=0))  # noqa: SLF001
    if kept.id != group.id or kept.type is not group.type or kept.version > group.version:
        raise refuse(
            "idempotency",
            "store.key_row",
            msg("store.key_row", "the idempotency row of key {given!r} is damaged", given=row.key),
        )
    return kept


@attrs.frozen
class OutboxEntry:
    """A committed event waiting for a worker (a store opened with ``outbox=True``).

    Attributes:
        id: the entry's number; acknowledge it with ``store.acknowledge(entry.id)``.
        group_id: the group the event was fired on.
        seq: the version the event made (a delivery key, with ``group_id``).
        type: the group's type.
        event: the event.
        record: the history record, as JSON text.
    """

    id: int
    group_id: str
    seq: int
    type: str
    event: str
    record: str


def outbox_entry(row: Any) -> OutboxEntry:
    """An outbox row as an entry, its columns and its record checked."""
    kinds = (("id", int), ("group_id", str), ("seq", int), ("type", str), ("event", str))
    if any(type(getattr(row, name)) is not kind for name, kind in kinds):
        raise refuse(
            "outbox",
            "store.outbox_row",
            msg("store.outbox_row", "outbox entry {id!r} is damaged", id=row.id),
        )
    _record_json(row)
    return OutboxEntry(row.id, row.group_id, row.seq, row.type, row.event, row.record)


def could_be_id(value: str) -> bool:
    """Whether *value* could be a stored group's id (every one is a valid group id)."""
    try:
        exact_group_id(value)
    except InvalidValue:
        return False
    return True


_digests: dict[str, tuple[GroupType[Any], str]] = {}


def definition_digest(gt: GroupType[Any]) -> str:
    """A digest of what *gt* defines (stages, moves, checks, data and payload schemas)."""
    known = _digests.get(gt.name)
    if known is not None and known[0] is gt:
        return known[1]
    outline = {
        "name": gt.name,
        "schema": gt.json_schema(),
        "stages": [[s.name, s.terminal] for s in gt.stages],
        "events": [
            [e.name, dict(e.moves), [r.code for r in e.requires], list(e.after), e.back]
            for e in gt.events
        ],
        "invariants": [i.code for i in gt.invariants],
    }
    if gt.policy is not None:  # a type without one keeps the digest it always had
        outline["roles"] = [[r.name, r.since] for r in gt.roles]
        outline["policy"] = gt.policy.as_dict()
    # Plain JSON throughout: json_schema() shows only the defaults JSON can hold.
    text = json.dumps(outline, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(text.encode()).hexdigest()[:32]
    _digests[gt.name] = (gt, digest)
    return digest


def fingerprint(
    spec: Event, payload: Mapping[str, Any], group: Group | None = None, actor: str | None = None
) -> str:
    """A digest of an event and its payload, in the form the event reads it.

    The payload is structured as the event structures it, so a ``Member`` and
    the dict of its fields, or dicts in another order, are one request. A
    payload the event refuses (or that cannot be written down, too deep, say)
    is taken as given: such a call is refused, and a refused call records no key.
    For a *group* whose type has a policy, the actor is part of the request: the
    same key from another actor is another request, not a repeat.
    """
    plain: Any = payload
    if spec.payload is not None:
        value, problems = structure_or_reasons(payload, spec.payload, code="payload")
        if not problems:
            plain = converter.unstructure(value)
    try:
        governed = group is not None and group.type.policy is not None
        text = json.dumps(
            [spec.name, converter.unstructure(plain), *([actor] if governed else [])],
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            default=repr,
        )
    except (RecursionError, ValueError, TypeError):
        text = f"[{spec.name!r}, unreadable]"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


_fields: dict[int, tuple[Event, tuple[str, ...]]] = {}


def reference_fields(spec: Event) -> tuple[str, ...]:
    """The payload fields of *spec* that name another group (``collaborate``'s ``partner``)."""
    known = _fields.get(id(spec))
    if known is not None and known[0] is spec:
        return known[1]
    hints = typing.get_type_hints(spec.payload) if spec.payload is not None else {}
    names = tuple(name for name, kind in hints.items() if kind in REFERENCES)
    inside = [name for name, kind in hints.items() if kind not in REFERENCES and _holds_one(kind)]
    if inside:  # a caller would describe that group itself, and the store cannot check it
        msg = (
            f"the store reads another group only for a payload field typed exactly PartnerRef; "
            f"{spec.name!r} has {', '.join(map(repr, inside))}, which holds one inside "
            "(Optional, a tuple, a class): type it PartnerRef, or fire it on a group of your own"
        )
        raise UsageError(msg)
    _fields[id(spec)] = (spec, names)
    return names


def _holds_one(annotation: Any) -> bool:
    """Whether *annotation* holds a group reference anywhere inside it."""
    return any(current in REFERENCES for current in reachable(annotation))
