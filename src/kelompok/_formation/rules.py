"""Requirements, effects and invariants of the two built-in formation types.

Each rule is one small function; ``_builtins.py`` decides which event of which
type uses it. Checks take ``(group, payload)`` and return True when the rule is
met; effects return the group's new (frozen) data and never mutate the old.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import attrs

from kelompok._base.frozen import frozen_map, own_frozen
from kelompok._definition.parts import Invariant, Requirement
from kelompok._formation.records import (
    Activity,
    AdmitPayload,
    Charter,
    DevelopPayload,
    DissolvePayload,
    Evaluation,
    FormationData,
    FormationGroup,
    FoundersPayload,
    Partnership,
    ProblemsPayload,
    ProgramPayload,
    ProgramsPayload,
    Rejection,
    Structure,
    TeamsPayload,
)
from kelompok._formation.values import Division, Member, PartnerRef, Program

G = FormationGroup
K = TypeVar("K")
V = TypeVar("V")
WORK_AREAS = ("social", "humanitarian", "environmental")
PROGRAM_KINDS = ("training", "seminar", "workshop", "other")
SHAREABLE = ("experience", "knowledge", "resources", "ideas")


def blank(text: str) -> bool:
    """Empty or white space only."""
    return not text.strip()


def all_filled(texts: Sequence[str]) -> bool:
    """At least one text, and none blank."""
    return bool(texts) and not any(blank(t) for t in texts)


def same_profession(group: G, member: Member) -> bool:
    """Whether *member* shares the group's profession (case-insensitive)."""
    mine = group.data.profession
    theirs = member.profession
    return (
        mine is not None
        and theirs is not None
        and mine.strip().casefold() == theirs.strip().casefold()
    )


# -- predicates: each rule is written once, for the requirement that checks a payload
#    and for the invariant that checks what the effect stored from it


def no_blank(texts: Sequence[str]) -> bool:
    """None of *texts* is blank (there may be none)."""
    return not any(blank(t) for t in texts)


def distinct(ids: Sequence[str]) -> bool:
    """No id appears twice."""
    return len(set(ids)) == len(ids)


def enough_founders(ids: Sequence[str]) -> bool:
    """At least two distinct founder ids."""
    return len(set(ids)) >= 2


def heads_are_members(g: G, divisions: Sequence[Division]) -> bool:
    """Every division head (if any) is a member."""
    return all(d.head is None or d.head in g.data.members for d in divisions)


def kind_allowed(g: G, program: Program, *, volunteer: bool) -> bool:
    """A volunteer program works in the group's area; a professional one is of a known kind."""
    return program.kind == g.data.work_area if volunteer else program.kind in PROGRAM_KINDS


def division_exists(g: G, program: Program) -> bool:
    """The program names one of the group's divisions."""
    return program.division in _division_names(g)


def activities_listed(g: G, program: Program) -> bool:
    """The program has at least one activity, none blank."""
    return all_filled(program.activities)


def held_since_creation(g: G, day: dt.date) -> bool:
    """*day* is not before the (UTC) day the group was created."""
    return day >= g.created_at.date()


def scores_in_range(results: Mapping[str, int]) -> bool:
    """Goal scores are from 0 to 100."""
    return all(0 <= s <= 100 for s in results.values())


def shares_allowed(shared: Sequence[str]) -> bool:
    """At least one thing is shared, and only what the source names."""
    return bool(shared) and all(s in SHAREABLE for s in shared)


def partner_stage_ok(g: G, partner: PartnerRef) -> bool:
    """The partner had its structure and was not dissolved (judged in our type's order)."""
    if partner.type != g.type.name:
        return True  # partner.same_type refuses it; its stages are not ours to judge
    order = g.type.order(partner.stage)
    least = g.type.order("structured")
    return order is not None and least is not None and order >= least


def teams_for_programs(g: G, teams: Mapping[str, Sequence[str]]) -> bool:
    """Every team is the team of an existing program."""
    return all(pid in g.data.programs for pid in teams)


def teams_of_members(g: G, teams: Mapping[str, Sequence[str]]) -> bool:
    """Every team member is a member of the group."""
    return all(m in g.data.members for team in teams.values() for m in team)


def meets(g: G, record: Any, rules: Sequence[Requirement]) -> bool:
    """Whether a stored *record* (the payload an effect kept as it was) meets *rules*.

    The invariants use it with the requirements the record met when it was
    stored and that no later event can undo.
    """
    return all(rule.check(g, record) for rule in rules)


def req(code: str, en: str, check: Callable[[G, Any], bool]) -> Requirement:
    """A requirement of the built-in types (shorthand); its other languages are in the catalogs."""
    return Requirement(code, en, check)


def state_req(code: str, en: str, check: Callable[[G], bool], fixed_by: str) -> Requirement:
    """A requirement about the group alone, which ``next_steps`` can tell before any payload.

    *fixed_by* names the events that meet it (separated by spaces).
    """
    return Requirement(
        code, en, lambda g, _: check(g), needs_payload=False, fixed_by=fixed_by.split()
    )


# -- identify_needs ------------------------------------------------------------


def some_need(needs: Sequence[str]) -> bool:
    """At least one need that is not blank."""
    return any(not blank(n) for n in needs)


NEEDS_MISSING = req(
    "needs.missing",
    "Name at least one need the group answers.",
    lambda g, p: some_need(p.needs),
)
NEEDS_BLANK = req(
    "needs.blank",
    "Needs must not be blank; remove the empty ones.",
    lambda g, p: no_blank(p.needs),
)


def work_area_known(area: str | None) -> bool:
    """One of the source's three work areas."""
    return area in WORK_AREAS


def _work_area_known(g: G, p: ProblemsPayload) -> bool:
    return work_area_known(p.work_area)


WORK_AREA_UNKNOWN = req(
    "work_area.unknown",
    "Choose the work area: 'social', 'humanitarian' or 'environmental'.",
    _work_area_known,
)

# -- form_core_group -----------------------------------------------------------


def _founder_ids(p: FoundersPayload) -> list[str]:
    return [m.id for m in p.founders]


FOUNDERS_TOO_FEW = req(
    "founders.too_few",
    "An initial group needs at least 2 founders with distinct ids.",
    lambda g, p: enough_founders(_founder_ids(p)),
)
FOUNDERS_DUPLICATE = req(
    "founders.duplicate",
    "Each founder may appear only once: founder ids must be distinct.",
    lambda g, p: distinct(_founder_ids(p)),
)
FOUNDERS_PROFESSION = req(
    "founders.profession",
    "Every founder's profession must be the group's profession.",
    lambda g, p: all(same_profession(g, m) for m in p.founders),
)

# -- adopt_charter / open_recruitment ------------------------------------------

CHARTER_RULES = (
    req(
        "charter.vision_blank",
        "Write the vision; it must not be blank.",
        lambda g, p: not blank(p.vision),
    ),
    req(
        "charter.mission_blank",
        "Write the mission; it must not be blank.",
        lambda g, p: not blank(p.mission),
    ),
    req(
        "charter.goals_missing",
        "List at least one goal, none of them blank.",
        lambda g, p: all_filled(p.goals),
    ),
    req(
        "charter.steps_missing",
        "List at least one step towards the goals, none of them blank.",
        lambda g, p: all_filled(p.steps),
    ),
)


def _has_charter(g: G) -> bool:
    # adopt_charter is the only way to a charter, so a stored one meets its rules
    c = g.data.charter
    return c is not None and meets(g, c, CHARTER_RULES)


CHARTER_MISSING = state_req(
    "charter.missing",
    "Adopt a charter with a vision, a mission and at least one goal first (adopt_charter).",
    _has_charter,
    "adopt_charter",
)

# -- admit / reject ------------------------------------------------------------

NOT_YET_MEMBER = req(
    "member.already_member",
    "This person is already a member (same member id).",
    lambda g, p: p.member.id not in g.data.members,
)
MEMBER_PROFESSION = req(
    "member.profession",
    "The member's profession must be the group's profession.",
    lambda g, p: same_profession(g, p.member),
)


def selection_rules(criteria: Sequence[str], pass_mark: int = 3) -> tuple[Requirement, ...]:
    """The selection requirements for the *criteria* (their names)."""
    names = list(criteria)
    en_list = ", ".join(names)

    wanted = frozenset(names)

    def scored(g: G, p: AdmitPayload) -> bool:
        return p.scores.keys() == wanted

    def in_range(g: G, p: AdmitPayload) -> bool:
        return all(1 <= s <= 5 for s in p.scores.values())

    def passed(g: G, p: AdmitPayload) -> bool:
        return all(p.scores[name] >= pass_mark for name in names if name in p.scores)

    return (
        req(
            "selection.criteria",
            f"Score exactly the selection criteria: {en_list}.",
            scored,
        ),
        req(
            "selection.score_range",
            "Every selection score must be a whole number from 1 to 5.",
            in_range,
        ),
        req(
            "selection.below_pass_mark",
            f"Every criterion must score at least the pass mark of {pass_mark}; "
            "record a candidate below it with reject.",
            passed,
        ),
    )


REJECT_REASON = req(
    "reject.reason_blank",
    "Give the reason for the selection decision.",
    lambda g, p: not blank(p.reason),
)
REJECT_CANDIDATE = req(
    "reject.already_member",
    "This person is already a member; only a candidate can be rejected.",
    lambda g, p: p.member.id not in g.data.members,
)
REJECT_RULES = (REJECT_REASON, REJECT_CANDIDATE)

# -- establish_structure -------------------------------------------------------


def _officers(p: Structure) -> tuple[str, str, str]:
    return (p.chair, p.secretary, p.treasurer)


def _division_names_ok(names: Sequence[str]) -> bool:
    return no_blank(names) and distinct(names)


STRUCTURE_RULES = (
    state_req(
        "structure.no_new_members",
        "Admit at least one member besides the founders before forming the structure (admit).",
        lambda g: len(g.data.members) > len(g.data.founders),
        "admit",
    ),
    req(
        "structure.officer_not_member",
        "Chair, secretary and treasurer must be members (give their member ids).",
        lambda g, p: all(o in g.data.members for o in _officers(p)),
    ),
    req(
        "structure.officers_not_distinct",
        "Chair, secretary and treasurer must be three different members.",
        lambda g, p: len(set(_officers(p))) == 3,
    ),
    req(
        "structure.no_divisions",
        "Set up at least one division.",
        lambda g, p: bool(p.divisions),
    ),
    req(
        "structure.division_names",
        "Division names must be non-blank and unique.",
        lambda g, p: _division_names_ok([d.name for d in p.divisions]),
    ),
    req(
        "structure.head_not_member",
        "A division's head must be a member.",
        lambda g, p: heads_are_members(g, p.divisions),
    ),
)

# -- programs ------------------------------------------------------------------


def _division_names(g: G) -> set[str]:
    s = g.data.structure
    return {d.name for d in s.divisions} if s is not None else set()


def program_checks(*, volunteer: bool) -> tuple[Callable[[G, Program], bool], ...]:
    """What every program must be, whichever event brings it (requirements and invariant)."""

    def kind(g: G, program: Program) -> bool:
        return kind_allowed(g, program, volunteer=volunteer)

    return (activities_listed, division_exists, kind)


def program_rules(
    programs_of: Callable[[Any], Sequence[Program]], *, volunteer: bool
) -> tuple[Requirement, ...]:
    """The checks every program must pass, whichever event brings it."""
    listed, division, kind = program_checks(volunteer=volunteer)
    if volunteer:
        kind_rule = req(
            "program.kind",
            "A program's kind must be the group's work area.",
            lambda g, p: all(kind(g, x) for x in programs_of(p)),
        )
    else:
        kind_rule = req(
            "program.kind",
            "A program's kind must be 'training', 'seminar', 'workshop' or 'other'.",
            lambda g, p: all(kind(g, x) for x in programs_of(p)),
        )
    return (
        req(
            "program.no_activities",
            "Every program needs at least one activity, none of them blank.",
            lambda g, p: all(listed(g, x) for x in programs_of(p)),
        ),
        req(
            "program.unknown_division",
            "Every program must name an existing division.",
            lambda g, p: all(division(g, x) for x in programs_of(p)),
        ),
        kind_rule,
    )


PROGRAMS_MISSING = req(
    "programs.missing",
    "Plan at least one program.",
    lambda g, p: bool(p.programs),
)
PROGRAM_ID_TAKEN = req(
    "program.id_taken",
    "A program with this id exists already; choose another id.",
    lambda g, p: p.program.id not in g.data.programs,
)


PROGRAMS_DUPLICATE_ID = req(
    "programs.duplicate_id",
    "Program ids must be unique.",
    lambda g, p: distinct([x.id for x in p.programs]),
)


def plan_rules(*, volunteer: bool) -> tuple[Requirement, ...]:
    """Requirements of ``plan_programs``."""
    return (
        PROGRAMS_MISSING,
        PROGRAMS_DUPLICATE_ID,
        *program_rules(lambda p: p.programs, volunteer=volunteer),
    )


def develop_rules() -> tuple[Requirement, ...]:
    """Requirements of ``develop`` (professional groups)."""
    return (
        *DEVELOP_RULES,
        PROGRAMS_DUPLICATE_ID,
        *program_rules(lambda p: p.programs, volunteer=False),
    )


def add_rules(*, volunteer: bool) -> tuple[Requirement, ...]:
    """Requirements of ``add_program``."""
    return (*program_rules(lambda p: (p.program,), volunteer=volunteer), PROGRAM_ID_TAKEN)


# -- execute / record_activity -------------------------------------------------

TEAM_RULES = (
    req(
        "teams.missing",
        "Give every program a team of at least one member.",
        lambda g, p: all(p.teams.get(pid) for pid in g.data.programs),
    ),
    req(
        "teams.unknown_program",
        "Teams can only be given to existing programs.",
        lambda g, p: teams_for_programs(g, p.teams),
    ),
    req(
        "teams.not_members",
        "Every team member must be a member of the group.",
        lambda g, p: teams_of_members(g, p.teams),
    ),
)


def _lists_activity(g: G, p: Activity) -> bool:
    program = g.data.programs.get(p.program)
    return program is None or p.activity in program.activities


ACTIVITY_PROGRAM = req(
    "activity.unknown_program",
    "The activity must belong to an existing program.",
    lambda g, p: p.program in g.data.programs,
)
ACTIVITY_LISTED = req(
    "activity.unknown_activity",
    "The activity must be one of the program's activities.",
    _lists_activity,
)
ACTIVITY_PARTICIPANTS = req(
    "activity.participants",
    "An activity needs at least one participant.",
    lambda g, p: p.participants >= 1,
)
ACTIVITY_DATE = req(
    "activity.before_creation",
    "held_on cannot be before the group was created.",
    lambda g, p: held_since_creation(g, p.held_on),
)
ACTIVITY_RULES = (ACTIVITY_PROGRAM, ACTIVITY_LISTED, ACTIVITY_PARTICIPANTS, ACTIVITY_DATE)

# -- evaluate / develop --------------------------------------------------------

EVALUATION_NEEDS_ACTIVITY = state_req(
    "evaluation.no_activity",
    "Record at least one activity before evaluating (record_activity).",
    lambda g: bool(g.data.activities),
    "record_activity",
)
EVALUATION_GOALS = req(
    "evaluation.goals",
    "Score every goal of the charter, and nothing else.",
    lambda g, p: g.data.charter is not None and set(p.goal_results) == set(g.data.charter.goals),
)
EVALUATION_SCORES = req(
    "evaluation.score_range",
    "Goal scores must be from 0 to 100.",
    lambda g, p: scores_in_range(p.goal_results),
)
EVALUATION_FINDINGS = req(
    "evaluation.findings_blank",
    "Write down the findings of the evaluation.",
    lambda g, p: not blank(p.findings),
)
EVALUATE_RULES = (
    EVALUATION_NEEDS_ACTIVITY,
    EVALUATION_GOALS,
    EVALUATION_SCORES,
    EVALUATION_FINDINGS,
)

DEVELOP_RULES = (
    req(
        "develop.no_improvement",
        "Name at least one improvement, none of them blank.",
        lambda g, p: all_filled(p.improvements),
    ),
)

# -- collaborate / dissolve ----------------------------------------------------

PARTNER_TYPE = req(
    "partner.same_type",
    "The partner must be a group of the same type.",
    lambda g, p: p.partner.type == g.type.name,
)
PARTNER_SELF = req(
    "partner.self",
    "A group cannot collaborate with itself.",
    lambda g, p: p.partner.id != g.id,
)
PARTNER_STAGE = req(
    "partner.stage",
    "The partner must have its organisational structure (stage 'structured' or later) "
    "and must not be dissolved.",
    lambda g, p: partner_stage_ok(g, p.partner),
)
PARTNER_NEW = req(
    "partner.already",
    "This group is already a partner.",
    lambda g, p: p.partner.id not in g.data.partners,
)
COLLABORATION_PURPOSE = req(
    "collaboration.purpose_blank",
    "Say what the collaboration is for.",
    lambda g, p: not blank(p.purpose),
)
COLLABORATION_SHARED = req(
    "collaboration.shared",
    "Share at least one of 'experience', 'knowledge', 'resources', 'ideas', and nothing else.",
    lambda g, p: shares_allowed(p.shared),
)
COLLABORATE_RULES = (
    PARTNER_TYPE,
    PARTNER_SELF,
    PARTNER_STAGE,
    PARTNER_NEW,
    COLLABORATION_PURPOSE,
    COLLABORATION_SHARED,
)
COLLABORATE_NEEDS_ACTIVITY = state_req(
    "collaboration.no_activity",
    "Carry out and record at least one activity before collaborating.",
    lambda g: bool(g.data.activities),
    "record_activity",
)
COLLABORATE_NEEDS_EVALUATION = state_req(
    "collaboration.no_evaluation",
    "Evaluate at least once before collaborating (evaluate).",
    lambda g: bool(g.data.evaluations),
    "evaluate",
)


def reason_given(reason: str) -> bool:
    """A dissolution reason that says something."""
    return not blank(reason)


DISSOLVE_RULES = (
    req(
        "dissolve.reason_blank",
        "Give the reason for dissolving the group.",
        lambda g, p: reason_given(p.reason),
    ),
)

# -- effects -------------------------------------------------------------------


class _Rebuild:
    """How to rebuild one data class with some fields changed, worked out once per class.

    ``attrs.evolve`` looks the fields up and passes every value by keyword on
    each call; reading all values with one ``attrgetter`` and passing them by
    position costs a third less, and an event rebuilds the data every time.
    A class with keyword-only fields (a user's subclass may have them) or
    fewer than two fields is rebuilt with ``attrs.evolve``.
    """

    __slots__ = ("index", "values")

    def __init__(self, fields: list[attrs.Attribute[Any]]) -> None:
        self.values = operator.attrgetter(*(a.name for a in fields))
        self.index = {a.alias: i for i, a in enumerate(fields)}

    @classmethod
    def of(cls, data_cls: type) -> _Rebuild | None:
        fields = [a for a in attrs.fields(data_cls) if a.init]
        # attrgetter of one name returns the value itself, not a 1-tuple
        by_position = len(fields) >= 2 and not any(a.kw_only for a in fields)
        return cls(fields) if by_position else None


_REBUILD: dict[type, _Rebuild | None] = {}


def _evolve(g: G, **changes: Any) -> FormationData:
    """``attrs.evolve(g.data, **changes)``, faster (see :class:`_Rebuild`)."""
    data = g.data
    cls = type(data)
    try:
        how = _REBUILD[cls]
    except KeyError:
        how = _REBUILD[cls] = _Rebuild.of(cls)
    if how is None:
        return attrs.evolve(data, **changes)
    values = list(how.values(data))
    for alias, value in changes.items():
        values[how.index[alias]] = value
    return cls(*values)


def _fresh(mapping: dict[K, V]) -> Mapping[K, V]:
    """*mapping*, a dict that nobody else holds, as the data's read-only map (not copied)."""
    return own_frozen(mapping)


def _put(mapping: Mapping[K, V], key: K, value: V) -> Mapping[K, V]:
    """A new read-only map: *mapping* with *key* set to *value* (*mapping* is unchanged)."""
    return frozen_map(mapping).set(key, value)


def identify_needs(g: G, p: Any) -> FormationData:
    """Store needs (and the work area of a volunteer group)."""
    if isinstance(p, ProblemsPayload):
        return _evolve(g, needs=p.needs, work_area=p.work_area)
    return _evolve(g, needs=p.needs)


def form_core_group(g: G, p: FoundersPayload) -> FormationData:
    """The founders become the first members."""
    return _evolve(
        g, founders=tuple(m.id for m in p.founders), members=_fresh({m.id: m for m in p.founders})
    )


def adopt_charter(g: G, p: Charter) -> FormationData:
    """Adopt or replace the charter."""
    return _evolve(g, charter=p)


def admit(g: G, p: AdmitPayload) -> FormationData:
    """Add the member."""
    return _evolve(g, members=_put(g.data.members, p.member.id, p.member))


def reject(g: G, p: Rejection) -> FormationData:
    """Keep the selection decision."""
    return _evolve(g, rejections=(*g.data.rejections, p))


def establish_structure(g: G, p: Structure) -> FormationData:
    """Set the officers and divisions."""
    return _evolve(g, structure=p)


def plan_programs(g: G, p: ProgramsPayload) -> FormationData:
    """Set the programs."""
    return _evolve(g, programs=_fresh({x.id: x for x in p.programs}))


def add_program(g: G, p: ProgramPayload) -> FormationData:
    """Add one program."""
    return _evolve(g, programs=_put(g.data.programs, p.program.id, p.program))


def execute(g: G, p: TeamsPayload) -> FormationData:
    """Set the teams."""
    return _evolve(g, teams=p.teams)


def record_activity(g: G, p: Activity) -> FormationData:
    """Append the activity."""
    return _evolve(g, activities=(*g.data.activities, p))


def evaluate(g: G, p: Evaluation) -> FormationData:
    """Append the evaluation."""
    return _evolve(g, evaluations=(*g.data.evaluations, p))


def develop(g: G, p: DevelopPayload) -> FormationData:
    """Keep the improvements; add or replace programs by id."""
    return _evolve(
        g,
        improvements=(*g.data.improvements, *p.improvements),
        programs=_fresh({**g.data.programs, **{x.id: x for x in p.programs}}),
    )


def collaborate(g: G, p: Partnership) -> FormationData:
    """Add the partnership."""
    return _evolve(g, partners=_put(g.data.partners, p.partner.id, p))


def dissolve(g: G, p: DissolvePayload) -> FormationData:
    """Keep the reason."""
    return _evolve(g, dissolution=p.reason)


# -- invariants ----------------------------------------------------------------
#
# Every fact an effect establishes, stated about the data with the stage and the
# stages reached (not the history), so that ``load`` refuses data that no event
# makes. Where an effect keeps its payload as a record (a charter, a rejection,
# the structure, an activity, an evaluation, a partnership), the invariant is
# the event's own requirements, checked on that record, except the ones a later
# event may undo:
#
# * ``reject.already_member``: the candidate may be admitted later (a founder,
#   a member before any reject, never can be rejected);
# * ``teams.missing``: ``add_program`` brings programs without a team;
# * ``activity.unknown_activity``: ``develop`` may replace the program;
# * ``evaluation.goals``: ``adopt_charter`` may replace the charter's goals;
# * ``partner.already``, ``program.id_taken``, ``member.already_member``: the
#   record is there now; instead, it is stored under its own id.
#
# What only the order or number of events shows (one member per ``admit``, an
# officer admitted before ``establish_structure``) is beyond the head's reach.


def inv(code: str, en: str, check: Callable[[G], bool], reads: str) -> Invariant:
    """An invariant of the built-in types (shorthand); *reads*: what it reads, space-separated.

    ``reads`` names every data field the check reads, and ``stage`` when it reads
    the stage or ``reached``: ``fire`` checks it only after an event that changed
    one of them. (``id``, ``type``, ``founding`` and ``created_at`` never change.)
    """
    return Invariant(code, en, check, reads=reads.split())


def _iff(reached: bool, present: bool) -> bool:  # noqa: FBT001 -- a pure boolean helper
    return reached == present


def developed(g: G) -> bool:
    """Whether ``develop`` was ever fired: each keeps >= 1 improvement, nothing else any."""
    return bool(g.data.improvements)


def _needs_ok(g: G) -> bool:
    needs = g.data.needs
    if g.reached("needs_identified"):
        return some_need(needs) and no_blank(needs)
    return not needs


def _founders_ok(g: G) -> bool:
    founders, members = g.data.founders, g.data.members
    if not g.reached("core_formed"):
        return not founders and not members
    return enough_founders(founders) and distinct(founders) and all(f in members for f in founders)


def _charter_ok(g: G) -> bool:
    charter = g.data.charter
    if charter is None:
        return not g.reached("recruiting")
    return g.reached("core_formed") and meets(g, charter, CHARTER_RULES)


REJECTION_KEPT = (REJECT_REASON,)
EVALUATION_KEPT = (EVALUATION_NEEDS_ACTIVITY, EVALUATION_SCORES, EVALUATION_FINDINGS)
ACTIVITY_KEPT = (ACTIVITY_PROGRAM, ACTIVITY_PARTICIPANTS, ACTIVITY_DATE)
PARTNERSHIP_KEPT = (
    PARTNER_TYPE,
    PARTNER_SELF,
    PARTNER_STAGE,
    COLLABORATION_PURPOSE,
    COLLABORATION_SHARED,
)


def scores_some_goals(results: Mapping[str, int]) -> bool:
    """The goals of some adopted charter: at least one, none blank."""
    return all_filled(tuple(results))


def _records_ok(g: G) -> bool:
    founders = g.data.founders
    return all(
        meets(g, r, REJECTION_KEPT) and r.member.id not in founders for r in g.data.rejections
    ) and all(
        meets(g, e, EVALUATION_KEPT) and scores_some_goals(e.goal_results)
        for e in g.data.evaluations
    )


def _structure_ok(g: G) -> bool:
    structure = g.data.structure
    if structure is None:
        return not g.reached("structured")
    return g.reached("structured") and meets(g, structure, STRUCTURE_RULES)


def _programs_ok(g: G, checks: Sequence[Callable[[G, Program], bool]]) -> bool:
    programs = g.data.programs
    if not g.reached("programmed"):
        return not programs
    return bool(programs) and all(
        key == x.id and all(check(g, x) for check in checks) for key, x in programs.items()
    )


def _activities_ok(g: G, run_stage: str, *, develops: bool) -> bool:
    activities = g.data.activities
    if not activities:
        return True
    # develop may replace a program with other activities; what was recorded after the
    # last develop was recorded against the program as it is now
    unlisted_ok = 0
    if develops and g.event_count("develop"):
        unlisted_ok = len(activities) - g.event_count("record_activity", since="develop")
    return g.reached(run_stage) and all(
        meets(g, a, ACTIVITY_KEPT) and (i < unlisted_ok or ACTIVITY_LISTED.check(g, a))
        for i, a in enumerate(activities)
    )


def _partners_ok(g: G, needs: Requirement) -> bool:
    partners = g.data.partners
    return _iff(g.reached("collaborating"), bool(partners)) and all(
        key == p.partner.id and meets(g, p, PARTNERSHIP_KEPT) and needs.check(g, p)
        for key, p in partners.items()
    )


def _dissolution_ok(g: G) -> bool:
    reason = g.data.dissolution
    if g.stage != "dissolved":
        return reason is None
    return reason is not None and reason_given(reason)


def _teams_ok(g: G) -> bool:
    teams = g.data.teams
    if not g.reached("executing"):
        return not teams
    # execute gave every program of the day (>= 1) a team of >= 1 member; a program
    # added later has none
    return (
        bool(teams)
        and all(teams.values())
        and teams_for_programs(g, teams)
        and teams_of_members(g, teams)
        and len(g.data.programs) == len(teams) + g.event_count("add_program", since="execute")
    )


def _improvements_ok(g: G) -> bool:
    improvements = g.data.improvements
    if not no_blank(improvements):
        return False
    if improvements:
        return g.reached("evaluating")
    # back in 'programmed' after 'evaluating': only develop leads there
    return not (g.stage == "programmed" and g.reached("evaluating"))


def _founding_ok(g: G) -> bool:
    founding = g.founding
    profession = getattr(founding, "profession", None)
    return founding.name == g.data.name and profession == g.data.profession


def _current_goals_ok(g: G) -> bool:
    """The evaluations since the charter was last adopted score exactly its goals."""
    charter = g.data.charter
    since = g.event_count("evaluate", since="adopt_charter")
    if charter is None or not since:
        return True
    goals = set(charter.goals)
    return all(set(e.goal_results) == goals for e in g.data.evaluations[-since:])


def _counts_ok(g: G) -> bool:
    """Each event that adds a record added exactly one; the data has no record without one."""
    d, counts = g.data, g.event_counts

    def n(event: str) -> int:  # the counts read once, asked seven times
        return counts.get(event, 0)

    planned = n("plan_programs")
    return (
        len(d.members) == len(d.founders) + n("admit")
        and len(d.rejections) == n("reject")
        and len(d.activities) == n("record_activity")
        and len(d.evaluations) == n("evaluate")
        and len(d.partners) == n("collaborate")
        and (d.charter is not None) == bool(n("adopt_charter"))
        and (not planned or len(d.programs) >= 1 + n("add_program"))
    )


COUNTED = "members founders rejections activities evaluations partners charter programs"
COUNTED_EVENTS = "admit reject record_activity evaluate collaborate adopt_charter add_program"


def formation_invariants(*, volunteer: bool) -> tuple[Invariant, ...]:
    """Facts that hold in every reachable professional (or volunteer) group."""
    run_stage = "executing" if volunteer else "programmed"
    checks = program_checks(volunteer=volunteer)
    if volunteer:
        needs, needs_en = COLLABORATE_NEEDS_ACTIVITY, "an activity"
    else:
        needs, needs_en = COLLABORATE_NEEDS_EVALUATION, "an evaluation"
    common = (
        inv(
            "state.current_goals",
            "The evaluations made since the charter was last adopted score exactly its goals.",
            _current_goals_ok,
            "evaluations charter evaluate adopt_charter",
        ),
        inv(
            "state.counts",
            "There is one member per founder and admission, one rejection, activity, "
            "evaluation and partnership per event that records one, a charter once one was "
            "adopted, and a program per program added.",
            _counts_ok,
            f"{COUNTED} {COUNTED_EVENTS} plan_programs",
        ),
        inv(
            "state.founding",
            "The group's name (and profession) are the ones it was created with.",
            _founding_ok,
            "name profession",
        ),
        inv(
            "state.records",
            "Every rejection gives a reason and is of someone who is not a founder; every "
            "evaluation follows a recorded activity, scores one or more non-blank goals "
            "from 0 to 100 and has findings.",
            _records_ok,
            "rejections founders evaluations activities",
        ),
        inv(
            "state.members",
            "Members are keyed by their own id.",
            lambda g: all(k == m.id for k, m in g.data.members.items()),
            "members",
        ),
        inv(
            "state.needs",
            "Needs (at least one, none blank) are identified exactly when the group reached "
            "'needs_identified'.",
            _needs_ok,
            "needs stage",
        ),
        inv(
            "state.founders",
            "From 'core_formed' on there are at least 2 distinct founders who are members; "
            "before it, no founders and no members.",
            _founders_ok,
            "founders members stage",
        ),
        inv(
            "state.charter",
            "A charter has a vision, a mission, goals and steps, none of them blank; from "
            "'recruiting' on there is one; before 'core_formed', none.",
            _charter_ok,
            "charter stage",
        ),
        inv(
            "state.recruitment",
            "Before 'recruiting' only founders are members and nobody was rejected.",
            lambda g: (
                g.reached("recruiting")
                or (len(g.data.members) == len(g.data.founders) and not g.data.rejections)
            ),
            "members founders rejections stage",
        ),
        inv(
            "state.structure",
            "From 'structured' on, officers are three distinct members, divisions are named "
            "uniquely and headed by members, and there are members besides the founders; "
            "before it, no structure.",
            _structure_ok,
            "structure members founders stage",
        ),
        inv(
            "state.programs",
            "From 'programmed' on there is a program; each is stored under its own id, names "
            "an existing division, has activities and a kind the group allows; before it, "
            "no programs.",
            lambda g: _programs_ok(g, checks),
            "programs structure work_area stage",
        ),
        inv(
            "state.activities",
            "Activities are recorded only once activities run; each belongs to an existing "
            "program that lists it (unless develop replaced the program), has a participant "
            "and is not dated before the group was created.",
            lambda g: _activities_ok(g, run_stage, develops=not volunteer),
            "activities programs stage record_activity" + ("" if volunteer else " develop"),
        ),
        inv(
            "state.partners",
            "From 'collaborating' on there is a partner, before it none; each is stored "
            "under its own id and is another live, structured group of the same type, with "
            f"a purpose and something shared, agreed after {needs_en}.",
            lambda g: _partners_ok(g, needs),
            "partners activities evaluations stage",
        ),
        inv(
            "state.dissolution",
            "A dissolution reason, not blank, is recorded exactly when the group is dissolved.",
            _dissolution_ok,
            "dissolution stage",
        ),
    )
    if volunteer:
        return (
            *common,
            inv(
                "state.work_area",
                "The work area is one of social, humanitarian, environmental once needs are "
                "identified, and unset before.",
                lambda g: (
                    work_area_known(g.data.work_area)
                    if g.reached("needs_identified")
                    else g.data.work_area is None
                ),
                "work_area stage",
            ),
            inv(
                "state.teams",
                "From 'executing' on there are teams, each of an existing program with at "
                "least one member, all of them members, and every program without a team was "
                "added after 'execute'; before it, none.",
                _teams_ok,
                "teams programs members stage add_program execute",
            ),
            inv(
                "state.evaluations",
                "Evaluations exist only once activities run.",
                lambda g: g.reached("executing") or not g.data.evaluations,
                "evaluations stage",
            ),
            inv(
                "state.improvements",
                "A volunteer group keeps no improvements of its own: it has no develop "
                "(its evaluations keep theirs).",
                lambda g: not g.data.improvements,
                "improvements",
            ),
        )
    return (
        *common,
        inv(
            "state.developed",
            "Each develop records at least one improvement; without develop there is none.",
            lambda g: (
                len(g.data.improvements) >= g.event_count("develop")
                and (bool(g.event_count("develop")) or not g.data.improvements)
            ),
            "improvements develop",
        ),
        inv(
            "state.profession",
            "The group has a profession and every member shares it.",
            lambda g: (
                g.data.profession is not None
                and not blank(g.data.profession)
                and all(same_profession(g, m) for m in g.data.members.values())
                and g.data.work_area is None
                and not g.data.teams
            ),
            "profession members work_area teams",
        ),
        inv(
            "state.evaluations",
            "From 'evaluating' on there is an evaluation; before it, none.",
            lambda g: _iff(g.reached("evaluating"), bool(g.data.evaluations)),
            "evaluations stage",
        ),
        inv(
            "state.improvements",
            "Improvements are not blank and come from develop: none before 'evaluating', and "
            "some once the group went back from 'evaluating' to 'programmed'.",
            _improvements_ok,
            "improvements stage",
        ),
    )
