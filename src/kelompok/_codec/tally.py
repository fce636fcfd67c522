"""The head's tally: how many times each event was applied, and the counts after the last of each.

A document's head holds what the checks of a group need besides its data
(docs/model.md §5): the stage, the highest stage reached, and the event counts.
``counts`` is ``{event: times applied}``; ``marks`` is, for every event applied,
the counts as they were right after its last application, so that
``event_count(x, since=y)`` is ``counts[x] - marks[y][x]``. Both have a size
bounded by the type's events, never by the length of the history.

A tally read from a head is checked to be one that some sequence of events has
(:func:`read_tally`); with the history present, it must be the history's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kelompok._base.frozen import FrozenMap, own_frozen
from kelompok._base.text import msg
from kelompok._data.explain import exact_text_or_description

if TYPE_CHECKING:
    from kelompok._codec.loader import Loader

Tally = tuple[FrozenMap[str, int], FrozenMap[str, FrozenMap[str, int]]]


def tally_json(counts: FrozenMap[str, int], marks: FrozenMap[str, FrozenMap[str, int]]) -> Any:
    """The tally's document form: ``counts`` and ``marks`` as plain dicts."""
    return counts.to_dict(), {event: mark.to_dict() for event, mark in marks.items()}


def _counter(ld: Loader, raw: Any, where: str, events: Mapping[str, Any]) -> dict[str, int] | None:
    """*raw* as ``{event: count >= 1}``, or ``None`` (and a problem) when it is not one."""
    if type(raw) is not dict:
        ld.fail(where, msg("document.tally_object", "must be an object of event counts"))
        return None
    for key, value in raw.items():
        if type(key) is not str or key not in events:
            ld.fail(
                where,
                msg(
                    "document.tally_event",
                    "counts {event!r}, which is not an event",
                    event=exact_text_or_description(key),
                ),
            )
            return None
        if type(value) is not int or not 1 <= value < 2**63:
            ld.fail(
                f"{where}.{key}",
                msg("document.tally_count", "must be a whole number >= 1 (an event applied)"),
            )
            return None
    return raw


def tally_shape(ld: Loader, raw_counts: Any, raw_marks: Any, events: Any) -> bool:
    """Whether the head's ``counts`` and ``marks`` are event counts (a problem for each not)."""
    before = len(ld.problems)
    _counter(ld, raw_counts, "counts", events)
    if type(raw_marks) is not dict:
        ld.fail("marks", msg("document.tally_marks", "must be an object of event counts by event"))
        return False
    for event, raw in raw_marks.items():
        if type(event) is not str or event not in events:
            shown = exact_text_or_description(event)
            text = msg(
                "document.tally_event", "counts {event!r}, which is not an event", event=shown
            )
            ld.fail("marks", text)
            continue
        _counter(ld, raw, f"marks.{event}", events)
    return len(ld.problems) == before


def read_tally(ld: Loader, raw_counts: Any, raw_marks: Any, version: int, events: Any) -> Tally:
    """The head's ``counts`` and ``marks``, checked to be those of some sequence of events.

    The counts add up to *version*; every event counted has a mark; the marks,
    ordered by the version they were taken at, only grow, and each counts all
    of its event and of every event whose last application came before.
    """
    if not tally_shape(ld, raw_counts, raw_marks, events):
        return FrozenMap(), FrozenMap()
    counts: dict[str, int] = raw_counts
    marks = {event: dict(mark) for event, mark in raw_marks.items()}  # plain: read often below
    if sum(counts.values()) != version:
        ld.fail(
            "version",
            msg(
                "document.tally_sum",
                "is {version} but the event counts add up to {total}",
                total=sum(counts.values()),
                version=version,
            ),
            "document.version",
        )
    elif marks.keys() != counts.keys() or not _consistent(counts, marks):
        ld.fail(
            "marks",
            msg(
                "document.tally_inconsistent",
                "are not the counts after the last of each event of the counts given",
            ),
        )
    return own_frozen(dict(counts)), own_frozen({e: own_frozen(m) for e, m in marks.items()})


def _consistent(counts: dict[str, int], marks: dict[str, dict[str, int]]) -> bool:
    """Whether *marks* are the counts right after the last of each event, for some sequence.

    Ordered by their sums (the version each was taken at), the marks differ in their
    sums, only grow, and the last is *counts* itself; each counts all of its own event,
    and more of it than the mark before. (So each is at most *counts*, and counts all of
    every event whose mark came before.) The caller has seen that *marks* and *counts*
    have the same keys and that the counts add up to the version: the last mark, being
    *counts*, was taken at that version.
    """
    at = {event: sum(mark.values()) for event, mark in marks.items()}
    order = sorted(marks, key=at.__getitem__)
    if not order:  # no event applied (and no count, as the keys are the same)
        return True
    if len(set(at.values())) != len(at) or marks[order[-1]] != counts:
        return False
    previous: Mapping[str, int] = {}
    for event in order:
        mark = marks[event]
        if mark.get(event) != counts[event] or previous.get(event, 0) >= counts[event]:
            return False
        if any(mark.get(x, 0) < n for x, n in previous.items()):
            return False
        previous = mark
    return True
