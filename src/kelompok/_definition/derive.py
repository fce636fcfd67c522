"""Deriving a group type from another: new stages, events, requirements, labels.

The parent is never touched: every definition object is frozen, and a change
builds new ``Event`` objects where the parent's would have to be edited. The
derived type is checked like any other when it is built.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

import attrs

from kelompok._base.errors import DefinitionError, UsageError
from kelompok._base.scalars import describe
from kelompok._base.text import Text, as_text
from kelompok._definition.parts import Event, Invariant, Requirement, Stage, expect
from kelompok._definition.roles import Policy, PolicyGiven, Role


@attrs.define
class Draft:
    """A mutable working copy of a definition's stages, events and invariants."""

    stages: list[Stage]
    events: list[Event]
    invariants: list[Invariant]
    problems: list[str] = attrs.field(factory=list)

    def find_event(self, name: str, change: str) -> int | None:
        for i, event in enumerate(self.events):
            if event.name == name:
                return i
        self.problems.append(f"{change}: there is no event {name!r}")
        return None

    def find_stage(self, name: str, change: str) -> int | None:
        for i, stage in enumerate(self.stages):
            if stage.name == name:
                return i
        self.problems.append(f"{change}: there is no stage {name!r}")
        return None


class Change(Protocol):
    """One edit of a definition, applied by :meth:`GroupType.derive`."""

    def apply(self, draft: Draft) -> None:
        """Edit *draft*, or append to ``draft.problems`` why it cannot."""


@attrs.frozen
class _InsertStage:
    stage: Stage
    after: str
    via: Event

    def apply(self, draft: Draft) -> None:
        change = f"insert_stage({self.stage.name!r}, after={self.after!r})"
        at = draft.find_stage(self.after, change)
        if at is None:
            return
        if draft.stages[at].terminal or self.stage.terminal:
            draft.problems.append(f"{change}: only a live stage can be inserted after a live one")
            return
        following = next((s.name for s in draft.stages[at + 1 :] if not s.terminal), None)
        draft.stages.insert(at + 1, self.stage)
        draft.events = [
            _rewire(e, self.after, self.stage.name, following, draft) for e in draft.events
        ]
        draft.events.append(self.via)


def _rewire(event: Event, before: str, new: str, following: str | None, draft: Draft) -> Event:
    """Route *event* around a stage *new* inserted between *before* and *following*.

    The move ``before -> following`` now starts from *new*; an action or a move
    to a terminal stage that the event has both before and after the insertion
    point is allowed in *new* too.
    """
    if before not in event.moves:
        return event
    here = event.moves[before]
    terminal = {s.name for s in draft.stages if s.terminal}
    moves: dict[str, str | None] = {}
    for source, dest in event.moves.items():
        if source == before and following is not None and dest == following:
            moves[new] = dest
            continue
        moves[source] = dest
        if source != before:
            continue
        spans = following is None or (following in event.moves and event.moves[following] == here)
        if spans and (here is None or here in terminal):
            moves[new] = here
    return attrs.evolve(event, moves=moves)


@attrs.frozen
class _AddEvent:
    event: Event

    def apply(self, draft: Draft) -> None:
        draft.events.append(self.event)


@attrs.frozen
class _EditRequirements:
    event: str
    verb: str
    code: str | None
    requirement: Requirement | None

    def apply(self, draft: Draft) -> None:
        change = f"{self.verb}({self.event!r}, {self.code or self.requirement!r})"
        i = draft.find_event(self.event, change)
        if i is None:
            return
        requires = list(draft.events[i].requires)
        codes = [r.code for r in requires]
        if self.code is not None and self.code not in codes:
            known = ", ".join(codes) or "none"
            draft.problems.append(f"{change}: the event has no requirement {self.code!r} ({known})")
            return
        if self.verb == "add_requirement" and self.requirement is not None:
            requires.append(self.requirement)
        elif self.code is not None:
            at = codes.index(self.code)
            if self.requirement is None:
                del requires[at]
            else:
                requires[at] = self.requirement
        draft.events[i] = attrs.evolve(draft.events[i], requires=requires)


@attrs.frozen
class _Relabel:
    name: str
    label: Text

    def apply(self, draft: Draft) -> None:
        for i, stage in enumerate(draft.stages):
            if stage.name == self.name:
                draft.stages[i] = attrs.evolve(stage, label=self.label)
                return
        for i, event in enumerate(draft.events):
            if event.name == self.name:
                draft.events[i] = attrs.evolve(event, label=self.label)
                return
        draft.problems.append(f"relabel({self.name!r}): there is no stage or event of that name")


@attrs.frozen
class _EditInvariants:
    code: str | None
    invariant: Invariant | None

    def apply(self, draft: Draft) -> None:
        if self.invariant is not None:
            draft.invariants.append(self.invariant)
            return
        kept = [i for i in draft.invariants if i.code != self.code]
        if len(kept) == len(draft.invariants):
            known = ", ".join(i.code for i in draft.invariants) or "none"
            draft.problems.append(f"drop_invariant({self.code!r}): no such invariant ({known})")
        draft.invariants = kept


def add_invariant(invariant: Invariant) -> Change:
    """Add *invariant* to the type."""
    expect(invariant, Invariant, "add_invariant's invariant")
    return _EditInvariants(None, invariant)


def drop_invariant(code: str) -> Change:
    """Remove the invariant *code* (for example after dropping the requirement it rests on)."""
    expect(code, str, "drop_invariant's code")
    return _EditInvariants(code, None)


def insert_stage(stage: Stage, *, after: str, via: Event) -> Change:
    """Insert *stage* right after the live stage *after*, entered by the event *via*.

    Moves that went from *after* to the stage that followed it now leave from
    *stage*; actions and moves to terminal stages allowed on both sides of the
    insertion point are allowed in *stage* too.
    """
    expect(stage, Stage, "insert_stage's stage")
    expect(after, str, "insert_stage's after")
    expect(via, Event, "insert_stage's via")
    return _InsertStage(stage, after, via)


def add_event(event: Event) -> Change:
    """Add *event* to the type."""
    expect(event, Event, "add_event's event")
    return _AddEvent(event)


def add_requirement(event: str, requirement: Requirement) -> Change:
    """Add *requirement* to the event called *event*."""
    expect(event, str, "add_requirement's event")
    expect(requirement, Requirement, "add_requirement's requirement")
    return _EditRequirements(event, "add_requirement", None, requirement)


def replace_requirement(event: str, code: str, requirement: Requirement) -> Change:
    """Replace the requirement *code* of *event* by *requirement*."""
    expect(event, str, "replace_requirement's event")
    expect(code, str, "replace_requirement's code")
    expect(requirement, Requirement, "replace_requirement's requirement")
    return _EditRequirements(event, "replace_requirement", code, requirement)


def drop_requirement(event: str, code: str) -> Change:
    """Remove the requirement *code* from *event*."""
    expect(event, str, "drop_requirement's event")
    expect(code, str, "drop_requirement's code")
    return _EditRequirements(event, "drop_requirement", code, None)


def relabel(name: str, label: Text | str | Mapping[str, str]) -> Change:
    """Give the stage or event called *name* a new label (``{language: text}``, or English).

    The old label's other languages are dropped: a new text needs new translations.
    """
    expect(name, str, "relabel's name")
    return _Relabel(name, as_text(label))


def apply_changes(
    name: str,
    stages: Iterable[Stage],
    events: Iterable[Event],
    invariants: Iterable[Invariant],
    changes: Iterable[Change],
) -> tuple[list[Stage], list[Event], list[Invariant]]:
    """The stages, events and invariants after *changes*, for the new type called *name*.

    Raises:
        DefinitionError: a change names a stage, event or requirement that does not exist.
    """
    draft = Draft(list(stages), list(events), list(invariants))
    for change in changes:
        if not callable(getattr(change, "apply", None)):
            msg = (
                f"derive takes changes (kelompok.insert_stage, add_event, ...), got "
                f"{describe(change)}"
            )
            raise UsageError(msg)
        change.apply(draft)
    if draft.problems:
        raise DefinitionError(name, draft.problems)
    return draft.stages, draft.events, draft.invariants


def derived_roles(parent: Iterable[Role], added: Iterable[Role]) -> tuple[Role, ...]:
    """The parent's roles with *added* ones: a role of a parent's name replaces it in place."""
    new = list(added)
    by_name = {getattr(role, "name", None): role for role in new}
    placed = {role.name for role in parent}
    replaced = [by_name.get(role.name, role) for role in parent]
    return (*replaced, *(role for role in new if getattr(role, "name", None) not in placed))


def derived_policy(
    parent: Policy | None, policy: PolicyGiven | None, *, replace: bool
) -> Policy | PolicyGiven | None:
    """The policy of a derived type: the parent's, with the events *policy* names replaced.

    With *replace*, *policy* alone (``None``: no policy). What is not a mapping is
    passed on as it is, for the type's own check to say what is wrong with it.
    """
    if replace or parent is None or policy is None:
        return policy if replace or policy is not None else parent
    if not _is_mapping(policy):
        return policy
    return {**parent.as_dict(), **policy}


def _is_mapping(value: object) -> bool:
    """``isinstance`` out of mypy's sight: an untyped definition may pass anything."""
    return isinstance(value, Mapping)
