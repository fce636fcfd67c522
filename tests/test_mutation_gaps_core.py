"""Gaps found by mutation testing in the core: verify, documents, error fields, catalogs.

Each test here failed on a mutant of the source that the rest of the suite let through.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

import builders
import kelompok
from kelompok import PROFESSIONAL, VOLUNTEER, Event, GroupType, Stage, add_event, verify
from kelompok._base.scalars import MAX_DEPTH
from kelompok._definition.graph import reach_problems, stage_edges
from kelompok._runtime.waits import waiting

# -- verify: the type's own problems, the parent's orderings, the second live stage ------

SKIP = Event("skip", {"en": "Skip", "id": "Lompat"}, moves={"structured": "evaluating"})
TO_EVALUATING = [
    "identify_needs",
    "form_core_group",
    "open_recruitment",
    "establish_structure",
    "skip",
]


def _fields(report: kelompok.VerifyReport) -> list[tuple[str, str, list[str], str]]:
    return [(p.kind, p.stage, p.path, p.message) for p in report.problems]


def _derived(name: str, event: Event) -> GroupType[Any]:
    return PROFESSIONAL.derive(name, {"en": name, "id": f"{name} (id)"}, add_event(event))


def test_verify_refines_keeps_the_types_own_problems_and_adds_the_parents_orderings():
    child = _derived("skipper", SKIP)
    without = "stage {!r} can be entered without passing 'programmed'"
    broken = "'professional' requires 'programmed' before {0!r}, but here {0!r} can be entered"
    expected = [
        ("order", "evaluating", TO_EVALUATING, without.format("evaluating")),
        (
            "order",
            "collaborating",
            [*TO_EVALUATING, "collaborate"],
            without.format("collaborating"),
        ),
        ("refines", "evaluating", TO_EVALUATING, broken.format("evaluating") + " without it"),
        (
            "refines",
            "collaborating",
            [*TO_EVALUATING, "collaborate"],
            broken.format("collaborating") + " without it",
        ),
    ]
    assert expected == _fields(verify(child, refines=PROFESSIONAL))
    assert expected[:2] == _fields(verify(child))


def test_verify_refines_names_a_missing_stage_of_the_parent():
    expected = [("refines", "evaluating", [], "stage 'evaluating' of 'professional' is missing")]
    assert expected == _fields(verify(VOLUNTEER, refines=PROFESSIONAL))
    assert "stage 'evaluating' of 'professional' is missing" == str(
        verify(VOLUNTEER, refines=PROFESSIONAL).problems[0]
    )


def test_verify_reports_a_shortcut_past_the_second_live_stage():
    hop = Event("hop", {"en": "Hop", "id": "Loncat"}, moves={"awareness": "core_formed"})
    report = verify(_derived("hopper", hop))
    after = ["open_recruitment", "establish_structure", "plan_programs", "evaluate", "collaborate"]
    stages = [
        "core_formed",
        "recruiting",
        "structured",
        "programmed",
        "evaluating",
        "collaborating",
    ]
    expected = [
        (
            "order",
            stage,
            ["hop", *after[:k]],
            f"stage {stage!r} can be entered without passing 'needs_identified'",
        )
        for k, stage in enumerate(stages)
    ]
    assert expected == _fields(report)
    assert "counterexample: hop -> open_recruitment" in str(report.problems[1])


def test_reach_problems_name_the_kind_the_stage_and_the_path():
    stages = [
        Stage("a", "A"),
        Stage("b", "B"),
        Stage("c", "C"),
        Stage("d", "D"),
        Stage("z", "Z", terminal=True),
    ]
    events = [
        Event("go", "Go", moves={"a": "b", "b": "z"}),
        Event("to_d", "To D", moves={"b": "d"}),
        Event("stay", "Stay", moves={"d": None}),  # an action: no way out of 'd'
    ]
    problems = reach_problems(stages, stage_edges(stages, events))
    expected = [
        ("unreachable", "c", [], "stage 'c' cannot be reached from 'a'"),
        ("dead_end", "d", ["go", "to_d"], "live stage 'd' is a dead end: no event leaves it"),
    ]
    assert expected == [(p.kind, p.stage, p.path, p.message) for p in problems]


# -- documents: payloads, version, times, and the reading after a broken record ----------


def _document(stage: str) -> dict[str, Any]:
    return builders.at(PROFESSIONAL, stage).to_dict()


def _problems(document: Any, *, replay: bool = False) -> list[tuple[str, str | None, str]]:
    with pytest.raises(kelompok.InvalidGroupData) as info:
        kelompok.load(document, replay=replay)
    return [(p.code, p.field, str(p)) for p in info.value.problems]


def _nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("value", "why", "why_id"),
    [
        (math.nan, "nan is not a JSON number", "nan bukan bilangan JSON"),
        ((1, 2), "tuple is not a JSON type", "tuple bukan tipe JSON"),
        ({1: "one"}, "object keys must be strings", "kunci objek harus berupa teks"),
        (
            "\ud800",
            "text holds a lone surrogate, which UTF-8 cannot encode",
            "teks berisi surrogate tunggal yang tidak dapat dikodekan UTF-8",
        ),
        (
            2**63,
            "int 9223372036854775808 is outside the 64-bit range kelompok stores",
            "int 9223372036854775808 berada di luar rentang 64-bit yang disimpan kelompok",
        ),
        (
            _nested(MAX_DEPTH),  # the payload is a level itself
            f"nested deeper than {MAX_DEPTH} levels",
            f"bersarang lebih dalam dari {MAX_DEPTH} tingkat",
        ),
    ],
)
def test_load_refuses_a_history_payload_that_is_not_strict_json(value, why, why_id):
    document = _document("recruiting")
    document["history"][1]["payload"]["extra"] = value
    field = "history[1].payload"
    expected = [("document.invalid", field, f"{field}: must be a JSON object ({why})")]
    assert expected == _problems(document)
    with pytest.raises(kelompok.InvalidGroupData) as info:
        kelompok.load(document)
    said = f"{field}: harus berupa objek JSON ({why_id})"
    assert [said] == [p.message("id") for p in info.value.problems]


@pytest.mark.parametrize("version", [-1, True])
def test_load_refuses_a_negative_or_boolean_version_at_the_version_itself(version):
    document = _document("needs_identified")  # one record: True == 1 would agree with it
    assert 1 == document["version"]
    document["version"] = version
    expected = [("document.invalid", "version", "version: must be a whole number >= 0")]
    assert expected == _problems(document)


def _retimed(created_at: str, at: str) -> dict[str, Any]:
    document = _document("recruiting")
    document["created_at"] = created_at
    for record in document["history"]:
        record["at"] = at
    return document


def test_times_with_an_offset_are_written_back_in_utc():
    group = kelompok.load(_retimed("2026-01-30T06:00:00+07:00", "2026-01-31T15:00:00+07:00"))
    written = group.to_dict()
    assert "2026-01-29T23:00:00+00:00" == written["created_at"]
    assert ["2026-01-31T08:00:00+00:00"] * 4 == [r["at"] for r in written["history"]]
    assert written == kelompok.load(written).to_dict()
    assert written == kelompok.load(written, replay=True).to_dict()


@pytest.mark.parametrize(("read", "written"), [(".123", ".123000"), (".000000", "")])
def test_times_with_fractions_are_written_back_in_the_canonical_form(read, written):
    """A real bug: the text of a history time is kept as it was read whenever it ends in
    "+00:00", so ``.123+00:00`` (or ``.000000+00:00``) is written back as it came, not as
    ``to_dict`` writes it, and ``load(..., replay=True)`` refuses the document because the
    replayed twin writes ``.123000+00:00`` (or no fraction)."""
    at = f"2026-01-31T08:00:00{read}+00:00"
    group = kelompok.load(_retimed("2026-01-30T00:00:00.500+00:00", at))
    document = group.to_dict()
    assert "2026-01-30T00:00:00.500000+00:00" == document["created_at"]
    canonical = f"2026-01-31T08:00:00{written}+00:00"
    assert [canonical] * 4 == [r["at"] for r in document["history"]]
    assert document == kelompok.load(document).to_dict()
    assert document == kelompok.load(document, replay=True).to_dict()


def test_one_broken_history_record_gives_one_problem_and_the_reading_goes_on():
    document = _document("recruiting")
    document["history"][1]["event"] = "nope"  # form_core_group, which ends in core_formed
    document["history"][3]["payload"]["extra"] = math.inf
    expected = [
        (
            "document.invalid",
            "history[1].event",
            "history[1].event: str 'nope' is not an event of 'professional'",
        ),
        (
            "document.invalid",
            "history[3].payload",
            "history[3].payload: must be a JSON object (inf is not a JSON number)",
        ),
    ]
    assert expected == _problems(document)


# -- the fields of the errors, and the stage.order message -------------------------------


def test_stage_unreachable_names_the_stage_asked_for_and_the_groups_stage():
    dissolved = builders.at(VOLUNTEER, "dissolved")
    with pytest.raises(kelompok.StageUnreachable) as info:
        dissolved.path_to("awareness")
    assert ("awareness", "dissolved") == (info.value.stage, info.value.source)
    collaborating = builders.at(PROFESSIONAL, "collaborating")
    with pytest.raises(kelompok.StageUnreachable) as info:
        collaborating.path_to("recruiting")
    assert ("recruiting", "collaborating") == (info.value.stage, info.value.source)
    with pytest.raises(kelompok.StageUnreachable) as info:
        collaborating.path_to("nowhere")
    assert ("str 'nowhere'", "collaborating") == (info.value.stage, info.value.source)


def test_reentrant_fire_names_the_event_and_the_group():
    group = builders.new(VOLUNTEER, id="grp-1")
    group.subscribe(lambda g, record: g.fire("dissolve", reason="again"))
    with pytest.raises(kelompok.ReentrantFire) as info:
        group.fire("identify_needs", needs=["clean water"], work_area="social")
    assert ("dissolve", "grp-1") == (info.value.event, info.value.group_id)
    assert 0 == group.version


def _admit(i: int, actor: str) -> dict[str, Any]:
    scores = builders.payloads(VOLUNTEER)["admit"]["scores"]
    return {"member": {"id": f"m{i}", "name": f"M {i}"}, "scores": scores, "actor": actor}


def _admitted_by_user(group: Any, i: int) -> Any:
    return group.fire("admit", **_admit(i, actor="user"))


def _in_two_threads(groups: dict[str, Any], fire: Callable[[Any, int], Any]) -> dict[str, Any]:
    """``fire(group, i)`` on each group at once, a thread each: what each returned or raised."""
    outcomes: dict[str, Any] = {}

    def request(name: str, i: int) -> None:
        try:
            outcomes[name] = fire(groups[name], i)
        except Exception as exc:  # noqa: BLE001 -- handed back to the test
            outcomes[name] = exc

    threads = [
        threading.Thread(target=request, args=(name, i), daemon=True)
        for i, name in enumerate(groups)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(4)
    assert not any(t.is_alive() for t in threads)
    return outcomes


def test_group_busy_names_the_event_and_the_group_it_was_fired_on():
    busy = kelompok.GroupBusy("admit", "group-b")
    assert ("admit", "group-b") == (busy.event, busy.group_id)
    groups = {
        "group-a": builders.at(VOLUNTEER, "recruiting", id="group-a"),
        "group-b": builders.at(VOLUNTEER, "recruiting", id="group-b"),
    }
    other = {"group-a": "group-b", "group-b": "group-a"}
    in_flight = threading.Barrier(2, timeout=2)

    def relay(target: Any, i: int) -> Callable[[Any, Any], None]:
        def listener(group: Any, record: Any) -> None:
            if record.actor == "user":
                in_flight.wait()
                target.fire("admit", **_admit(i, actor="relay"))

        return listener

    for i, (name, group) in enumerate(groups.items()):
        group.subscribe(relay(groups[other[name]], 10 + i))
    outcomes = _in_two_threads(groups, _admitted_by_user)
    refused = {n: o for n, o in outcomes.items() if isinstance(o, kelompok.GroupBusy)}
    assert refused  # a circle of two fires: at least one of them is refused
    for name, error in refused.items():
        assert ("admit", other[name]) == (error.event, error.group_id)


def test_a_fire_that_waited_for_its_group_leaves_no_wait_behind() -> None:
    # A thread that waited for a group, got it and is done with it waits for nothing: a
    # wait it left behind would close a circle that is not there, and refuse a fire.
    first = builders.at(VOLUNTEER, "recruiting", id="group-1")
    second = builders.at(VOLUNTEER, "recruiting", id="group-2")
    holds_second, release = threading.Event(), threading.Event()

    def other() -> None:
        _admitted_by_user(first, 1)  # waits: the test's thread holds first
        _admitted_by_user(second, 2)  # its listener holds second until released

    other_thread = threading.Thread(target=other, daemon=True)

    def on_first(group: Any, record: Any) -> None:
        if record.actor == "holder":  # hold first until the other thread waits for it
            other_thread.start()
            deadline = time.monotonic() + 2
            while other_thread.ident not in waiting and time.monotonic() < deadline:
                time.sleep(0.001)
        elif record.actor == "relay":  # first is held: wait for second, which the other holds
            second.fire("admit", **_admit(4, actor="relay"))

    def on_second(group: Any, record: Any) -> None:
        if threading.current_thread() is other_thread:
            holds_second.set()
            release.wait(2)

    first.subscribe(on_first)
    second.subscribe(on_second)
    before = (first.version, second.version)
    first.fire("admit", **_admit(0, actor="holder"))
    assert holds_second.wait(2)
    threading.Timer(0.2, release.set).start()
    first.fire("admit", **_admit(3, actor="relay"))  # waits for second, then fires on it
    other_thread.join(4)
    assert (first.version - before[0], second.version - before[1]) == (3, 2)
    assert not waiting


READERS: dict[str, Callable[[Any], object]] = {
    "next_steps": lambda group: group.next_steps(),
    "roles_of": lambda group: group.roles_of("someone"),
    "status": lambda group: group.status(),
    "available_events": lambda group: group.available_events(actor="someone"),
    "dissolve": lambda group: group.why_not("dissolve", reason="r"),  # named by its event
}


def _governed(group_id: str) -> Any:
    """A volunteer group under the built-in policy, with its event fired by its initiator."""
    gt = kelompok.GOVERNED_VOLUNTEER
    return gt.create(id=group_id, name="Kelompok", initiator="ini")


def _fired_by_its_initiator(group: Any, i: int) -> Any:
    del i
    return group.fire("identify_needs", needs=["support"], work_area="social", actor="ini")


@pytest.mark.parametrize("reader", sorted(READERS))
def test_group_busy_from_a_reader_names_the_reader(reader):
    # A listener that reads the other group of a circle waits as a fire does; a policy's
    # available_events(actor=) reads under the lock, the plain one does not.
    governed = reader == "available_events"
    if governed:
        groups = {name: _governed(name) for name in ("group-a", "group-b")}
        fire: Callable[[Any, int], Any] = _fired_by_its_initiator
    else:
        groups = {
            name: builders.at(VOLUNTEER, "recruiting", id=name) for name in ("group-a", "group-b")
        }

        fire = _admitted_by_user

    other = {"group-a": "group-b", "group-b": "group-a"}
    in_flight = threading.Barrier(2, timeout=2)

    def reading(target: Any) -> Callable[[Any, Any], None]:
        def listener(group: Any, record: Any) -> None:
            in_flight.wait()
            READERS[reader](target)

        return listener

    for name, group in groups.items():
        group.subscribe(reading(groups[other[name]]))
    before = {name: group.version for name, group in groups.items()}
    outcomes = _in_two_threads(groups, fire)
    refused = {n: o for n, o in outcomes.items() if isinstance(o, kelompok.GroupBusy)}
    assert refused
    for name, error in refused.items():
        assert (reader, other[name]) == (error.event, error.group_id)
        assert groups[name].version == before[name]  # the event whose listener read is undone


def test_unknown_stage_and_unknown_event_name_what_was_asked_for():
    with pytest.raises(kelompok.UnknownStage) as stage_info:
        PROFESSIONAL.stage("nope")
    assert ("nope", "professional") == (stage_info.value.stage, stage_info.value.group_type)
    with pytest.raises(kelompok.UnknownEvent) as event_info:
        builders.new(VOLUNTEER).fire("nope")
    error = event_info.value
    assert ("nope", "volunteer") == (error.event, error.group_type)
    assert tuple(e.name for e in VOLUNTEER.events) == error.known
    assert "execute" in error.known
    assert "develop" not in error.known


def test_creation_refused_names_the_type_and_each_field():
    with pytest.raises(kelompok.CreationRefused) as info:
        PROFESSIONAL.create(name=" ", profession="pharmacist", id="")
    error = info.value
    assert "professional" == error.group_type
    assert [("create.invalid", "name"), ("create.invalid", "id")] == [
        (r.code, r.field) for r in error.reasons
    ]
    assert "name: must not be blank" == str(error.reasons[0])
    assert "name: tidak boleh kosong" == error.reasons[0].message("id")


def test_stage_order_reason_lists_every_skipped_stage_in_both_languages():
    leap = Event("leap", {"en": "Leap", "id": "Melompat"}, moves={"awareness": "recruiting"})
    group = _derived("leaper", leap).create(name="L", profession="pharmacist")
    [reason] = group.why_not("leap")
    assert "stage.order" == reason.code
    assert (
        "'leap' (Leap) would enter 'recruiting' (Member recruitment) before 'needs_identified' "
        "(Needs identified), 'core_formed' (Initial group formed), which come first in this "
        "group type's order." == reason.message("en")
    )
    assert (
        "'leap' (Melompat) akan memasuki 'recruiting' (Rekrutmen anggota) sebelum "
        "'needs_identified' (Identifikasi kebutuhan), 'core_formed' (Pembentukan kelompok awal), "
        "yang harus dilalui lebih dahulu." == reason.message("id")
    )


# -- every requirement and invariant of the built-in types, in both languages ------------


@pytest.mark.parametrize("group_type", [PROFESSIONAL, VOLUNTEER], ids=lambda t: t.name)
def test_every_requirement_and_invariant_reads_in_english_and_indonesian(group_type):
    texts = [
        (f"{event.name}: {requirement.code}", requirement.message)
        for event in group_type.events
        for requirement in event.requires
    ]
    texts += [(invariant.code, invariant.message) for invariant in group_type.invariants]
    assert len(texts) > 60
    for where, message in texts:
        english, indonesian = message("en"), message("id")
        assert english.strip(), where
        assert indonesian.strip(), where
        assert english != indonesian, f"{where}: the Indonesian is the English"
