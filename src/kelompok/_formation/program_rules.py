"""What every program must be, whichever event brings it, and the kind rule of each type.

``plan_programs``, ``add_program`` and a professional group's ``develop`` all
bring programs; each checks them with :func:`program_rules`, and the
``state.programs`` invariant checks the stored ones with the same
:func:`program_checks` (docs/model.md §3.4, §4.6). What a program's kind must be
is the one rule that differs between the types (docs/model.md §2.3): each type
gives its own :class:`KindRule`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs

from kelompok._definition.parts import Requirement
from kelompok._formation.groups import FormationGroup
from kelompok._formation.predicates import activities_listed, distinct, division_exists
from kelompok._formation.requirements import req
from kelompok._formation.values import Program

G = FormationGroup


@attrs.frozen
class KindRule:
    """What a program's kind must be in a type: the rule once, and its message.

    Args:
        message: the English message of ``program.kind``.
        allowed: ``allowed(group, program)``, used by the requirement and by the
            ``state.programs`` invariant.
    """

    message: str
    allowed: Callable[[G, Program], bool]


def program_checks(kind: KindRule) -> tuple[Callable[[G, Program], bool], ...]:
    """What every program must be, whichever event brings it (requirements and invariant)."""
    return (activities_listed, division_exists, kind.allowed)


def program_rules(
    programs_of: Callable[[Any], Sequence[Program]], kind: KindRule
) -> tuple[Requirement, ...]:
    """The checks every program must pass, whichever event brings it."""
    listed, division, allowed = program_checks(kind)
    return (
        req(
            "program.no_activities",
            "Every program needs at least one activity, none of them blank.",
            lambda g, p: all(listed(g, x) for x in programs_of(p)),
        ),
        req(
            "program.unknown_division",
            "Every program must name an existing division.",
            lambda g, p: all(division(g, x) for x in programs_of(p)),
        ),
        req(
            "program.kind",
            kind.message,
            lambda g, p: all(allowed(g, x) for x in programs_of(p)),
        ),
    )


PROGRAMS_MISSING = req(
    "programs.missing",
    "Plan at least one program.",
    lambda g, p: bool(p.programs),
)
PROGRAM_ID_TAKEN = req(
    "program.id_taken",
    "A program with this id exists already; choose another id.",
    lambda g, p: p.program.id not in g.data.programs,
)
PROGRAMS_DUPLICATE_ID = req(
    "programs.duplicate_id",
    "Program ids must be unique.",
    lambda g, p: distinct([x.id for x in p.programs]),
)


def plan_rules(kind: KindRule) -> tuple[Requirement, ...]:
    """Requirements of ``plan_programs``."""
    return (
        PROGRAMS_MISSING,
        PROGRAMS_DUPLICATE_ID,
        *program_rules(lambda p: p.programs, kind),
    )


def add_rules(kind: KindRule) -> tuple[Requirement, ...]:
    """Requirements of ``add_program``."""
    return (*program_rules(lambda p: (p.program,), kind), PROGRAM_ID_TAKEN)
