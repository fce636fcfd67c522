"""Issue 8, items 5 and 9: a custom type's own bugs are caught, named, and undone.

A data class that can be mutated in place is refused when the type is built. At
run time, a requirement that raises or answers anything but ``True``/``False``,
an effect that raises or returns something that is not the type's data, and an
effect whose data breaks the type's invariants each give ``DefinitionBug``
naming the culprit; the group is left exactly as it was and keeps working.
"""

import datetime as dt
import json
import math
from collections.abc import Callable
from typing import Any

import attrs
import pytest

import kelompok
from adversarial.helpers import assert_own_document_loads, snapshot
from kelompok import Event, GroupType, Invariant, Requirement, Stage


@attrs.frozen
class Box:
    name: str
    items: tuple[str, ...] = ()


@attrs.frozen
class NewBox:
    name: str


@attrs.frozen
class Item:
    item: str


@attrs.frozen
class Other:
    name: str
    items: tuple[str, ...] = ()


def add_item(group: Any, payload: Item) -> Box:
    return attrs.evolve(group.data, items=(*group.data.items, payload.item))


UNIQUE = Invariant(
    "box.items_unique",
    {"en": "Every item is in the box once.", "id": "Setiap barang ada di kotak sekali saja."},
    check=lambda g: len(set(g.data.items)) == len(g.data.items),
)


def box_type(
    name: str,
    *,
    effect: Callable[[Any, Any], Any] = add_item,
    requires: tuple[Requirement, ...] = (),
    data: type = Box,
    invariants: tuple[Invariant, ...] = (UNIQUE,),
) -> GroupType[Any]:
    """A small type: 'put' (an action, with the effect and requirements under test),
    'add' (a plain action) and 'close' (open -> closed)."""
    return GroupType(
        name=name,
        label={"en": "Box", "id": "Kotak"},
        stages=[
            Stage("open", {"en": "Open", "id": "Terbuka"}),
            Stage("closed", {"en": "Closed", "id": "Tertutup"}),
            Stage("gone", {"en": "Gone", "id": "Hilang"}, terminal=True),
        ],
        events=[
            Event(
                "put",
                {"en": "Put", "id": "Taruh"},
                moves={"open": None},
                payload=Item,
                requires=requires,
                effect=effect,
            ),
            Event(
                "add",
                {"en": "Add", "id": "Tambah"},
                moves={"open": None},
                payload=Item,
                effect=add_item,
            ),
            Event("close", {"en": "Close", "id": "Tutup"}, moves={"open": "closed"}),
            Event("drop", {"en": "Drop", "id": "Buang"}, moves={"open": "gone", "closed": "gone"}),
        ],
        data=data,
        founding=NewBox,
        initial_data=lambda args: data(name=args.name),
        group_class=kelompok.Group,
        invariants=invariants,
    )


def used(group_type: GroupType[Any]) -> Any:
    """A registered group of *group_type* with one item and one event in its history."""
    kelompok.register(group_type)
    return group_type.create(name="Kotak").fire("add", item="first")


def caught_bug(group: Any, event: str, culprit: str, payload: dict[str, Any]) -> Any:
    """Fire *event*: it must raise ``DefinitionBug`` naming *culprit*, changing nothing."""
    before = snapshot(group)
    bug: Any = None
    try:
        group.fire(event, **payload)
    except Exception as exc:  # noqa: BLE001 -- what it is, is asserted below
        bug = exc
    assert bug is not None, "the misbehaving event was applied"
    assert before == snapshot(group), "the group changed"
    assert isinstance(bug, kelompok.KelompokError), f"a bare {type(bug).__name__}: {bug}"
    assert not isinstance(bug, kelompok.TransitionNotAllowed), "a bug taken for a refusal"
    assert isinstance(bug, kelompok.DefinitionBug)
    assert isinstance(bug, RuntimeError)
    assert event == bug.event
    assert culprit in bug.culprit, bug.culprit
    assert isinstance(bug.reasons, list)
    assert str(bug)
    assert before == snapshot(group)
    return bug


def assert_bug(group: Any, event: str, culprit: str, payload: dict[str, Any]) -> Any:
    """:func:`caught_bug`, and the box keeps working afterwards."""
    bug = caught_bug(group, event, culprit, payload)
    group.fire("add", item=f"after {len(group.history)}")
    group.fire("close")
    assert "closed" == group.stage
    assert_own_document_loads(group)
    return bug


# -- (a), (g) data that can change in place ----------------------------------------------


@attrs.frozen
class ListBox:
    name: str
    items: list[str] = attrs.field(factory=list)


@attrs.frozen
class DictBox:
    name: str
    counts: dict[str, int] = attrs.field(factory=dict)


@attrs.frozen
class SetBox:
    name: str
    tags: set[str] = attrs.field(factory=set)


@attrs.define
class Loose:
    label: str = ""


@attrs.frozen
class NestedBox:
    name: str
    inner: Loose = attrs.field(factory=Loose)


@attrs.frozen
class OptionalListBox:
    name: str
    items: list[str] | None = None


@attrs.frozen
class TupleOfListsBox:
    name: str
    rows: tuple[list[str], ...] = ()


@attrs.define
class UnfrozenBox:
    name: str
    items: tuple[str, ...] = ()


MUTABLE = {
    "list": ListBox,
    "dict": DictBox,
    "set": SetBox,
    "non-frozen attrs field": NestedBox,
    "optional list": OptionalListBox,
    "tuple of lists": TupleOfListsBox,
    "non-frozen data class": UnfrozenBox,
}


@pytest.mark.parametrize("kind", list(MUTABLE))
def test_a_data_class_that_can_change_in_place_is_refused_at_definition(kind):
    data = MUTABLE[kind]
    with pytest.raises(kelompok.DefinitionError) as caught:
        box_type(f"mutable_{kind.replace(' ', '_').replace('-', '_')}", data=data, invariants=())
    assert caught.value.problems
    assert any("data" in p or data.__name__ in p for p in caught.value.problems)


def test_frozen_data_cannot_be_changed_in_place():
    with pytest.raises(kelompok.DefinitionError):
        box_type("mutable_list", data=ListBox, invariants=())
    g = used(box_type("frozen_box"))
    before = snapshot(g)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        g.data.items = ("x",)
    with pytest.raises(AttributeError):
        g.data.items.append("x")
    assert before == snapshot(g)


# -- (b), (e) effects that misbehave --------------------------------------------------------


def _raising_effect(group: Any, payload: Any) -> Any:
    msg = "the effect fell over"
    raise ValueError(msg)


EFFECTS: dict[str, Callable[[Any, Any], Any]] = {
    "returns None": lambda g, p: None,
    "returns a dict": lambda g, p: {"name": g.data.name, "items": [p.item]},
    "returns another class": lambda g, p: Other(name=g.data.name, items=(p.item,)),
    "returns the payload": lambda g, p: p,
    "returns a string": lambda g, p: "Box(name='x')",
    "raises": _raising_effect,
    "raises KeyError": lambda g, p: {}["missing"],
}


@pytest.mark.parametrize("case", list(EFFECTS))
def test_an_effect_that_misbehaves_is_a_definition_bug(case):
    g = used(box_type("bad_effect", effect=EFFECTS[case]))
    bug = assert_bug(g, "put", "effect", {"item": "second"})
    assert "put" in bug.culprit
    assert [] == bug.reasons
    if case.startswith("raises"):
        assert isinstance(bug.__cause__, ValueError | KeyError)


@attrs.frozen
class Dated:
    name: str
    items: tuple[str, ...] = ()
    when: dt.datetime | None = None


_PLUS1, _MINUS1 = (dt.timezone(dt.timedelta(hours=h)) for h in (1, -1))
UNWRITABLE: dict[str, Callable[[Any, Any], Any]] = {
    "a lone surrogate in a text": lambda g, p: attrs.evolve(g.data, name="\ud800"),
    "a lone surrogate in a tuple": lambda g, p: attrs.evolve(g.data, items=("ok", "\udfff")),
    "a moment before the first in UTC": lambda g, p: attrs.evolve(
        g.data, when=dt.datetime.min.replace(tzinfo=_PLUS1)
    ),
    "a moment after the last in UTC": lambda g, p: attrs.evolve(
        g.data, when=dt.datetime.max.replace(tzinfo=_MINUS1)
    ),
}


@pytest.mark.parametrize("case", list(UNWRITABLE))
def test_an_effect_that_stores_what_no_document_holds_is_a_definition_bug(case):
    # fire would keep it, and the group's own document would be refused by load (or be no
    # JSON at all: to_json fails on a lone surrogate)
    g = used(box_type(f"unwritable_{len(case)}", effect=UNWRITABLE[case], data=Dated))
    bug = assert_bug(g, "put", "effect", {"item": "second"})
    assert "do not fit their fields" in str(bug)


def test_initial_data_that_no_document_holds_is_a_definition_bug():
    box = box_type("unwritable_create", data=Dated)
    box = attrs.evolve(box, initial_data=lambda args: Dated(name="\ud800"))
    with pytest.raises(kelompok.DefinitionBug, match="initial_data"):
        box.create(name="Kotak")


def _shouting(value: str) -> str:
    return value + "\ud800"


def _not_a_number(value: float) -> float:
    return math.nan


def _deep(value: list[Any]) -> list[Any]:
    for _ in range(40):
        value = [value]
    return value


@attrs.frozen
class ShoutedText:
    value: str = attrs.field(converter=_shouting)


@attrs.frozen
class NotANumber:
    value: float = attrs.field(converter=_not_a_number)


@attrs.frozen
class Deep:
    value: list[int] = attrs.field(converter=_deep)


@attrs.frozen
class Huge:
    value: int = attrs.field(converter=lambda v: v * 2**70)


@attrs.frozen
class NumberKeys:
    value: dict[str, int] = attrs.field(converter=lambda v: {1: 1})


@attrs.frozen
class ShoutedDefault:
    value: str = "x"
    note: str = "\udcff"  # a default is the class's own too: never checked as a payload


@attrs.frozen
class NotANumberAfterwards:
    value: int

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "value", math.nan)


CONVERTED = {
    ShoutedText: "x",
    NotANumber: 1.5,
    Deep: [1],
    Huge: 2,
    NumberKeys: {"a": 1},
    ShoutedDefault: "x",
    NotANumberAfterwards: 1,
}


@pytest.mark.parametrize("payload", list(CONVERTED), ids=lambda c: c.__name__)
def test_a_payload_converter_that_makes_no_json_is_a_definition_bug(payload):
    # the converter runs after the payload was checked: what it makes is checked again
    # before it is recorded, or the record would hold what no document can
    bad = box_type(f"converted_{payload.__name__}", effect=lambda g, p: g.data)
    events = [attrs.evolve(e, payload=payload) if e.name == "put" else e for e in bad.events]
    g = used(attrs.evolve(bad, events=events))
    bug = assert_bug(g, "put", "payload", {"value": CONVERTED[payload]})
    assert "not strict JSON" in str(bug)


@attrs.frozen
class ShoutedName:
    name: str = attrs.field(converter=_shouting)


@attrs.frozen
class HugeSerial:
    name: str
    serial: int = 2**70


@pytest.mark.parametrize("founding", [ShoutedName, HugeSerial], ids=lambda c: c.__name__)
def test_a_founding_class_that_makes_what_no_document_holds_is_a_definition_bug(founding):
    box = attrs.evolve(box_type(f"founding_{founding.__name__}"), founding=founding)
    with pytest.raises(kelompok.DefinitionBug, match="founding class"):
        box.create(name="Kotak")


@attrs.frozen
class BigBox(Box):
    pass


def test_an_effect_must_return_exactly_the_data_class():
    # a subclass could add fields that the type never checked, nor its documents hold
    subclass = lambda g, p: BigBox(name=g.data.name, items=(*g.data.items, p.item))
    g = used(box_type("sub_effect", effect=subclass))
    assert_bug(g, "put", "effect", {"item": "second"})
    h = used(box_type("none_effect", effect=lambda g, p: None))
    assert_bug(h, "put", "effect", {"item": "second"})


# -- (c), (d) requirements that misbehave ----------------------------------------------------


def _req(code: str, check: Callable[[Any, Any], Any]) -> Requirement:
    return Requirement(
        code, {"en": "A requirement under test.", "id": "Persyaratan yang diuji."}, check=check
    )


class Truthy:
    def __bool__(self) -> bool:
        return True


ANSWERS: dict[str, Any] = {
    "'False'": "False",
    "'True'": "True",
    "1": 1,
    "0": 0,
    "None": None,
    "[]": [],
    "[False]": [False],
    "1.0": 1.0,
    "a truthy object": Truthy(),
    "NotImplemented": NotImplemented,
}


@pytest.mark.parametrize("answer", list(ANSWERS))
def test_a_requirement_that_answers_neither_true_nor_false_is_a_definition_bug(answer):
    value = ANSWERS[answer]
    requirement = _req("box.odd_answer", lambda g, p: value)
    g = used(box_type("odd_answer", requires=(requirement,)))
    assert_bug(g, "put", "box.odd_answer", {"item": "second"})


@pytest.mark.parametrize("answer", [True, False])
def test_a_requirement_that_answers_a_bool_is_obeyed(answer):
    requirement = _req("box.plain_answer", lambda g, p: answer)
    g = used(box_type("plain_answer", requires=(requirement,)))
    if answer:
        g.fire("put", item="second")
        assert ("first", "second") == g.data.items
    else:
        with pytest.raises(kelompok.TransitionNotAllowed) as caught:
            g.fire("put", item="second")
        assert ["box.plain_answer"] == [r.code for r in caught.value.reasons]
    # either way, the next check of a misbehaving requirement is a bug, not a refusal
    odd = _req("box.plain_then_odd", lambda g, p: "False")
    h = used(box_type("plain_then_odd", requires=(odd,)))
    assert_bug(h, "put", "box.plain_then_odd", {"item": "x"})


@pytest.mark.parametrize(
    "error",
    [ValueError("bad"), KeyError("k"), AttributeError("a"), TypeError("t"), ZeroDivisionError()],
)
def test_a_requirement_that_raises_is_a_definition_bug(error):
    def check(group: Any, payload: Any) -> bool:
        raise error

    requirement = _req("box.raising", check)
    g = used(box_type("raising_requirement", requires=(requirement,)))
    bug = assert_bug(g, "put", "box.raising", {"item": "second"})
    assert bug.__cause__ is error
    assert "requirement" in bug.culprit


def test_the_second_of_two_requirements_is_named_when_it_misbehaves():
    ok = _req("box.fine", lambda g, p: True)
    odd = _req("box.second_odd", lambda g, p: 1)
    g = used(box_type("second_odd", requires=(ok, odd)))
    bug = assert_bug(g, "put", "box.second_odd", {"item": "second"})
    assert "box.fine" not in bug.culprit


# -- (f) effects that break the type's invariants --------------------------------------------


def test_an_effect_that_breaks_an_invariant_is_a_definition_bug():
    duplicate = lambda g, p: attrs.evolve(g.data, items=(*g.data.items, p.item, p.item))
    g = used(box_type("breaks_invariant", effect=duplicate))
    bug = assert_bug(g, "put", "box.items_unique", {"item": "second"})
    assert "invariant" in bug.culprit
    assert "put" == bug.event
    assert 1 == len(bug.reasons)
    assert bug.reasons[0].code.endswith("box.items_unique")
    assert all(isinstance(r, kelompok.Reason) for r in bug.reasons)


def test_only_the_broken_invariant_is_named():
    never_empty = Invariant(
        "box.named",
        {"en": "A box has a name.", "id": "Kotak memiliki nama."},
        check=lambda g: bool(g.data.name.strip()),
    )
    unnamed = lambda g, p: attrs.evolve(g.data, name=" ", items=(*g.data.items, p.item))
    g = used(box_type("two_invariants", effect=unnamed, invariants=(UNIQUE, never_empty)))
    bug = assert_bug(g, "put", "box.named", {"item": "second"})
    assert "box.items_unique" not in bug.culprit
    assert 1 == len(bug.reasons)
    assert bug.reasons[0].code.endswith("box.named")


def test_a_built_in_invariant_broken_by_a_derived_effect_is_a_definition_bug():
    """An effect that stores a member under another key breaks 'state.members'."""

    def admit_under_a_nickname(group: Any, payload: Any) -> Any:
        members = {**group.data.members, "nick-" + payload.member.id: payload.member}
        return attrs.evolve(group.data, members=members)

    nickname = Event(
        "admit_nickname",
        {"en": "Admit under a nickname", "id": "Menerima dengan nama panggilan"},
        moves={"recruiting": None},
        payload=kelompok.PROFESSIONAL.event("admit").payload,
        effect=admit_under_a_nickname,
    )
    child = kelompok.PROFESSIONAL.derive(
        "nicknames", {"en": "Nicknames", "id": "Nama panggilan"}, kelompok.add_event(nickname)
    )
    kelompok.register(child)
    g = child.create(name="Apoteker", profession="pharmacist")
    g.fire("identify_needs", needs=["x"])
    g.fire(
        "form_core_group",
        founders=[
            {"id": "ani", "name": "Ani", "profession": "pharmacist"},
            {"id": "bayu", "name": "Bayu", "profession": "pharmacist"},
        ],
    )
    g.fire("adopt_charter", vision="V", mission="M", goals=["g"], steps=["s"])
    g.fire("open_recruitment")
    before = snapshot(g)
    member = {"id": "citra", "name": "Citra", "profession": "pharmacist"}
    scores = {"competence": 4, "dedication": 4}
    bug = caught_bug(g, "admit_nickname", "state.members", {"member": member, "scores": scores})
    assert "invariant" in bug.culprit
    assert any(r.code.endswith("state.members") for r in bug.reasons)
    assert before == snapshot(g)
    again = kelompok.load(json.loads(json.dumps(g.to_dict())))
    assert g.to_dict() == again.to_dict()
    g.fire("admit", member=member, scores=scores)
    assert_own_document_loads(g)
