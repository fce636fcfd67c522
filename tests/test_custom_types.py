"""Custom group types: derive, verify, register, plugins, path_to and next_steps."""

from __future__ import annotations

import sys
import textwrap
from typing import Any

import attrs
import pytest

import builders
import kelompok
from kelompok import (
    PROFESSIONAL,
    VOLUNTEER,
    Event,
    GroupType,
    Requirement,
    Stage,
    add_event,
    add_requirement,
    drop_invariant,
    drop_requirement,
    insert_stage,
    relabel,
    replace_requirement,
    verify,
)
from kelompok._types.group_type import REGISTRY

CERTIFIED_STAGE = Stage("certified", {"en": "Members certified", "id": "Anggota tersertifikasi"})
CERTIFY = Event(
    "certify",
    {"en": "Certify the members", "id": "Menyertifikasi anggota"},
    moves={"recruiting": "certified"},
    requires=[
        Requirement(
            "certify.too_small",
            {
                "en": "Certify once at least 3 people are members.",
                "id": "Sertifikasi setelah minimal 3 orang menjadi anggota.",
            },
            check=lambda g, p: len(g.data.members) >= 3,
            needs_payload=False,
        )
    ],
)


def certified_type(name: str = "certified_professional") -> GroupType[kelompok.FormationGroup]:
    return PROFESSIONAL.derive(
        name,
        {"en": "Certified professional group", "id": "Kelompok profesi bersertifikat"},
        insert_stage(CERTIFIED_STAGE, after="recruiting", via=CERTIFY),
        relabel("recruiting", {"en": "Recruiting", "id": "Merekrut"}),
        drop_requirement("admit", "member.profession"),
        drop_invariant("state.profession"),
    )


def definition_snapshot(group_type: GroupType[Any]) -> Any:
    return (
        group_type.stages,
        [(e.name, dict(e.moves), [r.code for r in e.requires], e.label) for e in group_type.events],
    )


def test_derive_inserts_a_stage_and_keeps_the_parent_unchanged():
    before = definition_snapshot(PROFESSIONAL)
    child = certified_type()
    assert before == definition_snapshot(PROFESSIONAL)
    assert "recruiting" in PROFESSIONAL.event("establish_structure").moves
    assert {"certified": "structured"} == dict(child.event("establish_structure").moves)
    assert child.event("admit").moves["certified"] is None  # actions span the new stage
    assert "dissolved" == child.event("dissolve").moves["certified"]
    assert "Recruiting" == str(child.stage("recruiting").label)
    assert "Member recruitment" == str(PROFESSIONAL.stage("recruiting").label)
    assert verify(child).ok
    assert verify(child, refines=PROFESSIONAL).ok

    # the parent's groups behave exactly as before; the child's take the new path
    parent_group = builders.at(PROFESSIONAL, "structured")
    assert "structured" == parent_group.stage
    g = child.create(name="Apoteker Bersertifikat", profession="pharmacist")
    g.fire("identify_needs", needs=["certification"])
    g.fire("form_core_group", founders=builders.PRO_FOUNDERS)
    g.fire("adopt_charter", **builders.CHARTER).fire("open_recruitment")
    assert ["certify.too_small"] == [r.code for r in g.why_not("certify")]
    g.fire("admit", member={"id": "x", "name": "X", "profession": "nurse"}, scores=_scores())
    assert "establish_structure" not in g.available_events()
    g.fire("certify")
    assert "certified" == g.stage
    assert ["establish_structure"] == g.path_to("structured")
    kelompok.register(child)
    assert g.to_dict() == kelompok.load(g.to_dict()).to_dict()


def _scores() -> dict[str, int]:
    return {"competence": 4, "dedication": 4}


def test_drop_invariant_names_a_real_invariant():
    with pytest.raises(kelompok.DefinitionError, match="no such invariant"):
        PROFESSIONAL.derive("x", {"en": "X", "id": "X"}, drop_invariant("state.nothing"))


ALWAYS = kelompok.Invariant("x.always", {"en": "Always.", "id": "Selalu."}, check=lambda g: True)


def test_derive_adds_invariants_and_replaces_them_only_when_told():
    parent = [i.code for i in PROFESSIONAL.invariants]
    added = PROFESSIONAL.derive("with_more", {"en": "More", "id": "Lebih"}, invariants=[ALWAYS])
    assert [*parent, "x.always"] == [i.code for i in added.invariants]
    alone = PROFESSIONAL.derive(
        "with_one", {"en": "One", "id": "Satu"}, invariants=[ALWAYS], replace_invariants=True
    )
    assert ["x.always"] == [i.code for i in alone.invariants]
    bare = PROFESSIONAL.derive("with_none", {"en": "None", "id": "Nihil"}, replace_invariants=True)
    assert () == bare.invariants
    assert parent == [i.code for i in PROFESSIONAL.invariants]  # the parent is never changed


def test_relabel_takes_one_label_and_drops_the_old_languages():
    child = PROFESSIONAL.derive(
        "relabelled",
        {"en": "Relabelled", "id": "Berlabel baru"},
        relabel("recruiting", "Hiring"),
        translations={"id": {"stage.recruiting": "Perekrutan"}},
    )
    assert "Hiring" == str(child.stage("recruiting").label)
    assert "Perekrutan" == child.stage("recruiting").label("id")
    inline = PROFESSIONAL.derive(
        "relabelled_inline",
        {"en": "Relabelled", "id": "Berlabel baru"},
        relabel("admit", {"en": "Let in", "id": "Menerima masuk"}),
    )
    assert ("Let in", "Menerima masuk") == (
        inline.event("admit").label(),
        inline.event("admit").label("id"),
    )
    with pytest.raises(kelompok.DefinitionError) as info:
        PROFESSIONAL.derive("unlabelled", {"en": "U", "id": "U"}, relabel("recruiting", "Hiring"))
    assert [
        "stage 'recruiting' has no 'id' text: give it inline or in translations['id']"
    ] == info.value.problems
    assert "Member recruitment" == str(PROFESSIONAL.stage("recruiting").label)


def test_derive_translations_add_a_language_to_every_text_of_the_child():
    child = PROFESSIONAL.derive(
        "malay_professional",
        {"en": "Professional (Malay)", "id": "Profesi (Melayu)"},
        translations={"ms": {"type": "Kumpulan profesional", "stage.awareness": "Kesedaran"}},
    )
    assert "Kumpulan profesional" == child.label("ms-MY")
    assert "Kesedaran" == child.stage("awareness").label("ms")
    assert "Kesadaran kolektif" == child.stage("awareness").label("id")  # the parent's, kept
    assert str(child.stage("recruiting").label) == child.stage("recruiting").label("ms")
    assert "Kesedaran" != PROFESSIONAL.stage("awareness").label("ms")  # the parent is unchanged


def test_parent_requirement_edits_do_not_leak():
    stricter = Requirement(
        "selection.below_pass_mark",
        {
            "en": "Every criterion must score at least 4.",
            "id": "Setiap kriteria harus bernilai minimal 4.",
        },
        check=lambda g, p: all(v >= 4 for v in p.scores.values()),
    )
    child = PROFESSIONAL.derive(
        "strict_professional",
        {"en": "Strict", "id": "Ketat"},
        replace_requirement("admit", "selection.below_pass_mark", stricter),
        add_requirement(
            "dissolve",
            Requirement(
                "dissolve.vote",
                {"en": "Vote first.", "id": "Voting dahulu."},
                check=lambda g, p: False,
            ),
        ),
    )
    assert "selection.below_pass_mark" in [r.code for r in child.event("admit").requires]
    parent_admit = PROFESSIONAL.event("admit").requires
    assert stricter not in parent_admit
    g = builders.at(PROFESSIONAL, "recruiting")
    assert [] == g.why_not("admit", **builders.payloads(PROFESSIONAL)["admit"])
    assert [] == g.why_not("dissolve", reason="x")
    c = builders.advance(child.create(name="C", profession="pharmacist"), "recruiting")
    codes = [r.code for r in c.why_not("admit", **builders.payloads(PROFESSIONAL)["admit"])]
    assert ["selection.below_pass_mark"] == codes
    assert ["dissolve.vote"] == [r.code for r in c.why_not("dissolve", reason="x")]


def test_derive_with_own_data_round_trips():
    @attrs.frozen
    class CertData(kelompok.FormationData):
        certificates: tuple[str, ...] = ()

    @attrs.frozen
    class CertPayload:
        certificate: str

    def add_certificate(g, p):
        return attrs.evolve(g.data, certificates=(*g.data.certificates, p.certificate))

    child = PROFESSIONAL.derive(
        "professional_with_certificates",
        {"en": "With certificates", "id": "Dengan sertifikat"},
        add_event(
            Event(
                "issue_certificate",
                {"en": "Issue a certificate", "id": "Menerbitkan sertifikat"},
                moves=dict.fromkeys(["recruiting", "structured"]),
                payload=CertPayload,
                effect=add_certificate,
            )
        ),
        data=CertData,
        initial_data=lambda a: CertData(name=a.name, profession=a.profession),
    )
    kelompok.register(child)
    g = builders.advance(child.create(name="C", profession="pharmacist"), "recruiting")
    g.fire("issue_certificate", certificate="SKP-001")
    assert ("SKP-001",) == g.data.certificates
    d = g.to_dict()
    assert ["SKP-001"] == d["data"]["certificates"]
    assert d == kelompok.load(d).to_dict()
    assert isinstance(kelompok.load(d).data, CertData)


@pytest.mark.parametrize("kw_only", [False, True])
def test_built_in_effects_keep_the_fields_of_a_data_subclass(kw_only: bool):
    @attrs.frozen
    class BadgeData(kelompok.FormationData):
        badge: str = attrs.field(default="none", kw_only=kw_only)

    child = PROFESSIONAL.derive(
        f"badged_{kw_only}",
        {"en": "Badged", "id": "Berlencana"},
        data=BadgeData,
        initial_data=lambda a: BadgeData(name=a.name, profession=a.profession, badge="gold"),
    )
    g = builders.advance(child.create(name="C", profession="pharmacist"), "recruiting")
    g.fire("admit", **builders.payloads(PROFESSIONAL)["admit"])
    assert isinstance(g.data, BadgeData)
    assert "gold" == g.data.badge
    assert 3 == len(g.data.members)


def test_derive_reports_every_bad_change():
    with pytest.raises(kelompok.DefinitionError) as info:
        PROFESSIONAL.derive(
            "broken",
            {"en": "Broken", "id": "Rusak"},
            drop_requirement("admit", "no.such.code"),
            drop_requirement("no_such_event", "x"),
            relabel("nowhere", {"en": "N", "id": "N"}),
            insert_stage(CERTIFIED_STAGE, after="limbo", via=CERTIFY),
        )
    text = str(info.value)
    for expected in ("no.such.code", "no_such_event", "nowhere", "limbo"):
        assert expected in text


def test_verify_finds_a_shortcut_with_its_shortest_counterexample():
    skip = Event("skip", {"en": "Skip", "id": "Lompat"}, moves={"structured": "evaluating"})
    child = PROFESSIONAL.derive(
        "shortcut", {"en": "Shortcut", "id": "Jalan pintas"}, add_event(skip)
    )
    report = verify(child)
    assert not report.ok
    assert ["evaluating", "collaborating"] == [p.stage for p in report.problems]
    problem = report.problems[0]
    assert "order" == problem.kind
    assert "evaluating" == problem.stage
    expected = [
        "identify_needs",
        "form_core_group",
        "open_recruitment",
        "establish_structure",
        "skip",
    ]
    assert expected == problem.path
    assert "without passing 'programmed'" in str(problem)
    assert "skip" in str(report)
    # and at run time the shortcut is refused, so invariant 2 still holds
    g = builders.advance(child.create(name="S", profession="pharmacist"), "structured")
    assert ["stage.order"] == [r.code for r in g.why_not("skip")]
    assert "programmed" in str(g.why_not("skip")[0])


def test_verify_refines_catches_an_ordering_the_child_breaks():
    early = Event(
        "early_structure", {"en": "Early", "id": "Awal"}, moves={"core_formed": "recruiting"}
    )
    child = PROFESSIONAL.derive(
        "loose",
        {"en": "Loose", "id": "Longgar"},
        drop_requirement("open_recruitment", "charter.missing"),
        add_event(early),
    )
    assert verify(child, refines=PROFESSIONAL).ok  # same graph, weaker guards: no ordering lost
    assert not verify(VOLUNTEER, refines=PROFESSIONAL).ok  # 'evaluating' is missing


def test_builtins_verify():
    assert verify(PROFESSIONAL).ok
    assert verify(VOLUNTEER).ok
    assert "verified" in str(verify(VOLUNTEER))


@pytest.mark.parametrize(
    ("group_type", "stage", "target", "expected"),
    [
        (PROFESSIONAL, "awareness", "awareness", []),
        (PROFESSIONAL, "awareness", "dissolved", ["dissolve"]),
        (
            PROFESSIONAL,
            "recruiting",
            "evaluating",  # with the actions its events need first (admit, record_activity)
            ["admit", "establish_structure", "plan_programs", "record_activity", "evaluate"],
        ),
        (PROFESSIONAL, "collaborating", "dissolved", ["dissolve"]),
        (VOLUNTEER, "programmed", "collaborating", ["execute", "record_activity", "collaborate"]),
    ],
)
def test_path_to(group_type, stage, target, expected):
    assert expected == builders.at(group_type, stage).path_to(target)


def test_path_to_explains_what_cannot_be_reached():
    g = builders.at(VOLUNTEER, "dissolved")
    with pytest.raises(kelompok.StageUnreachable, match="'dissolved' is terminal"):
        g.path_to("awareness")
    with pytest.raises(kelompok.KelompokError, match="no such stage"):
        builders.new(VOLUNTEER).path_to("evaluating")
    c = builders.at(PROFESSIONAL, "collaborating")
    with pytest.raises(kelompok.StageUnreachable, match="never lead there"):
        c.path_to("recruiting")


def test_next_steps_say_what_is_missing():
    g = builders.at(PROFESSIONAL, "core_formed")
    steps = {s.event: s for s in g.next_steps()}
    assert ["adopt_charter", "open_recruitment", "dissolve"] == list(steps)
    assert ["charter.missing"] == [r.code for r in steps["open_recruitment"].unmet]
    assert not steps["open_recruitment"].ready
    assert "recruiting" == steps["open_recruitment"].dest
    assert ("vision", "mission", "goals", "steps") == steps["adopt_charter"].fields
    assert steps["adopt_charter"].ready
    assert "core_formed" == steps["adopt_charter"].dest
    assert "Membuka rekrutmen anggota" == steps["open_recruitment"].label("id")
    g.fire("adopt_charter", **builders.CHARTER)
    assert all(s.ready for s in g.next_steps())


def test_next_steps_at_evaluation_without_activities():
    g = builders.at(PROFESSIONAL, "programmed")
    steps = {s.event: s for s in g.next_steps()}
    assert ["evaluation.no_activity"] == [r.code for r in steps["evaluate"].unmet]


def test_a_next_step_names_what_meets_its_requirements_and_reads_as_json():
    g = builders.at(PROFESSIONAL, "core_formed")
    step = {s.event: s for s in g.next_steps()}["open_recruitment"]
    assert ("adopt_charter",) == step.fixed_by
    [reason] = step.unmet
    assert {
        "event": "open_recruitment",
        "label": "Membuka rekrutmen anggota",
        "dest": "recruiting",
        "ready": False,
        "fixed_by": ["adopt_charter"],
        "unmet": [reason.to_json("id")],
        "fields": [],
    } == step.to_json("id-ID")
    assert reason.message("id") == step.to_json("id")["unmet"][0]["message"]
    assert str(reason) == step.to_json()["unmet"][0]["message"]


def test_mermaid_highlights_the_current_stage():
    plain = kelompok.mermaid(VOLUNTEER, "id")
    marked = kelompok.mermaid(VOLUNTEER, "id", current="recruiting")
    assert marked.startswith(plain)
    assert marked[len(plain) :].splitlines()[-1] == "    class recruiting current"
    assert "classDef current " in marked
    assert "classDef" not in plain
    with pytest.raises(kelompok.UnknownStage):
        kelompok.mermaid(VOLUNTEER, current="nowhere")


def install_plugin(tmp_path, monkeypatch, entry_point: str) -> None:
    """An installed distribution (a dist-info on sys.path) with one kelompok entry point."""
    dist = tmp_path / "kelompok_test_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: kelompok-test-plugin\nVersion: 1.0\n"
    )
    (dist / "entry_points.txt").write_text(f"[kelompok.group_types]\n{entry_point}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(REGISTRY, "_discovered", False)


def test_register_and_plugins(tmp_path, monkeypatch):
    """A plugin is an installed distribution with an entry point in 'kelompok.group_types'."""
    package = tmp_path / "kelompok_tuckman_plugin"
    package.mkdir()
    (package / "__init__.py").write_text(
        textwrap.dedent(
            """
            import kelompok
            PLUGGED = kelompok.PROFESSIONAL.derive(
                "plugged_professional",
                {"en": "Plugged", "id": "Terpasang"},
                kelompok.relabel("awareness", {"en": "Awake", "id": "Sadar"}),
            )
            """
        )
    )
    install_plugin(tmp_path, monkeypatch, "plugged_professional = kelompok_tuckman_plugin:PLUGGED")
    plugged = kelompok.get_group_type("plugged_professional")
    assert "Awake" == str(plugged.stage("awareness").label)
    assert "Sadar" == plugged.stage("awareness").label("id")
    assert "Terpasang" == plugged.label("id")
    assert plugged is kelompok.group_types()["plugged_professional"]
    g = plugged.create(name="P", profession="nurse").fire("identify_needs", needs=["x"])
    assert g.to_dict() == kelompok.load(g.to_dict()).to_dict()
    sys.modules.pop("kelompok_tuckman_plugin", None)


def test_a_broken_plugin_fails_loudly(tmp_path, monkeypatch):
    install_plugin(tmp_path, monkeypatch, "broken = kelompok_no_such_module:TYPE")
    with pytest.raises(kelompok.KelompokError, match=r"'broken'.*failed to import.*uninstall"):
        kelompok.group_types()


def test_a_broken_plugin_keeps_failing_but_builtins_still_work(tmp_path, monkeypatch):
    install_plugin(tmp_path, monkeypatch, "broken = kelompok_nope:TYPE")
    for _ in range(2):
        with pytest.raises(kelompok.KelompokError, match="failed to import"):
            kelompok.group_types()
    assert PROFESSIONAL is kelompok.get_group_type("professional")
    document = builders.new(PROFESSIONAL).to_dict()
    assert document == kelompok.load(document).to_dict()


def test_stage_order_reason_names_only_live_stages():
    skip = Event("skip", {"en": "Skip", "id": "Lompat"}, moves={"structured": "evaluating"})
    child = PROFESSIONAL.derive("skipper", {"en": "Skipper", "id": "Pelompat"}, add_event(skip))
    g = builders.advance(child.create(name="S", profession="pharmacist"), "structured")
    [reason] = g.why_not("skip")
    assert "before 'programmed' (Programs and activities formed)," in str(reason)
    assert "dissolved" not in str(reason)


def test_group_type_load_checks_the_type():
    document = builders.at(VOLUNTEER, "core_formed").to_dict()
    assert document == VOLUNTEER.load(document).to_dict()
    with pytest.raises(kelompok.InvalidGroupData, match="expected 'professional'"):
        PROFESSIONAL.load(document)
