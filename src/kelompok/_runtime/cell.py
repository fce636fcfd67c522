"""A group's state cell: one reference that readers take without a lock, changed under it.

:class:`kelompok.Group` keeps its whole state in one immutable value
(:class:`~kelompok._runtime.state.State`) and changes it by single assignments
of ``_cell``: to a tentative state while an event's listeners run, then to the
new one, or back (docs/guarantees.md, promises 2 and 3). This is the part that
decides which state a thread sees, and that takes the lock for the readers that
must see one state throughout (requirement checks).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from kelompok._runtime.state import State, Tentative
from kelompok._runtime.waits import refuse_a_deadlock, waiting

T = TypeVar("T")


class Cell:
    """The state of a group, and the lock its events and requirement checks take."""

    __slots__ = ("_cell", "_lock", "_owner")

    _cell: State | Tentative
    _lock: threading.RLock
    _owner: int  # the thread applying an event, while one is

    def _state(self) -> State:
        """The state this thread may see: the committed one, or inside its own event the new one."""
        cell = self._cell
        if type(cell) is State:
            return cell
        # The lock is held while the cell is tentative only by the fire() that made
        # it (why_not and next_steps settle a stale one first): holding it means
        # "inside my own event".
        return cell.new if self._lock._is_owned() else cell.base  # type: ignore[attr-defined,union-attr]  # noqa: SLF001

    def _locked(self, what: str, work: Callable[[State], T]) -> T:
        """``work(state)`` with the lock held: requirement checks read one state throughout.

        *what* names the call in a :class:`GroupBusy`, if waiting would never end.
        """
        inside = self._lock._is_owned()  # type: ignore[attr-defined]  # noqa: SLF001
        me = self._may_wait(what, inside)
        with self._lock:
            waiting.pop(me, None)
            previous, self._owner = self._owner, me
            try:
                return work(self._locked_state(inside))
            finally:
                self._owner = previous

    def _may_wait(self, what: str, inside: bool) -> int:  # noqa: FBT001
        """This thread's id, once it is known that waiting for the lock closes no circle."""
        me = threading.get_ident()
        if not inside and self._owner and self._owner != me:
            refuse_a_deadlock(self, what, me)  # type: ignore[arg-type]  # a Cell is a Group's
        return me

    def _locked_state(self, inside: bool) -> State:  # noqa: FBT001
        """The state a requirement check reads, with this group's lock held.

        *inside* says whether this thread held the lock before: then it is inside
        its own event (a listener asks), and sees that event. Otherwise no event
        can be in flight, and a tentative state is one an interrupted undo left.
        """
        return self._state() if inside else self._settle()

    def _settle(self) -> State:
        """The committed state, with what an interrupted undo left behind cleared away."""
        cell = self._cell
        if type(cell) is not State:
            cell.undone = True  # type: ignore[union-attr]
            cell = cell.base  # type: ignore[union-attr]
            self._cell = cell
        if len(cell.history) != cell.length:
            del cell.history[cell.length :]
        return cell
