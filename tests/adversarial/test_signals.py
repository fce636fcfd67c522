"""Issue 8, item 3: an asynchronous exception never leaves a half-applied event.

``sys.settrace`` counts the line events in kelompok's own frames during one
successful ``fire``; then, for every k, a fresh identical group fires the same
event with a ``KeyboardInterrupt`` raised at the k-th line. Whatever k is, the
group afterwards is either exactly as before or has the whole event applied,
and it keeps working: the next event fires, ``why_not`` answers, and another
thread reads the same document.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import linecache
import os
import sys
from collections.abc import Callable
from typing import Any

import pytest

import kelompok
from adversarial.helpers import TYPES, run_bounded, snapshot, strict_json
from builders import at, payloads

PACKAGE = os.path.dirname(kelompok.__file__)  # noqa: PTH120 -- compared with co_filename
GROUP_MODULE = os.path.join(PACKAGE, "_group.py")  # noqa: PTH118
MAX_POINTS = 300


@functools.cache
def _eligible(filename: str, lineno: int) -> bool:
    """Whether an exception raised at this line event is one a real signal could cause.

    CPython 3.11 reports two kinds of line events at instructions that lie outside
    the enclosing ``with`` block's exception handler: a ``with`` line, reported again
    just before ``__exit__`` is called, and a ``try:`` line (a NOP). An exception
    raised there from a trace function skips ``__exit__`` (a lock stays held) in any
    code whatever; a real signal is never delivered there (the interpreter checks
    for signals on calls and backward jumps). So they are not injection points.
    """
    text = linecache.getline(filename, lineno).split("#")[0].strip()
    return not (text == "try:" or text.startswith(("with ", "with(")))


class Injector:
    """A trace function that counts kelompok's line events and raises at the k-th one."""

    def __init__(self, at_line: int | None = None) -> None:
        self.at_line = at_line
        self.count = 0
        self.files: list[str] = []

    def __call__(self, frame: Any, event: str, arg: Any) -> Any:
        if event == "call" and frame.f_code.co_filename.startswith(PACKAGE):
            return self.local
        return None

    def local(self, frame: Any, event: str, arg: Any) -> Any:
        if event == "line" and _eligible(frame.f_code.co_filename, frame.f_lineno):
            self.count += 1
            self.files.append(frame.f_code.co_filename)
            if self.count == self.at_line:
                raise KeyboardInterrupt
        return self.local


def traced(work: Callable[[], Any], injector: Injector) -> None:
    """Run *work()* under *injector*; the previous trace function (a coverage tool's) is kept."""
    previous = sys.gettrace()
    sys.settrace(injector)
    try:
        work()
    finally:
        sys.settrace(previous)


def injection_points(files: list[str]) -> list[int]:
    """1-based line-event numbers to inject at: all of them, or an even sample.

    Every line in ``_group.py`` (the critical section) is always included.
    """
    count = len(files)
    if count <= MAX_POINTS:
        return list(range(1, count + 1))
    step = count / MAX_POINTS
    sample = {int(i * step) + 1 for i in range(MAX_POINTS)}
    sample |= {i + 1 for i, name in enumerate(files) if name == GROUP_MODULE}
    return sorted(sample)


class Veto(Exception):
    pass


def _check_outcome(g: Any, before: Any, event: str, dest: str) -> bool:
    """The group is exactly as before (False) or has *event* fully applied (True)."""
    now = snapshot(g)
    assert g.stage == now[0]["stage"], "the stage read differs from the document"
    assert g.version == now[0]["version"], "the version read differs from the document"
    assert g.reached(g.stage)
    strict_json(g)
    if now == before:
        return False
    document, version, size = before
    assert version + 1 == g.version, "half applied: version"
    assert size + 1 == len(g.history), "half applied: history"
    assert event == g.history[-1].event
    assert dest == g.stage
    assert dest == g.history[-1].dest
    assert document["history"] == now[0]["history"][:-1]
    assert kelompok.load(g.to_dict()).to_dict() == g.to_dict()
    return True


def _usable(g: Any, then: tuple[str, dict[str, Any]]) -> None:
    """The group works afterwards, in this thread and in another."""
    mine = g.to_dict()
    results, raised = run_bounded(g.to_dict)
    assert [] == raised
    assert [mine] == results
    event, payload = then
    assert [] == g.why_not(event, **payload)
    g.fire(event, **payload)  # no ReentrantFire, no stale lock
    assert event == g.history[-1].event
    results, raised = run_bounded(g.to_dict)
    assert [g.to_dict()] == results


def _inject_everywhere(
    base: Any,
    event: str,
    payload: dict[str, Any],
    then: tuple[str, dict[str, Any]],
    arm: Callable[[Any], Callable[[], None]] | None = None,
) -> None:
    """Fire *event* on copies of *base*, interrupted at every line of kelompok's code.

    *then* is the event fired after an interrupted event that was applied; one that
    left the group unchanged is fired again. *arm* subscribes a listener that vetoes.
    """
    dest = base.type.event(event).moves[base.stage] or base.stage
    vetoed = pytest.raises(Veto) if arm else contextlib.nullcontext()
    warm = copy.copy(base)  # caches and compiled hooks are made before counting
    if arm:
        arm(warm)
    with vetoed:
        warm.fire(event, **payload)
    probe = copy.copy(base)
    if arm:
        arm(probe)
    counter = Injector()
    with pytest.raises(Veto) if arm else contextlib.nullcontext():
        traced(lambda: probe.fire(event, **payload), counter)
    assert counter.count > 10, "the trace saw none of kelompok's lines"
    points = injection_points(counter.files)
    outcomes = {True: 0, False: 0}
    for k in points:
        g = copy.copy(base)
        disarm = arm(g) if arm else None
        before = snapshot(g)
        try:
            traced(lambda g=g: g.fire(event, **payload), Injector(k))
        except KeyboardInterrupt:
            pass
        except Veto:
            assert arm is not None
        if disarm is not None:
            disarm()
        applied = _check_outcome(g, before, event, dest)
        outcomes[applied] += 1
        _usable(g, then if applied else (event, payload))
    assert outcomes[False], "no injection point left the group unchanged"


def _listener_that_vetoes(g: Any) -> Callable[[], None]:
    armed = [True]

    def listener(group, record):
        if armed[0]:
            raise Veto

    unsubscribe = g.subscribe(listener)

    def disarm() -> None:
        armed[0] = False
        unsubscribe()

    return disarm


@TYPES
def test_an_interrupted_stage_change_is_all_or_nothing(group_type):
    base = at(group_type, "recruiting").fire("admit", **payloads(group_type)["admit"])
    given = payloads(group_type)
    _inject_everywhere(
        base,
        "establish_structure",
        given["establish_structure"],
        ("plan_programs", given["plan_programs"]),
    )


@TYPES
def test_an_interrupted_action_is_all_or_nothing(group_type):
    base = at(group_type, "recruiting")
    given = payloads(group_type)
    reject = {"member": {"id": "zed", "name": "Zed"}, "reason": "no time"}
    if group_type is kelompok.PROFESSIONAL:
        reject["member"]["profession"] = "pharmacist"
    _inject_everywhere(base, "admit", given["admit"], ("reject", reject))


@TYPES
def test_an_interrupted_undo_is_all_or_nothing(group_type):
    # the classic repro first: a listener raising KeyboardInterrupt undoes the event
    g = at(group_type, "recruiting").fire("admit", **payloads(group_type)["admit"])
    before = snapshot(g)

    def interrupt(group, record):
        raise KeyboardInterrupt

    unsubscribe = g.subscribe(interrupt)
    given = payloads(group_type)
    with pytest.raises(KeyboardInterrupt):
        g.fire("establish_structure", **given["establish_structure"])
    unsubscribe()
    assert before == snapshot(g)
    _usable(g, ("establish_structure", given["establish_structure"]))

    # then the undo path itself, interrupted at every line
    base = at(group_type, "recruiting").fire("admit", **given["admit"])
    _inject_everywhere(
        base,
        "establish_structure",
        given["establish_structure"],
        ("plan_programs", given["plan_programs"]),
        arm=_listener_that_vetoes,
    )
