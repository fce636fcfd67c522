"""The policy at run time: whether an actor may fire an event now, and the refusal if not.

A type's policy is resolved when the type is built (``Engine.permits``: event ->
stage -> roles), so a check here is a lookup and the roles' own checks. Every
path that fires or answers for an actor comes here: ``fire``, ``why_not``,
``can``, ``available_events(actor=)``, ``next_steps(actor=)``, a replayed
history and the store, so they cannot disagree (docs/guarantees.md §7).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kelompok._base.errors import DefinitionBug, InvalidValue, UsageError
from kelompok._base.scalars import describe, describe_exception, exact_text
from kelompok._base.text import Reason, Text, msg

if TYPE_CHECKING:
    from kelompok._definition.parts import Event
    from kelompok._definition.roles import Role
    from kelompok._runtime.group import Group

_SHOWN = 100
"""Characters of an actor a refusal repeats."""


def checked_actor(actor: object) -> str | None:
    """*actor* as the exact text it is, or ``None``; anything else is a :class:`UsageError`."""
    if actor is None:
        return None
    try:
        return exact_text(actor)
    except InvalidValue as exc:
        error = f"actor must be text (str) or None: {exc}"
        raise UsageError(error) from None


def holds(role: Role, group: Group, actor: str, when: str) -> bool:
    """Whether *actor* holds *role* in *group*; a check that misbehaves is a bug of the type."""
    try:
        answer: object = role.check(group, actor)
    except Exception as exc:
        text = describe_exception(exc)
        what = f"raised {type(exc).__name__}" + (f": {text}" if text else "")
        raise DefinitionBug(when, f"role {role.name!r}", what) from exc
    if answer is True or answer is False:
        return answer
    raise DefinitionBug(
        when, f"role {role.name!r}", f"returned {describe(answer)}, not True or False"
    )


def permitted(group: Group, event: Event, stage: str, actor: str | None) -> bool:
    """Whether the type's policy lets *actor* fire *event* in *stage* (always, without a policy)."""
    permits = group.type._engine.permits  # noqa: SLF001
    if permits is None:
        return True
    if actor is None:
        return False
    return any(holds(role, group, actor, event.name) for role in permits[event.name].get(stage, ()))


def permission_reason(group: Group, event: Event, stage: str, actor: str | None) -> Reason | None:
    """``permission.denied`` if the policy does not let *actor* fire *event* in *stage*."""
    if permitted(group, event, stage, actor):
        return None
    permits = group.type._engine.permits  # noqa: SLF001
    roles = permits[event.name].get(stage, ()) if permits is not None else ()
    if not roles:
        text = msg(
            "permission.nobody",
            "Nobody may fire {event!r} in stage {stage!r}: this group type's policy gives it "
            "to no role there.",
            event=event.name,
            stage=stage,
        )
    elif actor is None:
        text = msg(
            "permission.no_actor",
            "Say who fires {event!r} (actor): this group's policy lets only these roles do it "
            "now: {roles}.",
            event=event.name,
            roles=labels(roles),
        )
    else:
        text = msg(
            "permission.denied",
            "{actor!r} may not fire {event!r} now: this group's policy lets only these roles do "
            "it: {roles}.",
            actor=actor[:_SHOWN],
            event=event.name,
            roles=labels(roles),
        )
    return Reason("permission.denied", text, "actor")


def labels(roles: tuple[Role, ...]) -> Text:
    """The labels of *roles*, joined, in every language one of them has."""
    languages = {lang for role in roles for lang in role.label.by_language}
    return Text({lang: ", ".join(role.label(lang) for role in roles) for lang in languages})


def roles_of(group: Group, actor: str) -> tuple[str, ...]:
    """The names of the roles *actor* holds in *group* now, in the type's order."""
    return tuple(role.name for role in group.type.roles if holds(role, group, actor, "roles_of"))
