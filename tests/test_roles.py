"""Roles from the group's own structure, and the policy on every path (docs/model.md §6)."""

from __future__ import annotations

import copy
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test

import kelompok
from builders import TODAY
from kelompok import (
    DefinitionBug,
    DefinitionError,
    Event,
    GroupType,
    Role,
    Stage,
    TransitionNotAllowed,
)
from kelompok.testing import lifecycle_machine

GP, GV = kelompok.GOVERNED_PROFESSIONAL, kelompok.GOVERNED_VOLUNTEER

# -- the people of one group ----------------------------------------------------------------

INITIATOR, CHAIR, SECRETARY, TREASURER, HEAD, MEMBER, OUTSIDER = (
    "ini",
    "ani",
    "bayu",
    "citra",
    "dewi",
    "eko",
    "eve",
)
PEOPLE = (INITIATOR, CHAIR, SECRETARY, TREASURER, HEAD, MEMBER, OUTSIDER, None)
LATE = ("structured", "programmed", "evaluating", "executing", "collaborating")


def held(person: str | None, stage: str) -> set[str]:
    """The roles each person holds in a group built by :func:`at`, as the docs' table says."""
    founded = stage not in ("awareness", "needs_identified")
    if person is None:
        return set()
    roles: set[str] = set()
    if person == INITIATOR and not founded:
        roles.add("initiator")
    if person in (CHAIR, SECRETARY) and founded:
        roles |= {"founder", "member"}
    admitted = stage != "core_formed" and founded
    if person in (TREASURER, HEAD, MEMBER) and admitted:
        roles.add("member")
    if stage in LATE:
        office = {CHAIR: "chair", SECRETARY: "secretary", TREASURER: "treasurer"}.get(person)
        if office:
            roles |= {office, "officer"}
        if person == HEAD:
            roles.add("division_head")
    return roles


def expected(event: str, stage: str) -> set[str]:
    """The built-in policy, written out from the table of docs/model.md §6.2."""
    late = stage in LATE
    table: dict[str, set[str]] = {
        "identify_needs": {"initiator"},
        "form_core_group": {"initiator"},
        "adopt_charter": {"chair"} if late else {"founder"},
        "open_recruitment": {"founder"},
        "admit": {"officer"} if late else {"founder"},
        "reject": {"officer"} if late else {"founder"},
        "establish_structure": {"founder"},
        "plan_programs": {"chair", "division_head"},
        "add_program": {"chair", "division_head"},
        "execute": {"chair", "division_head"},
        "record_activity": {"secretary", "division_head"},
        "evaluate": {"chair", "secretary"},
        "develop": {"chair", "division_head"},
        "collaborate": {"chair"},
        "dissolve": (
            {"chair"}
            if late
            else {"initiator"}
            if stage in ("awareness", "needs_identified")
            else {"founder"}
        ),
    }
    return table[event]


def _member(person: str, pro: bool) -> dict[str, Any]:
    return {"id": person, "name": person.title(), **({"profession": "pharmacist"} if pro else {})}


def payloads(gt: GroupType[Any]) -> dict[str, dict[str, Any]]:
    """A valid payload of every event, for the people above."""
    pro = "develop" in {e.name for e in gt.events}
    scores = {"competence": 4, "dedication": 4} if pro else {"commitment": 4, "motivation": 4}
    kind = "training" if pro else "environmental"
    program = {"id": "p1", "name": "P", "kind": kind, "division": "Education", "activities": ["a"]}
    return {
        "identify_needs": {"needs": ["support"], **({} if pro else {"work_area": kind})},
        "form_core_group": {"founders": [_member(CHAIR, pro), _member(SECRETARY, pro)]},
        "adopt_charter": {"vision": "v", "mission": "m", "goals": ["g"], "steps": ["s"]},
        "open_recruitment": {},
        "admit": {"member": _member("zed", pro), "scores": scores},
        "reject": {"member": _member("yan", pro), "reason": "not now"},
        "establish_structure": {
            "chair": CHAIR,
            "secretary": SECRETARY,
            "treasurer": TREASURER,
            "divisions": [{"name": "Education", "responsibility": "programs", "head": HEAD}],
        },
        "plan_programs": {"programs": [program]},
        "add_program": {"program": {**program, "id": "p2"}},
        "execute": {"teams": {"p1": [HEAD]}},
        "record_activity": {
            "program": "p1",
            "activity": "a",
            "held_on": TODAY,
            "participants": 3,
            "outcome": "fine",
        },
        "evaluate": {"goal_results": {"g": 80}, "findings": "good"},
        "develop": {"improvements": ["more"]},
        "collaborate": {"partner": None, "purpose": "together", "shared": ["ideas"]},
        "dissolve": {"reason": "done"},
    }


def _new(gt: GroupType[Any], group_id: str | None = None) -> Any:
    extra = {"profession": "pharmacist"} if gt is GP else {}
    return gt.create(id=group_id, name="Kelompok", initiator=INITIATOR, **extra)


def at(gt: GroupType[Any], stage: str) -> Any:
    """A governed group in *stage*, every event fired by someone the policy lets."""
    g = _new(gt)
    given = payloads(gt)
    path = ["identify_needs", "form_core_group", "adopt_charter", "open_recruitment"]
    path += ["admit_three", "establish_structure", "plan_programs"]
    path += ["execute"] if gt is GV else []
    path += ["record_activity"] + (["evaluate"] if gt is GP else []) + ["collaborate"]
    for event in path:
        if g.stage == stage and event != "admit_three":  # recruiting: with its members
            return g
        if event == "admit_three":
            for person in (TREASURER, HEAD, MEMBER):
                g.admit(_member(person, gt is GP), given["admit"]["scores"], actor=CHAIR)
            continue
        actor = CHAIR if g.stage in LATE or g.data.founders else INITIATOR
        payload = dict(given[event])
        if event == "collaborate":
            payload["partner"] = at(gt, "structured")
        if event == "record_activity":
            actor = SECRETARY
        g.fire(event, payload, actor=actor)
    assert g.stage == stage
    return g


ROWS = [
    (gt, event.name, stage)
    for gt in (GP, GV)
    for event in gt.events
    for stage in event.moves
    if not gt.stage(stage).terminal
]


@pytest.mark.parametrize(
    ("gt", "event", "stage"), ROWS, ids=[f"{g.name}-{e}-{s}" for g, e, s in ROWS]
)
def test_every_row_of_the_built_in_policy_allows_its_roles_and_denies_everyone_else(
    gt: GroupType[Any], event: str, stage: str
) -> None:
    g = at(gt, stage)
    assert set(gt.policy.roles_for(event, stage)) == expected(event, stage)
    payload = payloads(gt)[event]
    if event == "collaborate":
        payload = {**payload, "partner": at(gt, "structured")}
    for person in PEOPLE:
        assert set(g.roles_of(person) if person else ()) == held(person, stage), person
        may = bool(held(person, stage) & expected(event, stage))
        codes = [r.code for r in g.why_not(event, payload, actor=person)]
        assert ("permission.denied" not in codes) == may, (person, codes)
        assert (event in g.available_events(actor=person)) == may if person else True
        steps = [s.event for s in g.next_steps(actor=person)] if person else None
        assert steps is None or (event in steps) == may
    allowed = [p for p in PEOPLE if held(p, stage) & expected(event, stage)]
    assert allowed, f"nobody of the group may fire {event!r} in {stage!r}"
    twin = copy.copy(g)
    if not twin.why_not(event, payload, actor=allowed[0]):  # a payload that fits here
        twin.fire(event, payload, actor=allowed[0])
        assert twin.history[-1].actor == allowed[0]
    for person in PEOPLE:
        if person not in allowed:
            with pytest.raises(TransitionNotAllowed) as info:
                copy.copy(g).fire(event, payload, actor=person)
            assert info.value.reasons[0].code == "permission.denied"
            assert info.value.reasons[0].field == "actor"


def test_the_refusal_names_the_roles_that_may_in_both_languages_beside_the_other_reasons():
    g = at(GP, "core_formed")
    reasons = g.why_not("open_recruitment", actor=OUTSIDER)
    assert [r.code for r in reasons] == ["permission.denied", "charter.missing"]
    denied = reasons[0]
    assert str(denied) == (
        "'eve' may not fire 'open_recruitment' now: this group's policy lets only these roles "
        "do it: Founder."
    )
    assert "Pendiri" in denied.message("id")
    assert "tidak boleh" in denied.message("id")
    assert denied.fixed_by == ()
    g = at(GP, "structured")
    assert "Chair, Head of a division" in str(g.why_not("plan_programs", actor=MEMBER)[0])
    assert "Ketua, Kepala divisi" in g.why_not("plan_programs", actor=MEMBER)[0].message("id")


def test_a_missing_actor_is_refused_under_a_policy_and_recorded_without_one():
    g = _new(GP)
    with pytest.raises(TransitionNotAllowed) as info:
        g.identify_needs(["support"])
    [reason] = info.value.reasons
    assert reason.code == "permission.denied"
    assert "Say who fires" in str(reason)
    assert "Sebutkan" in reason.message("id")
    assert not g.can("identify_needs", needs=["support"])
    assert g.version == 0
    plain = kelompok.PROFESSIONAL.create(name="Ikatan", profession="pharmacist")
    plain.identify_needs(["support"])  # no policy: as before
    assert plain.available_events(actor="anyone") == plain.available_events()
    assert plain.why_not("form_core_group", founders=[], actor="x")[0].code == "founders.too_few"
    assert plain.type.policy is None
    assert plain.roles_of("x") == ()


def test_without_an_actor_the_readers_answer_for_the_stage_alone():
    g = at(GP, "recruiting")
    assert g.available_events() == list(GP.events_from("recruiting"))
    assert [s.event for s in g.next_steps()] == g.available_events()
    assert g.available_events(actor=OUTSIDER) == []
    assert [s["event"] for s in g.status("id", actor=MEMBER)["next_steps"]] == []
    mine = [s["event"] for s in g.status("id", actor=CHAIR)["next_steps"]]
    assert mine == ["adopt_charter", "admit", "reject", "establish_structure", "dissolve"]


def test_actor_must_be_text():
    g = _new(GP)
    for call in (g.why_not, g.can, g.fire):
        with pytest.raises(kelompok.UsageError):
            call("identify_needs", actor=5)
    with pytest.raises(kelompok.UsageError):
        g.available_events(actor=["ani"])  # type: ignore[arg-type]


def test_the_policy_survives_the_document_and_replay_applies_it_to_the_recorded_actors():
    g = at(GV, "executing")
    document = g.to_dict()
    again = kelompok.load(document, replay=True)
    assert again.type is GV
    assert again.type.policy is GV.policy
    assert again.available_events(actor=MEMBER) == []
    forged = copy.deepcopy(document)
    forged["history"][2]["actor"] = OUTSIDER  # adopt_charter by someone else
    kelompok.load(forged)  # plain load does not judge the actors: the data is the same
    with pytest.raises(kelompok.InvalidGroupData) as info:
        kelompok.load(forged, replay=True)
    assert [p.code for p in info.value.problems] == ["document.replay"]
    assert "may not fire 'adopt_charter'" in str(info.value.problems[0].text)


# -- custom types: their own roles and policy --------------------------------------------------


@attrs.frozen
class Team:
    name: str
    lead: str = "lead"


@attrs.frozen
class NewTeam:
    name: str


def team_type(**kwargs: Any) -> GroupType[Any]:
    options: dict[str, Any] = {
        "roles": [Role("lead", {"en": "Lead", "id": "Pemimpin"}, lambda g, a: a == g.data.lead)],
        "policy": {"start": ["lead"], "stop": ["lead"]},
        **kwargs,
    }
    return GroupType(
        name="team",
        label={"en": "Team", "id": "Tim"},
        stages=[
            Stage("a", {"en": "A", "id": "A"}),
            Stage("b", {"en": "B", "id": "B"}),
            Stage("z", {"en": "Z", "id": "Z"}, terminal=True),
        ],
        events=[
            Event("start", {"en": "Start", "id": "Mulai"}, moves={"a": "b"}),
            Event("stop", {"en": "Stop", "id": "Henti"}, moves={"a": "z", "b": "z"}),
        ],
        data=Team,
        founding=NewTeam,
        initial_data=lambda args: Team(name=args.name),
        group_class=kelompok.Group,
        **options,
    )


def test_a_custom_type_declares_its_roles_and_policy():
    t = team_type()
    g = t.create(name="x")
    assert [r.code for r in g.why_not("start", actor="bob")] == ["permission.denied"]
    g.fire("start", actor="lead")
    assert g.roles_of("lead") == ("lead",)
    assert g.history[0].actor == "lead"
    assert kelompok.verify(t).ok


def test_every_problem_of_roles_and_policy_is_listed_at_definition():
    with pytest.raises(DefinitionError) as info:
        team_type(
            roles=[
                Role("lead", "Lead", lambda g, a: True, since="nowhere"),
                Role("lead", {"en": "Again", "id": "Lagi"}, lambda g, a: True),
                Role("not a name", {"en": "X", "id": "X"}, "no check"),  # type: ignore[arg-type]
            ],
            policy={"start": ["lead", "ghost"], "fly": ["lead"], "stop": {"z": ["lead"]}},
        )
    problems = info.value.problems
    assert len(problems) == 8, problems  # the first 'lead' has no Indonesian label too
    assert any("'lead' is declared twice" in p for p in problems)
    assert any("since 'nowhere'" in p for p in problems)
    assert any("'not a name' is not an identifier" in p for p in problems)
    assert any("has a check that is not callable" in p for p in problems)
    assert any("names 'ghost', which are not roles" in p for p in problems)
    assert any("policy of 'fly': the type has no such event" in p for p in problems)
    assert any("from 'z', which is not a live stage" in p for p in problems)
    with pytest.raises(DefinitionError) as info:
        team_type(roles=[Role("lead", "Lead", lambda g, a: True)])
    assert info.value.problems == [
        "role 'lead' has no 'id' text: give it inline or in translations['id']"
    ]


def test_derive_changes_the_policy_and_never_the_parent():
    before = GP.policy.as_dict()
    looser = GP.derive(
        "looser_professional",
        {"en": "Looser", "id": "Longgar"},
        policy={"admit": {"recruiting": ["founder"], "structured": ["officer", "division_head"]}},
    )
    assert GP.policy.as_dict() == before
    assert looser.policy.roles_for("admit", "programmed") == ("officer", "division_head")
    assert looser.policy.roles_for("collaborate", "collaborating") == ("chair",)
    open_again = GP.derive("free", {"en": "Free", "id": "Bebas"}, replace_policy=True)
    assert open_again.policy is None
    governed = kelompok.PROFESSIONAL.derive(
        "half",
        {"en": "Half", "id": "Setengah"},
        roles=[Role("anyone", {"en": "Anyone", "id": "Siapa saja"}, lambda g, a: True)],
        policy={"dissolve": ["anyone"]},
    )
    report = kelompok.verify(governed)
    assert not report.ok
    assert {p.kind for p in report.problems} == {"unfirable"}
    assert len(report.problems) == len(governed.events) - 1
    with pytest.raises(DefinitionError, match="no such event"):
        GP.derive("bad", {"en": "Bad", "id": "Buruk"}, policy={"nope": ["chair"]})


def test_verify_reports_events_only_roles_held_later_could_fire():
    late = Role("late", {"en": "Late", "id": "Akhir"}, lambda g, a: True, since="b")
    t = team_type(roles=[late], policy={"start": ["late"], "stop": ["late"]})
    [problem] = kelompok.verify(t).problems
    assert (problem.kind, problem.stage) == ("unfirable", "a")
    assert "only to late, which nobody holds yet in a" in problem.message


def test_a_role_that_misbehaves_is_a_bug_of_the_type():
    odd = Role("odd", {"en": "Odd", "id": "Aneh"}, lambda g, a: 1 / 0)
    t = team_type(roles=[odd], policy={"start": ["odd"], "stop": ["odd"]})
    with pytest.raises(DefinitionBug, match="role 'odd'"):
        t.create(name="x").why_not("start", actor="a")


# -- random actors never get past the policy -----------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    stage=st.sampled_from(["recruiting", "structured", "programmed", "executing"]),
    actor=st.sampled_from(PEOPLE) | st.text(max_size=5),
    event=st.sampled_from([e.name for e in GV.events]),
)
def test_random_actors_never_fire_an_event_the_policy_does_not_give_them(stage, actor, event):
    g = at(GV, stage)
    payload = payloads(GV)[event]
    if event == "collaborate":
        payload = {**payload, "partner": at(GV, "structured")}
    may = event in GV.events_from(stage) and bool(held(actor, stage) & expected(event, stage))
    try:
        g.fire(event, payload, actor=actor)
    except TransitionNotAllowed as err:
        first = err.reasons[0].code
    else:
        first = None
    assert first is not None or may, f"{actor!r} fired {event!r} in {stage!r}"
    assert may or first in ("permission.denied", "stage.not_allowed")


def _people(group: Any) -> Any:
    return st.sampled_from([*sorted(group.data.members), INITIATOR, OUTSIDER, None])


def test_the_kit_runs_a_lifecycle_with_actors():
    kelompok.register(GP)
    given_payloads = {
        name: st.just(payload) for name, payload in payloads(GP).items() if name != "collaborate"
    }
    founding = st.just({"name": "Kelompok", "profession": "pharmacist", "initiator": INITIATOR})
    machine = lifecycle_machine(GP, given_payloads, founding=founding, actors=_people, steps=25)
    run_state_machine_as_test(machine, settings=settings(max_examples=15, database=None))
