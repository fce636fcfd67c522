"""Who may do what in a built-in group: roles read from its own structure, and the policy.

The source gives every group an organisational structure — a chair, a secretary,
a treasurer, divisions each with its head — and before it exists, the initial
core group leads. The roles here are read from the group's data (the founders,
``Structure``, ``Division.head``), declared with the public :class:`Role`, and
the policy follows the source (docs/model.md §6): before ``structured`` the
founders act for the group, from ``structured`` on its officers do. Before
there are founders, the person who started the group (its *initiator*, a
founding argument) does.

The built-in types stay as they are; the governed types are derived from them
with these roles and this policy (:data:`GOVERNED_PROFESSIONAL`,
:data:`GOVERNED_VOLUNTEER`), so every existing group and document keeps working.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from kelompok._base.lang import Catalog
from kelompok._data.schema import NONBLANK
from kelompok._definition.roles import Role
from kelompok._formation.groups import FormationGroup, ProfessionalGroup, VolunteerGroup
from kelompok._formation.professional import PROFESSIONAL
from kelompok._formation.records import FormationData
from kelompok._formation.values import nonblank
from kelompok._formation.volunteer import VOLUNTEER
from kelompok._types.group_type import GroupType

__all__ = [
    "FORMATION_POLICY",
    "FORMATION_ROLES",
    "GOVERNED_PROFESSIONAL",
    "GOVERNED_VOLUNTEER",
    "NewGovernedProfessional",
    "NewGovernedVolunteer",
]

G = FormationGroup


def _officers(g: G) -> tuple[str, ...]:
    s = g.data.structure
    return () if s is None else (s.chair, s.secretary, s.treasurer)


def _heads(g: G) -> set[str | None]:
    s = g.data.structure
    return set() if s is None else {d.head for d in s.divisions}


def _office(index: int) -> Any:
    return lambda g, actor: actor in _officers(g)[index : index + 1]


FORMATION_ROLES: tuple[Role, ...] = (
    Role(
        "initiator",
        "Initiator",
        lambda g, actor: not g.data.founders and actor == g.founding.initiator,
    ),
    Role("founder", "Founder", lambda g, actor: actor in g.data.founders, since="core_formed"),
    Role("member", "Member", lambda g, actor: actor in g.data.members, since="core_formed"),
    Role("chair", "Chair", _office(0), since="structured"),
    Role("secretary", "Secretary", _office(1), since="structured"),
    Role("treasurer", "Treasurer", _office(2), since="structured"),
    Role("officer", "Officer", lambda g, actor: actor in _officers(g), since="structured"),
    Role(
        "division_head",
        "Head of a division",
        lambda g, actor: actor in _heads(g),
        since="structured",
    ),
)
"""The roles of a built-in group, from its own data (docs/model.md §6.1)."""

_FOUNDERS_THEN_OFFICERS: Mapping[str, Sequence[str]] = {
    "recruiting": ("founder",),
    "structured": ("officer",),
}

FORMATION_POLICY: Mapping[str, Sequence[str] | Mapping[str, Sequence[str]]] = {
    "identify_needs": ("initiator",),
    "form_core_group": ("initiator",),
    "adopt_charter": {"core_formed": ("founder",), "structured": ("chair",)},
    "open_recruitment": ("founder",),
    "admit": _FOUNDERS_THEN_OFFICERS,
    "reject": _FOUNDERS_THEN_OFFICERS,
    "establish_structure": ("founder",),
    "plan_programs": ("chair", "division_head"),
    "add_program": ("chair", "division_head"),
    "execute": ("chair", "division_head"),  # volunteer
    "record_activity": ("secretary", "division_head"),
    "evaluate": ("chair", "secretary"),
    "develop": ("chair", "division_head"),  # professional
    "collaborate": ("chair",),
    "dissolve": {
        "awareness": ("initiator",),
        "core_formed": ("founder",),
        "structured": ("chair",),
    },
}
"""Event -> the roles that may fire it, by stage (docs/model.md §6.2 says why, row by row)."""


@attrs.frozen
class NewGovernedProfessional:
    """Arguments of ``GOVERNED_PROFESSIONAL.create``: the group's, and who starts it."""

    name: str = attrs.field(converter=nonblank, metadata=NONBLANK)
    profession: str = attrs.field(converter=nonblank, metadata=NONBLANK)
    initiator: str = attrs.field(converter=nonblank, metadata=NONBLANK)


@attrs.frozen
class NewGovernedVolunteer:
    """Arguments of ``GOVERNED_VOLUNTEER.create``: the group's, and who starts it."""

    name: str = attrs.field(converter=nonblank, metadata=NONBLANK)
    initiator: str = attrs.field(converter=nonblank, metadata=NONBLANK)


def _professional(args: NewGovernedProfessional) -> FormationData:
    return FormationData(name=args.name, profession=args.profession)


def _volunteer(args: NewGovernedVolunteer) -> FormationData:
    return FormationData(name=args.name)


def _translations() -> dict[str, dict[str, str]]:
    """The roles' labels in other languages: the catalogs' section ``roles``."""
    keys = {role.key for role in FORMATION_ROLES}
    texts = Catalog("roles").texts
    return {lang: {k: v for k, v in own.items() if k in keys} for lang, own in texts.items()}


def _policy_of(base: GroupType[Any]) -> dict[str, Any]:
    """The shared policy, for the events *base* has."""
    names = {e.name for e in base.events}
    return {event: roles for event, roles in FORMATION_POLICY.items() if event in names}


GOVERNED_PROFESSIONAL: GroupType[ProfessionalGroup] = PROFESSIONAL.derive(
    "governed_professional",
    {"en": "Professional group with roles", "id": "Kelompok profesi dengan peran"},
    founding=NewGovernedProfessional,
    initial_data=_professional,
    translations=_translations(),
    roles=FORMATION_ROLES,
    policy=_policy_of(PROFESSIONAL),
)
"""The professional type under the built-in policy: only the roles of §6.2 may fire each event."""

GOVERNED_VOLUNTEER: GroupType[VolunteerGroup] = VOLUNTEER.derive(
    "governed_volunteer",
    {"en": "Volunteer group with roles", "id": "Kelompok volunteer dengan peran"},
    founding=NewGovernedVolunteer,
    initial_data=_volunteer,
    translations=_translations(),
    roles=FORMATION_ROLES,
    policy=_policy_of(VOLUNTEER),
)
"""The volunteer type under the built-in policy: only the roles of §6.2 may fire each event."""
