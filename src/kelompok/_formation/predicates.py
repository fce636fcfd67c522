"""The rules of the built-in types, each written once.

A requirement checks a rule on the payload an event brings; the invariant that
states the same fact checks it again on what the effect stored (docs/model.md
§4.6). Both call the function here, so the two can never drift apart. Every
function is pure: it reads values and the group, and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from kelompok._formation.groups import FormationGroup
from kelompok._formation.values import Division, Member, PartnerRef, Program

G = FormationGroup

WORK_AREAS = ("social", "humanitarian", "environmental")
"""A volunteer group's possible work areas (docs/model.md §2.3)."""

PROGRAM_KINDS = ("training", "seminar", "workshop", "other")
"""A professional group's program kinds (docs/model.md §2.3)."""

SHAREABLE = ("experience", "knowledge", "resources", "ideas")
"""What partners may share (docs/model.md §3.4, ``collaborate``)."""

# -- texts -------------------------------------------------------------------------


def blank(text: str) -> bool:
    """Empty or white space only (docs/model.md §3.4)."""
    return not text.strip()


def all_filled(texts: Sequence[str]) -> bool:
    """At least one text, and none blank."""
    return bool(texts) and not any(blank(t) for t in texts)


def no_blank(texts: Sequence[str]) -> bool:
    """None of *texts* is blank (there may be none)."""
    return not any(blank(t) for t in texts)


def some_need(needs: Sequence[str]) -> bool:
    """At least one need that is not blank."""
    return any(not blank(n) for n in needs)


def reason_given(reason: str) -> bool:
    """A dissolution reason that says something."""
    return not blank(reason)


# -- ids and people ------------------------------------------------------------------


def distinct(ids: Sequence[str]) -> bool:
    """No id appears twice."""
    return len(set(ids)) == len(ids)


def enough_founders(ids: Sequence[str]) -> bool:
    """At least two distinct founder ids."""
    return len(set(ids)) >= 2


def same_profession(group: G, member: Member) -> bool:
    """Whether *member* shares the group's profession (case-insensitive)."""
    mine = group.data.profession
    theirs = member.profession
    return (
        mine is not None
        and theirs is not None
        and mine.strip().casefold() == theirs.strip().casefold()
    )


def work_area_known(area: str | None) -> bool:
    """One of the source's three work areas."""
    return area in WORK_AREAS


def heads_are_members(g: G, divisions: Sequence[Division]) -> bool:
    """Every division head (if any) is a member."""
    return all(d.head is None or d.head in g.data.members for d in divisions)


# -- programs --------------------------------------------------------------------------


def division_names(g: G) -> set[str]:
    """The names of the group's divisions (none before its structure)."""
    s = g.data.structure
    return {d.name for d in s.divisions} if s is not None else set()


def division_exists(g: G, program: Program) -> bool:
    """The program names one of the group's divisions."""
    return program.division in division_names(g)


def activities_listed(g: G, program: Program) -> bool:  # noqa: ARG001 -- a program check
    """The program has at least one activity, none blank."""
    return all_filled(program.activities)


def kind_is_known(g: G, program: Program) -> bool:  # noqa: ARG001 -- a program check
    """A professional program is of one of the known kinds (docs/model.md §2.3)."""
    return program.kind in PROGRAM_KINDS


def kind_is_work_area(g: G, program: Program) -> bool:
    """A volunteer program works in the group's own area (docs/model.md §2.3)."""
    return program.kind == g.data.work_area


# -- teams, activities, evaluations ------------------------------------------------------


def teams_for_programs(g: G, teams: Mapping[str, Sequence[str]]) -> bool:
    """Every team is the team of an existing program."""
    return all(pid in g.data.programs for pid in teams)


def teams_of_members(g: G, teams: Mapping[str, Sequence[str]]) -> bool:
    """Every team member is a member of the group."""
    return all(m in g.data.members for team in teams.values() for m in team)


def held_since_creation(g: G, day: dt.date) -> bool:
    """*day* is not before the (UTC) day the group was created."""
    return day >= g.created_at.date()


def scores_in_range(results: Mapping[str, int]) -> bool:
    """Goal scores are from 0 to 100."""
    return all(0 <= s <= 100 for s in results.values())


def scores_some_goals(results: Mapping[str, int]) -> bool:
    """The goals of some adopted charter: at least one, none blank."""
    return all_filled(tuple(results))


# -- partners ------------------------------------------------------------------------------


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
