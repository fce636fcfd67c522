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
        "en": "Tiny",
        "id": "Kecil",
        "stages": [
            Stage("a", "A", "A"),
            Stage("b", "B", "B"),
            Stage("c", "C", "C"),
            Stage("closed", "Closed", "Ditutup", terminal=True),
        ],
        "events": [
            Event("start", "Start", "Mulai", moves={"a": "b"}),
            Event("finish", "Finish", "Selesai", moves={"b": "c"}),
            Event("redo", "Redo", "Ulang", moves={"c": "b"}, back=True),
            Event("close", "Close", "Tutup", moves=dict.fromkeys("abc", "closed")),
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
            Stage("a", "A", ""),
            Stage("b", "B", "B"),
            Stage("c", "C", "C"),
            Stage("island", "Island", "Pulau"),
            Stage("closed", "Closed", "Ditutup", terminal=True),
        ],
        events=[
            Event("start", "Start", "Mulai", moves={"a": "b", "closed": "a"}),
            Event("jump", "Jump", "Lompat", moves={"c": "a", "b": "nowhere"}),
            Event(
                "check",
                "Check",
                "Cek",
                moves={"b": None},
                requires=[
                    Requirement("x.one", "One", "Satu", check="not callable"),  # type: ignore[arg-type]
                    Requirement("x.one", "One", "Satu", check=lambda g, p: True),
                ],
            ),
            Event("start", "Again", "Lagi", moves={"b": "c"}),
        ],
    )
    expected = [
        "stage 'a' has no 'id' label",
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
        ({"en": ""}, "type 'tiny' has no 'en' label"),
        ({"data": dict}, "data must be an attrs class"),
        ({"initial_data": 3}, "initial_data is not callable"),
        (
            {"stages": [Stage("closed", "Closed", "Ditutup", terminal=True)]},
            "the first stage must be a live (non-terminal) stage",
        ),
        (
            {
                "events": [
                    Event("start", "Start", "Mulai", moves={"a": "b"}),
                    Event("finish", "Finish", "Selesai", moves={"b": "c"}, back=True),
                    Event("close", "Close", "Tutup", moves=dict.fromkeys("abc", "closed")),
                ]
            },
            "event 'finish' is declared a way back but moves 'b' -> 'c'",
        ),
        (
            {
                "events": [
                    Event("start", "Start", "Mulai", moves={"a": "b"}),
                    Event("finish", "Finish", "Selesai", moves={"b": "c"}),
                    Event("close", "Close", "Tutup", moves=dict.fromkeys("ab", "closed")),
                ]
            },
            "live stage 'c' is a dead end: no event leaves it",
        ),
        (
            {
                "invariants": [
                    kelompok.Invariant("inv.x", "X", "", check=lambda g: True),
                ]
            },
            "invariant 'inv.x' has no 'id' label",
        ),
    ],
)
def test_single_problems(overrides, expected):
    problems = problems_of(**overrides)
    assert any(expected in p for p in problems), problems


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


def test_a_payload_field_named_actor_is_refused():
    @attrs.frozen
    class WithActor:
        actor: str

    problems = problems_of(
        events=[
            Event("start", "Start", "Mulai", moves={"a": "b"}, payload=WithActor),
            Event("finish", "Finish", "Selesai", moves={"b": "c"}),
            Event("close", "Close", "Tutup", moves=dict.fromkeys("abc", "closed")),
        ]
    )
    assert any("'actor'" in p for p in problems)


def test_group_class_must_be_a_group():
    assert any("group_class" in p for p in problems_of(group_class=object))
