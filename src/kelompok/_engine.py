"""The typed facade over ``transitions``: one shared machine per group type.

Why it looks like this:

* One ``Machine(model=None)`` per *type*, never per group: a machine costs about
  half a millisecond and tens of kilobytes, and ``add_model`` would hold every
  group strongly and cost O(models) per call. Events are fired with
  ``machine.events[name].trigger(group, firing)``; the machine keeps no
  reference to the group afterwards.
* ``auto_transitions=False``: there is no ``to_<stage>()`` side door.
* Guards are evaluated by kelompok *before* the machine is asked, so a refusal
  lists every unmet requirement instead of being the silent ``False`` that a
  failing ``transitions`` condition returns.
* The machine does the stage change and runs the callbacks in its usual order:
  the event's effect (``before``), the stage change, the history record
  and the listeners (both ``after``, so they see the new stage). If anything raises,
  :meth:`Group.fire` puts back the snapshot taken before, so a raising
  ``on_enter``-like callback never leaves the new stage behind.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

import attrs
from transitions import EventData, Machine

from kelompok._convert import converter
from kelompok._graph import stage_edges
from kelompok._history import HistoryRecord

if TYPE_CHECKING:
    from kelompok._definition import Event, GroupType, Stage
    from kelompok._group import Group, Listener


@attrs.define(slots=True)
class Firing:
    """What one ``fire`` hands to the machine's callbacks."""

    group: Group
    event: Event
    payload: Any
    payload_json: dict[str, Any]
    actor: str | None
    source: str
    listeners: tuple[Listener, ...]
    at: dt.datetime | None = None


def _apply(event_data: EventData) -> None:
    firing: Firing = event_data.kwargs["firing"]
    effect = firing.event.effect
    if effect is not None:
        group = firing.group
        group._data = effect(group, firing.payload)  # noqa: SLF001 -- the engine owns the group's state


def _record(event_data: EventData) -> None:
    firing: Firing = event_data.kwargs["firing"]
    group = firing.group
    at = firing.at or dt.datetime.now(dt.timezone.utc)
    record = HistoryRecord(
        firing.event.name,
        firing.source,
        group._stage,  # noqa: SLF001
        at,
        firing.payload_json,
        firing.actor,
        at.isoformat(),
    )
    group._history.append(record)  # noqa: SLF001
    group._version += 1  # noqa: SLF001
    peak = group._type.order(group._stage)  # noqa: SLF001
    if peak is not None and peak > group._peak:  # noqa: SLF001
        group._peak = peak  # noqa: SLF001
    for listener in firing.listeners:
        listener(group, record)


class Engine:
    """The compiled, shared runtime of one :class:`GroupType`."""

    __slots__ = (
        "available",
        "edges",
        "events",
        "group_type",
        "listeners",
        "machine",
        "order",
        "stages",
        "triggers",
    )

    def __init__(self, group_type: GroupType[Any]) -> None:
        self.group_type = group_type
        self.stages: dict[str, Stage] = {s.name: s for s in group_type.stages}
        live = [s.name for s in group_type.stages if not s.terminal]
        self.order: dict[str, int] = {name: i for i, name in enumerate(live)}
        self.events: dict[str, Event] = {e.name: e for e in group_type.events}
        self.available: dict[str, tuple[str, ...]] = {
            name: tuple(e.name for e in group_type.events if name in e.moves)
            for name in self.stages
        }
        self.machine = Machine(
            model=None,
            states=list(self.stages),
            initial=group_type.initial,
            auto_transitions=False,
            send_event=True,
            model_attribute="_stage",
            name=f"kelompok.{group_type.name}",
        )
        for event in group_type.events:
            for source, dest in event.moves.items():
                self.machine.add_transition(
                    event.name, source, dest, before=[_apply], after=[_record]
                )
        self.triggers = {name: self.machine.events[name] for name in self.events}
        self.edges = stage_edges(group_type.stages, group_type.events)
        self.listeners: tuple[Listener, ...] = ()
        for data_cls in (group_type.data, group_type.founding):
            converter.get_structure_hook(data_cls)  # compile the cattrs hooks now, not per request

    def new_group(
        self, founding: Any, group_id: str | None, created_at: dt.datetime | None = None
    ) -> Any:
        """A new group in the initial stage, made from the type's founding arguments."""
        return self.group_type.group_class._build(  # noqa: SLF001
            group_type=self.group_type,
            group_id=group_id if group_id is not None else uuid.uuid4().hex,
            created_at=created_at or dt.datetime.now(dt.timezone.utc),
            stage=self.group_type.initial,
            version=0,
            data=self.group_type.initial_data(founding),
            history=[],
            peak=0,
            founding=founding,
        )

    def run(self, firing: Firing) -> None:
        """Let the shared machine carry out an event that already passed its guards."""
        done = self.triggers[firing.event.name].trigger(firing.group, firing=firing)
        if not done:  # pragma: no cover -- guards ran before; this would be a kelompok bug
            msg = f"transitions refused {firing.event.name!r} in {firing.source!r} after its guards"
            raise AssertionError(msg)
