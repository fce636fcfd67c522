"""Running groups: atomic events, listeners, no side doors, one shared machine."""

from __future__ import annotations

import copy
import gc
import json
import pickle
import threading
import time
import weakref

import attrs
import pytest
import transitions

import builders
import kelompok
from kelompok import PROFESSIONAL, VOLUNTEER
from kelompok._runtime import group as _group


class Boom(Exception):
    pass


@attrs.frozen
class Named:
    name: str


def test_raising_listener_undoes_a_stage_change():
    g = builders.at(PROFESSIONAL, "core_formed")
    g.fire("adopt_charter", **builders.CHARTER)
    before = g.to_dict()
    seen = []

    def listener(group, record):
        seen.append((group.stage, record.dest))
        raise Boom

    g.subscribe(listener)
    with pytest.raises(Boom):
        g.fire("open_recruitment")
    assert [("recruiting", "recruiting")] == seen  # it ran after the change ...
    assert before == g.to_dict()  # ... and the change is gone
    assert "core_formed" == g.stage
    assert 3 == g.version


def test_raising_listener_undoes_an_action():
    g = builders.at(PROFESSIONAL, "recruiting")
    before = g.to_dict()
    unsubscribe = g.subscribe(lambda group, record: (_ for _ in ()).throw(Boom()))
    admit = builders.payloads(PROFESSIONAL)["admit"]
    with pytest.raises(Boom):
        g.fire("admit", **admit)
    assert before == g.to_dict()
    unsubscribe()
    g.fire("admit", **admit)
    assert "citra" in g.members


def test_listener_sees_every_applied_event_only():
    g = builders.new(VOLUNTEER)
    records = []
    g.subscribe(lambda group, record: records.append(record.event))
    g.fire("identify_needs", needs=["trash"], work_area="environmental")
    with pytest.raises(kelompok.TransitionNotAllowed):
        g.fire("open_recruitment")
    assert ["identify_needs"] == records


def test_fire_from_a_listener_is_refused_and_undone():
    g = builders.new(PROFESSIONAL)
    g.subscribe(lambda group, record: group.fire("dissolve", reason="nested"))
    with pytest.raises(kelompok.ReentrantFire, match="after fire\\(\\) returns"):
        g.fire("identify_needs", needs=["x"])
    assert "awareness" == g.stage
    assert 0 == g.version


def _failing_type() -> kelompok.GroupType[kelompok.Group]:
    """A two-stage type whose effect raises: the stage change must not stick."""

    def explode(group, payload):
        raise Boom

    return kelompok.GroupType(
        name="failing",
        label={"en": "Failing", "id": "Gagal"},
        stages=[
            kelompok.Stage("a", {"en": "A", "id": "A"}),
            kelompok.Stage("b", {"en": "B", "id": "B"}),
        ],
        events=[
            kelompok.Event("go", {"en": "Go", "id": "Pergi"}, moves={"a": "b"}, effect=explode),
            kelompok.Event("back", {"en": "Back", "id": "Kembali"}, moves={"b": "a"}, back=True),
        ],
        data=Named,
        founding=Named,
        initial_data=lambda args: args,
        group_class=kelompok.Group,
    )


def test_raising_effect_leaves_the_group_as_it_was():
    g = _failing_type().create(id="f1", name="F")
    before = g.to_dict()
    with pytest.raises(kelompok.DefinitionBug) as caught:
        g.fire("go")
    assert isinstance(caught.value.__cause__, Boom)
    assert ("go", "the effect of 'go'", []) == (
        caught.value.event,
        caught.value.culprit,
        caught.value.reasons,
    )
    assert "raised Boom. The group is unchanged" in str(caught.value)
    assert before == g.to_dict()
    assert "a" == g.stage


def test_no_side_doors():
    g = builders.new(PROFESSIONAL)
    with pytest.raises(AttributeError):
        g.stage = "collaborating"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        g.version = 9  # type: ignore[misc]
    with pytest.raises(AttributeError):
        g.anything = 1  # type: ignore[attr-defined]  # slotted: no new attributes
    stages = {s.name for s in PROFESSIONAL.stages}
    assert not [n for n in dir(g) if n.startswith(("to_", "is_")) and n[3:] in stages]
    machine = PROFESSIONAL._engine.machine
    assert not [name for name in machine.events if name.startswith("to_")]
    with pytest.raises(TypeError, match="create"):
        kelompok.Group()


def test_history_is_a_read_only_view():
    g = builders.at(PROFESSIONAL, "core_formed")
    history = g.history
    assert 2 == len(history)
    assert "form_core_group" == history[-1].event
    assert ["identify_needs", "form_core_group"] == [r.event for r in history[:]]
    assert not hasattr(history, "append")
    with pytest.raises(AttributeError):
        history[0].event = "x"  # type: ignore[misc]


def test_members_view_is_read_only():
    g = builders.at(PROFESSIONAL, "core_formed")
    with pytest.raises(TypeError):
        g.members["x"] = kelompok.Member("x", "X")  # type: ignore[index]


def test_one_machine_per_type_and_no_reference_to_groups(monkeypatch):
    built = []
    original = transitions.Machine.__init__

    def counting(self, *args, **kwargs):
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(transitions.Machine, "__init__", counting)
    groups = [builders.at(VOLUNTEER, "programmed") for _ in range(20)]
    loaded = [kelompok.load(g.to_dict()) for g in groups]
    assert [] == built
    assert [] == VOLUNTEER._engine.machine.models

    ref = weakref.ref(loaded[0])
    del loaded, groups
    gc.collect()
    assert ref() is None


def test_concurrent_fires_are_serialised():
    g = builders.at(PROFESSIONAL, "recruiting")

    def admit(i: int) -> None:
        g.fire(
            "admit",
            member={"id": f"m{i}", "name": f"M{i}", "profession": "pharmacist"},
            scores={"competence": 4, "dedication": 4},
        )

    assert [] == builders.in_threads(admit, 32)
    assert 4 + 32 == g.version
    assert 2 + 32 == len(g.members)
    assert g.to_dict() == kelompok.load(g.to_dict()).to_dict()


def test_dissolved_refuses_everything():
    g = builders.at(VOLUNTEER, "dissolved")
    assert [] == g.available_events()
    for event in VOLUNTEER.events:
        reasons = g.why_not(event.name)
        assert "stage.not_allowed" in [r.code for r in reasons]
    with pytest.raises(kelompok.TransitionNotAllowed) as info:
        g.fire("dissolve", reason="again")
    assert "dissolved" in str(info.value)


def test_repr_names_type_stage_and_version():
    g = builders.at(VOLUNTEER, "core_formed", id="v-1")
    expected = "<VolunteerGroup volunteer 'Relawan Kali Bersih' id='v-1' stage='core_formed' "
    assert repr(g).startswith(expected)


def test_actor_must_be_text():
    g = builders.new(PROFESSIONAL)
    with pytest.raises(TypeError, match="actor"):
        g.fire("identify_needs", actor=42, needs=["x"])  # type: ignore[arg-type]
    assert 0 == g.version


def test_create_refuses_bad_arguments():
    with pytest.raises(kelompok.CreationRefused) as info:
        PROFESSIONAL.create(name=" ", colour="red")
    assert isinstance(info.value, ValueError)
    assert "professional" == info.value.group_type
    fields = {(r.code, r.field) for r in info.value.reasons}
    assert ("create.missing_field", "profession") in fields
    assert ("create.unknown_field", "colour") in fields
    with pytest.raises(kelompok.CreationRefused, match="blank"):
        PROFESSIONAL.create(name=" ", profession="nurse")
    with pytest.raises(kelompok.CreationRefused, match="id"):
        VOLUNTEER.create(name="Relawan", id="")
    assert "given-id" == VOLUNTEER.create(name="Relawan", id="given-id").id


def test_reached_follows_the_stage_order():
    g = builders.at(PROFESSIONAL, "structured")
    assert g.reached("awareness")
    assert g.reached("structured")
    assert not g.reached("programmed")
    assert not g.reached("dissolved")
    g.fire("dissolve", reason="over")
    assert g.reached("dissolved")
    assert g.reached("structured")


def test_type_listeners_see_every_group_of_the_type():
    seen: list[tuple[str, str]] = []
    unsubscribe = VOLUNTEER.subscribe(lambda group, record: seen.append((group.id, record.event)))
    try:
        a = builders.new(VOLUNTEER, id="a")
        b = kelompok.load(builders.new(VOLUNTEER, id="b").to_dict())
        a.fire("identify_needs", needs=["x"], work_area="social")
        b.fire("dissolve", reason="done")
        builders.new(PROFESSIONAL).fire("identify_needs", needs=["x"])
    finally:
        unsubscribe()
    assert [("a", "identify_needs"), ("b", "dissolve")] == seen
    builders.new(VOLUNTEER).fire("dissolve", reason="after unsubscribing")
    assert 2 == len(seen)


def test_raising_type_listener_undoes_the_event():
    def refuse(group, record):
        raise Boom

    unsubscribe = PROFESSIONAL.subscribe(refuse)
    g = builders.new(PROFESSIONAL)
    try:
        with pytest.raises(Boom):
            g.fire("identify_needs", needs=["x"])
    finally:
        unsubscribe()
    assert 0 == g.version
    assert "awareness" == g.stage


def test_history_payload_cannot_change_the_history():
    g = builders.at(PROFESSIONAL, "needs_identified")
    before = json.dumps(g.to_dict())  # text: a document that shared the payloads would change too
    g.history[0].payload["needs"].append("smuggled")
    g.to_dict()["history"][0]["payload"]["needs"].append("smuggled")
    assert before == json.dumps(g.to_dict())


def test_a_document_made_in_a_listener_holds_copies_of_the_payloads():
    g = builders.at(PROFESSIONAL, "needs_identified")
    documents: list[str] = []

    def edit_and_write(group, _record):  # a listener's document: not remembered
        group.to_dict()["history"][0]["payload"]["needs"].append("smuggled")
        documents.append(json.dumps(group.to_dict()))

    g.subscribe(edit_and_write)
    g.fire("form_core_group", builders.payloads(PROFESSIONAL)["form_core_group"])
    assert "smuggled" not in documents[0]
    assert "smuggled" not in json.dumps(g.to_dict())


def test_data_cannot_change_without_an_event():
    g = builders.at(PROFESSIONAL, "collaborating")
    before = g.to_dict()
    for mapping in (g.data.members, g.data.programs, g.data.partners, g.members):
        with pytest.raises((TypeError, AttributeError)):
            mapping["x"] = None  # type: ignore[index]
        with pytest.raises(AttributeError):
            mapping.clear()  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        g.data.evaluations[0].goal_results["grow"] = 0  # type: ignore[index]
    assert before == g.to_dict()


def test_other_threads_never_see_an_event_that_is_undone():
    g = builders.at(PROFESSIONAL, "recruiting")
    g.fire("admit", **builders.payloads(PROFESSIONAL)["admit"])
    before = g.to_dict()
    listener_running = threading.Event()
    seen: list[tuple[str, int, dict]] = []

    def slow_veto(group, record):
        listener_running.set()
        threading.Event().wait(0.05)  # let the reader try to read meanwhile
        raise Boom

    def reader():
        listener_running.wait()
        seen.append((g.stage, g.version, g.to_dict()))

    g.subscribe(slow_veto)
    thread = threading.Thread(target=reader)
    thread.start()
    with pytest.raises(Boom):
        g.fire("establish_structure", **builders.payloads(PROFESSIONAL)["establish_structure"])
    thread.join()
    assert [("recruiting", 5, before)] == seen


def test_lock_free_readers_never_see_an_undone_event():
    g = builders.at(PROFESSIONAL, "recruiting")
    done = threading.Event()
    seen: list[str] = []

    def veto(group, record):
        if record.payload["member"]["id"].startswith("undone"):
            time.sleep(0)  # give the reader the GIL while the event is in flight
            raise Boom

    def reader():
        while not done.is_set():
            seen.extend(m for m in g.data.members if m.startswith("undone"))

    g.subscribe(veto)
    thread = threading.Thread(target=reader)
    thread.start()
    scores = {"competence": 4, "dedication": 4}
    for i in range(300):
        g.fire(
            "admit",
            member={"id": f"kept{i}", "name": "K", "profession": "pharmacist"},
            scores=scores,
        )
        undone = {"id": f"undone{i}", "name": "U", "profession": "pharmacist"}
        with pytest.raises(Boom):
            g.fire("admit", member=undone, scores=scores)
    done.set()
    thread.join()
    assert [] == seen
    assert 304 == g.version


def test_a_reader_that_overlaps_an_undone_event_reads_again(monkeypatch):
    """A reader that starts before an event, reads during it and finishes after it was undone.

    Its view is of the committed state it started from, so it never holds the record
    of the event in flight (a history view one record too long).
    """
    g = builders.at(PROFESSIONAL, "recruiting")
    in_flight, captured, undone = threading.Event(), threading.Event(), threading.Event()
    real_history = _group.History
    paused: list[bool] = []

    class PausingHistory(real_history):
        def __init__(self, records, length, tentative=None):
            if not paused:  # the reader's view only
                paused.append(True)
                in_flight.wait(5)
                super().__init__(records, length, tentative)
                captured.set()
                undone.wait(5)  # the reader finishes after the event is undone
                return
            super().__init__(records, length, tentative)

    def veto(group, record):
        in_flight.set()
        captured.wait(5)
        raise Boom

    views = []
    monkeypatch.setattr(_group, "History", PausingHistory)
    reader = threading.Thread(target=lambda: views.append(g.history))
    reader.start()
    g.subscribe(veto)
    with pytest.raises(Boom):
        g.fire("admit", **builders.payloads(PROFESSIONAL)["admit"])
    undone.set()
    reader.join()
    assert [4] == [len(v) for v in views]
    assert "open_recruitment" == views[0][-1].event


def test_a_history_view_keeps_its_length():
    g = builders.at(PROFESSIONAL, "core_formed")
    view = g.history
    g.fire("adopt_charter", **builders.CHARTER)
    assert 2 == len(view)
    assert "form_core_group" == view[-1].event
    with pytest.raises(IndexError, match="2 records"):
        view[2]
    assert 3 == len(g.history)


def test_copies_and_pickles_are_independent_groups():
    g = builders.at(PROFESSIONAL, "recruiting")
    for other in (copy.copy(g), copy.deepcopy(g), pickle.loads(pickle.dumps(g))):  # noqa: S301 -- our own data
        other.fire("reject", member={"id": "zed", "name": "Zed"}, reason="not now")
        assert 4 == g.version
        assert 5 == other.version
        assert g.to_dict() == kelompok.load(g.to_dict()).to_dict()


def test_invalid_values_are_kelompok_errors():
    with pytest.raises(kelompok.InvalidValue) as info:
        kelompok.Member(id=" ", name="x")
    assert isinstance(info.value, kelompok.KelompokError)
    assert isinstance(info.value, ValueError)
    assert "id" == info.value.field
    assert "kosong" in info.value.text("id")


def test_event_name_is_positional_so_payload_fields_cannot_clash():
    g = builders.new(PROFESSIONAL)
    reasons = g.why_not("identify_needs", needs=["x"], event="?")
    assert [("payload.unknown_field", "event")] == [(r.code, r.field) for r in reasons]
