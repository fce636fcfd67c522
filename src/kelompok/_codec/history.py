"""Reading a document's history: each record a declared step from where the last one ended.

Along the way the stages must first be entered in their order and every event
must come after the events it is declared ``after``; one broken record gives
one problem, and the reading goes on from where it claims to end.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from kelompok._base.scalars import describe
from kelompok._base.text import Message, msg
from kelompok._codec.loader import Loader, valid_text
from kelompok._data.convert import written
from kelompok._data.json import NotJSON, copy_json
from kelompok._runtime.history import HistoryRecord

RECORD_KEYS: Final = ("event", "source", "dest", "at", "payload", "actor")
RECORD_KEYSET: Final = frozenset(RECORD_KEYS)


def _past_refused(engine: Any, rec: dict[str, Any], stage: str, applied: set[str]) -> str:
    """Where the reading goes on after refused record *rec*: where it claims to end.

    The event it names counts as applied, so one bad record gives one problem.
    """
    dest, event = rec["dest"], rec["event"]
    if type(event) is str and event in engine.events:
        applied.add(event)
    return dest if type(dest) is str and dest in engine.stages else stage


def read_history(  # noqa: PLR0913 -- the records, then where they sit in a history
    ld: Loader,
    gt: Any,
    raw: Any,
    *,
    peak: int = 0,
    seen: frozenset[str] | None = None,
    first: int = 0,
) -> tuple[list[HistoryRecord], int]:
    """The records of *raw*, each checked against the one before, and the highest stage rank.

    By default *raw* is a whole history, from the initial stage. With *seen* (the
    events applied before it), it is the tail of one: it starts where its first
    record says, with the stages up to rank *peak* reached already. Problems name
    each record by its place in the whole history, the first of *raw* at *first*.
    """
    if type(raw) is not list:
        ld.fail("history", msg("document.list", "must be a list"))
        return [], peak
    records: list[HistoryRecord] = []
    engine = gt._engine  # noqa: SLF001
    stage = gt.initial if seen is None else _first_source(gt, raw)
    applied = set(seen or ())
    for i, rec in enumerate(raw, first):
        before = len(ld.problems)
        if type(rec) is not dict:
            ld.fail(f"history[{i}]", msg("document.mapping_dict", "must be a mapping (dict)"))
            continue
        if rec.keys() != RECORD_KEYSET:
            ld.keys(rec, RECORD_KEYS, f"history[{i}].")
            continue
        record = _written(engine, rec, stage) or _record(ld, gt, i, rec, stage)
        if record is None:
            stage = _past_refused(engine, rec, stage, applied)
            continue
        rank = gt._engine.order.get(record.dest)  # noqa: SLF001
        if rank is not None and rank > peak:
            if rank != peak + 1:
                ld.fail(
                    f"history[{i}]",
                    msg(
                        "document.enters_before_stages_that",
                        "enters {dest!r} before the stages that come before it",
                        dest=record.dest,
                    ),
                    "document.history",
                )
            peak = rank
        stage = record.dest
        missing = [e for e in gt._engine.events[record.event].after if e not in applied]  # noqa: SLF001
        if missing:
            ld.fail(
                f"history[{i}]",
                msg(
                    "document.comes_before_any_which",
                    "{event!r} comes before any {missing!r}, which must come first",
                    event=record.event,
                    missing=missing[0],
                ),
                "document.history",
            )
        applied.add(record.event)
        if len(ld.problems) == before:
            records.append(record)
    return records, peak


def _first_source(gt: Any, raw: list[Any]) -> str:
    """Where a tail of a history starts: where its first record says (checked from there on)."""
    first = raw[0] if raw else None
    source = first.get("source") if type(first) is dict else None
    return source if type(source) is str else gt.initial


def _json_object(value: Any) -> tuple[dict[str, Any] | None, Message | None]:
    """A copy of *value* if it is a strict JSON object, else ``None`` and why not."""
    if type(value) is not dict:
        return None, msg("document.not_object", "got {shown}", shown=describe(value))
    try:
        copied: dict[str, Any] = copy_json(value, check=True)
    except NotJSON as exc:
        return None, exc.text
    return copied, None


def _written(engine: Any, rec: dict[str, Any], stage: str) -> HistoryRecord | None:
    """The record *rec*, if it is one as ``to_dict`` writes it that follows *stage*; else ``None``.

    The checks of :func:`_record`, in one pass for the usual record: exact texts of
    ASCII, the time in the form ``to_dict`` writes, a payload of strict JSON. Anything
    else, valid or not, is left to :func:`_record`, which says what is wrong.
    """
    name, source, dest, text, actor = (
        rec["event"],
        rec["source"],
        rec["dest"],
        rec["at"],
        rec["actor"],
    )
    if (
        type(name) is not str
        or type(source) is not str
        or source != stage
        or type(dest) is not str
        or type(text) is not str
        or not written(text)
        or (actor is not None and (type(actor) is not str or not actor.isascii()))
        or type(rec["payload"]) is not dict
    ):
        return None
    event = engine.events.get(name)
    if event is None:
        return None
    moves = event.moves
    if source not in moves or (moves[source] or source) != dest:
        return None
    try:
        at = dt.datetime.fromisoformat(text)
        payload = copy_json(rec["payload"], check=True)
    except ValueError:  # a field out of range, or NotJSON
        return None
    if at.tzinfo is not dt.timezone.utc:  # pragma: no cover -- +00:00 reads as UTC
        return None
    canonical = text if text[19:26] != ".000000" else ""
    return HistoryRecord(name, source, dest, at, payload, actor, canonical, event.label)


def _record(ld: Loader, gt: Any, i: int, rec: dict[str, Any], stage: str) -> HistoryRecord | None:
    """One history record, checked against the step before it; ``None`` when it is broken."""
    name, source, dest, actor = rec["event"], rec["source"], rec["dest"], rec["actor"]
    event = gt._engine.events.get(name) if type(name) is str else None  # noqa: SLF001
    if event is None:
        ld.fail(
            f"history[{i}].event",
            msg(
                "document.not_event",
                "{name_shown} is not an event of {name!r}",
                name_shown=describe(name),
                name=gt.name,
            ),
        )
        return None
    if type(source) is not str or source != stage:
        ld.fail(
            f"history[{i}].source",
            msg(
                "document.but_previous_step_ended",
                "is {source_shown} but the previous step ended in {stage!r}",
                source_shown=describe(source),
                stage=stage,
            ),
            "document.history",
        )
        return None
    leads_there = type(dest) is str and (event.moves.get(source, dest) or source) == dest
    if source not in event.moves or not leads_there:
        ld.fail(
            f"history[{i}]",
            msg(
                "document.does_not_lead_group",
                "{name!r} does not lead from {source!r} to {dest_shown} in a {name2} group",
                name=name,
                source=source,
                dest_shown=describe(dest),
                name2=gt.name,
            ),
            "document.history",
        )
        return None
    text = rec["at"]
    at = ld.moment(text, f"history[{i}].at")
    payload, why = _json_object(rec["payload"])
    if payload is None:
        ld.fail(
            f"history[{i}].payload",
            msg("document.json_object", "must be a JSON object ({why})", why=why),
        )
    if actor is not None and not valid_text(actor):
        ld.fail(
            f"history[{i}].actor",
            msg("document.valid_text_null", "must be valid text or null"),
        )
    if at is None:
        return None
    # kept as read only when it is what to_dict would write (isoformat() of a UTC time: no
    # fraction when there are no microseconds, else six digits), so documents round-trip
    canonical = text if type(text) is str and written(text) and text[19:26] != ".000000" else ""
    if payload is None:
        return None
    return HistoryRecord(name, source, dest, at, payload, actor, canonical, event.label)
