"""fire checks the invariants an event may have broken: all of them, or the ones that read it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pytest

import kelompok


@attrs.frozen
class Counts:
    name: str
    apples: int = 0
    pears: int = 0


def counting_type(invariants: list[kelompok.Invariant], *, effect: Any = None) -> Any:
    def add_apple(g, _payload):
        return attrs.evolve(g.data, apples=g.data.apples + 1)

    def add_pear(g, _payload):
        return attrs.evolve(g.data, pears=g.data.pears + 1)

    return kelompok.GroupType(
        name="counting",
        label={"en": "Counting", "id": "Menghitung"},
        stages=[
            kelompok.Stage("open", {"en": "Open", "id": "Buka"}),
            kelompok.Stage("done", {"en": "Done", "id": "Selesai"}, terminal=True),
        ],
        events=[
            kelompok.Event(
                "apple", {"en": "Apple", "id": "Apel"}, moves={"open": None}, effect=add_apple
            ),
            kelompok.Event(
                "pear", {"en": "Pear", "id": "Pir"}, moves={"open": None}, effect=effect or add_pear
            ),
            kelompok.Event("finish", {"en": "Finish", "id": "Selesai"}, moves={"open": "done"}),
        ],
        data=Counts,
        founding=Counts,
        initial_data=lambda args: args,
        group_class=kelompok.Group,
        invariants=invariants,
    )


def spy(code: str, reads: Any, calls: list[str], holds: Callable[[Any], bool]) -> Any:
    def check(g):
        calls.append(code)
        return holds(g)

    return kelompok.Invariant(
        code, {"en": f"{code} holds", "id": f"{code} berlaku"}, check, reads=reads
    )


def test_an_invariant_with_reads_is_checked_only_when_they_change():
    calls: list[str] = []
    gt = counting_type(
        [
            spy("apples", {"apples"}, calls, lambda g: g.data.apples < 5),
            spy("stage", {"stage"}, calls, lambda g: True),
            spy("always", None, calls, lambda g: True),
        ]
    )
    g = gt.create(name="box")
    calls.clear()
    g.fire("pear")
    assert ["always"] == calls
    calls.clear()
    g.fire("apple")
    assert ["apples", "always"] == calls
    calls.clear()
    g.fire("finish")
    assert ["stage", "always"] == calls


def test_an_effect_that_breaks_an_invariant_is_a_definition_bug_and_changes_nothing():
    gt = kelompok.register(
        counting_type([spy("apples", {"apples"}, [], lambda g: g.data.apples < 2)])
    )
    g = gt.create(name="box").fire("apple")
    before = (g.to_dict(), g.version, len(g.history))
    seen: list[int] = []
    g.subscribe(lambda group, record: seen.append(group.version))
    with pytest.raises(kelompok.DefinitionBug) as caught:
        g.fire("apple")
    assert ("apple", "invariant 'apples'", ["apples"]) == (
        caught.value.event,
        caught.value.culprit,
        [r.code for r in caught.value.reasons],
    )
    assert "does not hold after the effect of 'apple'" in str(caught.value)
    assert [] == seen, "listeners never hear of an event that breaks an invariant"
    assert before == (g.to_dict(), g.version, len(g.history))
    assert before[0] == gt.load(g.to_dict()).to_dict()  # the stored group still loads


def test_an_invariant_sees_the_record_of_the_event_it_checks():
    lengths: list[int] = []

    def check(g):
        lengths.append(len(g.history))
        return g.history[-1].event in {"apple", "pear", "finish"} if g.history else True

    gt = counting_type([kelompok.Invariant("seen", {"en": "seen", "id": "terlihat"}, check)])
    g = gt.create(name="box")
    g.fire("apple").fire("pear")
    assert [1, 2] == lengths[-2:]


def test_reads_must_name_fields_of_the_data_class_or_stage():
    with pytest.raises(kelompok.DefinitionError) as caught:
        counting_type([spy("x", {"apples", "plums", "stag"}, [], lambda g: True)])
    expected = (
        "invariant 'x' reads plums, stag, which are neither fields of the data class Counts, "
        "nor 'stage', nor events of the type"
    )
    assert [expected] == caught.value.problems


def test_an_invariant_that_reads_an_event_is_checked_after_it_and_sees_its_count():
    calls: list[str] = []
    gt = counting_type(
        [spy("pears", {"pear"}, calls, lambda g: g.event_count("pear") == g.data.pears)]
    )
    g = gt.create(name="box")
    calls.clear()
    g.fire("apple")
    assert [] == calls
    g.fire("pear").fire("pear")
    assert ["pears", "pears"] == calls
    assert (2, 1, 0) == (g.event_count("pear"), g.event_count("apple"), g.event_count("finish"))
    with pytest.raises(kelompok.UnknownEvent):
        g.event_count("plum")


def test_an_effect_that_forgets_its_work_breaks_a_counting_invariant():
    forgetful = counting_type(
        [spy("pears", {"pear"}, [], lambda g: g.event_count("pear") == g.data.pears)],
        effect=lambda g, _payload: attrs.evolve(g.data, name="renamed"),
    )
    g = forgetful.create(name="box")
    with pytest.raises(kelompok.DefinitionBug, match="'pears'"):
        g.fire("pear")
    assert (0, 0) == (g.event_count("pear"), g.version)


def test_event_counts_maps_each_applied_event_to_its_count():
    g = counting_type([]).create(name="box")
    assert {} == dict(g.event_counts)
    g.fire("apple").fire("pear").fire("apple")
    assert {"apple": 2, "pear": 1} == dict(g.event_counts)
    assert isinstance(g.event_counts, kelompok.FrozenMap)
