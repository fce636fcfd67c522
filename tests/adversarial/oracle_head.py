"""The oracle's rules for a document's head, written from docs/model.md §4.4 (not from kelompok).

``reached``, ``counts`` and ``marks`` against the history when there is one, and
against each other, the stage and the version when there is none.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from strategies import LIVE, MOVES

AFTER: Final = {
    "professional": {
        "open_recruitment": ("adopt_charter",),
        "establish_structure": ("admit",),
        "evaluate": ("record_activity",),
        "collaborate": ("evaluate",),
    },
    "volunteer": {
        "open_recruitment": ("adopt_charter",),
        "establish_structure": ("admit",),
        "evaluate": ("record_activity",),
        "collaborate": ("record_activity",),
    },
}
"""docs/model.md §3.2, the table's *after* column."""

Add = Callable[[str, str], None]


def tally_of(events: Sequence[str]) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """The counts and marks a sequence of events makes (§4.4)."""
    running: collections.Counter[str] = collections.Counter()
    marks: dict[str, dict[str, int]] = {}
    for event in events:
        running[event] += 1
        marks[event] = dict(running)
    return dict(running), {e: marks[e] for e in running}


def retally(doc: dict[str, Any], live: Sequence[str] | None = None) -> None:
    """Set the head's reached, counts and marks to what its history makes (after an edit).

    *live*: the live stages of the document's type, if it is not a built-in one.
    """
    if live is None:
        live = LIVE[doc["type"]] if doc.get("type") in LIVE else LIVE["professional"]
    records = [r for r in doc["history"] if type(r) is dict]
    events = [r.get("event") for r in records if type(r.get("event")) is str]
    doc["counts"], doc["marks"] = tally_of(events)
    ranks = [live.index(r["dest"]) for r in records if r.get("dest") in live]
    doc["reached"] = live[max(ranks, default=0)]


def counter(value: Any, events: Mapping[str, Any]) -> dict[str, int] | None:
    """*value* if it is ``{event: whole number >= 1}``."""
    if type(value) is not dict:
        return None
    if all(type(k) is str and k in events and type(n) is int and n >= 1 for k, n in value.items()):
        return value
    return None


def head_shape(type_name: str, doc: Mapping[str, Any], add: Add) -> bool:
    """Whether reached, counts and marks have the shapes §4.4 gives them."""
    moves = MOVES[type_name]
    ok = True
    if doc["reached"] not in LIVE[type_name]:
        add("reached", "must be a live stage")
        ok = False
    counts = counter(doc["counts"], moves)
    marks = doc["marks"]
    if counts is None:
        add("counts", "must map events to whole numbers >= 1")
        ok = False
    if type(marks) is not dict or any(counter(m, moves) is None for m in marks.values()):
        add("marks", "must map events to counts")
        ok = False
    return ok


def sequence_of(  # noqa: PLR0911 -- one return per rule of §4.4
    counts: dict[str, int], marks: dict[str, dict[str, int]]
) -> list[str] | None:
    """One sequence of events with these counts and marks (§4.4's list), or ``None``."""
    if sum(counts.values()) == 0:
        return [] if not marks else None
    if set(marks) != set(counts):
        return None
    order = sorted(marks, key=lambda e: sum(marks[e].values()))
    sums = [sum(marks[e].values()) for e in order]
    if len(set(sums)) != len(sums) or sums[-1] != sum(counts.values()):
        return None
    events: list[str] = []
    before: dict[str, int] = {}
    earlier: list[str] = []
    for event in order:
        mark = marks[event]
        if any(n > counts.get(x, 0) for x, n in mark.items()):
            return None
        if any(mark.get(x, 0) < n for x, n in before.items()):
            return None
        if mark.get(event) != counts[event] or before.get(event, 0) >= counts[event]:
            return None
        if any(mark.get(x) != counts[x] for x in earlier):
            return None
        # the events between the mark before and this one, this event last
        for x, n in mark.items():
            extra = n - before.get(x, 0) - (1 if x == event else 0)
            events += [x] * extra
        events.append(event)
        before, earlier = mark, [*earlier, event]
    return events


def head_alone(  # noqa: C901 -- one check per rule of §4.4
    type_name: str, doc: Mapping[str, Any], add: Add
) -> tuple[list[str], int] | None:
    """The rules of §4.4 for a head without history.

    A sequence of events it could come from, and the rank of ``reached``;
    ``None`` (and findings) when there is none.
    """
    live = LIVE[type_name]
    counts, marks, stage, version = doc["counts"], doc["marks"], doc["stage"], doc["version"]
    rank = live.index(doc["reached"])
    if sum(counts.values()) != version:
        add("counts", "do not add up to the version")
        return None
    events = sequence_of(counts, marks)
    if events is None:
        add("marks", "are not the marks of any sequence of these counts")
        return None
    if stage in live and live.index(stage) > rank:
        add("reached", "comes before the stage")
    if version == 0 and (stage != live[0] or rank):
        add("stage", "with version 0, the group is in awareness")
    if events:
        last = events[-1]
        if not any((d or s) == stage for s, d in MOVES[type_name][last].items()):
            add("stage", f"the last event {last!r} never ends there")
    for event in counts:
        for needed in AFTER[type_name].get(event, ()):
            if not marks[event].get(needed):
                add("counts", f"{event!r} without {needed!r} before it")
    entered = rank == 0 or any(
        d == live[rank] for e in counts for d in MOVES[type_name][e].values()
    )
    if not entered:
        add("reached", "no event counted leads there")
    if not walks(type_name, marks, stage, rank):
        add("counts", "no order of these events is a walk of the moves ending in the head")
    return events, rank


def walks(  # noqa: C901 -- a search, written out
    type_name: str, marks: Mapping[str, Mapping[str, int]], stage: str, rank: int
) -> bool:
    """§4.4's last rule, by brute force: some order of the events has these marks and is a path.

    One event at a time, a path of the declared moves from awareness that ends in
    *stage* at *rank*.

    The marks cut the events into segments (those between the last of one event and the
    last of the next, which ends the segment); each segment's events are tried in every
    order (with memory of the states seen).
    """
    live, moves, after = LIVE[type_name], MOVES[type_name], AFTER[type_name]
    ends = sorted(marks, key=lambda e: sum(marks[e].values()))
    names = sorted({e for mark in marks.values() for e in mark})
    segments = []
    before: Mapping[str, int] = {}
    for end in ends:
        left = {e: marks[end].get(e, 0) - before.get(e, 0) for e in names}
        left[end] -= 1
        segments.append((end, tuple(left[e] for e in names)))
        before = marks[end]

    def step(event: str, at: str, peak: int, seen: frozenset[str]) -> tuple[str, int] | None:
        if at not in moves[event] or not set(after.get(event, ())) <= seen:
            return None
        dest = moves[event][at] or at
        if dest in live and live.index(dest) > peak:
            return (dest, peak + 1) if live.index(dest) == peak + 1 else None
        return dest, peak

    if not segments:
        return stage == live[0] and rank == 0
    todo = [(0, live[0], 0, segments[0][1], frozenset())]
    visited = set()
    while todo:
        state = todo.pop()
        if state in visited:
            continue
        visited.add(state)
        k, at, peak, left, seen = state
        for i, n in enumerate(left):
            moved = step(names[i], at, peak, seen) if n else None
            if moved is not None:
                rest = (*left[:i], n - 1, *left[i + 1 :])
                todo.append((k, moved[0], moved[1], rest, seen | {names[i]}))
        if not any(left):
            end = segments[k][0]
            moved = step(end, at, peak, seen)
            if moved is None:
                continue
            if k + 1 == len(segments):
                if moved == (stage, rank):
                    return True
                continue
            todo.append((k + 1, moved[0], moved[1], segments[k + 1][1], seen | {end}))
    return False


def history_agrees(
    doc: Mapping[str, Any], events: Sequence[str], peak: int, live: Sequence[str], add: Add
) -> None:
    """With the whole history, the head is exactly what it makes (§4.4)."""
    counts, marks = tally_of(events)
    if doc["counts"] != counts or doc["marks"] != marks:
        add("counts", "differ from what the history counts")
    if doc["reached"] != live[peak]:
        add("reached", f"is {doc['reached']!r}, the history reaches {live[peak]!r}")


def tail_agrees(doc: Mapping[str, Any], events: Sequence[str], add: Add) -> None:
    """With only the latest records, they end with the counts and marks of the head (§4.4)."""
    counts, marks = doc["counts"], doc["marks"]
    later = collections.Counter(events)
    if any(n > counts.get(e, 0) for e, n in later.items()):
        add("history", "holds more of an event than counts")
        return
    running = collections.Counter({e: n - later.get(e, 0) for e, n in counts.items()})
    last = {e: i for i, e in enumerate(events)}
    for i, event in enumerate(events):
        running[event] += 1
        if last[event] == i and marks.get(event) != {e: n for e, n in running.items() if n}:
            add("history", f"the mark of {event!r} is not what the records make")
