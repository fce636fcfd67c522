"""Rules of the built-in types that mutants of their code got past the rest of the suite.

Each test pins one rule exactly: an effect stores exactly what its event brings, an
invariant refuses a hand-edited document that breaks only that rule, a requirement
lists its own code. docs/model.md §3.4 (requirements), §4.6 (invariants) and §4.7
(``load`` refuses a broken document, naming the invariant) state the rules.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import attrs
import pytest

import kelompok
from builders import at, payloads
from kelompok import FormationGroup, GroupType
from kelompok._formation.effects import _Rebuild

PRO, VOL = kelompok.PROFESSIONAL, kelompok.VOLUNTEER
TYPES = (PRO, VOL)


def _program(group_type: GroupType[Any], program_id: str) -> dict[str, Any]:
    """A valid program of *group_type* for the builders' division, as its document holds it."""
    return {
        "id": program_id,
        "name": f"Program {program_id}",
        "kind": "training" if group_type is PRO else "environmental",
        "division": "Education",
        "activities": [f"{program_id} kick-off"],
    }


def _problem_codes(document: dict[str, Any]) -> list[str]:
    """The sorted codes of the problems ``load`` finds in *document* (it must refuse it)."""
    with pytest.raises(kelompok.InvalidGroupData) as info:
        kelompok.load(document)
    return sorted(p.code for p in info.value.problems)


def _assert_round_trips(group: FormationGroup) -> dict[str, Any]:
    """*group*'s document loads, plainly and by replay, to the same document; return it."""
    document = group.to_dict()
    assert document == kelompok.load(copy.deepcopy(document)).to_dict()
    assert document == kelompok.load(copy.deepcopy(document), replay=True).to_dict()
    return document


def _volunteer_with_two_teams() -> dict[str, Any]:
    """A volunteer group executing two programs, each with its team: its document."""
    group = at(VOL, "structured")
    group.fire("plan_programs", programs=[_program(VOL, "p1"), _program(VOL, "p2")])
    group.fire("execute", teams={"p1": ["eka", "gita"], "p2": ["fajar"]})
    document = group.to_dict()
    assert {"p1": ["eka", "gita"], "p2": ["fajar"]} == document["data"]["teams"]
    return document


# -- effects (docs/model.md §3.3): the data holds exactly what the event brought ---------


@pytest.mark.parametrize("group_type", TYPES, ids=lambda t: t.name)
def test_add_program_adds_exactly_the_program(group_type):
    """docs/model.md §3.2-3.3: ``add_program`` adds its program to those planned.

    Two programs are planned first, so ``state.counts`` (at least one program more than
    the ``add_program``s) would hold even if the effect added nothing: only the data
    itself tells.
    """
    planned = [_program(group_type, "p1"), _program(group_type, "p2")]
    group = at(group_type, "structured")
    group.fire("plan_programs", programs=planned)
    group.fire("add_program", program=_program(group_type, "p3"))

    document = _assert_round_trips(group)
    expected = {p["id"]: p for p in (*planned, _program(group_type, "p3"))}
    assert expected == document["data"]["programs"]
    assert ["p1", "p2", "p3"] == list(group.data.programs)
    assert "Program p3" == group.data.programs["p3"].name


@pytest.mark.parametrize("group_type", TYPES, ids=lambda t: t.name)
def test_reject_records_each_rejection_in_order(group_type):
    """docs/model.md §3.3 and §4.6 (``state.records``): ``reject`` keeps its decision.

    Two candidates are rejected: the data keeps both rejections, in the order made,
    each with its member and reason, and no rejected candidate became a member.
    """
    profession = "pharmacist" if group_type is PRO else None
    candidates = [
        {"id": "hadi", "name": "Hadi", "profession": profession},
        {"id": "ika", "name": "Ika", "profession": profession},
    ]
    group = at(group_type, "recruiting")
    members_before = group.to_dict()["data"]["members"]
    group.fire("reject", member=candidates[0], reason="not enough experience yet")
    group.fire("reject", member=candidates[1], reason="moved away")

    document = _assert_round_trips(group)
    expected = [
        {"member": candidates[0], "reason": "not enough experience yet"},
        {"member": candidates[1], "reason": "moved away"},
    ]
    assert expected == document["data"]["rejections"]
    assert ["not enough experience yet", "moved away"] == [r.reason for r in group.data.rejections]
    assert members_before == document["data"]["members"]


# -- invariants (docs/model.md §4.6): load refuses a document that breaks one -------------


@pytest.mark.parametrize("group_type", TYPES, ids=lambda t: t.name)
def test_load_refuses_a_structured_group_without_structure(group_type):
    """docs/model.md §4.6 ``state.structure``: from ``structured`` on there is a structure.

    At ``structured`` no program names a division yet, so no other invariant reads the
    structure: ``state.structure`` alone refuses it.
    """
    document = at(group_type, "structured").to_dict()
    document["data"]["structure"] = None
    assert ["document.state.structure"] == _problem_codes(document)


@pytest.mark.parametrize("group_type", TYPES, ids=lambda t: t.name)
def test_load_refuses_a_structure_whose_members_are_all_founders(group_type):
    """docs/model.md §4.6 ``state.structure``: there are members besides the founders.

    The admitted member is listed as a founder too, so every member is a founder (the
    founders stay distinct members, the officers stay members). ``state.counts`` (one
    member per founder and per ``admit``) refuses it as well: a history that reaches
    ``structured`` has an ``admit`` (docs/model.md §4.3), so no document breaks the
    structure's rule alone; ``state.structure`` must still name it.
    """
    document = at(group_type, "structured").to_dict()
    data = document["data"]
    admitted = [m for m in data["members"] if m not in data["founders"]]
    assert 1 == len(admitted)
    data["founders"] = [*data["founders"], *admitted]
    assert sorted(data["members"]) == sorted(data["founders"])
    assert ["document.state.counts", "document.state.structure"] == _problem_codes(document)


def test_volunteer_teams_document_is_accepted_as_made():
    """The document the teams tests below edit is valid as made (docs/model.md §4.7)."""
    document = _volunteer_with_two_teams()
    assert document == kelompok.load(copy.deepcopy(document)).to_dict()


@pytest.mark.parametrize(
    ("teams", "what"),
    [
        ({"p1": ["eka", "gita"], "p2": []}, "one team of two is empty"),
        ({"p1": ["eka", "gita"], "p9": ["fajar"]}, "one team of two is of an unknown program"),
        ({"p1": ["eka", "nobody"], "p2": ["fajar"]}, "one team member of three is no member"),
    ],
    ids=["empty-team", "unknown-program", "not-a-member"],
)
def test_load_refuses_teams_when_one_of_them_breaks_the_rule(teams, what):
    """docs/model.md §4.6 ``state.teams``: *every* team is of an existing program, with
    at least one member, all of them members.

    Only one team (or one member) is wrong and the others are right, so a check that
    asks whether *some* team is right lets it through. There are still as many teams as
    programs, so nothing but the teams rule is broken.
    """
    document = _volunteer_with_two_teams()
    document["data"]["teams"] = teams
    assert ["document.state.teams"] == _problem_codes(document), what


def test_load_refuses_volunteer_evaluations_before_executing():
    """docs/model.md §4.6 ``state.evaluations``: a volunteer group evaluates only from
    ``executing`` on.

    A ``programmed`` group is given the evaluation of an ``executing`` one. ``evaluate``
    is not allowed before ``executing``, so no history can count it: ``state.counts``
    refuses it too, and ``state.records`` (an evaluation follows an activity, and
    activities run only in ``executing``) as well. ``state.evaluations`` must still name
    it.
    """
    group = at(VOL, "executing")
    group.fire("record_activity", **payloads(VOL)["record_activity"])
    group.fire("evaluate", **payloads(VOL)["evaluate"])
    evaluations = group.to_dict()["data"]["evaluations"]
    assert 1 == len(evaluations)

    document = at(VOL, "programmed").to_dict()
    document["data"]["evaluations"] = evaluations
    expected = ["document.state.counts", "document.state.evaluations", "document.state.records"]
    assert expected == _problem_codes(document)


# -- requirements (docs/model.md §3.4): why_not lists the exact code ----------------------


def test_execute_needs_a_team_for_every_program():
    """docs/model.md §3.4 ``teams.missing``: every program has a team, not only some."""
    group = at(VOL, "structured")
    group.fire("plan_programs", programs=[_program(VOL, "p1"), _program(VOL, "p2")])
    reasons = group.why_not("execute", teams={"p1": ["eka", "gita"]})
    assert ["teams.missing"] == [r.code for r in reasons]
    assert [] == group.why_not("execute", teams={"p1": ["eka", "gita"], "p2": ["fajar"]})


@pytest.mark.parametrize("group_type", TYPES, ids=lambda t: t.name)
@pytest.mark.parametrize(
    ("low", "expected"),
    [
        (0, ["selection.score_range", "selection.below_pass_mark"]),
        (1, ["selection.below_pass_mark"]),
    ],
    ids=["zero-is-out-of-range", "one-is-in-range"],
)
def test_selection_scores_start_at_one(group_type, low, expected):
    """docs/model.md §3.4 ``selection.score_range``: each score is from 1 to 5.

    Both scores are below the pass mark of 3; only 0 is also out of range.
    """
    admit = payloads(group_type)["admit"]
    first, second = admit["scores"]
    group = at(group_type, "recruiting")
    scores = {first: low, second: 3}
    assert expected == [
        r.code for r in group.why_not("admit", member=admit["member"], scores=scores)
    ]


# -- every reason, word for word ------------------------------------------------------------

REASONS = Path(__file__).parent / "fixtures" / "reasons.json"


@pytest.mark.parametrize("group_type", TYPES, ids=lambda t: t.name)
def test_every_reason_of_the_built_in_types_reads_word_for_word_as_reasons_json_says(group_type):
    """What a refusal says is the contract with the people reading it: a change is explicit.

    tests/fixtures/reasons.json holds each requirement's and invariant's message in
    both languages; regenerate it (and review the diff) when a message changes.
    """
    texts = {
        f"{event.name}: {rule.code}": {"en": rule.message("en"), "id": rule.message("id")}
        for event in group_type.events
        for rule in event.requires
    }
    texts |= {
        f"invariant: {rule.code}": {"en": rule.message("en"), "id": rule.message("id")}
        for rule in group_type.invariants
    }
    assert json.loads(REASONS.read_text(encoding="utf-8"))[group_type.name] == texts


# -- how an effect rebuilds the data ------------------------------------------------------


def test_data_of_two_or_more_positional_fields_is_rebuilt_by_position_the_rest_by_evolve():
    """effects._Rebuild: by position from two fields on, attrs.evolve otherwise (its docstring)."""

    @attrs.frozen
    class One:
        a: int

    @attrs.frozen
    class Two:
        a: int
        b: int

    @attrs.frozen
    class KeywordOnly:
        a: int
        b: int = attrs.field(kw_only=True)

    @attrs.frozen
    class NotInInit:
        a: int
        b: int
        c: int = attrs.field(init=False, default=0)

    assert _Rebuild.of(One) is None
    assert _Rebuild.of(KeywordOnly) is None
    two = _Rebuild.of(Two)
    assert two is not None
    assert {"a": 0, "b": 1} == two.index
    assert (1, 2) == two.values(Two(1, 2))
    rebuilt = _Rebuild.of(NotInInit)
    assert rebuilt is not None
    assert {"a": 0, "b": 1} == rebuilt.index


@pytest.mark.parametrize("group_type", TYPES, ids=lambda t: t.name)
def test_each_requirement_says_with_a_bool_whether_it_needs_the_payload(group_type):
    """``Requirement.needs_payload`` is a bool; the ones about the group alone name their fix."""
    rules = [rule for event in group_type.events for rule in event.requires]
    assert all(type(rule.needs_payload) is bool for rule in rules)
    about_the_group = [rule for rule in rules if rule.needs_payload is False]
    assert len(about_the_group) >= 3
    assert all(rule.fixed_by for rule in about_the_group)


@pytest.mark.parametrize("group_type", TYPES, ids=lambda t: t.name)
def test_an_activity_of_one_participant_is_recorded_and_of_none_refused(group_type):
    group = at(group_type, "executing" if group_type is VOL else "programmed")
    one = {**payloads(group_type)["record_activity"], "participants": 1}
    none = {**one, "participants": 0}
    assert ["activity.participants"] == [r.code for r in group.why_not("record_activity", **none)]
    assert [] == group.why_not("record_activity", **one)
    group.fire("record_activity", **one)


# -- when fire checks each invariant (docs/model.md §4.6) ----------------------------------

_COUNTED = (
    "activities add_program admit adopt_charter charter collaborate evaluate evaluations "
    "founders members partners plan_programs programs record_activity reject rejections"
)
# code: (reads, each, entry_reads, entry_keys); None: "anything" (checked after every event)
_SHARED_READS = {
    "state.current_goals": ("", "evaluations", "adopt_charter charter", ""),
    "state.counts": (_COUNTED, None, None, ""),
    "state.founding": ("name profession", None, None, ""),
    "state.rejections": ("", "rejections", "founders", ""),
    "state.records": ("activities evaluations", "evaluations", "", ""),
    "state.members": ("", "members", "", ""),
    "state.needs": ("needs stage", None, None, ""),
    "state.founders": ("founders members stage", None, None, ""),
    "state.charter": ("charter stage", None, None, ""),
    "state.recruitment": ("founders members rejections stage", None, None, ""),
    "state.structure": ("founders members stage structure", None, None, ""),
    "state.programs": ("programs stage", "programs", "structure work_area", ""),
    "state.partners": ("activities evaluations partners stage", "partners", "", ""),
    "state.dissolution": ("dissolution stage", None, None, ""),
    "state.evaluations": ("evaluations stage", None, None, ""),
}
_READS = {
    "professional": _SHARED_READS
    | {
        "state.activities": ("activities stage", "activities", "develop programs", "programs"),
        "state.developed": ("develop improvements", None, None, ""),
        "state.profession": ("profession teams work_area", "members", "profession", ""),
        "state.improvements": ("improvements stage", None, None, ""),
    },
    "volunteer": _SHARED_READS
    | {
        "state.activities": ("activities stage", "activities", "programs", "programs"),
        "state.work_area": ("stage work_area", None, None, ""),
        "state.teams": ("add_program execute members programs stage teams", None, None, ""),
        "state.improvements": ("improvements", None, None, ""),
    },
}


def _words(names: frozenset[str] | None) -> str | None:
    return None if names is None else " ".join(sorted(names))


@pytest.mark.parametrize("group_type", TYPES, ids=lambda t: t.name)
def test_each_built_in_invariant_declares_what_it_reads_so_fire_checks_it_when_that_changes(
    group_type,
):
    """docs/model.md §4.6, ``Invariant``: ``fire`` checks an invariant only after an event
    that changed a field (or the stage, or an event count) it reads, and an entry check
    only on the entries an event changed, or, for ``state.activities``, on the activities
    of the programs that changed (its ``entry_keys``).

    What each built-in invariant declares is pinned: a name left out would let ``fire``
    skip a check the data needs; ``None`` (anything) would check it after every event,
    at a cost that grows with the group. Every invariant checks with a whole check or an
    entry check, and only an entry check declares entry reads.
    """
    declared = {
        i.code: (
            _words(i.reads),
            i.each,
            _words(i.entry_reads),
            " ".join(k for k, _ in i.entry_keys),
        )
        for i in group_type.invariants
    }
    assert _READS[group_type.name] == declared
    activities = next(i for i in group_type.invariants if i.code == "state.activities")
    [(field, key_of)] = activities.entry_keys
    group = at(group_type, "executing" if group_type is VOL else "programmed")
    group.fire("record_activity", **payloads(group_type)["record_activity"])
    [activity] = group.data.activities
    assert ("programs", "p1") == (field, key_of(activity))


@pytest.mark.parametrize("group_type", TYPES, ids=lambda t: t.name)
@pytest.mark.parametrize(
    ("field", "value"),
    [("activities", []), ("division", "Nowhere"), ("kind", "party")],
    ids=["no-activities", "unknown-division", "unknown-kind"],
)
def test_load_refuses_a_program_stored_under_its_own_id_that_breaks_a_program_rule(
    group_type, field, value
):
    """docs/model.md §4.6 ``state.programs``: each program is stored under its own id,
    *and* has activities, names an existing division and has a kind the group allows.

    The program keeps its own id, so only the program rules are broken.
    """
    group = at(group_type, "structured")
    group.fire("plan_programs", programs=[_program(group_type, "p1")])
    document = group.to_dict()
    document["data"]["programs"]["p1"][field] = value
    assert ["document.state.programs"] == _problem_codes(document)


@pytest.mark.parametrize("group_type", TYPES, ids=lambda t: t.name)
def test_load_refuses_a_name_other_than_the_one_the_group_was_created_with(group_type):
    """docs/model.md §4.6 ``state.founding``: the group's name is its founding name."""
    document = at(group_type, "core_formed").to_dict()
    document["data"]["name"] = "Another name"
    assert ["document.state.founding"] == _problem_codes(document)


def test_load_refuses_a_profession_other_than_the_one_the_group_was_created_with():
    """docs/model.md §4.6 ``state.founding``: and a professional group's profession.

    Written in capitals, the members still share it (``state.profession`` compares
    without case): only the founding profession is broken.
    """
    document = at(PRO, "core_formed").to_dict()
    document["data"]["profession"] = "PHARMACIST"
    assert ["document.state.founding"] == _problem_codes(document)


def _evaluated_twice_across_a_new_charter() -> FormationGroup:
    """A professional group that evaluated, adopted a charter of other goals, evaluated again."""
    group = at(PRO, "evaluating")
    group.fire("adopt_charter", **{**payloads(PRO)["adopt_charter"], "goals": ["grow", "learn"]})
    group.fire("evaluate", goal_results={"grow": 80, "learn": 40}, findings="better")
    assert [("grow", "serve"), ("grow", "learn")] == [
        tuple(e.goal_results) for e in group.data.evaluations
    ]
    return group


def test_an_evaluation_made_before_the_charter_changed_keeps_the_goals_it_scored():
    """docs/model.md §4.6 ``state.current_goals``: only the evaluations made since the
    charter was last adopted score exactly its goals; the earlier one scores the goals
    of its own time, and the document loads.
    """
    document = _assert_round_trips(_evaluated_twice_across_a_new_charter())
    document["data"]["evaluations"][0]["goal_results"] = {"fly": 5}
    assert document == kelompok.load(copy.deepcopy(document)).to_dict()


@pytest.mark.parametrize(
    "goal_results",
    [{"grow": 80}, {"grow": 80, "serve": 40}, {"grow": 80, "learn": 40, "serve": 1}],
    ids=["one-goal-missing", "the-old-goals", "one-goal-more"],
)
def test_load_refuses_an_evaluation_made_since_the_charter_that_scores_other_goals(goal_results):
    """docs/model.md §4.6 ``state.current_goals``: the evaluation made since the charter was
    last adopted scores exactly its goals ("grow", "learn").
    """
    document = _evaluated_twice_across_a_new_charter().to_dict()
    document["data"]["evaluations"][1]["goal_results"] = goal_results
    assert ["document.state.current_goals"] == _problem_codes(document)


def test_evaluations_without_a_charter_break_the_charter_not_the_current_goals():
    """docs/model.md §4.6: without a charter no goals are current, so ``state.current_goals``
    holds; the missing charter is what ``state.charter`` (and ``state.counts``, as
    ``adopt_charter`` was fired) refuse.
    """
    document = at(PRO, "evaluating").to_dict()
    assert document["data"]["evaluations"]
    document["data"]["charter"] = None
    assert ["document.state.charter", "document.state.counts"] == _problem_codes(document)


@pytest.mark.parametrize("group_type", TYPES, ids=lambda t: t.name)
def test_load_counts_at_least_one_planned_program_besides_each_program_added(group_type):
    """docs/model.md §4.6 ``state.counts``: a program per program added, besides the planned.

    ``develop`` may replace programs, so the planned ones are counted as at least one:
    two planned and one added may come down to two, not to one.
    """
    group = at(group_type, "structured")
    group.fire("plan_programs", programs=[_program(group_type, "p1"), _program(group_type, "p2")])
    group.fire("add_program", program=_program(group_type, "p3"))
    two = group.to_dict()
    del two["data"]["programs"]["p1"]
    assert two == kelompok.load(copy.deepcopy(two)).to_dict()
    one = copy.deepcopy(two)
    del one["data"]["programs"]["p2"]
    assert ["document.state.counts"] == _problem_codes(one)


def test_load_lets_only_the_activities_recorded_before_develop_replaced_their_program_be_unlisted():
    """docs/model.md §4.6 ``state.activities``: each activity is one its program lists,
    unless ``develop`` replaced the program after the activity was recorded.

    One activity before ``develop``, one after: the first may name what the program no
    longer lists; the second, or without ``develop`` the first, may not.
    """
    group = at(PRO, "evaluating")
    program = {**payloads(PRO)["plan_programs"]["programs"][0], "activities": ["new session"]}
    group.fire("develop", improvements=["more sessions"], programs=[program])
    group.fire("record_activity", **{**payloads(PRO)["record_activity"], "activity": "new session"})
    document = _assert_round_trips(group)
    assert ["kick-off", "new session"] == [a["activity"] for a in document["data"]["activities"]]
    document["data"]["activities"][1]["activity"] = "kick-off"
    assert ["document.state.activities"] == _problem_codes(document)

    undeveloped = at(PRO, "evaluating").to_dict()
    undeveloped["data"]["activities"][0]["activity"] = "not listed"
    assert ["document.state.activities"] == _problem_codes(undeveloped)


def test_what_collaboration_builds_on_is_a_requirement_of_the_group_alone() -> None:
    # state.partners checks it with no payload, so one that reads a payload is refused
    # as the built-in types are defined, not met with None at the first check
    from kelompok._formation.blocks import Collaboration  # noqa: PLC0415
    from kelompok._formation.requirements import req, state_req  # noqa: PLC0415

    of_the_group = state_req("x.evaluated", "Evaluate first.", lambda g: True, "evaluate")
    Collaboration(stage_label="C", builds_on=of_the_group, after=(), agreed_after="x")
    reads_a_payload = req("x.partner", "Name a partner.", lambda g, p: p is not None)
    with pytest.raises(ValueError, match=r"a requirement of the group alone, not 'x\.partner'"):
        Collaboration(stage_label="C", builds_on=reads_a_payload, after=(), agreed_after="x")
