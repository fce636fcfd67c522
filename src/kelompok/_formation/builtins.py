"""The two group types of the source document, declared with the public definition API.

Nothing in the engine knows these two types: they are plain data, like a user's.
"""

from __future__ import annotations

from typing import Any

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
            "Identifikasi masalah atau kebutuhan",
        )
        if volunteer
        else Stage("needs_identified", "Needs identified", "Identifikasi kebutuhan")
    )
    sixth = (
        Stage("executing", "Activities carried out", "Pelaksanaan kegiatan")
        if volunteer
        else Stage("evaluating", "Evaluation and development", "Evaluasi dan pengembangan")
    )
    kind_en, kind_id = ("volunteer", "volunteer") if volunteer else ("professional", "profesi")
    return (
        Stage("awareness", "Collective awareness", "Kesadaran kolektif"),
        needs,
        Stage("core_formed", "Initial group formed", "Pembentukan kelompok awal"),
        Stage("recruiting", "Member recruitment", "Rekrutmen anggota"),
        Stage("structured", "Organisational structure formed", "Pembentukan struktur organisasi"),
        Stage("programmed", "Programs and activities formed", "Pembentukan program dan kegiatan"),
        sixth,
        Stage(
            "collaborating",
            f"Collaboration with other {kind_en} groups",
            f"Kolaborasi dengan kelompok {kind_id} lain",
        ),
        Stage("dissolved", "Dissolved", "Dibubarkan", terminal=True),
    )


def _after(stage: str, order: tuple[str, ...]) -> tuple[str, ...]:
    return order[order.index(stage) :]


def _events(*, volunteer: bool) -> tuple[Event, ...]:
    run = "executing" if volunteer else "evaluating"
    order = (*LIVE, run, "collaborating")
    stays = dict.fromkeys
    criteria = (
        (("commitment", "komitmen"), ("motivation", "motivasi"))
        if volunteer
        else (("competence", "kompetensi"), ("dedication", "dedikasi"))
    )
    profession: tuple[Requirement, ...] = () if volunteer else (r.MEMBER_PROFESSION,)
    after_evaluation: tuple[Requirement, ...] = (
        (r.COLLABORATE_NEEDS_ACTIVITY,) if volunteer else (r.COLLABORATE_NEEDS_EVALUATION,)
    )
    needs: dict[str, Any] = (
        {
            "en": "Identify problems or needs",
            "id": "Mengidentifikasi masalah atau kebutuhan",
            "payload": ProblemsPayload,
            "requires": (r.NEEDS_MISSING, r.NEEDS_BLANK, r.WORK_AREA_UNKNOWN),
        }
        if volunteer
        else {
            "en": "Identify needs",
            "id": "Mengidentifikasi kebutuhan",
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
            "Membentuk kelompok awal",
            moves={"needs_identified": "core_formed"},
            payload=FoundersPayload,
            requires=(r.FOUNDERS_TOO_FEW, r.FOUNDERS_DUPLICATE)
            + (() if volunteer else (r.FOUNDERS_PROFESSION,)),
            effect=r.form_core_group,
        ),
        Event(
            "adopt_charter",
            "Adopt vision, mission, goals and steps",
            "Menyusun visi, misi, tujuan, dan langkah-langkah",
            moves=stays(_after("core_formed", order)),
            payload=Charter,
            requires=r.CHARTER_RULES,
            effect=r.adopt_charter,
        ),
        Event(
            "open_recruitment",
            "Open member recruitment",
            "Membuka rekrutmen anggota",
            moves={"core_formed": "recruiting"},
            requires=(r.CHARTER_MISSING,),
            after=("adopt_charter",),
        ),
        Event(
            "admit",
            "Admit a member after selection",
            "Menerima anggota setelah seleksi",
            moves=stays(_after("recruiting", order)),
            payload=AdmitPayload,
            requires=(r.NOT_YET_MEMBER, *r.selection_rules(criteria), *profession),
            effect=r.admit,
        ),
        Event(
            "reject",
            "Reject a candidate",
            "Menolak calon anggota",
            moves=stays(_after("recruiting", order)),
            payload=Rejection,
            requires=r.REJECT_RULES,
            effect=r.reject,
        ),
        Event(
            "establish_structure",
            "Establish the organisational structure",
            "Membentuk struktur organisasi",
            moves={"recruiting": "structured"},
            payload=Structure,
            requires=r.STRUCTURE_RULES,
            effect=r.establish_structure,
            after=("admit",),
        ),
        Event(
            "plan_programs",
            "Plan programs and activities",
            "Merumuskan program dan kegiatan",
            moves={"structured": "programmed"},
            payload=ProgramsPayload,
            requires=r.plan_rules(volunteer=volunteer),
            effect=r.plan_programs,
        ),
        Event(
            "add_program",
            "Add a program",
            "Menambah program",
            moves=stays(_after("programmed", order)),
            payload=ProgramPayload,
            requires=r.add_rules(volunteer=volunteer),
            effect=r.add_program,
        ),
        Event(
            "record_activity",
            "Record an activity that was held",
            "Mencatat kegiatan yang dilaksanakan",
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
            "Mengevaluasi hasil",
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
            "Berkolaborasi dengan kelompok sejenis",
            moves={run: "collaborating", "collaborating": None},
            payload=Partnership,
            requires=(*r.COLLABORATE_RULES, *after_evaluation),
            effect=r.collaborate,
            after=("record_activity",) if volunteer else ("evaluate",),
        ),
        Event(
            "dissolve",
            "Dissolve the group",
            "Membubarkan kelompok",
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
                "Melaksanakan kegiatan dalam tim",
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
                "Melakukan pengembangan program",
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


def _new_volunteer(args: NewVolunteer) -> FormationData:
    return FormationData(name=args.name)


PROFESSIONAL: GroupType[FormationGroup] = GroupType(
    name="professional",
    en="Professional group",
    id="Kelompok profesi",
    stages=_stages(volunteer=False),
    events=_events(volunteer=False),
    data=FormationData,
    founding=NewProfessional,
    initial_data=_new_professional,
    group_class=FormationGroup,
    invariants=r.formation_invariants(volunteer=False),
)
"""*Kelompok profesi*: people who share one profession."""

VOLUNTEER: GroupType[FormationGroup] = GroupType(
    name="volunteer",
    en="Volunteer group",
    id="Kelompok volunteer",
    stages=_stages(volunteer=True),
    events=_events(volunteer=True),
    data=FormationData,
    founding=NewVolunteer,
    initial_data=_new_volunteer,
    group_class=FormationGroup,
    invariants=r.formation_invariants(volunteer=True),
)
"""*Kelompok volunteer / sukarelawan*: people who give time to social,
humanitarian or environmental work."""
