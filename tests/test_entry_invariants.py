"""Entry checks of invariants (docs/model.md §4.7): fire reads only the entries an event changed.

The oracle is the invariant's full check (``Invariant.holds``, every entry): after
every applied event it holds, and an event is refused with ``DefinitionBug``
exactly when the state it would make breaks it.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kelompok
from builders import actions_type
from kelompok import DefinitionBug, DefinitionError, FrozenMap, Invariant

CALLS: list[Any] = []


@attrs.frozen
class Book:
    name: str
    rule: str = "a"
    people: FrozenMap[str, str] = attrs.field(factory=FrozenMap, converter=FrozenMap)
    log: tuple[str, ...] = ()


@attrs.frozen
class Founding:
    name: str


@attrs.frozen
class Put:
    key: str
    value: str


@attrs.frozen
class Rule:
    rule: str


@attrs.frozen
class Line:
    text: str


def _put(g: Any, p: Put) -> Book:
    return attrs.evolve(g.data, people=g.data.people.set(p.key, p.value))


def _drop(g: Any, p: Put) -> Book:
    people = g.data.people
    return attrs.evolve(g.data, people=people.delete(p.key) if p.key in people else people)


def _rule(g: Any, p: Rule) -> Book:
    return attrs.evolve(g.data, rule=p.rule)


def _line(g: Any, p: Line) -> Book:
    return attrs.evolve(g.data, log=(*g.data.log, p.text))


def _rewrite(g: Any, p: Line) -> Book:
    """Replaces the first line: an entry the event did not add, but changed."""
    log = g.data.log
    return attrs.evolve(g.data, log=(p.text, *log[1:]) if log else log)


def _person_ok(g: Any, key: str, value: str) -> bool:
    CALLS.append(("people", key))
    return value.startswith(g.data.rule)


def _line_ok(g: Any, index: int, text: str) -> bool:
    CALLS.append(("log", index))
    return text.startswith(g.data.rule)


BOOK = actions_type(
    "entry_book",
    data=Book,
    founding=Founding,
    actions={
        "put": (Put, _put),
        "drop": (Put, _drop),
        "rule": (Rule, _rule),
        "line": (Line, _line),
        "rewrite": (Line, _rewrite),
    },
    invariants=[
        Invariant(
            "book.people",
            {"en": "Every value starts with the rule.", "id": "Setiap nilai diawali aturan."},
            each="people",
            entry=_person_ok,
            entry_reads={"rule"},
        ),
        Invariant(
            "book.log",
            {"en": "Every line starts with the rule.", "id": "Setiap baris diawali aturan."},
            each="log",
            entry=_line_ok,
            entry_reads={"rule"},
        ),
    ],
)

TEXT = st.text("ab", min_size=1, max_size=2)
STEPS = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["put", "drop"]), st.builds(dict, key=TEXT, value=TEXT)),
        st.tuples(st.just("rule"), st.builds(dict, rule=st.sampled_from(["", "a", "b"]))),
        st.tuples(st.sampled_from(["line", "rewrite"]), st.builds(dict, text=TEXT)),
    ),
    max_size=30,
)


def _would_make(g: Any, event: str, payload: dict[str, Any]) -> Book:
    """The data the event would make, worked out apart from fire."""
    d = g.data
    if event == "put":
        return attrs.evolve(d, people={**d.people, payload["key"]: payload["value"]})
    if event == "drop":
        return attrs.evolve(d, people={k: v for k, v in d.people.items() if k != payload["key"]})
    if event == "rule":
        return attrs.evolve(d, rule=payload["rule"])
    if event == "line":
        return attrs.evolve(d, log=(*d.log, payload["text"]))
    return attrs.evolve(d, log=(payload["text"], *d.log[1:]) if d.log else d.log)


def _all_hold(data: Book) -> bool:
    return all(v.startswith(data.rule) for v in data.people.values()) and all(
        t.startswith(data.rule) for t in data.log
    )


@settings(max_examples=300)
@given(STEPS)
def test_fire_refuses_exactly_what_breaks_an_entry(steps: list[tuple[str, dict[str, Any]]]) -> None:
    g = BOOK.create(name="b")
    for event, payload in steps:
        expected = _would_make(g, event, payload)
        before = g.to_dict()
        if _all_hold(expected):
            g.fire(event, payload)
            assert g.data == expected
        else:
            with pytest.raises(DefinitionBug):
                g.fire(event, payload)
            assert g.to_dict() == before
        assert all(i.holds(g) for i in BOOK.invariants)


def _big_book(n: int) -> Any:
    doc = BOOK.create(name="b").to_dict()
    doc["data"]["people"] = {f"a{i}": f"a{i}" for i in range(n)}
    doc["data"]["log"] = ["a"] * n
    return BOOK.load(doc)


@pytest.mark.parametrize("size", [10, 1000])
def test_an_event_on_one_entry_reads_one_entry(size: int) -> None:
    g = _big_book(size)
    CALLS.clear()
    g.fire("put", key="new", value="a-new")
    g.fire("put", key="a3", value="a-three")  # replaces an entry
    g.fire("line", text="a line")
    g.fire("drop", key="a4", value="")
    assert CALLS == [("people", "new"), ("people", "a3"), ("log", size)]


def test_a_change_to_what_entries_read_checks_every_entry() -> None:
    g = _big_book(50)
    CALLS.clear()
    g.fire("rule", rule="")
    assert len(CALLS) == 100
    with pytest.raises(DefinitionBug, match=r"book\.people"):
        g.fire("rule", rule="b")


def test_replacing_an_old_entry_is_caught() -> None:
    g = _big_book(5)
    with pytest.raises(DefinitionBug, match=r"book\.log"):
        g.fire("rewrite", text="b")
    assert g.data.log[0] == "a"


@attrs.frozen
class Scores:
    name: str
    pair: tuple[int, int] = (0, 0)  # a tuple of fixed length: its type is tested whole


@attrs.frozen
class Pair:
    first: int
    second: int


def _scores_type(name: str, code: str, entry: Any) -> Any:
    """A type whose data holds two scores, and an invariant whose entry check is *entry*."""
    return actions_type(
        name,
        data=Scores,
        founding=Founding,
        actions={"score": (Pair, lambda g, p: attrs.evolve(g.data, pair=(p.first, p.second)))},
        invariants=[
            Invariant(
                code,
                {"en": "No score is negative.", "id": "Tidak ada skor yang negatif."},
                each="pair",
                entry=entry,
                entry_reads=set(),  # the entry alone: fire reads the entries that changed
            )
        ],
    )


SCORES = _scores_type("entry_scores", "scores.not_negative", lambda g, i, score: score >= 0)


def test_an_entry_of_a_field_whose_entries_have_no_type_of_their_own_is_checked() -> None:
    # fire finds the changed entries of such a field itself (its type test reads it whole)
    g = SCORES.create(name="s").fire("score", first=1, second=2)
    with pytest.raises(DefinitionBug, match=r"scores\.not_negative"):
        g.fire("score", first=3, second=-1)
    assert g.data.pair == (1, 2)


def test_an_entry_check_answering_other_than_a_bool_is_a_bug_that_says_what_it_answered() -> None:
    # a negative score answers itself (-1), not False
    answers = _scores_type("entry_answers", "scores.answer", lambda g, i, s: s >= 0 or s)
    g = answers.create(name="s")
    with pytest.raises(DefinitionBug, match=r"'scores\.answer' answered int -1, not True or False"):
        g.fire("score", first=3, second=-1)


def test_load_checks_every_entry() -> None:
    g = BOOK.create(name="b").fire("put", key="k", value="a1")
    doc = g.to_dict()
    doc["data"]["people"]["k"] = "b1"
    with pytest.raises(kelompok.InvalidGroupData, match=r"book\.people"):
        BOOK.load(doc)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"each": "people"}, "each and entry are given together"),
        ({"entry": _person_ok}, "each and entry are given together"),
        ({"each": "nobody", "entry": _person_ok}, "'nobody', which is not a field"),
        ({"each": "people", "entry": _person_ok, "entry_reads": {"moon"}}, "entry_reads moon"),
        ({"each": "people", "entry": "not callable"}, "entry check that is not callable"),
        ({}, "neither a check nor an entry check"),
    ],
)
def test_entry_checks_are_checked_when_the_type_is_built(
    changes: dict[str, Any], problem: str
) -> None:
    bad = Invariant("book.bad", {"en": "Bad.", "id": "Buruk."}, **changes)
    with pytest.raises(DefinitionError, match=problem):
        BOOK.derive("entry_book_2", {"en": "B", "id": "B"}, invariants=[bad])
