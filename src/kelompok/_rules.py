"""Requirements, effects and invariants of the two built-in formation types.

Each rule is one small function; ``_builtins.py`` decides which event of which
type uses it. Checks take ``(group, payload)`` and return True when the rule is
met; effects return the group's new (frozen) data and never mutate the old.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, TypeVar

import attrs

from kelompok._definition import Invariant, Requirement
from kelompok._formation import (
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
from kelompok._values import Division, Member, PartnerRef, Program

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


# -- predicates on values: each rule is written once, for requirements and invariants


def heads_are_members(g: G, divisions: Sequence[Division]) -> bool:
    """Every division head (if any) is a member."""
    return all(d.head is None or d.head in g.data.members for d in divisions)


def kind_allowed(g: G, program: Program, *, volunteer: bool) -> bool:
    """A volunteer program works in the group's area; a professional one is of a known kind."""
    return program.kind == g.data.work_area if volunteer else program.kind in PROGRAM_KINDS


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


def req(code: str, en: str, id_: str, check: Callable[[G, Any], bool]) -> Requirement:
    """A requirement of the built-in types (shorthand)."""
    return Requirement(code=code, en=en, id=id_, check=check)


def state_req(code: str, en: str, id_: str, check: Callable[[G], bool]) -> Requirement:
    """A requirement about the group alone, which ``next_steps`` can tell before any payload."""
    return Requirement(code=code, en=en, id=id_, check=lambda g, _: check(g), needs_payload=False)


# -- identify_needs ------------------------------------------------------------

NEEDS_MISSING = req(
    "needs.missing",
    "Name at least one need the group answers.",
    "Sebutkan minimal satu kebutuhan yang ingin dipenuhi kelompok.",
    lambda g, p: any(not blank(n) for n in p.needs),
)
NEEDS_BLANK = req(
    "needs.blank",
    "Needs must not be blank; remove the empty ones.",
    "Kebutuhan tidak boleh kosong; hapus yang kosong.",
    lambda g, p: not any(blank(n) for n in p.needs),
)


def _work_area_known(g: G, p: ProblemsPayload) -> bool:
    return p.work_area in WORK_AREAS


WORK_AREA_UNKNOWN = req(
    "work_area.unknown",
    "Choose the work area: 'social', 'humanitarian' or 'environmental'.",
    "Tentukan bidang kerja: 'social' (sosial), 'humanitarian' (kemanusiaan) atau "
    "'environmental' (lingkungan).",
    _work_area_known,
)

# -- form_core_group -----------------------------------------------------------

FOUNDERS_TOO_FEW = req(
    "founders.too_few",
    "An initial group needs at least 2 founders with distinct ids.",
    "Kelompok awal memerlukan minimal 2 pendiri dengan id yang berbeda.",
    lambda g, p: len({m.id for m in p.founders}) >= 2,
)
FOUNDERS_DUPLICATE = req(
    "founders.duplicate",
    "Each founder may appear only once: founder ids must be distinct.",
    "Setiap pendiri hanya boleh muncul sekali: id pendiri harus berbeda.",
    lambda g, p: len({m.id for m in p.founders}) == len(p.founders),
)
FOUNDERS_PROFESSION = req(
    "founders.profession",
    "Every founder's profession must be the group's profession.",
    "Profesi setiap pendiri harus sama dengan profesi kelompok.",
    lambda g, p: all(same_profession(g, m) for m in p.founders),
)

# -- adopt_charter / open_recruitment ------------------------------------------

CHARTER_RULES = (
    req(
        "charter.vision_blank",
        "Write the vision; it must not be blank.",
        "Tuliskan visi; visi tidak boleh kosong.",
        lambda g, p: not blank(p.vision),
    ),
    req(
        "charter.mission_blank",
        "Write the mission; it must not be blank.",
        "Tuliskan misi; misi tidak boleh kosong.",
        lambda g, p: not blank(p.mission),
    ),
    req(
        "charter.goals_missing",
        "List at least one goal, none of them blank.",
        "Tuliskan minimal satu tujuan, tidak ada yang kosong.",
        lambda g, p: all_filled(p.goals),
    ),
    req(
        "charter.steps_missing",
        "List at least one step towards the goals, none of them blank.",
        "Rumuskan minimal satu langkah untuk mencapai tujuan, tidak ada yang kosong.",
        lambda g, p: all_filled(p.steps),
    ),
)


def _has_charter(g: G) -> bool:
    c = g.data.charter
    return c is not None and not blank(c.vision) and not blank(c.mission) and all_filled(c.goals)


CHARTER_MISSING = state_req(
    "charter.missing",
    "Adopt a charter with a vision, a mission and at least one goal first (adopt_charter).",
    "Susun dahulu visi, misi, dan minimal satu tujuan kelompok (adopt_charter).",
    _has_charter,
)

# -- admit / reject ------------------------------------------------------------

NOT_YET_MEMBER = req(
    "member.already_member",
    "This person is already a member (same member id).",
    "Orang ini sudah menjadi anggota (id anggota sama).",
    lambda g, p: p.member.id not in g.data.members,
)
MEMBER_PROFESSION = req(
    "member.profession",
    "The member's profession must be the group's profession.",
    "Profesi anggota harus sama dengan profesi kelompok.",
    lambda g, p: same_profession(g, p.member),
)


def selection_rules(
    criteria: Sequence[tuple[str, str]], pass_mark: int = 3
) -> tuple[Requirement, ...]:
    """The selection requirements for *criteria* (``(name, Indonesian label)`` pairs)."""
    names = [name for name, _ in criteria]
    en_list = ", ".join(names)
    id_list = ", ".join(f"{name} ({label})" for name, label in criteria)

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
            "Beri nilai untuk semua kriteria seleksi ini, tidak lebih dan tidak kurang: "
            f"{id_list}.",
            scored,
        ),
        req(
            "selection.score_range",
            "Every selection score must be a whole number from 1 to 5.",
            "Setiap nilai seleksi harus bilangan bulat dari 1 sampai 5.",
            in_range,
        ),
        req(
            "selection.below_pass_mark",
            f"Every criterion must score at least the pass mark of {pass_mark}; "
            "record a candidate below it with reject.",
            f"Setiap kriteria harus mencapai nilai lulus minimal {pass_mark}; "
            "catat calon yang tidak lulus dengan reject.",
            passed,
        ),
    )


REJECT_RULES = (
    req(
        "reject.reason_blank",
        "Give the reason for the selection decision.",
        "Berikan alasan keputusan seleksi.",
        lambda g, p: not blank(p.reason),
    ),
    req(
        "reject.already_member",
        "This person is already a member; only a candidate can be rejected.",
        "Orang ini sudah menjadi anggota; hanya calon anggota yang dapat ditolak.",
        lambda g, p: p.member.id not in g.data.members,
    ),
)

# -- establish_structure -------------------------------------------------------


def _officers(p: Structure) -> tuple[str, str, str]:
    return (p.chair, p.secretary, p.treasurer)


def _division_names_ok(names: Sequence[str]) -> bool:
    return not any(blank(n) for n in names) and len(set(names)) == len(names)


STRUCTURE_RULES = (
    state_req(
        "structure.no_new_members",
        "Admit at least one member besides the founders before forming the structure (admit).",
        "Terima minimal satu anggota baru selain pendiri sebelum membentuk struktur (admit).",
        lambda g: len(g.data.members) > len(g.data.founders),
    ),
    req(
        "structure.officer_not_member",
        "Chair, secretary and treasurer must be members (give their member ids).",
        "Ketua, sekretaris, dan bendahara harus anggota (gunakan id anggota).",
        lambda g, p: all(o in g.data.members for o in _officers(p)),
    ),
    req(
        "structure.officers_not_distinct",
        "Chair, secretary and treasurer must be three different members.",
        "Ketua, sekretaris, dan bendahara harus tiga anggota yang berbeda.",
        lambda g, p: len(set(_officers(p))) == 3,
    ),
    req(
        "structure.no_divisions",
        "Set up at least one division.",
        "Bentuk minimal satu divisi.",
        lambda g, p: bool(p.divisions),
    ),
    req(
        "structure.division_names",
        "Division names must be non-blank and unique.",
        "Nama divisi tidak boleh kosong dan tidak boleh sama.",
        lambda g, p: _division_names_ok([d.name for d in p.divisions]),
    ),
    req(
        "structure.head_not_member",
        "A division's head must be a member.",
        "Kepala divisi harus anggota kelompok.",
        lambda g, p: heads_are_members(g, p.divisions),
    ),
)

# -- programs ------------------------------------------------------------------


def _division_names(g: G) -> set[str]:
    s = g.data.structure
    return {d.name for d in s.divisions} if s is not None else set()


def program_rules(
    programs_of: Callable[[Any], Sequence[Program]], *, volunteer: bool
) -> tuple[Requirement, ...]:
    """The checks every program must pass, whichever event brings it."""
    if volunteer:
        kind = req(
            "program.kind",
            "A program's kind must be the group's work area.",
            "Jenis program harus sesuai dengan bidang kerja kelompok.",
            lambda g, p: all(kind_allowed(g, x, volunteer=True) for x in programs_of(p)),
        )
    else:
        kind = req(
            "program.kind",
            "A program's kind must be 'training', 'seminar', 'workshop' or 'other'.",
            "Jenis program harus 'training' (pelatihan), 'seminar', 'workshop' atau "
            "'other' (kegiatan lain).",
            lambda g, p: all(kind_allowed(g, x, volunteer=False) for x in programs_of(p)),
        )
    return (
        req(
            "program.no_activities",
            "Every program needs at least one activity, none of them blank.",
            "Setiap program memerlukan minimal satu kegiatan, tidak ada yang kosong.",
            lambda g, p: all(all_filled(x.activities) for x in programs_of(p)),
        ),
        req(
            "program.unknown_division",
            "Every program must name an existing division.",
            "Setiap program harus menyebut divisi yang ada.",
            lambda g, p: all(x.division in _division_names(g) for x in programs_of(p)),
        ),
        kind,
    )


PROGRAMS_MISSING = req(
    "programs.missing",
    "Plan at least one program.",
    "Rumuskan minimal satu program.",
    lambda g, p: bool(p.programs),
)
PROGRAM_ID_TAKEN = req(
    "program.id_taken",
    "A program with this id exists already; choose another id.",
    "Program dengan id ini sudah ada; gunakan id lain.",
    lambda g, p: p.program.id not in g.data.programs,
)


PROGRAMS_DUPLICATE_ID = req(
    "programs.duplicate_id",
    "Program ids must be unique.",
    "Id program tidak boleh sama.",
    lambda g, p: len({x.id for x in p.programs}) == len(p.programs),
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
        "Bentuk tim minimal satu anggota untuk setiap program.",
        lambda g, p: all(p.teams.get(pid) for pid in g.data.programs),
    ),
    req(
        "teams.unknown_program",
        "Teams can only be given to existing programs.",
        "Tim hanya dapat dibentuk untuk program yang ada.",
        lambda g, p: all(pid in g.data.programs for pid in p.teams),
    ),
    req(
        "teams.not_members",
        "Every team member must be a member of the group.",
        "Setiap anggota tim harus anggota kelompok.",
        lambda g, p: all(m in g.data.members for team in p.teams.values() for m in team),
    ),
)


def _lists_activity(g: G, p: Activity) -> bool:
    program = g.data.programs.get(p.program)
    return program is None or p.activity in program.activities


ACTIVITY_RULES = (
    req(
        "activity.unknown_program",
        "The activity must belong to an existing program.",
        "Kegiatan harus termasuk program yang ada.",
        lambda g, p: p.program in g.data.programs,
    ),
    req(
        "activity.unknown_activity",
        "The activity must be one of the program's activities.",
        "Kegiatan harus salah satu kegiatan dalam program tersebut.",
        _lists_activity,
    ),
    req(
        "activity.participants",
        "An activity needs at least one participant.",
        "Kegiatan memerlukan minimal satu peserta.",
        lambda g, p: p.participants >= 1,
    ),
    req(
        "activity.before_creation",
        "held_on cannot be before the group was created.",
        "Tanggal kegiatan tidak boleh sebelum kelompok dibentuk.",
        lambda g, p: held_since_creation(g, p.held_on),
    ),
)

# -- evaluate / develop --------------------------------------------------------

EVALUATE_RULES = (
    state_req(
        "evaluation.no_activity",
        "Record at least one activity before evaluating (record_activity).",
        "Catat minimal satu kegiatan sebelum evaluasi (record_activity).",
        lambda g: bool(g.data.activities),
    ),
    req(
        "evaluation.goals",
        "Score every goal of the charter, and nothing else.",
        "Beri nilai untuk setiap tujuan dalam piagam, dan hanya itu.",
        lambda g, p: (
            g.data.charter is not None and set(p.goal_results) == set(g.data.charter.goals)
        ),
    ),
    req(
        "evaluation.score_range",
        "Goal scores must be from 0 to 100.",
        "Nilai tujuan harus dari 0 sampai 100.",
        lambda g, p: scores_in_range(p.goal_results),
    ),
    req(
        "evaluation.findings_blank",
        "Write down the findings of the evaluation.",
        "Tuliskan temuan hasil evaluasi.",
        lambda g, p: not blank(p.findings),
    ),
)

DEVELOP_RULES = (
    req(
        "develop.no_improvement",
        "Name at least one improvement, none of them blank.",
        "Sebutkan minimal satu perbaikan, tidak ada yang kosong.",
        lambda g, p: all_filled(p.improvements),
    ),
)

# -- collaborate / dissolve ----------------------------------------------------


COLLABORATE_RULES = (
    req(
        "partner.same_type",
        "The partner must be a group of the same type.",
        "Mitra harus kelompok dengan jenis yang sama.",
        lambda g, p: p.partner.type == g.type.name,
    ),
    req(
        "partner.self",
        "A group cannot collaborate with itself.",
        "Kelompok tidak dapat berkolaborasi dengan dirinya sendiri.",
        lambda g, p: p.partner.id != g.id,
    ),
    req(
        "partner.stage",
        "The partner must have its organisational structure (stage 'structured' or later) "
        "and must not be dissolved.",
        "Mitra harus sudah memiliki struktur organisasi (tahap 'structured' atau sesudahnya) "
        "dan belum dibubarkan.",
        lambda g, p: partner_stage_ok(g, p.partner),
    ),
    req(
        "partner.already",
        "This group is already a partner.",
        "Kelompok ini sudah menjadi mitra.",
        lambda g, p: p.partner.id not in g.data.partners,
    ),
    req(
        "collaboration.purpose_blank",
        "Say what the collaboration is for.",
        "Sebutkan tujuan kolaborasi.",
        lambda g, p: not blank(p.purpose),
    ),
    req(
        "collaboration.shared",
        "Share at least one of 'experience', 'knowledge', 'resources', 'ideas', and nothing else.",
        "Bagikan minimal satu dari 'experience' (pengalaman), 'knowledge' (pengetahuan), "
        "'resources' (sumber daya), 'ideas' (ide); selain itu tidak boleh.",
        lambda g, p: shares_allowed(p.shared),
    ),
)
COLLABORATE_NEEDS_ACTIVITY = state_req(
    "collaboration.no_activity",
    "Carry out and record at least one activity before collaborating.",
    "Laksanakan dan catat minimal satu kegiatan sebelum berkolaborasi.",
    lambda g: bool(g.data.activities),
)
COLLABORATE_NEEDS_EVALUATION = state_req(
    "collaboration.no_evaluation",
    "Evaluate at least once before collaborating (evaluate).",
    "Lakukan evaluasi minimal sekali sebelum berkolaborasi (evaluate).",
    lambda g: bool(g.data.evaluations),
)
DISSOLVE_RULES = (
    req(
        "dissolve.reason_blank",
        "Give the reason for dissolving the group.",
        "Berikan alasan pembubaran kelompok.",
        lambda g, p: not blank(p.reason),
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
    """A read-only view of a dict that nobody else holds: ``frozen_map`` keeps it, uncopied."""
    return MappingProxyType(mapping)


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
    return _evolve(g, members=_fresh({**g.data.members, p.member.id: p.member}))


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
    return _evolve(g, programs=_fresh({**g.data.programs, p.program.id: p.program}))


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
    return _evolve(g, partners=_fresh({**g.data.partners, p.partner.id: p}))


def dissolve(g: G, p: DissolvePayload) -> FormationData:
    """Keep the reason."""
    return _evolve(g, dissolution=p.reason)


# -- invariants ----------------------------------------------------------------


def inv(code: str, en: str, id_: str, check: Callable[[G], bool]) -> Invariant:
    """An invariant of the built-in types (shorthand)."""
    return Invariant(code=code, en=en, id=id_, check=check)


def _iff(reached: bool, present: bool) -> bool:  # noqa: FBT001 -- a pure boolean helper
    return reached == present


def _structure_ok(g: G) -> bool:
    s = g.data.structure
    if s is None:
        return False
    officers = (s.chair, s.secretary, s.treasurer)
    members = g.data.members
    return (
        len(set(officers)) == 3
        and all(o in members for o in officers)
        and bool(s.divisions)
        and _division_names_ok([d.name for d in s.divisions])
        and heads_are_members(g, s.divisions)
        and len(members) > len(g.data.founders)
    )


def _programs_ok(g: G, *, volunteer: bool) -> bool:
    divisions = _division_names(g)
    return all(
        x.division in divisions
        and all_filled(x.activities)
        and kind_allowed(g, x, volunteer=volunteer)
        for x in g.data.programs.values()
    )


def _activities_ok(g: G) -> bool:
    # Only the program must still exist: ``develop`` may replace a program with
    # new activities, and what was recorded before stays recorded as it was.
    programs = g.data.programs
    return all(
        a.program in programs and a.participants >= 1 and held_since_creation(g, a.held_on)
        for a in g.data.activities
    )


def _partners_ok(g: G) -> bool:
    return all(
        key == p.partner.id
        and p.partner.type == g.type.name
        and p.partner.id != g.id
        and partner_stage_ok(g, p.partner)
        and not blank(p.purpose)
        and shares_allowed(p.shared)
        for key, p in g.data.partners.items()
    )


def _records_ok(g: G) -> bool:
    evaluations_ok = all(
        scores_in_range(e.goal_results) and not blank(e.findings) for e in g.data.evaluations
    )
    return evaluations_ok and all(not blank(r.reason) for r in g.data.rejections)


def _founding_ok(g: G) -> bool:
    founding = g.founding
    profession = getattr(founding, "profession", None)
    return founding.name == g.data.name and profession == g.data.profession


def formation_invariants(*, volunteer: bool) -> tuple[Invariant, ...]:
    """Facts that hold in every reachable professional (or volunteer) group."""
    run_stage = "executing" if volunteer else "programmed"
    common = (
        inv(
            "state.founding",
            "The group's name (and profession) are the ones it was created with.",
            "Nama (dan profesi) kelompok sama dengan saat kelompok dibuat.",
            _founding_ok,
        ),
        inv(
            "state.records",
            "Evaluations score goals from 0 to 100 with findings; rejections give a reason.",
            "Evaluasi memberi nilai 0 sampai 100 dengan temuan; penolakan memberi alasan.",
            _records_ok,
        ),
        inv(
            "state.members",
            "Members are keyed by their own id.",
            "Anggota disimpan dengan id-nya sendiri.",
            lambda g: all(k == m.id for k, m in g.data.members.items()),
        ),
        inv(
            "state.needs",
            "Needs are identified exactly when the group reached 'needs_identified'.",
            "Kebutuhan teridentifikasi tepat ketika kelompok mencapai 'needs_identified'.",
            lambda g: (
                all_filled(g.data.needs) if g.reached("needs_identified") else not g.data.needs
            ),
        ),
        inv(
            "state.founders",
            "From 'core_formed' on there are at least 2 distinct founders who are members; "
            "before it, no founders and no members.",
            "Sejak 'core_formed' ada minimal 2 pendiri berbeda yang menjadi anggota; "
            "sebelumnya tidak ada pendiri maupun anggota.",
            lambda g: (
                (
                    len(set(g.data.founders)) == len(g.data.founders) >= 2
                    and all(f in g.data.members for f in g.data.founders)
                )
                if g.reached("core_formed")
                else not g.data.founders and not g.data.members
            ),
        ),
        inv(
            "state.charter",
            "From 'recruiting' on there is a charter with vision, mission and a goal; "
            "before 'core_formed', none.",
            "Sejak 'recruiting' ada piagam dengan visi, misi, dan tujuan; sebelum "
            "'core_formed', belum ada.",
            lambda g: (
                (_has_charter(g) if g.reached("recruiting") else True)
                and (g.reached("core_formed") or g.data.charter is None)
            ),
        ),
        inv(
            "state.recruitment",
            "Before 'recruiting' only founders are members and nobody was rejected.",
            "Sebelum 'recruiting' hanya pendiri yang menjadi anggota dan belum ada penolakan.",
            lambda g: (
                g.reached("recruiting")
                or (len(g.data.members) == len(g.data.founders) and not g.data.rejections)
            ),
        ),
        inv(
            "state.structure",
            "From 'structured' on, officers are three distinct members and divisions are "
            "named uniquely; before it, no structure.",
            "Sejak 'structured', pengurus adalah tiga anggota berbeda dan nama divisi unik; "
            "sebelumnya belum ada struktur.",
            lambda g: _structure_ok(g) if g.reached("structured") else g.data.structure is None,
        ),
        inv(
            "state.programs",
            "From 'programmed' on there is a program, and every program names an existing "
            "division and has an activity; before it, no programs.",
            "Sejak 'programmed' ada program, dan setiap program menyebut divisi yang ada dan "
            "memiliki kegiatan; sebelumnya belum ada program.",
            lambda g: (
                (bool(g.data.programs) and _programs_ok(g, volunteer=volunteer))
                if g.reached("programmed")
                else not g.data.programs
            ),
        ),
        inv(
            "state.activities",
            "Activities belong to existing programs and are recorded only once activities run.",
            "Kegiatan termasuk program yang ada dan hanya dicatat setelah kegiatan berjalan.",
            lambda g: _activities_ok(g) and (g.reached(run_stage) or not g.data.activities),
        ),
        inv(
            "state.partners",
            "From 'collaborating' on there is a partner; before it, none.",
            "Sejak 'collaborating' ada mitra; sebelumnya belum ada.",
            lambda g: _iff(g.reached("collaborating"), bool(g.data.partners)) and _partners_ok(g),
        ),
        inv(
            "state.dissolution",
            "A dissolution reason is recorded exactly when the group is dissolved.",
            "Alasan pembubaran tercatat tepat ketika kelompok dibubarkan.",
            lambda g: _iff(g.stage == "dissolved", g.data.dissolution is not None),
        ),
    )
    if volunteer:
        return (
            *common,
            inv(
                "state.work_area",
                "The work area is one of social, humanitarian, environmental once needs are "
                "identified, and unset before.",
                "Bidang kerja adalah social, humanitarian, atau environmental setelah "
                "kebutuhan teridentifikasi, dan kosong sebelumnya.",
                lambda g: (
                    g.data.work_area in WORK_AREAS
                    if g.reached("needs_identified")
                    else g.data.work_area is None
                ),
            ),
            inv(
                "state.teams",
                "From 'executing' on teams exist for programs and hold members; before it, none.",
                "Sejak 'executing' ada tim untuk program yang berisi anggota; "
                "sebelumnya belum ada.",
                lambda g: (
                    (
                        bool(g.data.teams)
                        and all(
                            pid in g.data.programs
                            and team
                            and all(m in g.data.members for m in team)
                            for pid, team in g.data.teams.items()
                        )
                    )
                    if g.reached("executing")
                    else not g.data.teams
                ),
            ),
            inv(
                "state.evaluations",
                "Evaluations exist only once activities run.",
                "Evaluasi hanya ada setelah kegiatan berjalan.",
                lambda g: g.reached("executing") or not g.data.evaluations,
            ),
        )
    return (
        *common,
        inv(
            "state.profession",
            "The group has a profession and every member shares it.",
            "Kelompok memiliki profesi dan setiap anggota berprofesi sama.",
            lambda g: (
                g.data.profession is not None
                and not blank(g.data.profession)
                and all(same_profession(g, m) for m in g.data.members.values())
                and g.data.work_area is None
                and not g.data.teams
            ),
        ),
        inv(
            "state.evaluations",
            "From 'evaluating' on there is an evaluation; before it, none.",
            "Sejak 'evaluating' ada evaluasi; sebelumnya belum ada.",
            lambda g: _iff(g.reached("evaluating"), bool(g.data.evaluations)),
        ),
    )
