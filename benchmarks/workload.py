"""The groups, documents and payloads the scenarios use, built with kelompok's public API.

Every stored document is made by ``kelompok`` (create, fire, to_dict), so all
variants read the very same input. Payloads are complete (every optional field
given), so kelompok's stored payload equals the dict a baseline stores and the
documents of all variants can be compared key by key.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lifecycle import Doc, Payload

import kelompok

PROFESSION = "pharmacist"
TODAY = dt.datetime.now(dt.timezone.utc).date().isoformat()
FOUNDERS = [
    {"id": "ani", "name": "Ani", "profession": PROFESSION},
    {"id": "bayu", "name": "Bayu", "profession": "Pharmacist"},
    {"id": "citra", "name": "Citra", "profession": PROFESSION},
]
CHARTER = {
    "vision": "A strong community of young pharmacists",
    "mission": "Learn and serve together",
    "goals": ["grow", "serve"],
    "steps": ["meet monthly", "run trainings"],
}


def member(i: int | str) -> Payload:
    return {"id": f"m{i}", "name": f"Member {i}", "profession": PROFESSION}


def admit(i: int | str, competence: int = 4) -> Payload:
    """The ``admit`` payload of candidate *i* (passes selection unless *competence* < 3)."""
    return {"member": member(i), "scores": {"competence": competence, "dedication": 3}}


def division(i: int) -> Payload:
    return {"name": f"Division {i}", "responsibility": f"area {i}", "head": None}


def program(i: int, divisions: int) -> Payload:
    return {
        "id": f"p{i}",
        "name": f"Program {i}",
        "kind": ("training", "seminar", "workshop", "other")[i % 4],
        "division": f"Division {i % divisions}",
        "activities": ["kick-off", "follow-up"],
    }


def activity(i: int) -> Payload:
    return {
        "program": "p0",
        "activity": "kick-off" if i % 2 else "follow-up",
        "held_on": TODAY,
        "participants": 10 + i % 7,
        "outcome": f"session {i} went well",
    }


def structure(divisions: int) -> Payload:
    return {
        "chair": "ani",
        "secretary": "bayu",
        "treasurer": "m0",
        "divisions": [division(i) for i in range(divisions)],
    }


def new_group(name: str = "Ikatan Apoteker Muda") -> Any:
    return kelompok.PROFESSIONAL.create(name=name, profession=PROFESSION)


def founded(group: Any) -> Any:
    """Fire the events up to ``recruiting`` (4 history records, the 3 founders as members)."""
    group.fire("identify_needs", needs=["continuing education", "peer support"])
    group.fire("form_core_group", founders=FOUNDERS)
    group.fire("adopt_charter", **CHARTER)
    group.fire("open_recruitment")
    return group


def small_document() -> Doc:
    """The issue's small group: 3 founders + 1 admitted member, in ``recruiting``, 5 records."""
    group = founded(new_group())
    group.fire("admit", **admit(0))
    doc: Doc = group.to_dict()
    return doc


def sized_document(members: int, programs: int, history: int) -> Doc:
    """A group in ``programmed`` with *members* members, *programs* programs and *history* records.

    The records beyond the ones that build it up are ``record_activity`` events,
    as a group that has been running for a while would have.
    """
    divisions = max(1, programs // 10)
    group = founded(new_group("Ikatan Apoteker Nasional"))
    for i in range(members - len(FOUNDERS)):
        group.fire("admit", **admit(i))
    group.fire("establish_structure", **structure(divisions))
    group.fire("plan_programs", programs=[program(i, divisions) for i in range(programs)])
    for i in range(history - len(group.history)):
        group.fire("record_activity", **activity(i))
    doc: Doc = group.to_dict()
    return doc


LARGE = {"members": 500, "programs": 50, "history": 2000}


def large_document(scale: float = 1.0) -> Doc:
    """The large group (500 members, 50 programs, 2,000 records), optionally scaled."""
    return sized_document(*(max(2, round(n * scale)) for n in LARGE.values()))


def copy_json(value: Any) -> Any:
    """A fresh copy of a JSON tree, as ``json.loads`` of the stored text would give."""
    if isinstance(value, dict):
        return {k: copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_json(v) for v in value]
    return value


def full_path() -> list[tuple[str, Payload]]:
    """Every professional event once or more, in an order that applies them all."""
    partner = {"id": "p-1", "name": "Ikatan Apoteker Kota", "type": "professional"}
    first = {"goal_results": {"grow": 70, "serve": 60}, "findings": "ok", "improvements": []}
    second = {"goal_results": {"grow": 80, "serve": 75}, "findings": "good", "improvements": ["x"]}
    return [
        ("identify_needs", {"needs": ["continuing education"]}),
        ("form_core_group", {"founders": FOUNDERS}),
        ("adopt_charter", CHARTER),
        ("open_recruitment", {}),
        ("admit", admit(0)),
        ("reject", {"member": member("x"), "reason": "not enough experience yet"}),
        ("establish_structure", structure(2)),
        ("plan_programs", {"programs": [program(0, 2), program(1, 2)]}),
        ("add_program", {"program": program(2, 2)}),
        ("record_activity", activity(1)),
        ("evaluate", first),
        ("develop", {"improvements": ["more sessions"], "programs": [program(3, 2)]}),
        ("record_activity", activity(2)),
        ("evaluate", second),
        (
            "collaborate",
            {
                "partner": {**partner, "stage": "structured"},
                "purpose": "joint seminar",
                "shared": ["knowledge"],
            },
        ),
        ("dissolve", {"reason": "merged into the national association"}),
    ]
