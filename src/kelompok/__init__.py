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
from kelompok._document import SCHEMA_VERSION, load
from kelompok._errors import (
    DefinitionError,
    InvalidGroupData,
    KelompokError,
    ReentrantFire,
    TransitionNotAllowed,
    UnknownEvent,
    UnknownGroupType,
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
from kelompok._group import Group, HistoryRecord, Listener
from kelompok._registry import get_group_type, group_types, register
from kelompok._text import Reason
from kelompok._values import Division, Member, PartnerRef, Program

__all__ = [
    "PROFESSIONAL",
    "SCHEMA_VERSION",
    "VOLUNTEER",
    "Activity",
    "Charter",
    "DefinitionError",
    "Division",
    "Evaluation",
    "Event",
    "FormationData",
    "FormationGroup",
    "Group",
    "GroupType",
    "HistoryRecord",
    "InvalidGroupData",
    "Invariant",
    "KelompokError",
    "Listener",
    "Member",
    "PartnerRef",
    "Partnership",
    "Program",
    "Reason",
    "ReentrantFire",
    "Rejection",
    "Requirement",
    "Stage",
    "Structure",
    "TransitionNotAllowed",
    "UnknownEvent",
    "UnknownGroupType",
    "get_group_type",
    "group_types",
    "load",
    "register",
]
