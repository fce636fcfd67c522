"""History records, and the read-only view of a group's history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any, overload

import attrs

from kelompok._convert import copy_json


@attrs.frozen
class HistoryRecord:
    """One applied event.

    Attributes:
        event: the event's name.
        source: the stage before.
        dest: the stage after (equal to ``source`` for an action).
        at: when it was applied, an aware UTC datetime.
        payload: the validated payload in its JSON form.
        actor: who fired it, as given to ``fire(..., actor=...)``.
    """

    event: str
    source: str
    dest: str
    at: dt.datetime
    _payload: dict[str, Any]
    actor: str | None = None
    _at_text: str = attrs.field(default="", eq=False, repr=False)

    def at_text(self) -> str:
        """``at`` in ISO 8601, as documents store it (made once, not per ``to_dict``)."""
        return self._at_text or self.at.isoformat()

    @property
    def payload(self) -> dict[str, Any]:
        """The validated payload in its JSON form: a copy, so the history stays as it was."""
        copied: dict[str, Any] = copy_json(self._payload)
        return copied


class History(Sequence[HistoryRecord]):
    """A read-only view of a group's history as it was when the view was taken.

    No copy is made: a group's history only ever grows (an undone event is
    removed before anyone else can see it), so the first ``len(view)`` records
    never change.
    """

    __slots__ = ("_length", "_records")

    def __init__(self, records: list[HistoryRecord]) -> None:
        self._records = records
        self._length = len(records)

    @overload
    def __getitem__(self, index: int) -> HistoryRecord: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[HistoryRecord]: ...
    def __getitem__(self, index: int | slice) -> HistoryRecord | Sequence[HistoryRecord]:
        if isinstance(index, slice):
            return self._records[: self._length][index]
        if not -self._length <= index < self._length:
            msg = f"history index {index} out of range (the history has {self._length} records)"
            raise IndexError(msg)
        return self._records[index % self._length]

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[HistoryRecord]:
        return iter(self._records[: self._length])

    def __repr__(self) -> str:
        return f"History({self._records[: self._length]!r})"
