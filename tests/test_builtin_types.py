"""The built-in types as data: one assembler, two blueprints, a group class per type."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import kelompok
from builders import advance, new
from kelompok import (
    PROFESSIONAL,
    VOLUNTEER,
    FormationGroup,
    GroupType,
    ProfessionalGroup,
    VolunteerGroup,
)
from kelompok._formation.blocks import formation_type
from kelompok._formation.professional import PROFESSIONAL_BLUEPRINT
from kelompok._formation.volunteer import VOLUNTEER_BLUEPRINT

FORMATION = Path(kelompok.__file__).parent / "_formation"
TYPES = [
    (PROFESSIONAL, PROFESSIONAL_BLUEPRINT, ProfessionalGroup),
    (VOLUNTEER, VOLUNTEER_BLUEPRINT, VolunteerGroup),
]


def definition(group_type: GroupType[Any]) -> Any:
    """What makes a type: its texts, stages, events (with requirements) and invariants."""
    return (
        group_type.name,
        group_type.label,
        [(s.name, s.label, s.terminal) for s in group_type.stages],
        [
            (
                e.name,
                e.label,
                dict(e.moves),
                e.payload,
                [(r.code, r.message, r.needs_payload, r.fixed_by) for r in e.requires],
                e.effect,
                e.back,
                e.after,
            )
            for e in group_type.events
        ],
        [(i.code, i.message, i.reads) for i in group_type.invariants],
        group_type.data,
        group_type.founding,
        group_type.initial_data,
        group_type.group_class,
        group_type.translations,
    )


# -- a group class per type -------------------------------------------------------------


def test_a_professional_group_has_no_volunteer_events_or_fields():
    g = new(PROFESSIONAL)
    assert isinstance(g, ProfessionalGroup)
    assert not hasattr(g, "execute")
    assert not hasattr(g, "work_area")
    assert "pharmacist" == g.profession


def test_a_volunteer_group_has_no_professional_events_or_fields():
    g = new(VOLUNTEER)
    assert isinstance(g, VolunteerGroup)
    assert not hasattr(g, "develop")
    assert not hasattr(g, "profession")
    assert g.work_area is None
    assert "environmental" == g.identify_needs(["dirty river"], "environmental").work_area


@pytest.mark.parametrize(("group_type", "blueprint", "group_class"), TYPES)
def test_each_class_is_a_slotted_formation_group(group_type, blueprint, group_class):
    assert issubclass(group_class, FormationGroup)
    assert () == group_class.__slots__ == FormationGroup.__slots__
    assert group_class is group_type.group_class is blueprint.group_class
    assert group_class.__name__ in kelompok.__all__
    assert group_class is getattr(kelompok, group_class.__name__)


@pytest.mark.parametrize(("group_type", "blueprint", "group_class"), TYPES)
def test_create_and_load_give_the_types_own_class(group_type, blueprint, group_class):
    g = advance(new(group_type), "structured")
    document = json.loads(json.dumps(g.to_dict()))
    for made in (
        g,
        group_type.load(document),
        group_type.load(document, replay=True),
        kelompok.load(document),
    ):
        assert group_class is type(made)


def test_only_a_groups_own_type_has_its_own_events():
    assert "execute" not in [e.name for e in PROFESSIONAL.events]
    assert "develop" not in [e.name for e in VOLUNTEER.events]
    pro, vol = set(dir(ProfessionalGroup)), set(dir(VolunteerGroup))
    shared = set(dir(FormationGroup))
    assert {"profession", "develop"} == (pro - shared) - {"identify_needs"}
    assert {"work_area", "execute"} == (vol - shared) - {"identify_needs"}


# -- built from blueprints by one assembler ---------------------------------------------


@pytest.mark.parametrize(("group_type", "blueprint", "group_class"), TYPES)
def test_each_type_is_its_blueprint_assembled(group_type, blueprint, group_class):
    again = formation_type(blueprint)
    assert again is not group_type
    assert definition(group_type) == definition(again)
    assert [s.name for s in group_type.stages] == [s.name for s in again.stages]
    assert [(e.name, [r.code for r in e.requires]) for e in group_type.events] == [
        (e.name, [r.code for r in e.requires]) for e in again.events
    ]
    assert [i.code for i in group_type.invariants] == [i.code for i in again.invariants]


def test_the_two_types_share_everything_their_blueprints_do_not_name():
    pro, vol = PROFESSIONAL, VOLUNTEER
    shared = ["awareness", "needs_identified", "core_formed", "recruiting", "structured"]
    assert [s.name for s in pro.stages][:6] == [*shared, "programmed"]
    assert [s.name for s in vol.stages][:6] == [*shared, "programmed"]
    for event in ("adopt_charter", "reject", "establish_structure", "dissolve"):
        assert [r.code for r in pro.event(event).requires] == [
            r.code for r in vol.event(event).requires
        ]
    pro_codes = [i.code for i in pro.invariants]
    vol_codes = [i.code for i in vol.invariants]
    common = len(pro_codes) - len(PROFESSIONAL_BLUEPRINT.invariants)
    assert pro_codes[:common] == vol_codes[:common]


# -- no type switches come back ----------------------------------------------------------

SWITCH = re.compile(
    r"volunteer=|if volunteer|professional=|if professional"
    r"|\b(?:volunteer|professional)\s*:\s*bool"
    r"|\b(?:if|elif)\s+(?:not\s+)?(?:volunteer|professional|is_volunteer|is_professional)\b"
)


def test_no_formation_module_switches_on_the_type():
    modules = sorted(FORMATION.glob("*.py"))
    assert len(modules) >= 8
    switches = [
        f"{path.name}:{number}: {line.strip()}"
        for path in modules
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SWITCH.search(line)
    ]
    assert [] == switches


def test_the_switch_finder_finds_a_switch():
    assert SWITCH.search("def kind_allowed(g, program, *, volunteer: bool):")
    assert SWITCH.search('    name="professional",') is None
    assert SWITCH.search("    return _events(volunteer=True)")
    assert SWITCH.search("    if volunteer:")
    assert SWITCH.search("    elif not professional:")
