"""A hostile review of docs/guarantees.md: attacks the other adversarial tests do not make.

Each test names the promise it attacks. Tests that fail show a hole; the others add
coverage for promises that held. Every test is bounded in time: threads are joined with
a timeout, and nothing waits forever in the test's own thread.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import decimal
import enum
import json
import pickle
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Literal

import attrs
import pytest

import kelompok
from adversarial.helpers import open_close_type, run_bounded, snapshot, strict_json
from builders import at, payloads
from kelompok import (
    VOLUNTEER,
    GroupType,
    Invariant,
    KnownDocuments,
    Requirement,
    known_documents,
)

MAX_MESSAGE = 2_000  # what "quoted briefly" allows a whole message, generously
HUGE = "k" * 100_000


# -- a small custom type whose parts each test replaces -------------------------------------


@attrs.frozen
class NewBox:
    name: str


@attrs.frozen
class Box:
    name: str
    items: tuple[str, ...] = ()


@attrs.frozen
class Item:
    item: str


UNIQUE = Invariant(
    "box.items_unique",
    {"en": "Every item is in the box once.", "id": "Setiap barang ada di kotak sekali saja."},
    check=lambda g: len(set(g.data.items)) == len(g.data.items),
    reads={"items"},
)


def add_item(group: Any, payload: Any) -> Any:
    return attrs.evolve(group.data, items=(*group.data.items, payload.item))


def box_type(  # noqa: PLR0913 -- each attack replaces one part
    name: str,
    *,
    data: type = Box,
    payload: type = Item,
    effect: Any = add_item,
    initial_data: Any = None,
    invariants: Iterable[Invariant] = (UNIQUE,),
    requires: Iterable[Requirement] = (),
) -> GroupType[Any]:
    """'put' (an action with the effect under test) and 'close' (open -> closed)."""
    return open_close_type(
        name,
        data=data,
        founding=NewBox,
        payload=payload,
        effect=effect,
        initial_data=initial_data,
        invariants=invariants,
        requires=requires,
    )


@pytest.fixture
def known() -> Iterator[KnownDocuments]:
    """kelompok.known_documents turned on and empty, and turned off again afterwards."""
    known_documents.limit = 4 * 1024 * 1024
    known_documents.clear()
    yield known_documents
    known_documents.limit = 0
    known_documents.clear()


def _admit(i: int, actor: str | None = None) -> dict[str, Any]:
    scores = payloads(VOLUNTEER)["admit"]["scores"]
    return {"member": {"id": f"m{i}", "name": f"M {i}"}, "scores": scores, "actor": actor}


# == HOLES (these fail now) ===================================================================

# -- §3 / known_documents: a document recalled as a group it does not describe -------------


def test_a_known_document_gives_back_the_group_it_describes_when_an_event_lands_meanwhile(
    known,
):
    """to_dict() dumps one state, then remembers a copy of the group as it is *then*.

    Another thread's event between the two makes load(document) return a group that is
    one event ahead of the document. (pickle.dumps(g) goes through the same path.)
    """
    g = at(VOLUNTEER, "recruiting")
    injected: list[Any] = []

    def another_request() -> None:
        g.fire("admit", **_admit(1))

    def tracer(frame: Any, event: str, arg: Any) -> Any:
        if event == "call" and frame.f_code is KnownDocuments.remember.__code__ and not injected:
            injected.append(run_bounded(another_request))
        return None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        document = g.to_dict()
    finally:
        sys.settrace(previous)
    assert injected, "to_dict did not remember the document"
    assert ([None], []) == injected[0]
    assert document["version"] + 1 == g.version
    back = kelompok.load(document)
    assert document == back.to_dict(), (
        f"the document is version {document['version']}, load gave version {back.version}"
    )


# -- deadlock: listeners that fire on another group ---------------------------------------


def test_two_groups_whose_listeners_fire_on_each_other_do_not_deadlock():
    """ReentrantFire forbids only the *same* group; firing on another group from a listener
    is allowed. Two such groups, fired at the same time in two threads, lock each other
    forever, and every later why_not or fire on either hangs too."""
    a = at(VOLUNTEER, "recruiting", id="group-a")
    b = at(VOLUNTEER, "recruiting", id="group-b")
    both_in_flight = threading.Barrier(2, timeout=2)

    def relay(other: Any, i: int) -> Any:
        def listener(group: Any, record: Any) -> None:
            if record.actor == "relay":
                return
            try:
                both_in_flight.wait()
            except threading.BrokenBarrierError:
                return
            other.fire("admit", **_admit(i, actor="relay"))

        return listener

    a.subscribe(relay(b, 10))
    b.subscribe(relay(a, 20))
    raised: list[BaseException] = []

    def request(group: Any, i: int) -> None:
        try:
            group.fire("admit", **_admit(i, actor="user"))
        except Exception as exc:  # noqa: BLE001 -- any outcome but a hang is acceptable
            raised.append(exc)

    threads = [
        threading.Thread(target=request, args=(g, i), daemon=True) for i, g in ((1, a), (2, b))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(4)
    assert not any(t.is_alive() for t in threads), "two groups' listeners deadlocked"


# -- §1: custom data that can change in place, past the definition check --------------------


@dataclasses.dataclass
class Note:
    text: str = ""


@attrs.frozen
class NoteBox:
    name: str
    items: tuple[str, ...] = ()
    note: Note = attrs.field(factory=Note)


def test_a_field_of_a_mutable_dataclass_is_refused_at_definition():
    """The check looks into attrs classes only: a plain (non-frozen) dataclass passes, and
    ``g.data.note.text = ...`` then changes the group with no event."""
    try:
        gt = kelompok.register(box_type("note_box", data=NoteBox))
    except kelompok.DefinitionError:
        return
    g = gt.create(name="Kotak")
    before = snapshot(g)
    with pytest.raises((dataclasses.FrozenInstanceError, AttributeError)):
        g.data.note.text = "changed without an event"
    assert before == snapshot(g)


@attrs.frozen
class AnyBox:
    name: str
    items: Any = ()


def test_an_any_field_does_not_store_a_list_that_changes_in_place():
    """``Any`` passes the definition check; load stores the document's list as it is."""
    try:
        gt = kelompok.register(box_type("any_box", data=AnyBox, invariants=()))
    except kelompok.DefinitionError:
        return
    document = gt.create(name="Kotak").to_dict()
    document["data"]["items"] = ["a", "b"]
    g = kelompok.load(document)
    before = snapshot(g)
    with contextlib.suppress(AttributeError):
        g.data.items.append("c")
    assert before == snapshot(g), "the group changed without an event"


@attrs.frozen
class SneakyBox(Box):
    extra: list[str] = attrs.field(factory=list)


EFFECT_RESULTS = {
    # the commonest slip there is: a list where the data class says tuple
    "a list in a tuple field": lambda g, p: attrs.evolve(g.data, items=[*g.data.items, p.item]),
    # an instance of the data class, as isinstance says, but with a field of its own
    "a subclass with a list field": lambda g, p: SneakyBox(
        name=g.data.name, items=(*g.data.items, p.item)
    ),
}


@pytest.mark.parametrize("case", list(EFFECT_RESULTS))
def test_an_effect_cannot_store_data_that_changes_in_place(case):
    """§1/§5: 'Its sequences are tuples'; the effect's result is only checked with isinstance.

    Once a list is stored, ``append`` changes the group with no event, breaks the type's
    own invariant without DefinitionBug, and the group's own document no longer loads.
    """
    gt = kelompok.register(box_type("slip_box", effect=EFFECT_RESULTS[case]))
    g = gt.create(name="Kotak")
    try:
        g.fire("put", item="a")
    except kelompok.DefinitionBug:
        return  # caught: acceptable
    before = snapshot(g)
    mutable = g.data.items if type(g.data.items) is list else getattr(g.data, "extra", None)
    if type(mutable) is list:
        mutable.append("a")
    assert before == snapshot(g), "the group changed without an event"
    assert g.data == kelompok.load(g.to_dict()).data


def test_initial_data_that_returns_something_else_is_caught_by_create():
    """§5 checks what an effect returns, but not what initial_data returns: create() hands
    back a group whose every to_dict() raises AttributeError."""
    gt = kelompok.register(box_type("none_box", initial_data=lambda args: None, invariants=()))
    try:
        g = gt.create(name="Kotak")
    except kelompok.KelompokError:
        return
    strict_json(g)


# -- §8: documents that are not JSON ---------------------------------------------------------


@attrs.frozen
class TagBox:
    name: str
    items: tuple[str, ...] = ()
    tags: frozenset[str] = frozenset()


def test_the_frozenset_the_definition_check_recommends_gives_a_json_document():
    """DefinitionError says 'use frozenset[X]' for a set field; a frozenset field then makes
    to_dict() a document that json.dumps refuses."""
    with pytest.raises(kelompok.DefinitionError) as caught:  # a set has no order to keep
        box_type(
            "tag_box",
            data=TagBox,
            effect=lambda g, p: attrs.evolve(g.data, tags=g.data.tags | {p.item}),
        )
    assert any("data.tags: frozenset" in p and "tuple" in p for p in caught.value.problems)


@attrs.frozen
class Meta:
    item: str
    meta: Mapping[str, Any] = attrs.field(factory=dict, converter=kelompok.FrozenMap)


@pytest.mark.parametrize(
    "value",
    [float("nan"), float("inf"), "\ud800", b"bytes", object(), 2**80],
    ids=["nan", "inf", "surrogate", "bytes", "object", "2**80"],
)
def test_a_payload_of_any_values_keeps_to_dict_strict_json(value):
    """§8: 'It refuses them in payloads'. A payload field ``Mapping[str, Any]`` takes any
    value, and the history record keeps it: to_dict() is no longer JSON, or load refuses
    the group's own document."""
    with pytest.raises(kelompok.DefinitionError) as caught:  # Any is refused where declared
        box_type("meta_box", payload=Meta)
    assert any("meta" in p and "Any" in p for p in caught.value.problems)
    del value  # whatever it is, such a payload cannot reach a history record


# -- §6: errors that are not KelompokErrors ---------------------------------------------------


@pytest.mark.parametrize(
    "annotation",
    [object, Iterable[str], decimal.Decimal],
    ids=["object", "Iterable", "Decimal"],
)
def test_a_data_field_cattrs_cannot_read_is_a_definition_error(annotation):
    """'DefinitionError: an inconsistent type definition' -- instead cattrs'
    StructureHandlerNotFoundError escapes GroupType() as it is."""
    data = attrs.make_class(
        "Odd",
        {"name": attrs.field(type=str), "items": attrs.field(type=annotation, default=())},
        frozen=True,
    )
    with pytest.raises(kelompok.DefinitionError):
        box_type("odd_box", data=data, invariants=())


def _raising(group: Any) -> bool:
    if "boom" in group.data.items:
        msg = "a bug in the invariant"
        raise ZeroDivisionError(msg)
    return True


def test_load_reports_an_invariant_that_raises_as_a_kelompok_error():
    """fire turns a raising invariant into DefinitionBug; load and create let it out bare."""
    raising = Invariant("box.raises", {"en": "Raises.", "id": "Galat."}, check=_raising)
    gt = kelompok.register(box_type("raising_box", invariants=(raising,)))
    document = gt.create(name="Kotak").to_dict()
    document["data"]["items"] = ["boom"]
    with pytest.raises(kelompok.KelompokError):
        kelompok.load(document)
    always = Invariant(
        "box.always_raises", {"en": "Raises.", "id": "Galat."}, check=lambda g: 1 // 0
    )
    with pytest.raises(kelompok.KelompokError):
        kelompok.register(box_type("raising_box_2", invariants=(always,))).create(name="Kotak")


def test_load_and_fire_agree_on_an_invariant_that_answers_neither_true_nor_false():
    """fire takes only ``True`` as holding (DefinitionBug otherwise); load and create take
    anything truthy, so load accepts the very data fire refuses."""
    vague = Invariant(
        "box.vague",
        {"en": "Answers 'no' when it has items.", "id": "Menjawab 'no'."},
        check=lambda g: "no" if g.data.items else True,
    )
    gt = kelompok.register(box_type("vague_box", invariants=(vague,)))
    g = gt.create(name="Kotak")
    with pytest.raises(kelompok.DefinitionBug):
        g.fire("put", item="a")
    document = g.to_dict()
    document["data"]["items"] = ["a"]
    with pytest.raises(kelompok.DefinitionBug):  # the same answer as fire, for the same bug
        kelompok.load(document)


def _junk_calls() -> dict[str, Any]:
    """Each call by name; building the dict builds no group (see _language_readers)."""
    return {
        "GroupType.load(type=5000-digit int)": lambda: VOLUNTEER.load({"type": 10**5000}),
        "get_group_type(5000-digit int)": lambda: kelompok.get_group_type(10**5000),
        "verify(None)": lambda: kelompok.verify(None),  # type: ignore[arg-type]
        "mermaid(None)": lambda: kelompok.mermaid(None),  # type: ignore[arg-type]
        "derive(insert_stage(None))": lambda: VOLUNTEER.derive(
            "odd",
            {"en": "Odd", "id": "Aneh"},
            kelompok.insert_stage(None, after="recruiting", via=None),  # type: ignore[arg-type]
        ),
        "history[5000-digit int]": lambda: at(VOLUNTEER, "recruiting").history[10**5000],
    }


@pytest.mark.parametrize("call", list(_junk_calls()))
def test_odd_input_to_the_public_api_raises_a_kelompok_error(call):
    """§6: every error kelompok raises is a KelompokError (an out-of-range history index
    may be an IndexError, as for any sequence)."""
    with pytest.raises((kelompok.KelompokError, IndexError)):
        _junk_calls()[call]()


@pytest.mark.parametrize("where", ["group", "type"])
def test_subscribing_something_that_is_not_callable_is_a_usage_error(where):
    """subscribe(None) is accepted; then every event (on every group of the type, for a
    type listener) raises a bare TypeError and is undone."""
    g = at(VOLUNTEER, "recruiting")
    target = g if where == "group" else g.type
    try:
        unsubscribe = target.subscribe(None)  # type: ignore[arg-type]
    except kelompok.UsageError:
        return
    try:
        with pytest.raises(kelompok.UsageError):
            g.fire("admit", **_admit(1))
    finally:
        unsubscribe()


# -- §6: a language is negotiated, never refused ------------------------------------------------

_REASON = kelompok.Reason("a.code", {"en": "English text", "id": "Teks Indonesia"})


def _language_readers() -> dict[str, Callable[[], tuple[Any, str, str]]]:
    """What reads a text in a language: (read(lang), its English, its Indonesian), made on call.

    Nothing is made as the dict is built: the tests are parametrized by its keys, and
    a group built as they are collected would run the rules before a mutation run's
    mutant is in place (tools/mutation.py).
    """

    def own() -> tuple[Any, str, str]:  # a core message
        reason = at(VOLUNTEER, "recruiting").why_not("admit", member={"id": "eko"})[0]
        return reason.message, str(reason), reason.message("id")

    def step() -> tuple[Any, str, str]:
        label = at(VOLUNTEER, "core_formed").next_steps()[0].label
        return label, label("en"), label("id")

    stage = VOLUNTEER.stages[0]
    return {
        "Reason.message": lambda: (_REASON.message, "English text", "Teks Indonesia"),
        "Reason.message (kelompok's own)": own,
        "Stage.label": lambda: (stage.label, stage.label("en"), stage.label("id")),
        "GroupType.label": lambda: (VOLUNTEER.label, VOLUNTEER.label("en"), VOLUNTEER.label("id")),
        "NextStep.label": step,
        "mermaid": lambda: (
            lambda lang: kelompok.mermaid(VOLUNTEER, lang),
            kelompok.mermaid(VOLUNTEER),
            kelompok.mermaid(VOLUNTEER, "id"),
        ),
        "events_table": lambda: (
            lambda lang: kelompok.events_table(VOLUNTEER, lang),
            kelompok.events_table(VOLUNTEER),
            kelompok.events_table(VOLUNTEER, "id"),
        ),
    }


JUNK_LANGUAGES: dict[str, Any] = {
    "an unknown code": "fr",
    "a blank": "",
    "a wildcard": "*",
    "None": None,
    "bytes": b"id",
    "a 5000-digit int": 10**5000,
    "a 10 MB string": "i" * 10_000_000,
    "a 10 MB Accept-Language value": "xx;q=0.1," * 1_200_000 + "id",
    "a list": ["id"],
    "a str subclass": type("LyingStr", (str,), {})("id"),
}


@pytest.mark.parametrize("junk", list(JUNK_LANGUAGES))
@pytest.mark.parametrize("reader", list(_language_readers()))
def test_a_language_kelompok_cannot_read_gives_english_quickly(reader, junk):
    """An unknown or malformed language is never an error: a request path may pass its
    header as it came. English comes back, in bounded time, whatever the value."""
    read, english, indonesian = _language_readers()[reader]()
    results, raised = run_bounded(lambda: read(JUNK_LANGUAGES[junk]), timeout=2)
    assert [] == raised
    assert [english] == results
    assert english != indonesian


@pytest.mark.parametrize(
    "lang", ["id", "ID", "id-ID", "id_ID", "ms,id;q=0.9", "fr-CA, fr;q=0.9, id;q=0.8, en;q=0.5"]
)
@pytest.mark.parametrize("reader", list(_language_readers()))
def test_a_language_is_negotiated_from_a_tag_or_an_accept_language_value(reader, lang):
    read, _, indonesian = _language_readers()[reader]()
    assert indonesian == read(lang)


@pytest.mark.parametrize("lang", ["en", "id;q=0, en", "en-GB,id;q=0.5", "id;q=zzz"])
def test_english_asked_for_or_preferred_is_english(lang):
    assert "English text" == _REASON.message(lang)


@pytest.mark.parametrize("reader", list(_language_readers()))
def test_a_language_value_s_repr_is_never_called(reader):
    """'kelompok never calls repr on a value it did not make', a language included."""
    read, english, _ = _language_readers()[reader]()
    Spy.calls = 0
    assert english == read(Spy())
    assert 0 == Spy.calls


# -- §7: quoting user values briefly, and never calling their repr ---------------------------


def _no_payload_event(key: str) -> Any:
    return lambda: at(VOLUNTEER, "core_formed").fire("open_recruitment", **{key: 1})


def _message_calls() -> dict[str, Any]:
    return {
        "GroupType.load(type=huge)": lambda: VOLUNTEER.load({"type": HUGE}),
        "unknown payload key of an event with no payload": _no_payload_event(HUGE),
        "KnownDocuments(limit=huge)": lambda: KnownDocuments(HUGE),  # type: ignore[arg-type]
    }


@pytest.mark.parametrize("call", list(_message_calls()))
def test_a_huge_value_is_quoted_briefly(call):
    """'characters of a value quoted in a message: 60'."""
    with pytest.raises(kelompok.KelompokError) as caught:
        _message_calls()[call]()
    reasons = getattr(caught.value, "reasons", None) or getattr(caught.value, "problems", [])
    longest = max([len(str(caught.value)), *(len(str(r)) + len(r.field or "") for r in reasons)])
    assert longest < MAX_MESSAGE


def test_a_surrogate_payload_key_does_not_make_an_unencodable_reason():
    """§8 refuses lone surrogates so that what kelompok hands out encodes as UTF-8; an
    unknown key of an event with no payload is copied into the reason as it is."""
    with pytest.raises(kelompok.TransitionNotAllowed) as caught:
        _no_payload_event("\ud800")()
    for reason in caught.value.reasons:
        for lang in ("en", "id"):
            json.dumps(reason.to_json(lang), ensure_ascii=False).encode("utf-8")


class Color(enum.Enum):
    RED = "red"


@attrs.frozen
class EnumItem:
    item: Color


@attrs.frozen
class LiteralItem:
    item: Literal["red", "blue"]


class Spy:
    """Counts the calls of its repr, and makes each one expensive."""

    calls = 0

    def __repr__(self) -> str:
        Spy.calls += 1
        return "spy" * 100_000

    __hash__ = object.__hash__


def _repr_calls() -> dict[str, Any]:
    spy = Spy()
    enum_type = box_type("enum_box", payload=EnumItem, effect=None)
    literal_type = box_type("literal_box", payload=LiteralItem, effect=None)
    return {
        "GroupType.load(type=spy)": lambda: VOLUNTEER.load({"type": spy}),
        "KnownDocuments.limit = spy": lambda: KnownDocuments(spy),  # type: ignore[arg-type]
        "an enum payload field": lambda: enum_type.create(name="K").fire("put", item=spy),
        "a Literal payload field": lambda: literal_type.create(name="K").fire("put", item=spy),
    }


@pytest.mark.parametrize("call", list(_repr_calls()))
def test_repr_is_never_called_on_a_value_kelompok_did_not_make(call):
    """'kelompok never calls repr on a value it did not make'."""
    work = _repr_calls()[call]
    Spy.calls = 0
    with pytest.raises(kelompok.KelompokError):
        work()
    assert 0 == Spy.calls


# -- GroupType.load: the type is read twice, in two ways ---------------------------------------


class TwoFaced(dict):
    """A document (say, from a driver's dict subclass) whose ``get`` and ``[]`` disagree."""

    def get(self, key: Any, default: Any = None) -> Any:
        return "volunteer" if key == "type" else dict.get(self, key, default)


def test_a_typed_load_gives_only_groups_of_its_own_type():
    """VOLUNTEER.load 'raises when the document is of another type': it checks
    ``document.get('type')``, and load then builds from ``document['type']``."""
    document = TwoFaced(at(kelompok.PROFESSIONAL, "recruiting").to_dict())
    try:
        g = VOLUNTEER.load(document)
    except kelompok.InvalidGroupData:
        return
    assert g.type is VOLUNTEER


# == PROMISES THAT HELD (coverage the other tests lack) =========================================


def test_a_listener_may_use_every_reader_and_requirement_check_of_its_own_group(known):
    """Inside a listener the group shows the event in flight, nothing deadlocks, and
    nothing the listener saw survives a later veto: not a history view, and not a document
    in known_documents."""
    g = at(VOLUNTEER, "recruiting")
    before = snapshot(g)
    seen: dict[str, Any] = {}

    def look(group: Any, record: Any) -> None:
        seen["version"] = group.version
        seen["history"] = group.history
        seen["why_not"] = group.why_not("admit", **_admit(1))
        seen["next_steps"] = [s.event for s in group.next_steps()]
        seen["document"] = group.to_dict()
        seen["copy"] = copy.copy(group)
        seen["pickle"] = pickle.dumps(group)
        seen["unsubscribe"] = group.subscribe(lambda *_: None)
        try:
            group.fire("dissolve", reason="from a listener")
        except kelompok.ReentrantFire:
            seen["reentrant"] = True

    def veto(group: Any, record: Any) -> None:
        msg = "vetoed"
        raise RuntimeError(msg)

    g.subscribe(look)
    g.subscribe(veto)
    results, raised = run_bounded(lambda: g.fire("admit", **_admit(1)))
    assert [] == results
    assert [RuntimeError] == [type(e) for e in raised]
    assert before == snapshot(g)
    assert before[1] + 1 == seen["version"]
    assert before[2] == len(seen["history"])  # the view lost the undone event
    assert seen["why_not"]  # the member was admitted, in flight
    assert seen["reentrant"]
    assert before[1] + 1 == seen["document"]["version"]
    assert before[1] + 1 == seen["copy"].version
    hits = known.hits
    assert seen["document"] == kelompok.load(seen["document"]).to_dict()
    assert hits == known.hits  # the in-flight document was not remembered: it was checked
    assert seen["document"] == pickle.loads(seen["pickle"]).to_dict()  # noqa: S301


@pytest.mark.parametrize("where", ["requirement", "invariant", "effect"])
def test_a_keyboard_interrupt_from_the_types_code_leaves_the_group_usable(where):
    """A signal arriving in a requirement, an effect or an invariant: the group is as it
    was, the lock is released, and another thread can fire at once."""
    armed = [True]

    def interrupt() -> None:
        if armed[0]:
            armed[0] = False
            raise KeyboardInterrupt

    def requirement(group: Any, payload: Any) -> bool:
        if where == "requirement":
            interrupt()
        return True

    def effect(group: Any, payload: Any) -> Any:
        if where == "effect":
            interrupt()
        return add_item(group, payload)

    def invariant(group: Any) -> bool:
        if where == "invariant":
            interrupt()
        return True

    gt = kelompok.register(
        box_type(
            "interrupted_box",
            effect=effect,
            requires=[Requirement("box.req", {"en": "Req.", "id": "Syarat."}, check=requirement)],
            invariants=[Invariant("box.inv", {"en": "Inv.", "id": "Inv."}, check=invariant)],
        )
    )
    armed[0] = False
    g = gt.create(name="Kotak").fire("put", item="first")
    before = snapshot(g)
    armed[0] = True
    with pytest.raises(KeyboardInterrupt):
        g.fire("put", item="second")
    assert before == snapshot(g)
    results, raised = run_bounded(lambda: g.fire("put", item="third"), timeout=2)
    assert ([], [g]) == (raised, results)
    assert ("first", "third") == g.data.items


def test_a_history_view_behaves_as_a_read_only_sequence():
    g = at(VOLUNTEER, "recruiting")
    view = g.history
    records = list(view)
    n = len(records)
    assert records[-1] is view[-1]
    assert records[0] is view[-n]
    assert records[1:3] == list(view[1:3])
    assert records[::-1] == list(reversed(view))
    assert records.index(records[2]) == view.index(records[2])
    assert 1 == view.count(records[2])
    assert records[2] in view
    for bad in (n, -n - 1, 2**70):
        with pytest.raises(IndexError):
            view[bad]
    with pytest.raises(TypeError):
        view[0] = records[0]  # type: ignore[index]
    g.fire("admit", **_admit(1))
    assert n == len(view)  # the view is the history as it was when taken
    assert records == list(copy.copy(view))
    assert records == pickle.loads(pickle.dumps(view))  # noqa: S301


class LyingMapping(Mapping[str, Any]):
    """Claims to hold one thing and yields another, and keeps what it is compared with."""

    kept: list[Any] = []  # noqa: RUF012 -- shared on purpose, the test reads it

    def __getitem__(self, key: str) -> Any:
        return 1

    def __iter__(self) -> Iterator[str]:
        return iter(["a", "b", "c"])

    def __len__(self) -> int:
        return 0

    def __eq__(self, other: object) -> bool:
        LyingMapping.kept.append(other)
        return True

    __hash__ = None  # type: ignore[assignment]


def test_a_frozen_map_gives_a_lying_mapping_nothing_to_keep():
    g = at(VOLUNTEER, "recruiting")
    before = snapshot(g)
    members = g.data.members
    LyingMapping.kept.clear()
    assert members == LyingMapping()
    assert members.keys() == set(members)
    for kept in LyingMapping.kept:
        if isinstance(kept, dict):
            kept.clear()
    assert before == snapshot(g)
    assert kelompok.FrozenMap(LyingMapping()) == {"a": 1, "b": 1, "c": 1}
    assert hash(kelompok.FrozenMap({"a": 1})) == hash(kelompok.FrozenMap([("a", 1)]))
    with pytest.raises(TypeError):
        members | {}  # type: ignore[operator]
