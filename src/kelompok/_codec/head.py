"""Reading a document's head, and the history that may come with it (docs/model.md §5).

The head (type, id, stage, version, the stage reached, the event tally, the
founding arguments, the data) is enough to rebuild and check a group. A
document may hold its whole history after the head, only its latest records
(``history_from``: how many came before), or none. What the head alone shows
is checked always: the stage against the stage reached and against the last
event applied, the tally against the version and the events' declared order.
With the whole history, the head must be exactly what the history makes; with
its latest records, those must follow each other and end in the head.
"""

from __future__ import annotations

import collections
from typing import TYPE_CHECKING, Any

from kelompok._base.frozen import FrozenMap
from kelompok._base.scalars import describe
from kelompok._base.text import msg
from kelompok._codec.history import read_history
from kelompok._codec.tally import Tally, read_tally, tally_json, tally_shape
from kelompok._codec.walk import IMPOSSIBLE, UNDECIDED, walk
from kelompok._runtime.state import count_events

if TYPE_CHECKING:
    from kelompok._codec.loader import Loader
    from kelompok._runtime.engine import Engine
    from kelompok._runtime.history import HistoryRecord


def read_head(
    ld: Loader, gt: Any, document: Any, stage: Any, version: Any
) -> tuple[list[HistoryRecord], int, Tally]:
    """The history a schema 2 document holds, the rank of the stage reached, and the tally."""
    engine: Engine = gt._engine  # noqa: SLF001
    sound = (
        type(stage) is str
        and stage in engine.stages
        and type(version) is int
        and 0 <= version < 2**63
    )
    peak = _reached(ld, engine, document["reached"])
    if not sound:  # refused already; the rest is read against a sound stage and version
        return [], peak, (FrozenMap(), FrozenMap())
    if "history" in document and "history_from" not in document:
        return _whole(ld, gt, document, stage, version, peak)
    tally = read_tally(ld, document["counts"], document["marks"], version, engine.events)
    if "history" not in document:
        if "history_from" in document:
            text = msg("document.from_without_history", "is given without a history")
            ld.fail("history_from", text)
        history: list[HistoryRecord] = []
    else:
        history = _tail(ld, gt, document, stage, version, peak, tally)
    if not ld.problems:
        _head_agrees(ld, engine, stage, version, peak, tally)
    if not ld.problems:
        _walk_exists(ld, engine, stage, peak, tally)
    return history, peak, tally


def _walk_exists(ld: Loader, engine: Engine, stage: str, peak: int, tally: Tally) -> None:
    """Some order of the head's events is a walk of the declared moves that ends here (§4.4)."""
    found = walk(engine, tally[0], tally[1], stage, peak)
    if found == IMPOSSIBLE:
        ld.fail(
            "counts",
            msg(
                "document.head_impossible",
                "no order of these events is a path of the type's moves that ends in "
                "{stage!r} having reached {reached!r}",
                stage=stage,
                reached=engine.live[peak],
            ),
            "document.history",
        )
    elif found == UNDECIDED:
        ld.fail(
            "counts",
            msg(
                "document.head_undecided",
                "are too many moves to check from the head alone: load the document with "
                "its history",
            ),
            "document.history",
        )


def _whole(  # noqa: PLR0913, PLR0917 -- the head's fields that the history must make
    ld: Loader, gt: Any, document: Any, stage: str, version: int, peak: int
) -> tuple[list[HistoryRecord], int, Tally]:
    """The whole history, and the tally it makes, which must be the head's exactly."""
    shaped = tally_shape(ld, document["counts"], document["marks"], gt._engine.events)  # noqa: SLF001
    history, reached = read_history(ld, gt, document["history"])
    made = count_events(history)
    if ld.problems:
        return history, peak, made
    agree(ld, history[-1].dest if history else gt.initial, stage, len(history), version)
    if shaped and tally_json(*made) != (document["counts"], document["marks"]):
        ld.fail(
            "counts",
            msg("document.tally_differs", "counts and marks differ from what the history holds"),
            "document.history",
        )
    if reached != peak:
        ld.fail(
            "reached",
            msg("document.reached_differs", "is not the highest stage the history reaches"),
            "document.history",
        )
    return history, peak, made


def _reached(ld: Loader, engine: Engine, raw: Any) -> int:
    rank = engine.order.get(raw) if type(raw) is str else None
    if rank is None:
        ld.fail(
            "reached",
            msg("document.not_live_stage", "must be a stage of the type that is not terminal"),
        )
        return 0
    return rank


def _tail(  # noqa: PLR0913, PLR0917 -- the head's fields that the history must agree with
    ld: Loader, gt: Any, document: Any, stage: str, version: int, peak: int, tally: Tally
) -> list[HistoryRecord]:
    """The records after the head, checked to make (or, for a tail, to end in) that head."""
    before = len(ld.problems)
    start = document["history_from"]
    if type(start) is not int or not 1 <= start <= version:
        ld.fail(
            "history_from",
            msg("document.history_from", "must be a whole number from 1 to the version"),
        )
        return []
    counts = tally[0]
    raw = document["history"]
    later = (
        collections.Counter(e for r in raw if type(r) is dict and type(e := r.get("event")) is str)
        if type(raw) is list
        else collections.Counter()
    )
    applied = frozenset(e for e, n in counts.items() if n > later.get(e, 0))
    history, reached = read_history(ld, gt, raw, peak=peak, seen=applied)
    if len(ld.problems) > before:
        return history
    agree(ld, history[-1].dest if history else stage, stage, start + len(history), version)
    if not _tail_agrees(tally, history):
        ld.fail(
            "history",
            msg(
                "document.tail_differs",
                "the records after history_from do not agree with counts and marks",
            ),
            "document.history",
        )
    elif history:
        _tail_start(ld, gt._engine, tally, history, (start, peak))  # noqa: SLF001
    if reached != peak:
        ld.fail(
            "reached",
            msg(
                "document.reached_differs",
                "is not the highest stage the history reaches",
            ),
            "document.history",
        )
    return history


def _tail_start(
    ld: Loader,
    engine: Engine,
    tally: Tally,
    history: list[HistoryRecord],
    where: tuple[int, int],
) -> None:
    """The first of the latest records starts where the event applied before it can end.

    That event is the one whose mark was taken at ``history_from`` (its last
    application); when no mark was, it is applied again in the records, so it is
    one of theirs that the head counts more of. And the group must have entered that
    stage: it is the first stage, or one that an event applied before moves into, and
    not one after the stage reached (docs/model.md §4.4).
    """
    start, peak = where  # history_from, and the rank of the stage reached
    counts, marks = tally
    later = collections.Counter(r.event for r in history)
    applied = [e for e, n in counts.items() if n > later.get(e, 0)]  # before the records
    last = [e for e, mark in marks.items() if sum(mark.values()) == start]
    before = last or [e for e in applied if later.get(e)]
    source = history[0].source
    moves = engine.events
    ends_there = any(
        (dest or left) == source for e in before for left, dest in moves[e].moves.items()
    )
    rank = engine.order.get(source)
    entered = (rank is None or rank <= peak) and (
        source == engine.group_type.initial
        or any(dest == source for e in applied for dest in moves[e].moves.values())
    )
    if not (ends_there and entered):
        ld.fail(
            "history[0].source",
            msg(
                "document.tail_source",
                "is {source!r}, but no event applied before the records can end there",
                source=source,
            ),
            "document.history",
        )


def _tail_agrees(tally: Tally, history: list[HistoryRecord]) -> bool:
    """Whether the counts and marks of the head are those the latest *history* ends in."""
    counts, marks = tally
    later = collections.Counter(r.event for r in history)
    if any(n > counts.get(e, 0) for e, n in later.items()):
        return False  # more of an event than the head counts
    running = collections.Counter({e: n - later.get(e, 0) for e, n in counts.items()})
    last = {r.event: i for i, r in enumerate(history)}
    for i, record in enumerate(history):
        running[record.event] += 1
        if last[record.event] == i and marks.get(record.event) != +running:
            return False
    return True


def _head_agrees(  # noqa: PLR0913, PLR0917 -- the head's fields, read already
    ld: Loader, engine: Engine, stage: str, version: int, peak: int, tally: Tally
) -> None:
    """What the head alone shows: the stage, the stage reached and the tally fit together."""
    counts, marks = tally
    rank = engine.order.get(stage)
    if (rank is not None and rank > peak) or (version == 0 and peak != 0):
        ld.fail(
            "reached",
            msg(
                "document.reached_before_stage",
                "is {reached!r}, which comes before the stage {stage!r}",
                reached=engine.live[peak],
                stage=stage,
            ),
            "document.stage",
        )
        return
    if not marks:
        if stage != engine.group_type.initial:
            agree(ld, engine.group_type.initial, stage, 0, version)
        return
    last = max(marks, key=lambda e: sum(marks[e].values()))
    if not any((dest or source) == stage for source, dest in engine.events[last].moves.items()):
        ld.fail(
            "stage",
            msg(
                "document.last_event_elsewhere",
                "is {stage!r}, but the last event applied, {event!r}, never ends there",
                stage=stage,
                event=last,
            ),
            "document.stage",
        )
    for event in counts:
        missing = [e for e in engine.events[event].after if not marks[event].get(e)]
        if missing:
            ld.fail(
                "counts",
                msg(
                    "document.counted_before_after",
                    "{event!r} was applied, but not after {missing!r}, which must come first",
                    event=event,
                    missing=missing[0],
                ),
                "document.history",
            )
    entered = peak == 0 or any(
        dest == engine.live[peak] for e in counts for dest in engine.events[e].moves.values()
    )
    if not entered:
        ld.fail(
            "reached",
            msg(
                "document.reached_unentered",
                "is {reached!r}, but no event applied leads there",
                reached=engine.live[peak],
            ),
            "document.stage",
        )


def agree(ld: Loader, end: str, stage: str, events: int, version: int) -> None:
    """The stage and version a document states against where its history ends and its length."""
    if end != stage:
        ld.fail(
            "stage",
            msg(
                "document.but_history_ends",
                "is {stage!r} but the history ends in {end!r}",
                stage=stage,
                end=end,
            ),
            "document.stage",
        )
    if version != events:
        ld.fail(
            "version",
            msg(
                "document.but_history_holds_events",
                "is {version_shown} but the history holds {events} events",
                version_shown=describe(version),
                events=events,
            ),
            "document.version",
        )
