"""load(document, replay=True): the history is fired again and must give the stored data."""

from __future__ import annotations

import copy

import pytest

import builders
import kelompok
from kelompok import PROFESSIONAL, VOLUNTEER


@pytest.mark.parametrize("group_type", [PROFESSIONAL, VOLUNTEER], ids=lambda t: t.name)
@pytest.mark.parametrize("stage", ["awareness", "recruiting", "collaborating", "dissolved"])
def test_honest_documents_replay(group_type, stage):
    document = builders.at(group_type, stage).to_dict()
    assert document == kelompok.load(document, replay=True).to_dict()


def test_replay_keeps_times_and_actors():
    g = builders.at(VOLUNTEER, "core_formed")
    g.fire("adopt_charter", actor="eka", **builders.CHARTER)
    again = kelompok.load(g.to_dict(), replay=True)
    assert [r.at for r in g.history] == [r.at for r in again.history]
    assert "eka" == again.history[-1].actor


def test_replay_runs_no_listeners():
    seen = []
    unsubscribe = PROFESSIONAL.subscribe(lambda group, record: seen.append(record.event))
    document = builders.at(PROFESSIONAL, "core_formed").to_dict()
    seen.clear()
    try:
        kelompok.load(document, replay=True)
    finally:
        unsubscribe()
    assert [] == seen


def test_a_member_no_admit_made_is_caught_without_replay():
    document = builders.at(PROFESSIONAL, "recruiting").to_dict()
    forged = copy.deepcopy(document)
    forged["data"]["members"]["eko"] = {"id": "eko", "name": "Eko", "profession": "pharmacist"}
    with pytest.raises(kelompok.InvalidGroupData) as info:
        kelompok.load(forged)  # one member per founder and admit: the history has no such admit
    assert [("document.state.counts", "data")] == [(p.code, p.field) for p in info.value.problems]


def test_data_edited_consistently_with_its_events_is_caught_by_replay():
    document = builders.at(PROFESSIONAL, "structured").to_dict()
    forged = copy.deepcopy(document)
    admitted = next(m for m in forged["data"]["members"] if m not in forged["data"]["founders"])
    forged["data"]["members"][admitted]["name"] = "Someone Else"
    assert "Someone Else" == kelompok.load(forged).members[admitted].name  # any admit could
    with pytest.raises(kelompok.InvalidGroupData) as info:
        kelompok.load(forged, replay=True)
    assert [("document.replay", "data")] == [(p.code, p.field) for p in info.value.problems]


def test_a_history_payload_that_breaks_a_requirement_is_caught():
    document = builders.at(PROFESSIONAL, "structured").to_dict()
    forged = copy.deepcopy(document)
    admit = next(r for r in forged["history"] if r["event"] == "admit")
    admit["payload"]["scores"]["dedication"] = 1  # failed selection, admitted anyway
    with pytest.raises(kelompok.InvalidGroupData) as info:
        kelompok.load(forged, replay=True)
    problem = info.value.problems[0]
    assert "document.replay" == problem.code
    assert problem.field.startswith("history[")
    assert "pass mark" in str(problem)
    assert "ditolak" in problem.message("id")


def test_a_malformed_history_payload_is_caught():
    document = builders.at(PROFESSIONAL, "needs_identified").to_dict()
    forged = copy.deepcopy(document)
    forged["history"][0]["payload"] = {"needs": 42}
    kelompok.load(forged)  # a JSON object: the cheap checks let it through
    with pytest.raises(kelompok.InvalidGroupData, match="needs"):
        kelompok.load(forged, replay=True)


def test_forged_founding_is_caught():
    document = builders.at(PROFESSIONAL, "core_formed").to_dict()
    forged = copy.deepcopy(document)
    forged["founding"]["profession"] = "dentist"
    with pytest.raises(kelompok.InvalidGroupData):
        kelompok.load(forged, replay=True)
