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
* The machine does the stage change and nothing else: no callbacks are
  registered with it. :meth:`Group.fire` computes the event's effect first,
  asks the machine to move, then appends the history record and calls the
  listeners (so they see the new stage). If anything raises, the group puts
  back what it saved before, so an effect, a listener or the machine itself
  never leaves a half-applied event behind. Callbacks would cost a third of
  ``transitions``' time per event and could only do what the group does anyway.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from transitions import Machine

from kelompok._convert import converter
from kelompok._graph import stage_edges

if TYPE_CHECKING:
    from kelompok._definition import Event, GroupType, Stage
    from kelompok._group import Group, Listener


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
            model_attribute="_stage",
            name=f"kelompok.{group_type.name}",
        )
        for event in group_type.events:
            for source, dest in event.moves.items():
                self.machine.add_transition(event.name, source, dest)
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

    def move(self, group: Group, event: str) -> None:
        """Let the shared machine move *group* along *event* (its guards passed already)."""
        if not self.triggers[event].trigger(group):  # pragma: no cover -- a kelompok bug
            msg = f"transitions refused {event!r} in {group._stage!r} after its guards"  # noqa: SLF001
            raise AssertionError(msg)
