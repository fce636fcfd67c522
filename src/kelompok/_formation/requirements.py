"""The requirements both built-in types share (docs/model.md §3.4), and their builders.

Each requirement has its stable code and English message here; its other
languages are in the ``formation`` section of ``locales/*.json``. A check takes
``(group, payload)`` and is True when the rule is met; it calls the predicate of
:mod:`kelompok._formation.predicates` that the matching invariant calls too.
Where the types differ, a builder takes the difference as a parameter (the
selection criteria here, the program kind rule in
:mod:`kelompok._formation.program_rules`) and each type's blueprint passes its
own; the requirements only one type has are in its own module, as its texts are
in its own section of the catalogs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from kelompok._definition.parts import Requirement
from kelompok._formation.groups import FormationGroup
from kelompok._formation.predicates import (
    all_filled,
    blank,
    distinct,
    enough_founders,
    heads_are_members,
    held_since_creation,
    no_blank,
    partner_stage_ok,
    reason_given,
    scores_in_range,
    shares_allowed,
    some_need,
)
from kelompok._formation.records import Activity, AdmitPayload, FoundersPayload, Structure

G = FormationGroup


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


def meets(g: G, record: Any, rules: Sequence[Requirement]) -> bool:
    """Whether a stored *record* (the payload an effect kept as it was) meets *rules*.

    The invariants use it with the requirements the record met when it was
    stored and that no later event can undo.
    """
    return all(rule.check(g, record) for rule in rules)


# -- identify_needs ------------------------------------------------------------

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


def selection_rules(criteria: Sequence[str], pass_mark: int = 3) -> tuple[Requirement, ...]:
    """The selection requirements for the *criteria* (their names; docs/model.md §2.3)."""
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

# -- record_activity ----------------------------------------------------------


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

# -- evaluate ------------------------------------------------------------------

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

DISSOLVE_RULES = (
    req(
        "dissolve.reason_blank",
        "Give the reason for dissolving the group.",
        lambda g, p: reason_given(p.reason),
    ),
)
