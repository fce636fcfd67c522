"""The group classes of the built-in types: a typed method per event of the type.

``FormationGroup`` holds what both types share: read-only views of the data and
the events both have. Each type's own class adds its own events and nothing
else, so a type checker (and ``hasattr``) tells a professional group, which
develops its programs, from a volunteer group, which carries them out in teams
(docs/model.md §2.3).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kelompok._base.compat import Self
from kelompok._formation.records import Charter, FormationData, Partnership, Structure
from kelompok._formation.values import Division, Member, PartnerRef, Program, partner_ref_of
from kelompok._runtime.group import Group

MemberLike = Member | Mapping[str, Any]
ProgramLike = Program | Mapping[str, Any]
DivisionLike = Division | Mapping[str, Any]


class FormationGroup(Group):
    """A professional or volunteer group: typed events and read-only views of its data.

    Every method below is ``fire`` under a name a type checker can see; each
    takes an optional keyword ``actor`` that is stored in the history. The
    events only one type has are on :class:`ProfessionalGroup` and
    :class:`VolunteerGroup`.
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
        return partner_ref_of(self)

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


class ProfessionalGroup(FormationGroup):
    """A group of the professional type (*kelompok profesi*): people of one profession.

    It evaluates its results and develops its programs, going back from
    ``evaluating`` to ``programmed`` (docs/model.md §3.5); it has no teams and no
    ``execute``.
    """

    __slots__ = ()

    @property
    def profession(self) -> str | None:
        """The profession every member shares (set when the group is created)."""
        return self.data.profession

    def identify_needs(self, needs: Sequence[str], *, actor: str | None = None) -> Self:
        """Name the needs the group answers."""
        return self.fire("identify_needs", actor=actor, needs=needs)

    def develop(
        self,
        improvements: Sequence[str],
        programs: Sequence[ProgramLike] = (),
        *,
        actor: str | None = None,
    ) -> Self:
        """Keep improvements, add or replace programs (by id), and go back to ``programmed``."""
        return self.fire("develop", actor=actor, improvements=improvements, programs=programs)


class VolunteerGroup(FormationGroup):
    """A group of the volunteer type (*kelompok volunteer*): people who give their time.

    It works in one area, carries out its programs in teams and evaluates while
    it works (docs/model.md §2.3); it has no profession, no ``develop`` and no
    way back.
    """

    __slots__ = ()

    @property
    def work_area(self) -> str | None:
        """The work area once identified (``social``, ``humanitarian`` or ``environmental``)."""
        return self.data.work_area

    def identify_needs(
        self, needs: Sequence[str], work_area: str, *, actor: str | None = None
    ) -> Self:
        """Name the problems or needs and the ``work_area`` the group works in."""
        return self.fire("identify_needs", actor=actor, needs=needs, work_area=work_area)

    def execute(self, teams: Mapping[str, Sequence[str]], *, actor: str | None = None) -> Self:
        """Start carrying out the programs, a team (member ids) per program id."""
        return self.fire("execute", actor=actor, teams=teams)
