"""The professional type (*kelompok profesi*): people who share one profession.

What only this type has, as data (docs/model.md §2.3): founders and members share
the group's profession, a program is a training, a seminar, a workshop or other,
activities run from ``programmed`` on, the sixth stage is evaluation and
development with ``develop`` as the way back (§3.5), and a collaboration builds
on an evaluation. Its texts in other languages are the ``professional`` section
of ``locales/*.json``; everything else is the shared building blocks.
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
from kelompok._formation.groups import FormationGroup, ProfessionalGroup
from kelompok._formation.invariants import inv
from kelompok._formation.predicates import (
    all_filled,
    blank,
    kind_is_known,
    no_blank,
    same_profession,
)
from kelompok._formation.program_rules import PROGRAMS_DUPLICATE_ID, KindRule, program_rules
from kelompok._formation.records import DevelopPayload, FormationData, NeedsPayload, NewProfessional
from kelompok._formation.requirements import req, state_req
from kelompok._types.group_type import GroupType

__all__ = ["PROFESSIONAL", "PROFESSIONAL_BLUEPRINT"]

# -- requirements (docs/model.md §3.4) ------------------------------------------------

FOUNDERS_PROFESSION = req(
    "founders.profession",
    "Every founder's profession must be the group's profession.",
    lambda g, p: all(same_profession(g, m) for m in p.founders),
)
MEMBER_PROFESSION = req(
    "member.profession",
    "The member's profession must be the group's profession.",
    lambda g, p: same_profession(g, p.member),
)
KNOWN_KIND = KindRule(
    "A program's kind must be 'training', 'seminar', 'workshop' or 'other'.", kind_is_known
)
NO_IMPROVEMENT = req(
    "develop.no_improvement",
    "Name at least one improvement, none of them blank.",
    lambda g, p: all_filled(p.improvements),
)
BUILDS_ON_EVALUATION = state_req(
    "collaboration.no_evaluation",
    "Evaluate at least once before collaborating (evaluate).",
    lambda g: bool(g.data.evaluations),
    "evaluate",
)

# -- the way back (docs/model.md §3.5) --------------------------------------------------

DEVELOP = Event(
    "develop",
    "Develop and improve the programs",
    moves={"evaluating": "programmed"},
    payload=DevelopPayload,
    requires=(
        NO_IMPROVEMENT,
        PROGRAMS_DUPLICATE_ID,
        *program_rules(lambda p: p.programs, KNOWN_KIND),
    ),
    effect=effects.develop,
    back=True,
)

# -- invariants (docs/model.md §4.6) -------------------------------------------------------


def _improvements_ok(g: FormationGroup) -> bool:
    improvements = g.data.improvements
    if not no_blank(improvements):
        return False
    if improvements:
        return g.reached("evaluating")
    # back in 'programmed' after 'evaluating': only develop leads there
    return not (g.stage == "programmed" and g.reached("evaluating"))


DEVELOPED = inv(
    "state.developed",
    "Each develop records at least one improvement; without develop there is none.",
    lambda g: (
        len(g.data.improvements) >= g.event_count("develop")
        and (bool(g.event_count("develop")) or not g.data.improvements)
    ),
    "improvements develop",
)
PROFESSION = inv(
    "state.profession",
    "The group has a profession and every member shares it.",
    lambda g: (
        g.data.profession is not None
        and not blank(g.data.profession)
        and g.data.work_area is None
        and not g.data.teams
    ),
    "profession work_area teams",
    each="members",
    entry=lambda g, _key, m: same_profession(g, m),
    entry_reads="profession",
)
EVALUATIONS = inv(
    "state.evaluations",
    "From 'evaluating' on there is an evaluation; before it, none.",
    lambda g: g.reached("evaluating") == bool(g.data.evaluations),
    "evaluations stage",
)
IMPROVEMENTS = inv(
    "state.improvements",
    "Improvements are not blank and come from develop: none before 'evaluating', and "
    "some once the group went back from 'evaluating' to 'programmed'.",
    _improvements_ok,
    "improvements stage",
)

# -- the type ----------------------------------------------------------------------------


def _new_professional(args: NewProfessional) -> FormationData:
    return FormationData(name=args.name, profession=args.profession)


PROFESSIONAL_BLUEPRINT: Blueprint[ProfessionalGroup] = Blueprint(
    name="professional",
    label="Professional group",
    group_class=ProfessionalGroup,
    founding=NewProfessional,
    initial_data=_new_professional,
    needs=NeedsStep(
        stage_label="Needs identified",
        event_label="Identify needs",
        payload=NeedsPayload,
    ),
    criteria=("competence", "dedication"),
    founder_rules=(FOUNDERS_PROFESSION,),
    member_rules=(MEMBER_PROFESSION,),
    program_kind=KNOWN_KIND,
    sixth=SixthStage(
        stage=Stage("evaluating", "Evaluation and development"),
        activities_in="programmed",
        after_evaluation=(DEVELOP,),
        replaces_programs=("develop",),
    ),
    collaboration=Collaboration(
        stage_label="Collaboration with other professional groups",
        builds_on=BUILDS_ON_EVALUATION,
        after=("evaluate",),
        agreed_after="an evaluation",
    ),
    invariants=(DEVELOPED, PROFESSION, EVALUATIONS, IMPROVEMENTS),
)
"""What makes the professional type differ from the volunteer type."""

PROFESSIONAL: GroupType[ProfessionalGroup] = formation_type(PROFESSIONAL_BLUEPRINT)
"""*Kelompok profesi*: people who share one profession."""
