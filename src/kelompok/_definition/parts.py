"""Group types as data: stages, events, requirements and invariants.

A :class:`GroupType` is a declaration, immutable once built, and checked when it
is built: a definition with an unknown stage, an unreachable stage or a dead end
fails at import time with every problem listed, not at a user's first request.
Building it also compiles the one ``transitions.Machine`` that every group of
the type shares (see :mod:`kelompok._runtime.engine`).
"""

from __future__ import annotations

import keyword
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

import attrs

from kelompok._base.errors import (
    DefinitionBug,
    DefinitionError,
    InvalidGroupData,
    InvalidValue,
    UnknownEvent,
    UnknownStage,
    UsageError,
)
from kelompok._base.frozen import FrozenMap
from kelompok._base.scalars import describe, describe_exception, exact_nonblank
from kelompok._base.text import Reason, pick
from kelompok._data.immutable import field_type_problems

if TYPE_CHECKING:
    from kelompok._definition.derive import Change
    from kelompok._runtime.engine import Engine
    from kelompok._runtime.group import Group, Listener
    from kelompok._runtime.history import HistoryRecord

G = TypeVar("G", bound="Group")

_listeners_lock = threading.Lock()

Check = Callable[[Any, Any], bool]
"""A requirement's test: ``check(group, payload) -> bool`` (True when met)."""


def _requirements(items: Iterable[Requirement]) -> tuple[Requirement, ...]:
    return tuple(items)


def _stages(items: Iterable[Stage]) -> tuple[Stage, ...]:
    return tuple(items)


def _events(items: Iterable[Event]) -> tuple[Event, ...]:
    return tuple(items)


def _invariants(items: Iterable[Invariant]) -> tuple[Invariant, ...]:
    return tuple(items)


def _event_names(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(names)


def _names(names: Iterable[str] | None) -> frozenset[str] | None:
    return None if names is None else frozenset(names)


def _callable(value: object) -> bool:
    """``callable`` for values typed as callables: a definition may come from untyped code."""
    return callable(value)


def _is_group_class(value: object) -> bool:
    from kelompok._runtime.group import Group  # noqa: PLC0415 -- _group needs this module first

    return isinstance(value, type) and issubclass(value, Group)


def _is_mapping(value: object) -> bool:
    return isinstance(value, Mapping)


def _frozen_moves(moves: Mapping[str, str | None]) -> Mapping[str, str | None]:
    return FrozenMap(moves)


@attrs.frozen
class Stage:
    """One stage of a group type.

    Args:
        name: identifier, e.g. ``"recruiting"``.
        en: English label.
        id: Indonesian label.
        terminal: a terminal stage (like ``dissolved``) has no way out and
            stands outside the order of the live stages.
    """

    name: str
    en: str
    id: str
    terminal: bool = False

    def label(self, lang: str = "en") -> str:
        """The stage's label in *lang* (``"en"`` or ``"id"``)."""
        return pick(self.en, self.id, lang)


@attrs.frozen
class Requirement:
    """A named guard: an event is refused while ``check(group, payload)`` is false.

    Args:
        code: stable identifier, e.g. ``"charter.missing"``; clients match on it.
        en: what is required, in English, written so a user knows what to do.
        id: the same in Indonesian.
        check: ``check(group, payload) -> bool``; ``payload`` is the event's
            validated payload object (``None`` for events without one).
        needs_payload: False for a requirement about the group alone (``check``
            then ignores ``payload``); :meth:`Group.next_steps` evaluates those
            before any payload exists, to say what must happen first.
    """

    code: str
    en: str
    id: str
    check: Check = attrs.field(eq=False)
    needs_payload: bool = True

    def reason(self) -> Reason:
        """The refusal this requirement gives when it is not met."""
        return Reason(self.code, self.en, self.id)

    def message(self, lang: str = "en") -> str:
        """What is required, in *lang* (``"en"`` or ``"id"``)."""
        return pick(self.en, self.id, lang)


@attrs.frozen
class Invariant:
    """A fact about a group's data that must hold whatever produced it.

    Checked by :func:`kelompok.load` for every document it does not know (see
    :class:`kelompok.KnownDocuments`), and by ``fire`` after every effect, so a
    bug in an effect is refused (:class:`kelompok.DefinitionBug`) instead of
    stored; ``check(group) -> bool``.

    Args:
        code: stable identifier, e.g. ``"state.members"``.
        en: the fact, in English.
        id: the same in Indonesian.
        check: ``check(group) -> bool``, True when the fact holds.
        reads: what the check reads: names of data fields, ``"stage"`` if it
            reads the stage (or ``reached``), and names of events whose
            ``group.event_count`` it reads. When given, ``fire`` checks the
            invariant only after an event that changed a field named, moved the
            stage, or is named; ``None`` (the default) checks it after every event.
    """

    code: str
    en: str
    id: str
    check: Callable[[Any], bool] = attrs.field(eq=False)
    reads: frozenset[str] | None = attrs.field(default=None, converter=_names)


@attrs.frozen(eq=False)
class Event:
    """An event of a group type.

    Args:
        name: identifier, e.g. ``"admit"``; also the name for ``group.fire``.
        en: English label.
        id: Indonesian label.
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

    name: str
    en: str
    id: str
    moves: Mapping[str, str | None] = attrs.field(converter=_frozen_moves)
    payload: type[Any] | None = None
    requires: tuple[Requirement, ...] = attrs.field(default=(), converter=_requirements)
    effect: Callable[[Any, Any], Any] | None = None
    back: bool = False
    after: tuple[str, ...] = attrs.field(default=(), converter=_event_names)

    def label(self, lang: str = "en") -> str:
        """The event's label in *lang* (``"en"`` or ``"id"``)."""
        return pick(self.en, self.id, lang)


@attrs.frozen(eq=False)
class GroupType(Generic[G]):
    """The immutable definition of a kind of group, and the factory of its groups.

    Args:
        name: unique name, e.g. ``"professional"``; stored in documents.
        en: English label.
        id: Indonesian label.
        stages: live stages in their order (the first is the initial one),
            then any terminal stages.
        events: the events.
        data: attrs class of the group's data (serialised by cattrs).
        founding: attrs class of the arguments of :meth:`create`.
        initial_data: ``initial_data(founding) -> data``.
        group_class: the :class:`~kelompok.Group` subclass to instantiate.
        invariants: facts about the data that every document must satisfy.

    Raises:
        DefinitionError: listing every problem, when the definition is inconsistent.
    """

    name: str
    en: str
    id: str
    stages: tuple[Stage, ...] = attrs.field(converter=_stages)
    events: tuple[Event, ...] = attrs.field(converter=_events)
    data: type[Any]
    founding: type[Any]
    initial_data: Callable[[Any], Any]
    group_class: type[G]
    invariants: tuple[Invariant, ...] = attrs.field(default=(), converter=_invariants)
    _engine: Engine = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        problems = definition_problems(self)
        if problems:
            raise DefinitionError(self.name, problems)
        from kelompok._runtime.engine import Engine  # noqa: PLC0415 -- the engine needs this module

        object.__setattr__(self, "_engine", Engine(self))

    # -- reading the definition ---------------------------------------------------

    def label(self, lang: str = "en") -> str:
        """The type's label in *lang* (``"en"`` or ``"id"``)."""
        return pick(self.en, self.id, lang)

    @property
    def initial(self) -> str:
        """The name of the initial stage."""
        return self.stages[0].name

    def stage(self, name: str) -> Stage:
        """Return the stage called *name*.

        Raises:
            UnknownStage: the type has no such stage (also a ``KeyError``).
        """
        _name_is_text("stage", name)
        try:
            return self._engine.stages[name]
        except KeyError:
            raise UnknownStage(name, self.name, list(self._engine.stages)) from None

    def event(self, name: str) -> Event:
        """Return the event called *name*.

        Raises:
            UnknownEvent: the type has no such event.
        """
        try:
            return self._engine.events[name]
        except (KeyError, TypeError):
            _name_is_text("event", name)
            raise UnknownEvent(name, self.name, list(self._engine.events)) from None

    def order(self, stage: str) -> int | None:
        """Position of a live stage in the order, ``None`` for a terminal stage."""
        try:
            return self._engine.order.get(stage)
        except TypeError:  # unhashable
            _name_is_text("stage", stage)
            raise

    def events_from(self, stage: str) -> tuple[str, ...]:
        """Names of the events that the stage alone allows."""
        _name_is_text("stage", stage)
        return self._engine.available.get(stage, ())

    # -- making groups --------------------------------------------------------------

    def create(self, *, id: str | None = None, **founding: Any) -> G:  # noqa: A002 -- SPEC names it id
        """Create a new group of this type in the initial stage.

        Args:
            id: the group's id; a random one when omitted.
            **founding: the fields of the type's founding class (for the built-ins:
                ``name``, and ``profession`` for professional groups).

        Raises:
            InvalidGroupData: the arguments are missing, unknown or invalid.
        """
        from kelompok._data.convert import structure_or_reasons  # noqa: PLC0415 -- keeps import light

        args, problems = structure_or_reasons(founding, self.founding, code="create")
        if id is not None:
            try:
                id = exact_nonblank(id)  # noqa: A001 -- the exact str, not a subclass
            except InvalidValue as exc:
                problems.append(Reason("create.invalid", f"id: {exc.en}", f"id: {exc.id}", "id"))
        if problems:
            what = f"Cannot create a {self.name} group"
            raise InvalidGroupData(what, problems)
        group: G = self._engine.new_group(args, id)
        broken = broken_invariants(group, self.invariants, "create")
        if broken:  # initial_data makes data that the type's own invariants refuse
            codes = ", ".join(repr(r.code) for r in broken)
            what = f"makes data that breaks invariant {codes}"
            raise DefinitionBug("create", "initial_data", what, broken)
        return group

    def subscribe(self, listener: Callable[[G, HistoryRecord], None]) -> Callable[[], None]:
        """Call *listener(group, record)* after every event applied to any group of this type.

        The hook for a backend or bot that keeps groups in a store: subscribe once
        at start-up instead of on every loaded group. A listener that raises undoes
        the event (listeners that already ran are not undone). Types made with
        :meth:`derive` do not inherit listeners. Returns a function that unsubscribes.
        """
        check_listener(listener)
        engine = self._engine
        with _listeners_lock:  # every group of this type is a G: the cast is sound
            engine.listeners = (*engine.listeners, cast("Listener", listener))

        def unsubscribe() -> None:
            with _listeners_lock:
                engine.listeners = tuple(x for x in engine.listeners if x is not listener)

        return unsubscribe

    def derive(  # noqa: PLR0913 -- identity, changes, and what a child may replace
        self,
        name: str,
        en: str,
        id: str,  # noqa: A002 -- "id" is the language code
        *changes: Change,
        data: type[Any] | None = None,
        founding: type[Any] | None = None,
        initial_data: Callable[[Any], Any] | None = None,
        invariants: Iterable[Invariant] | None = None,
    ) -> GroupType[G]:
        """A new type made from this one by *changes*; this one is never modified.

        Args:
            name: the new type's name.
            en: its English label.
            id: its Indonesian label.
            *changes: from :func:`kelompok.insert_stage`, :func:`kelompok.add_event`,
                :func:`kelompok.add_requirement`, :func:`kelompok.replace_requirement`,
                :func:`kelompok.drop_requirement`, :func:`kelompok.add_invariant`,
                :func:`kelompok.drop_invariant` and :func:`kelompok.relabel`.
            data: a new data class (for example a subclass of the parent's, with
                fields of your own); the parent's by default.
            founding: a new class of ``create()`` arguments.
            initial_data: a new ``founding -> data`` function.
            invariants: the invariants to start from (the parent's by default).

        Raises:
            DefinitionError: a change names a stage, event or requirement that does
                not exist, or the result is not a valid definition.
        """
        from kelompok._definition.derive import derive  # noqa: PLC0415 -- _derive builds GroupTypes

        child: GroupType[G] = derive(
            self,
            name,
            en,
            id,
            *changes,
            data=data,
            founding=founding,
            initial_data=initial_data,
            invariants=tuple(invariants) if invariants is not None else None,
        )
        return child

    def load(self, document: Mapping[str, Any], *, replay: bool = False) -> G:
        """:func:`kelompok.load` for documents of this type, typed as this type's groups.

        Raises:
            InvalidGroupData: as :func:`kelompok.load`, and when the document is of
                another type.
        """
        from kelompok._codec.document import load  # noqa: PLC0415 -- _document imports this module

        if _is_mapping(document) and document.get("type") != self.name:
            shown = describe(document.get("type"))
            problem = Reason(
                "document.type",
                f"type: is {shown}, expected {self.name!r}",
                f"type: bernilai {shown}, seharusnya {self.name!r}",
                "type",
            )
            raise InvalidGroupData("Cannot load this group document", [problem])
        group = load(document, replay=replay)
        if group.type is not self:  # a mapping may answer "type" differently twice
            problem = Reason(
                "document.type",
                f"type: is {group.type.name!r}, expected {self.name!r}",
                f"type: bernilai {group.type.name!r}, seharusnya {self.name!r}",
                "type",
            )
            raise InvalidGroupData("Cannot load this group document", [problem])
        return cast("G", group)

    def __repr__(self) -> str:
        return f"<GroupType {self.name!r}: {len(self.stages)} stages, {len(self.events)} events>"


def check_listener(listener: object) -> None:
    """Raise :class:`UsageError` unless *listener* can be called."""
    if not callable(listener):
        msg = f"a listener must be callable as listener(group, record), got {describe(listener)}"
        raise UsageError(msg)


def expect(value: object, kind: type[Any], what: str) -> None:
    """Raise :class:`UsageError` unless *value* is a *kind*: *what* names the argument."""
    if not isinstance(value, kind):
        msg = f"{what} must be a {kind.__name__}, got {describe(value)}"
        raise UsageError(msg)


def _name_is_text(kind: str, name: object) -> None:
    if type(name) is not str:
        msg = f"a {kind} name must be text (str), got {describe(name)}"
        raise UsageError(msg)


def _identifier(name: object) -> bool:
    return isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name)


def _label_problems(kind: str, name: str, en: object, id_: object) -> Iterable[str]:
    for lang, text in (("en", en), ("id", id_)):
        if not isinstance(text, str) or not text.strip():
            yield f"{kind} {name!r} has no {lang!r} label"


def definition_problems(gt: GroupType[Any]) -> list[str]:
    """Every inconsistency of a definition, as readable lines (empty when fine)."""
    problems: list[str] = []
    if not _identifier(gt.name):
        problems.append(f"type name {gt.name!r} is not an identifier")
    problems += _label_problems("type", gt.name, gt.en, gt.id)
    for cls_field in ("data", "founding"):
        cls = getattr(gt, cls_field)
        if not attrs.has(cls):
            problems.append(f"{cls_field} must be an attrs class")
        else:
            problems += field_type_problems(cls, cls_field, stored=True)
    if not _callable(gt.initial_data):
        problems.append("initial_data is not callable")
    if not _is_group_class(gt.group_class):
        problems.append("group_class must be kelompok.Group or a subclass of it")
    fields = {a.name for a in attrs.fields(gt.data)} if attrs.has(gt.data) else set()
    for inv in gt.invariants:
        if not _callable(inv.check):
            problems.append(f"invariant {inv.code!r} has a check that is not callable")
        known = {*fields, "stage", *(e.name for e in gt.events)}
        unknown = sorted(str(name) for name in (inv.reads or ()) if name not in known)
        if unknown:
            problems.append(
                f"invariant {inv.code!r} reads {', '.join(unknown)}, which are neither fields "
                f"of the data class {gt.data.__name__}, nor 'stage', nor events of the type"
            )
        problems += _label_problems("invariant", inv.code, inv.en, inv.id)
    problems += _stage_problems(gt.stages)
    if not gt.stages or gt.stages[0].terminal:  # the graph checks need an initial stage
        return problems
    problems += _event_problems(gt)
    from kelompok._definition.graph import reach_problems, stage_edges  # noqa: PLC0415 -- _graph imports us

    problems += [p.message for p in reach_problems(gt.stages, stage_edges(gt.stages, gt.events))]
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
        problems += _label_problems("stage", stage.name, stage.en, stage.id)
    if not stages or stages[0].terminal:
        problems.append(
            "the first stage must be a live (non-terminal) stage: it is the initial one"
        )
    first_terminal = next((i for i, s in enumerate(stages) if s.terminal), len(stages))
    if any(not s.terminal for s in stages[first_terminal:]):
        problems.append("terminal stages must come after all live stages")
    return problems


def _requirement_problems(event: Event, messages: dict[str, tuple[str, str]]) -> list[str]:
    problems: list[str] = []
    own: set[str] = set()
    for req in event.requires:
        where = f"event {event.name!r}: requirement {req.code!r}"
        if not _callable(req.check):
            problems.append(f"{where} has a check that is not callable")
        if req.code in own:
            problems.append(f"{where} is used twice")
        own.add(req.code)
        problems += _label_problems("requirement", req.code, req.en, req.id)
        if messages.setdefault(req.code, (req.en, req.id)) != (req.en, req.id):
            problems.append(f"requirement code {req.code!r} has two different messages")
    return problems


def _event_problems(gt: GroupType[Any]) -> list[str]:
    problems: list[str] = []
    names: set[str] = set()
    messages: dict[str, tuple[str, str]] = {}
    for event in gt.events:
        where = f"event {event.name!r}"
        if not _identifier(event.name) or event.name.startswith("_"):
            problems.append(f"event name {event.name!r} is not a public identifier")
        if event.name in names:
            problems.append(f"{where} is declared twice")
        names.add(event.name)
        problems += _label_problems("event", event.name, event.en, event.id)
        problems += _after_problems(gt, event)
        if not event.moves:
            problems.append(f"{where} has no moves: it could never be fired")
        if event.payload is not None and not attrs.has(event.payload):
            problems.append(f"{where}: payload must be an attrs class or None")
        elif event.payload is not None:
            problems += field_type_problems(event.payload, f"{where}: payload", stored=False)
            if "actor" in attrs.fields_dict(event.payload):
                problems.append(
                    f"{where}: a payload field may not be called 'actor' (fire takes it)"
                )
        if event.effect is not None and not _callable(event.effect):
            problems.append(f"{where}: effect is not callable")
        problems += _requirement_problems(event, messages)
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


def broken_invariants(group: Group, invariants: Iterable[Invariant], when: str) -> list[Reason]:
    """The reasons of the *invariants* that *group* breaks.

    *when* names the moment in errors: an event's name, ``"load"`` or ``"create"``.

    Raises:
        DefinitionBug: an invariant raised, or answered something other than True or False.
    """
    broken = []
    for invariant in invariants:
        try:
            held: object = invariant.check(group)
        except Exception as exc:
            text = describe_exception(exc)
            what = f"raised {type(exc).__name__}" + (f": {text}" if text else "")
            raise DefinitionBug(when, f"invariant {invariant.code!r}", what) from exc
        if held is False:
            broken.append(Reason(invariant.code, invariant.en, invariant.id))
        elif held is not True:
            what = f"answered {describe(held)}, not True or False"
            raise DefinitionBug(when, f"invariant {invariant.code!r}", what)
    return broken
