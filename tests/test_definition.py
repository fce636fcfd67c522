"""Group-type definitions are checked when built, and list every problem at once."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

import kelompok
from kelompok import DefinitionError, Event, GroupType, Requirement, Stage
from kelompok._definition.problems import definition_problems


@attrs.frozen
class Named:
    name: str


def make(**overrides: Any) -> GroupType[kelompok.Group]:
    """A small valid type (a -> b -> c, c -> b back, anything -> closed), with overrides."""
    spec: dict[str, Any] = {
        "name": "tiny",
        "label": {"en": "Tiny", "id": "Kecil"},
        "stages": [
            Stage("a", {"en": "A", "id": "A"}),
            Stage("b", {"en": "B", "id": "B"}),
            Stage("c", {"en": "C", "id": "C"}),
            Stage("closed", {"en": "Closed", "id": "Ditutup"}, terminal=True),
        ],
        "events": [
            Event("start", {"en": "Start", "id": "Mulai"}, moves={"a": "b"}),
            Event("finish", {"en": "Finish", "id": "Selesai"}, moves={"b": "c"}),
            Event("redo", {"en": "Redo", "id": "Ulang"}, moves={"c": "b"}, back=True),
            Event("close", {"en": "Close", "id": "Tutup"}, moves=dict.fromkeys("abc", "closed")),
        ],
        "data": Named,
        "founding": Named,
        "initial_data": lambda args: args,
        "group_class": kelompok.Group,
    }
    spec.update(overrides)
    return GroupType(**spec)


def test_a_valid_custom_type_runs():
    tiny = make()
    g = tiny.create(name="T")
    g.fire("start").fire("finish").fire("redo").fire("finish").fire("close")
    assert "closed" == g.stage
    assert ["b", "c", "b", "c", "closed"] == [r.dest for r in g.history]
    assert isinstance(g, kelompok.Group)


def problems_of(**overrides: Any) -> list[str]:
    with pytest.raises(DefinitionError) as info:
        make(**overrides)
    assert isinstance(info.value, ValueError)
    assert "is not a valid definition" in str(info.value)
    return info.value.problems


def test_every_problem_is_listed_at_once():
    problems = problems_of(
        stages=[
            Stage("a", {"en": "A", "id": ""}),
            Stage("b", {"en": "B", "id": "B"}),
            Stage("c", {"en": "C", "id": "C"}),
            Stage("island", {"en": "Island", "id": "Pulau"}),
            Stage("closed", {"en": "Closed", "id": "Ditutup"}, terminal=True),
        ],
        events=[
            Event("start", {"en": "Start", "id": "Mulai"}, moves={"a": "b", "closed": "a"}),
            Event("jump", {"en": "Jump", "id": "Lompat"}, moves={"c": "a", "b": "nowhere"}),
            Event(
                "check",
                {"en": "Check", "id": "Cek"},
                moves={"b": None},
                requires=[
                    Requirement("x.one", {"en": "One", "id": "Satu"}, check="not callable"),  # type: ignore[arg-type]
                    Requirement("x.one", {"en": "One", "id": "Satu"}, check=lambda g, p: True),
                ],
            ),
            Event("start", {"en": "Again", "id": "Lagi"}, moves={"b": "c"}),
        ],
    )
    expected = [
        "stage 'a' has a blank or non-text 'id' text",
        "event 'start' leaves terminal stage 'closed'",
        "event 'jump' moves back 'c' -> 'a': declare it with back=True",
        "event 'jump' moves to undeclared stage 'nowhere'",
        "requirement 'x.one' has a check that is not callable",
        "requirement 'x.one' is used twice",
        "event 'start' is declared twice",
        "stage 'island' cannot be reached from 'a'",
        "stage 'closed' cannot be reached from 'a'",
    ]
    missing = [e for e in expected if not any(e in p for p in problems)]
    assert [] == missing, problems


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"name": "not a name"}, "type name 'not a name' is not an identifier"),
        ({"label": {"en": "", "id": "Kecil"}}, "the type has a blank or non-text 'en' text"),
        ({"label": "Tiny"}, "the type has no 'id' text: give it inline or in translations['id']"),
        ({"data": dict}, "data must be an attrs class"),
        ({"initial_data": 3}, "initial_data is not callable"),
        (
            {"stages": [Stage("closed", {"en": "Closed", "id": "Ditutup"}, terminal=True)]},
            "the first stage must be a live (non-terminal) stage",
        ),
        (
            {
                "events": [
                    Event("start", {"en": "Start", "id": "Mulai"}, moves={"a": "b"}),
                    Event("finish", {"en": "Finish", "id": "Selesai"}, moves={"b": "c"}, back=True),
                    Event(
                        "close",
                        {"en": "Close", "id": "Tutup"},
                        moves=dict.fromkeys("abc", "closed"),
                    ),
                ]
            },
            "event 'finish' is declared a way back but moves 'b' -> 'c'",
        ),
        (
            {
                "events": [
                    Event("start", {"en": "Start", "id": "Mulai"}, moves={"a": "b"}),
                    Event("finish", {"en": "Finish", "id": "Selesai"}, moves={"b": "c"}),
                    Event(
                        "close", {"en": "Close", "id": "Tutup"}, moves=dict.fromkeys("ab", "closed")
                    ),
                ]
            },
            "live stage 'c' is a dead end: no event leaves it",
        ),
        (
            {
                "invariants": [
                    kelompok.Invariant("inv.x", {"en": "X", "id": ""}, check=lambda g: True),
                ]
            },
            "invariant 'inv.x' has a blank or non-text 'id' text",
        ),
    ],
)
def test_single_problems(overrides, expected):
    problems = problems_of(**overrides)
    assert any(expected in p for p in problems), problems


def _one_stage_label(label: Any) -> dict[str, Any]:
    return {
        "stages": [
            Stage("a", label),
            Stage("b", {"en": "B", "id": "B"}),
            Stage("c", {"en": "C", "id": "C"}),
            Stage("closed", {"en": "Closed", "id": "Ditutup"}, terminal=True),
        ]
    }


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"translations": {"ms": {"stage.nowhere": "Tiada", "stage.a": "A"}}},
            "translations['ms'] has keys no text of the type has: stage.nowhere",
        ),
        ({"translations": "id"}, "translations must be a mapping {language: {key: text}}"),
        (_one_stage_label(42), "stage 'a' has a blank or non-text 'en' text"),
        (_one_stage_label({"id": "A"}), "stage 'a' has no 'en' text"),
        (_one_stage_label({"en": "A", "id": "  "}), "stage 'a' has a blank or non-text 'id' text"),
        (_one_stage_label({"en": "A"}), "stage 'a' has no 'id' text"),
        (
            {
                "events": [
                    Event("start", {"en": "Start", "id": "Mulai"}, moves={"a": "b"}),
                    Event("finish", {"en": "Finish", "id": "Selesai"}, moves={"b": "c"}),
                    Event(
                        "close",
                        {"en": "Close", "id": "Tutup"},
                        moves=dict.fromkeys("abc", "closed"),
                        requires=[
                            Requirement(
                                "stage.a", {"en": "Sure?", "id": "Yakin?"}, check=lambda g, p: True
                            )
                        ],
                    ),
                ]
            },
            "the code 'stage.a' is also the key of stage 'a''s label: choose another code",
        ),
    ],
)
def test_text_problems(overrides, expected):
    problems = problems_of(**overrides)
    assert any(expected in p for p in problems), problems


def test_a_text_may_get_its_indonesian_from_the_translations():
    tiny = make(
        name="tiny_translated",
        label="Tiny",
        stages=[
            Stage("a", "A"),
            Stage("b", {"EN": "B", "ID": "B"}),  # language tags are read without regard to case
            Stage("c", {"en": "C", "id": "C", "id_ID": "C (Indonesia)"}),  # a regional text
            Stage("closed", {"en": "Closed", "id": "Ditutup"}, terminal=True),
        ],
        translations={"id": {"type": "Kecil", "stage.a": "Awal"}, "ms": {"stage.a": "Mula"}},
    )
    assert ("Tiny", "Kecil") == (str(tiny.label), tiny.label("id"))
    assert ("A", "Awal", "Mula") == tuple(tiny.stage("a").label(x) for x in ("en", "id", "ms"))
    assert "B" == tiny.stage("b").label("id")
    assert ("C", "C (Indonesia)") == (tiny.stage("c").label("id"), tiny.stage("c").label("id-ID"))
    assert "Closed" == tiny.stage("closed").label("ms")  # no Malay text: English


def test_definitions_are_frozen():
    tiny = make()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        tiny.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        tiny.events[0].moves["a"] = "c"  # type: ignore[index]


def test_register_refuses_a_taken_name():
    tiny = make(name="tiny_registered")
    assert tiny is kelompok.register(tiny)
    assert tiny is kelompok.register(tiny)  # the same object again: fine
    assert tiny is kelompok.get_group_type("tiny_registered")
    g = tiny.create(name="T").fire("start")
    assert g.to_dict() == kelompok.load(g.to_dict()).to_dict()
    with pytest.raises(kelompok.KelompokError, match="already registered"):
        kelompok.register(make(name="tiny_registered"))
    with pytest.raises(TypeError, match="GroupType"):
        kelompok.register("professional")  # type: ignore[type-var]


def test_builtins_pass_their_own_definition_checks():
    assert [] == definition_problems(kelompok.PROFESSIONAL)
    assert [] == definition_problems(kelompok.VOLUNTEER)


def test_a_payload_field_named_actor_is_accepted():
    """A payload field may be called ``actor``: the definition check that refused it is gone."""

    @attrs.frozen
    class WithActor:
        actor: str

    tiny = make(
        events=[
            Event("start", {"en": "Start", "id": "Mulai"}, moves={"a": "b"}, payload=WithActor),
            Event("finish", {"en": "Finish", "id": "Selesai"}, moves={"b": "c"}),
            Event("close", {"en": "Close", "id": "Tutup"}, moves=dict.fromkeys("abc", "closed")),
        ]
    )
    assert tiny.event("start").payload is WithActor
    assert [] == definition_problems(tiny)
    g = tiny.create(name="x")
    assert ["payload.missing_field"] == [r.code for r in g.why_not("start")]
    assert g.can("start", {"actor": "the chair"})
    g.fire("start", {"actor": "the chair"}, actor="admin@example.org")
    assert ({"actor": "the chair"}, "admin@example.org") == (
        g.history[0].payload,
        g.history[0].actor,
    )
    with pytest.raises(kelompok.UsageError, match="given twice"):
        g.fire("finish", {"x": 1}, x=2)
    with pytest.raises(kelompok.UsageError, match="mapping"):
        g.fire("finish", ["not", "a", "mapping"])


def test_group_class_must_be_a_group():
    assert any("group_class" in p for p in problems_of(group_class=object))


def test_a_requirement_fixed_by_an_unknown_event_is_refused():
    needs = Requirement(
        "needs.x", {"en": "X", "id": "X"}, lambda g, p: True, needs_payload=False, fixed_by=["nope"]
    )
    finish = Event("finish", {"en": "Finish", "id": "Selesai"}, moves={"b": "c"}, requires=[needs])
    with pytest.raises(DefinitionError, match=r"requirement 'needs\.x' is fixed by 'nope'"):
        make(events=[*make().events[:1], finish, *make().events[2:]])


class _Shy(str):
    """A name whose ``repr`` must not be called: kelompok describes what it did not make."""

    __slots__ = ()

    def __repr__(self) -> str:
        raise AssertionError


_L = {"en": "x", "id": "x"}
_MALFORMED: dict[str, Any] = {
    "stages=None": lambda: make(stages=None),
    "events=5": lambda: make(events=5),
    "invariants as text": lambda: make(invariants="state.members"),
    "a name of 5,000 digits": lambda: make(name=10**5000),
    "a move to a number": lambda: Event("e", _L, moves={"a": 10**5000}),
    "a move to a list": lambda: Event("e", _L, moves={"a": ["b"]}),
    "moves=None": lambda: Event("e", _L, moves=None),
    "after=None": lambda: Event("e", _L, moves={"a": "b"}, after=None),
    "an event name that lies": lambda: Event(_Shy("e"), _L, moves={"a": "b"}),
    "a stage name that is a list": lambda: Stage(["a"], _L),
    "a requirement code that is a number": lambda: Requirement(10**5000, _L, check=bool),
    "reads=5": lambda: kelompok.Invariant("i", _L, check=bool, reads=5),
    "a role without a name": lambda: kelompok.Role(None, _L, check=bool),
    "derive with a name of digits": lambda: kelompok.PROFESSIONAL.derive(10**5000, _L),
    "derive with text as a change": lambda: kelompok.PROFESSIONAL.derive("d", _L, "no change"),
    "drop_requirement of a lying code": lambda: kelompok.drop_requirement("admit", _Shy("x")),
    "events_table(None)": lambda: kelompok.events_table(None),
    "entry_keys=5": lambda: kelompok.Invariant("i", _L, entry=bool, each="x", entry_keys=5),
    "each as a list": lambda: kelompok.Invariant("i", _L, entry=bool, each=["members"]),
    "derive with data=0": lambda: kelompok.PROFESSIONAL.derive("d", _L, data=0),
    "derive with invariants=None": lambda: kelompok.PROFESSIONAL.derive("d", _L, invariants=None),
    "derive with roles=5": lambda: kelompok.PROFESSIONAL.derive("d", _L, roles=5),
}


@pytest.mark.parametrize("case", list(_MALFORMED))
def test_a_malformed_definition_is_a_usage_error_that_says_what_not_a_bare_one(case):
    with pytest.raises((kelompok.UsageError, DefinitionError)) as refused:
        _MALFORMED[case]()
    if isinstance(refused.value, kelompok.UsageError):  # one problem, said briefly
        assert len(str(refused.value)) < 300
