"""A group's state: one immutable value, so that it changes in one step.

Everything a reader needs is in one object: a reader takes one reference and
reads a consistent state from it, and ``fire`` changes a group with single
assignments (docs/guarantees.md, promises 2 and 3).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from kelompok._base.frozen import FrozenMap, own_frozen

if TYPE_CHECKING:
    from kelompok._runtime.history import HistoryRecord


class State(NamedTuple):
    """One committed (or tentative) state of a group; never changed once made.

    Everything a reader needs is in one object, so a reader takes one reference
    and reads a consistent state from it, and ``fire`` changes a group with one
    assignment: an exception or a signal arriving anywhere leaves either the
    old state or the new one, never a mix.
    """

    stage: str
    version: int
    data: Any
    peak: int
    history: list[HistoryRecord]  # shared by every state of the group; only appended to
    length: int  # how many of its records this state has
    counts: FrozenMap[str, int]  # how many times each event was applied
    marks: FrozenMap[str, FrozenMap[str, int]]  # event -> the counts right after its last one
    start: int = 0  # the version before the first record held: 0 when the whole history is


class Tentative:
    """An event being applied: its listeners see ``new``, every other thread ``base``."""

    __slots__ = ("base", "new", "undone")

    def __init__(self, base: State, new: State) -> None:
        self.base = base
        self.new = new
        self.undone = False


def count_events(
    history: Sequence[HistoryRecord],
) -> tuple[FrozenMap[str, int], FrozenMap[str, FrozenMap[str, int]]]:
    """The event counts of *history*, and the counts right after each event's last record."""
    last = {record.event: i for i, record in enumerate(history)}
    running: dict[str, int] = {}
    marks: dict[str, FrozenMap[str, int]] = {}
    for i, record in enumerate(history):
        event = record.event
        running[event] = running.get(event, 0) + 1
        if last[event] == i:
            marks[event] = own_frozen(running.copy())
    return own_frozen(running), own_frozen(marks)
