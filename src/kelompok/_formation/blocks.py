"""The building blocks of the built-in types, and the one function that assembles them.

Both built-in types follow the same path of stages (docs/model.md §2.1) with the
same events (§3.2); a :class:`Blueprint` holds only what differs between them,
as data, and :func:`formation_type` builds the :class:`~kelompok.GroupType` from
it. A type never asks which type it is: where a rule differs, the blueprint
carries the rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import attrs

from kelompok._base.lang import Catalog
from kelompok._definition.parts import Event, Invariant, Requirement, Stage
from kelompok._formation import effects
from kelompok._formation.groups import FormationGroup
from kelompok._formation.invariants import shared_invariants
from kelompok._formation.program_rules import KindRule, add_rules, plan_rules
from kelompok._formation.records import (
    Activity,
    AdmitPayload,
    Charter,
    DissolvePayload,
    Evaluation,
    FormationData,
    FoundersPayload,
    Partnership,
    ProgramPayload,
    ProgramsPayload,
    Rejection,
    Structure,
)
from kelompok._formation.requirements import (
    ACTIVITY_RULES,
    CHARTER_MISSING,
    CHARTER_RULES,
    COLLABORATE_RULES,
    DISSOLVE_RULES,
    EVALUATE_RULES,
    FOUNDERS_DUPLICATE,
    FOUNDERS_TOO_FEW,
    NEEDS_BLANK,
    NEEDS_MISSING,
    NOT_YET_MEMBER,
    REJECT_RULES,
    STRUCTURE_RULES,
    selection_rules,
)
from kelompok._types.group_type import GroupType

G = TypeVar("G", bound=FormationGroup)

LIVE = (
    "awareness",
    "needs_identified",
    "core_formed",
    "recruiting",
    "structured",
    "programmed",
)
"""The live stages of order 0 to 5, the same in both types (docs/model.md §2.1)."""


@attrs.frozen(kw_only=True)
class NeedsStep:
    """How a type names its needs: stage 1 and ``identify_needs`` (docs/model.md §2.3).

    Args:
        stage_label: the English label of ``needs_identified``.
        event_label: the English label of ``identify_needs``.
        payload: the payload class of ``identify_needs``; each of its fields is
            stored in the data field of the same name.
        requires: requirements beyond ``needs.missing`` and ``needs.blank``.
    """

    stage_label: str
    event_label: str
    payload: type[Any]
    requires: tuple[Requirement, ...] = ()


@attrs.frozen(kw_only=True)
class SixthStage:
    """The stage of order 6, where the types differ most (docs/model.md §2.3).

    Args:
        stage: the stage itself.
        activities_in: the stage from which activities are recorded and
            evaluated; ``evaluate`` moves a group from a stage before the sixth
            into it, and is an action from the sixth on (§3.2).
        before_activities: the type's own events, listed before
            ``record_activity`` (``execute``, which enters the sixth stage).
        after_evaluation: the type's own events, listed after ``evaluate``
            (``develop``, the way back of §3.5).
        replaces_programs: the events among them that may replace a program,
            so an activity recorded before need not be listed any more.
    """

    stage: Stage
    activities_in: str
    before_activities: tuple[Event, ...] = ()
    after_evaluation: tuple[Event, ...] = ()
    replaces_programs: tuple[str, ...] = ()


def _of_the_group(requirement: Requirement) -> None:
    if requirement.needs_payload:
        msg = f"builds_on must be a requirement of the group alone, not {requirement.code!r}"
        raise ValueError(msg)


@attrs.frozen(kw_only=True)
class Collaboration:
    """What stage 7 builds on (docs/model.md §2.3, step 7).

    Args:
        stage_label: the English label of ``collaborating``.
        builds_on: the requirement of ``collaborate`` on what came before it, a
            requirement of the group alone (``state_req``): ``state.partners`` checks it
            on the group once it has partners, with no payload.
        after: the events ``collaborate`` comes after (§4.3).
        agreed_after: what it builds on, in words, for the invariant's message.
    """

    stage_label: str
    builds_on: Requirement = attrs.field(validator=lambda _, __, r: _of_the_group(r))
    after: tuple[str, ...]
    agreed_after: str


@attrs.frozen(kw_only=True)
class Blueprint(Generic[G]):
    """Everything that makes a built-in type differ from the other one.

    Args:
        name: the type's name; also its section in ``locales/*.json``.
        label: the type's English label.
        group_class: the class of its groups, with the type's own methods.
        founding: the arguments of ``create``.
        initial_data: ``initial_data(founding) -> FormationData``.
        needs: stage 1 and how it is entered.
        criteria: the selection criteria of ``admit``, scored 1-5.
        founder_rules: more requirements of ``form_core_group`` (per founder).
        member_rules: more requirements of ``admit``.
        program_kind: what a program's kind must be.
        sixth: the stage of order 6 and its events.
        collaboration: stage 7 and what it builds on.
        invariants: the type's own invariants, after the shared ones.
    """

    name: str
    label: str
    group_class: type[G]
    founding: type[Any]
    initial_data: Callable[[Any], FormationData]
    needs: NeedsStep
    criteria: tuple[str, ...]
    founder_rules: tuple[Requirement, ...] = ()
    member_rules: tuple[Requirement, ...] = ()
    program_kind: KindRule
    sixth: SixthStage
    collaboration: Collaboration
    invariants: tuple[Invariant, ...] = ()


def _after(stage: str, order: tuple[str, ...]) -> tuple[str, ...]:
    """*stage* and every later live stage: "from *stage* on"."""
    return order[order.index(stage) :]


def _stays(stages: tuple[str, ...]) -> dict[str, str | None]:
    """An action in each of *stages*: the stage stays."""
    return dict.fromkeys(stages)


def _evaluate_moves(order: tuple[str, ...], sixth: SixthStage) -> dict[str, str | None]:
    """Where activities are recorded, evaluate; before the sixth stage, into it (§3.2)."""
    enters = order.index(sixth.stage.name)
    return {
        stage: sixth.stage.name if order.index(stage) < enters else None
        for stage in _after(sixth.activities_in, order)
    }


def _stages(bp: Blueprint[Any]) -> tuple[Stage, ...]:
    return (
        Stage("awareness", "Collective awareness"),
        Stage("needs_identified", bp.needs.stage_label),
        Stage("core_formed", "Initial group formed"),
        Stage("recruiting", "Member recruitment"),
        Stage("structured", "Organisational structure formed"),
        Stage("programmed", "Programs and activities formed"),
        bp.sixth.stage,
        Stage("collaborating", bp.collaboration.stage_label),
        Stage("dissolved", "Dissolved", terminal=True),
    )


def _events(bp: Blueprint[Any]) -> tuple[Event, ...]:
    sixth = bp.sixth
    run = sixth.stage.name
    order = (*LIVE, run, "collaborating")
    return (
        Event(
            "identify_needs",
            bp.needs.event_label,
            moves={"awareness": "needs_identified"},
            payload=bp.needs.payload,
            requires=(NEEDS_MISSING, NEEDS_BLANK, *bp.needs.requires),
            effect=effects.identify_needs,
        ),
        Event(
            "form_core_group",
            "Form the initial group",
            moves={"needs_identified": "core_formed"},
            payload=FoundersPayload,
            requires=(FOUNDERS_TOO_FEW, FOUNDERS_DUPLICATE, *bp.founder_rules),
            effect=effects.form_core_group,
        ),
        Event(
            "adopt_charter",
            "Adopt vision, mission, goals and steps",
            moves=_stays(_after("core_formed", order)),
            payload=Charter,
            requires=CHARTER_RULES,
            effect=effects.adopt_charter,
        ),
        Event(
            "open_recruitment",
            "Open member recruitment",
            moves={"core_formed": "recruiting"},
            requires=(CHARTER_MISSING,),
            after=("adopt_charter",),
        ),
        Event(
            "admit",
            "Admit a member after selection",
            moves=_stays(_after("recruiting", order)),
            payload=AdmitPayload,
            requires=(NOT_YET_MEMBER, *selection_rules(bp.criteria), *bp.member_rules),
            effect=effects.admit,
        ),
        Event(
            "reject",
            "Reject a candidate",
            moves=_stays(_after("recruiting", order)),
            payload=Rejection,
            requires=REJECT_RULES,
            effect=effects.reject,
        ),
        Event(
            "establish_structure",
            "Establish the organisational structure",
            moves={"recruiting": "structured"},
            payload=Structure,
            requires=STRUCTURE_RULES,
            effect=effects.establish_structure,
            after=("admit",),
        ),
        Event(
            "plan_programs",
            "Plan programs and activities",
            moves={"structured": "programmed"},
            payload=ProgramsPayload,
            requires=plan_rules(bp.program_kind),
            effect=effects.plan_programs,
        ),
        Event(
            "add_program",
            "Add a program",
            moves=_stays(_after("programmed", order)),
            payload=ProgramPayload,
            requires=add_rules(bp.program_kind),
            effect=effects.add_program,
        ),
        *sixth.before_activities,
        Event(
            "record_activity",
            "Record an activity that was held",
            moves=_stays(_after(sixth.activities_in, order)),
            payload=Activity,
            requires=ACTIVITY_RULES,
            effect=effects.record_activity,
        ),
        Event(
            "evaluate",
            "Evaluate the results",
            moves=_evaluate_moves(order, sixth),
            payload=Evaluation,
            requires=EVALUATE_RULES,
            effect=effects.evaluate,
            after=("record_activity",),
        ),
        *sixth.after_evaluation,
        Event(
            "collaborate",
            "Collaborate with another group of the same kind",
            moves={run: "collaborating", "collaborating": None},
            payload=Partnership,
            requires=(*COLLABORATE_RULES, bp.collaboration.builds_on),
            effect=effects.collaborate,
            after=bp.collaboration.after,
        ),
        Event(
            "dissolve",
            "Dissolve the group",
            moves=dict.fromkeys(order, "dissolved"),
            payload=DissolvePayload,
            requires=DISSOLVE_RULES,
            effect=effects.dissolve,
        ),
    )


_SHARED = Catalog("formation")


def _translations(type_name: str) -> dict[str, dict[str, str]]:
    """The catalogs' texts for the type: the shared section, then the type's own."""
    own = Catalog(type_name).texts
    shared = _SHARED.texts
    return {lang: {**shared.get(lang, {}), **own.get(lang, {})} for lang in {*shared, *own}}


def formation_type(bp: Blueprint[G]) -> GroupType[G]:
    """The group type the blueprint describes: the shared path, with its differences.

    Its texts in other languages are the catalogs' sections ``formation`` (shared)
    and the type's name (its own), the latter winning.
    """
    invariants = shared_invariants(
        bp.program_kind,
        activities_in=bp.sixth.activities_in,
        replaced_by=bp.sixth.replaces_programs,
        builds_on=bp.collaboration.builds_on,
        agreed_after=bp.collaboration.agreed_after,
    )
    return GroupType(
        name=bp.name,
        label=bp.label,
        stages=_stages(bp),
        events=_events(bp),
        data=FormationData,
        founding=bp.founding,
        initial_data=bp.initial_data,
        group_class=bp.group_class,
        invariants=(*invariants, *bp.invariants),
        translations=_translations(bp.name),
    )
