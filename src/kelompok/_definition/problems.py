"""Checking a definition as a whole, when it is built.

A definition with an unknown stage, an unreachable stage, a dead end or a
requirement code with two messages fails when its :class:`kelompok.GroupType`
is built, with every problem listed: at import time, not at a user's first
request.
"""

from __future__ import annotations

import keyword
from typing import TYPE_CHECKING, Any

import attrs

from kelompok._base.scalars import describe
from kelompok._base.text import Text
from kelompok._data.immutable import field_type_problems
from kelompok._definition.graph import reach_problems, stage_edges
from kelompok._definition.parts import Event, Invariant, Requirement, Stage

if TYPE_CHECKING:
    from kelompok._types.group_type import GroupType


def _callable(value: object) -> bool:
    """``callable`` for values typed as callables: a definition may come from untyped code."""
    return callable(value)


def _identifier(name: object) -> bool:
    return isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name)


def part_problems(stages: object, events: object, invariants: object) -> list[str]:
    """Parts that are not parts (a stage that is no ``Stage``...), found before they are read."""
    problems: list[str] = []
    for what, items, kind in (
        ("stages", stages, Stage),
        ("events", events, Event),
        ("invariants", invariants, Invariant),
    ):
        odd = [describe(item) for item in _items(items) if not isinstance(item, kind)]
        if odd:
            problems.append(f"{what} must all be {kind.__name__}s, got {odd[0]}")
    for event in _items(events):
        if isinstance(event, Event):
            odd = [describe(r) for r in _items(event.requires) if not _is_requirement(r)]
            if odd:
                problems.append(
                    f"event {event.name!r}: requires must all be Requirements, got {odd[0]}"
                )
    return problems


def _is_requirement(value: object) -> bool:
    """``isinstance`` out of mypy's sight: an untyped definition may pass anything."""
    return isinstance(value, Requirement)


def _items(items: object) -> tuple[object, ...]:
    return items if isinstance(items, tuple) else ()


def definition_problems(gt: GroupType[Any]) -> list[str]:
    """Every inconsistency of a definition, as readable lines (empty when fine).

    *gt* is read by attribute only (``name``, ``stages``, ``events``, ...): the
    group type calls this before it compiles anything.
    """
    problems: list[str] = []
    if not _identifier(gt.name):
        problems.append(f"type name {gt.name!r} is not an identifier")
    for cls_field in ("data", "founding"):
        cls = getattr(gt, cls_field)
        if not attrs.has(cls):
            problems.append(f"{cls_field} must be an attrs class")
        else:
            problems += field_type_problems(cls, cls_field, stored=True)
    if not _callable(gt.initial_data):
        problems.append("initial_data is not callable")
    fields = {a.name for a in attrs.fields(gt.data)} if attrs.has(gt.data) else set()
    codes: set[str] = set()
    for inv in gt.invariants:
        if inv.code in codes:
            problems.append(
                f"invariant {inv.code!r} is declared twice (derive adds invariants to the "
                "parent's: drop_invariant the old one first, or pass replace_invariants=True)"
            )
        codes.add(inv.code)
        problems += _invariant_problems(gt, inv, fields)
    problems += _stage_problems(gt.stages)
    if not gt.stages or gt.stages[0].terminal:  # the graph checks need an initial stage
        return problems
    problems += _event_problems(gt)
    problems += [p.message for p in reach_problems(gt.stages, stage_edges(gt.stages, gt.events))]
    return problems


def _invariant_problems(gt: Any, inv: Invariant, fields: set[str]) -> list[str]:  # noqa: C901 -- one check per part
    problems: list[str] = []
    if inv.check is None and inv.entry is None:
        problems.append(f"invariant {inv.code!r} has neither a check nor an entry check")
    if inv.check is not None and not _callable(inv.check):
        problems.append(f"invariant {inv.code!r} has a check that is not callable")
    if (inv.each is None) != (inv.entry is None):
        problems.append(f"invariant {inv.code!r}: each and entry are given together or not at all")
    elif inv.entry is not None and not _callable(inv.entry):
        problems.append(f"invariant {inv.code!r} has an entry check that is not callable")
    if inv.each is not None and inv.each not in fields:
        problems.append(
            f"invariant {inv.code!r} checks each entry of {inv.each!r}, which is not a field "
            f"of the data class {_class_name(gt.data)}"
        )
    for name, key_of in inv.entry_keys:
        if name not in (inv.entry_reads or ()):
            problems.append(
                f"invariant {inv.code!r}: entry_keys names {name!r}, which its entry_reads do not"
            )
        if not _callable(key_of):
            problems.append(f"invariant {inv.code!r}: the entry key of {name!r} is not callable")
    known = {*fields, "stage", *(e.name for e in gt.events)}
    for what, names in (("reads", inv.reads), ("entry_reads", inv.entry_reads)):
        unknown = sorted(str(name) for name in (names or ()) if name not in known)
        if unknown:
            problems.append(
                f"invariant {inv.code!r} {what} {', '.join(unknown)}, which are neither fields "
                f"of the data class {_class_name(gt.data)}, nor 'stage', nor events of the type"
            )
    return problems


def _stage_problems(stages: tuple[Stage, ...]) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    for stage in stages:
        if not _identifier(stage.name):
            problems.append(f"stage name {stage.name!r} is not an identifier")
        if stage.name in seen:
            problems.append(f"stage {stage.name!r} is declared twice")
        seen.add(stage.name)
    if not stages or stages[0].terminal:
        problems.append(
            "the first stage must be a live (non-terminal) stage: it is the initial one"
        )
    first_terminal = next((i for i, s in enumerate(stages) if s.terminal), len(stages))
    if any(not s.terminal for s in stages[first_terminal:]):
        problems.append("terminal stages must come after all live stages")
    return problems


def _requirement_problems(
    event: Event, messages: dict[str, Text], events: frozenset[str]
) -> list[str]:
    problems: list[str] = []
    own: set[str] = set()
    for req in event.requires:
        where = f"event {event.name!r}: requirement {req.code!r}"
        if not _callable(req.check):
            problems.append(f"{where} has a check that is not callable")
        if req.code in own:
            problems.append(f"{where} is used twice")
        own.add(req.code)
        unknown = [name for name in req.fixed_by if name not in events]
        if unknown:
            problems.append(f"{where} is fixed by {', '.join(map(repr, unknown))}: no such event")
        if messages.setdefault(req.code, req.message) != req.message:
            problems.append(f"requirement code {req.code!r} has two different messages")
    return problems


def _event_problems(gt: GroupType[Any]) -> list[str]:
    problems: list[str] = []
    names: set[str] = set()
    messages: dict[str, Text] = {}
    known = frozenset(e.name for e in gt.events if _identifier(e.name))
    for event in gt.events:
        where = f"event {event.name!r}"
        if not _identifier(event.name) or event.name.startswith("_"):
            problems.append(f"event name {event.name!r} is not a public identifier")
        if event.name in names:
            problems.append(f"{where} is declared twice")
        names.add(event.name)
        problems += _after_problems(gt, event)
        if not event.moves:
            problems.append(f"{where} has no moves: it could never be fired")
        if event.payload is not None and not attrs.has(event.payload):
            problems.append(f"{where}: payload must be an attrs class or None")
        elif event.payload is not None:
            problems += field_type_problems(event.payload, f"{where}: payload", stored=False)
        if event.effect is not None and not _callable(event.effect):
            problems.append(f"{where}: effect is not callable")
        problems += _requirement_problems(event, messages, known)
        problems += _move_problems(gt, event)
    return problems


def _after_problems(gt: GroupType[Any], event: Event) -> list[str]:
    """An ``after`` that names no event of the type, or one that can never come first."""
    events = {e.name: e for e in gt.events}
    order = {s.name: i for i, s in enumerate(s for s in gt.stages if not s.terminal)}
    problems = []
    for before in event.after:
        other = events.get(before)
        where = f"event {event.name!r} comes after {before!r}"
        if other is None:
            problems.append(f"{where}, which is not an event of the type")
        elif other is event:
            problems.append(f"{where}: itself, so it could never be fired")
        else:
            latest = max((order[s] for s in event.moves if s in order), default=-1)
            earliest = min((order[s] for s in other.moves if s in order), default=len(order))
            if earliest > latest and not any(e.back for e in gt.events):
                problems.append(f"{where}, which only happens in later stages")
    return problems


def _move_problems(gt: GroupType[Any], event: Event) -> list[str]:
    problems: list[str] = []
    stages = {s.name: s for s in gt.stages}
    order = {name: i for i, name in enumerate(s.name for s in gt.stages if not s.terminal)}
    where = f"event {event.name!r}"
    for source, dest in event.moves.items():
        if source not in stages:
            problems.append(f"{where} moves from undeclared stage {source!r}")
            continue
        if stages[source].terminal:
            problems.append(f"{where} leaves terminal stage {source!r}")
            continue
        if dest is None:
            continue
        if dest not in stages:
            problems.append(f"{where} moves to undeclared stage {dest!r}")
            continue
        if stages[dest].terminal:
            continue
        # Forward moves that skip a stage are allowed here: kelompok.verify() reports
        # them with a counterexample, and Group.fire refuses to enter a stage early.
        step = order[dest] - order[source]
        if step == 0:
            problems.append(f"{where} moves {source!r} to itself: use None for an action")
        elif event.back and step > 0:
            problems.append(f"{where} is declared a way back but moves {source!r} -> {dest!r}")
        elif not event.back and step < 0:
            problems.append(f"{where} moves back {source!r} -> {dest!r}: declare it with back=True")
    return problems


def _class_name(cls: object) -> str:
    """A class's name, or a description of what was given where a class belongs."""
    name = getattr(cls, "__name__", None) if isinstance(cls, type) else None
    return name if type(name) is str else describe(cls)
