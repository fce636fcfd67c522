"""kelompok.testing: the kit proves good types and catches broken ones."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test

import builders
import kelompok
from kelompok import Event, GroupType, Invariant, Requirement, Stage
from kelompok.testing import (
    divisions,
    lifecycle_machine,
    lifecycle_test,
    members,
    partner_refs,
    programs,
    spec_problems,
)


@attrs.frozen
class Team:
    name: str
    people: tuple[str, ...] = ()


@attrs.frozen
class NewTeam:
    name: str


@attrs.frozen
class Join:
    person: str


def _join(group, payload):
    return attrs.evolve(group.data, people=(*group.data.people, payload.person))


def team_type(name: str, *, effect=_join) -> GroupType[kelompok.Group]:
    """Forming -> storming -> norming, with a way back; 'disbanded' is terminal."""
    return GroupType(
        name=name,
        label={"en": "Team", "id": "Tim"},
        stages=[
            Stage("forming", {"en": "Forming", "id": "Pembentukan"}),
            Stage("storming", {"en": "Storming", "id": "Konflik"}),
            Stage("norming", {"en": "Norming", "id": "Norma"}),
            Stage("disbanded", {"en": "Disbanded", "id": "Bubar"}, terminal=True),
        ],
        events=[
            Event(
                "join",
                {"en": "Join", "id": "Bergabung"},
                moves={"forming": None},
                payload=Join,
                requires=[
                    Requirement(
                        "team.already",
                        {"en": "Already in the team.", "id": "Sudah di tim."},
                        check=lambda g, p: p.person not in g.data.people,
                    )
                ],
                effect=effect,
            ),
            Event(
                "storm",
                {"en": "Storm", "id": "Berkonflik"},
                moves={"forming": "storming"},
                requires=[
                    Requirement(
                        "team.too_small",
                        {"en": "Two people first.", "id": "Dua orang dahulu."},
                        check=lambda g, p: len(g.data.people) >= 2,
                        needs_payload=False,
                    )
                ],
            ),
            Event("agree", {"en": "Agree", "id": "Sepakat"}, moves={"storming": "norming"}),
            Event(
                "relapse",
                {"en": "Relapse", "id": "Kambuh"},
                moves={"norming": "storming"},
                back=True,
            ),
            Event(
                "disband",
                {"en": "Disband", "id": "Bubar"},
                moves=dict.fromkeys(["forming", "storming", "norming"], "disbanded"),
            ),
        ],
        data=Team,
        founding=NewTeam,
        initial_data=lambda args: Team(args.name),
        group_class=kelompok.Group,
        invariants=[
            Invariant(
                "team.people",
                {
                    "en": "People are unique and storming needs two.",
                    "id": "Orang unik dan konflik butuh dua.",
                },
                check=lambda g: (
                    len(set(g.data.people)) == len(g.data.people)
                    and (not g.reached("storming") or len(g.data.people) >= 2)
                ),
            )
        ],
    )


TEAM = kelompok.register(team_type("kit_team"))
PEOPLE = st.fixed_dictionaries({"person": st.sampled_from(["ani", "bayu", "citra", "dewi"])})


def _new_person(group):
    fresh = [p for p in ("ani", "bayu", "citra", "dewi", "eka") if p not in group.data.people]
    return st.fixed_dictionaries({"person": st.sampled_from(fresh or ["zed"])})


TestTeamLifecycle = lifecycle_test(TEAM, {"join": _new_person})


def test_the_kit_finds_an_effect_that_breaks_an_invariant():
    broken = kelompok.register(
        team_type(
            "kit_broken_team",
            effect=lambda g, p: attrs.evolve(g.data, people=(*g.data.people, "same", "same")),
        )
    )
    machine = lifecycle_machine(broken, {"join": PEOPLE}, steps=20)
    with pytest.raises(AssertionError, match=r"team\.people"):
        run_state_machine_as_test(
            machine,
            settings=settings(
                max_examples=200,
                database=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            ),
        )


def test_spec_problems_sees_a_forged_group():
    g = builders.at(kelompok.PROFESSIONAL, "recruiting")
    assert [] == spec_problems(g)
    state = g._cell  # forge past the facade
    g._cell = type(state)(
        "collaborating",
        state.version,
        state.data,
        state.peak,
        state.history,
        state.length,
        state.counts,
        state.marks,
    )
    problems = spec_problems(g)
    assert any("history ends in 'recruiting'" in p for p in problems)


def test_the_kit_runs_on_the_builtins_with_default_payloads():
    machine = lifecycle_machine(
        kelompok.VOLUNTEER,
        {"identify_needs": st.just({"needs": ["trash"], "work_area": "social"})},
        steps=10,
    )
    run_state_machine_as_test(machine, settings=settings(max_examples=10, database=None))


def test_value_strategies_build_valid_values():
    @given(members(), divisions(), programs(), partner_refs())
    def check(member, division, program, ref):
        assert member.id.strip()
        assert isinstance(division, kelompok.Division)
        assert program.activities
        assert ref.stage

    check()
