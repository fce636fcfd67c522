"""Whether some order of a head's events is a walk of its type's moves ending in the head.

A head without its history states how many times each event was applied
(``counts``) and the counts after the last of each (``marks``); docs/model.md
§4.4. The marks cut the history into *segments*: the events between the last
application of one event and the last of the next, each segment ending with
the event its mark is of. Within a segment the order is unknown. This module
searches for an order of every segment that is a walk of the type's declared
moves from the initial stage: each event allowed where it is applied, stages
first entered in their order (§4.2), every event after the events it comes
``after`` (§4.3), nothing after a terminal stage (§4.5), the walk ending in the
head's stage with the head's stage reached.

Within a segment, the copies of an event applied as an action (it keeps the
stage) can all be applied where the first one was: once an event is placed
somewhere in a segment, its count no longer matters there. A pure action (one
that moves nowhere) is placed at the first stage that allows it; the search
branches only on moves, and on whether an event that also moves is placed. A
loop of moves back to where it started, with nothing else changed, is gone round
again in one step, as often as the counts allow: a group that has gone from
programmed to evaluating and back for years is decided in a few states. Of two
states alike but for what is left of events placed as actions, only the one with
more left is searched: it can do whatever the other can. The states it visits are
bounded: past :data:`BUDGET` it gives up, and ``load`` asks for the history instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final, Literal

if TYPE_CHECKING:
    from kelompok._runtime.engine import Engine

BUDGET: Final = 10_000
"""The most search states one head may cost (the built-in types need a few per stage)."""

POSSIBLE: Final = "possible"
IMPOSSIBLE: Final = "impossible"
UNDECIDED: Final = "undecided"

State = tuple[int, str, int, tuple[int, ...], frozenset[str], frozenset[int]]
"""(segment, stage, rank of the stage reached, what is left of the segment by event, the
events applied so far, the events of the segment placed as actions)"""

_Path = tuple[State, "_Path"] | None
"""The states a search went through to a state, the latest first."""


def walk(
    engine: Engine,
    counts: Mapping[str, int],
    marks: Mapping[str, Mapping[str, int]],
    stage: str,
    peak: int,
) -> str:
    """:data:`POSSIBLE`, :data:`IMPOSSIBLE` or :data:`UNDECIDED` (the budget ran out).

    *counts* and *marks* are consistent already (``tally.read_tally``).
    """
    names = tuple(counts)
    index = {name: i for i, name in enumerate(names)}
    if counts and all(n == 1 for n in counts.values()):
        return _once_each(engine, names, index, marks, stage, peak)
    plain = {event: dict(mark.items()) for event, mark in marks.items()}  # read often below
    ends = sorted(plain, key=lambda event: sum(plain[event].values()))
    segments: list[tuple[int, tuple[int, ...]]] = []  # (event it ends with, what precedes it)
    before: Mapping[str, int] = {}
    for event in ends:
        mark = plain[event]
        left = [mark.get(name, 0) - before.get(name, 0) for name in names]
        left[index[event]] -= 1  # its last application ends the segment
        segments.append((index[event], tuple(left)))
        before = mark
    search = _Search(engine, names, segments, stage, peak)
    initial = engine.group_type.initial
    if not segments:
        return POSSIBLE if stage == initial and peak == 0 else IMPOSSIBLE
    # an event counted twice or more left an application before its segment's end: search
    start: State = (0, initial, 0, segments[0][1], frozenset(), frozenset())
    return search.run(start)


def _once_each(  # noqa: PLR0913, PLR0917 -- walk's arguments, with the events' order
    engine: Engine,
    names: tuple[str, ...],
    index: Mapping[str, int],
    marks: Mapping[str, Mapping[str, int]],
    stage: str,
    peak: int,
) -> str:
    """:func:`walk` of a head whose every event was applied once: their marks give one order.

    Each mark counts its own event and the ones before it, once each, so it holds
    as many events as its place in the order, and each segment is its event alone:
    the walk :meth:`_Search.straight` follows, without working out each segment.
    """
    order = sorted(marks, key=lambda event: len(marks[event]))
    alone = (0,) * len(names)
    segments = [(index[event], alone) for event in order]
    search = _Search(engine, names, segments, stage, peak)
    return search.straight((0, engine.group_type.initial, 0, alone, frozenset(), frozenset()))


def _dominated(state: State, spares: dict[State, list[tuple[int, ...]]]) -> bool:
    """Whether a state the search met had as much left of each placed event, the rest alike.

    An event placed as an action in the segment takes any number of its copies where
    it was placed, so what is left of it only bounds the moves it may still make: more
    left can do whatever less can. Such a state was searched, or will be; this one
    needs no search (and counts for nothing against the budget). Else it is noted.
    """
    k, stage, peak, left, done, placed = state
    if not placed:
        return False
    rest = tuple(0 if i in placed else n for i, n in enumerate(left))
    spare = tuple(left[i] for i in sorted(placed))
    met = spares.setdefault((k, stage, peak, rest, done, placed), [])
    if any(all(a >= b for a, b in zip(other, spare, strict=True)) for other in met):
        return True
    met.append(spare)
    return False


_facts: dict[tuple[int, str], tuple[object, tuple[Mapping[str, str | None], frozenset[str], bool]]]
_facts = {}


def _event_facts(
    engine: Engine, name: str
) -> tuple[Mapping[str, str | None], frozenset[str], bool]:
    """An event's moves, the events it comes after, and whether it moves nowhere (per type)."""
    known = _facts.get((id(engine), name))
    if known is not None and known[0] is engine:
        return known[1]
    moves = engine.events[name].moves
    facts = (
        moves,
        frozenset(engine.events[name].after),
        all((d or s) == s for s, d in moves.items()),
    )
    _facts[id(engine), name] = (engine, facts)
    return facts


class _Search:
    """A depth-first search over the states of :data:`State`, each visited once.

    ``placed`` holds the events of the segment applied as an action somewhere in it
    already: their other copies of the segment can be applied there too, so they are no
    longer counted one by one. A pure action (one that moves nowhere) is placed at the
    first stage that allows it; an event that also moves may be placed, or kept for moves.
    """

    def __init__(
        self,
        engine: Engine,
        names: tuple[str, ...],
        segments: list[tuple[int, tuple[int, ...]]],
        stage: str,
        peak: int,
    ) -> None:
        self.engine, self.names, self.segments = engine, names, segments
        self.stage, self.peak = stage, peak
        facts = [_event_facts(engine, name) for name in names]
        self.moves = [moves for moves, _, _ in facts]
        self.after = [after for _, after, _ in facts]
        self.pure = [pure for _, _, pure in facts]
        self.reach = len(engine.stages) + 1  # the longest loop looked for: once round every stage

    def run(self, start: State) -> str:  # noqa: C901 -- one search, read top to bottom
        seen: set[State] = set()
        spares: dict[State, list[tuple[int, ...]]] = {}
        stack: list[tuple[State, _Path]] = [(start, None)]
        while stack:
            raw, parent = stack.pop()
            state = self._place(raw)
            if state in seen or _dominated(state, spares):
                continue
            if len(seen) >= BUDGET:
                return UNDECIDED
            seen.add(state)
            path = (state, parent)
            k, stage, peak, left, done, placed = state
            if all(n == 0 or i in placed for i, n in enumerate(left)):
                finished = self._finish(state)
                if finished is True:
                    return POSSIBLE
                if isinstance(finished, tuple):
                    stack.append((finished, path))
            for i, n in enumerate(left):
                if not n or self.pure[i] or not self.after[i] <= done:
                    continue
                entered = self._enter(i, stage, peak)
                if entered is None:
                    continue
                rest = (*left[:i], n - 1, *left[i + 1 :])
                name = self.names[i]
                if entered[0] == stage:  # an action here, of an event that moves elsewhere
                    stack.append(((k, stage, peak, rest, done | {name}, placed | {i}), path))
                else:
                    stack.append(((k, entered[0], entered[1], rest, done | {name}, placed), path))
            stack.extend((repeated, path) for repeated in self._repeated(path))
        return IMPOSSIBLE

    def _repeated(self, path: tuple[State, _Path]) -> list[State]:
        """The state of *path* with the loop that led to it gone round again, as often as it can be.

        A loop is the moves since an earlier state of the path that differs only in
        what is left of the segment: the same stage, stage reached, events applied and
        events placed. Going round it again is as allowed as the first time, from
        the same stage with the same facts, so the search need not step through the
        thousands of rounds a group that goes evaluating and developing for years
        makes (a long run of them would use up the budget). The most rounds come last,
        to be tried first; a few less each before them, for the moves left to end the
        segment where it ends.
        """
        state, parent = path
        k, stage, peak, left, done, placed = state
        for _ in range(self.reach):
            if parent is None:
                break
            earlier, parent = parent
            if earlier[1] == stage and earlier[:3] == state[:3] and earlier[4:] == state[4:]:
                loop = [was - now for was, now in zip(earlier[3], left, strict=True)]
                most = min(n // used for n, used in zip(left, loop, strict=True) if used)
                return [
                    (
                        k,
                        stage,
                        peak,
                        tuple(n - rounds * used for n, used in zip(left, loop, strict=True)),
                        done,
                        placed,
                    )
                    for rounds in range(max(1, most - self.reach), most + 1)
                ]
        return []

    def straight(self, start: State) -> str:
        """:meth:`run` when every segment is its last event alone: one order, nothing to search.

        Each event was applied once since the mark before it (a group's first
        steps through its stages), so the walk is the events in the order of their
        marks, and :meth:`run` would visit exactly these states.
        """
        state: State | Literal[True] | None = start
        visited = 0
        while isinstance(state, tuple):
            if visited >= BUDGET:  # as run counts them: one state per segment here
                return UNDECIDED
            visited += 1
            state = self._finish(state)
        return POSSIBLE if state is True else IMPOSSIBLE

    def _enter(self, i: int, stage: str, peak: int) -> tuple[str, int] | None:
        """Where event *i* leads from *stage*, and the rank reached then; ``None`` if nowhere."""
        moves = self.moves[i]
        if stage not in moves:
            return None
        dest = moves[stage] or stage
        rank = self.engine.order.get(dest)
        if rank is None or rank <= peak:
            return dest, peak
        return (dest, rank) if rank == peak + 1 else None

    def _place(self, state: State) -> State:
        """*state* with every pure action the stage allows placed (as its ``after`` allows)."""
        k, stage, peak, left, done, placed = state
        changed = True
        while changed:
            changed = False
            for i, n in enumerate(left):
                if (
                    n
                    and self.pure[i]
                    and i not in placed
                    and stage in self.moves[i]
                    and self.after[i] <= done
                ):
                    done |= {self.names[i]}
                    placed |= {i}
                    changed = True
        return k, stage, peak, left, done, placed

    def _finish(self, state: State) -> State | Literal[True] | None:
        """The segment's last event applied: the next segment's start.

        At the last segment, ``True`` if the walk ends as the head says, else ``None``.
        """
        k, stage, peak, _, done, _ = state
        last, _ = self.segments[k]
        if not self.after[last] <= done:
            return None
        entered = self._enter(last, stage, peak)
        if entered is None:
            return None
        dest, reached = entered
        done |= {self.names[last]}
        if k + 1 == len(self.segments):
            return True if dest == self.stage and reached == self.peak else None
        return k + 1, dest, reached, self.segments[k + 1][1], done, frozenset()
