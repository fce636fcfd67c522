"""The heads a store remembers (kelompok.store._heads): bounded, oldest written first out."""

from __future__ import annotations

from typing import NamedTuple

import kelompok
from builders import PRO_FOUNDERS
from kelompok.store._heads import Heads, row_key, written


class Row(NamedTuple):
    """A head row's columns, as the store reads them."""

    id: str
    head: str
    type: str
    definition: str
    stage: str
    version: int


def group(tag: str) -> kelompok.Group:
    return kelompok.PROFESSIONAL.create(id=tag, name=f"Ikatan {tag}", profession="pharmacist")


def row(g: kelompok.Group, head: str = "{}") -> Row:
    return Row(g.id, head, g.type.name, "d" * 32, g.stage, g.version)


def test_a_row_is_recalled_only_as_it_was_written():
    heads, g = Heads(4), group("a")
    heads.remember(g, written(g, "{}", "d" * 32))
    assert row_key(row(g)) == written(g, "{}", "d" * 32)
    assert heads.recall(row(g)).to_dict() == g.to_dict()
    assert heads.recall(row(g)) is not heads.recall(row(g))
    for changed in ({"head": "{ }"}, {"definition": "e" * 32}, {"stage": "x"}, {"version": 1}):
        assert heads.recall(row(g)._replace(**changed)) is None


def test_the_oldest_written_is_forgotten_first():
    heads = Heads(2)
    a, b, c, d = (group(t) for t in "abcd")
    for g in (a, b, c):
        heads.remember(g, row_key(row(g)))
    assert [None, "b", "c"] == [getattr(heads.recall(row(g)), "id", None) for g in (a, b, c)]
    heads.remember(b, row_key(row(b)))  # written again: now the newest
    heads.remember(d, row_key(row(d)))
    assert [None, "b", None, "d"] == [
        getattr(heads.recall(row(g)), "id", None) for g in (a, b, c, d)
    ]


def test_a_size_of_zero_remembers_nothing():
    heads, g = Heads(0), group("a")
    heads.remember(g, row_key(row(g)))
    assert heads.recall(row(g)) is None


def test_what_is_remembered_holds_no_records_and_no_tie_to_the_group():
    heads, g = Heads(1), group("a")
    g.fire("identify_needs", needs=["support"])
    heads.remember(g, row_key(row(g)))
    g.fire("form_core_group", founders=PRO_FOUNDERS)
    back = heads.recall(row(g)._replace(version=1, stage="needs_identified"))
    assert back is not None
    assert (1, "needs_identified", 0) == (back.version, back.stage, len(back.history))
    heads.clear()
    assert heads.recall(row(g)._replace(version=1, stage="needs_identified")) is None


def test_the_oldest_are_forgotten_once_their_text_passes_the_limit():
    heads = Heads(10, text_limit=10)
    a, b, c = (group(t) for t in "abc")
    heads.remember(a, row_key(row(a, "x" * 4)))
    heads.remember(b, row_key(row(b, "y" * 4)))
    heads.remember(c, row_key(row(c, "z" * 4)))  # 12 characters: a goes
    assert [None, "b", "c"] == [
        getattr(heads.recall(row(g, h * 4)), "id", None)
        for g, h in zip((a, b, c), "xyz", strict=True)
    ]
    heads.remember(b, row_key(row(b, "y" * 6)))  # b again, longer: 10 characters, c stays
    assert ["b", "c"] == [
        getattr(heads.recall(row(g, h)), "id", None) for g, h in ((b, "y" * 6), (c, "z" * 4))
    ]
    heads.remember(a, row_key(row(a, "w" * 11)))  # longer than the limit alone: not kept
    assert heads.recall(row(a, "w" * 11)) is None
    assert heads.recall(row(b, "y" * 6)) is not None
