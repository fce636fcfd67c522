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

from kelompok._builtins import PROFESSIONAL, VOLUNTEER
from kelompok._definition import Event, GroupType, Invariant, Requirement, Stage
from kelompok._derive import (
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
from kelompok._diagram import events_table, mermaid
from kelompok._document import SCHEMA_VERSION, load
from kelompok._errors import (
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
from kelompok._formation import (
    Activity,
    Charter,
    Evaluation,
    FormationData,
    FormationGroup,
    Partnership,
    Rejection,
    Structure,
)
from kelompok._frozen import FrozenMap
from kelompok._graph import VerifyProblem, VerifyReport, verify
from kelompok._group import Group, Listener, NextStep
from kelompok._history import HistoryRecord
from kelompok._known import KnownDocuments, known_documents
from kelompok._registry import ENTRY_POINT_GROUP, get_group_type, group_types, register
from kelompok._text import Reason
from kelompok._values import Division, Member, PartnerRef, Program

__all__ = [
    "ENTRY_POINT_GROUP",
    "PROFESSIONAL",
    "SCHEMA_VERSION",
    "VOLUNTEER",
    "Activity",
    "Change",
    "Charter",
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
