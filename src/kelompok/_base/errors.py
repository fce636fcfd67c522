"""The exceptions kelompok raises; all derive from :class:`KelompokError`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from kelompok._base.text import Localized, Reason


class KelompokError(Exception):
    """Root of every error kelompok raises on purpose."""


def _quote(name: object) -> str:
    """*name* quoted for a message: short text as it is, anything else described."""
    if type(name) is str and len(name) <= 60:
        return repr(name)
    if type(name) is str:
        return repr(name[:60]) + f"... ({len(name)} characters)"
    return f"<a {type(name).__name__}>"


def _bullets(reasons: Iterable[Reason]) -> str:
    return "".join(f"\n  - {r.code}: {r}" for r in reasons)


class UsageError(KelompokError, TypeError):
    """kelompok was called the wrong way (an argument of the wrong type, a direct constructor)."""


class UnknownStage(KelompokError, KeyError):
    """The group type has no stage of that name.

    Attributes:
        stage: the name asked for.
        group_type: the group type's name.
    """

    def __init__(self, stage: str, group_type: str, known: Sequence[str]) -> None:
        self.stage = stage
        self.group_type = group_type
        msg = f"{group_type!r} has no stage {_quote(stage)}; its stages are {', '.join(known)}"
        super().__init__(msg)

    def __str__(self) -> str:  # KeyError would show the message quoted, like a key
        return str(self.args[0])


class InvalidValue(KelompokError, ValueError):
    """A value (a ``Member``, ``Program``, ... or a payload field) has the wrong type or form.

    Attributes:
        text: what is wrong, in every language (``exc.text("id")``); ``str(exc)``
            is the English, after the field.
        field: the field at fault, when known.
    """

    def __init__(self, text: Localized, field: str | None = None) -> None:
        english = text()
        super().__init__(f"{field}: {english}" if field else english)
        self.text = text
        self.field = field


class TransitionNotAllowed(KelompokError):
    """An event was refused; nothing about the group changed.

    Attributes:
        event: the event's name.
        stage: the stage the group was (and still is) in.
        reasons: every unmet requirement, never empty.
    """

    def __init__(self, event: str, stage: str, reasons: Sequence[Reason]) -> None:
        self.event = event
        self.stage = stage
        self.reasons = list(reasons)
        msg = (
            f"Event {event!r} was refused in stage {stage!r}; the group is unchanged."
            f"{_bullets(self.reasons)}\n"
            "Fix these and fire again (group.why_not(event, **payload) lists them "
            "without firing; reason.message('id') gives them in Indonesian)."
        )
        super().__init__(msg)


class UnknownEvent(KelompokError, LookupError):
    """The group type has no event of that name.

    Attributes:
        event: the name asked for.
        group_type: the group type's name.
        known: the names the type does have.
    """

    def __init__(self, event: str, group_type: str, known: Sequence[str]) -> None:
        self.event = event
        self.group_type = group_type
        self.known = tuple(known)
        msg = (
            f"Group type {group_type!r} has no event {_quote(event)}. "
            f"Its events are: {', '.join(self.known)}."
        )
        super().__init__(msg)


class UnknownGroupType(KelompokError, LookupError):
    """No group type of that name is built in or registered.

    Attributes:
        name: the name asked for.
        known: the names that are known.
    """

    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        self.known = tuple(known)
        msg = (
            f"No group type named {_quote(name)}. Known types: {', '.join(self.known)}. "
            "Register your own with kelompok.register(group_type)."
        )
        super().__init__(msg)


class CreationRefused(KelompokError, ValueError):
    """``group_type.create(...)`` was given arguments that make no group; nothing was created.

    Like a refused event: ``.reasons`` lists every problem, each with the
    ``field`` at fault (``"name"``, ``"id"``) and a message in every language.

    Attributes:
        group_type: the name of the type asked to create the group.
        reasons: every problem, never empty.
    """

    def __init__(self, group_type: str, reasons: Sequence[Reason]) -> None:
        self.group_type = group_type
        self.reasons = list(reasons)
        msg = (
            f"Cannot create a {group_type} group; nothing was created."
            f"{_bullets_with_field(self.reasons)}\n"
            "Fix these arguments and create again (reason.message('id') gives them in "
            "Indonesian)."
        )
        super().__init__(msg)


class InvalidGroupData(KelompokError, ValueError):
    """A document given to :func:`kelompok.load` is invalid.

    Attributes:
        problems: every problem found, each a :class:`Reason` whose ``field``
            says where (``"history[3].dest"``, ``"data.members['a'].name"``).
    """

    def __init__(self, what: str, problems: Sequence[Reason]) -> None:
        self.problems = list(problems)
        msg = f"{what}:{_bullets_with_field(self.problems)}"
        super().__init__(msg)


def _bullets_with_field(reasons: Iterable[Reason]) -> str:
    return "".join(
        f"\n  - {r.code}: {r}"
        if not r.field or str(r).startswith(r.field)
        else f"\n  - {r.code} at {r.field}: {r}"
        for r in reasons
    )


class DefinitionError(KelompokError, ValueError):
    """A group-type definition is inconsistent; raised when it is built.

    Attributes:
        problems: one line per problem; all of them, not just the first.
    """

    def __init__(self, name: str, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        lines = "".join(f"\n  - {p}" for p in self.problems)
        msg = f"Group type {name!r} is not a valid definition:{lines}"
        super().__init__(msg)


class DefinitionBug(KelompokError, RuntimeError):
    """A group type's own code misbehaved while an event was checked or applied.

    A requirement raised or returned something other than ``True`` or ``False``,
    an effect raised or returned something other than the type's data, or the
    data an effect made breaks the type's invariants. It is a bug in the type,
    not a refusal: the group is left exactly as it was; fix the type.

    Attributes:
        event: the event being checked or applied.
        culprit: what misbehaved, e.g. ``"requirement 'charter.missing'"``.
        reasons: the broken invariants, when that is what happened (else empty).

    The original exception, if there was one, is ``__cause__``.
    """

    def __init__(self, event: str, culprit: str, what: str, reasons: Sequence[Reason] = ()) -> None:
        self.event = event
        self.culprit = culprit
        self.reasons = list(reasons)
        msg = (
            f"Bug in the group type, found while applying event {event!r}: {culprit} {what}. "
            f"The group is unchanged; fix the type's code.{_bullets(self.reasons)}"
        )
        super().__init__(msg)


class ReentrantFire(KelompokError, RuntimeError):
    """An event was fired on a group from inside a listener of that same group's event.

    Attributes:
        event: the event that was fired from the listener.
        group_id: the group's id.
    """

    def __init__(self, event: str, group_id: str) -> None:
        self.event = event
        self.group_id = group_id
        msg = (
            f"Cannot fire {event!r} on group {group_id!r} while its previous event is still "
            "being applied (from a listener). Fire it after fire() returns."
        )
        super().__init__(msg)


class GroupBusy(KelompokError, RuntimeError):
    """Waiting for a group's event to finish would wait forever (a deadlock); nothing changed.

    Listeners of two groups that fire on each other's group, in two threads at
    once, would each wait for the other. One of the two fires raises this
    instead, so its event is undone and the other goes on.

    Attributes:
        event: the event that was fired.
        group_id: the group it was fired on.
    """

    def __init__(self, event: str, group_id: str) -> None:
        self.event = event
        self.group_id = group_id
        msg = (
            f"Cannot fire {event!r} on group {group_id!r} now: another thread is applying an "
            "event on it and waits, through a listener, for a group this thread holds. Waiting "
            "would never end. Fire it after fire() returns, for example from a queue."
        )
        super().__init__(msg)


class StageUnreachable(KelompokError, LookupError):
    """No declared path leads from the group's stage to the stage asked for.

    Attributes:
        stage: the stage asked for.
        source: the group's current stage.
    """

    def __init__(self, stage: str, source: str, why: str) -> None:
        self.stage = stage
        self.source = source
        super().__init__(f"No path from {source!r} to {stage!r}: {why}")
