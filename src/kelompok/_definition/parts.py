"""The parts of a group type: stages, events, requirements and invariants.

Each part is a frozen attrs class: a definition is data, immutable once built.
:class:`kelompok.GroupType` puts them together and checks them as a whole
(:mod:`kelompok._definition.problems`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from kelompok._base.entries import entries_of
from kelompok._base.errors import UsageError
from kelompok._base.frozen import FrozenMap
from kelompok._base.scalars import describe
from kelompok._base.text import Reason, Text, as_text
from kelompok._data.schema import payload_schema

Check = Callable[[Any, Any], bool]
"""A requirement's test: ``check(group, payload) -> bool`` (True when met)."""


def parts_of(what: str, items: object) -> tuple[Any, ...]:
    """*items* (a list, a tuple or another iterable, not text) as a tuple; else ``UsageError``.

    What is in it is checked with the rest of the definition.
    """
    if isinstance(items, str | bytes | Mapping) or not isinstance(items, Iterable):
        msg = f"{what} must be a list, got {describe(items)}"
        raise UsageError(msg)
    return tuple(items)


def _texts(what: str, items: object) -> tuple[str, ...]:
    """*items* as a tuple of exact texts (names of events, stages, fields); else ``UsageError``."""
    found = parts_of(what, items)
    for item in found:
        if type(item) is not str:
            msg = f"{what} must be a list of names (text), got {describe(item)} in it"
            raise UsageError(msg)
    return found


def _requirements(items: Iterable[Requirement]) -> tuple[Requirement, ...]:
    return parts_of("requires", items)


def _event_names(names: Iterable[str]) -> tuple[str, ...]:
    return _texts("the event names", names)


def _names(names: Iterable[str] | None) -> frozenset[str] | None:
    return None if names is None else frozenset(_texts("reads", names))


def _optional_name(_instance: Any, _attribute: Any, value: Any) -> None:
    if value is not None:
        name_is_text("data field", value)


def text_name(kind: str) -> Callable[[Any, Any, Any], None]:
    """An attrs validator: the name (or code) of a *kind* is exact text."""

    def check(_instance: Any, _attribute: Any, value: Any) -> None:
        name_is_text(kind, value)

    return check


def _keyed(
    keys: Mapping[str, Callable[[Any], Any]] | Iterable[tuple[str, Callable[[Any], Any]]] | None,
) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    if keys is None:
        return ()
    pairs = tuple(keys.items()) if isinstance(keys, Mapping) else parts_of("entry_keys", keys)
    if not all(type(pair) is tuple and len(pair) == 2 for pair in pairs):
        msg = "entry_keys must map field names to functions ({name: key_of})"
        raise UsageError(msg)
    return pairs


def _frozen_moves(moves: object) -> Mapping[str, str | None]:
    if not isinstance(moves, Mapping):
        msg = f"moves must be a mapping of stage names, got {describe(moves)}"
        raise UsageError(msg)
    frozen = FrozenMap(moves)
    for source, dest in frozen.items():
        if type(source) is not str or (dest is not None and type(dest) is not str):
            msg = (
                "moves must map a stage name (text) to a stage name or None, got "
                f"{describe(source)}: {describe(dest)}"
            )
            raise UsageError(msg)
    return frozen


@attrs.frozen
class Stage:
    """One stage of a group type.

    Args:
        name: identifier, e.g. ``"recruiting"``.
        label: what users see: English text, or ``{language: text}``; more
            languages may come from the type's ``translations`` (key
            ``"stage.<name>"``). ``stage.label("id")`` reads it.
        terminal: a terminal stage (like ``dissolved``) has no way out and
            stands outside the order of the live stages.
    """

    name: str = attrs.field(validator=text_name("stage"))
    label: Text = attrs.field(converter=as_text)
    terminal: bool = False

    @property
    def key(self) -> str:
        """The stage label's key in translations: ``"stage.<name>"``."""
        return f"stage.{self.name}"


@attrs.frozen
class Requirement:
    """A named guard: an event is refused while ``check(group, payload)`` is false.

    Args:
        code: stable identifier, e.g. ``"charter.missing"``; clients match on it,
            and it is the message's key in translations.
        message: what is required, written so a user knows what to do: English
            text, or ``{language: text}``.
        check: ``check(group, payload) -> bool``; ``payload`` is the event's
            validated payload object (``None`` for events without one).
        needs_payload: False for a requirement about the group alone (``check``
            then ignores ``payload``); :meth:`Group.next_steps` evaluates those
            before any payload exists, to say what must happen first.
        fixed_by: the events that can meet it (``charter.missing`` is met by
            ``adopt_charter``); a refusal and a next step name them, so a bot
            can say what to do. Empty when it is met by a better payload.
    """

    code: str = attrs.field(validator=text_name("requirement"))
    message: Text = attrs.field(converter=as_text)
    check: Check = attrs.field(eq=False)
    needs_payload: bool = True
    fixed_by: tuple[str, ...] = attrs.field(default=(), converter=_event_names)

    def reason(self) -> Reason:
        """The refusal this requirement gives when it is not met."""
        return Reason(self.code, self.message, fixed_by=self.fixed_by)


@attrs.frozen
class Invariant:
    """A fact about a group's data that must hold whatever produced it.

    Checked by :func:`kelompok.load` for every document it does not know (see
    :class:`kelompok.KnownDocuments`), and by ``fire`` after every effect, so a
    bug in an effect is refused (:class:`kelompok.DefinitionBug`) instead of
    stored.

    A fact about every entry of a collection (every member is stored under its
    own id) is an *entry* check: ``fire`` then reads only the entries an event
    changed, so an event on a group of 100,000 members costs what it costs on
    one of ten (docs/model.md §4.6).

    Args:
        code: stable identifier, e.g. ``"state.members"``; the message's key.
        message: the fact: English text, or ``{language: text}``.
        check: ``check(group) -> bool``, True when the fact holds; for an
            invariant with an *entry* check, the part about the group as a whole
            (or ``None``).
        reads: what ``check`` reads: names of data fields, ``"stage"`` if it
            reads the stage (or ``reached``), and names of events whose
            ``group.event_count`` it reads. When given, ``fire`` checks it only
            after an event that changed a field named, moved the stage, or is
            named; ``None`` (the default) checks it after every event.
        each: the data field (a ``FrozenMap``, ``FrozenList`` or tuple) whose
            entries *entry* checks.
        entry: ``entry(group, key, value) -> bool`` for every entry of
            ``group.data.<each>``: a map's key and value, or a sequence's index
            and item.
        entry_reads: what *entry* reads besides its entry, in the form of
            *reads*; ``()`` when it reads only the entry (and what never
            changes: the id, the type, the founding arguments); name *each* too
            if it reads the other entries. After an event that changed one of
            them, every entry is checked again; after one that changed only
            *each*, only the entries it added or replaced.
            ``None`` (the default) means "anything": every entry, every event.
        entry_keys: for a map named in *entry_reads* that *entry* reads only at
            the key its entry names, how to get that key from the entry's value
            (``{"programs": lambda activity: activity.program}``). After an event
            that changed that map at some keys, ``fire`` checks only the entries
            that name them (found by an index), not every entry.
    """

    code: str = attrs.field(validator=text_name("invariant"))
    message: Text = attrs.field(converter=as_text)
    check: Callable[[Any], bool] | None = attrs.field(default=None, eq=False)
    reads: frozenset[str] | None = attrs.field(default=None, converter=_names)
    each: str | None = attrs.field(default=None, kw_only=True, validator=_optional_name)
    entry: Callable[[Any, Any, Any], bool] | None = attrs.field(
        default=None, eq=False, kw_only=True
    )
    entry_reads: frozenset[str] | None = attrs.field(default=None, converter=_names, kw_only=True)
    entry_keys: tuple[tuple[str, Callable[[Any], Any]], ...] = attrs.field(
        default=(), converter=_keyed, kw_only=True, eq=False
    )

    def reason(self) -> Reason:
        """The problem this invariant gives when it does not hold."""
        return Reason(self.code, self.message)

    def holds(self, group: Any) -> bool:
        """Whether the fact holds for *group*: its check and its entry check of every entry."""
        if self.check is not None and not self.check(group):
            return False
        entry = self.entry
        if entry is None or self.each is None:
            return True
        return all(entry(group, k, v) for k, v in entries_of(getattr(group.data, self.each)))


@attrs.frozen(eq=False)
class Event:
    """An event of a group type.

    Args:
        name: identifier, e.g. ``"admit"``; also the name for ``group.fire``.
        label: what users see: English text, or ``{language: text}`` (key
            ``"event.<name>"`` in translations).
        moves: source stage -> destination stage; ``None`` as destination makes
            the event an *action* in that stage (the stage is kept).
        payload: attrs class of the event's payload, or ``None`` for none.
        requires: the requirements; all unmet ones are reported together.
        effect: ``effect(group, payload) -> new data``; must not mutate the old
            data (the group swaps the new data in, so a failure can swap back).
        back: the event is a declared way back to an earlier stage.
        after: events that must each have been applied at least once before this
            one (``open_recruitment`` after ``adopt_charter``). ``load`` checks it
            along the history, where the data of the time is not known, so a
            reordered history is refused; ``fire`` refuses with ``event.after``.
    """

    name: str = attrs.field(validator=text_name("event"))
    label: Text = attrs.field(converter=as_text)
    moves: Mapping[str, str | None] = attrs.field(converter=_frozen_moves, kw_only=True)
    payload: type[Any] | None = attrs.field(default=None, kw_only=True)
    requires: tuple[Requirement, ...] = attrs.field(
        default=(), converter=_requirements, kw_only=True
    )
    effect: Callable[[Any, Any], Any] | None = attrs.field(default=None, kw_only=True)
    back: bool = attrs.field(default=False, kw_only=True)
    after: tuple[str, ...] = attrs.field(default=(), converter=_event_names, kw_only=True)

    @property
    def key(self) -> str:
        """The event label's key in translations: ``"event.<name>"``."""
        return f"event.{self.name}"

    @property
    def fields(self) -> tuple[str, ...]:
        """The names of the payload's fields (none without a payload)."""
        payload = self.payload
        return tuple(a.name for a in attrs.fields(payload)) if payload is not None else ()

    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema (draft 2020-12) of the event's payload, as a JSON-ready dict.

        What a web framework validates a request body with, or shows in its
        OpenAPI documents. An event without a payload takes an empty object.
        """
        return payload_schema(self.payload, title=self.name)


def check_listener(listener: object) -> None:
    """Raise :class:`UsageError` unless *listener* can be called."""
    if not callable(listener):
        msg = f"a listener must be callable as listener(group, record), got {describe(listener)}"
        raise UsageError(msg)


def expect(value: object, kind: type[Any], what: str) -> None:
    """Raise :class:`UsageError` unless *value* is a *kind*: *what* names the argument.

    Text must be exactly a ``str``: a subclass may answer ``==`` and ``repr`` its own way.
    """
    if type(value) is not kind if kind is str else not isinstance(value, kind):
        msg = f"{what} must be a {kind.__name__}, got {describe(value)}"
        raise UsageError(msg)


def name_is_text(kind: str, name: object) -> None:
    """Raise :class:`UsageError` unless *name* (of a stage, an event) is exactly a ``str``."""
    if type(name) is not str:
        article = "an" if kind[:1] in "aeiou" else "a"
        msg = f"{article} {kind} name must be text (str), got {describe(name)}"
        raise UsageError(msg)
