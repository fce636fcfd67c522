"""The running group: its stage, data and history, and the events fired on it."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import attrs

from kelompok._compat import Self
from kelompok._convert import converter, structure_or_reasons
from kelompok._errors import ReentrantFire, StageUnreachable, TransitionNotAllowed, UsageError
from kelompok._graph import shortest_path
from kelompok._history import History, HistoryRecord
from kelompok._text import Reason
from kelompok._values import PartnerRef

if TYPE_CHECKING:
    from kelompok._definition import Event, GroupType

Listener = Callable[["Group", HistoryRecord], None]
"""Called after every applied event as ``listener(group, record)``; if it raises,
the event is undone and the exception propagates."""


@attrs.frozen
class NextStep:
    """An event the group may take now, and what still stands in its way.

    Attributes:
        event: the event's name.
        en: its English label.
        id: its Indonesian label.
        dest: the stage it leads to (the current one for an action).
        unmet: requirements about the group that are not met yet; the event
            cannot be fired until they are, whatever the payload.
        fields: the payload fields the event takes.
    """

    event: str
    en: str
    id: str
    dest: str
    unmet: tuple[Reason, ...]
    fields: tuple[str, ...]

    @property
    def ready(self) -> bool:
        """True when only the payload's own requirements remain."""
        return not self.unmet


def _stage_reason(group: Group, event: Event) -> Reason:
    stage = group.type.stage(group.stage)
    if stage.terminal:
        return Reason(
            "stage.not_allowed",
            f"The group is {stage.en.lower()} ({group.stage!r}): no event is allowed any more.",
            f"Kelompok sudah {stage.id.lower()} ({group.stage!r}): tidak ada tindakan yang "
            "diperbolehkan lagi.",
        )
    where = ", ".join(event.moves)
    now = ", ".join(group.available_events()) or "-"
    return Reason(
        "stage.not_allowed",
        f"{event.name!r} is not allowed in stage {group.stage!r} ({stage.en}); it is allowed in: "
        f"{where}. Allowed now: {now}.",
        f"{event.name!r} tidak diperbolehkan pada tahap {group.stage!r} ({stage.id}); hanya pada: "
        f"{where}. Yang diperbolehkan sekarang: {now}.",
    )


def _order_reason(group: Group, event: Event) -> Reason:
    dest = str(event.moves[group.stage])
    skipped = [
        s.name
        for s in group.type.stages
        if not s.terminal
        and not group.reached(s.name)
        and (group.type.order(s.name) or 0) < (group.type.order(dest) or 0)
    ]
    return Reason(
        "stage.order",
        f"{event.name!r} would enter {dest!r} before {', '.join(skipped)}, which come first "
        "in this group type's order.",
        f"{event.name!r} akan memasuki {dest!r} sebelum {', '.join(skipped)}, yang harus "
        "dilalui lebih dahulu.",
    )


def _optional_text(value: object) -> bool:
    return value is None or isinstance(value, str)


def _no_payload_reasons(payload: Mapping[str, Any]) -> list[Reason]:
    return [
        Reason(
            "payload.unknown_field",
            f"{key}: unknown field; this event takes no payload",
            f"{key}: isian tidak dikenal; kejadian ini tidak memerlukan isian",
            key,
        )
        for key in payload
    ]


class Group:
    """A group of some :class:`~kelompok.GroupType`, at some stage of its formation.

    Create one with ``group_type.create(...)`` or rebuild one with
    :func:`kelompok.load`; change it only by firing events.

    A group may be shared between threads: events are applied one at a time, and
    readers (``stage``, ``data``, ``to_dict()``, ...) wait while an event is being
    applied, so no thread ever sees an event that its listeners later undo.

    Reading takes no lock unless an event is being applied: ``_seq`` is even
    when none is and odd while one is, and a reader that sees it odd, or changed
    while it read, reads again under the lock (a sequence lock). Readers are
    called far more often than ``fire``: requirements and invariants read
    ``data`` dozens of times per event and per ``load``.
    """

    __slots__ = (
        "__weakref__",
        "_created_at",
        "_data",
        "_founding",
        "_history",
        "_id",
        "_listeners",
        "_lock",
        "_peak",
        "_seq",
        "_stage",
        "_type",
        "_version",
    )

    _type: GroupType[Any]
    _id: str
    _created_at: dt.datetime
    _stage: str
    _version: int
    _data: Any
    _founding: Any
    _history: list[HistoryRecord]
    _peak: int
    _listeners: tuple[Listener, ...]
    _lock: threading.RLock
    _seq: int

    def __init__(self) -> None:
        msg = (
            f"{type(self).__name__} is not created directly: use group_type.create(...) "
            "for a new group or kelompok.load(document) for a stored one."
        )
        raise UsageError(msg)

    @classmethod
    def _build(  # noqa: PLR0913 -- the whole state, spelled out once
        cls,
        *,
        group_type: GroupType[Any],
        group_id: str,
        created_at: dt.datetime,
        stage: str,
        version: int,
        data: Any,
        history: list[HistoryRecord],
        peak: int,
        founding: Any,
    ) -> Self:
        self = object.__new__(cls)
        self._founding = founding
        self._type = group_type
        self._id = group_id
        self._created_at = created_at
        self._stage = stage
        self._version = version
        self._data = data
        self._history = history
        self._peak = peak
        self._listeners = ()
        self._lock = threading.RLock()
        self._seq = 0
        return self

    # -- reading ------------------------------------------------------------------

    @property
    def id(self) -> str:
        """The group's unique id."""
        return self._id

    @property
    def type(self) -> GroupType[Self]:
        """The group's :class:`~kelompok.GroupType`."""
        return self._type

    @property
    def stage(self) -> str:
        """The name of the current stage (read-only: fire events to change it)."""
        seq, stage = self._seq, self._stage
        if seq & 1 or seq != self._seq:
            with self._lock:
                return self._stage
        return stage

    @property
    def version(self) -> int:
        """How many events were applied; use it for optimistic locking in a store."""
        seq, version = self._seq, self._version
        if seq & 1 or seq != self._seq:
            with self._lock:
                return self._version
        return version

    @property
    def created_at(self) -> dt.datetime:
        """When the group was created (aware, UTC)."""
        return self._created_at

    @property
    def founding(self) -> Any:
        """The arguments the group was created with (an instance of the type's founding class)."""
        return self._founding

    @property
    def data(self) -> Any:
        """The group's data, an instance of the type's frozen data class."""
        seq, data = self._seq, self._data
        if seq & 1 or seq != self._seq:
            with self._lock:
                return self._data
        return data

    @property
    def history(self) -> Sequence[HistoryRecord]:
        """Every applied event, oldest first (a read-only view)."""
        seq, view = self._seq, History(self._history)
        if seq & 1 or seq != self._seq:
            with self._lock:
                return History(self._history)
        return view

    def reached(self, stage: str) -> bool:
        """Whether the group has ever been in *stage* (it may have moved on since)."""
        order = self._type.order(stage)
        if order is None:
            return self._stage == stage
        return order <= self._peak

    def available_events(self) -> list[str]:
        """Names of the events the current stage allows (requirements not checked)."""
        with self._lock:
            return list(self._type.events_from(self._stage))

    def why_not(self, event: str, /, **payload: Any) -> list[Reason]:
        """Every reason *event* with *payload* would be refused now; ``[]`` if it would apply.

        Raises:
            UnknownEvent: the group's type has no such event.
        """
        spec = self._type.event(event)
        with self._lock:
            return self._check(spec, payload)[1]

    def can(self, event: str, /, **payload: Any) -> bool:
        """Whether *event* with *payload* would be applied now."""
        return not self.why_not(event, **payload)

    def path_to(self, stage: str) -> list[str]:
        """The shortest list of events that leads from the current stage to *stage*.

        Along the declared stage graph; requirements are not considered. ``[]``
        when the group is in *stage* already.

        Raises:
            StageUnreachable: *stage* is unknown, or no declared path leads there
                (for example from a terminal stage).
        """
        engine = self._type._engine  # noqa: SLF001
        if stage not in engine.stages:
            why = (
                f"{self._type.name!r} has no such stage; its stages are {', '.join(engine.stages)}"
            )
            raise StageUnreachable(stage, self._stage, why)
        path = shortest_path(engine.edges, self._stage, stage)
        if path is None:
            why = (
                f"{self._stage!r} is terminal"
                if engine.stages[self._stage].terminal
                else "the declared events never lead there from here"
            )
            raise StageUnreachable(stage, self._stage, why)
        return path

    def next_steps(self) -> list[NextStep]:
        """The events allowed now, each with the requirements about the group still unmet.

        What a bot shows for "what should we do next?": requirements that depend
        on the payload are checked when the event is fired; the ones listed in
        ``unmet`` say what must happen first.
        """
        steps = []
        for name in self._type.events_from(self._stage):
            event = self._type.event(name)
            unmet = tuple(
                req.reason()
                for req in event.requires
                if (event.payload is None or not req.needs_payload) and not req.check(self, None)
            )
            fields = tuple(f.name for f in attrs.fields(event.payload)) if event.payload else ()
            dest = event.moves[self._stage] or self._stage
            steps.append(NextStep(name, event.en, event.id, dest, unmet, fields))
        return steps

    # -- changing -----------------------------------------------------------------

    def fire(self, event: str, /, actor: str | None = None, **payload: Any) -> Self:
        """Apply *event* with *payload*, or raise and leave the group exactly as it was.

        Args:
            event: the event's name.
            actor: who fires it; stored in the history record.
            **payload: the event's payload fields.

        Returns:
            The group itself, so calls can be chained.

        Raises:
            UnknownEvent: the group's type has no such event.
            TransitionNotAllowed: the stage, the payload or a requirement refuses
                it; ``.reasons`` lists every one.
            ReentrantFire: fired from a listener of an event on this same group.
        """
        spec = self._type.event(event)
        if not _optional_text(actor):
            msg = f"actor must be a str or None, got {type(actor).__name__} {actor!r}"
            raise UsageError(msg)
        listeners = self._type._engine.listeners + self._listeners  # noqa: SLF001
        return self._fire(spec, actor, payload, None, listeners)

    def _fire(
        self,
        spec: Event,
        actor: str | None,
        payload: Mapping[str, Any],
        at: dt.datetime | None,
        listeners: tuple[Listener, ...],
    ) -> Self:
        """Check and apply one event; *at* is given only when replaying a history."""
        with self._lock:
            if self._seq & 1:
                raise ReentrantFire(spec.name, self._id)
            obj, reasons = self._check(spec, payload)
            if reasons:
                raise TransitionNotAllowed(spec.name, self._stage, reasons)
            source, version, data, peak = self._stage, self._version, self._data, self._peak
            size = len(self._history)
            self._seq += 1  # odd: readers in other threads wait for the lock from here on
            try:
                if spec.effect is not None:
                    self._data = spec.effect(self, obj)
                self._type._engine.move(self, spec.name)  # noqa: SLF001
                moment = at or dt.datetime.now(dt.timezone.utc)
                record = HistoryRecord(
                    spec.name,
                    source,
                    self._stage,
                    moment,
                    converter.unstructure(obj) if obj is not None else {},
                    actor,
                    moment.isoformat(),
                )
                self._history.append(record)
                self._version = version + 1
                rank = self._type._engine.order.get(self._stage)  # noqa: SLF001
                if rank is not None and rank > peak:
                    self._peak = rank
                for listener in listeners:
                    listener(self, record)
            except BaseException:
                self._stage, self._version, self._data, self._peak = source, version, data, peak
                del self._history[size:]
                raise
            finally:
                self._seq += 1  # even again, and never an earlier value: readers can tell
        return self

    def subscribe(self, listener: Callable[[Self, HistoryRecord], None]) -> Callable[[], None]:
        """Call *listener(group, record)* after every event applied to this group.

        A listener that raises undoes the event. It runs while the group is
        locked: it may read the group, but must not wait for another thread that
        reads it (that thread waits for the event to finish). Returns a function
        that unsubscribes it.
        """
        with self._lock:
            self._listeners = (*self._listeners, cast("Listener", listener))

        def unsubscribe() -> None:
            with self._lock:
                self._listeners = tuple(x for x in self._listeners if x is not listener)

        return unsubscribe

    # -- other forms --------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The group as a JSON-ready dict; :func:`kelompok.load` rebuilds it.

        The document is remembered (see :class:`kelompok.KnownDocuments`), so
        loading it again in this process skips the checks.
        """
        from kelompok._document import dump_and_remember  # noqa: PLC0415 -- circular at import

        with self._lock:
            return dump_and_remember(self)

    def as_partner_ref(self) -> PartnerRef:
        """This group as a collaboration partner of another group."""
        return PartnerRef(id=self._id, name=self._name(), type=self._type.name, stage=self._stage)

    def _name(self) -> str:
        name = getattr(self._data, "name", None)
        return name if isinstance(name, str) and name.strip() else self._id

    def _check(self, spec: Event, payload: Mapping[str, Any]) -> tuple[Any, list[Reason]]:
        reasons: list[Reason] = []
        if self._stage not in spec.moves:
            reasons.append(_stage_reason(self, spec))
        else:
            order = self._type.order(spec.moves[self._stage] or self._stage)
            if order is not None and order > self._peak + 1:
                reasons.append(_order_reason(self, spec))
        if spec.payload is None:
            obj = None
            reasons += _no_payload_reasons(payload)
        else:
            obj, problems = structure_or_reasons(payload, spec.payload, code="payload")
            reasons += problems
        if reasons:
            return obj, reasons
        return obj, [req.reason() for req in spec.requires if not req.check(self, obj)]

    def __copy__(self) -> Self:
        """An independent group with the same state (and no listeners)."""
        with self._lock:
            return type(self)._build(  # noqa: SLF001 -- our own class
                group_type=self._type,
                group_id=self._id,
                created_at=self._created_at,
                stage=self._stage,
                version=self._version,
                data=self._data,  # immutable: safe to share
                history=list(self._history),  # records are immutable: a new list suffices
                peak=self._peak,
                founding=self._founding,
            )

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        return self.__copy__()

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the document: unpickling loads it (its type must be registered)."""
        from kelompok._document import load  # noqa: PLC0415 -- circular at import time

        return (load, (self.to_dict(),))

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self._type.name} {self._name()!r} id={self._id!r} "
            f"stage={self._stage!r} version={self._version}>"
        )
