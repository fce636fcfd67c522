"""The invariants both built-in types share (docs/model.md §4.6), and their shorthand.

Every fact an effect establishes, stated about the data with the stage and the
stages reached (not the history), so that ``load`` refuses data that no event
makes. Each invariant calls the predicate its requirement calls. Where an effect
keeps its payload as a record (a charter, a rejection, the structure, an
activity, an evaluation, a partnership), the invariant is the event's own
requirements, checked on that record, except the ones a later event may undo:

* ``reject.already_member``: the candidate may be admitted later (a founder,
  a member before any reject, never can be rejected);
* ``teams.missing``: ``add_program`` brings programs without a team;
* ``activity.unknown_activity``: ``develop`` may replace the program;
* ``evaluation.goals``: ``adopt_charter`` may replace the charter's goals;
* ``partner.already``, ``program.id_taken``, ``member.already_member``: the
  record is there now; instead, it is stored under its own id.

What only the order or number of events shows (one member per ``admit``, an
officer admitted before ``establish_structure``) is beyond the head's reach.

:func:`shared_invariants` takes what differs between the types as parameters
(the program kind rule, where activities run, what a collaboration builds on).
The invariants only one type has are in its own module
(:mod:`kelompok._formation.professional`, :mod:`kelompok._formation.volunteer`),
listed by its blueprint, and call the same predicates as its requirements.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kelompok._definition.parts import Invariant, Requirement
from kelompok._formation.groups import FormationGroup
from kelompok._formation.predicates import (
    distinct,
    enough_founders,
    no_blank,
    reason_given,
    scores_some_goals,
    some_need,
)
from kelompok._formation.program_rules import KindRule, program_checks
from kelompok._formation.records import Activity, Evaluation, Partnership, Rejection
from kelompok._formation.requirements import (
    ACTIVITY_DATE,
    ACTIVITY_LISTED,
    ACTIVITY_PARTICIPANTS,
    ACTIVITY_PROGRAM,
    CHARTER_RULES,
    COLLABORATION_PURPOSE,
    COLLABORATION_SHARED,
    EVALUATION_FINDINGS,
    EVALUATION_SCORES,
    PARTNER_SELF,
    PARTNER_STAGE,
    PARTNER_TYPE,
    REJECT_REASON,
    STRUCTURE_RULES,
    meets,
)
from kelompok._formation.values import Program

G = FormationGroup


def inv(  # noqa: PLR0913 -- the fields of an Invariant, in short
    code: str,
    en: str,
    check: Callable[[G], bool] | None,
    reads: str,
    *,
    each: str | None = None,
    entry: Callable[[G, Any, Any], bool] | None = None,
    entry_reads: str = "",
    entry_keys: Mapping[str, Callable[[Any], Any]] | None = None,
) -> Invariant:
    """An invariant of the built-in types (shorthand); *reads*: what it reads, space-separated.

    ``reads`` names every data field the check reads, and ``stage`` when it reads
    the stage or ``reached``: ``fire`` checks it only after an event that changed
    one of them. (``id``, ``type``, ``founding`` and ``created_at`` never change.)
    An *entry* check of each entry of the field *each* reads its entry and
    *entry_reads*: after an event that changed only *each*, ``fire`` checks the
    entries it added or replaced, not all of them.
    """
    return Invariant(
        code,
        en,
        check,
        reads=reads.split(),
        each=each,
        entry=entry,
        entry_reads=entry_reads.split() if entry is not None else None,
        entry_keys=entry_keys,
    )


def _iff(reached: bool, present: bool) -> bool:  # noqa: FBT001 -- a pure boolean helper
    return reached == present


# -- the records an event keeps, and the requirements they met for good -------------

REJECTION_KEPT = (REJECT_REASON,)
EVALUATION_KEPT = (EVALUATION_SCORES, EVALUATION_FINDINGS)  # and one activity: the whole check
ACTIVITY_KEPT = (ACTIVITY_PROGRAM, ACTIVITY_PARTICIPANTS, ACTIVITY_DATE)
PARTNERSHIP_KEPT = (
    PARTNER_TYPE,
    PARTNER_SELF,
    PARTNER_STAGE,
    COLLABORATION_PURPOSE,
    COLLABORATION_SHARED,
)

# -- the checks of the shared invariants -------------------------------------------


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


def _rejection_ok(g: G, _i: int, r: Rejection) -> bool:
    return meets(g, r, REJECTION_KEPT) and r.member.id not in g.data.founders


def _evaluation_ok(g: G, _i: int, e: Evaluation) -> bool:
    return meets(g, e, EVALUATION_KEPT) and scores_some_goals(e.goal_results)


def _structure_ok(g: G) -> bool:
    structure = g.data.structure
    if structure is None:
        return not g.reached("structured")
    return g.reached("structured") and meets(g, structure, STRUCTURE_RULES)


def _program_ok(
    checks: Sequence[Callable[[G, Program], bool]],
) -> Callable[[G, str, Program], bool]:
    return lambda g, key, x: key == x.id and all(check(g, x) for check in checks)


def _activity_ok(replaced_by: Sequence[str]) -> Callable[[G, int, Activity], bool]:
    """The entry check of an activity: of an existing program, and one the program lists.

    Unless it was recorded before the program was last replaced (by *replaced_by*).
    """

    def ok(g: G, i: int, a: Activity) -> bool:
        if not meets(g, a, ACTIVITY_KEPT):
            return False
        # the activities recorded before the last replacement: their program may have changed
        recorded = g.event_count("record_activity")
        since = [g.event_count("record_activity", since=e) for e in replaced_by if g.event_count(e)]
        unlisted_ok = recorded - min(since) if since else 0
        return i < unlisted_ok or ACTIVITY_LISTED.check(g, a)

    return ok


def _collaborating_ok(g: G, builds_on: Requirement) -> bool:
    partners = g.data.partners
    if not _iff(g.reached("collaborating"), bool(partners)):
        return False
    return not partners or builds_on.check(g, None)  # of the group alone (Collaboration)


def _partner_ok(g: G, key: str, p: Partnership) -> bool:
    return key == p.partner.id and meets(g, p, PARTNERSHIP_KEPT)


def _dissolution_ok(g: G) -> bool:
    reason = g.data.dissolution
    if g.stage != "dissolved":
        return reason is None
    return reason is not None and reason_given(reason)


def _founding_ok(g: G) -> bool:
    founding = g.founding
    profession = getattr(founding, "profession", None)
    return founding.name == g.data.name and profession == g.data.profession


def _current_goals_ok(g: G, i: int, e: Evaluation) -> bool:
    """Evaluation *i*, if made since the charter was last adopted, scores exactly its goals."""
    charter = g.data.charter
    if charter is None:
        return True
    # the evaluations before the last adopt_charter: a number only adopt_charter changes
    first = g.event_count("evaluate") - g.event_count("evaluate", since="adopt_charter")
    return i < first or set(e.goal_results) == set(charter.goals)


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


def shared_invariants(
    kind: KindRule,
    *,
    activities_in: str,
    replaced_by: Sequence[str],
    builds_on: Requirement,
    agreed_after: str,
) -> tuple[Invariant, ...]:
    """Facts that hold in every reachable group of either built-in type.

    Args:
        kind: the type's program kind rule (``program.kind`` checks it too).
        activities_in: the stage from which activities run (``record_activity``).
        replaced_by: the events that may replace a program, activities and all.
        builds_on: the requirement of ``collaborate`` on what came before it.
        agreed_after: what that is, in words ("an evaluation").
    """
    checks = program_checks(kind)
    return (
        inv(
            "state.current_goals",
            "The evaluations made since the charter was last adopted score exactly its goals.",
            None,
            "",
            each="evaluations",
            entry=_current_goals_ok,
            # it reads evaluate's count too, but only as the number before the last
            # adopt_charter, which evaluate does not change
            entry_reads="charter adopt_charter",
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
            "state.rejections",
            "Every rejection gives a reason and is of someone who is not a founder.",
            None,
            "",
            each="rejections",
            entry=_rejection_ok,
            entry_reads="founders",
        ),
        inv(
            "state.records",
            "Every evaluation follows a recorded activity, scores one or more non-blank goals "
            "from 0 to 100 and has findings.",
            lambda g: not g.data.evaluations or bool(g.data.activities),
            "evaluations activities",
            each="evaluations",
            entry=_evaluation_ok,
        ),
        inv(
            "state.members",
            "Members are keyed by their own id.",
            None,
            "",
            each="members",
            entry=lambda _g, key, m: key == m.id,
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
            lambda g: _iff(g.reached("programmed"), bool(g.data.programs)),
            "programs stage",
            each="programs",
            entry=_program_ok(checks),
            entry_reads="structure work_area",
        ),
        inv(
            "state.activities",
            "Activities are recorded only once activities run; each belongs to an existing "
            "program that lists it (unless develop replaced the program), has a participant "
            "and is not dated before the group was created.",
            lambda g: not g.data.activities or g.reached(activities_in),
            "activities stage",
            each="activities",
            entry=_activity_ok(replaced_by),
            # record_activity's count is read only as the number before the last
            # replacement, which record_activity does not change
            entry_reads=" ".join(("programs", *replaced_by)),
            entry_keys={"programs": operator.attrgetter("program")},  # its own program only
        ),
        inv(
            "state.partners",
            "From 'collaborating' on there is a partner, before it none; each is stored "
            "under its own id and is another live, structured group of the same type, with "
            f"a purpose and something shared, agreed after {agreed_after}.",
            lambda g: _collaborating_ok(g, builds_on),
            "partners activities evaluations stage",
            each="partners",
            entry=_partner_ok,
        ),
        inv(
            "state.dissolution",
            "A dissolution reason, not blank, is recorded exactly when the group is dissolved.",
            _dissolution_ok,
            "dissolution stage",
        ),
    )
