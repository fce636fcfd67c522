"""A document's head, alone or with its latest records, and documents of schema 1.

The rules are those of docs/model.md §4.4.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kelompok
from builders import at
from kelompok import InvalidGroupData
from strategies import STAGES as ALL_STAGES
from strategies import TYPES

GROUP_TYPES = {"professional": kelompok.PROFESSIONAL, "volunteer": kelompok.VOLUNTEER}
STAGES = [(t, s) for t in TYPES for s in ALL_STAGES[t]]


def _group(type_name: str, stage: str) -> Any:
    return at(GROUP_TYPES[type_name], stage)


def _codes(document: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(InvalidGroupData) as refused:
        kelompok.load(document)
    return [(p.code, p.field) for p in refused.value.problems]


@pytest.mark.parametrize(("type_name", "stage"), STAGES)
def test_every_head_loads_alone(type_name: str, stage: str) -> None:
    group = _group(type_name, stage)
    head = json.loads(json.dumps(group.to_dict(history=False)))
    light = kelompok.load(head)
    assert light.to_dict(history=False) == head
    assert (light.stage, light.version, light.data) == (group.stage, group.version, group.data)
    assert (len(light.history), light.history_start) == (0, group.version)
    assert light.event_counts == group.event_counts
    assert all(light.reached(s) == group.reached(s) for s in ALL_STAGES[type_name])
    assert all(i.holds(light) for i in light.type.invariants)


@pytest.mark.parametrize(("type_name", "stage"), STAGES)
def test_a_document_of_schema_1_loads_and_is_written_as_schema_2(
    type_name: str, stage: str
) -> None:
    document = _group(type_name, stage).to_dict()
    old = {k: v for k, v in document.items() if k not in {"reached", "counts", "marks"}}
    old["schema_version"] = 1
    assert kelompok.load(old).to_dict() == document
    assert kelompok.load(old, replay=True).to_dict() == document
    assert ("document.missing_field", "history") in _codes(
        {k: v for k, v in old.items() if k != "history"}
    )
    assert ("document.unknown_field", "reached") in _codes({**old, "reached": "awareness"})


def test_a_group_loaded_from_its_head_fires_and_its_document_says_where_its_records_start() -> None:
    group = _group("professional", "recruiting")
    light = kelompok.load(group.to_dict(history=False))
    light.reject(member={"id": "x", "name": "X", "profession": "nurse"}, reason="not now")
    document = light.to_dict()
    assert document["history_from"] == group.version
    assert [r["event"] for r in document["history"]] == ["reject"]
    again = kelompok.load(json.loads(json.dumps(document)))
    assert again.to_dict() == document
    assert again.history_start == group.version
    assert [("document.replay", "history")] == _replay_codes(document)
    group.reject(member={"id": "x", "name": "X", "profession": "nurse"}, reason="not now")
    assert group.to_dict(history=False) == {
        **light.to_dict(history=False),
        "id": group.id,
        "created_at": group.to_dict()["created_at"],
    }


def _replay_codes(document: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(InvalidGroupData) as refused:
        kelompok.load(document, replay=True)
    return [(p.code, p.field) for p in refused.value.problems]


def _replay_error(document: dict[str, Any]) -> str:
    with pytest.raises(InvalidGroupData) as refused:
        kelompok.load(document, replay=True)
    return str(refused.value)


def test_a_replay_that_refuses_a_record_says_what_cannot_be_loaded_and_which_record() -> None:
    document = json.loads(json.dumps(_group("professional", "structured").to_dict()))
    assert document["history"][4]["event"] == "admit"
    document["history"][4]["payload"]["scores"]["competence"] = 1  # below the bar: refused
    kelompok.load(document)  # every record has its form: only replaying finds this
    assert _replay_error(document).startswith(
        "Cannot load this group document:\n  - document.replay: history[4] ('admit') is "
        "refused when replayed: "
    )


def test_a_replay_that_makes_other_data_says_what_cannot_be_loaded() -> None:
    document = json.loads(json.dumps(_group("professional", "structured").to_dict()))
    document["data"]["members"]["citra"]["name"] = "Citra Dewi"  # not what admit stored
    kelompok.load(document)
    assert _replay_error(document) == (
        "Cannot load this group document:\n"
        "  - document.replay: data: differs from what replaying the history produces"
    )


def _head(stage: str = "structured") -> dict[str, Any]:
    return json.loads(json.dumps(_group("professional", stage).to_dict(history=False)))


def _edit(**changes: Any) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        doc.update(copy.deepcopy(changes))

    return edit


def _counts(event: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        doc["counts"][event] = value

    return edit


def _mark(event: str, of: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        if value is None:
            del doc["marks"][event][of]
        else:
            doc["marks"][event][of] = value

    return edit


def _charter_last(doc: dict[str, Any]) -> None:
    """open_recruitment before adopt_charter: the marks of that order, which §4.3 forbids."""
    doc["marks"]["open_recruitment"] = {
        "identify_needs": 1,
        "form_core_group": 1,
        "open_recruitment": 1,
    }
    doc["marks"]["adopt_charter"] = {**doc["marks"]["open_recruitment"], "adopt_charter": 1}


HEAD_REFUSALS = {
    "counts add up to another version": (
        _counts("identify_needs", 2),
        ("document.version", "version"),
    ),
    "a count of 0": (_counts("admit", 0), ("document.invalid", "counts.admit")),
    "a count that is not a number": (_counts("admit", "1"), ("document.invalid", "counts.admit")),
    "a count that is a boolean": (_counts("admit", True), ("document.invalid", "counts.admit")),
    "a count of no event": (_counts("fly", 1), ("document.invalid", "counts")),
    "counts that are a list": (_edit(counts=[]), ("document.invalid", "counts")),
    "marks that are a list": (_edit(marks=[]), ("document.invalid", "marks")),
    "a mark missing": (
        lambda d: d["marks"].pop("admit"),
        ("document.invalid", "marks"),
    ),
    "a mark that counts less of its own event": (
        _mark("admit", "admit", None),
        ("document.invalid", "marks"),
    ),
    "a mark that forgets an earlier event": (
        _mark("open_recruitment", "identify_needs", None),
        ("document.invalid", "marks"),
    ),
    "two marks at one version": (
        _mark("admit", "open_recruitment", None),
        ("document.invalid", "marks"),
    ),
    "reached before the stage": (_edit(reached="recruiting"), ("document.stage", "reached")),
    "reached never entered": (_edit(reached="programmed"), ("document.stage", "reached")),
    "reached a terminal stage": (_edit(reached="dissolved"), ("document.invalid", "reached")),
    "the last event ends elsewhere": (
        _edit(stage="recruiting"),
        ("document.stage", "stage"),
    ),
    "an event before the one it comes after": (_charter_last, ("document.history", "counts")),
    "history_from without a history": (_edit(history_from=1), ("document.invalid", "history_from")),
}


@pytest.mark.parametrize(("edit", "problem"), HEAD_REFUSALS.values(), ids=list(HEAD_REFUSALS))
def test_load_refuses_a_head_no_events_make(
    edit: Callable[[dict[str, Any]], None], problem: tuple[str, str]
) -> None:
    doc = _head()
    edit(doc)
    assert problem in _codes(doc)


def test_a_head_of_version_0_is_in_the_initial_stage() -> None:
    doc = _head("awareness")
    assert doc["version"] == 0
    assert kelompok.load(doc).stage == "awareness"
    assert ("document.stage", "reached") in _codes({**doc, "stage": "needs_identified"})
    # a terminal stage has no rank to come after the stage reached: no event says it ends there
    with pytest.raises(InvalidGroupData) as refused:
        kelompok.load({**doc, "stage": "dissolved"})
    [problem] = refused.value.problems
    assert ("document.stage", "stage") == (problem.code, problem.field)
    assert "stage: is 'dissolved' but the history ends in 'awareness'" == problem.message("en")


def _tail(records: int = 2) -> dict[str, Any]:
    """A structured group's document holding only its latest *records* (admit, establish)."""
    full = _group("professional", "structured").to_dict()
    doc = {**full, "history_from": full["version"] - records}
    doc["history"] = full["history"][-records:]
    return json.loads(json.dumps(doc))


def test_a_document_with_its_latest_records_loads() -> None:
    doc = _tail()
    group = kelompok.load(doc)
    assert group.to_dict() == doc
    assert [r.event for r in group.history] == [r["event"] for r in doc["history"]]
    assert group.history_start == doc["history_from"]


def _drop_first(doc: dict[str, Any]) -> None:
    del doc["history"][0]


def _first_elsewhere(doc: dict[str, Any]) -> None:
    doc["history"][1]["source"] = "awareness"


def _another_event(doc: dict[str, Any]) -> None:
    doc["history"][0]["event"] = "reject"  # an action in recruiting too, but not counted


TAIL_REFUSALS = {
    "a record missing": (_drop_first, ("document.version", "version")),
    "records that do not follow each other": (
        _first_elsewhere,
        ("document.history", "history[1].source"),
    ),
    "records the marks do not make": (_another_event, ("document.history", "history")),
    "history_from 0": (_edit(history_from=0), ("document.invalid", "history_from")),
    "history_from past the version": (_edit(history_from=99), ("document.invalid", "history_from")),
    "history_from as text": (_edit(history_from="3"), ("document.invalid", "history_from")),
}


@pytest.mark.parametrize(("edit", "problem"), TAIL_REFUSALS.values(), ids=list(TAIL_REFUSALS))
def test_load_refuses_latest_records_that_do_not_end_in_the_head(
    edit: Callable[[dict[str, Any]], None], problem: tuple[str, str]
) -> None:
    doc = _tail()
    edit(doc)
    assert problem in _codes(doc)


@pytest.mark.parametrize(("type_name", "stage"), STAGES)
@pytest.mark.parametrize("records", [1, 2, 3])
def test_every_latest_records_of_every_group_load(type_name: str, stage: str, records: int):
    full = _group(type_name, stage).to_dict()
    if full["version"] < records:
        return
    doc = {**full, "history_from": full["version"] - records, "history": full["history"][-records:]}
    if doc["history_from"] == 0:
        del doc["history_from"]  # the whole history
    assert kelompok.load(json.loads(json.dumps(doc))).to_dict() == doc


@pytest.mark.parametrize("source", ["awareness", "needs_identified", "recruiting"])
def test_latest_records_cannot_start_where_the_event_before_them_never_ends(source: str):
    # dissolve is allowed from these stages, but the group was collaborating: its last event
    # before the records was collaborate, which ends nowhere else
    light = kelompok.load(_group("professional", "collaborating").to_dict(history=False))
    light.fire("dissolve", reason="done")
    doc = json.loads(json.dumps(light.to_dict()))
    assert kelompok.load(doc).history[0].source == "collaborating"
    doc["history"][0]["source"] = source
    assert ("document.history", "history[0].source") in _codes(doc)


def test_latest_records_cannot_start_in_a_stage_no_earlier_event_entered():
    # the first evaluate is the only way into evaluating: as an action there, it would
    # start in a stage the group had not entered (the head has reached evaluating, so the
    # order of stages alone does not show it)
    full = _group("professional", "evaluating").to_dict()
    doc = {**full, "history_from": full["version"] - 1, "history": full["history"][-1:]}
    doc = json.loads(json.dumps(doc))
    assert doc["history"][0]["event"] == "evaluate"
    assert kelompok.load(doc).version == full["version"]
    doc["history"][0]["source"] = "evaluating"
    assert ("document.history", "history[0].source") in _codes(doc)


def test_the_whole_history_must_make_the_head_exactly() -> None:
    doc = json.loads(json.dumps(_group("professional", "recruiting").to_dict()))
    assert ("document.history", "counts") in _codes(
        {**doc, "counts": {**doc["counts"], "admit": 2}}
    )
    assert ("document.history", "reached") in _codes({**doc, "reached": "awareness"})
    marks = {**doc["marks"], "admit": {"admit": 1}}
    assert ("document.history", "counts") in _codes({**doc, "marks": marks})


# -- heads that no sequence of events makes (found by attacking the first version) -----------


def _tally_of(events: list[str]) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    counts: dict[str, int] = {}
    marks: dict[str, dict[str, int]] = {}
    for event in events:
        counts[event] = counts.get(event, 0) + 1
        marks[event] = dict(counts)
    return counts, {e: marks[e] for e in counts}


def _forged(group: Any, events: list[str], stage: str, reached: str) -> dict[str, Any]:
    """*group*'s head, claiming *events* were applied (in that order) to reach *stage*."""
    head = group.to_dict(history=False)
    counts, marks = _tally_of(events)
    head.update(counts=counts, marks=marks, version=len(events), stage=stage, reached=reached)
    return head


_CORE = ["identify_needs", "form_core_group"]
FORGED = {
    "a one-way move twice": (_CORE[:1] * 2, "needs_identified", "needs_identified"),
    "a stage skipped": (["form_core_group"], "core_formed", "core_formed"),
    "a move counted, its stage never reached": (
        [*_CORE, "adopt_charter", "open_recruitment", "adopt_charter"],
        "core_formed",
        "core_formed",
    ),
    "dissolved twice": ([*_CORE, "dissolve", "dissolve"], "dissolved", "core_formed"),
    "an action before its stage": (
        ["identify_needs", "adopt_charter", "form_core_group", "adopt_charter"],
        "core_formed",
        "core_formed",
    ),
    "live again after dissolve": (
        [*_CORE, "dissolve", "adopt_charter"],
        "core_formed",
        "core_formed",
    ),
}


@pytest.mark.parametrize(("events", "stage", "reached"), FORGED.values(), ids=list(FORGED))
def test_load_refuses_a_head_whose_counts_no_path_makes(
    events: list[str], stage: str, reached: str
) -> None:
    group = _group("volunteer", "core_formed")
    codes = _codes(_forged(group, events, stage, reached))
    assert any(code in {"document.history", "document.stage"} for code, _ in codes)


def test_the_real_order_of_a_long_history_is_found_from_its_head() -> None:
    """Ways back and actions that also move: evaluate twice, develop twice, in a cycle."""
    group = _group("professional", "evaluating")
    payload = {"goal_results": dict.fromkeys(group.data.charter.goals, 80), "findings": "good"}
    program = group.data.programs["p1"]
    for _ in range(2):
        group.develop(improvements=["more"], programs=[])
        group.record_activity(
            program=program.id,
            activity=program.activities[0],
            held_on=dt.datetime.now(dt.timezone.utc).date(),
            participants=3,
            outcome="ok",
        )
        group.evaluate(**payload)
    head = group.to_dict(history=False)
    assert kelompok.load(head).to_dict(history=False) == head
    events = [r.event for r in group.history]
    i = events.index("develop")
    forged = _forged(group, [*events[:i], "develop", *events[i:]], group.stage, "evaluating")
    assert [("document.history", "counts")] == _codes(forged)  # two ways back, one evaluate


def test_the_head_of_a_group_that_went_round_for_years_loads_alone() -> None:
    """5,000 times develop and evaluate: the search went a step a round, out of its budget."""
    group = _group("professional", "evaluating")
    payload = {"goal_results": dict.fromkeys(group.data.charter.goals, 80), "findings": "good"}
    for _ in range(5_000):
        group.develop(improvements=["more"], programs=[])
        group.evaluate(**payload)
    head = group.to_dict(history=False)
    assert kelompok.load(head).to_dict(history=False) == head
    forged = {**head, "stage": "programmed"}  # a round, less its last evaluate
    assert ("document.stage", "stage") in _codes(forged)


def test_a_tail_with_an_event_that_is_not_text_is_refused() -> None:
    doc = _tail()
    doc["history"][0]["event"] = ["admit"]  # unhashable: must not escape as a TypeError
    assert ("document.invalid", "history[0].event") in _codes(doc)


class _Key(str):
    __slots__ = ()


@pytest.mark.parametrize("key", [_Key("admit"), 1, None], ids=repr)
def test_a_mark_under_a_key_that_is_not_exact_text_is_refused(key: Any) -> None:
    doc = _head()
    doc["marks"][key] = doc["marks"].pop("admit")
    assert ("document.invalid", "marks") in _codes(doc)


class _Shown(str):
    """A key whose ``repr`` must not be called: kelompok describes what it did not make."""

    __slots__ = ()

    def __repr__(self) -> str:
        raise AssertionError


@pytest.mark.parametrize("key", [_Shown("admit"), 10**5000, "x" * 100_000], ids=type)
def test_a_count_under_a_key_that_is_no_event_is_described_briefly(key: Any) -> None:
    doc = _head()
    doc["counts"][key] = doc["counts"].pop("admit")
    with pytest.raises(InvalidGroupData) as refused:
        kelompok.load(doc)
    assert ("document.invalid", "counts") in _codes(doc)
    assert len(str(refused.value)) < 2_000


def test_a_mapping_that_lies_about_its_keys_is_read_once() -> None:
    from collections.abc import Mapping  # noqa: PLC0415

    class Proxy(Mapping[str, Any]):
        def __init__(self, inner: dict[str, Any]) -> None:
            self.inner = inner

        def __getitem__(self, key: str) -> Any:
            return self.inner[key]

        def __iter__(self) -> Any:
            return iter(self.inner)

        def __len__(self) -> int:
            return len(self.inner)

        def __contains__(self, key: object) -> bool:
            return key == "history" or key in self.inner

    head = _head()
    assert kelompok.load(Proxy(head)).to_dict(history=False) == head

    class Broken(Proxy):
        def __getitem__(self, key: str) -> Any:
            raise RuntimeError("the driver lost the connection")

    assert [("document.invalid", "document")] == _codes(Broken(head))  # type: ignore[arg-type]


def test_a_head_too_long_to_check_alone_asks_for_its_history(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kelompok._codec import walk  # noqa: PLC0415

    head = _head("collaborating")
    monkeypatch.setattr(walk, "BUDGET", 3)
    with pytest.raises(InvalidGroupData) as refused:
        kelompok.load(head)
    [problem] = refused.value.problems
    assert (problem.code, problem.field) == ("document.history", "counts")  # what a caller reads
    assert str(problem) == (
        "counts: are too many moves to check from the head alone: "
        "load the document with its history"
    )
    assert problem.message("id") == (
        "counts: terlalu banyak perpindahan untuk diperiksa dari kepala dokumen saja: "
        "muat dokumen bersama riwayatnya"
    )
    monkeypatch.setattr(walk, "BUDGET", 10_000)
    assert kelompok.load(head).version == head["version"]


def test_a_head_of_events_applied_once_each_is_walked_within_the_budget_exactly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # each of the 6 events applied once: the walk visits one state per event, no more
    from kelompok._codec import walk  # noqa: PLC0415

    head = _head("structured")
    assert set(head["counts"].values()) == {1}
    assert len(head["counts"]) == 6
    monkeypatch.setattr(walk, "BUDGET", 6)
    assert kelompok.load(head).version == 6
    monkeypatch.setattr(walk, "BUDGET", 5)
    with pytest.raises(InvalidGroupData, match="with its history"):
        kelompok.load(head)


def test_a_group_at_the_last_version_a_document_holds_takes_no_event() -> None:
    head = _head("core_formed")
    last = 2**63 - 1
    head["counts"]["adopt_charter"] = last - head["version"]  # an action, applied again and again
    head["marks"]["adopt_charter"] = dict(head["counts"])
    head["version"] = last
    head["data"]["charter"] = {"vision": "V", "mission": "M", "goals": ["G"], "steps": ["S"]}
    group = kelompok.load(head)
    before = group.to_dict()
    with pytest.raises(kelompok.TransitionNotAllowed) as refused:
        group.fire("adopt_charter", vision="V", mission="M", goals=["G"], steps=["S"])
    [reason] = refused.value.reasons
    assert "group.version_limit" == reason.code
    assert "The group has had as many events as it can hold." == reason.message("en")
    assert (
        "Kelompok ini sudah menampung kejadian sebanyak yang dapat disimpannya."
        == reason.message("id")
    )
    assert group.to_dict() == before
    assert kelompok.load(group.to_dict(history=False)).version == last


FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("name", ["professional", "volunteer"])
def test_a_document_written_by_kelompok_0_1_loads_and_upgrades(name: str) -> None:
    """A schema 1 document as the previous version wrote it (tests/fixtures/)."""
    old = json.loads((FIXTURES / f"{name}-schema-1.json").read_text(encoding="utf-8"))
    assert old["schema_version"] == 1
    group = kelompok.load(old, replay=True)
    new = group.to_dict()
    assert new["schema_version"] == kelompok.SCHEMA_VERSION == 2
    assert {
        k: v for k, v in new.items() if k not in {"schema_version", "reached", "counts", "marks"}
    } == {k: v for k, v in old.items() if k != "schema_version"}
    assert kelompok.load(new).to_dict() == new
    assert kelompok.load(group.to_dict(history=False)).version == old["version"]


@pytest.mark.parametrize("type_name", ["professional", "volunteer"])
def test_the_straight_walk_answers_as_the_search_does(type_name: str) -> None:
    """A head whose segments are single events takes the straight path; it must agree."""
    from kelompok._codec import walk  # noqa: PLC0415

    group = _group(type_name, "collaborating")
    engine, state = group.type._engine, group._state()
    stages = [s.name for s in group.type.stages]
    checked = 0
    for stage in stages:
        for peak in range(len(engine.live)):
            args = (engine, state.counts, state.marks, stage, peak)
            names = tuple(state.counts)
            search = walk._Search(engine, names, [], stage, peak)
            found = walk.walk(*args)
            search.segments = _segments(state, names)
            assert not any(any(left) for _, left in search.segments)  # the straight path's case
            start = (0, group.type.initial, 0, search.segments[0][1], frozenset(), frozenset())
            assert search.run(start) == found, (stage, peak)
            checked += found == walk.POSSIBLE
    assert 1 == checked  # only the group's own stage and peak


def _segments(state: Any, names: tuple[str, ...]) -> list[tuple[int, tuple[int, ...]]]:
    marks = {e: dict(m.items()) for e, m in state.marks.items()}
    out, before = [], {}
    for event in sorted(marks, key=lambda e: sum(marks[e].values())):
        left = [marks[event].get(n, 0) - before.get(n, 0) for n in names]
        left[names.index(event)] -= 1
        out.append((names.index(event), tuple(left)))
        before = marks[event]
    return out


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_head_of_events_applied_once_each_walks_as_the_search_does(data: Any) -> None:
    """Every event applied once: the marks' order is walked alone; it must agree with the search.

    The heads are any order of distinct events (most are no walk at all), at every stage
    and stage reached, so both answers are asked for, possible and impossible.
    """
    from kelompok._base.frozen import own_frozen  # noqa: PLC0415
    from kelompok._codec import walk  # noqa: PLC0415

    gt = data.draw(st.sampled_from([kelompok.PROFESSIONAL, kelompok.VOLUNTEER]))
    engine = gt._engine
    end = None
    if data.draw(st.booleans()):  # any order: most are no walk
        order = data.draw(st.permutations(list(engine.events)))[: data.draw(st.integers(1, 9))]
    else:  # a walk of the declared moves, each event once: the answer is possible somewhere
        order, stage, peak = [], gt.initial, 0
        for _ in range(data.draw(st.integers(1, 9))):
            allowed = [
                e.name
                for e in engine.events.values()
                if e.name not in order
                and stage in e.moves
                and set(e.after) <= set(order)
                and engine.order.get(e.moves[stage] or stage, peak) <= peak + 1
            ]
            if not allowed:
                break
            event = data.draw(st.sampled_from(allowed))
            order.append(event)
            stage = engine.events[event].moves[stage] or stage
            peak = max(peak, engine.order.get(stage, peak))
        end = (stage, peak)
    counts = own_frozen(dict.fromkeys(order, 1))
    marks = own_frozen(
        {e: own_frozen(dict.fromkeys(order[: i + 1], 1)) for i, e in enumerate(order)}
    )
    names = tuple(counts)
    state = type("Tally", (), {"marks": marks})()
    segments = _segments(state, names)
    for stage in engine.stages:
        for peak in range(len(engine.live)):
            search = walk._Search(engine, names, segments, stage, peak)
            start = (0, gt.initial, 0, segments[0][1], frozenset(), frozenset())
            assert search.run(start) == walk.walk(engine, counts, marks, stage, peak), (stage, peak)
    if end is not None:  # where the walk drawn ends: possible, as the order drawn shows
        assert walk.POSSIBLE == walk.walk(engine, counts, marks, *end)
