"""The running group: its stage, data and history, and the events fired on it."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from kelompok._base.compat import Self
from kelompok._base.errors import ReentrantFire, UsageError
from kelompok._base.frozen import FrozenMap
from kelompok._base.text import Reason
from kelompok._definition.parts import check_listener
from kelompok._runtime.checks import check_invariants, event_reasons, payload_of
from kelompok._runtime.forms import Forms
from kelompok._runtime.history import History, HistoryRecord
from kelompok._runtime.outcome import outcome
from kelompok._runtime.permission import checked_actor, permitted, roles_of
from kelompok._runtime.state import State, Tentative, count_events
from kelompok._runtime.steps import NextStep, next_steps, path_to, status
from kelompok._runtime.waits import waiting

if TYPE_CHECKING:
    from kelompok._definition.parts import Event
    from kelompok._types.group_type import GroupType


T = TypeVar("T")

Listener = Callable[["Group", HistoryRecord], None]
"""Called after every applied event as ``listener(group, record)``; if it raises,
the event is undone and the exception propagates."""


class Group(Forms):
    """A group of some :class:`~kelompok.GroupType`, at some stage of its formation.

    Create one with ``group_type.create(...)`` or rebuild one with
    :func:`kelompok.load`; change it only by firing events.

    A group may be shared between threads. Events are applied one at a time.
    Readers never wait and never see an event that is still being applied: until
    its listeners have all returned, other threads read the state before it, and
    if a listener raises, the event never happened for them. Requirement checks
    (``why_not``, ``can``, ``next_steps``) wait for an event in flight, so they
    read one state throughout.
    """

    __slots__ = (
        "__weakref__",
        "_created_at",
        "_founding",
        "_id",
        "_listeners",
        "_type",
    )

    _type: GroupType[Any]
    _id: str
    _created_at: dt.datetime
    _founding: Any
    _listeners: tuple[Listener, ...]

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
        tally: tuple[FrozenMap[str, int], FrozenMap[str, FrozenMap[str, int]]] | None = None,
    ) -> Self:
        """A group in this state.

        *history* holds its records after the first ``version - len(history)``
        (all of them, unless it was loaded from a head), and *tally* its event
        counts (counted from *history* when not given).
        """
        counts, marks = tally if tally is not None else count_events(history)
        self = object.__new__(cls)
        self._founding = founding
        self._type = group_type
        self._id = group_id
        self._created_at = created_at
        start = version - len(history)
        self._cell = State(stage, version, data, peak, history, len(history), counts, marks, start)
        self._listeners = ()
        self._lock = threading.RLock()
        self._owner = 0  # the thread applying an event, while one is
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
        cell = self._cell
        return cell.stage if type(cell) is State else self._state().stage

    @property
    def version(self) -> int:
        """How many events were applied; use it for optimistic locking in a store."""
        cell = self._cell
        return cell.version if type(cell) is State else self._state().version

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
        cell = self._cell
        return cell.data if type(cell) is State else self._state().data

    @property
    def history(self) -> Sequence[HistoryRecord]:
        """Every applied event, oldest first (a read-only view).

        A group loaded from a document's head alone, or from a head with only its
        latest records, holds the records it was given and those of the events
        fired since: the first one is record number :attr:`history_start`.
        """
        cell = self._cell
        if type(cell) is State:
            return History(cell.history, cell.length)
        state = self._state()
        tentative = cast("Tentative", cell)
        return History(state.history, state.length, tentative if state is tentative.new else None)

    @property
    def history_start(self) -> int:
        """How many applied events came before the first record in :attr:`history`.

        0 when the group holds its whole history; the version it was loaded at,
        for a group loaded from its head alone (``to_dict(history=False)``).
        """
        return self._state().start

    @property
    def event_counts(self) -> Mapping[str, int]:
        """How many times each event was applied, by name (events never applied are absent)."""
        return self._state().counts

    def event_count(self, event: str, *, since: str | None = None) -> int:
        """How many times *event* was applied to the group (0 for an event it never had).

        With *since*, only those after the last *since* event (all of them if there
        was none): ``event_count("evaluate", since="adopt_charter")`` counts the
        evaluations of the charter in force.

        Raises:
            UnknownEvent: the group's type has no such event.
        """
        state = self._state()
        count = state.counts.get(event) if type(event) is str else None
        if count is None:
            self._type.event(event)  # UnknownEvent, or an event not applied yet
            count = 0
        if since is None:
            return count
        mark = state.marks.get(since) if type(since) is str else None
        if mark is None:
            self._type.event(since)
            return count
        return count - mark.get(event, 0)

    def reached(self, stage: str) -> bool:
        """Whether the group has ever been in *stage* (it may have moved on since)."""
        try:  # GroupType.order, without its call: invariants ask this many times per check
            order = self._type._engine.order.get(stage)  # noqa: SLF001
        except TypeError:  # unhashable
            order = self._type.order(stage)  # raises the error that names the problem
        cell = self._cell
        state = cell if type(cell) is State else self._state()
        if order is None:
            return state.stage == stage
        return order <= state.peak

    def available_events(self, *, actor: str | None = None) -> list[str]:
        """Names of the events the current stage allows (requirements not checked).

        With *actor*, under the type's policy, only those *actor* may fire now.
        """
        if actor is None or self._type._engine.permits is None:  # noqa: SLF001
            return list(self._type.events_from(self._state().stage))
        who, gt = checked_actor(actor), self._type
        return self._locked(
            "available_events",
            lambda state: [
                name
                for name in gt.events_from(state.stage)
                if permitted(self, gt.event(name), state.stage, who)
            ],
        )

    def roles_of(self, actor: str) -> tuple[str, ...]:
        """The names of the type's roles *actor* holds now (docs/model.md §6)."""
        who = checked_actor(actor)
        if who is None:
            return ()
        return self._locked("roles_of", lambda _state: roles_of(self, who))

    def why_not(
        self,
        event: str,
        payload: Mapping[str, Any] | None = None,
        /,
        *,
        actor: str | None = None,
        **fields: Any,
    ) -> list[Reason]:
        """Every reason *event* with its payload would be refused now; ``[]`` if it would apply.

        The payload is given as keyword arguments, as a mapping, or both (as for
        :meth:`fire`). Under the type's policy, ``permission.denied`` says when
        *actor* (who would fire it) may not; a missing actor may fire nothing.

        Raises:
            UnknownEvent: the group's type has no such event.
            UsageError: the payload mapping is not a mapping, a field is given
                twice, or *actor* is not text.
            DefinitionBug: a requirement or role of the type raised or did not
                answer True/False.
        """
        spec = self._type.event(event)
        given = payload_of(payload, fields)
        who = checked_actor(actor)
        return self._locked(
            spec.name, lambda state: event_reasons(self, spec, given, state, who)[1]
        )

    def can(
        self,
        event: str,
        payload: Mapping[str, Any] | None = None,
        /,
        *,
        actor: str | None = None,
        **fields: Any,
    ) -> bool:
        """Whether *event* with its payload would be applied now (fired by *actor*)."""
        return not self.why_not(event, payload, actor=actor, **fields)

    def path_to(self, stage: str) -> list[str]:
        """A plan: the events that lead from the current stage to *stage*, in order.

        The shortest way along the declared stage graph, with the actions its
        events need put before them (``adopt_charter`` before
        ``open_recruitment``: the events an event comes ``after`` and the
        ``fixed_by`` events of its requirements about the group), unless the
        group has applied them already. Payloads are not considered. ``[]``
        when the group is in *stage* already.

        Raises:
            StageUnreachable: *stage* is unknown, or no declared path leads there
                (for example from a terminal stage).
        """
        return path_to(self, self._state(), stage)

    def next_steps(self, *, actor: str | None = None) -> list[NextStep]:
        """The events allowed now, each with the requirements about the group still unmet.

        What a bot shows for "what should we do next?": requirements that depend
        on the payload are checked when the event is fired; the ones listed in
        ``unmet`` say what must happen first. With *actor*, under the type's
        policy, only the steps *actor* may take.
        """
        who = checked_actor(actor)
        return self._locked("next_steps", lambda state: next_steps(self, state, who))

    def status(self, lang: object = "en", *, actor: str | None = None) -> dict[str, Any]:
        """What a response shows about the group, JSON-ready, every text in *lang*.

        ``{"id", "type", "type_label", "name", "stage", "stage_label", "version",
        "terminal", "next_steps": [...]}``: each next step as
        :meth:`NextStep.to_json` gives it (its label, whether it is ready, the
        unmet requirements with their messages and the events that fix them).
        One call, one consistent state; with *actor*, the steps *actor* may take.
        """
        who = checked_actor(actor)
        return self._locked("status", lambda state: status(self, state, lang, who))

    # -- changing -----------------------------------------------------------------

    def fire(
        self,
        event: str,
        payload: Mapping[str, Any] | None = None,
        /,
        *,
        actor: str | None = None,
        **fields: Any,
    ) -> Self:
        """Apply *event* with its payload, or raise and leave the group exactly as it was.

        Args:
            event: the event's name.
            payload: the payload as a mapping (a request body, say); needed for
                a payload field called ``actor``, which the keyword would take.
            actor: who fires it; stored in the history record. Under the type's
                policy, it must hold a role that may fire *event* now.
            **fields: payload fields, as keyword arguments (added to *payload*).

        Returns:
            The group itself, so calls can be chained.

        Raises:
            UnknownEvent: the group's type has no such event.
            TransitionNotAllowed: the stage, the policy, the payload or a
                requirement refuses it; ``.reasons`` lists every one.
            ReentrantFire: fired from a listener (or a requirement) of an event on
                this same group.
            DefinitionBug: the type's own requirement, effect or invariant misbehaved.
            UsageError: *actor* is not text, *payload* is not a mapping, or a field
                is given both in *payload* and as a keyword.
        """
        spec = self._type.event(event)
        given = payload_of(payload, fields)
        actor = checked_actor(actor)
        listeners = self._type._engine.listeners + self._listeners  # noqa: SLF001
        return self._fire(spec, actor, given, None, listeners)

    def _fire(
        self,
        spec: Event,
        actor: str | None,
        payload: Mapping[str, Any],
        at: dt.datetime | None,
        listeners: tuple[Listener, ...],
    ) -> Self:
        """Check and apply one event; *at* is given only when replaying a history.

        The group changes by single assignments of ``_cell`` (to the tentative
        state, then to the new one, or back to the old one), so an exception or
        a signal arriving between any two bytecodes leaves a consistent group.
        If the undo itself is interrupted, ``_cell`` stays tentative; since the
        lock is released by then, every reader sees the old state and the next
        ``fire`` settles it.
        """
        lock = self._lock
        if lock._is_owned():  # type: ignore[attr-defined]  # noqa: SLF001 -- RLock's own test
            raise ReentrantFire(spec.name, self._id)
        me = self._may_wait(spec.name, False)  # noqa: FBT003
        with lock:
            waiting.pop(me, None)
            self._owner = me
            try:
                self._apply(spec, actor, payload, at, listeners)
            finally:
                self._owner = 0
        return self

    def _apply(
        self,
        spec: Event,
        actor: str | None,
        payload: Mapping[str, Any],
        at: dt.datetime | None,
        listeners: tuple[Listener, ...],
    ) -> None:
        """The body of :meth:`_fire`, with the lock held: commit what the event makes, or undo."""
        base = self._settle()
        record, new, watch, entries = outcome(self, spec, actor, payload, at, base)
        tentative = Tentative(base, new)
        try:
            base.history.append(record)
            if watch:
                check_invariants(self._probe(new), spec, watch, base.data, entries)
            self._cell = tentative
            for listener in listeners:
                listener(self, record)
        except BaseException:
            tentative.undone = True
            self._cell = base
            del base.history[base.length :]
            raise
        self._cell = new

    def _probe(self, state: State) -> Self:
        """This group as it would be in *state*, for the invariants to read (never shared)."""
        probe = object.__new__(type(self))
        probe._type, probe._id, probe._created_at = self._type, self._id, self._created_at
        probe._founding, probe._cell, probe._listeners = self._founding, state, ()
        probe._lock, probe._owner = self._lock, 0
        return probe

    def subscribe(self, listener: Callable[[Self, HistoryRecord], None]) -> Callable[[], None]:
        """Call *listener(group, record)* after every event applied to this group.

        A listener that raises undoes the event. It runs while the group is
        locked: it may read the group, but must not wait for another thread that
        fires on it or checks its requirements. Returns a function that unsubscribes it.
        """
        check_listener(listener)
        with self._lock:
            self._listeners = (*self._listeners, cast("Listener", listener))

        def unsubscribe() -> None:
            with self._lock:
                self._listeners = tuple(x for x in self._listeners if x is not listener)

        return unsubscribe

    # -- other forms (the document, JSON, pickle and repr are Forms') -------------

    def __copy__(self) -> Self:
        """An independent group with the same state (and no listeners)."""
        return self._copy_of(self._state())

    def _copy_of(self, state: State) -> Self:
        """An independent group in *state* (and no listeners)."""
        cls = type(self)
        return cls._build(
            group_type=self._type,
            group_id=self._id,
            created_at=self._created_at,
            stage=state.stage,
            version=state.version,
            data=state.data,  # immutable: safe to share
            history=state.history[: state.length],  # records are immutable: a new list suffices
            peak=state.peak,
            founding=self._founding,
            tally=(state.counts, state.marks),
        )

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        return self.__copy__()
