"""PMap and PVector against a dict and a list: every read, every old version, every diff.

The models are plain dicts and lists. Every version made is kept with a copy of its model,
and every version is checked again at the end: a later change that touched a shared part
would show in an earlier one. The same machines also run with tiny thresholds, so that a
few keys already make a deep trie, splits, collision buckets and compaction.
"""

from __future__ import annotations

import itertools
import pickle
import tracemalloc
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from kelompok._base import hamt, persistent
from kelompok._base.persistent import EMPTY_MAP, EMPTY_VECTOR, PMap, PVector

MISSING = object()


class Collide:
    """A key whose hash every Collide shares, told apart only by ``==``."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __hash__(self) -> int:
        return 7

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Collide) and other.n == self.n

    def __repr__(self) -> str:
        return f"Collide({self.n})"


class Angry:
    """A key whose ``__eq__`` raises: harmless until another key has its hash."""

    def __hash__(self) -> int:
        return 12345

    def __eq__(self, other: object) -> bool:
        raise ArithmeticError("no comparing")


class NoHash:
    def __hash__(self) -> int:
        raise ArithmeticError("no hash")


# 1, 1.0 and True are one key, as are 0, 0.0 and False. Same hash: -1 and -2, 0 and 2**61 - 1,
# 5 and 2**61 + 4 (an int's hash is itself modulo 2**61 - 1). Same lowest 15 bits, and so one
# collision bucket when the trie is at most 3 nodes deep: 5 and 5 + 2**15, 3 and 3 + 2**20.
SPECIAL = [1.0, True, 0.0, False, -1, -2, 2**61 - 1, 2**61 + 4, 5 + 2**15, 3 + 2**20]
KEYS = st.one_of(
    st.integers(-3, 400),
    st.sampled_from(SPECIAL),
    st.builds(Collide, st.integers(0, 40)),
)
# small ints: the same object again; 1.0 and True: equal to 1, and yet another value
VALUES = st.one_of(st.integers(0, 2), st.sampled_from([1.0, True, None]), st.builds(object))
ABSENT = [-99, "absent", Collide(-5), 2**64 + 6]


def assert_map(m: PMap[Any, Any], model: dict[Any, Any]) -> None:
    assert len(model) == len(m)
    keys = list(m)
    assert len(model) == len(keys)
    assert all(a is b for a, b in zip(model, keys, strict=True))  # the first key object stays
    assert all(a is b for a, b in zip(model, m.keys(), strict=True))
    assert all(a is b for a, b in zip(model.values(), m.values(), strict=True))
    pairs = list(m.items())
    assert [type(p) for p in pairs] == [tuple] * len(model)
    assert all(k is a and v is b for (k, v), (a, b) in zip(pairs, model.items(), strict=True))
    copy = m.to_dict()
    assert model == copy
    assert all(a is b for a, b in zip(model, copy, strict=True))
    for key, value in model.items():
        assert key in m
        assert m[key] is value
        assert m.get(key) is value
        assert m.get(key, MISSING) is value
    for key in ABSENT:
        assert key not in m
        assert m.get(key) is None
        assert m.get(key, MISSING) is MISSING
        with pytest.raises(KeyError):
            m[key]


def expected_changes(old: dict[Any, Any], new: dict[Any, Any]) -> list[Any]:
    keys = list(old) + [key for key in new if key not in old]
    return [key for key in keys if old.get(key, MISSING) is not new.get(key, MISSING)]


def assert_changes(new: PMap[Any, Any], old: PMap[Any, Any], new_model: dict, old_model: dict):
    found = new.changed_since(old)
    expected = expected_changes(old_model, new_model)
    if found is not None:
        assert len(set(found)) == len(found)
        assert set(expected) == set(found)
    return found


class MapMachine(RuleBasedStateMachine):
    """Random changes to random recent versions: a tree of versions, each with its model."""

    def __init__(self) -> None:
        super().__init__()
        self.versions: list[tuple[PMap[Any, Any], dict[Any, Any]]] = [(EMPTY_MAP, {})]

    def base(self, back: int) -> tuple[PMap[Any, Any], dict[Any, Any]]:
        return self.versions[max(0, len(self.versions) - 1 - back)]

    def add(self, m: PMap[Any, Any], model: dict[Any, Any]) -> None:
        self.versions.append((m, model))

    @rule(back=st.integers(0, 6), key=KEYS, value=VALUES)
    def set(self, back, key, value):
        m, model = self.base(back)
        new = m.set(key, value)
        if model.get(key, MISSING) is value:
            assert new is m
        self.add(new, {**model, key: value})

    @precondition(lambda self: self.versions[-1][1])
    @rule(data=st.data(), value=VALUES)
    def set_existing(self, data, value):
        m, model = self.versions[-1]
        key = data.draw(st.sampled_from(list(model)))
        again = data.draw(st.sampled_from([key, *(k for k in SPECIAL if k == key)]))
        self.add(m.set(again, value), {**model, again: value})

    @precondition(lambda self: self.versions[-1][1])
    @rule(data=st.data())
    def delete(self, data):
        m, model = self.versions[-1]
        key = data.draw(st.sampled_from(list(model)))
        model = dict(model)
        del model[key]
        self.add(m.delete(key), model)

    @rule(back=st.integers(0, 6), key=KEYS)
    def delete_absent(self, back, key):
        m, model = self.base(back)
        if key not in model:
            with pytest.raises(KeyError):
                m.delete(key)

    @rule(
        back=st.integers(0, 6),
        pairs=st.lists(st.tuples(KEYS, VALUES), max_size=40),
        how=st.sampled_from(["pairs", "dict", "pmap"]),
    )
    def update(self, back, pairs, how):
        m, model = self.base(back)
        items: Any = {"pairs": pairs, "dict": dict(pairs), "pmap": PMap.of(pairs)}[how]
        model = dict(model)
        model.update(items.items() if how != "pairs" else items)
        self.add(m.update(items), model)

    @rule(start=st.integers(0, 400), count=st.integers(0, 300))
    def grow(self, start, count):  # crosses the small threshold in one step
        m, model = self.versions[-1]
        pairs = [(key, object()) for key in range(start, start + count)]
        self.add(m.update(pairs), {**model, **dict(pairs)})

    @precondition(lambda self: self.versions[-1][1])
    @rule(data=st.data(), fraction=st.floats(0.05, 1.0), step=st.integers(1, 40))
    def shrink(self, data, fraction, step):  # one key at a time, versions along the way
        m, model = self.versions[-1]
        keys = list(model)
        doomed = data.draw(st.permutations(keys))[: max(1, int(len(keys) * fraction))]
        model = dict(model)
        for n, key in enumerate(doomed):
            m = m.delete(key)
            del model[key]
            if n % step == 0:
                self.add(m, dict(model))
        self.add(m, model)

    @rule(i=st.integers(0, 10**6), j=st.integers(0, 10**6))
    def changed_since(self, i, j):
        old, old_model = self.versions[i % len(self.versions)]
        new, new_model = self.versions[j % len(self.versions)]
        assert_changes(new, old, new_model, old_model)
        assert_changes(old, new, old_model, new_model)
        assert [] == new.changed_since(new)

    @rule(i=st.integers(0, 10**6))
    def an_old_version(self, i):
        assert_map(*self.versions[i % len(self.versions)])

    @invariant()
    def the_latest_version(self):
        assert_map(*self.versions[-1])

    def teardown(self):
        for m, model in self.versions:
            assert len(model) == len(m)
            assert all(a is b for a, b in zip(model.values(), m.values(), strict=True))
            assert list(model) == list(m)


TestMap = MapMachine.TestCase
TestMap.settings = settings(stateful_step_count=30)


class VectorMachine(RuleBasedStateMachine):
    """Appends and extends from random recent versions; every item a fresh object."""

    def __init__(self) -> None:
        super().__init__()
        self.versions: list[tuple[PVector[Any], list[Any]]] = [(EMPTY_VECTOR, [])]

    def base(self, back: int) -> tuple[PVector[Any], list[Any]]:
        return self.versions[max(0, len(self.versions) - 1 - back)]

    @rule(back=st.integers(0, 6))
    def append(self, back):
        v, model = self.base(back)
        item = object()
        self.versions.append((v.append(item), [*model, item]))

    @rule(back=st.integers(0, 6), count=st.sampled_from([0, 1, 5, 31, 32, 33, 64, 200, 1100]))
    def extend(self, back, count):
        v, model = self.base(back)
        items = [object() for _ in range(count)]
        self.versions.append((v.extend(iter(items)), model + items))

    @rule(count=st.integers(0, 1200))
    def build(self, count):
        items = [object() for _ in range(count)]
        self.versions.append((PVector.of(items), items))

    @rule(i=st.integers(0, 10**6), data=st.data())
    def read(self, i, data):
        v, model = self.versions[i % len(self.versions)]
        n = len(model)
        for at in data.draw(st.lists(st.integers(-n - 3, n + 3), max_size=10)):
            if -n <= at < n:
                assert v[at] is model[at]
            else:
                with pytest.raises(IndexError):
                    v[at]
        cut = data.draw(st.slices(n + 4))
        assert all(a is b for a, b in zip(v[cut], model[cut], strict=True))
        assert type(v[cut]) is tuple

    @rule(i=st.integers(0, 10**6), j=st.integers(0, 10**6))
    def appended_since(self, i, j):
        old, old_model = self.versions[i % len(self.versions)]
        new, new_model = self.versions[j % len(self.versions)]
        prefix = len(old_model) <= len(new_model) and all(
            a is b for a, b in zip(old_model, new_model, strict=False)
        )  # the items are fresh objects: a prefix by identity is a line of appends
        assert (len(old_model) if prefix else None) == new.appended_since(old)

    @invariant()
    def the_latest_version(self):
        v, model = self.versions[-1]
        assert len(model) == len(v)
        assert all(a is b for a, b in zip(model, v, strict=True))
        assert all(a is b for a, b in zip(reversed(model), reversed(v), strict=True))
        assert tuple(model) == v.to_tuple()

    def teardown(self):
        for v, model in self.versions:
            assert len(model) == len(v)
            assert all(a is b for a, b in zip(model, v, strict=True))


TestVector = VectorMachine.TestCase
TestVector.settings = settings(stateful_step_count=30)


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch) -> None:
    """Thresholds small enough for a few keys to make a deep trie with collision buckets."""
    monkeypatch.setattr(persistent, "_SMALL", 4)
    monkeypatch.setattr(hamt, "BUCKET", 2)
    monkeypatch.setattr(hamt, "MAX_DEPTH", 3)  # 15 bits: 5 and 5 + 2**15 collide


def test_the_map_machine_with_tiny_thresholds(tiny):
    run_state_machine_as_test(MapMachine, settings=settings(stateful_step_count=30))


def test_tiny_thresholds_do_make_deep_tries_and_collision_buckets(tiny):
    m = PMap.of((key, key) for key in [*range(200), 5 + 2**15, 2**61 + 4])
    depths: list[int] = []

    def walk(node, depth):
        if type(node) is tuple:
            for child in node:
                walk(child, depth + 1)
        else:
            depths.append(depth)
            assert len(node) <= 2 or depth == 3

    walk(m._root, 0)
    assert 3 == max(depths)
    assert {5, 5 + 2**15, 2**61 + 4} == set(m._root[5][0][0])  # low 15 bits: 5


# -- growing and shrinking across the thresholds, one step at a time ---------------------


def test_crossing_the_small_threshold_up_and_down_and_up():
    m: PMap[Any, Any] = PMap.empty()
    model: dict[Any, Any] = {}
    versions = []
    plan = [("set", key) for key in range(300)] + [("delete", key) for key in range(299, -1, -2)]
    plan += [("delete", key) for key in range(0, 300, 2)] + [("set", k) for k in range(150)]
    for what, key in plan:
        if what == "set":
            model[key] = object()
            m = m.set(key, model[key])
        else:
            del model[key]
            m = m.delete(key)
        versions.append((m, dict(model)))
        assert len(model) == len(m)
    for m, _ in versions:  # deleted keys leave tombstones, but never more than live keys
        assert m._d is not None or len(m._order) <= 2 * len(m)
    kinds = [m._d is None for m, _ in versions]
    assert kinds.count(True) > 100
    assert kinds.count(False) > 100
    for m, model in versions[::7]:
        assert_map(m, model)
    found = [new.changed_since(old) for (old, _), (new, _) in itertools.pairwise(versions)]
    expected = [expected_changes(old, new) for (_, old), (_, new) in itertools.pairwise(versions)]
    assert [e for e, f in zip(expected, found, strict=True) if f is not None] == [
        f for f in found if f is not None
    ]
    assert found.count(None) <= 3  # a compaction rebuilds the trie: it shares nothing


def test_the_vector_at_every_length_up_to_three_levels():
    v: PVector[int] = PVector.empty()
    versions = []
    for n in range(33 * 32 + 40):
        versions.append(v)
        v = v.append(n)
    for n, old in enumerate(versions):
        assert list(range(n)) == list(old)
        assert n == v.appended_since(old)
    assert list(range(len(v))) == [v[i] for i in range(len(v))]
    big = PVector.of(range(32**3 + 100)).extend(range(5))
    assert 15 == big._shift
    assert [*range(32**3 + 100), *range(5)] == list(big)
    assert (32**3 + 4) == big[32**3 + 4] == big[-101]


# -- changed_since ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big() -> tuple[PMap[int, object], dict[int, object]]:
    model = {key: object() for key in range(10_000)}
    return PMap.of(model), model


@given(ops=st.lists(st.tuples(st.booleans(), st.integers(0, 10_050)), min_size=1, max_size=5))
def test_a_few_changes_on_a_large_map_are_found_exactly(big, ops):
    m, model = big
    model = dict(model)
    new = m
    for is_set, key in ops:
        if is_set or key not in model:
            model[key] = object()
            new = new.set(key, model[key])
        else:
            del model[key]
            new = new.delete(key)
    found = new.changed_since(m)
    assert found is not None
    assert set(expected_changes(big[1], model)) == set(found)


def test_three_changes_on_ten_thousand_entries(big):
    m, _ = big
    new = m.set(5, "five").delete(77).set(10_001, "new")
    assert {5, 77, 10_001} == set(new.changed_since(m) or ())
    assert {5, 77, 10_001} == set(m.changed_since(new) or ())


def test_setting_back_the_same_object_or_readding_it_is_no_change(big):
    m, model = big
    new = m.set(3, "x").set(3, model[3]).delete(4).set(4, model[4])
    assert [] == new.changed_since(m)
    assert m.set(3, model[3]) is m


def test_unrelated_or_much_changed_large_maps_give_none(big):
    m, model = big
    assert PMap.of(model).changed_since(m) is None  # equal, but shares nothing
    assert m.update((key, 0) for key in range(0, 10_000, 2)).changed_since(m) is None
    many = m
    for key in range(3000):
        many = many.set(key, key)
    assert many.changed_since(m) is None


def test_maps_built_apart_are_not_even_walked(big, monkeypatch):
    m, model = big
    monkeypatch.setattr(hamt, "diff", None)  # a call would raise
    assert PMap.of(model).changed_since(m) is None
    assert m.update((key, 0) for key in range(5000)).changed_since(m) is None  # rebuilt


def test_small_maps_are_compared_entry_by_entry():
    a = PMap.of({1: "a", 2: "b"})
    b = PMap.of({2: "b", 3: "c"})
    assert {1, 3} == set(b.changed_since(a) or ())
    large = PMap.of((key, key) for key in range(persistent._SMALL + 1))
    small = large.delete(0)
    assert small._d is None
    while small._d is None:
        small = small.delete(len(small))
    assert set(large) - set(small) == set(small.changed_since(large) or ())


# -- keys: collisions, equal keys, keys that raise ---------------------------------------------


@pytest.mark.parametrize("size", [0, 50, 300])
def test_full_hash_collisions(size):
    base = PMap.of((key, key) for key in range(size))
    colliding = [Collide(n) for n in range(200)]
    m = base.update((key, key.n) for key in colliding)
    model = {**base.to_dict(), **{key: key.n for key in colliding}}
    assert_map(m, model)
    m2 = m.set(Collide(7), "seven").delete(Collide(8)).set(-1, "minus one").set(-2, "minus two")
    model2 = {**model, Collide(7): "seven", -1: "minus one", -2: "minus two"}
    del model2[Collide(8)]
    assert_map(m2, model2)
    assert_map(m, model)
    assert_changes(m2, m, model2, model)


@pytest.mark.parametrize("size", [0, 300])
def test_equal_keys_of_other_types_are_one_key(size):
    base = PMap.of((key, key) for key in range(2, size + 2))
    m = base.set(1, "int").set(1.0, "float").set(True, "bool")
    model = {**dict.fromkeys(range(2, size + 2)), 1: "bool"}
    assert len(model) == len(m)
    assert "bool" == m[1] == m[1.0] == m[True]
    assert type(next(k for k in m if k == 1)) is int
    assert 1 not in m.delete(True)


@pytest.mark.parametrize("size", [0, 300])
def test_a_key_that_raises_leaves_every_version_whole(size):
    first = Angry()
    base = PMap.of((key, key) for key in range(size)).set(first, "first")
    model = base.to_dict()
    assert "first" == base[first]  # the same object: is, before ==
    with pytest.raises(ArithmeticError):
        base.set(Angry(), "second")
    with pytest.raises(ArithmeticError):
        base.get(Angry())
    with pytest.raises(ArithmeticError):
        base.set(NoHash(), 1)
    with pytest.raises(ArithmeticError):
        base.update([(size + 1, 1), (NoHash(), 1)])
    with pytest.raises(TypeError):
        base.set([], 1)
    assert_map(base, model)
    assert_map(base.delete(first), {key: value for key, value in model.items() if key is not first})


# -- what the collections give out -------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 300])
def test_nothing_inside_is_given_out(size):
    m = PMap.own({key: key for key in range(size)})
    copy = m.to_dict()
    copy.clear()
    assert size == len(m) == len(m.to_dict())
    v = PVector.of(range(size))
    assert v.to_tuple() is not v._tail
    assert v[:] is not v._tail
    assert list(range(size)) == list(v)


def test_own_keeps_a_small_dict_and_builds_from_a_large_one():
    d = {1: 2}
    assert PMap.own(d)._d is d
    large = PMap.own({key: key for key in range(300)})
    assert large._d is None
    assert {key: key for key in range(300)} == large.to_dict()
    assert [1, 2] == list(PVector.own([1, 2]))


def test_of_and_update_keep_dict_semantics():
    m = PMap.of([(1, "a"), (2, "b"), (1, "c")])
    assert [(1, "c"), (2, "b")] == list(m.items())
    assert PMap.of(m) is m
    assert [(1, "c"), (2, "b")] == list(PMap(m.to_dict()).items())
    big = PMap.of((key, key) for key in range(1000))
    for items in ([(5, "x"), (2000, "y"), (5, "z")], {5: "z", 2000: "y"}, PMap.of({5: "z"})):
        new = big.update(items)
        assert list(range(1000))[:6] == list(new)[:6]
        assert "z" == new[5]
    assert [*range(1000), 2000] == list(big.update([(5, "x"), (2000, "y")]))
    assert 0 == len(PMap()) == len(PVector()) == len(PMap.empty())


def test_pickles_as_its_items():
    for m in (PMap.of({1: "a"}), PMap.of((key, str(key)) for key in range(300))):
        assert (PMap.of, (list(m.items()),)) == m.__reduce__()
        assert m.to_dict() == pickle.loads(pickle.dumps(m)).to_dict()  # noqa: S301 -- our own bytes
        assert repr(m).startswith("PMap({0: '0', 1:") or "PMap({1: 'a'})" == repr(m)
    v = PVector.of(range(100))
    assert (PVector.of, (tuple(range(100)),)) == v.__reduce__()
    assert list(range(100)) == list(pickle.loads(pickle.dumps(v)))  # noqa: S301 -- our own bytes
    assert "PVector([1, 2])" == repr(PVector.of([1, 2]))


def test_vector_reads_like_a_tuple():
    items = tuple(range(1500))
    v = PVector.of(items)
    cuts = [slice(None), slice(5, 900, 7), slice(-40, None), slice(None, None, -3), slice(9, 2, -1)]
    for cut in cuts:
        assert items[cut] == v[cut]
    for start in range(0, 1500, 37):  # from every leaf, and from the tail
        assert items[start : start + 70] == v[start : start + 70]
        assert items[start::5] == v[start::5]
    deep = PVector.of(range(40_000))
    for start in (0, 1023, 1024, 17_000, 32_767, 32_768, 39_990):
        assert tuple(range(start, min(start + 2000, 40_000))) == deep[start : start + 2000]
    assert () == v[10:5]
    with pytest.raises(TypeError):
        v["1"]  # type: ignore[call-overload]
    assert PVector.of(v) is v
    assert v is v.extend(())


# -- appended_since ----------------------------------------------------------------------------


def test_appended_since_is_structural():
    old = PVector.of(object() for _ in range(1000))
    assert 1000 == old.append(1).appended_since(old) == old.extend(range(3000)).appended_since(old)
    assert old.appended_since(old.append(1)) is None  # shorter
    assert PVector.of(old.to_tuple()).appended_since(old) is None  # equal items, built apart
    assert PVector.of([1, 2]).append(3).appended_since(PVector.of([1, 2])) is None
    apart = PVector.empty().append(1).append(2)
    assert PVector.empty().append(1).append(2).append(3).appended_since(apart) is None
    assert 0 == PVector.of([1]).appended_since(PVector.empty())
    a, b = old.append(object()), old.append(object())  # siblings: the trie and line are shared
    assert a.appended_since(b) is None
    replaced = old._set(3, "x")
    assert replaced.appended_since(old) is None
    # the same line of appends, but a leaf that is not old's own: the structure decides
    forged = PVector._make(old._cnt, old._shift, replaced._root, old._tail, old._origin)
    assert forged.appended_since(old) is None
    forged = PVector._make(old._cnt, old._shift, old._root, replaced._tail, old._origin)
    assert forged.appended_since(old) == 1000  # _set(3) left the tail as it was
    in_tail = PVector._make(old._cnt, old._shift, old._root, old._set(999, "x")._tail, old._origin)
    assert in_tail.appended_since(old) is None


# -- the cost of a change: nodes copied, bytes kept --------------------------------------------


def trie_parts(m: PMap[Any, Any]) -> dict[int, Any]:
    """Every node and bucket of a large map's trie, and every node of its order vector."""
    found: dict[int, Any] = {}

    def hamt_walk(node):
        found[id(node)] = node
        if type(node) is tuple:
            for child in node:
                hamt_walk(child)

    def vector_walk(node, level):
        found[id(node)] = node
        if level:
            for child in node:
                vector_walk(child, level - 5)

    hamt_walk(m._root)
    vector_walk(m._order._root, m._order._shift)
    found[id(m._order._tail)] = m._order._tail
    return found


@pytest.fixture(scope="module")
def huge() -> PMap[int, int]:
    return PMap.of((key, key) for key in range(100_000))


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m.set(100_001, "new"),
        lambda m: m.set(77_777, "changed"),
        lambda m: m.delete(12_345),
        lambda m: m.update([(3, "a"), (4, "b")]),
    ],
)
def test_a_change_to_a_large_map_copies_a_path_not_the_map(huge, change):
    new = change(huge)
    before = trie_parts(huge)
    fresh = [part for key, part in trie_parts(new).items() if key not in before]
    assert len(before) > 3000
    assert len(fresh) <= 2 * 12  # two changes, each: trie path + bucket + vector path + tail
    tracing = tracemalloc.is_tracing()
    if not tracing:
        tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        again = change(huge)
        kept = tracemalloc.get_traced_memory()[0] - start
    finally:
        if not tracing:
            tracemalloc.stop()
    assert len(again) == len(new)
    assert kept < 40_000  # a copy of the dict alone would be some megabytes


def vector_parts(v: PVector[Any]) -> dict[int, Any]:
    found: dict[int, Any] = {id(v._tail): v._tail}

    def walk(node, level):
        found[id(node)] = node
        if level:
            for child in node:
                walk(child, level - 5)

    walk(v._root, v._shift)
    return found


def test_an_append_to_a_large_vector_copies_a_path():
    v = PVector.of(range(100_000))
    for n in range(70):  # past a full tail, twice
        new = v.append(n)
        before = vector_parts(v)
        assert len([key for key in vector_parts(new) if key not in before]) <= 1 + 4
        v = new
    assert [*range(100_000), *range(70)] == list(v)


def test_a_key_added_or_dropped_with_the_value_none_is_a_change():
    a = PMap.of({1: "a"})
    assert [2] == PMap.of({1: "a", 2: None}).changed_since(a)
    assert [2] == a.changed_since(PMap.of({1: "a", 2: None}))
    assert [] == PMap.of({1: None}).changed_since(PMap.of({1: None}))


class _OneSided:
    """A key equal to every key of its hash if it is the greedy one, else to itself alone."""

    def __init__(self, greedy: bool) -> None:
        self.greedy = greedy

    def __hash__(self) -> int:
        return 4242

    def __eq__(self, other: object) -> bool:
        return self is other or self.greedy


@pytest.mark.parametrize("size", [0, 200])  # plain dicts, then the hash trie
def test_a_key_whose_equality_is_one_sided_is_found_gone_and_added(size):
    modest, greedy, value = _OneSided(False), _OneSided(True), object()
    old = PMap.of({**{i: i for i in range(size)}, greedy: value})
    new = old.delete(greedy).set(modest, value)
    assert modest in old  # the greedy key of old equals it; the modest key of new equals it not
    assert greedy not in new
    found = new.changed_since(old)
    assert found is not None
    assert any(k is greedy for k in found)
