"""Test kit: hypothesis strategies and a ready lifecycle test for any group type.

Three lines give a custom group type the same proof the built-ins have, that no
illegal stage ordering is reachable::

    from hypothesis import strategies as st
    from kelompok.testing import lifecycle_test

    TestKoperasi = lifecycle_test(KOPERASI, {"join": st.fixed_dictionaries({...})})

The test fires random events with payloads drawn from your strategies (or, for
events you leave out, from their payload classes), stores and reloads the group
between steps as a web backend does, makes listeners raise, and after every step
checks the lifecycle invariants with :func:`spec_problems`: every stage change
a declared edge, stages first entered in their order, nothing after a terminal
stage, the type's invariants, refusals that change nothing. It needs ``hypothesis``
(``pip install "kelompok[test]"``).
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import unittest
from collections import abc
from collections.abc import Callable, Mapping
from types import UnionType
from typing import Any, ClassVar, Union, get_args, get_origin, get_type_hints

import attrs
from hypothesis import reject, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from kelompok._base.errors import (
    CreationRefused,
    DefinitionBug,
    InvalidGroupData,
    TransitionNotAllowed,
)
from kelompok._formation.values import Division, Member, PartnerRef, Program
from kelompok._runtime.group import Group
from kelompok._runtime.history import HistoryRecord
from kelompok._types.group_type import GroupType, checked_load, load

__all__ = [
    "ActorSource",
    "LifecycleMachine",
    "PayloadSource",
    "divisions",
    "lifecycle_machine",
    "lifecycle_test",
    "members",
    "partner_refs",
    "programs",
    "spec_problems",
    "texts",
]

PayloadSource = (
    st.SearchStrategy[Mapping[str, Any]] | Callable[[Any], st.SearchStrategy[Mapping[str, Any]]]
)
"""A payload strategy, or a function of the group (to draw ids it already has) returning one."""

ActorSource = st.SearchStrategy[str | None] | Callable[[Any], st.SearchStrategy[str | None]]
"""An actor strategy, or a function of the group (to draw its members, officers) returning one."""

# -- strategies for the value types ---------------------------------------------------


def texts(*, blank: bool = False) -> st.SearchStrategy[str]:
    """Short readable texts; with ``blank=True`` also empty and white-space ones."""
    words = st.sampled_from(["support", "river", "health", "gotong royong", "kali", "x"])
    nonblank = words | st.text(st.characters(codec="utf-8"), min_size=1, max_size=8).filter(
        str.strip
    )
    return nonblank | st.sampled_from(["", " ", "\t"]) if blank else nonblank


_ids = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=6)


def members(
    *, ids: st.SearchStrategy[str] = _ids, profession: st.SearchStrategy[str | None] | None = None
) -> st.SearchStrategy[Member]:
    """:class:`~kelompok.Member` values."""
    jobs = profession if profession is not None else st.none() | texts()
    return st.builds(Member, id=ids, name=texts(), profession=jobs)


def divisions(
    *,
    names: st.SearchStrategy[str] | None = None,
    heads: st.SearchStrategy[str | None] | None = None,
) -> st.SearchStrategy[Division]:
    """:class:`~kelompok.Division` values."""
    return st.builds(
        Division,
        name=names if names is not None else texts(),
        responsibility=texts(),
        head=heads if heads is not None else st.none(),
    )


def programs(
    *,
    ids: st.SearchStrategy[str] = _ids,
    kinds: st.SearchStrategy[str] | None = None,
    division_names: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[Program]:
    """:class:`~kelompok.Program` values."""
    return st.builds(
        Program,
        id=ids,
        name=texts(),
        kind=kinds if kinds is not None else st.sampled_from(["training", "seminar", "other"]),
        division=division_names if division_names is not None else texts(),
        activities=st.lists(texts(), min_size=1, max_size=3),
    )


def partner_refs(
    *, types: st.SearchStrategy[str] | None = None, stages: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[PartnerRef]:
    """:class:`~kelompok.PartnerRef` values."""
    return st.builds(
        PartnerRef,
        id=_ids,
        name=texts(),
        type=types if types is not None else texts(),
        stage=stages if stages is not None else texts(),
    )


def _strategy_for(hint: Any) -> st.SearchStrategy[Any]:  # noqa: C901, PLR0911 -- a case per kind
    """Plain data of type *hint*: what a JSON payload could hold (attrs classes as dicts)."""
    origin, args = get_origin(hint), get_args(hint)
    if hint is str:
        return texts(blank=True)
    if hint is bool:
        return st.booleans()
    if hint is int:
        return st.integers(min_value=-2, max_value=120)
    if hint is dt.date:
        return st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1))
    if hint is type(None):
        return st.none()
    if attrs.has(hint):
        return _fields_of(hint)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return st.lists(_strategy_for(args[0]), max_size=3)
    if origin in (list, abc.Sequence):
        return st.lists(_strategy_for(args[0]), max_size=3)
    if origin in (dict, abc.Mapping):
        return st.dictionaries(_strategy_for(args[0]), _strategy_for(args[1]), max_size=3)
    if origin in (Union, UnionType):
        return st.one_of(*(_strategy_for(a) for a in args))
    return st.from_type(hint)


def _fields_of(cls: type[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Field dicts for an attrs class, each value drawn from the field's type."""
    hints = get_type_hints(cls)
    fields = [f for f in attrs.fields(cls) if f.init]
    required = {f.name: _strategy_for(hints[f.name]) for f in fields if f.default is attrs.NOTHING}
    optional = {
        f.name: _strategy_for(hints[f.name]) for f in fields if f.default is not attrs.NOTHING
    }
    return st.fixed_dictionaries(required, optional=optional)


# -- the lifecycle invariants, for any group ------------------------------------------------


def _step_problems(group: Group, i: int, record: HistoryRecord, stage: str, peak: int) -> list[str]:
    gt = group.type
    where = f"history[{i}] ({record.event!r})"
    problems: list[str] = []
    if gt.stage(stage).terminal:
        problems.append(f"{where} comes after the terminal stage {stage!r}")
    if record.source != stage:
        problems.append(f"{where} starts in {record.source!r}; the step before ended in {stage!r}")
    event = gt.event(record.event)
    if (
        record.source not in event.moves
        or (event.moves[record.source] or record.source) != record.dest
    ):
        problems.append(f"{where} does not lead {record.source!r} -> {record.dest!r}")
    source, dest = gt.order(record.source), gt.order(record.dest)
    if record.source != record.dest and dest is not None and source is not None:
        if dest > source + 1 or (dest < source and not event.back):
            problems.append(f"{where}: {record.source!r} -> {record.dest!r} is no declared edge")
        if dest > peak + 1:
            problems.append(f"{where} enters {record.dest!r} before the stages before it")
    if record.at.utcoffset() != dt.timedelta(0):
        problems.append(f"{where}.at is not UTC: {record.at!r}")
    try:
        json.dumps(dict(record.payload))
    except (TypeError, ValueError) as exc:
        problems.append(f"{where}.payload is not JSON: {exc}")
    return problems


def spec_problems(group: Group) -> list[str]:
    """Everything in *group* that breaks the lifecycle invariants; ``[]`` when nothing does.

    Checks that every stage change in the history is a declared edge, that stages
    are first entered in their order, that nothing follows a terminal stage, that
    the type's invariants hold, that ``version`` counts the history, and that the
    group survives ``to_dict`` / ``load`` unchanged (with every check of ``load``:
    the document is not taken from :data:`kelompok.known_documents`).
    """
    gt = group.type
    problems: list[str] = []
    stage, peak = gt.initial, 0
    for i, record in enumerate(group.history):
        problems += _step_problems(group, i, record, stage, peak)
        order = gt.order(record.dest)
        if order is not None:
            peak = max(peak, order)
        stage = record.dest
    if stage != group.stage:
        problems.append(f"stage is {group.stage!r} but the history ends in {stage!r}")
    if group.version != len(group.history):
        problems.append(f"version is {group.version} for {len(group.history)} history records")
    if gt.stage(group.stage).terminal and group.available_events():
        problems.append(f"events are still available in terminal stage {group.stage!r}")
    problems += [f"invariant {i.code!r} is broken" for i in gt.invariants if not i.holds(group)]
    document = group.to_dict()
    try:
        again = checked_load(json.loads(json.dumps(document))).to_dict()
    except InvalidGroupData as exc:
        problems.append(f"load() refuses the group's own document: {exc}")
    else:
        if again != document:
            problems.append("load(to_dict()) is not the same group")
    return problems


# -- the lifecycle machine ----------------------------------------------------------------------


class _Boom(Exception):
    """Raised by a listener on purpose."""


def _snapshot(group: Group) -> tuple[dict[str, Any], int]:
    return group.to_dict(), group.version


class LifecycleMachine(RuleBasedStateMachine):
    """A hypothesis state machine driving one group of ``group_type`` with random events.

    Subclass it (or use :func:`lifecycle_machine`) and set ``group_type``,
    ``payloads``, ``founding`` and ``actors``; override :meth:`judge` to also
    predict each outcome.
    """

    group_type: ClassVar[GroupType[Any]]
    payloads: ClassVar[Mapping[str, PayloadSource]] = {}
    founding: ClassVar[st.SearchStrategy[Mapping[str, Any]] | None] = None
    actors: ClassVar[ActorSource | None] = None

    group: Group

    @initialize(data=st.data())
    def create(self, data: st.DataObject) -> None:
        """A new group from drawn founding arguments (drawings it refuses are skipped)."""
        founding = (
            self.founding if self.founding is not None else _fields_of(self.group_type.founding)
        )
        try:
            group = self.group_type.create(**data.draw(founding, label="founding"))
        except CreationRefused:
            reject()  # this drawing is not a usable example
        self.adopt(group)

    def adopt(self, group: Group) -> None:
        """Make *group* the one under test (after creating or reloading it).

        Override to subscribe listeners of your own; call ``super().adopt(group)``.
        """
        self.group = group

    def draw_event(self, data: st.DataObject) -> tuple[str, dict[str, Any]]:
        """An event (mostly one the stage allows) and a payload for it."""
        available = self.group.available_events()
        every = [e.name for e in self.group_type.events]
        names = st.sampled_from(available) if available else st.sampled_from(every)
        name = data.draw(names | st.sampled_from(every) if available else names, label="event")
        source = self.payloads.get(name)
        spec = self.group_type.event(name)
        if source is None:
            strategy: st.SearchStrategy[Mapping[str, Any]] = (
                _fields_of(spec.payload) if spec.payload is not None else st.just({})
            )
        else:
            strategy = source(self.group) if callable(source) else source
        return name, dict(data.draw(strategy, label="payload"))

    def draw_actor(self, data: st.DataObject) -> str | None:
        """Who fires the next event: drawn from ``actors`` (random texts or none by default)."""
        source: Any = inspect.getattr_static(type(self), "actors", None)  # not a bound method
        if isinstance(source, staticmethod):
            source = source.__func__
        if source is None:
            source = st.none() | texts()
        strategy: st.SearchStrategy[str | None] = source(self.group) if callable(source) else source
        actor: str | None = data.draw(strategy, label="actor")
        return actor

    def judge(
        self, event: str, payload: Mapping[str, Any], before: dict[str, Any], *, applied: bool
    ) -> None:
        """Hook for subclasses: assert that *applied* is what the rules predict."""

    @rule(data=st.data())
    def fire(self, data: st.DataObject) -> None:
        """Fire a random event: applied completely, or refused with reasons and no change.

        Under the type's policy, an event applied was fired by an actor who held
        one of the roles the policy gives it in that stage, before the event.
        """
        g = self.group
        name, payload = self.draw_event(data)
        actor = self.draw_actor(data)
        before = _snapshot(g)
        reasons = g.why_not(name, payload, actor=actor)
        assert (not reasons) == g.can(name, payload, actor=actor)
        may = _may_fire(g, name, actor)
        try:
            g.fire(name, actor=actor, **payload)
        except TransitionNotAllowed as err:
            assert err.reasons, "a refusal must say why"
            assert [r.code for r in reasons] == [r.code for r in err.reasons], (
                f"why_not and fire disagree on {name!r}"
            )
            assert before == _snapshot(g), f"refused {name!r} changed the group"
            self.judge(name, payload, before[0], applied=False)
            return
        except DefinitionBug as err:
            assert before == _snapshot(g), f"{name!r} changed the group although it failed"
            msg = f"{name!r} found a bug in the group type: {err}"
            raise AssertionError(msg) from err
        assert [] == reasons, f"{name!r} was applied although why_not gave {reasons}"
        assert may, f"{actor!r} fired {name!r} though the policy gives it none of its roles"
        assert before[1] + 1 == g.version, f"{name!r} did not add one to the version"
        record = g.history[-1]
        assert (name, actor) == (record.event, record.actor)
        self.judge(name, payload, before[0], applied=True)

    @rule(data=st.data())
    def raising_listener_undoes(self, data: st.DataObject) -> None:
        """A listener that raises leaves the group exactly as it was."""
        g = self.group
        name, payload = self.draw_event(data)
        actor = self.draw_actor(data)
        before = _snapshot(g)

        def listener(_group: Group, record: HistoryRecord) -> None:
            raise _Boom(record.event)

        unsubscribe = g.subscribe(listener)
        try:
            g.fire(name, payload, actor=actor)
        except (_Boom, TransitionNotAllowed):
            pass
        except DefinitionBug as err:
            msg = f"{name!r} found a bug in the group type: {err}"
            raise AssertionError(msg) from err
        else:  # pragma: no cover -- would be a kelompok bug
            msg = "an event was applied although its listener raised"
            raise AssertionError(msg)
        finally:
            unsubscribe()
        assert before == _snapshot(g), f"a raising listener left {name!r} applied"

    @rule()
    def store_and_reload(self) -> None:
        """Between requests a backend keeps only the document: continue from it."""
        document = json.loads(json.dumps(self.group.to_dict()))
        again = load(document, replay=True)
        assert document == again.to_dict(), "load(replay=True) changed the group"
        self.adopt(again)

    @invariant()
    def spec_section_4_holds(self) -> None:
        """No illegal stage ordering, no broken invariant, no side door."""
        if hasattr(self, "group"):
            problems = spec_problems(self.group)
            assert not problems, "lifecycle invariants broken:\n  " + "\n  ".join(problems)
            try:
                self.group.stage = "x"  # type: ignore[misc]
            except AttributeError:
                pass
            else:  # pragma: no cover -- would be a kelompok bug
                msg = "group.stage could be assigned"
                raise AssertionError(msg)
            stages = {s.name for s in self.group_type.stages}
            assert not [s for s in stages if hasattr(self.group, f"to_{s}")]


def _may_fire(group: Group, event: str, actor: str | None) -> bool:
    """Whether *actor* holds a role the type's policy gives *event* now (always without one)."""
    policy = group.type.policy
    if policy is None:
        return True
    if actor is None or group.stage not in group.type.event(event).moves:
        return False
    return bool(set(policy.roles_for(event, group.stage)) & set(group.roles_of(actor)))


def lifecycle_machine(
    group_type: GroupType[Any],
    payloads: Mapping[str, PayloadSource] | None = None,
    *,
    founding: st.SearchStrategy[Mapping[str, Any]] | None = None,
    actors: ActorSource | None = None,
    steps: int = 50,
) -> type[LifecycleMachine]:
    """A :class:`LifecycleMachine` subclass for *group_type*.

    Args:
        group_type: the type under test.
        payloads: event name -> payload strategy (or function of the group
            returning one). Events left out get payloads drawn from their payload
            class, which the type's requirements mostly refuse: give strategies
            for the events that move the group forward.
        founding: strategy of ``create()`` arguments; drawn from the founding
            class by default.
        actors: who fires each event: a strategy of actors (texts or ``None``),
            or a function of the group returning one (to draw its founders and
            officers). Random texts and ``None`` by default. Under a policy,
            every event applied must have been fired by one of its roles.
        steps: events per example.
    """
    namespace = {
        "group_type": group_type,
        "payloads": dict(payloads or {}),
        "founding": founding,
        "actors": actors,
    }
    machine = type(
        f"{group_type.name.title().replace('_', '')}Lifecycle", (LifecycleMachine,), namespace
    )
    configured: type[LifecycleMachine] = settings(stateful_step_count=steps)(machine)
    return configured


def lifecycle_test(
    group_type: GroupType[Any],
    payloads: Mapping[str, PayloadSource] | None = None,
    *,
    founding: st.SearchStrategy[Mapping[str, Any]] | None = None,
    actors: ActorSource | None = None,
    steps: int = 50,
) -> type[unittest.TestCase]:
    """A ready test case (pytest and unittest collect it) for *group_type*.

    See :func:`lifecycle_machine` for the arguments.
    """
    machine = lifecycle_machine(group_type, payloads, founding=founding, actors=actors, steps=steps)
    test_case: type[unittest.TestCase] = machine.TestCase
    return test_case
