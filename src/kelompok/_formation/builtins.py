"""The two group types of the source document, declared with the public definition API.

Nothing in the engine knows these two types: they are plain data, like a user's.
"""

from __future__ import annotations

from typing import Any

from kelompok._base.lang import Catalog
from kelompok._definition.parts import Event, Requirement, Stage
from kelompok._formation import rules as r
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
    NeedsPayload,
    NewProfessional,
    NewVolunteer,
    Partnership,
    ProblemsPayload,
    ProgramPayload,
    ProgramsPayload,
    Rejection,
    Structure,
    TeamsPayload,
)
from kelompok._types.group_type import GroupType

LIVE = (
    "awareness",
    "needs_identified",
    "core_formed",
    "recruiting",
    "structured",
    "programmed",
)


def _stages(*, volunteer: bool) -> tuple[Stage, ...]:
    needs = (
        Stage(
            "needs_identified",
            "Problem or need identified",
        )
        if volunteer
        else Stage("needs_identified", "Needs identified")
    )
    sixth = (
        Stage("executing", "Activities carried out")
        if volunteer
        else Stage("evaluating", "Evaluation and development")
    )
    kind_en = "volunteer" if volunteer else "professional"
    return (
        Stage("awareness", "Collective awareness"),
        needs,
        Stage("core_formed", "Initial group formed"),
        Stage("recruiting", "Member recruitment"),
        Stage("structured", "Organisational structure formed"),
        Stage("programmed", "Programs and activities formed"),
        sixth,
        Stage(
            "collaborating",
            f"Collaboration with other {kind_en} groups",
        ),
        Stage("dissolved", "Dissolved", terminal=True),
    )


def _after(stage: str, order: tuple[str, ...]) -> tuple[str, ...]:
    return order[order.index(stage) :]


def _events(*, volunteer: bool) -> tuple[Event, ...]:
    run = "executing" if volunteer else "evaluating"
    order = (*LIVE, run, "collaborating")
    stays = dict.fromkeys
    criteria = ("commitment", "motivation") if volunteer else ("competence", "dedication")
    profession: tuple[Requirement, ...] = () if volunteer else (r.MEMBER_PROFESSION,)
    after_evaluation: tuple[Requirement, ...] = (
        (r.COLLABORATE_NEEDS_ACTIVITY,) if volunteer else (r.COLLABORATE_NEEDS_EVALUATION,)
    )
    needs: dict[str, Any] = (
        {
            "label": "Identify problems or needs",
            "payload": ProblemsPayload,
            "requires": (r.NEEDS_MISSING, r.NEEDS_BLANK, r.WORK_AREA_UNKNOWN),
        }
        if volunteer
        else {
            "label": "Identify needs",
            "payload": NeedsPayload,
            "requires": (r.NEEDS_MISSING, r.NEEDS_BLANK),
        }
    )
    events = [
        Event(
            "identify_needs",
            moves={"awareness": "needs_identified"},
            effect=r.identify_needs,
            **needs,
        ),
        Event(
            "form_core_group",
            "Form the initial group",
            moves={"needs_identified": "core_formed"},
            payload=FoundersPayload,
            requires=(r.FOUNDERS_TOO_FEW, r.FOUNDERS_DUPLICATE)
            + (() if volunteer else (r.FOUNDERS_PROFESSION,)),
            effect=r.form_core_group,
        ),
        Event(
            "adopt_charter",
            "Adopt vision, mission, goals and steps",
            moves=stays(_after("core_formed", order)),
            payload=Charter,
            requires=r.CHARTER_RULES,
            effect=r.adopt_charter,
        ),
        Event(
            "open_recruitment",
            "Open member recruitment",
            moves={"core_formed": "recruiting"},
            requires=(r.CHARTER_MISSING,),
            after=("adopt_charter",),
        ),
        Event(
            "admit",
            "Admit a member after selection",
            moves=stays(_after("recruiting", order)),
            payload=AdmitPayload,
            requires=(r.NOT_YET_MEMBER, *r.selection_rules(criteria), *profession),
            effect=r.admit,
        ),
        Event(
            "reject",
            "Reject a candidate",
            moves=stays(_after("recruiting", order)),
            payload=Rejection,
            requires=r.REJECT_RULES,
            effect=r.reject,
        ),
        Event(
            "establish_structure",
            "Establish the organisational structure",
            moves={"recruiting": "structured"},
            payload=Structure,
            requires=r.STRUCTURE_RULES,
            effect=r.establish_structure,
            after=("admit",),
        ),
        Event(
            "plan_programs",
            "Plan programs and activities",
            moves={"structured": "programmed"},
            payload=ProgramsPayload,
            requires=r.plan_rules(volunteer=volunteer),
            effect=r.plan_programs,
        ),
        Event(
            "add_program",
            "Add a program",
            moves=stays(_after("programmed", order)),
            payload=ProgramPayload,
            requires=r.add_rules(volunteer=volunteer),
            effect=r.add_program,
        ),
        Event(
            "record_activity",
            "Record an activity that was held",
            moves=stays(
                (run, "collaborating") if volunteer else ("programmed", run, "collaborating")
            ),
            payload=Activity,
            requires=r.ACTIVITY_RULES,
            effect=r.record_activity,
        ),
        Event(
            "evaluate",
            "Evaluate the results",
            moves=stays((run, "collaborating"))
            if volunteer
            else {"programmed": run, run: None, "collaborating": None},
            payload=Evaluation,
            requires=r.EVALUATE_RULES,
            effect=r.evaluate,
            after=("record_activity",),
        ),
        Event(
            "collaborate",
            "Collaborate with another group of the same kind",
            moves={run: "collaborating", "collaborating": None},
            payload=Partnership,
            requires=(*r.COLLABORATE_RULES, *after_evaluation),
            effect=r.collaborate,
            after=("record_activity",) if volunteer else ("evaluate",),
        ),
        Event(
            "dissolve",
            "Dissolve the group",
            moves=dict.fromkeys(order, "dissolved"),
            payload=DissolvePayload,
            requires=r.DISSOLVE_RULES,
            effect=r.dissolve,
        ),
    ]
    if volunteer:
        events.insert(
            _position(events, "record_activity"),
            Event(
                "execute",
                "Carry out the activities in teams",
                moves={"programmed": "executing"},
                payload=TeamsPayload,
                requires=r.TEAM_RULES,
                effect=r.execute,
            ),
        )
    else:
        events.insert(
            _position(events, "collaborate"),
            Event(
                "develop",
                "Develop and improve the programs",
                moves={"evaluating": "programmed"},
                payload=DevelopPayload,
                requires=r.develop_rules(),
                effect=r.develop,
                back=True,
            ),
        )
    return tuple(events)


def _position(events: list[Event], name: str) -> int:
    return next(i for i, e in enumerate(events) if e.name == name)


def _new_professional(args: NewProfessional) -> FormationData:
    return FormationData(name=args.name, profession=args.profession)


_SHARED = Catalog("formation")


def _translations(type_name: str) -> dict[str, dict[str, str]]:
    """The catalogs' texts for the type: the shared section, then the type's own."""
    own = Catalog(type_name).texts
    shared = _SHARED.texts
    return {lang: {**shared.get(lang, {}), **own.get(lang, {})} for lang in {*shared, *own}}


def _new_volunteer(args: NewVolunteer) -> FormationData:
    return FormationData(name=args.name)


PROFESSIONAL: GroupType[FormationGroup] = GroupType(
    name="professional",
    label="Professional group",
    stages=_stages(volunteer=False),
    events=_events(volunteer=False),
    data=FormationData,
    founding=NewProfessional,
    initial_data=_new_professional,
    group_class=FormationGroup,
    invariants=r.formation_invariants(volunteer=False),
    translations=_translations("professional"),
)
"""*Kelompok profesi*: people who share one profession."""

VOLUNTEER: GroupType[FormationGroup] = GroupType(
    name="volunteer",
    label="Volunteer group",
    stages=_stages(volunteer=True),
    events=_events(volunteer=True),
    data=FormationData,
    founding=NewVolunteer,
    initial_data=_new_volunteer,
    group_class=FormationGroup,
    invariants=r.formation_invariants(volunteer=True),
    translations=_translations("volunteer"),
)
"""*Kelompok volunteer / sukarelawan*: people who give time to social,
humanitarian or environmental work."""
