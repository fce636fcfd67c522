"""What a group may do next: its next steps, a plan to reach a stage, and its status view.

What a bot answers to "what now?" and a backend returns for a group: each step
with its label, the requirements still unmet, and the events that meet them
(``fixed_by``), so no client needs a hand-made map from codes to events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from kelompok._base.errors import StageUnreachable
from kelompok._base.scalars import describe
from kelompok._base.text import Reason, Text
from kelompok._definition.graph import shortest_path
from kelompok._runtime.checks import after_reason, met
from kelompok._runtime.permission import permitted

if TYPE_CHECKING:
    from kelompok._runtime.group import Group
    from kelompok._runtime.state import State


@attrs.frozen
class NextStep:
    """An event the group may take now, and what still stands in its way.

    Attributes:
        event: the event's name.
        label: its label, to read in a language (``step.label("id")``).
        dest: the stage it leads to (the current one for an action).
        unmet: requirements about the group that are not met yet; the event
            cannot be fired until they are, whatever the payload. Each names in
            ``fixed_by`` the events that can meet it.
        fields: the payload fields the event takes.
    """

    event: str
    label: Text
    dest: str
    unmet: tuple[Reason, ...]
    fields: tuple[str, ...]

    @property
    def ready(self) -> bool:
        """True when only the payload's own requirements remain."""
        return not self.unmet

    @property
    def fixed_by(self) -> tuple[str, ...]:
        """The events that meet the unmet requirements, each once, in order: what to do first."""
        return tuple(dict.fromkeys(e for reason in self.unmet for e in reason.fixed_by))

    def to_json(self, lang: object = "en") -> dict[str, Any]:
        """The step as a JSON-ready dict, its texts in *lang*."""
        return {
            "event": self.event,
            "label": self.label(lang),
            "dest": self.dest,
            "ready": self.ready,
            "fixed_by": list(self.fixed_by),
            "unmet": [reason.to_json(lang) for reason in self.unmet],
            "fields": list(self.fields),
        }


def next_steps(group: Group, state: State, actor: str | None = None) -> list[NextStep]:
    """The events *state*'s stage allows, each with the requirements about the group unmet.

    With *actor*, only the events the type's policy lets *actor* fire.
    """
    gt = group.type
    steps = []
    here = state.stage
    for name in gt.events_from(here):
        event = gt.event(name)
        if actor is not None and not permitted(group, event, here, actor):
            continue
        unmet = tuple(
            req.reason()
            for req in event.requires
            if (event.payload is None or not req.needs_payload) and not met(req, group, None, event)
        )
        if not unmet:  # as fire and why_not: after the type's own requirements
            unmet = tuple(
                after_reason(group, event, e) for e in event.after if not state.counts.get(e)
            )
        dest = event.moves[here] or here
        steps.append(NextStep(name, event.label, dest, unmet, event.fields))
    return steps


def plan(group: Group, state: State, path: list[str]) -> list[str]:
    """*path* (stage-changing events) with the actions its events need put before them.

    An event needs the events its ``after`` names and the ``fixed_by`` events of
    its requirements about the group; each is planned once, before the first
    event that needs it, unless the group has applied it already.
    """
    gt = group.type
    done = {name for name, count in state.counts.items() if count}
    planned: list[str] = []

    def add(name: str, depth: int = 0) -> None:
        if name in done or depth > len(gt.events):
            return
        event = gt.event(name)
        for needed in (*event.after, *(e for r in event.requires for e in r.fixed_by)):
            if needed != name:
                add(needed, depth + 1)
        if name not in done:
            planned.append(name)
            done.add(name)

    for name in path:
        done.discard(name)  # a stage-changing event of the path is always taken
        add(name)
    return planned


def path_to(group: Group, state: State, stage: str) -> list[str]:
    """The plan from *state*'s stage to *stage* (see :meth:`Group.path_to`).

    Raises:
        StageUnreachable: *stage* is unknown, or no declared path leads there.
    """
    engine = group.type._engine  # noqa: SLF001
    here = state.stage
    if type(stage) is not str or stage not in engine.stages:
        why = f"{group.type.name!r} has no such stage; its stages are {', '.join(engine.stages)}"
        raise StageUnreachable(describe(stage), here, why)
    path = shortest_path(engine.edges, here, stage)
    if path is None:
        why = (
            f"{here!r} is terminal"
            if engine.stages[here].terminal
            else "the declared events never lead there from here"
        )
        raise StageUnreachable(stage, here, why)
    return plan(group, state, path)


def status(group: Group, state: State, lang: object, actor: str | None = None) -> dict[str, Any]:
    """The JSON-ready status view of *group* in *state* (see :meth:`Group.status`)."""
    gt = group.type
    stage = gt.stage(state.stage)
    name = getattr(state.data, "name", None)
    return {
        "id": group.id,
        "type": gt.name,
        "type_label": gt.label(lang),
        "name": name if type(name) is str else None,
        "stage": stage.name,
        "stage_label": stage.label(lang),
        "terminal": stage.terminal,
        "version": state.version,
        "next_steps": [step.to_json(lang) for step in next_steps(group, state, actor)],
    }
