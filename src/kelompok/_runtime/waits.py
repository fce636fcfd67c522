"""Circles of waits between groups: found before they can hang two threads.

A listener may fire on another group while its own group is held. Two such
listeners in two threads would each wait for the other's group forever
(docs/guarantees.md, promise 2).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kelompok._base.errors import GroupBusy

if TYPE_CHECKING:
    from kelompok._runtime.group import Group

waiting: dict[int, Group] = {}
"""thread id -> the group that thread is about to wait for (in fire, why_not, next_steps)."""


def refuse_a_deadlock(group: Group, what: str, me: int) -> None:
    """Raise :class:`GroupBusy` if waiting for *group* would close a circle of waits.

    A listener may fire on another group while its own group is held. Two such
    listeners in two threads would each wait for the other's group forever. Each
    thread says what it waits for before it waits, then follows who holds that,
    what they wait for, and so on: the thread that closes the circle last sees it
    (when both look at the same moment, both do).
    """
    waiting[me] = group
    holder, seen = holder_of(group), set()
    while holder and holder not in seen:
        if holder == me:
            del waiting[me]
            raise GroupBusy(what, group._id)  # noqa: SLF001
        seen.add(holder)
        waits_for = waiting.get(holder)
        holder = holder_of(waits_for) if waits_for is not None else 0


def holder_of(group: Group) -> int:
    """The thread applying an event on *group*, or 0.

    ``_owner`` may be out of date if an interrupt skipped its reset: a lock
    that can be taken at once is held by nobody.
    """
    owner = group._owner  # noqa: SLF001
    if owner and group._lock.acquire(blocking=False):  # noqa: SLF001
        group._lock.release()  # noqa: SLF001
        return 0 if not group._lock._is_owned() else owner  # type: ignore[attr-defined]  # noqa: SLF001
    return owner
