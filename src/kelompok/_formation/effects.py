"""The effects of the built-in types' events: each returns the group's new data.

An effect runs only after every requirement of its event held (docs/model.md
§3.6). It never mutates the old data: it builds a new frozen instance, which is
what lets a refused or undone event leave the group exactly as it was
(docs/model.md §4.7).
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Any, TypeVar

import attrs

from kelompok._base.frozen import frozen_map, own_frozen
from kelompok._formation.groups import FormationGroup
from kelompok._formation.records import (
    Activity,
    AdmitPayload,
    Charter,
    DevelopPayload,
    DissolvePayload,
    Evaluation,
    FormationData,
    FoundersPayload,
    NeedsPayload,
    Partnership,
    ProblemsPayload,
    ProgramPayload,
    ProgramsPayload,
    Rejection,
    Structure,
    TeamsPayload,
)

G = FormationGroup
K = TypeVar("K")
V = TypeVar("V")


class _Rebuild:
    """How to rebuild one data class with some fields changed, worked out once per class.

    ``attrs.evolve`` looks the fields up and passes every value by keyword on
    each call; reading all values with one ``attrgetter`` and passing them by
    position costs a third less, and an event rebuilds the data every time.
    A class with keyword-only fields (a user's subclass may have them) or
    fewer than two fields is rebuilt with ``attrs.evolve``.
    """

    __slots__ = ("index", "values")

    def __init__(self, fields: list[attrs.Attribute[Any]]) -> None:
        self.values = operator.attrgetter(*(a.name for a in fields))
        self.index = {a.alias: i for i, a in enumerate(fields)}

    @classmethod
    def of(cls, data_cls: type) -> _Rebuild | None:
        fields = [a for a in attrs.fields(data_cls) if a.init]
        # attrgetter of one name returns the value itself, not a 1-tuple
        by_position = len(fields) >= 2 and not any(a.kw_only for a in fields)
        return cls(fields) if by_position else None


_REBUILD: dict[type, _Rebuild | None] = {}


def _evolve(g: G, **changes: Any) -> FormationData:
    """``attrs.evolve(g.data, **changes)``, faster (see :class:`_Rebuild`)."""
    data = g.data
    cls = type(data)
    try:
        how = _REBUILD[cls]
    except KeyError:
        how = _REBUILD[cls] = _Rebuild.of(cls)
    if how is None:
        return attrs.evolve(data, **changes)
    values = list(how.values(data))
    for alias, value in changes.items():
        values[how.index[alias]] = value
    return cls(*values)


def _fresh(mapping: dict[K, V]) -> Mapping[K, V]:
    """*mapping*, a dict that nobody else holds, as the data's read-only map (not copied)."""
    return own_frozen(mapping)


def _put(mapping: Mapping[K, V], key: K, value: V) -> Mapping[K, V]:
    """A new read-only map: *mapping* with *key* set to *value* (*mapping* is unchanged)."""
    return frozen_map(mapping).set(key, value)


def identify_needs(g: G, p: NeedsPayload | ProblemsPayload) -> FormationData:
    """Store what the type's payload names: the needs, and a volunteer group's work area.

    Each field of the payload is the data field of the same name, so one effect
    serves both payloads.
    """
    return _evolve(g, **attrs.asdict(p, recurse=False))


def form_core_group(g: G, p: FoundersPayload) -> FormationData:
    """The founders become the first members."""
    return _evolve(
        g, founders=tuple(m.id for m in p.founders), members=_fresh({m.id: m for m in p.founders})
    )


def adopt_charter(g: G, p: Charter) -> FormationData:
    """Adopt or replace the charter."""
    return _evolve(g, charter=p)


def admit(g: G, p: AdmitPayload) -> FormationData:
    """Add the member."""
    return _evolve(g, members=_put(g.data.members, p.member.id, p.member))


def reject(g: G, p: Rejection) -> FormationData:
    """Keep the selection decision."""
    return _evolve(g, rejections=g.data.rejections.append(p))


def establish_structure(g: G, p: Structure) -> FormationData:
    """Set the officers and divisions."""
    return _evolve(g, structure=p)


def plan_programs(g: G, p: ProgramsPayload) -> FormationData:
    """Set the programs."""
    return _evolve(g, programs=_fresh({x.id: x for x in p.programs}))


def add_program(g: G, p: ProgramPayload) -> FormationData:
    """Add one program."""
    return _evolve(g, programs=_put(g.data.programs, p.program.id, p.program))


def execute(g: G, p: TeamsPayload) -> FormationData:
    """Set the teams."""
    return _evolve(g, teams=p.teams)


def record_activity(g: G, p: Activity) -> FormationData:
    """Append the activity."""
    return _evolve(g, activities=g.data.activities.append(p))


def evaluate(g: G, p: Evaluation) -> FormationData:
    """Append the evaluation."""
    return _evolve(g, evaluations=g.data.evaluations.append(p))


def develop(g: G, p: DevelopPayload) -> FormationData:
    """Keep the improvements; add or replace programs by id."""
    return _evolve(
        g,
        improvements=(*g.data.improvements, *p.improvements),
        programs=_fresh({**g.data.programs, **{x.id: x for x in p.programs}}),
    )


def collaborate(g: G, p: Partnership) -> FormationData:
    """Add the partnership."""
    return _evolve(g, partners=_put(g.data.partners, p.partner.id, p))


def dissolve(g: G, p: DissolvePayload) -> FormationData:
    """Keep the reason."""
    return _evolve(g, dissolution=p.reason)
