"""Issue 8, item 1: read-only views must not hand out what they protect.

An ``Evil`` operand keeps whatever Python hands its reflected operators
(``MappingProxyType.__eq__`` hands over the dict it wraps). Every object a group,
its data, a definition or a record exposes is compared with one, and then every
public-protocol way of mutating what was caught is tried: item assignment,
``clear``/``update``/``append``, the base class's methods called directly,
``copy``/``pickle``/``__reduce_ex__``/``__getstate__``/``vars``, recursively. The
group and the definitions must be unchanged afterwards.

Real ``dict``/``list``/``set`` objects that are reached are restored at the end of
each test, so a leak found here does not spill into other tests.
"""

from __future__ import annotations

import collections
import contextlib
import copy
import pickle
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import kelompok
from adversarial.helpers import TYPES, snapshot, strict_json
from builders import at, payloads

SENTINEL = "evil"
_ATOMS = (str, bytes, int, float, bool, complex, type(None), type)
_MAX_OBJECTS = 20_000
_MAX_DEPTH = 6
_PLAIN = (tuple, list, dict, set, frozenset)
_VIEWS = (type({}.keys()), type({}.values()), type({}.items()))  # made by us, read-only


class Evil:
    """Keeps every operand handed to it by a comparison or an operator."""

    def __init__(self) -> None:
        self.caught: list[Any] = []

    def _keep(self, other: Any) -> Any:
        self.caught.append(other)
        return NotImplemented

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _keep
    __or__ = __ror__ = __and__ = __rand__ = __xor__ = __rxor__ = _keep
    __sub__ = __rsub__ = __add__ = __radd__ = __mul__ = __rmul__ = _keep
    __hash__ = object.__hash__

    def __contains__(self, item: Any) -> bool:
        self.caught.append(item)
        return False


def _provocations(target: Any, evil: Evil) -> Iterator[Callable[[], Any]]:
    yield lambda: target == evil
    yield lambda: evil == target
    yield lambda: target != evil
    yield lambda: target < evil
    yield lambda: target <= evil
    yield lambda: target > evil
    yield lambda: target >= evil
    yield lambda: target | evil
    yield lambda: evil | target
    yield lambda: target & evil
    yield lambda: target ^ evil
    yield lambda: target - evil
    yield lambda: target + evil
    yield lambda: target * evil
    yield lambda: target in evil
    yield lambda: evil in target
    for view in ("keys", "values", "items"):
        yield lambda view=view: getattr(target, view)() == evil
        yield lambda view=view: getattr(target, view)() | evil
        yield lambda view=view: evil | getattr(target, view)()


def _mutations(obj: Any) -> Iterator[Callable[[], Any]]:
    kind = type(obj)
    yield lambda: obj.__setitem__(SENTINEL, SENTINEL)
    yield lambda: obj.__setitem__(0, SENTINEL)
    yield lambda: obj.__delitem__(next(iter(obj)))
    yield lambda: obj.clear()  # noqa: PLW0108 -- looked up only when called
    yield lambda: obj.update({SENTINEL: SENTINEL})
    yield lambda: obj.append(SENTINEL)
    yield lambda: obj.extend([SENTINEL])
    yield lambda: obj.insert(0, SENTINEL)
    yield lambda: obj.add(SENTINEL)
    yield lambda: obj.pop()  # noqa: PLW0108 -- looked up only when called
    yield lambda: obj.setdefault(SENTINEL, SENTINEL)
    yield lambda: kind.__setitem__(obj, SENTINEL, SENTINEL)
    yield lambda: kind.__delitem__(obj, next(iter(obj)))
    yield lambda: kind.clear(obj)
    yield lambda: kind.update(obj, {SENTINEL: SENTINEL})
    yield lambda: dict.__setitem__(obj, SENTINEL, SENTINEL)
    yield lambda: dict.clear(obj)
    yield lambda: dict.update(obj, {SENTINEL: SENTINEL})
    yield lambda: list.append(obj, SENTINEL)
    yield lambda: list.clear(obj)
    yield lambda: set.add(obj, SENTINEL)

    def ior() -> None:
        target = obj
        target |= {SENTINEL: SENTINEL}

    yield ior


def _copies(obj: Any) -> Iterator[Callable[[], Any]]:
    """Copies of an object: mutating them must not reach the original."""
    yield lambda: copy.copy(obj)
    yield lambda: copy.deepcopy(obj)
    yield lambda: pickle.loads(pickle.dumps(obj))  # noqa: S301 -- our own bytes


def _sources(obj: Any) -> Iterator[Callable[[], Any]]:
    """Ways to get at what an object holds, through public protocols only."""
    for protocol in range(6):
        yield lambda protocol=protocol: obj.__reduce_ex__(protocol)
    yield lambda: obj.__reduce__()  # noqa: PLW0108 -- looked up only when called
    yield lambda: obj.__getstate__()  # noqa: PLW0108 -- looked up only when called
    yield lambda: vars(obj)
    yield lambda: obj.__dict__
    yield lambda: obj.mapping  # dict views name their mapping


class Attack:
    """Walks everything reachable from the targets, trying to mutate all of it."""

    def __init__(self) -> None:
        self.seen: set[int] = set()
        self.keep: list[Any] = []  # so that ids stay unique while we walk
        self.backups: list[tuple[Any, Any]] = []

    def run(self, *targets: Any) -> None:
        todo = collections.deque((t, 0) for t in targets)
        while todo and len(self.seen) < _MAX_OBJECTS:
            obj, depth = todo.popleft()
            if depth < 0:  # a copy: mutate it, but what it holds is reached otherwise
                self.mutate(obj)
                continue
            if isinstance(obj, _ATOMS) or callable(obj) or id(obj) in self.seen:
                continue
            self.seen.add(id(obj))
            self.keep.append(obj)
            if type(obj) in (dict, list, set):
                self.backups.append((obj, copy.copy(obj)))
            evil = Evil()
            for provoke in _provocations(obj, evil):
                with contextlib.suppress(Exception):
                    provoke()
            found: list[Any] = [x for x in evil.caught if type(x) not in _VIEWS]
            if type(obj) in _PLAIN:
                found += list(obj.values()) if isinstance(obj, dict) else list(obj)
            else:
                for source in _sources(obj):
                    with contextlib.suppress(Exception):
                        found.append(source())
                with contextlib.suppress(Exception):
                    found += list(obj.values())
                with contextlib.suppress(Exception):
                    found += [obj[i] for i in range(min(len(obj), 50))]
            for make in _copies(obj):
                with contextlib.suppress(Exception):
                    todo.append((make(), -1))
            self.mutate(obj)  # only now: what it held was collected first
            if depth < _MAX_DEPTH:
                todo.extend((x, depth + 1) for x in found)

    def mutate(self, obj: Any) -> None:
        for mutate in _mutations(obj):
            with contextlib.suppress(Exception):
                mutate()

    def restore(self) -> None:
        for obj, saved in reversed(self.backups):
            if obj != saved:
                obj.clear()
                if isinstance(obj, dict):
                    obj.update(saved)
                elif isinstance(obj, list):
                    obj.extend(saved)
                else:
                    obj.update(saved)


@pytest.fixture
def attack() -> Iterator[Attack]:
    walker = Attack()
    try:
        yield walker
    finally:
        walker.restore()


def definition_of(group_type: Any) -> Any:
    return (
        [(s.name, s.label, s.terminal) for s in group_type.stages],
        [
            (e.name, dict(e.moves), [r.code for r in e.requires], e.payload, e.effect, e.back)
            for e in group_type.events
        ],
        [i.code for i in group_type.invariants],
    )


def late_group(group_type: Any) -> Any:
    """A group in 'collaborating' with members, programs, teams, an evaluation, a partner."""
    g = at(group_type, "collaborating")
    if not g.data.evaluations:
        g.fire("evaluate", **payloads(group_type)["evaluate"])
    assert g.data.evaluations
    strict_json(g)
    return g


@TYPES
def test_group_views_do_not_leak(group_type, attack):
    g = late_group(group_type)
    before = snapshot(g)
    members = dict(g.members)
    targets = [
        g.members,
        g.programs,
        g.partners,
        g.data.teams,
        g.data.evaluations[0].goal_results,
        g.data.evaluations,
        g.data.activities,
        g.data.rejections,
        g.data,
        g.charter,
        g.structure,
        g.next_steps(),
        g.available_events(),
    ]
    attack.run(*targets)
    assert before == snapshot(g)
    assert members == dict(g.members)
    assert g.members == members  # equality with a plain dict of the same items still works
    assert members == g.members
    assert g.programs == dict(g.programs)
    assert (g.members != members) is False


@TYPES
def test_large_persistent_collections_do_not_leak(group_type, attack):
    """Past 128 entries a FrozenMap is a hash trie, past 32 items a FrozenList a trie too."""
    g = at(group_type, "recruiting")
    payload = payloads(group_type)["admit"]
    for i in range(200):
        g.fire("admit", member={**payload["member"], "id": f"m{i}"}, scores=payload["scores"])
    for i in range(40):
        g.fire("reject", member={**payload["member"], "id": f"r{i}"}, reason="not now")
    before = snapshot(g)
    members = dict(g.data.members)
    rejections = tuple(g.data.rejections)
    attack.run(g.data.members, g.data.rejections, g.data.members.keys(), g.data)
    assert before == snapshot(g)
    assert members == dict(g.data.members) == g.data.members
    assert rejections == g.data.rejections
    assert g.data.rejections == rejections


@TYPES
def test_history_and_its_records_do_not_leak(group_type, attack):
    g = late_group(group_type)
    before = snapshot(g)
    history = g.history
    targets = [history, list(history), *history, *(r.payload for r in history)]
    attack.run(*targets)
    assert before == snapshot(g)
    assert before[0]["history"] == [
        {
            "event": r.event,
            "source": r.source,
            "dest": r.dest,
            "at": r.at.isoformat(),
            "payload": r.payload,
            "actor": r.actor,
        }
        for r in g.history
    ]


@TYPES
def test_definitions_do_not_leak(group_type, attack):
    before = definition_of(group_type)
    admit_moves = dict(group_type.event("admit").moves)
    fresh = at(group_type, "recruiting")
    available = fresh.available_events()
    targets = [
        group_type.events,
        group_type.stages,
        group_type.invariants,
        *(e.moves for e in group_type.events),
        *(e.requires for e in group_type.events),
        group_type.event("admit").moves,
    ]
    attack.run(*targets)
    assert before == definition_of(group_type)
    assert admit_moves == dict(group_type.event("admit").moves)
    assert group_type.event("admit").moves == admit_moves
    again = at(group_type, "structured")  # a new group behaves as before
    assert available == at(group_type, "recruiting").available_events()
    assert "structured" == again.stage


def test_a_derived_type_leaks_neither_into_itself_nor_into_its_parent(attack):
    parent = kelompok.PROFESSIONAL
    child = parent.derive(
        "leak_child",
        {"en": "Leak child", "id": "Anak bocor"},
        kelompok.relabel("awareness", {"en": "Aware", "id": "Sadar"}),
    )
    parent_before, child_before = definition_of(parent), definition_of(child)
    g = child.create(name="Anak", profession="pharmacist")
    g.fire("identify_needs", **payloads(parent)["identify_needs"])
    attack.run(child.events, *(e.moves for e in child.events), child.stages)
    assert parent_before == definition_of(parent)
    assert child_before == definition_of(child)
    assert "structured" == at(parent, "structured").stage
    g.fire("form_core_group", **payloads(parent)["form_core_group"])
    assert "core_formed" == g.stage
