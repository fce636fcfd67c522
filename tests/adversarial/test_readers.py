"""Issue 8, items 2 and 10: every public reader is consistent with the committed state.

A listener holds an event in flight (the stage already changed) and then vetoes
it. Meanwhile other threads call every public reader. A reader may answer at
once or wait until the veto is done; either way it must answer with the state
from before the event, never the one in flight.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from adversarial.helpers import TYPES, snapshot, strict_json
from builders import at, payloads

WAIT = 5.0


class Veto(Exception):
    pass


def readers(g: Any, payload: dict[str, Any]) -> dict[str, Callable[[], Any]]:
    """Every public reader of a group, each giving a comparable value."""
    plan = payloads(g.type)["plan_programs"]
    return {
        "stage": lambda: g.stage,
        "version": lambda: g.version,
        "data": lambda: g.data,
        "history": lambda: list(g.history),
        "len(history)": lambda: len(g.history),
        "members": lambda: dict(g.members),
        "programs": lambda: dict(g.programs),
        "partners": lambda: dict(g.partners),
        "charter": lambda: g.charter,
        "structure": lambda: g.structure,
        "name": lambda: g.name,
        "as_partner_ref": g.as_partner_ref,
        "as_partner_ref().stage": lambda: g.as_partner_ref().stage,
        "reached(structured)": lambda: g.reached("structured"),
        "reached(recruiting)": lambda: g.reached("recruiting"),
        "available_events": g.available_events,
        "next_steps": g.next_steps,
        "path_to(programmed)": lambda: g.path_to("programmed"),
        "path_to(structured)": lambda: g.path_to("structured"),
        "why_not(establish_structure)": lambda: g.why_not("establish_structure", **payload),
        "why_not(plan_programs)": lambda: g.why_not("plan_programs", **plan),
        "can(establish_structure)": lambda: g.can("establish_structure", **payload),
        "can(plan_programs)": lambda: g.can("plan_programs", **plan),
        "to_dict": g.to_dict,
        "repr": lambda: repr(g),
        "copy.copy": lambda: copy.copy(g).to_dict(),
    }


def ready_to_structure(group_type: Any) -> Any:
    """A group in 'recruiting' that may establish its structure."""
    g = at(group_type, "recruiting").fire("admit", **payloads(group_type)["admit"])
    strict_json(g)
    return g


def _start(work: Callable[[], Any], out: dict[str, Any], key: str) -> threading.Thread:
    def run() -> None:
        try:
            out[key] = ("ok", work())
        except Exception as exc:  # noqa: BLE001 -- compared with what it gave before
            out[key] = ("raised", repr(exc))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _value(work: Callable[[], Any]) -> Any:
    try:
        return ("ok", work())
    except Exception as exc:  # noqa: BLE001 -- the same outcome is expected in flight
        return ("raised", repr(exc))


@TYPES
def test_every_reader_sees_the_state_before_an_event_that_is_vetoed(group_type):
    g = ready_to_structure(group_type)
    payload = payloads(group_type)["establish_structure"]
    calls = readers(g, payload)
    expected = {name: _value(work) for name, work in calls.items()}
    assert ("ok", "recruiting") == expected["as_partner_ref().stage"]
    before = snapshot(g)

    in_flight, release = threading.Event(), threading.Event()
    seen_in_listener: list[str] = []

    def listener(group, record):
        if record.event != "establish_structure":
            return
        seen_in_listener.append(group.stage)
        in_flight.set()
        release.wait(WAIT)
        raise Veto

    g.subscribe(listener)
    fired: dict[str, Any] = {}
    firing = _start(lambda: g.fire("establish_structure", **payload), fired, "fire")
    try:
        assert in_flight.wait(WAIT), "the listener never ran"
        got: dict[str, Any] = {}
        threads = [_start(work, got, name) for name, work in calls.items()]
        deadline = time.monotonic() + 1.0  # readers that answer at once do so now
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))
    finally:
        release.set()
    firing.join(WAIT)
    for t in threads:
        t.join(WAIT)
    assert not firing.is_alive()
    assert not any(t.is_alive() for t in threads), "a reader never returned"
    assert ["structured"] == seen_in_listener  # the event really was in flight
    assert "raised" == fired["fire"][0]
    assert "Veto" in fired["fire"][1]
    wrong = {name: got[name] for name in calls if got[name] != expected[name]}
    assert {} == wrong, "readers saw the event in flight"
    assert before == snapshot(g)


@TYPES
def test_a_history_view_taken_inside_a_vetoing_listener_shrinks_with_the_undo(group_type):
    g = ready_to_structure(group_type)
    committed = list(g.history)
    size = len(committed)
    views: list[Any] = []

    def listener(group, record):
        views.append(group.history)
        raise Veto

    unsubscribe = g.subscribe(listener)
    payload = payloads(group_type)["establish_structure"]
    with pytest.raises(Veto):
        g.fire("establish_structure", **payload)
    unsubscribe()
    [view] = views
    assert size == len(view)
    assert committed == list(view)
    assert committed[-1] == view[-1]
    with pytest.raises(IndexError):
        view[size]
    g.fire("establish_structure", **payload)  # a later event is not in the old view either
    assert size + 1 == len(g.history)
    assert size == len(view)
    assert committed == list(view)
    assert committed == list(view[:])
