"""The volunteer type (*kelompok volunteer / sukarelawan*): people who give their time.

What only this type has, as data (docs/model.md §2.3): needs come with a work
area, a program works in that area, the sixth stage is carrying out the
activities in teams (entered by ``execute``; there is no way back), and a
collaboration builds on a recorded activity. Its texts in other languages are
the ``volunteer`` section of ``locales/*.json``; everything else is the shared
building blocks.
"""

from __future__ import annotations

from kelompok._definition.parts import Event, Stage
from kelompok._formation import effects
from kelompok._formation.blocks import (
    Blueprint,
    Collaboration,
    NeedsStep,
    SixthStage,
    formation_type,
)
from kelompok._formation.groups import FormationGroup, VolunteerGroup
from kelompok._formation.invariants import inv
from kelompok._formation.predicates import (
    kind_is_work_area,
    teams_for_programs,
    teams_of_members,
    work_area_known,
)
from kelompok._formation.program_rules import KindRule
from kelompok._formation.records import FormationData, NewVolunteer, ProblemsPayload, TeamsPayload
from kelompok._formation.requirements import req, state_req
from kelompok._types.group_type import GroupType

__all__ = ["VOLUNTEER", "VOLUNTEER_BLUEPRINT"]

# -- requirements (docs/model.md §3.4) ------------------------------------------------

WORK_AREA_UNKNOWN = req(
    "work_area.unknown",
    "Choose the work area: 'social', 'humanitarian' or 'environmental'.",
    lambda g, p: work_area_known(p.work_area),
)
WORK_AREA_KIND = KindRule("A program's kind must be the group's work area.", kind_is_work_area)
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
BUILDS_ON_ACTIVITY = state_req(
    "collaboration.no_activity",
    "Carry out and record at least one activity before collaborating.",
    lambda g: bool(g.data.activities),
    "record_activity",
)

# -- the way into the sixth stage (docs/model.md §2.3, step 6) -------------------------------

EXECUTE = Event(
    "execute",
    "Carry out the activities in teams",
    moves={"programmed": "executing"},
    payload=TeamsPayload,
    requires=TEAM_RULES,
    effect=effects.execute,
)

# -- invariants (docs/model.md §4.6) -------------------------------------------------------


def _teams_ok(g: FormationGroup) -> bool:
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


WORK_AREA = inv(
    "state.work_area",
    "The work area is one of social, humanitarian, environmental once needs are "
    "identified, and unset before.",
    lambda g: (
        work_area_known(g.data.work_area)
        if g.reached("needs_identified")
        else g.data.work_area is None
    ),
    "work_area stage",
)
TEAMS = inv(
    "state.teams",
    "From 'executing' on there are teams, each of an existing program with at "
    "least one member, all of them members, and every program without a team was "
    "added after 'execute'; before it, none.",
    _teams_ok,
    "teams programs members stage add_program execute",
)
EVALUATIONS = inv(
    "state.evaluations",
    "Evaluations exist only once activities run.",
    lambda g: g.reached("executing") or not g.data.evaluations,
    "evaluations stage",
)
NO_IMPROVEMENTS = inv(
    "state.improvements",
    "A volunteer group keeps no improvements of its own: it has no develop "
    "(its evaluations keep theirs).",
    lambda g: not g.data.improvements,
    "improvements",
)

# -- the type ----------------------------------------------------------------------------


def _new_volunteer(args: NewVolunteer) -> FormationData:
    return FormationData(name=args.name)


VOLUNTEER_BLUEPRINT: Blueprint[VolunteerGroup] = Blueprint(
    name="volunteer",
    label="Volunteer group",
    group_class=VolunteerGroup,
    founding=NewVolunteer,
    initial_data=_new_volunteer,
    needs=NeedsStep(
        stage_label="Problem or need identified",
        event_label="Identify problems or needs",
        payload=ProblemsPayload,
        requires=(WORK_AREA_UNKNOWN,),
    ),
    criteria=("commitment", "motivation"),
    program_kind=WORK_AREA_KIND,
    sixth=SixthStage(
        stage=Stage("executing", "Activities carried out"),
        activities_in="executing",
        before_activities=(EXECUTE,),
    ),
    collaboration=Collaboration(
        stage_label="Collaboration with other volunteer groups",
        builds_on=BUILDS_ON_ACTIVITY,
        after=("record_activity",),
        agreed_after="an activity",
    ),
    invariants=(WORK_AREA, TEAMS, EVALUATIONS, NO_IMPROVEMENTS),
)
"""What makes the volunteer type differ from the professional type."""

VOLUNTEER: GroupType[VolunteerGroup] = formation_type(VOLUNTEER_BLUEPRINT)
"""*Kelompok volunteer / sukarelawan*: people who give time to social,
humanitarian or environmental work."""
