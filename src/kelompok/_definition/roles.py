"""Roles and the policy: who may fire which event, read from the group's own data.

A :class:`Role` is a named predicate over a group and an actor (``check(group,
actor) -> bool``): the founders, the chair, the head of a division. A policy
maps each event to the roles that may fire it, by stage: ``{"admit":
{"recruiting": ["founder"], "structured": ["officer"]}}`` lets the founders admit
while the group recruits and the officers from ``structured`` on. A group type
with a policy refuses every event its actor may not fire (``permission.denied``,
docs/model.md §6); a type without one leaves the actor a record of who did it.

:func:`read_policy` turns what a definition gives into a :class:`Policy`,
resolved stage by stage, with every problem found (an unknown event, role or
stage) listed, not raised: :class:`kelompok.GroupType` raises them together.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from kelompok._base.frozen import FrozenMap
from kelompok._base.scalars import describe, describe_exception
from kelompok._base.text import Text, as_text
from kelompok._definition.parts import Event, Stage, text_name

RoleCheck = Callable[[Any, str], bool]
"""A role's test: ``check(group, actor) -> bool`` (True when *actor* holds the role)."""

PolicyGiven = Mapping[str, "Iterable[str] | Mapping[str, Iterable[str]]"]
"""What a definition gives as its policy: event -> role names, or event -> {stage: role names}."""


@attrs.frozen
class Role:
    """A named role, held by an actor when ``check(group, actor)`` is true.

    Args:
        name: identifier, e.g. ``"chair"``; the policy names roles by it.
        label: what users see: English text, or ``{language: text}`` (key
            ``"role.<name>"`` in the type's translations). A refusal names the
            roles that may fire an event by their labels.
        check: ``check(group, actor) -> bool``; *actor* is the text given to
            ``fire(..., actor=...)``. It reads the group as it is before the event.
        since: the first stage in which anyone can hold the role (``"structured"``
            for the chair), ``None`` when it may be held from the first stage.
            :func:`kelompok.verify` reads it to find events no role can fire.
    """

    name: str = attrs.field(validator=text_name("role"))
    label: Text = attrs.field(converter=as_text)
    check: RoleCheck = attrs.field(eq=False)
    since: str | None = attrs.field(default=None, kw_only=True)

    @property
    def key(self) -> str:
        """The role label's key in translations: ``"role.<name>"``."""
        return f"role.{self.name}"


@attrs.frozen
class Grant:
    """The roles that may fire one event from stage *since* on (until the next grant's stage)."""

    since: str | None
    roles: tuple[str, ...]


@attrs.frozen(eq=False)
class Policy:
    """Who may fire which event, resolved for every stage of the type.

    Attributes:
        grants: event -> its grants, as declared (``since`` ``None``: from the
            first stage); an event the policy does not name has none, and nobody
            may fire it.
    """

    grants: FrozenMap[str, tuple[Grant, ...]]
    _table: FrozenMap[str, FrozenMap[str, tuple[str, ...]]] = attrs.field(alias="table")

    def roles_for(self, event: str, stage: str) -> tuple[str, ...]:
        """The names of the roles that may fire *event* in *stage* (none: nobody may)."""
        by_stage = self._table.get(event)
        return () if by_stage is None else by_stage.get(stage, ())

    def as_dict(self) -> dict[str, dict[str, list[str]]]:
        """The policy as plain data, ``{event: {since: [roles]}}`` (``""`` for the first stage)."""
        return {
            event: {grant.since or "": list(grant.roles) for grant in grants}
            for event, grants in self.grants.items()
        }


def _identifier(name: object) -> bool:
    return isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name)


def _callable(value: object) -> bool:
    return callable(value)


def role_problems(roles: object, stages: tuple[Stage, ...]) -> list[str]:
    """What is wrong with the roles of a definition: not roles, names, checks, stages."""
    if not isinstance(roles, tuple):
        return [f"roles must be a sequence of Roles, got {describe(roles)}"]
    problems: list[str] = []
    live = [s.name for s in stages if not s.terminal]
    seen: set[str] = set()
    for role in roles:
        if not isinstance(role, Role):
            problems.append(f"roles must all be Roles, got {describe(role)}")
            continue
        if not _identifier(role.name):
            problems.append(f"role name {role.name!r} is not an identifier")
        elif role.name in seen:
            problems.append(f"role {role.name!r} is declared twice")
        seen.add(role.name)
        if not _callable(role.check):
            problems.append(f"role {role.name!r} has a check that is not callable")
        if role.since is not None and role.since not in live:
            problems.append(
                f"role {role.name!r} is held since {role.since!r}, which is not a live stage "
                f"of the type ({', '.join(live)})"
            )
    return problems


def _names(value: object) -> list[object] | None:
    """Role names given as a sequence (a single name is one role), or ``None`` if not readable."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping) or not isinstance(value, Iterable):
        return None
    try:
        return list(value)
    except Exception:  # noqa: BLE001 -- a definition's iterable may raise anything
        return None


def read_policy(
    given: object, stages: tuple[Stage, ...], events: tuple[Event, ...], roles: tuple[Role, ...]
) -> tuple[Policy | None, list[str]]:
    """The :class:`Policy` *given* declares, resolved stage by stage, and every problem in it.

    ``None`` (and no problem) when *given* is ``None``: the type has no policy.
    """
    if given is None:
        return None, []
    if isinstance(given, Policy):
        given = given.as_dict()
    if not isinstance(given, Mapping):
        shape = "{event: [roles]} or {event: {stage: [roles]}}"
        return None, [f"policy must be a mapping {shape}, got {describe(given)}"]
    try:
        items = list(dict(given).items())
    except Exception as exc:  # noqa: BLE001 -- a definition's mapping may raise anything
        return None, [f"policy could not be read: {describe_exception(exc)}"]
    live = [s.name for s in stages if not s.terminal]
    known_events = {e.name: e for e in events}
    known_roles = list(dict.fromkeys(r.name for r in roles))
    problems: list[str] = []
    grants: dict[str, tuple[Grant, ...]] = {}
    for event, value in items:
        where = f"policy of {_shown(event)}"
        if event not in known_events:
            problems.append(
                f"{where}: the type has no such event ({', '.join(known_events) or 'none'})"
            )
            continue
        found, wrong = _grants(where, value, live, known_roles)
        problems += wrong
        grants[str(event)] = tuple(sorted(found, key=lambda g: _rank(g.since, live)))
    table = {
        event: FrozenMap(_by_stage(grants[event], known_events[event], live)) for event in grants
    }
    return Policy(FrozenMap(grants), FrozenMap(table)), problems


def _grants(
    where: str, value: object, live: list[str], known_roles: list[str]
) -> tuple[list[Grant], list[str]]:
    """The grants of one event's entry in the policy, and what is wrong with it."""
    by_stage = dict(value) if isinstance(value, Mapping) else {None: value}
    found: list[Grant] = []
    problems: list[str] = []
    for given, names in by_stage.items():
        since = None if given == "" else given  # "": from the first stage, as as_dict writes it
        if since is not None and since not in live:
            problems.append(
                f"{where} gives roles from {_shown(since)}, which is not a live stage of "
                f"the type ({', '.join(live)})"
            )
            continue
        listed = _names(names)
        if listed is None:
            problems.append(f"{where}: the roles must be a list of role names")
            continue
        unknown = [_shown(n) for n in listed if n not in known_roles]
        if unknown:
            problems.append(
                f"{where} names {', '.join(unknown)}, which are not roles of the type "
                f"({', '.join(known_roles) or 'none declared'})"
            )
            continue
        found.append(Grant(since, tuple(dict.fromkeys(str(n) for n in listed))))
    return found, problems


def _shown(value: object) -> str:
    return repr(value) if isinstance(value, str) else describe(value)


def _rank(since: str | None, live: list[str]) -> int:
    return -1 if since is None else live.index(since)


def _by_stage(
    grants: tuple[Grant, ...], event: Event, live: list[str]
) -> dict[str, tuple[str, ...]]:
    """For each live stage where *event* is allowed, the roles of the latest grant begun by then."""
    table: dict[str, tuple[str, ...]] = {}
    for stage in event.moves:
        if stage not in live:
            continue
        rank = live.index(stage)
        roles: tuple[str, ...] = ()
        for grant in grants:
            if _rank(grant.since, live) <= rank:
                roles = grant.roles
        table[stage] = roles
    return table
