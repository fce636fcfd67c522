"""Data and payloads shared by the two built-in formation types, and their group class.

Both built-in types describe the same kind of organisation (needs, founders, a
charter, members chosen by selection, officers and divisions, programs,
activities, evaluations, partners), so they share one data class and one
``FormationGroup`` with a typed method per built-in event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from kelompok._base.compat import Self
from kelompok._formation.values import Division, Member, PartnerRef, Program, frozen_map, nonblank
from kelompok._runtime.group import Group

MemberLike = Member | Mapping[str, Any]
ProgramLike = Program | Mapping[str, Any]
DivisionLike = Division | Mapping[str, Any]

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
    rejections: tuple[Rejection, ...] = ()
    charter: Charter | None = None
    structure: Structure | None = None
    programs: Mapping[str, Program] = attrs.field(factory=dict, converter=frozen_map)
    teams: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, converter=frozen_map)
    activities: tuple[Activity, ...] = ()
    evaluations: tuple[Evaluation, ...] = ()
    improvements: tuple[str, ...] = ()
    partners: Mapping[str, Partnership] = attrs.field(factory=dict, converter=frozen_map)
    dissolution: str | None = None


# -- payloads ---------------------------------------------------------------------


@attrs.frozen
class NewProfessional:
    """Arguments of ``PROFESSIONAL.create``."""

    name: str = attrs.field(converter=nonblank)
    profession: str = attrs.field(converter=nonblank)


@attrs.frozen
class NewVolunteer:
    """Arguments of ``VOLUNTEER.create``."""

    name: str = attrs.field(converter=nonblank)


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


# -- the group class ----------------------------------------------------------------


class FormationGroup(Group):
    """A professional or volunteer group: typed events and read-only views of its data.

    Every method below is ``fire`` under a name a type checker can see; each
    takes an optional keyword ``actor`` that is stored in the history.
    """

    __slots__ = ()

    _data: FormationData

    if TYPE_CHECKING:  # Group.data, typed for these groups

        @property
        def data(self) -> FormationData: ...

    @property
    def name(self) -> str:
        """The group's name."""
        return self.data.name

    @property
    def profession(self) -> str | None:
        """The shared profession (professional groups)."""
        return self.data.profession

    @property
    def work_area(self) -> str | None:
        """The work area once identified (volunteer groups)."""
        return self.data.work_area

    @property
    def members(self) -> Mapping[str, Member]:
        """Members by id, founders included (read-only)."""
        return self.data.members

    @property
    def programs(self) -> Mapping[str, Program]:
        """Programs by id (read-only)."""
        return self.data.programs

    @property
    def charter(self) -> Charter | None:
        """The adopted charter, if any."""
        return self.data.charter

    @property
    def structure(self) -> Structure | None:
        """Officers and divisions, once established."""
        return self.data.structure

    @property
    def partners(self) -> Mapping[str, Partnership]:
        """Collaborations by partner id (read-only)."""
        return self.data.partners

    def as_partner_ref(self) -> PartnerRef:
        """This group as a collaboration partner of another group."""
        state = self._state()
        return PartnerRef(
            id=self.id, name=self._name(state), type=self.type.name, stage=state.stage
        )

    def identify_needs(
        self, needs: Sequence[str], work_area: str | None = None, *, actor: str | None = None
    ) -> Self:
        """Name the needs (volunteer groups: also the ``work_area``)."""
        if work_area is None:
            return self.fire("identify_needs", actor=actor, needs=needs)
        return self.fire("identify_needs", actor=actor, needs=needs, work_area=work_area)

    def form_core_group(self, founders: Sequence[MemberLike], *, actor: str | None = None) -> Self:
        """Form the initial group from at least two founders."""
        return self.fire("form_core_group", actor=actor, founders=founders)

    def adopt_charter(
        self,
        vision: str,
        mission: str,
        goals: Sequence[str],
        steps: Sequence[str],
        *,
        actor: str | None = None,
    ) -> Self:
        """Adopt (or replace) the vision, mission, goals and steps."""
        return self.fire(
            "adopt_charter", actor=actor, vision=vision, mission=mission, goals=goals, steps=steps
        )

    def open_recruitment(self, *, actor: str | None = None) -> Self:
        """Start recruiting members."""
        return self.fire("open_recruitment", actor=actor)

    def admit(
        self, member: MemberLike, scores: Mapping[str, int], *, actor: str | None = None
    ) -> Self:
        """Admit a candidate who passed selection."""
        return self.fire("admit", actor=actor, member=member, scores=scores)

    def reject(self, member: MemberLike, reason: str, *, actor: str | None = None) -> Self:
        """Record that a candidate was not selected."""
        return self.fire("reject", actor=actor, member=member, reason=reason)

    def establish_structure(
        self,
        chair: str,
        secretary: str,
        treasurer: str,
        divisions: Sequence[DivisionLike],
        *,
        actor: str | None = None,
    ) -> Self:
        """Appoint chair, secretary and treasurer and set up divisions."""
        return self.fire(
            "establish_structure",
            actor=actor,
            chair=chair,
            secretary=secretary,
            treasurer=treasurer,
            divisions=divisions,
        )

    def plan_programs(self, programs: Sequence[ProgramLike], *, actor: str | None = None) -> Self:
        """Plan the programs and their activities."""
        return self.fire("plan_programs", actor=actor, programs=programs)

    def add_program(self, program: ProgramLike, *, actor: str | None = None) -> Self:
        """Add one more program."""
        return self.fire("add_program", actor=actor, program=program)

    def execute(self, teams: Mapping[str, Sequence[str]], *, actor: str | None = None) -> Self:
        """Start carrying out the programs, a team per program (volunteer groups)."""
        return self.fire("execute", actor=actor, teams=teams)

    def record_activity(  # noqa: PLR0913 -- the activity's five facts plus actor
        self,
        program: str,
        activity: str,
        held_on: dt.date | str,
        participants: int,
        outcome: str,
        *,
        actor: str | None = None,
    ) -> Self:
        """Record an activity that was held."""
        return self.fire(
            "record_activity",
            actor=actor,
            program=program,
            activity=activity,
            held_on=held_on,
            participants=participants,
            outcome=outcome,
        )

    def evaluate(
        self,
        goal_results: Mapping[str, int],
        findings: str,
        improvements: Sequence[str] = (),
        *,
        actor: str | None = None,
    ) -> Self:
        """Score every charter goal (0-100) and write down findings."""
        return self.fire(
            "evaluate",
            actor=actor,
            goal_results=goal_results,
            findings=findings,
            improvements=improvements,
        )

    def develop(
        self,
        improvements: Sequence[str],
        programs: Sequence[ProgramLike] = (),
        *,
        actor: str | None = None,
    ) -> Self:
        """Improve and go back to programs (professional groups)."""
        return self.fire("develop", actor=actor, improvements=improvements, programs=programs)

    def collaborate(
        self,
        partner: Group | PartnerRef | Mapping[str, Any],
        purpose: str,
        shared: Sequence[str],
        *,
        actor: str | None = None,
    ) -> Self:
        """Collaborate with another group of the same type."""
        return self.fire(
            "collaborate", actor=actor, partner=partner, purpose=purpose, shared=shared
        )

    def dissolve(self, reason: str, *, actor: str | None = None) -> Self:
        """Dissolve the group; nothing is allowed afterwards."""
        return self.fire("dissolve", actor=actor, reason=reason)
