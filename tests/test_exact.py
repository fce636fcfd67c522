"""What an effect may store: every level of a field's type (kelompok._data.exact)."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Literal

import attrs
import pytest

from kelompok import FrozenList, FrozenMap
from kelompok._data.exact import exact_check, field_checks


class Colour(enum.Enum):
    RED = "red"


@attrs.frozen
class Leaf:
    name: str
    score: int = 0


@attrs.frozen
class Tree:
    leaf: Leaf
    children: tuple[Tree, ...] = ()


UTC = dt.timezone.utc
CASES = [
    (tuple[str, ...], ("a", "b"), [("a", None), ("a", 1), ["a"], ("a", ["b"])]),
    (tuple[tuple[str, ...], ...], (("a",), ()), [(("a",), ["b"]), ((None,),), (("a", 1),)]),
    (tuple[int, str], (1, "a"), [(1,), (1, "a", 2), ("a", 1), (True, "a")]),
    (FrozenList[int], FrozenList([1, 2]), [(1, 2), FrozenList([1, "2"]), FrozenList([2**63])]),
    (
        FrozenMap[str, int],
        FrozenMap({"a": 1}),
        [{"a": 1}, FrozenMap({"a": 2.5}), FrozenMap({1: 1})],
    ),
    (FrozenMap[str, tuple[str, ...]], FrozenMap({"a": ("x",)}), [FrozenMap({"a": ["x"]})]),
    (Leaf | None, Leaf("a"), [Leaf(None), Leaf("a", "1"), {"name": "a"}]),
    (Tree, Tree(Leaf("a"), (Tree(Leaf("b")),)), [Tree(Leaf("a"), (Tree(Leaf(1)),)), Tree(1)]),
    (Literal["x", 1], "x", ["y", True, 1.0]),
    (Colour, Colour.RED, ["red"]),
    (float, 0, [float("nan"), "0", None]),  # a whole number loads as the same number
    (
        dt.datetime,
        dt.datetime(2026, 1, 1, tzinfo=UTC),
        [dt.datetime(2026, 1, 1), dt.date(2026, 1, 1)],  # noqa: DTZ001 -- naive on purpose
    ),
    (str | None, None, [b"a", 0]),
]


@pytest.mark.parametrize(("annotation", "fits", "misfits"), CASES, ids=lambda c: str(c)[:30])
def test_a_value_fits_at_every_level_or_not_at_all(annotation, fits, misfits):
    check = exact_check(annotation)
    assert check(fits)
    assert [] == [m for m in misfits if check(m)]


def test_a_collection_field_is_tested_by_its_entries_a_fixed_tuple_whole():
    exact, entries = field_checks([FrozenMap[str, Leaf], tuple[Leaf, ...], tuple[int, int], str])
    (key, value), (index, item) = entries[0], entries[1]
    assert [True, False, True, False] == [key("a"), key(1), value(Leaf("a")), value(Leaf(None))]
    assert [True, True, False] == [index(0), item(Leaf("a")), item(("a",))]
    assert (None, None) == entries[2:]
    assert [True, False] == [exact[2]((1, 2)), exact[2]((1, "2"))]
