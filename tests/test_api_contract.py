"""The public contract (docs/index.md and the pages it links): every name, with its meaning."""

from __future__ import annotations

import datetime as dt
import json

import pytest

import builders
import kelompok

PUBLIC_NAMES = [
    "PROFESSIONAL",
    "VOLUNTEER",
    "group_types",
    "get_group_type",
    "load",
    "Member",
    "Division",
    "Program",
    "PartnerRef",
    "KelompokError",
    "TransitionNotAllowed",
    "UnknownEvent",
    "UnknownGroupType",
    "InvalidGroupData",
]


def test_every_spec_name_is_exported():
    missing = [name for name in PUBLIC_NAMES if not hasattr(kelompok, name)]
    assert [] == missing
    assert set(PUBLIC_NAMES) <= set(kelompok.__all__)
    assert sorted(kelompok.__all__) == sorted(set(kelompok.__all__))


def test_built_in_types():
    assert "professional" == kelompok.PROFESSIONAL.name
    assert "volunteer" == kelompok.VOLUNTEER.name
    types = kelompok.group_types()
    assert types["professional"] is kelompok.PROFESSIONAL
    assert types["volunteer"] is kelompok.VOLUNTEER
    assert kelompok.get_group_type("volunteer") is kelompok.VOLUNTEER


def test_unknown_group_type():
    with pytest.raises(kelompok.UnknownGroupType) as info:
        kelompok.get_group_type("koperasi")
    assert isinstance(info.value, kelompok.KelompokError)
    assert "koperasi" == info.value.name
    assert "'koperasi'" in str(info.value)
    assert "professional" in str(info.value)


def test_group_basics():
    g = kelompok.PROFESSIONAL.create(name="Ikatan Apoteker Muda", profession="pharmacist")
    v = kelompok.VOLUNTEER.create(name="Relawan Kali Bersih")
    assert isinstance(g.id, str)
    assert g.id != v.id
    assert g.type is kelompok.PROFESSIONAL
    assert "professional" == g.type.name
    assert "awareness" == g.stage
    assert 0 == g.version
    assert ["identify_needs", "dissolve"] == g.available_events()


def test_stage_is_read_only():
    g = builders.new(kelompok.PROFESSIONAL)
    with pytest.raises(AttributeError):
        g.stage = "collaborating"  # type: ignore[misc]
    assert "awareness" == g.stage


def test_fire_and_typed_method_are_the_same():
    a = builders.new(kelompok.PROFESSIONAL)
    b = builders.new(kelompok.PROFESSIONAL)
    assert a is a.fire("identify_needs", needs=["peer support"])
    assert b is b.identify_needs(needs=["peer support"])
    assert a.stage == b.stage == "needs_identified"
    assert a.version == b.version == 1
    assert a.history[0].payload == b.history[0].payload


def test_why_not_and_can():
    g = builders.at(kelompok.PROFESSIONAL, "core_formed")
    reasons = g.why_not("open_recruitment")
    assert ["charter.missing"] == [r.code for r in reasons]
    assert not g.can("open_recruitment")
    r = reasons[0]
    assert str(r).startswith("Adopt a charter")
    assert r.message("id").startswith("Susun dahulu")
    assert str(r) == r.message("en")
    assert r.message("id") == r.message("id-ID") == r.message("ms,id;q=0.9")
    assert str(r) == r.message("fr")  # a language without texts is English, never an error
    assert ("adopt_charter",) == r.fixed_by
    expected = {"code": "charter.missing", "message": str(r), "field": None}
    assert {**expected, "fixed_by": ["adopt_charter"]} == r.to_json()
    assert r.message("id") == r.to_json("id-ID")["message"]
    g.fire("adopt_charter", **builders.CHARTER)
    assert [] == g.why_not("open_recruitment")
    assert g.can("open_recruitment")
    assert "core_formed" == g.stage  # asking changes nothing


def test_transition_not_allowed_carries_its_facts():
    g = builders.at(kelompok.PROFESSIONAL, "needs_identified")
    g.fire("form_core_group", founders=builders.PRO_FOUNDERS)
    with pytest.raises(kelompok.TransitionNotAllowed) as info:
        g.fire("open_recruitment")
    err = info.value
    assert isinstance(err, kelompok.KelompokError)
    assert "open_recruitment" == err.event
    assert "core_formed" == err.stage
    assert ["charter.missing"] == [r.code for r in err.reasons]
    assert "charter.missing" in str(err)
    assert "'open_recruitment'" in str(err)


def test_unknown_event():
    g = builders.new(kelompok.VOLUNTEER)
    with pytest.raises(kelompok.UnknownEvent) as info:
        g.fire("develop", improvements=["x"])  # professional only
    assert isinstance(info.value, kelompok.KelompokError)
    assert "develop" == info.value.event
    assert "volunteer" == info.value.group_type
    assert "identify_needs" in str(info.value)
    with pytest.raises(kelompok.UnknownEvent):
        g.why_not("to_collaborating")


def test_history_records():
    g = builders.new(kelompok.PROFESSIONAL)
    before = dt.datetime.now(dt.timezone.utc)
    g.fire("identify_needs", actor="ani", needs=["support"])
    record = g.history[-1]
    assert "identify_needs" == record.event
    assert "awareness" == record.source
    assert "needs_identified" == record.dest
    assert dt.timedelta(0) == record.at.utcoffset()
    assert before <= record.at <= dt.datetime.now(dt.timezone.utc)
    assert {"needs": ["support"]} == record.payload
    assert "ani" == record.actor


def test_to_dict_and_load():
    g = builders.at(kelompok.VOLUNTEER, "collaborating")
    d = g.to_dict()
    assert d == json.loads(json.dumps(d))
    again = kelompok.load(d)
    assert d == again.to_dict()
    assert g.id == again.id
    assert g.stage == again.stage
    assert g.version == again.version


def test_invalid_group_data_is_a_value_error():
    with pytest.raises(kelompok.InvalidGroupData) as info:
        kelompok.load({"schema_version": 1})
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, kelompok.KelompokError)
    assert info.value.problems


def test_value_types_are_frozen_and_validated():
    m = kelompok.Member("ani", "Ani", "pharmacist")
    with pytest.raises(AttributeError):
        m.name = "Other"  # type: ignore[misc]
    with pytest.raises(ValueError, match="blank"):
        kelompok.Member("  ", "Ani")
    p = kelompok.Program("p1", "Training", "training", "Education", ["a", "b"])
    assert ("a", "b") == p.activities
    assert "Education" == kelompok.Division("Education", "courses").name
    assert "structured" == kelompok.PartnerRef("g2", "Other", "professional", "structured").stage


def test_payload_of_wrong_shape_is_refused_with_field_names():
    g = builders.at(kelompok.PROFESSIONAL, "needs_identified")
    with pytest.raises(kelompok.TransitionNotAllowed) as info:
        g.fire("form_core_group", founderz=[])
    codes = {(r.code, r.field) for r in info.value.reasons}
    assert ("payload.missing_field", "founders") in codes
    assert ("payload.unknown_field", "founderz") in codes


def test_actor_is_recorded_through_typed_methods():
    g = builders.new(kelompok.VOLUNTEER)
    g.identify_needs(["trash"], work_area="environmental", actor="eka")
    assert "eka" == g.history[-1].actor


def test_every_error_kelompok_raises_is_a_kelompok_error():
    g = builders.new(kelompok.PROFESSIONAL)
    calls = [
        lambda: kelompok.register("professional"),  # type: ignore[type-var]
        lambda: g.fire("identify_needs", actor=42, needs=["x"]),  # type: ignore[arg-type]
        kelompok.Group,
        lambda: kelompok.PROFESSIONAL.stage("nowhere"),
        lambda: kelompok.PROFESSIONAL.event("nowhere"),
        lambda: kelompok.Member("", "x"),
        lambda: g.path_to("nowhere"),
    ]
    for call in calls:
        with pytest.raises(kelompok.KelompokError):
            call()
    with pytest.raises(KeyError, match="'nowhere'"):  # UnknownStage is also a KeyError
        kelompok.PROFESSIONAL.stage("nowhere")
    with pytest.raises(TypeError):  # UsageError is also a TypeError
        kelompok.Group()


def test_definitions_speak_both_languages():
    pro = kelompok.PROFESSIONAL
    assert "Kelompok profesi" == pro.label("id")
    assert "Member recruitment" == pro.stage("recruiting").label()
    assert "Rekrutmen anggota" == pro.stage("recruiting").label("id")
    assert "Menerima anggota setelah seleksi" == pro.event("admit").label("id")
    requirement = pro.event("open_recruitment").requires[0]
    assert requirement.message("id") == requirement.reason().message("id")
