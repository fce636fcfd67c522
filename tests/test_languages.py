"""Choosing a language: BCP 47 tags and Accept-Language values, negotiated, never refused."""

from __future__ import annotations

import ast
import json
import pathlib
import shutil
import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st

import builders
import kelompok
from kelompok._base import lang
from kelompok._base.lang import LOCALES, Catalog, negotiate, ranges
from kelompok._base.text import CORE, Message, Text, fits
from kelompok._formation import blocks
from kelompok._formation.blocks import formation_type
from kelompok._formation.professional import PROFESSIONAL_BLUEPRINT

AVAILABLE = {"en", "id", "pt-br", "pt"}


@pytest.mark.parametrize(
    ("asked", "chosen"),
    [
        ("id", "id"),
        ("id-ID", "id"),
        ("ID", "id"),
        ("id_ID", "id"),
        ("en-GB", "en"),
        ("pt-BR", "pt-br"),
        ("pt-PT", "pt"),
        ("fr-CA,fr;q=0.9,id;q=0.8,en;q=0.7", "id"),
        ("en;q=0.1, id;q=0.9", "id"),  # the weights decide, not the order
        ("id;q=0, en", "en"),  # q=0 means "not this one"
        ("*", "en"),
        ("xx", "en"),
        ("", "en"),
        ("id;q=abc, en", "en"),  # a bad weight counts as 0
        ("id;q=2", "en"),  # above 1: not a valid weight
    ],
)
def test_negotiation(asked, chosen):
    assert chosen == negotiate(asked, AVAILABLE)


@pytest.mark.parametrize(
    "junk",
    [None, 5, 10**5000, b"id", ["id"], object(), "i\x00d"],
    ids=["None", "int", "huge int", "bytes", "list", "object", "NUL"],
)
def test_anything_that_is_not_a_language_gives_english(junk):
    assert "en" == negotiate(junk, AVAILABLE)


def test_a_str_subclass_is_read_as_its_text_not_trusted_as_a_key():
    class Lying(str):
        __slots__ = ()

        def __eq__(self, other):
            return True

        __hash__ = str.__hash__

    assert "en" == negotiate(Lying("xx"), AVAILABLE)


def test_a_long_header_is_read_only_so_far():
    header = ",".join(["xx"] * 10_000) + ",id"
    assert len(ranges(header)) <= 16
    assert "en" == negotiate(header, AVAILABLE)  # "id" is past what is read


@given(st.text(max_size=200))
def test_negotiation_never_fails_and_gives_an_available_language(value):
    assert negotiate(value, AVAILABLE) in AVAILABLE


def test_a_text_falls_back_to_english_and_reads_regional_tags():
    text = Text({"en": "Recruiting", "id": "Rekrutmen", "ms": "Pengambilan"})
    assert "Rekrutmen" == text("id-ID")
    assert "Pengambilan" == text("ms-MY,id;q=0.5")
    assert "Recruiting" == text("jv") == str(text)


def test_every_catalog_file_holds_the_sections_and_templates_of_english():
    """Each language file translates kelompok's own messages with the same values to fill in."""
    files = sorted(LOCALES.glob("*.json"))
    assert files, "no catalog files found"
    for path in files:
        content = json.loads(path.read_text(encoding="utf-8"))
        assert {"core", "formation", "professional", "volunteer"} <= set(content), path.name
    assert {"id"} <= set(CORE.texts)


def test_a_message_whose_translation_does_not_fit_falls_back_to_english(tmp_path):
    (tmp_path / "xx.json").write_text(json.dumps({"core": {"k": "{missing} teks"}}))
    catalog = Catalog("core", tmp_path)
    assert "{missing} teks" == catalog.lookup("xx", "k")
    message = Message("k", "text {value}", {"value": 1})
    assert "text 1" == message("xx")  # no such catalog in the real files: English


def test_indonesian_reaches_every_text_a_response_shows():
    g = kelompok.PROFESSIONAL.create(name="Ikatan Apoteker Muda", profession="pharmacist")
    status = g.status("id-ID")
    assert "Kelompok profesi" == status["type_label"]
    assert "Kesadaran kolektif" == status["stage_label"]
    assert "Mengidentifikasi kebutuhan" == status["next_steps"][0]["label"]
    g.identify_needs(needs=["pelatihan"])
    assert "Mengidentifikasi kebutuhan" == g.history[0].label("id")
    refused = g.why_not("open_recruitment")[0]
    assert refused.message("id") != str(refused)
    json.dumps(status)


def test_a_new_language_is_one_catalog_file(tmp_path, monkeypatch):
    """Malay for kelompok's own texts: one file beside the others, nothing else edited."""
    for path in LOCALES.glob("*.json"):
        shutil.copy(path, tmp_path)
    malay = {
        "core": {"stage.not_allowed": "{event} tidak dibenarkan pada peringkat {stage}."},
        "formation": {"stage.awareness": "Kesedaran kolektif", "event.dissolve": "Bubarkan"},
        "professional": {"type": "Kumpulan profesional"},
        "volunteer": {},
    }
    (tmp_path / "ms.json").write_text(json.dumps(malay), encoding="utf-8")
    monkeypatch.setattr(lang, "LOCALES", tmp_path)  # as if the file were installed
    for catalog in (CORE, blocks._SHARED):
        monkeypatch.setattr(catalog, "_texts", None)  # as in a new process

    professional = formation_type(PROFESSIONAL_BLUEPRINT)  # how kelompok builds it
    g = professional.create(name="Persatuan Ahli Farmasi", profession="pharmacist")
    refused = g.why_not("open_recruitment")[0]
    assert (
        "'open_recruitment' (Open member recruitment) tidak dibenarkan pada peringkat "
        "'awareness' (Kesedaran kolektif)." == refused.message("ms-MY")
    )
    assert "Kesedaran kolektif" == professional.stage("awareness").label("ms")
    assert "Kumpulan profesional" == professional.label("ms")
    assert "Bubarkan" == professional.event("dissolve").label("ms")
    # what the file does not translate is in English, never missing
    assert str(professional.event("admit").label) == professional.event("admit").label("ms")
    assert refused.message("id") != refused.message("ms")


def test_a_new_language_for_a_users_type_is_one_mapping():
    malay = {"type": "Kumpulan", "stage.awareness": "Kesedaran", "needs.missing": "Nyatakan"}
    label = {"en": "Group", "id": "Kelompok"}
    derived = kelompok.PROFESSIONAL.derive("kumpulan", label, translations={"ms": malay})
    assert ("Kumpulan", "Kesedaran") == (
        derived.label("ms"),
        derived.stage("awareness").label("ms"),
    )
    g = derived.create(name="Persatuan", profession="pharmacist")
    assert "Nyatakan" == g.why_not("identify_needs", needs=[])[0].message("ms")


def test_huge_language_values_are_not_kept():
    """The negotiation cache keys on what is read (1,024 characters), not on what arrived."""
    lang._ranges.cache_clear()
    tracemalloc.start()
    try:
        for i in range(100):
            negotiate(f"{i:04d}" + "x" * 1_000_000, AVAILABLE)  # 100 MB in all
        kept, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert kept < 2_000_000


def _messages_in_the_code() -> dict[str, set[tuple[str, frozenset[str]]]]:
    """Every ``msg("key", "English template", **values)`` in kelompok's source, by key."""
    found: dict[str, set[tuple[str, frozenset[str]]]] = {}
    for path in sorted(pathlib.Path(kelompok.__file__).parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "msg"
                and len(node.args) >= 2
                and all(isinstance(a, ast.Constant) and type(a.value) is str for a in node.args[:2])
            ):
                names = frozenset(k.arg for k in node.keywords if k.arg)
                key, english = (a.value for a in node.args[:2])  # type: ignore[attr-defined]
                found.setdefault(key, set()).add((english, names))
    return found


def test_every_message_of_the_code_is_translated_and_fits_its_values():
    code = _messages_in_the_code()
    assert len(code) > 40  # the walk finds them
    for tag, texts in CORE.texts.items():
        stale = sorted(set(texts) - set(code) - {"at_field"})
        assert [] == stale, f"{tag}.json has keys no message of the code uses"
        for key, uses in code.items():
            assert len({english for english, _ in uses}) == 1, f"{key}: two English templates"
            if tag == "id":  # kelompok is bilingual: every message has its Indonesian
                assert key in texts, f"no Indonesian for {key}"
            for english, names in uses:
                assert fits(english, names), f"{key}: the English template takes other values"
                if key in texts:
                    assert fits(texts[key], names), f"{tag}: {key}"


def test_a_translation_that_takes_no_given_value_is_not_used():
    assert fits("{a} and {b!r}", frozenset({"a", "b"}))
    for bad in ("{c}", "{0}", "{a.x}", "{a[0]}", "{a:>9}", "{a!s}", "{"):
        assert not fits(bad, frozenset({"a", "b"})), bad


def test_an_event_that_must_follow_another_names_both_with_their_labels():
    """`event.after`: the event and the one to apply first, by name and by label, per language."""
    note = kelompok.Event(
        "note_structure",
        {"en": "Note the structure", "id": "Mencatat struktur"},
        moves={"recruiting": None},
        after=("admit",),
    )
    child = kelompok.PROFESSIONAL.derive(
        "noting", {"en": "Noting", "id": "Pencatat"}, kelompok.add_event(note)
    )
    group = builders.advance(child.create(name="N", profession="pharmacist"), "recruiting")
    [reason] = group.why_not("note_structure")
    assert ("event.after", ("admit",)) == (reason.code, reason.fixed_by)
    assert (
        "'note_structure' (Note the structure) can only follow 'admit' (Admit a member after "
        "selection): apply 'admit' (Admit a member after selection) first." == reason.message("en")
    )
    assert (
        "'note_structure' (Mencatat struktur) hanya dapat dilakukan setelah 'admit' "
        "(Menerima anggota setelah seleksi): lakukan 'admit' (Menerima anggota setelah seleksi) "
        "dahulu." == reason.message("id")
    )


def test_an_unmet_requirement_is_said_before_the_event_to_apply_first():
    # the type's own requirements usually say what comes first better: the order is then not
    # named too (and what a requirement says is not replaced by it)
    note = kelompok.Event(
        "note_officers",
        {"en": "Note the officers", "id": "Mencatat pengurus"},
        moves={"recruiting": None},
        requires=[
            kelompok.Requirement("notes.none", {"en": "No.", "id": "Tidak."}, lambda g, p: False)
        ],
        after=("admit",),
    )
    child = kelompok.PROFESSIONAL.derive(
        "noting_officers", {"en": "Noting", "id": "Pencatat"}, kelompok.add_event(note)
    )
    group = builders.advance(child.create(name="N", profession="pharmacist"), "recruiting")
    assert ["notes.none"] == [r.code for r in group.why_not("note_officers")]
