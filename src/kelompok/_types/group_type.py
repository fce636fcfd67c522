"""``GroupType``: a definition put together, checked, compiled, and the factory of its groups.

A :class:`GroupType` is a declaration, immutable once built, and checked when it
is built (:func:`kelompok._definition.problems.definition_problems`). Building
it also compiles the one ``transitions.Machine`` that every group of the type
shares (:class:`kelompok._runtime.engine.Engine`). It sits above the runtime and
the codec because it is where they meet: ``create`` makes groups, ``load``
reads documents, and a group asks its type for its document and its pickle.

The registry of types by name is here too, for :func:`load` and for unpickling;
:mod:`kelompok._types.registry` is its public face.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar, cast

import attrs

from kelompok._base.errors import (
    CreationRefused,
    DefinitionBug,
    DefinitionError,
    InvalidGroupData,
    InvalidValue,
    KelompokError,
    UnknownEvent,
    UnknownGroupType,
    UnknownStage,
)
from kelompok._base.registry import Registry
from kelompok._base.scalars import describe, exact_group_id
from kelompok._base.text import Reason, Text, as_text, at_field, msg
from kelompok._codec import document as codec
from kelompok._codec.document import SCHEMA_VERSION, dump, dump_and_remember, load_document
from kelompok._codec.json_bytes import decode_document, encode_document
from kelompok._data.convert import structure_or_reasons
from kelompok._data.schema import document_schema
from kelompok._definition.derive import apply_changes, derived_policy, derived_roles
from kelompok._definition.parts import (
    Event,
    Invariant,
    Stage,
    check_listener,
    name_is_text,
    parts_of,
    text_name,
)
from kelompok._definition.problems import definition_problems, part_problems
from kelompok._definition.roles import Policy, PolicyGiven, Role, read_policy, role_problems
from kelompok._definition.texts import read_translations, translate, translation_problems
from kelompok._runtime.checks import broken_invariants
from kelompok._runtime.engine import Engine
from kelompok._runtime.group import Group

if TYPE_CHECKING:
    from kelompok._definition.derive import Change
    from kelompok._runtime.group import Listener
    from kelompok._runtime.history import HistoryRecord
    from kelompok._runtime.state import State

G = TypeVar("G", bound=Group)

ENTRY_POINT_GROUP: Final = "kelompok.group_types"

_listeners_lock = threading.Lock()


def _stages(items: Iterable[Stage]) -> tuple[Stage, ...]:
    return parts_of("stages", items)


def _events(items: Iterable[Event]) -> tuple[Event, ...]:
    return parts_of("events", items)


def _invariants(items: Iterable[Invariant]) -> tuple[Invariant, ...]:
    return parts_of("invariants", items)


def _roles(items: Iterable[Role]) -> tuple[Role, ...]:
    return parts_of("roles", items)


def _policy(value: Policy | PolicyGiven | None) -> Policy | None:
    """The policy as given: ``__attrs_post_init__`` resolves it against the stages and events."""
    return cast("Policy | None", value)


def _is_group_class(value: object) -> bool:
    return isinstance(value, type) and issubclass(value, Group)


def _is_mapping(value: object) -> bool:
    return isinstance(value, Mapping)


@attrs.frozen(eq=False)
class GroupType(Generic[G]):
    """The immutable definition of a kind of group, and the factory of its groups.

    Args:
        name: unique name, e.g. ``"professional"``; stored in documents.
        label: what users see: English text, or ``{language: text}`` (key
            ``"type"`` in translations); ``group_type.label("id")`` reads it.
        stages: live stages in their order (the first is the initial one),
            then any terminal stages.
        events: the events.
        data: attrs class of the group's data (serialised by cattrs).
        founding: attrs class of the arguments of :meth:`create`.
        initial_data: ``initial_data(founding) -> data``.
        group_class: the :class:`~kelompok.Group` subclass to instantiate.
        invariants: facts about the data that every document must satisfy.
        translations: more languages for the texts, ``{language: {key: text}}``
            (see :mod:`kelompok._definition.texts` for the keys). Every text must
            have English and Indonesian, inline or here.
        roles: the :class:`~kelompok.Role` s the policy names.
        policy: who may fire which event: ``{event: [role names]}``, or
            ``{event: {stage: [role names]}}`` for roles from a stage on (until
            the next stage named). With a policy, every event is refused to an
            actor who holds none of its roles now, and to a missing actor;
            an event it does not name is refused to everyone. ``None`` (the
            default): the actor is only recorded (docs/model.md §6).

    The parts read back (``stages``, ``events``, ``invariants``) carry the
    translations in their texts.

    Raises:
        DefinitionError: listing every problem, when the definition is inconsistent.
    """

    name: str = attrs.field(validator=text_name("group type"))
    label: Text = attrs.field(converter=as_text)
    stages: tuple[Stage, ...] = attrs.field(converter=_stages)
    events: tuple[Event, ...] = attrs.field(converter=_events)
    data: type[Any]
    founding: type[Any]
    initial_data: Callable[[Any], Any]
    group_class: type[G]
    invariants: tuple[Invariant, ...] = attrs.field(default=(), converter=_invariants)
    translations: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict)
    roles: tuple[Role, ...] = attrs.field(default=(), converter=_roles, kw_only=True)
    policy: Policy | None = attrs.field(default=None, converter=_policy, kw_only=True)
    _engine: Engine = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        translations, problems = read_translations(self.translations)
        object.__setattr__(self, "translations", translations)
        problems += part_problems(self.stages, self.events, self.invariants)
        roles = [] if problems else role_problems(self.roles, self.stages)
        if problems or not all(isinstance(r, Role) for r in self.roles):
            # the parts cannot even be read: say so before anything reads them
            raise DefinitionError(self.name, problems + roles)
        parts = translate(
            self.label, self.stages, self.events, self.invariants, translations, roles=self.roles
        )
        object.__setattr__(self, "label", parts.label)
        object.__setattr__(self, "stages", parts.stages)
        object.__setattr__(self, "events", parts.events)
        object.__setattr__(self, "invariants", parts.invariants)
        object.__setattr__(self, "roles", parts.roles)
        policy, problems = read_policy(self.policy, parts.stages, parts.events, parts.roles)
        object.__setattr__(self, "policy", policy)
        problems = (
            roles + problems + definition_problems(self) + translation_problems(parts, translations)
        )
        if not _is_group_class(self.group_class):
            problems.append("group_class must be kelompok.Group or a subclass of it")
        if problems:
            raise DefinitionError(self.name, problems)
        object.__setattr__(self, "_engine", Engine(self))

    # -- reading the definition ---------------------------------------------------

    @property
    def initial(self) -> str:
        """The name of the initial stage."""
        return self.stages[0].name

    def stage(self, name: str) -> Stage:
        """Return the stage called *name*.

        Raises:
            UnknownStage: the type has no such stage (also a ``KeyError``).
        """
        name_is_text("stage", name)
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
            name_is_text("event", name)
            raise UnknownEvent(name, self.name, list(self._engine.events)) from None

    def order(self, stage: str) -> int | None:
        """Position of a live stage in the order, ``None`` for a terminal stage."""
        try:
            return self._engine.order.get(stage)
        except TypeError:  # unhashable
            name_is_text("stage", stage)
            raise

    def events_from(self, stage: str) -> tuple[str, ...]:
        """Names of the events that the stage alone allows."""
        name_is_text("stage", stage)
        return self._engine.available.get(stage, ())

    # -- making groups --------------------------------------------------------------

    def create(self, *, id: str | None = None, **founding: Any) -> G:  # noqa: A002 -- the public contract names it id
        """Create a new group of this type in the initial stage.

        Args:
            id: the group's id: 1 to 128 of ``A-Z a-z 0-9 . _ ~ -``, starting
                with a letter or a digit; 32 random hexadecimal digits when omitted.
            **founding: the fields of the type's founding class (for the built-ins:
                ``name``, and ``profession`` for professional groups).

        Raises:
            CreationRefused: the arguments are missing, unknown or invalid;
                ``.reasons`` lists every problem.
        """
        args, problems = structure_or_reasons(founding, self.founding, code="create")
        if id is not None:
            try:
                id = exact_group_id(id)  # noqa: A001 -- the exact str, not a subclass
            except InvalidValue as exc:
                problems.append(Reason("create.invalid", at_field("id", exc.text), "id"))
        if problems:
            raise CreationRefused(self.name, problems)
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
        label: Text | str | Mapping[str, str],
        *changes: Change,
        data: type[Any] | None = None,
        founding: type[Any] | None = None,
        initial_data: Callable[[Any], Any] | None = None,
        invariants: Iterable[Invariant] = (),
        replace_invariants: bool = False,
        translations: Mapping[str, Mapping[str, str]] | None = None,
        roles: Iterable[Role] = (),
        policy: PolicyGiven | None = None,
        replace_policy: bool = False,
    ) -> GroupType[G]:
        """A new type made from this one by *changes*; this one is never modified.

        Args:
            name: the new type's name.
            label: its label (English text, or ``{language: text}``).
            *changes: from :func:`kelompok.insert_stage`, :func:`kelompok.add_event`,
                :func:`kelompok.add_requirement`, :func:`kelompok.replace_requirement`,
                :func:`kelompok.drop_requirement`, :func:`kelompok.add_invariant`,
                :func:`kelompok.drop_invariant` and :func:`kelompok.relabel`.
            data: a new data class (for example a subclass of the parent's, with
                fields of your own); the parent's by default.
            founding: a new class of ``create()`` arguments.
            initial_data: a new ``founding -> data`` function.
            invariants: invariants added to the parent's.
            replace_invariants: start from *invariants* alone, without the
                parent's (say it when a new data class makes them meaningless).
            translations: more languages for the new type's texts; the
                parent's texts keep the languages they have.
            roles: roles added to the parent's (one of the same name replaces it).
            policy: events whose roles change, as in :class:`GroupType`: each
                event named replaces the parent's entry for it; the others keep
                theirs. A parent without a policy gets this one.
            replace_policy: start from *policy* alone; with ``policy=None`` the
                new type has no policy at all.

        Raises:
            DefinitionError: a change names a stage, event or requirement that does
                not exist, or the result is not a valid definition.
        """
        given = parts_of("invariants", invariants)
        start = given if replace_invariants else (*self.invariants, *given)
        stages, events, kept = apply_changes(name, self.stages, self.events, start, changes)
        return GroupType(
            name=name,
            label=label,
            stages=stages,
            events=events,
            data=data if data is not None else self.data,
            founding=founding if founding is not None else self.founding,
            initial_data=initial_data if initial_data is not None else self.initial_data,
            group_class=self.group_class,
            invariants=kept,
            translations=translations or {},
            roles=derived_roles(self.roles, parts_of("roles", roles)),
            policy=derived_policy(self.policy, policy, replace=replace_policy),
        )

    def load(self, document: Mapping[str, Any], *, replay: bool = False) -> G:
        """:func:`load` for documents of this type, typed as this type's groups.

        Raises:
            InvalidGroupData: as :func:`kelompok.load`, and when the document is of
                another type.
        """
        if _is_mapping(document) and document.get("type") != self.name:
            shown = describe(document.get("type"))
            problem = Reason(
                "document.type",
                msg(
                    "document.type_expected",
                    "type: is {shown}, expected {name!r}",
                    shown=shown,
                    name=self.name,
                ),
                "type",
            )
            raise InvalidGroupData("Cannot load this group document", [problem])
        return cast("G", load_document(document, self._only_this, replay=replay))

    def load_json(self, data: bytes | str, *, replay: bool = False) -> G:
        """:meth:`load` of a document stored as JSON text (see :func:`kelompok.load_json`)."""
        return self.load(decode_document(data), replay=replay)

    def _only_this(self, name: str) -> GroupType[Any]:
        """This type, if *name* is its name (a mapping may answer "type" differently twice)."""
        if name != self.name:
            error = f"a {self.name} group was expected, this document is of type {describe(name)}"
            raise KelompokError(error)
        return self

    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema (draft 2020-12) of this type's documents, as a JSON-ready dict.

        Each event's payload has its own: ``group_type.event(name).json_schema()``.
        """
        return document_schema(
            type_name=self.name,
            stages=[s.name for s in self.stages],
            live=[s.name for s in self.stages if not s.terminal],
            events=[e.name for e in self.events],
            data=self.data,
            founding=self.founding,
            schema_version=SCHEMA_VERSION,
        )

    # -- the hooks of Group: documents and pickling live above the runtime --------

    def _document(
        self, group: G, state: State, *, remember: bool, history: bool = True
    ) -> dict[str, Any]:
        """The document of *group* in *state*; remembered as a known document if asked."""
        if remember:
            return dump_and_remember(group, state, history=history)
        return dump(group, state, history=history)

    def _json(self, group: G, state: State, *, remember: bool, history: bool) -> bytes:
        """The document of *group* in *state* as JSON bytes (how ``Group.to_json`` writes it).

        The document is encoded at once and dropped, so it holds the records' own
        payloads instead of copies.
        """
        if remember:
            return encode_document(dump_and_remember(group, state, history=history, shared=True))
        return encode_document(dump(group, state, history=history, shared=True))

    def _reduce_group(self, group: G) -> tuple[Any, ...]:
        """How *group* pickles: as its document, loaded by type name when unpickled."""
        return (load, (group.to_dict(),))

    def __repr__(self) -> str:
        return f"<GroupType {self.name!r}: {len(self.stages)} stages, {len(self.events)} events>"


REGISTRY: Final[Registry[GroupType[Any]]] = Registry(
    GroupType,
    "group type",
    ENTRY_POINT_GROUP,
    name_of=lambda group_type: group_type.name,
    unknown=UnknownGroupType,  # type: ignore[arg-type]
)
"""Every group type by name: the built-ins, the registered ones, and plugins."""


def load(document: Mapping[str, Any], *, replay: bool = False) -> Group:
    """Rebuild a group from a document made by :meth:`Group.to_dict`.

    The document's ``type`` is looked up by name among the registered types (and
    installed plugins); nothing a document names is ever imported.

    Args:
        document: the dict (for example ``json.loads`` of what was stored).
        replay: also fire every recorded event again, from the founding
            arguments, and require the result to be the stored data. This
            re-checks every payload and requirement, so it catches data that
            was edited to agree with its stage (a member who never passed
            selection). Use it for documents from outside your own store;
            it costs one event per history record.

    Raises:
        InvalidGroupData: the document is malformed, of an unknown type, or its
            stage, history and data could not have come from firing events;
            ``.problems`` lists every problem with the field it is in.

    With :data:`kelompok.known_documents` on (it is off by default), a
    document that is exactly one this process made with ``to_dict()`` is not
    checked again: ``load`` returns a copy of the group that made it.
    """
    return load_document(document, REGISTRY.get, replay=replay)


def load_json(data: bytes | str, *, replay: bool = False) -> Group:
    """:func:`load` of a document stored as JSON text (bytes in UTF-8, or ``str``).

    The document is parsed by ``orjson`` when it is installed (``kelompok[fast]``),
    else by the standard library, held to the same rules: text that is not JSON,
    ``NaN`` and ``Infinity`` are refused with :class:`InvalidGroupData` like any
    other problem of the document.
    """
    return load_document(decode_document(data), REGISTRY.get, replay=replay)


def checked_load(document: Mapping[str, Any], *, replay: bool = False) -> Group:
    """:func:`load` without asking :data:`kelompok.known_documents`: every check, every time."""
    return codec.checked_load(document, REGISTRY.get, replay=replay)
