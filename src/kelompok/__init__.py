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
from kelompok._formation.values import Division, Member, PartnerRef, Program
from kelompok._formation.volunteer import VOLUNTEER
from kelompok._runtime.group import Group, Listener
from kelompok._runtime.history import HistoryRecord
from kelompok._runtime.steps import NextStep
from kelompok._types.diagram import events_table, mermaid
from kelompok._types.group_type import ENTRY_POINT_GROUP, REGISTRY, GroupType, load
from kelompok._types.registry import get_group_type, group_types, register
from kelompok._types.verify import VerifyReport, verify

REGISTRY.add_own(PROFESSIONAL)
REGISTRY.add_own(VOLUNTEER)

__all__ = [
    "ENTRY_POINT_GROUP",
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
    "FrozenMap",
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
    "ProfessionalGroup",
    "Program",
    "Reason",
    "ReentrantFire",
    "Rejection",
    "Requirement",
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
    "mermaid",
    "register",
    "relabel",
    "replace_requirement",
    "verify",
]
