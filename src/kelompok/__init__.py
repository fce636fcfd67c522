"""kelompok: how professional and volunteer groups form, as guarded state machines.

>>> import kelompok
>>> g = kelompok.PROFESSIONAL.create(name="Ikatan Apoteker Muda", profession="pharmacist")
>>> g.stage
'awareness'
>>> g.identify_needs(needs=["continuing education"]).stage
'needs_identified'
>>> [r.code for r in g.why_not("open_recruitment")]
['stage.not_allowed']
"""

from typing import TYPE_CHECKING, Any, Final

from kelompok._base.errors import (
    CreationRefused,
    DefinitionBug,
    DefinitionError,
    GroupBusy,
    InvalidGroupData,
    InvalidValue,
    KelompokError,
    ReentrantFire,
    StageUnreachable,
    TransitionNotAllowed,
    UnknownEvent,
    UnknownGroupType,
    UnknownStage,
    UsageError,
)
from kelompok._base.frozen import FrozenMap
from kelompok._base.frozen_list import FrozenList
from kelompok._base.text import Reason
from kelompok._codec.document import SCHEMA_VERSION
from kelompok._codec.known import KnownDocuments, known_documents
from kelompok._definition.derive import (
    Change,
    add_event,
    add_invariant,
    add_requirement,
    drop_invariant,
    drop_requirement,
    insert_stage,
    relabel,
    replace_requirement,
)
from kelompok._definition.graph import VerifyProblem
from kelompok._definition.parts import Event, Invariant, Requirement, Stage
from kelompok._definition.roles import Grant, Policy, Role
from kelompok._runtime.group import Group, Listener
from kelompok._runtime.history import HistoryRecord
from kelompok._runtime.steps import NextStep
from kelompok._types.diagram import events_table, mermaid
from kelompok._types.group_type import ENTRY_POINT_GROUP, REGISTRY, GroupType, load, load_json
from kelompok._types.registry import get_group_type, group_types, register
from kelompok._types.verify import VerifyReport, verify

if TYPE_CHECKING:  # at run time the built-in types are built when first used: __getattr__
    from kelompok._formation.groups import FormationGroup, ProfessionalGroup, VolunteerGroup
    from kelompok._formation.professional import PROFESSIONAL
    from kelompok._formation.records import (
        Activity,
        Charter,
        Evaluation,
        FormationData,
        Partnership,
        Rejection,
        Structure,
    )
    from kelompok._formation.roles import GOVERNED_PROFESSIONAL, GOVERNED_VOLUNTEER
    from kelompok._formation.values import Division, Member, PartnerRef, Program
    from kelompok._formation.volunteer import VOLUNTEER

_BUILT_IN: Final = (
    "PROFESSIONAL",
    "VOLUNTEER",
    "GOVERNED_PROFESSIONAL",
    "GOVERNED_VOLUNTEER",
    "FormationGroup",
    "ProfessionalGroup",
    "VolunteerGroup",
    "Activity",
    "Charter",
    "Evaluation",
    "FormationData",
    "Partnership",
    "Rejection",
    "Structure",
    "Division",
    "Member",
    "PartnerRef",
    "Program",
)
"""The names of the built-in types' package, ``_formation``, that ``kelompok`` offers."""


def _built_in() -> dict[str, Any]:
    """The built-in types and their classes, built once, the first time one is used.

    ``import kelompok`` does not build them (a third of its import time): a CLI, a
    store or a user's own type may never need them. Any use builds them: a name
    below, :func:`get_group_type`, :func:`group_types`, or loading a document.
    """
    from kelompok._formation import groups, professional, records, roles, values, volunteer  # noqa: PLC0415 -- on first use

    modules = (professional, volunteer, roles, groups, records, values)
    found = {name: getattr(m, name) for m in modules for name in _BUILT_IN if hasattr(m, name)}
    globals().update(found)  # later reads find them without __getattr__
    return found


def __getattr__(name: str) -> Any:
    if name in _BUILT_IN:
        return _built_in()[name]
    msg = f"module 'kelompok' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted({*globals(), *_BUILT_IN})


REGISTRY.add_own_lazily("professional", lambda: _built_in()["PROFESSIONAL"])
REGISTRY.add_own_lazily("volunteer", lambda: _built_in()["VOLUNTEER"])
REGISTRY.add_own_lazily("governed_professional", lambda: _built_in()["GOVERNED_PROFESSIONAL"])
REGISTRY.add_own_lazily("governed_volunteer", lambda: _built_in()["GOVERNED_VOLUNTEER"])

__all__ = [
    "ENTRY_POINT_GROUP",
    "GOVERNED_PROFESSIONAL",
    "GOVERNED_VOLUNTEER",
    "PROFESSIONAL",
    "SCHEMA_VERSION",
    "VOLUNTEER",
    "Activity",
    "Change",
    "Charter",
    "CreationRefused",
    "DefinitionBug",
    "DefinitionError",
    "Division",
    "Evaluation",
    "Event",
    "FormationData",
    "FormationGroup",
    "FrozenList",
    "FrozenMap",
    "Grant",
    "Group",
    "GroupBusy",
    "GroupType",
    "HistoryRecord",
    "InvalidGroupData",
    "InvalidValue",
    "Invariant",
    "KelompokError",
    "KnownDocuments",
    "Listener",
    "Member",
    "NextStep",
    "PartnerRef",
    "Partnership",
    "Policy",
    "ProfessionalGroup",
    "Program",
    "Reason",
    "ReentrantFire",
    "Rejection",
    "Requirement",
    "Role",
    "Stage",
    "StageUnreachable",
    "Structure",
    "TransitionNotAllowed",
    "UnknownEvent",
    "UnknownGroupType",
    "UnknownStage",
    "UsageError",
    "VerifyProblem",
    "VerifyReport",
    "VolunteerGroup",
    "add_event",
    "add_invariant",
    "add_requirement",
    "drop_invariant",
    "drop_requirement",
    "events_table",
    "get_group_type",
    "group_types",
    "insert_stage",
    "known_documents",
    "load",
    "load_json",
    "mermaid",
    "register",
    "relabel",
    "replace_requirement",
    "verify",
]
