"""Data and payloads shared by the two built-in formation types.

Both built-in types describe the same kind of organisation (needs, founders, a
charter, members chosen by selection, officers and divisions, programs,
activities, evaluations, partners), so they share one data class; the payload
classes are those of the events (docs/model.md §3.3). The group classes are in
:mod:`kelompok._formation.groups`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import attrs

from kelompok._base.frozen_list import FrozenList, frozen_list
from kelompok._data.schema import NONBLANK
from kelompok._formation.values import Division, Member, PartnerRef, Program, frozen_map, nonblank

# -- the group's data ------------------------------------------------------------
#
# Where an event's payload is exactly a record the group keeps (a charter, a
# rejection, the structure, an activity, an evaluation, a partnership), the same
# class serves as both: the validated payload is stored as it is.


@attrs.frozen
class Charter:
    """Vision, mission, goals and the steps to reach them (*visi, misi, tujuan, langkah*)."""

    vision: str
    mission: str
    goals: tuple[str, ...]
    steps: tuple[str, ...]


@attrs.frozen
class Structure:
    """The officers (member ids) and the divisions."""

    chair: str
    secretary: str
    treasurer: str
    divisions: tuple[Division, ...]


@attrs.frozen
class Rejection:
    """A selection decision against a candidate."""

    member: Member
    reason: str


@attrs.frozen
class Activity:
    """An activity that was carried out."""

    program: str
    activity: str
    held_on: dt.date
    participants: int
    outcome: str


@attrs.frozen
class Evaluation:
    """One evaluation: a score per charter goal, findings, improvements."""

    goal_results: Mapping[str, int] = attrs.field(converter=frozen_map)
    findings: str
    improvements: tuple[str, ...] = ()


@attrs.frozen
class Partnership:
    """A collaboration with another group of the same type."""

    partner: PartnerRef
    purpose: str
    shared: tuple[str, ...]


@attrs.frozen
class FormationData:
    """Everything a professional or volunteer group has built so far.

    Immutable, mappings included (they are read-only proxies): events produce a
    new instance, which is what lets a failed event leave the group exactly as it
    was, and nothing but an event can change it.
    """

    name: str
    profession: str | None = None
    work_area: str | None = None
    needs: tuple[str, ...] = ()
    founders: tuple[str, ...] = ()
    members: Mapping[str, Member] = attrs.field(factory=dict, converter=frozen_map)
    rejections: FrozenList[Rejection] = attrs.field(factory=FrozenList, converter=frozen_list)
    charter: Charter | None = None
    structure: Structure | None = None
    programs: Mapping[str, Program] = attrs.field(factory=dict, converter=frozen_map)
    teams: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, converter=frozen_map)
    activities: FrozenList[Activity] = attrs.field(factory=FrozenList, converter=frozen_list)
    evaluations: FrozenList[Evaluation] = attrs.field(factory=FrozenList, converter=frozen_list)
    improvements: tuple[str, ...] = ()
    partners: Mapping[str, Partnership] = attrs.field(factory=dict, converter=frozen_map)
    dissolution: str | None = None


# -- payloads ---------------------------------------------------------------------


@attrs.frozen
class NewProfessional:
    """Arguments of ``PROFESSIONAL.create``."""

    name: str = attrs.field(converter=nonblank, metadata=NONBLANK)
    profession: str = attrs.field(converter=nonblank, metadata=NONBLANK)


@attrs.frozen
class NewVolunteer:
    """Arguments of ``VOLUNTEER.create``."""

    name: str = attrs.field(converter=nonblank, metadata=NONBLANK)


@attrs.frozen
class NeedsPayload:
    """``identify_needs`` of a professional group."""

    needs: tuple[str, ...]


@attrs.frozen
class ProblemsPayload:
    """``identify_needs`` of a volunteer group: needs and the work area."""

    needs: tuple[str, ...]
    work_area: str


@attrs.frozen
class FoundersPayload:
    """``form_core_group``."""

    founders: tuple[Member, ...]


@attrs.frozen
class AdmitPayload:
    """``admit``: a candidate and a score (1-5) per selection criterion."""

    member: Member
    scores: Mapping[str, int] = attrs.field(converter=frozen_map)


@attrs.frozen
class ProgramsPayload:
    """``plan_programs``."""

    programs: tuple[Program, ...]


@attrs.frozen
class ProgramPayload:
    """``add_program``."""

    program: Program


@attrs.frozen
class TeamsPayload:
    """``execute``: program id -> member ids of its team."""

    teams: Mapping[str, tuple[str, ...]] = attrs.field(converter=frozen_map)


@attrs.frozen
class DevelopPayload:
    """``develop``: improvements, and programs to add or replace (by id)."""

    improvements: tuple[str, ...]
    programs: tuple[Program, ...] = ()


@attrs.frozen
class DissolvePayload:
    """``dissolve``."""

    reason: str
