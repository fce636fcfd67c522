"""History records, and the read-only view of a group's history."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterator, Sequence
from typing import Any, Protocol, overload

import attrs

from kelompok._base.text import Text
from kelompok._data.json import copy_json


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
        label: the event's label, to read in a language (``record.label("id")``).
    """

    event: str
    source: str
    dest: str
    at: dt.datetime
    _payload: dict[str, Any]
    actor: str | None = None
    _at_text: str = attrs.field(default="", eq=False, repr=False)
    label: Text = attrs.field(default=Text(""), eq=False, repr=False)

    def at_text(self) -> str:
        """``at`` in ISO 8601, as documents store it (made once, not per ``to_dict``)."""
        return self._at_text or self.at.isoformat()

    @property
    def payload(self) -> dict[str, Any]:
        """The validated payload in its JSON form: a copy, so the history stays as it was."""
        copied: dict[str, Any] = copy_json(self._payload)
        return copied

    # A record is shared by every view of a history: whatever a caller may take from it
    # (a copy, a pickle, its state) gets its own copy of the payload.

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            HistoryRecord,
            (
                self.event,
                self.source,
                self.dest,
                self.at,
                self.payload,
                self.actor,
                self._at_text,
                self.label,
            ),
        )

    def __getstate__(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "source": self.source,
            "dest": self.dest,
            "at": self.at,
            "_payload": self.payload,
            "actor": self.actor,
            "_at_text": self._at_text,
            "label": self.label,
        }

    def to_json(self, lang: object = "en") -> dict[str, Any]:
        """The record as a JSON-ready dict, with its event's label in *lang*."""
        return {
            "event": self.event,
            "label": self.label(lang),
            "source": self.source,
            "dest": self.dest,
            "at": self.at_text(),
            "payload": self.payload,
            "actor": self.actor,
        }

    def __copy__(self) -> HistoryRecord:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> HistoryRecord:
        return self


class _Undoable(Protocol):
    undone: bool


class History(Sequence[HistoryRecord]):
    """A read-only view of a group's history as it was when the view was taken.

    No copy is made: a group's records are only appended to, so the first
    ``len(view)`` records never change. A view taken by a listener includes the
    event being applied; if that event is undone, the view loses its record.
    """

    __slots__ = ("_full", "_records", "_tentative")

    def __init__(
        self, records: list[HistoryRecord], length: int, tentative: _Undoable | None = None
    ) -> None:
        self._records = records
        self._full = length
        self._tentative = tentative

    @property
    def _length(self) -> int:
        tentative = self._tentative
        return self._full - 1 if tentative is not None and tentative.undone else self._full

    @overload
    def __getitem__(self, index: int) -> HistoryRecord: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[HistoryRecord]: ...
    def __getitem__(self, index: int | slice) -> HistoryRecord | Sequence[HistoryRecord]:
        length = self._length
        if isinstance(index, slice):
            return self._records[:length][index]
        if type(index) is not int:
            index = operator.index(index)
        if not -length <= index < length:
            shown = index if -(10**18) < index < 10**18 else "out of any range"
            msg = f"history index {shown} out of range (the history has {length} records)"
            raise IndexError(msg)
        return self._records[index % length]

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[HistoryRecord]:
        return iter(self._records[: self._length])

    def __repr__(self) -> str:
        return f"History({self._records[: self._length]!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        """Copy or pickle as a list of the records: the group's own list is never handed out."""
        return (list, (self._records[: self._length],))

    def __getstate__(self) -> list[HistoryRecord]:
        return self._records[: self._length]
