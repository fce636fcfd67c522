"""The typed facade over ``transitions``: one shared machine per group type.

Why it looks like this:

* One ``Machine(model=None)`` per *type*, never per group: a machine costs about
  half a millisecond and tens of kilobytes, and ``add_model`` would hold every
  group strongly and cost O(models) per call. Events are fired with
  ``machine.events[name].trigger(model)`` on a scratch model that holds only
  the stage; the machine keeps no reference to it or to the group.
* ``auto_transitions=False``: there is no ``to_<stage>()`` side door.
* Guards are evaluated by kelompok *before* the machine is asked, so a refusal
  lists every unmet requirement instead of being the silent ``False`` that a
  failing ``transitions`` condition returns.
* The machine does the stage change and nothing else: no callbacks are
  registered with it. :meth:`Group.fire` computes the event's effect first,
  asks the machine where it moves, builds the new state, shows it to the
  listeners (so they see the new stage) and commits it in one assignment. If
  anything raises, the group keeps the state it had, so an effect, a listener
  or the machine itself never leaves a half-applied event behind. Callbacks would cost a third of
  ``transitions``' time per event and could only do what the group does anyway.
"""

from __future__ import annotations

import datetime as dt
import operator
import typing
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import attrs
from transitions import Machine

from kelompok._base.entries import changed_entries
from kelompok._base.errors import DefinitionBug
from kelompok._base.scalars import describe, describe_exception
from kelompok._data.convert import converter, document_converter, register_enum
from kelompok._data.exact import converts_freely, exact_check, field_checks
from kelompok._data.immutable import enums_in, value_check
from kelompok._definition.graph import stage_edges

if TYPE_CHECKING:
    from kelompok._definition.parts import Event, Invariant, Stage
    from kelompok._definition.roles import Role
    from kelompok._runtime.group import Listener
    from kelompok._types.group_type import GroupType


class Engine:
    """The compiled, shared runtime of one :class:`GroupType`."""

    __slots__ = (
        "available",
        "checks",
        "chosen",
        "data_fields",
        "edges",
        "entry_exact",
        "events",
        "exact",
        "field_names",
        "group_type",
        "invariants",
        "listeners",
        "live",
        "machine",
        "order",
        "permits",
        "roles",
        "stages",
        "triggers",
        "watch",
    )

    def __init__(self, group_type: GroupType[Any]) -> None:
        self.group_type = group_type
        self.stages: dict[str, Stage] = {s.name: s for s in group_type.stages}
        live = [s.name for s in group_type.stages if not s.terminal]
        self.order: dict[str, int] = {name: i for i, name in enumerate(live)}
        self.live: tuple[str, ...] = tuple(live)
        self.events: dict[str, Event] = {e.name: e for e in group_type.events}
        self.available: dict[str, tuple[str, ...]] = {
            name: tuple(e.name for e in group_type.events if name in e.moves)
            for name in self.stages
        }
        self.machine = Machine(
            model=None,
            states=list(self.stages),
            initial=group_type.initial,
            auto_transitions=False,
            model_attribute="stage",
            name=f"kelompok.{group_type.name}",
        )
        for event in group_type.events:
            for source, dest in event.moves.items():
                self.machine.add_transition(event.name, source, dest)
        self.triggers = {name: self.machine.events[name] for name in self.events}
        self.roles: dict[str, Role] = {r.name: r for r in group_type.roles}
        self.permits = _permits(group_type, self.roles, self.order)
        self.edges = stage_edges(group_type.stages, group_type.events)
        self.listeners: tuple[Listener, ...] = ()
        self.invariants = group_type.invariants
        names = tuple(a.name for a in attrs.fields(group_type.data))
        self.field_names = names
        hints = typing.get_type_hints(group_type.data)
        self.checks = tuple(value_check(hints.get(n, Any)) for n in names)
        self.exact, self.entry_exact = field_checks([hints.get(n, Any) for n in names])
        self.data_fields = operator.attrgetter(*names) if len(names) > 1 else _one(names)
        self.watch = tuple(_watches(i, names) for i in group_type.invariants)
        self.chosen: dict[tuple[tuple[bool, ...], bool, str], tuple[Checking, ...]] = {}
        for cls in (group_type.data, group_type.founding, *(e.payload for e in group_type.events)):
            for kind in enums_in(cls) if cls is not None else ():
                register_enum(kind)
        for data_cls in (group_type.data, group_type.founding):
            converter.get_structure_hook(data_cls)  # compile the cattrs hooks now, not per request
            document_converter.get_structure_hook(data_cls)

    def new_group(
        self, founding: Any, group_id: str | None, created_at: dt.datetime | None = None
    ) -> Any:
        """A new group in the initial stage, made from the type's founding arguments."""
        gt = self.group_type
        if converts_freely(gt.founding) and not exact_check(gt.founding)(founding):
            what = "made founding arguments that do not fit its fields (a converter, default or "
            what += "post-init of its own?)"
            raise DefinitionBug("create", "the founding class", what)
        try:
            data = gt.initial_data(founding)
        except Exception as exc:
            text = describe_exception(exc)
            what = f"raised {type(exc).__name__}" + (f": {text}" if text else "")
            raise DefinitionBug("create", "initial_data", what) from exc
        if type(data) is not gt.data:
            what = f"returned {describe(data)}, not a {gt.data.__name__}"
            raise DefinitionBug("create", "initial_data", what)
        misfits = self.inexact(None, data, None)
        if misfits:
            what = f"stored values that do not fit their fields: {', '.join(misfits)}"
            raise DefinitionBug("create", "initial_data", what)
        return gt.group_class._build(  # noqa: SLF001
            group_type=gt,
            group_id=group_id if group_id is not None else uuid.uuid4().hex,
            created_at=created_at or dt.datetime.now(dt.timezone.utc),
            stage=gt.initial,
            version=0,
            data=data,
            history=[],
            peak=0,
            founding=founding,
        )

    def move(self, stage: str, event: str) -> str:
        """The stage the shared machine moves to from *stage* along *event* (guards passed).

        The machine moves a scratch model, not the group: the group changes in
        one step later, when the whole event is known to apply.
        """
        model = _Model(stage)
        if not self.triggers[event].trigger(model):  # pragma: no cover -- a kelompok bug
            msg = f"transitions refused {event!r} in {stage!r} after its guards"
            raise AssertionError(msg)
        return model.stage

    def changes(self, old: Any, new: Any) -> tuple[bool, ...]:
        """For each field of the data, whether *new* holds another object than *old*."""
        if old is new:
            return ()
        return tuple(map(operator.is_not, self.data_fields(old), self.data_fields(new)))

    def misfits(self, new: Any, changed: tuple[bool, ...] | None = None) -> list[str]:
        """The fields of data *new* (the *changed* ones, or all) whose value misfits its type."""
        if changed is None:
            values = zip(self.field_names, self.checks, self.data_fields(new), strict=True)
            return [name for name, check, value in values if not check(value)]
        # an event changes a field or two: read only those, not the whole data again
        return [
            self.field_names[i]
            for i, moved in enumerate(changed)
            if moved and not self.checks[i](getattr(new, self.field_names[i]))
        ]

    def inexact(
        self,
        old: Any,
        new: Any,
        changed: tuple[bool, ...] | None,
        entries: dict[str, list[tuple[Any, Any]]] | None = None,
    ) -> list[str]:
        """The fields of data *new* that do not hold their type at every level (guarantees §1).

        Only the *changed* fields (all, when it is ``None``) are read; of a map or a
        sequence that *old* held too, only the entries that changed since, which are
        kept in *entries* by field for the invariants' entry checks to read.
        """
        entries = {} if entries is None else entries
        names = self.field_names
        found = []
        for i in range(len(names)) if changed is None else (i for i, m in enumerate(changed) if m):
            name = names[i]
            value = getattr(new, name)
            tests = self.entry_exact[i]
            if tests is None or old is None or not self.checks[i](value):
                if not self.exact[i](value):
                    found.append(name)
                continue
            key, item = tests
            pairs = entries[name] = list(changed_entries(getattr(old, name), value))
            if not all(key(k) and item(v) for k, v in pairs):
                found.append(name)
        return found

    def invariants_to_check(
        self,
        changed: tuple[bool, ...],
        stage_moved: bool,  # noqa: FBT001
        event: str,
    ) -> tuple[Checking, ...]:
        """The invariants that *event* may have broken, having *changed* these fields.

        Each with what to check of it: its check of the whole group, and which
        entries (none, all, or only those of one field that changed). The answer
        depends only on which fields changed, whether the stage did and the
        event, so it is remembered for each such combination.
        """
        if not self.invariants:
            return ()
        key = (changed, stage_moved, event)
        found = self.chosen.get(key)
        if found is None:
            found = tuple(
                checking
                for invariant, watches in zip(self.invariants, self.watch, strict=True)
                if (checking := _checking(invariant, *watches, key)) is not None
            )
            if len(self.chosen) >= 4096:  # a bound, whatever a type's effects do
                self.chosen.clear()
            self.chosen[key] = found
        return found


ALL_ENTRIES: Final = -1
"""``Checking.entries``: check every entry of the invariant's collection."""
NO_ENTRIES: Final = -2
"""``Checking.entries``: check no entry (the invariant has none, or none may have changed)."""


class Checking(NamedTuple):
    """What ``fire`` checks of one invariant after one event."""

    invariant: Invariant
    whole: bool  # its check of the whole group
    entries: int  # ALL_ENTRIES, NO_ENTRIES, or the index of the field: only its changed entries
    keyed: tuple[int, ...] = ()  # which of its entry_keys changed: the entries naming them too


Watch = tuple[bool, bool, tuple[int, ...], frozenset[str]]
"""What a check reads, as ``fire`` tests it: (after every event, the stage, the indices
of the data fields, the events whose count it reads)."""


def _hit(watch: Watch | None, key: tuple[tuple[bool, ...], bool, str]) -> bool:
    if watch is None:
        return False
    always, stage, fields, events = watch
    changed, stage_moved, event = key
    return (
        always
        or (stage and stage_moved)
        or event in events
        or any(changed[i] for i in fields if changed)
    )


def _checking(  # noqa: PLR0913, PLR0917 -- the watches of one invariant, and what changed
    invariant: Invariant,
    whole: Watch | None,
    entry: Watch | None,
    each: int,
    keyed: tuple[int, ...],
    key: tuple[tuple[bool, ...], bool, str],
) -> Checking | None:
    changed = key[0]
    moved = tuple(j for j, field in enumerate(keyed) if changed and changed[field])
    if entry is None:
        entries = NO_ENTRIES
    elif _hit(entry, key):
        entries = ALL_ENTRIES
    elif (changed and changed[each]) or moved:
        entries = each
    else:
        entries = NO_ENTRIES
    check_whole = _hit(whole, key)
    if not check_whole and entries == NO_ENTRIES:
        return None
    return Checking(invariant, check_whole, entries, moved)


Permits = dict[str, dict[str, tuple["Role", ...]]]
"""event -> live stage -> the roles that may fire it there (under a policy)."""


def _permits(
    group_type: GroupType[Any], roles: dict[str, Role], order: dict[str, int]
) -> Permits | None:
    """Who may fire each event in each live stage; ``None`` for a type without a policy."""
    policy = group_type.policy
    if policy is None:
        return None
    return {
        event.name: {
            stage: tuple(roles[name] for name in policy.roles_for(event.name, stage))
            for stage in event.moves
            if stage in order
        }
        for event in group_type.events
    }


def _one(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    getter = operator.attrgetter(*names) if names else (lambda _data: None)
    return lambda data: (getter(data),) if names else ()


def _watch(reads: frozenset[str] | None, names: tuple[str, ...]) -> Watch:
    """What a check that declares *reads* reads (see :data:`Watch`)."""
    if reads is None:
        return True, True, (), frozenset()
    return (
        False,
        "stage" in reads,
        tuple(i for i, name in enumerate(names) if name in reads),
        reads,
    )


def _watches(
    invariant: Invariant, names: tuple[str, ...]
) -> tuple[Watch | None, Watch | None, int, tuple[int, ...]]:
    """The watches of *invariant*'s whole check and entry check, and two indices.

    The index of its collection among the data's fields, and of each map its entry
    check reads by key.
    """
    whole = _watch(invariant.reads, names) if invariant.check is not None else None
    if invariant.entry is None or invariant.each is None:
        return whole, None, NO_ENTRIES, ()
    keyed = tuple(name for name, _ in invariant.entry_keys)
    reads = invariant.entry_reads
    plain = None if reads is None else reads - set(keyed)
    fields = tuple(names.index(name) for name in keyed)
    return whole, _watch(plain, names), names.index(invariant.each), fields


class _Model:
    """What ``transitions`` moves: a stage and nothing else."""

    __slots__ = ("stage",)

    def __init__(self, stage: str) -> None:
        self.stage = stage
