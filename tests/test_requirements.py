"""Every requirement of the two built-in group types, one row per requirement code.

Each row of ``CASES`` names a requirement code, a group (a stage reached with
``builders.at`` plus optional extra steps), a *bad* payload that breaks the
requirement and a *good* one, the smallest change that meets it. The tests
check that the bad one is refused with exactly that code (by ``why_not``,
``can`` and ``fire``), that the refusal leaves the group as it was, that the
good one is applied, and that every reason speaks English and Indonesian.

Then: payloads of the wrong shape, events fired in the wrong stage, nothing
allowed once dissolved, unknown event names, and several faults at once.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

import attrs
import pytest

import builders
import kelompok
from kelompok import FormationGroup, GroupType, PartnerRef, Reason
from strategies import LIVE

PRO = kelompok.PROFESSIONAL
VOL = kelompok.VOLUNTEER
TYPES = [PRO, VOL]

Payload = Mapping[str, Any] | Callable[[FormationGroup], Mapping[str, Any]]
"""A payload, or a function of the group that builds one (for ids and dates)."""
Step = tuple[str, Payload] | Callable[[FormationGroup], FormationGroup]
"""An event fired while preparing a group, or a function that returns a changed group."""


class Case(NamedTuple):
    """One requirement code: a bad payload that breaks it, a good one that meets it."""

    group_type: GroupType[Any]
    stage: str
    event: str
    bad: Payload
    good: Payload
    code: str
    label: str = ""
    prep: tuple[Step, ...] = ()
    bad_prep: tuple[Step, ...] = ()
    good_prep: tuple[Step, ...] = ()


# -- the facts of the model (docs/model.md §3), written independently of src -----


def _from(group_type: GroupType[Any], stage: str) -> frozenset[str]:
    live = LIVE[group_type.name]
    return frozenset(live[live.index(stage) :])


def allowed_in(group_type: GroupType[Any]) -> dict[str, frozenset[str]]:
    """For every event of *group_type*, the stages it is allowed in."""
    pro = group_type is PRO
    run = frozenset({"programmed", "evaluating", "collaborating"} if pro else {"executing"})
    out = {
        "identify_needs": frozenset({"awareness"}),
        "form_core_group": frozenset({"needs_identified"}),
        "adopt_charter": _from(group_type, "core_formed"),
        "open_recruitment": frozenset({"core_formed"}),
        "admit": _from(group_type, "recruiting"),
        "reject": _from(group_type, "recruiting"),
        "establish_structure": frozenset({"recruiting"}),
        "plan_programs": frozenset({"structured"}),
        "add_program": _from(group_type, "programmed"),
        "record_activity": run | {"collaborating"},
        "evaluate": run | {"collaborating"},
        "collaborate": frozenset({"evaluating" if pro else "executing", "collaborating"}),
        "dissolve": frozenset(LIVE[group_type.name]),
    }
    if pro:
        out["develop"] = frozenset({"evaluating"})
    else:
        out["execute"] = frozenset({"programmed"})
    return out


MOVES = {
    "identify_needs": "needs_identified",
    "form_core_group": "core_formed",
    "open_recruitment": "recruiting",
    "establish_structure": "structured",
    "plan_programs": "programmed",
    "execute": "executing",
    "develop": "programmed",
    "dissolve": "dissolved",
}


def expected_dest(event: str, source: str) -> str:
    """The stage an applied *event* leads to from *source* (actions keep the stage)."""
    if event in MOVES:
        return MOVES[event]
    if event == "evaluate" and source == "programmed":
        return "evaluating"
    if event == "collaborate" and source in {"evaluating", "executing"}:
        return "collaborating"
    return source


# -- payload helpers -----------------------------------------------------------------


def pay(group_type: GroupType[Any], event: str, **changes: Any) -> dict[str, Any]:
    """The valid payload of *event* from ``builders``, with *changes*."""
    base = copy.deepcopy(builders.payloads(group_type)[event])
    return {**base, **changes}


def founders(group_type: GroupType[Any]) -> list[dict[str, Any]]:
    return copy.deepcopy(builders.PRO_FOUNDERS if group_type is PRO else builders.VOL_FOUNDERS)


def ids(group_type: GroupType[Any]) -> tuple[str, str, str]:
    """The two founders' ids and the id of the member admitted by ``builders``."""
    first, second = founders(group_type)
    return first["id"], second["id"], pay(group_type, "admit")["member"]["id"]


def candidate(group_type: GroupType[Any], **changes: Any) -> dict[str, Any]:
    """A candidate who is not (yet) a member."""
    person = (
        {"id": "dimas", "name": "Dimas", "profession": "pharmacist"}
        if group_type is PRO
        else {"id": "hana", "name": "Hana"}
    )
    return {**person, **changes}


def criteria(group_type: GroupType[Any]) -> tuple[str, str]:
    first, second = pay(group_type, "admit")["scores"]
    return first, second


def program(group_type: GroupType[Any], **changes: Any) -> dict[str, Any]:
    """A valid second program (id ``p2``)."""
    base = {
        "id": "p2",
        "name": "Second program",
        "kind": "seminar" if group_type is PRO else "environmental",
        "division": "Education",
        "activities": ["meeting"],
    }
    return {**base, **changes}


def partner(group_type: GroupType[Any], **changes: Any) -> PartnerRef:
    """A partner of the same type, structured, not yet a partner of anyone."""
    fields = {"id": "partner-2", "name": "Partner", "type": group_type.name, "stage": "structured"}
    return PartnerRef(**{**fields, **changes})


def collaboration(group_type: GroupType[Any], **changes: Any) -> dict[str, Any]:
    base = {"partner": partner(group_type), "purpose": "joint work", "shared": ["ideas"]}
    return {**base, **changes}


def activity(group_type: GroupType[Any]) -> Step:
    return ("record_activity", pay(group_type, "record_activity"))


def forget_evaluations(group: FormationGroup) -> FormationGroup:
    """The same group without its evaluations.

    No sequence of events (nor ``load``) makes such a professional group: it
    enters ``evaluating`` only by evaluating. The ``collaboration.no_evaluation``
    requirement is a second line of defence, so this is the only way to see it.
    """
    return type(group)._build(
        group_type=group.type,
        group_id=group.id,
        created_at=group.created_at,
        stage=group.stage,
        version=group.version,
        data=attrs.evolve(group.data, evaluations=()),
        history=list(group.history),
        peak=group._state().peak,
        founding=group._founding,
    )


def resolve(payload: Payload, group: FormationGroup) -> dict[str, Any]:
    return dict(payload(group) if callable(payload) else payload)


def prepare(group_type: GroupType[Any], stage: str, steps: Iterable[Step]) -> FormationGroup:
    group = builders.at(group_type, stage)
    for step in steps:
        if callable(step):
            group = step(group)
        else:
            event, payload = step
            group.fire(event, **resolve(payload, group))
    return group


# -- the table -------------------------------------------------------------------------


def common_cases(t: GroupType[Any]) -> list[Case]:  # noqa: PLR0915 -- one row per statement
    """Rows for the requirements that both built-in types have."""
    a, b, _ = ids(t)
    first, second = criteria(t)
    f1, f2 = founders(t)
    extra_founder = (
        {"id": "dewi", "name": "Dewi", "profession": "PHARMACIST"}
        if t is PRO
        else {"id": "hadi", "name": "Hadi"}
    )
    run = "programmed" if t is PRO else "executing"
    collab_stage = "evaluating" if t is PRO else "executing"
    collab_prep = () if t is PRO else (activity(t),)
    cases: list[Case] = []

    def add(*args: Any, **kwargs: Any) -> None:
        cases.append(Case(t, *args, **kwargs))

    # identify_needs
    good = pay(t, "identify_needs")
    add("awareness", "identify_needs", pay(t, "identify_needs", needs=[]), good, "needs.missing")
    add(
        "awareness",
        "identify_needs",
        pay(t, "identify_needs", needs=["ok", " "]),
        good,
        "needs.blank",
    )

    # form_core_group
    add(
        "needs_identified",
        "form_core_group",
        {"founders": [f1]},
        {"founders": [f1, f2]},
        "founders.too_few",
    )
    add(
        "needs_identified",
        "form_core_group",
        {"founders": [f1, f2, f1]},
        {"founders": [f1, f2]},
        "founders.duplicate",
    )

    # adopt_charter
    good = pay(t, "adopt_charter")
    for field, value, code, label in [
        ("vision", " ", "charter.vision_blank", ""),
        ("mission", "", "charter.mission_blank", ""),
        ("goals", [], "charter.goals_missing", "empty"),
        ("goals", ["grow", "\t"], "charter.goals_missing", "blank"),
        ("steps", [], "charter.steps_missing", "empty"),
        ("steps", [" "], "charter.steps_missing", "blank"),
    ]:
        bad = pay(t, "adopt_charter", **{field: value})
        add("core_formed", "adopt_charter", bad, good, code, label)

    # open_recruitment
    add(
        "core_formed",
        "open_recruitment",
        {},
        {},
        "charter.missing",
        good_prep=(("adopt_charter", pay(t, "adopt_charter")),),
    )

    # admit
    good = pay(t, "admit")
    add("recruiting", "admit", pay(t, "admit", member=f1), good, "member.already_member")
    add(
        "recruiting",
        "admit",
        pay(t, "admit", scores={first: 4, second: 3, "charm": 5}),
        good,
        "selection.criteria",
    )
    add(
        "recruiting",
        "admit",
        pay(t, "admit", scores={first: 6, second: 3}),
        good,
        "selection.score_range",
    )
    add(
        "recruiting",
        "admit",
        pay(t, "admit", scores={first: 4, second: 2}),
        pay(t, "admit", scores={first: 4, second: 3}),  # the pass mark itself passes
        "selection.below_pass_mark",
    )

    # reject
    add(
        "recruiting",
        "reject",
        {"member": candidate(t), "reason": " "},
        {"member": candidate(t), "reason": "not enough experience yet"},
        "reject.reason_blank",
    )
    add(
        "recruiting",
        "reject",
        {"member": f1, "reason": "changed their mind"},
        {"member": candidate(t), "reason": "changed their mind"},
        "reject.already_member",
    )

    # establish_structure
    good = pay(t, "establish_structure")
    admitted = (("admit", pay(t, "admit")),)
    three_founders = (
        ("form_core_group", {"founders": [f1, f2, extra_founder]}),
        ("adopt_charter", pay(t, "adopt_charter")),
        ("open_recruitment", {}),
    )
    add(
        "needs_identified",
        "establish_structure",
        pay(t, "establish_structure", treasurer=extra_founder["id"]),
        pay(t, "establish_structure", treasurer=extra_founder["id"]),
        "structure.no_new_members",
        prep=three_founders,
        good_prep=admitted,
    )
    structure_rows = [
        ({"treasurer": "zoe"}, "structure.officer_not_member", ""),
        ({"treasurer": a}, "structure.officers_not_distinct", ""),
        ({"divisions": []}, "structure.no_divisions", ""),
        (
            {"divisions": [{"name": "Education", "responsibility": "x"}] * 2},
            "structure.division_names",
            "duplicate",
        ),
        (
            {"divisions": [{"name": " ", "responsibility": "x"}]},
            "structure.division_names",
            "blank",
        ),
        (
            {"divisions": [{"name": "Education", "responsibility": "x", "head": "zoe"}]},
            "structure.head_not_member",
            "",
        ),
    ]
    for changes, code, label in structure_rows:
        bad = pay(t, "establish_structure", **changes)
        add("recruiting", "establish_structure", bad, good, code, label, prep=admitted)
    head_is_fine = [{"name": "Ed", "responsibility": "x", "head": b}]
    add(
        "recruiting",
        "establish_structure",
        pay(t, "establish_structure", chair="zoe", divisions=head_is_fine),
        pay(t, "establish_structure", divisions=head_is_fine),
        "structure.officer_not_member",
        "chair",
        prep=admitted,
    )

    # plan_programs
    p1 = pay(t, "plan_programs")["programs"][0]
    good = {"programs": [p1, program(t)]}
    for programs, code, label in [
        ([], "programs.missing", ""),
        ([p1, program(t, id="p1")], "programs.duplicate_id", ""),
        ([p1, program(t, activities=[])], "program.no_activities", "empty"),
        ([p1, program(t, activities=["a", " "])], "program.no_activities", "blank"),
        ([p1, program(t, division="Health")], "program.unknown_division", ""),
    ]:
        add("structured", "plan_programs", {"programs": programs}, good, code, label)

    # add_program
    good = {"program": program(t)}
    for changes, code in [
        ({"activities": []}, "program.no_activities"),
        ({"division": "Health"}, "program.unknown_division"),
        ({"id": "p1"}, "program.id_taken"),
    ]:
        add("programmed", "add_program", {"program": program(t, **changes)}, good, code)

    # record_activity
    good = pay(t, "record_activity")
    for changes, code in [
        ({"program": "p9"}, "activity.unknown_program"),
        ({"activity": "party"}, "activity.unknown_activity"),
        ({"participants": 0}, "activity.participants"),
    ]:
        add(run, "record_activity", pay(t, "record_activity", **changes), good, code)
    add(
        run,
        "record_activity",
        lambda g: pay(t, "record_activity", held_on=g.created_at.date() - dt.timedelta(days=1)),
        lambda g: pay(t, "record_activity", held_on=g.created_at.date().isoformat()),
        "activity.before_creation",
    )

    # evaluate
    good = pay(t, "evaluate")
    add(run, "evaluate", good, good, "evaluation.no_activity", good_prep=(activity(t),))
    for changes, code, label in [
        ({"goal_results": {"grow": 70}}, "evaluation.goals", "missing"),
        ({"goal_results": {"grow": 70, "serve": 60, "fly": 5}}, "evaluation.goals", "extra"),
        ({"goal_results": {"grow": 101, "serve": 60}}, "evaluation.score_range", "high"),
        ({"goal_results": {"grow": -1, "serve": 60}}, "evaluation.score_range", "low"),
        ({"findings": " "}, "evaluation.findings_blank", ""),
    ]:
        bad = pay(t, "evaluate", **changes)
        add(run, "evaluate", bad, good, code, label, prep=(activity(t),))
    add(
        run,
        "evaluate",
        pay(t, "evaluate", goal_results={"grow": 0, "serve": 101}),
        pay(t, "evaluate", goal_results={"grow": 0, "serve": 100}),
        "evaluation.score_range",
        "bounds",
        prep=(activity(t),),
    )

    # collaborate
    good = collaboration(t)
    other_type = "volunteer" if t is PRO else "professional"
    for changes, code, label in [
        ({"partner": partner(t, type=other_type)}, "partner.same_type", ""),
        ({"partner": partner(t, stage="recruiting")}, "partner.stage", "too early"),
        ({"partner": partner(t, stage="dissolved")}, "partner.stage", "dissolved"),
        ({"partner": partner(t, stage="flying")}, "partner.stage", "unknown"),
        ({"purpose": "  "}, "collaboration.purpose_blank", ""),
        ({"shared": []}, "collaboration.shared", "empty"),
        ({"shared": ["ideas", "money"]}, "collaboration.shared", "unknown"),
    ]:
        bad = collaboration(t, **changes)
        add(collab_stage, "collaborate", bad, good, code, label, prep=collab_prep)
    add(
        collab_stage,
        "collaborate",
        lambda g: collaboration(t, partner=partner(t, id=g.id)),
        lambda g: collaboration(t, partner=builders.partner_for(g.type, "partner-3")),
        "partner.self",
        prep=collab_prep,
    )
    add(
        "collaborating",
        "collaborate",
        collaboration(t, partner=partner(t, id="partner-1")),
        collaboration(t, partner=partner(t, id="partner-2")),
        "partner.already",
    )

    # dissolve
    for stage in ("awareness", "collaborating"):
        add(
            stage, "dissolve", {"reason": " "}, {"reason": "merged"}, "dissolve.reason_blank", stage
        )
    return cases


def professional_cases() -> list[Case]:
    """Rows for the requirements only a professional group has."""
    t = PRO
    f1, f2 = founders(t)
    p1 = pay(t, "plan_programs")["programs"][0]
    cases = [
        Case(
            t,
            "needs_identified",
            "form_core_group",
            {"founders": [f1, {**f2, "profession": "dentist"}]},
            {"founders": [f1, {**f2, "profession": "PHARMACIST"}]},
            "founders.profession",
            "other profession",
        ),
        Case(
            t,
            "needs_identified",
            "form_core_group",
            {"founders": [f1, {"id": f2["id"], "name": f2["name"]}]},
            {"founders": [f1, {**f2, "profession": "pHaRmAcIsT"}]},
            "founders.profession",
            "no profession",
        ),
        Case(
            t,
            "recruiting",
            "admit",
            pay(t, "admit", member=candidate(t, profession="dentist")),
            pay(t, "admit", member=candidate(t, profession="PharMacist")),
            "member.profession",
            "other profession",
        ),
        Case(
            t,
            "recruiting",
            "admit",
            pay(t, "admit", member=candidate(t, profession=None)),
            pay(t, "admit", member=candidate(t, profession="PHARMACIST")),
            "member.profession",
            "no profession",
        ),
        Case(
            t,
            "structured",
            "plan_programs",
            {"programs": [p1, program(t, kind="party")]},
            {"programs": [p1, program(t, kind="workshop")]},
            "program.kind",
            "unknown",
        ),
        Case(
            t,
            "structured",
            "plan_programs",
            {"programs": [program(t, kind="environmental")]},
            {"programs": [program(t, kind="other")]},
            "program.kind",
            "a volunteer work area",
        ),
        Case(
            t,
            "programmed",
            "add_program",
            {"program": program(t, kind="party")},
            {"program": program(t, kind="training")},
            "program.kind",
        ),
        Case(
            t,
            "evaluating",
            "collaborate",
            collaboration(t),
            collaboration(t),
            "collaboration.no_evaluation",
            bad_prep=(forget_evaluations,),
        ),
    ]
    good = {"improvements": ["more sessions"], "programs": [program(t)]}
    for payload, code, label in [
        ({"improvements": []}, "develop.no_improvement", "empty"),
        ({"improvements": ["more", ""]}, "develop.no_improvement", "blank"),
        ({**good, "programs": [program(t), program(t)]}, "programs.duplicate_id", ""),
        ({**good, "programs": [program(t, activities=[" "])]}, "program.no_activities", ""),
        ({**good, "programs": [program(t, division="Health")]}, "program.unknown_division", ""),
        ({**good, "programs": [program(t, kind="party")]}, "program.kind", ""),
    ]:
        cases.append(Case(t, "evaluating", "develop", payload, good, code, label))
    cases.append(
        Case(
            t,
            "evaluating",
            "develop",
            {"improvements": ["more sessions"], "programs": [{**p1, "division": "Health"}]},
            {"improvements": ["more sessions"], "programs": [{**p1, "name": "Better program"}]},
            "program.unknown_division",
            "replacing p1",
        )
    )
    return cases


def volunteer_cases() -> list[Case]:
    """Rows for the requirements only a volunteer group has."""
    t = VOL
    a, _, third = ids(t)
    good_teams = pay(t, "execute")
    p1 = pay(t, "plan_programs")["programs"][0]
    cases = [
        Case(
            t,
            "awareness",
            "identify_needs",
            pay(t, "identify_needs", work_area="sports"),
            pay(t, "identify_needs", work_area="social"),
            "work_area.unknown",
        ),
        Case(
            t,
            "awareness",
            "identify_needs",
            pay(t, "identify_needs", work_area=""),
            pay(t, "identify_needs", work_area="humanitarian"),
            "work_area.unknown",
            "blank",
        ),
        Case(
            t,
            "structured",
            "plan_programs",
            {"programs": [p1, program(t, kind="social")]},
            {"programs": [p1, program(t, kind="environmental")]},
            "program.kind",
            "another work area",
        ),
        Case(
            t,
            "structured",
            "plan_programs",
            {"programs": [program(t, kind="training")]},
            {"programs": [program(t, kind="environmental")]},
            "program.kind",
            "a professional kind",
        ),
        Case(
            t,
            "programmed",
            "add_program",
            {"program": program(t, kind="humanitarian")},
            {"program": program(t)},
            "program.kind",
        ),
        Case(t, "programmed", "execute", {"teams": {}}, good_teams, "teams.missing", "none"),
        Case(
            t, "programmed", "execute", {"teams": {"p1": []}}, good_teams, "teams.missing", "empty"
        ),
        Case(
            t,
            "programmed",
            "execute",
            {"teams": {"p1": [a], "p9": [third]}},
            {"teams": {"p1": [a]}},
            "teams.unknown_program",
        ),
        Case(
            t,
            "programmed",
            "execute",
            {"teams": {"p1": [a, "zoe"]}},
            {"teams": {"p1": [a, third]}},
            "teams.not_members",
        ),
        Case(
            t,
            "executing",
            "collaborate",
            collaboration(t),
            collaboration(t),
            "collaboration.no_activity",
            good_prep=(activity(t),),
        ),
    ]
    cases.append(
        Case(
            t,
            "executing",
            "add_program",
            {"program": program(t, kind="social")},
            {"program": program(t)},
            "program.kind",
            "while executing",
        )
    )
    return cases


CASES = [
    *common_cases(PRO),
    *common_cases(VOL),
    *professional_cases(),
    *volunteer_cases(),
]


def case_id(case: Case) -> str:
    label = f"-{case.label}" if case.label else ""
    return f"{case.group_type.name}-{case.event}-{case.code}{label}".replace(" ", "_")


# A requirement that no payload can break: add_program takes one program, and one
# program cannot have a duplicate id. Shared with plan_programs, tested there.
# -- assertions ------------------------------------------------------------------------


def codes(reasons: Iterable[Reason]) -> list[str]:
    return [r.code for r in reasons]


def snapshot(group: FormationGroup) -> tuple[Any, ...]:
    return (group.to_dict(), group.version, group.stage, len(group.history))


def assert_bilingual(reasons: Iterable[Reason]) -> None:
    for reason in reasons:
        en, id_ = str(reason), reason.message("id")
        assert en.strip(), reason
        assert id_.strip(), reason
        assert en != id_, reason
        assert en == reason.message("en")


def assert_refused(
    group: FormationGroup, event: str, payload: Mapping[str, Any], expected: list[str]
) -> kelompok.TransitionNotAllowed:
    """*event* is refused with exactly the *expected* codes and the group is untouched."""
    before = snapshot(group)
    stage = group.stage
    reasons = group.why_not(event, **payload)
    assert expected == codes(reasons)
    assert not group.can(event, **payload)
    with pytest.raises(kelompok.TransitionNotAllowed) as info:
        group.fire(event, actor="tester", **payload)
    error = info.value
    assert (event, stage, expected) == (error.event, error.stage, codes(error.reasons))
    assert reasons == error.reasons
    for code in expected:
        assert code in str(error)
    assert_bilingual(reasons)
    assert before == snapshot(group)
    return error


def assert_applied(group: FormationGroup, event: str, payload: Mapping[str, Any]) -> None:
    """*event* is allowed and applied: one more version, one more history record."""
    source, version, size = group.stage, group.version, len(group.history)
    assert [] == group.why_not(event, **payload)
    assert group.can(event, **payload)
    assert group is group.fire(event, actor="tester", **payload)
    dest = expected_dest(event, source)
    assert (dest, version + 1, size + 1) == (group.stage, group.version, len(group.history))
    last = group.history[-1]
    assert (event, source, dest, "tester") == (last.event, last.source, last.dest, last.actor)


# -- every requirement code --------------------------------------------------------------


@pytest.mark.parametrize("group_type", TYPES, ids=lambda t: t.name)
def test_every_requirement_has_a_row(group_type):
    declared = {(e.name, r.code) for e in group_type.events for r in e.requires}
    tested = {(c.event, c.code) for c in CASES if c.group_type is group_type}
    assert declared == tested


@pytest.mark.parametrize("group_type", TYPES, ids=lambda t: t.name)
def test_every_requirement_speaks_both_languages(group_type):
    requirements = [r for e in group_type.events for r in e.requires]
    assert requirements
    assert_bilingual(r.reason() for r in requirements)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_bad_payload_is_refused_with_its_code(case):
    group = prepare(case.group_type, case.stage, (*case.prep, *case.bad_prep))
    assert_refused(group, case.event, resolve(case.bad, group), [case.code])


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_good_payload_is_applied(case):
    group = prepare(case.group_type, case.stage, (*case.prep, *case.good_prep))
    assert_applied(group, case.event, resolve(case.good, group))


@pytest.mark.parametrize("case", [c for c in CASES if not (c.bad_prep or c.good_prep)], ids=case_id)
def test_refused_then_fixed_on_the_same_group(case):
    """The refusal changed nothing, so the fixed payload applies to the very same group."""
    group = prepare(case.group_type, case.stage, case.prep)
    assert_refused(group, case.event, resolve(case.bad, group), [case.code])
    assert_applied(group, case.event, resolve(case.good, group))


# -- several faults at once ---------------------------------------------------------------


def test_establish_structure_reports_every_fault():
    group = builders.at(PRO, "recruiting")
    payload = {"chair": "zoe", "secretary": "zoe", "treasurer": "ani", "divisions": []}
    expected = [
        "structure.no_new_members",
        "structure.officer_not_member",
        "structure.officers_not_distinct",
        "structure.no_divisions",
    ]
    assert_refused(group, "establish_structure", payload, expected)


@pytest.mark.parametrize("group_type", TYPES, ids=lambda t: t.name)
def test_establish_structure_reports_division_faults_with_officer_faults(group_type):
    a, _, _ = ids(group_type)
    group = prepare(group_type, "recruiting", [("admit", pay(group_type, "admit"))])
    payload = {
        "chair": a,
        "secretary": a,
        "treasurer": "zoe",
        "divisions": [
            {"name": "Education", "responsibility": "x", "head": "zoe"},
            {"name": "Education", "responsibility": "y"},
        ],
    }
    expected = [
        "structure.officer_not_member",
        "structure.officers_not_distinct",
        "structure.division_names",
        "structure.head_not_member",
    ]
    assert sorted(expected) == sorted(codes(group.why_not("establish_structure", **payload)))
    with pytest.raises(kelompok.TransitionNotAllowed) as info:
        group.fire("establish_structure", **payload)
    assert sorted(expected) == sorted(codes(info.value.reasons))


def test_admit_reports_every_fault():
    group = builders.at(PRO, "recruiting")
    member = {"id": "ani", "name": "Ani", "profession": "dentist"}
    payload = {"member": member, "scores": {"competence": 9, "dedication": 1, "charm": 4}}
    expected = [
        "member.already_member",
        "selection.criteria",
        "selection.score_range",
        "selection.below_pass_mark",
        "member.profession",
    ]
    assert sorted(expected) == sorted(codes(group.why_not("admit", **payload)))


@pytest.mark.parametrize("group_type", TYPES, ids=lambda t: t.name)
def test_plan_programs_reports_every_fault(group_type):
    group = builders.at(group_type, "structured")
    bad = program(group_type, kind="party", division="Health", activities=[])
    expected = [
        "programs.duplicate_id",
        "program.no_activities",
        "program.unknown_division",
        "program.kind",
    ]
    actual = codes(group.why_not("plan_programs", programs=[bad, bad]))
    assert sorted(expected) == sorted(actual)


@pytest.mark.parametrize("group_type", TYPES, ids=lambda t: t.name)
def test_collaborate_reports_every_fault(group_type):
    group = builders.at(group_type, "collaborating")
    payload = {
        "partner": partner(group_type, id=group.id, stage="awareness"),
        "purpose": "",
        "shared": ["money"],
    }
    expected = [
        "partner.self",
        "partner.stage",
        "collaboration.purpose_blank",
        "collaboration.shared",
    ]
    assert sorted(expected) == sorted(codes(group.why_not("collaborate", **payload)))


@pytest.mark.parametrize("group_type", TYPES, ids=lambda t: t.name)
def test_wrong_stage_and_wrong_payload_are_both_reported(group_type):
    group = builders.new(group_type)
    error = assert_refused(
        group,
        "form_core_group",
        {"founders": "ani"},
        ["stage.not_allowed", "payload.invalid"],
    )
    assert "founders" == error.reasons[1].field


# -- payloads of the wrong shape -----------------------------------------------------------


class Shape(NamedTuple):
    group_type: GroupType[Any]
    stage: str
    event: str
    payload: Payload
    expected: list[tuple[str, str]]  # (code, field)
    label: str


def shape_cases(t: GroupType[Any]) -> list[Shape]:
    f1, f2 = founders(t)
    admit = pay(t, "admit")
    first, second = criteria(t)
    p1 = pay(t, "plan_programs")["programs"][0]
    collab_stage = "evaluating" if t is PRO else "executing"
    run = "programmed" if t is PRO else "executing"
    missing, unknown, invalid = "payload.missing_field", "payload.unknown_field", "payload.invalid"
    rows = [
        ("awareness", "identify_needs", {}, [(missing, "needs")]
         + ([(missing, "work_area")] if t is VOL else []), "missing needs"),
        ("awareness", "identify_needs", pay(t, "identify_needs", needs="support"),
         [(invalid, "needs")], "str for list"),
        ("awareness", "identify_needs", pay(t, "identify_needs", needs=[1]),
         [(invalid, "needs[0]")], "int in list"),
        ("awareness", "identify_needs", pay(t, "identify_needs", colour="red"),
         [(unknown, "colour")], "unknown field"),
        ("needs_identified", "form_core_group", {"founders": [f1, {**f2, "id": " "}]},
         [(invalid, "founders[1].id")], "blank member id"),
        ("needs_identified", "form_core_group", {"founders": [f1, {**f2, "id": 7}]},
         [(invalid, "founders[1].id")], "int member id"),
        ("needs_identified", "form_core_group", {"founders": [f1, {"id": "x"}]},
         [(missing, "founders[1].name")], "member without name"),
        ("needs_identified", "form_core_group", {"founders": [f1, {**f2, "age": 40}]},
         [(unknown, "founders[1].age")], "member with unknown field"),
        ("needs_identified", "form_core_group", {"founders": [f1, "bayu"]},
         [(invalid, "founders[1]")], "str for member"),
        ("needs_identified", "form_core_group", {"founders": None},
         [(invalid, "founders")], "None for list"),
        ("core_formed", "adopt_charter",
         {k: v for k, v in pay(t, "adopt_charter").items() if k != "steps"},
         [(missing, "steps")], "missing steps"),
        ("core_formed", "adopt_charter", pay(t, "adopt_charter", vision=5),
         [(invalid, "vision")], "int for str"),
        ("core_formed", "open_recruitment", {"now": True}, [(unknown, "now")], "no payload"),
        ("recruiting", "admit", {**admit, "member": {**admit["member"], "name": "  "}},
         [(invalid, "member.name")], "blank member name"),
        ("recruiting", "admit", {**admit, "scores": {first: "4", second: 3}},
         [(invalid, f"scores['{first}']")], "str score"),
        ("recruiting", "admit", {**admit, "scores": {first: True, second: 3}},
         [(invalid, f"scores['{first}']")], "bool score"),
        ("recruiting", "admit", {**admit, "scores": [4, 3]},
         [(invalid, "scores")], "list for dict"),
        ("recruiting", "admit", {"member": {"id": "x"}, "score": {}},
         [(missing, "member.name"), (missing, "scores"), (unknown, "score")], "several"),
        ("recruiting", "reject", {"member": candidate(t), "reason": 5},
         [(invalid, "reason")], "int reason"),
        ("recruiting", "establish_structure", pay(t, "establish_structure", chair=1),
         [(invalid, "chair")], "int officer"),
        ("recruiting", "establish_structure",
         pay(t, "establish_structure", divisions="Education"),
         [(invalid, "divisions")], "str for list"),
        ("recruiting", "establish_structure",
         pay(t, "establish_structure", divisions=[{"name": "Education"}]),
         [(missing, "divisions[0].responsibility")], "division without responsibility"),
        ("structured", "plan_programs", {"programs": [{**p1, "id": ""}]},
         [(invalid, "programs[0].id")], "blank program id"),
        ("structured", "plan_programs", {"programs": [{**p1, "activities": "kick-off"}]},
         [(invalid, "programs[0].activities")], "str activities"),
        ("structured", "plan_programs", {"programs": [{**p1, "budget": 5}]},
         [(unknown, "programs[0].budget")], "program with unknown field"),
        (run, "record_activity", pay(t, "record_activity", participants="12"),
         [(invalid, "participants")], "str for int"),
        (run, "record_activity", pay(t, "record_activity", held_on="yesterday"),
         [(invalid, "held_on")], "bad date"),
        (run, "evaluate", pay(t, "evaluate", goal_results={"grow": 1.5, "serve": 60}),
         [(invalid, "goal_results['grow']")], "float score"),
        (collab_stage, "collaborate", collaboration(t, partner=5),
         [(invalid, "partner")], "int partner"),
        (collab_stage, "collaborate",
         collaboration(t, partner={"id": "q", "name": "Q", "type": t.name}),
         [(missing, "partner.stage")], "partner without stage"),
        (collab_stage, "collaborate",
         collaboration(t, partner={"id": "q", "name": "Q", "type": " ", "stage": "structured"}),
         [(invalid, "partner.type")], "blank partner type"),
        (collab_stage, "collaborate", collaboration(t, shared="ideas"),
         [(invalid, "shared")], "str for list"),
        ("awareness", "dissolve", {}, [(missing, "reason")], "missing reason"),
        ("awareness", "dissolve", {"reason": "done", "why": "x"}, [(unknown, "why")],
         "unknown field"),
    ]  # fmt: skip
    if t is PRO:
        rows += [
            ("awareness", "identify_needs", {"needs": ["support"], "work_area": "social"},
             [(unknown, "work_area")], "work_area is volunteer only"),
            ("evaluating", "develop", {"improvements": "more"},
             [(invalid, "improvements")], "str for list"),
            ("evaluating", "develop", {"improvements": ["more"], "programs": [{**p1, "id": " "}]},
             [(invalid, "programs[0].id")], "blank program id"),
        ]  # fmt: skip
    else:
        rows += [
            ("awareness", "identify_needs", {"needs": ["dirty river"]},
             [(missing, "work_area")], "missing work_area"),
            ("awareness", "identify_needs", pay(t, "identify_needs", work_area=3),
             [(invalid, "work_area")], "int work_area"),
            ("programmed", "execute", {"teams": "p1"}, [(invalid, "teams")], "str for dict"),
            ("programmed", "execute", {"teams": {"p1": "eka"}},
             [(invalid, "teams['p1']")], "str for list"),
            ("programmed", "execute", {"teams": {"p1": ["eka", 3]}},
             [(invalid, "teams['p1'][1]")], "int member id"),
        ]  # fmt: skip
    return [Shape(t, *row) for row in rows]


SHAPES = [*shape_cases(PRO), *shape_cases(VOL)]


@pytest.mark.parametrize(
    "case",
    SHAPES,
    ids=lambda c: f"{c.group_type.name}-{c.event}-{c.label}".replace(" ", "_"),
)
def test_payload_of_the_wrong_shape_is_refused_naming_the_field(case):
    group = builders.at(case.group_type, case.stage)
    payload = resolve(case.payload, group)
    reasons = group.why_not(case.event, **payload)
    assert sorted(case.expected) == sorted((r.code, r.field) for r in reasons)
    error = assert_refused(group, case.event, payload, codes(reasons))
    for reason in error.reasons:
        assert reason.field is not None
        assert reason.field in str(reason)
        assert reason.field in reason.message("id")


# -- stages --------------------------------------------------------------------------------


def valid_payloads(group_type: GroupType[Any]) -> dict[str, dict[str, Any]]:
    """A payload of the right shape for every event of *group_type*."""
    out = copy.deepcopy(builders.payloads(group_type))
    out["reject"] = {"member": candidate(group_type), "reason": "not now"}
    out["add_program"] = {"program": program(group_type)}
    out["collaborate"] = collaboration(group_type)
    return {event: out[event] for event in allowed_in(group_type)}


STAGE_EVENTS = [
    (t, stage, event)
    for t in TYPES
    for stage in (*LIVE[t.name], "dissolved")
    for event in allowed_in(t)
]


@pytest.mark.parametrize("group_type", TYPES, ids=lambda t: t.name)
def test_the_events_are_those_of_the_spec(group_type):
    assert sorted(allowed_in(group_type)) == sorted(e.name for e in group_type.events)


@pytest.mark.parametrize(
    ("group_type", "stage"),
    [(t, s) for t in TYPES for s in (*LIVE[t.name], "dissolved")],
    ids=lambda x: getattr(x, "name", x),
)
def test_available_events_are_those_of_the_spec(group_type, stage):
    group = builders.at(group_type, stage)
    expected = sorted(e for e, stages in allowed_in(group_type).items() if stage in stages)
    assert expected == sorted(group.available_events())


@pytest.mark.parametrize(
    ("group_type", "stage", "event"),
    [row for row in STAGE_EVENTS if row[1] not in allowed_in(row[0])[row[2]]],
    ids=lambda x: getattr(x, "name", x),
)
def test_event_in_the_wrong_stage_is_refused(group_type, stage, event):
    group = builders.at(group_type, stage)
    payload = valid_payloads(group_type)[event]
    error = assert_refused(group, event, payload, ["stage.not_allowed"])
    assert stage in str(error.reasons[0])
    assert stage in error.reasons[0].message("id")


@pytest.mark.parametrize(
    ("group_type", "stage"),
    [(t, s) for t in TYPES for s in LIVE[t.name]],
    ids=lambda x: getattr(x, "name", x),
)
def test_nothing_is_allowed_once_dissolved(group_type, stage):
    group = builders.at(group_type, stage)
    assert_applied(group, "dissolve", {"reason": "the work is done"})
    assert [] == group.available_events()
    for event, payload in valid_payloads(group_type).items():
        assert_refused(group, event, payload, ["stage.not_allowed"])


# -- unknown events -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("group_type", "event"),
    [(PRO, "fly"), (VOL, "fly"), (PRO, "execute"), (VOL, "develop"), (PRO, "")],
    ids=lambda x: getattr(x, "name", x),
)
def test_unknown_event_is_an_unknown_event_error(group_type, event):
    group = builders.at(group_type, "programmed")
    before = snapshot(group)
    for call in (group.why_not, group.can, group.fire):
        with pytest.raises(kelompok.UnknownEvent) as info:
            call(event)
        assert event == info.value.event
        assert isinstance(info.value, kelompok.KelompokError)
    assert before == snapshot(group)


def test_every_refused_text_of_a_value_is_a_reason_not_only_the_first():
    """A converter refusing one text must not hide the next one, nor a missing field."""
    with pytest.raises(kelompok.CreationRefused) as caught:
        kelompok.PROFESSIONAL.create(name=" ")
    assert [("create.missing_field", "profession"), ("create.invalid", "name")] == [
        (r.code, r.field) for r in caught.value.reasons
    ]
    group = kelompok.PROFESSIONAL.create(name="Ikatan", profession="nurse")
    group.identify_needs(["support"])
    founders = [{"id": "", "name": " "}, {"id": "ok", "name": ""}]
    fields = [r.field for r in group.why_not("form_core_group", founders=founders)]
    assert ["founders[0].id", "founders[0].name", "founders[1].name"] == fields[:3]
