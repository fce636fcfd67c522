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

from kelompok._base.errors import InvalidGroupData
from kelompok._base.text import Reason, msg
from kelompok._codec.history import read_history
from kelompok._codec.json_bytes import codec
from kelompok._codec.loader import Loader
from kelompok._data.convert import converter
from kelompok._definition.parts import Event
from kelompok._formation.values import PartnerRef
from kelompok._runtime.group import Group
from kelompok._runtime.history import HistoryRecord
from kelompok._types.group_type import GroupType, load_json

_WHAT: Final = "Cannot read this stored group"

REFERENCES: Final[tuple[type[Any], ...]] = (PartnerRef,)
"""Payload field types that name another group: through the store, given as its id."""


def refuse(field: str, code: str, text: Any) -> InvalidGroupData:
    """The error for a stored row that fails a check: *code* and *text* at *field*."""
    return InvalidGroupData(_WHAT, [Reason(code, text, field)])


def group_from_row(row: Any) -> Group:
    """The group of a head row; ``InvalidGroupData`` if the head or its columns are not sound."""
    group = load_json(row.head)
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
    document = group.to_dict()
    record = document.pop("history")[-1]
    document.pop("history_from", None)
    return codec.encode(document).decode(), codec.encode(record).decode()


def split_whole(group: Group) -> tuple[str, list[tuple[str, str]]]:
    """The JSON text of *group*'s head, and the event and JSON text of each of its records."""
    document = group.to_dict()
    records = document.pop("history")
    document.pop("history_from", None)
    encode = codec.encode
    return encode(document).decode(), [(r["event"], encode(r).decode()) for r in records]


def read_records(gt: GroupType[Any], rows: Sequence[Any], first: int) -> list[HistoryRecord]:
    """The records of history rows numbered from *first*, each checked against the one before.

    A page of a history cannot be checked against the events before it; each
    record is checked for its form, for being a declared step of the type, and
    for starting where the one before it ended.
    """
    for offset, row in enumerate(rows):
        if row.seq != first + offset:
            at = f"history[{row.seq}]"
            raise refuse(
                at,
                "store.history_gap",
                msg(
                    "store.history_gap",
                    "history record {seq} follows record {before}: records are missing",
                    seq=row.seq,
                    before=first + offset - 1,
                ),
            )
    raw = [_record_json(row) for row in rows]
    ld = Loader()
    top = max(gt._engine.order.values())  # noqa: SLF001 -- the stage order is not checked on a page
    records, _ = read_history(ld, gt, raw, peak=top, seen=frozenset(gt._engine.events))  # noqa: SLF001
    if ld.problems:
        raise InvalidGroupData(_WHAT, ld.problems)
    return records


def _record_json(row: Any) -> Any:
    try:
        value = codec.decode(row.record)
    except (ValueError, RecursionError, UnicodeError):
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


def whole_document(head: str, rows: Sequence[Any]) -> dict[str, Any]:
    """The document of a head and every history record, for a load that checks them together."""
    document: dict[str, Any] = codec.decode(head)
    document["history"] = [_record_json(row) for row in rows]
    return document


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
    text = json.dumps(outline, sort_keys=True, separators=(",", ":"), default=str)
    digest = hashlib.sha256(text.encode()).hexdigest()[:32]
    _digests[gt.name] = (gt, digest)
    return digest


def fingerprint(event: str, payload: Mapping[str, Any]) -> str:
    """A digest of an event and its payload, whatever form the payload's values take.

    A ``Member`` and the dict of its fields give one fingerprint. A payload that
    cannot be written down (too deep, say) gets a fixed one: such a payload is
    always refused, and a refused call records no key.
    """
    try:
        plain = converter.unstructure(dict(payload))
        text = json.dumps(
            [event, plain], sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
        )
    except (RecursionError, ValueError, TypeError):
        text = f"[{event!r}, unreadable]"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


_fields: dict[int, tuple[Event, tuple[str, ...]]] = {}


def reference_fields(spec: Event) -> tuple[str, ...]:
    """The payload fields of *spec* that name another group (``collaborate``'s ``partner``)."""
    known = _fields.get(id(spec))
    if known is not None and known[0] is spec:
        return known[1]
    hints = typing.get_type_hints(spec.payload) if spec.payload is not None else {}
    names = tuple(name for name, kind in hints.items() if kind in REFERENCES)
    _fields[id(spec)] = (spec, names)
    return names
