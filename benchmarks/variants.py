"""The six ways of running the professional lifecycle, behind one small interface.

Each variant turns a stored document into a live handle (``load``), fires one
event on it (``fire``), and turns it back into a document (``to_dict``);
``release`` ends a request (only B has something to undo). The baselines share
the guards and effects of :mod:`lifecycle`; only the machinery differs:

A  transitions, a ``Machine`` built per group object (what most tutorials show)
B  transitions, one shared ``Machine``; ``add_model`` on load, ``remove_model`` on release
S  transitions at its fastest: one shared ``Machine(model=None)``, events fired with
   ``machine.events[name].trigger(obj)``, plain dicts in and out
P  python-statemachine, one ``StateMachine`` instance per group
H  a hand-written dict-based FSM (a table lookup, the guards, the effect)
K  kelompok, through its public API only
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, cast

import lifecycle as lc
from lifecycle import Doc, Payload
from statemachine import State, StateMachine
from statemachine.factory import StateMachineMetaclass
from transitions import EventData, Machine, Transition

import kelompok


class Refused(Exception):
    """A baseline refused an event (a guard failed)."""


class Variant:
    """One implementation. Subclasses override what differs."""

    key: ClassVar[str]
    title: ClassVar[str]

    def load(self, doc: Doc) -> Any:
        raise NotImplementedError

    def create(self, name: str, profession: str) -> Any:
        return self.load(lc.new_document(name, profession))

    def fire(self, handle: Any, event: str, payload: Payload) -> None:
        raise NotImplementedError

    def to_dict(self, handle: Any) -> Doc:
        raise NotImplementedError

    def release(self, handle: Any) -> None:
        """End of a request: forget the handle (a no-op unless the machine holds it)."""


# -- transitions (A, B, S) --------------------------------------------------------------


def _t_check(ev: EventData) -> bool:
    doc: Doc = ev.model.doc  # type: ignore[attr-defined]
    return lc.passes(ev.event.name, doc, ev.kwargs["payload"])


def _t_apply(ev: EventData) -> None:
    doc: Doc = ev.model.doc  # type: ignore[attr-defined]
    t = cast("Transition", ev.transition)
    lc.apply(doc, ev.event.name, t.source, t.dest or t.source, ev.kwargs["payload"])


TRANSITIONS = [
    {
        "trigger": event,
        "source": source,
        "dest": dest,  # None: an internal transition (an action that keeps the stage)
        "conditions": [_t_check],
        "before": [_t_apply],
    }
    for event, source, dest in lc.transitions_table()
]
MACHINE_OPTIONS: dict[str, Any] = {
    "states": list(lc.STAGES),
    "transitions": TRANSITIONS,
    "auto_transitions": False,
    "send_event": True,
}


class _Model:
    """A group object for A and B: transitions sets its trigger methods on it."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc


class _Slot:
    """A group object for S and P: just the document and the stage."""

    __slots__ = ("doc", "state")

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.state: str = doc["stage"]


class MachinePerGroup(Variant):
    key = "A"
    title = "transitions, Machine per group"

    def load(self, doc: Doc) -> Any:
        model = _Model(doc)
        Machine(model=model, initial=doc["stage"], **MACHINE_OPTIONS)
        return model

    def fire(self, handle: Any, event: str, payload: Payload) -> None:
        if not getattr(handle, event)(payload=payload):
            raise Refused(event)

    def to_dict(self, handle: Any) -> Doc:
        doc: Doc = handle.doc
        return doc


class SharedMachine(MachinePerGroup):
    key = "B"
    title = "transitions, shared Machine + add_model"

    def __init__(self) -> None:
        self.machine = Machine(model=None, initial=lc.INITIAL, **MACHINE_OPTIONS)

    def load(self, doc: Doc) -> Any:
        model = _Model(doc)
        self.machine.add_model(model, initial=doc["stage"])
        return model

    def release(self, handle: Any) -> None:
        self.machine.remove_model(handle)


class FastestTransitions(Variant):
    key = "S"
    title = "transitions, Machine(model=None) + events[].trigger"

    def __init__(self) -> None:
        machine = Machine(model=None, initial=lc.INITIAL, **MACHINE_OPTIONS)
        self.events = dict(machine.events)

    def load(self, doc: Doc) -> Any:
        return _Slot(doc)

    def fire(self, handle: Any, event: str, payload: Payload) -> None:
        if not self.events[event].trigger(handle, payload=payload):
            raise Refused(event)

    def to_dict(self, handle: Any) -> Doc:
        doc: Doc = handle.doc
        return doc


# -- python-statemachine (P) ------------------------------------------------------------


def _p_callbacks(event: str) -> tuple[Callable[..., bool], Callable[..., None]]:
    """The guard and the action of *event*; python-statemachine injects them by name."""

    def check(model: _Slot, payload: Payload) -> bool:
        return lc.passes(event, model.doc, payload)

    def act(model: _Slot, source: State, target: State, payload: Payload) -> None:
        lc.apply(model.doc, event, source.value, target.value, payload)

    return check, act


def _p_machine_class() -> type[StateMachine]:
    states = {
        name: State(name, value=name, initial=name == lc.INITIAL, final=name == "dissolved")
        for name in lc.STAGES
    }
    namespace: dict[str, Any] = dict(states)
    for event, moves in lc.MOVES.items():
        check, act = _p_callbacks(event)
        event_transitions = None
        for source, dest in moves.items():
            origin = states[source]
            one = (
                origin.to.itself(internal=True, cond=check, on=act)  # type: ignore[no-untyped-call]
                if dest is None
                else origin.to(states[dest], cond=check, on=act)
            )
            event_transitions = one if event_transitions is None else event_transitions | one
        namespace[event] = event_transitions
    cls = StateMachineMetaclass("ProfessionalMachine", (StateMachine,), namespace)
    return cast("type[StateMachine]", cls)


class StatemachinePerGroup(Variant):
    key = "P"
    title = "python-statemachine, instance per group"

    def __init__(self) -> None:
        self.cls = _p_machine_class()

    def load(self, doc: Doc) -> Any:
        return self.cls(model=_Slot(doc), start_value=doc["stage"])

    def fire(self, handle: Any, event: str, payload: Payload) -> None:
        handle.send(event, payload=payload)  # raises TransitionNotAllowed when a guard fails

    def to_dict(self, handle: Any) -> Doc:
        doc: Doc = handle.model.doc
        return doc


# -- hand-written (H) -------------------------------------------------------------------


class HandWritten(Variant):
    key = "H"
    title = "hand-written dict FSM"

    def load(self, doc: Doc) -> Any:
        return doc

    def fire(self, handle: Any, event: str, payload: Payload) -> None:
        moves = lc.MOVES.get(event)
        source: str = handle["stage"]
        if moves is None or source not in moves or not lc.passes(event, handle, payload):
            raise Refused(event)
        lc.apply(handle, event, source, moves[source] or source, payload)

    def to_dict(self, handle: Any) -> Doc:
        doc: Doc = handle
        return doc


# -- kelompok (K) -----------------------------------------------------------------------


class Kelompok(Variant):
    key = "K"
    title = "kelompok (public API)"

    def load(self, doc: Doc) -> Any:
        return kelompok.load(doc)

    def create(self, name: str, profession: str) -> Any:
        return kelompok.PROFESSIONAL.create(name=name, profession=profession)

    def fire(self, handle: Any, event: str, payload: Payload) -> None:
        handle.fire(event, **payload)

    def to_dict(self, handle: Any) -> Doc:
        doc: Doc = handle.to_dict()
        return doc


def all_variants() -> dict[str, Variant]:
    """Every variant by key, in the order of the report."""
    found: list[Variant] = [
        MachinePerGroup(),
        SharedMachine(),
        FastestTransitions(),
        StatemachinePerGroup(),
        HandWritten(),
        Kelompok(),
    ]
    return {v.key: v for v in found}
