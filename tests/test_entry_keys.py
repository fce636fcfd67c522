"""Entry checks that read a map by the key their entry names (``Invariant(entry_keys=...)``).

After an event that changed the map at some keys, ``fire`` checks only the entries that
name those keys. The oracle is the full check: after every applied event the invariant
holds, and an event is refused exactly when the state it would make breaks it.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import actions_type
from kelompok import DefinitionBug, DefinitionError, FrozenMap, Invariant

CALLS: list[str] = []


@attrs.frozen
class Notebook:
    name: str
    rules: FrozenMap[str, str] = attrs.field(factory=FrozenMap, converter=FrozenMap)
    notes: FrozenMap[str, str] = attrs.field(factory=FrozenMap, converter=FrozenMap)


@attrs.frozen
class Founding:
    name: str


@attrs.frozen
class Pair:
    key: str
    value: str


def _rule(g: Any, p: Pair) -> Notebook:
    return attrs.evolve(g.data, rules=g.data.rules.set(p.key, p.value))


def _unrule(g: Any, p: Pair) -> Notebook:
    rules = g.data.rules
    return attrs.evolve(g.data, rules=rules.delete(p.key) if p.key in rules else rules)


def _note(g: Any, p: Pair) -> Notebook:
    return attrs.evolve(g.data, notes=g.data.notes.set(p.key, p.value))


def _note_ok(g: Any, key: str, rule: str) -> bool:
    """A note names a rule that exists, and its key starts with the rule's prefix."""
    CALLS.append(key)
    prefix = g.data.rules.get(rule)
    return prefix is not None and key.startswith(prefix)


NOTEBOOK = actions_type(
    "keyed_notebook",
    data=Notebook,
    founding=Founding,
    actions={"rule": (Pair, _rule), "unrule": (Pair, _unrule), "note": (Pair, _note)},
    invariants=[
        Invariant(
            "notebook.notes",
            {"en": "Every note follows its rule.", "id": "Setiap catatan mengikuti aturannya."},
            each="notes",
            entry=_note_ok,
            entry_reads={"rules"},
            entry_keys={"rules": lambda rule: rule},
        )
    ],
)

NAMES = st.sampled_from(["r1", "r2", "r3"])
KEYS = st.text("ab", min_size=1, max_size=3)
STEPS = st.lists(
    st.tuples(
        st.sampled_from(["rule", "unrule", "note"]),
        st.builds(dict, key=st.one_of(NAMES, KEYS), value=st.one_of(NAMES, KEYS, st.just(""))),
    ),
    max_size=30,
)


def _would_make(d: Notebook, event: str, p: dict[str, str]) -> Notebook:
    if event == "rule":
        return attrs.evolve(d, rules={**d.rules, p["key"]: p["value"]})
    if event == "unrule":
        return attrs.evolve(d, rules={k: v for k, v in d.rules.items() if k != p["key"]})
    return attrs.evolve(d, notes={**d.notes, p["key"]: p["value"]})


def _holds(d: Notebook) -> bool:
    return all(r in d.rules and k.startswith(d.rules[r]) for k, r in d.notes.items())


@settings(max_examples=300)
@given(STEPS)
def test_fire_refuses_exactly_what_breaks_an_entry(steps: list[tuple[str, dict[str, str]]]) -> None:
    g = NOTEBOOK.create(name="n")
    for event, payload in steps:
        expected = _would_make(g.data, event, payload)
        before = g.to_dict()
        if _holds(expected):
            g.fire(event, payload)
            assert g.data == expected
        else:
            with pytest.raises(DefinitionBug):
                g.fire(event, payload)
            assert g.to_dict() == before
        assert all(i.holds(g) for i in NOTEBOOK.invariants)


def _big(n: int) -> Any:
    """A notebook of *n* notes under rule r1 (a map past 128 entries is a hash trie)."""
    doc = NOTEBOOK.create(name="n").to_dict()
    doc["data"]["rules"] = {"r1": "", "r2": ""}
    doc["data"]["notes"] = {f"k{i}": "r1" for i in range(n)}
    doc["data"]["notes"]["k-two"] = "r2"
    return NOTEBOOK.load(doc)


@pytest.mark.parametrize("size", [10, 1000])
def test_a_change_to_a_rule_reads_only_the_notes_that_name_it(size: int) -> None:
    g = _big(size)
    CALLS.clear()
    g.fire("rule", key="r3", value="x")  # a new rule: no note names it
    g.fire("rule", key="r2", value="k")  # one note names r2
    g.fire("note", key="k-new", value="r2")
    assert CALLS == ["k-two", "k-new"]
    with pytest.raises(DefinitionBug, match=r"notebook\.notes"):
        g.fire("rule", key="r2", value="z")  # breaks k-two and k-new
    with pytest.raises(DefinitionBug, match=r"notebook\.notes"):
        g.fire("unrule", key="r1", value="")  # orphans every r1 note
    assert all(i.holds(g) for i in NOTEBOOK.invariants)


def test_an_entry_key_that_raises_is_a_bug_of_the_type() -> None:
    def boom(rule: str) -> str:
        raise RuntimeError(rule)

    bad = Invariant(
        "notebook.boom",
        {"en": "Boom.", "id": "Bum."},
        each="notes",
        entry=_note_ok,
        entry_reads={"rules"},
        entry_keys={"rules": boom},
    )
    gt = NOTEBOOK.derive(
        "keyed_notebook_2", {"en": "N", "id": "N"}, invariants=[bad], replace_invariants=True
    )
    g = gt.create(name="n").fire("rule", key="r1", value="")
    before = g.to_dict()
    with pytest.raises(DefinitionBug) as bug:
        g.fire("note", key="a", value="r1")
    assert ("note", "invariant 'notebook.boom'") == (bug.value.event, bug.value.culprit)
    assert (
        "Bug in the group type, found while applying event 'note': invariant 'notebook.boom' has "
        "an entry key that raised RuntimeError: r1. The group is unchanged; fix the type's code."
    ) == str(bug.value)
    assert g.to_dict() == before


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"entry_reads": set(), "entry_keys": {"rules": str}}, "entry_keys names 'rules'"),
        ({"entry_reads": {"rules"}, "entry_keys": {"rules": 5}}, "is not callable"),
    ],
)
def test_entry_keys_are_checked_when_the_type_is_built(
    changes: dict[str, Any], problem: str
) -> None:
    bad = Invariant(
        "notebook.bad", {"en": "Bad.", "id": "Buruk."}, each="notes", entry=_note_ok, **changes
    )
    with pytest.raises(DefinitionError, match=problem):
        NOTEBOOK.derive("keyed_notebook_3", {"en": "N", "id": "N"}, invariants=[bad])


# -- two invariants of one collection, keyed on one map by two keys --------------------------


@attrs.frozen
class Note:
    rule: str
    backup: str


@attrs.frozen
class TwoWays:
    name: str
    rules: FrozenMap[str, str] = attrs.field(factory=FrozenMap, converter=FrozenMap)
    notes: FrozenMap[str, Note] = attrs.field(factory=FrozenMap, converter=FrozenMap)


@attrs.frozen
class Written:
    key: str
    rule: str
    backup: str


def _write(g: Any, p: Written) -> TwoWays:
    return attrs.evolve(g.data, notes=g.data.notes.set(p.key, Note(p.rule, p.backup)))


def _two_ways_rule(g: Any, p: Pair) -> TwoWays:
    return attrs.evolve(g.data, rules=g.data.rules.set(p.key, p.value))


def _two_ways_unrule(g: Any, p: Pair) -> TwoWays:
    return attrs.evolve(g.data, rules=g.data.rules.delete(p.key))


def _named(code: str, field: str) -> Invariant:
    return Invariant(
        code,
        {"en": f"Every note's {field} is a rule.", "id": f"{field} setiap catatan adalah aturan."},
        each="notes",
        entry=lambda g, key, note: getattr(note, field) in g.data.rules,
        entry_reads={"rules"},
        entry_keys={"rules": lambda note: getattr(note, field)},
    )


TWO_WAYS = actions_type(
    "keyed_two_ways",
    data=TwoWays,
    founding=Founding,
    actions={
        "rule": (Pair, _two_ways_rule),
        "unrule": (Pair, _two_ways_unrule),
        "write": (Written, _write),
    },
    invariants=[_named("two_ways.rule", "rule"), _named("two_ways.backup", "backup")],
)


def test_two_invariants_of_one_collection_keep_an_index_each():
    # each invariant finds the notes naming a changed rule by its own key; sharing one index
    # (built by the first invariant's key) would miss the note whose backup is dropped
    for dropped, code in (("r1", "two_ways.rule"), ("r2", "two_ways.backup")):
        g = TWO_WAYS.create(name="n")
        for rule in ("r1", "r2"):
            g.fire("rule", key=rule, value="")
        g.fire("write", key="x", rule="r1", backup="r2")
        with pytest.raises(DefinitionBug) as bug:
            g.fire("unrule", key=dropped, value="")
        assert [code] == [r.code for r in bug.value.reasons]
        assert ["r1", "r2"] == sorted(g.data.rules)


@attrs.frozen
class PlainNotebook:
    """A notebook whose maps pass through ``attrs.evolve`` as the very same objects."""

    name: str
    rules: FrozenMap[str, str] = attrs.field(factory=FrozenMap)
    notes: FrozenMap[str, str] = attrs.field(factory=FrozenMap)


def _plain_rule(g: Any, p: Pair) -> PlainNotebook:
    return attrs.evolve(g.data, rules=g.data.rules.set(p.key, p.value))


PLAIN_NOTEBOOK = actions_type(
    "keyed_plain_notebook",
    data=PlainNotebook,
    founding=Founding,
    actions={"rule": (Pair, _plain_rule)},
    invariants=NOTEBOOK.invariants,
)


def test_a_rule_changed_beside_notes_left_as_they_were_reads_only_the_notes_naming_it():
    # the notes are the very object they were: no field check works out what changed in
    # them, so the entry check does, and finds nothing but the note naming the rule
    doc = PLAIN_NOTEBOOK.create(name="n").to_dict()
    doc["data"]["rules"] = {"r1": "", "r2": ""}
    doc["data"]["notes"] = {**{f"k{i}": "r1" for i in range(20)}, "k-two": "r2"}
    g = PLAIN_NOTEBOOK.load(doc)
    notes = g.data.notes
    CALLS.clear()
    g.fire("rule", key="r2", value="k")
    assert g.data.notes is notes
    assert ["k-two"] == CALLS
