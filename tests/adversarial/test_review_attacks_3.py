"""A third hostile review, aimed at today's features (CHANGELOG "[Unreleased]", top entries).

Languages (``message(lang)``, ``label(lang)``, the catalogs), ``fire``/``why_not``/``can``
with a payload mapping, ``Group.status`` and the ``to_json`` views, JSON Schemas (checked
with ``jsonschema`` as the oracle), group ids, the lazily built built-in types, ``derive``
with ``invariants=``/``translations=``, and ``path_to`` as a plan.

The first part holds the holes: each test fails now and says which promise it breaks and
what would fix it. The second part pins what held, so that it keeps holding.
"""

from __future__ import annotations

import copy
import json
import pickle
import subprocess
import sys
import threading
import time
import types
from collections import ChainMap
from collections.abc import Iterator, Mapping
from typing import Any

import attrs
import jsonschema
import pytest

import kelompok
from adversarial.helpers import TYPES, assert_plain, open_close_type, snapshot
from builders import at, new, partner_for, payloads
from kelompok import FrozenMap, GroupType
from kelompok._base import text as text_module

JOIN = 5.0  # seconds a thread of a test may take
SHAPE = {"payload.invalid", "payload.missing_field", "payload.unknown_field"}
TYPE_PAIR = (kelompok.PROFESSIONAL, kelompok.VOLUNTEER)
STAGES = {gt.name: [s.name for s in gt.stages] for gt in TYPE_PAIR}


def fire(group: Any, event: str) -> None:
    """Fire *event* on *group* with the builders' valid payload (a fresh partner if needed)."""
    if event == "collaborate":
        partner = partner_for(group.type, f"partner-{group.version}")
        group.fire("collaborate", partner=partner, purpose="joint work", shared=["ideas"])
    else:
        group.fire(event, **payloads(group.type)[event])


def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def as_json(value: Any) -> Any:
    """*value* as a request body holds it: dates as ISO text."""
    return json.loads(json.dumps(value, default=str))


def shape_codes(group: Any, event: str, payload: Mapping[str, Any]) -> set[str]:
    return {r.code for r in group.why_not(event, payload)} & SHAPE


def run_subprocess(code: str, stdin: bytes = b"") -> str:
    command = [sys.executable, "-c", code]
    done = subprocess.run(command, input=stdin, capture_output=True, timeout=60, check=False)  # noqa: S603
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return done.stdout.decode().strip()


# == Part 1: holes ==========================================================================


class RaisingCompare:
    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("__eq__ of the caller's object")

    def __ne__(self, other: object) -> bool:
        raise RuntimeError("__ne__ of the caller's object")


class RaisingStr(str):
    __slots__ = ()
    __hash__ = str.__hash__

    def __ne__(self, other: object) -> bool:
        raise RuntimeError("__ne__ of a str subclass")


class NoBool:
    def __bool__(self) -> bool:
        raise RuntimeError("__bool__ of what __ne__ answered")


class VagueCompare:
    def __ne__(self, other: object) -> Any:
        return NoBool()


@pytest.mark.parametrize("lang", [RaisingCompare(), RaisingStr("id"), VagueCompare()])
def test_a_core_message_in_a_language_whose_comparison_raises_is_english(lang: object) -> None:
    # guarantees §7: "A language is never refused: any value ... gives a text, English".
    # Message.__call__ asks `lang != ENGLISH` of the caller's object, which may raise.
    # Fix: `if type(lang) is not str or lang != ENGLISH:` -- or always call CORE.lookup,
    # whose negotiate() already reads only exact str values.
    g = new(kelompok.VOLUNTEER)
    reason = g.why_not("open_recruitment")[0]
    assert isinstance(reason.text, text_module.Message)
    assert reason.message(lang) == str(reason)
    assert reason.to_json(lang)["message"] == str(reason)
    assert kelompok.events_table(kelompok.VOLUNTEER, lang) == kelompok.events_table(
        kelompok.VOLUNTEER
    )


@pytest.mark.parametrize(
    "template",
    ["{0}", "{nope}", "{label:d}", "{", "{label[x]}", "{label.upper}", "{stage.__class__}"],
)
def test_a_translation_that_does_not_fit_its_values_gives_the_english_message(
    template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # text.py: "A translation that does not fit its values falls back to English." Now
    # `{label[x]}` raises a bare TypeError (not among the caught errors), the others give
    # the English template filled with *Indonesian* values ("The group is dibubarkan"),
    # and attribute access gives "<built-in method upper of str object at 0x...>".
    # Fix: check each catalog template once, when it is read (string.Formatter().parse:
    # only plain names the English template has, no attribute or index access); on any
    # failure format the English template with the values in English.
    g = at(kelompok.VOLUNTEER, "dissolved")
    reason = g.why_not("identify_needs")[0]
    assert reason.text.key == "stage.terminal"
    texts = text_module.CORE.texts
    bad = {**texts, "id": {**texts["id"], "stage.terminal": template}}
    monkeypatch.setattr(text_module.CORE, "_texts", bad)
    assert reason.message("id") == str(reason)


class CollidingKey:
    """A payload key with the hash of a real field, whose comparison raises."""

    def __init__(self, name: str) -> None:
        self._hash = hash(name)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("__eq__ of a payload key")


@pytest.mark.parametrize("call", ["fire", "why_not", "can"])
def test_a_payload_key_that_collides_with_a_keyword_field_is_not_a_bare_exception(
    call: str,
) -> None:
    # guarantees §6: every error is a KelompokError. payload_of() reads the mapping once
    # inside a try, but then asks `key in given` for each keyword outside it, which makes
    # dict compare the caller's key. Fix: compare the keywords against the exact-str keys
    # only ({k for k in given if type(k) is str}), inside the same try.
    g = new(kelompok.VOLUNTEER)
    before = snapshot(g)
    with pytest.raises(kelompok.KelompokError):
        getattr(g, call)(
            "identify_needs", {CollidingKey("needs"): 1}, needs=["x"], work_area="environmental"
        )
    assert snapshot(g) == before


def test_the_document_schema_refuses_an_id_with_a_trailing_newline() -> None:
    # load refuses id "abc\n" (field "id"); the schema's "^...$" takes it in a Python
    # validator (jsonschema uses re.search, where "$" matches before a final newline).
    # Fix: add {"not": {"pattern": "\\n"}} beside the pattern (portable: ECMA and Python).
    g = new(kelompok.VOLUNTEER)
    document = dict(g.to_dict(), id="abc\n")
    with pytest.raises(kelompok.InvalidGroupData) as caught:
        kelompok.load(document)
    assert "id" in {p.field for p in caught.value.problems}
    assert not validator(kelompok.VOLUNTEER.json_schema()).is_valid(document)


BLANK_PAYLOADS = [
    ("form_core_group", "needs_identified", ("founders", 0, "id"), ""),
    ("form_core_group", "needs_identified", ("founders", 1, "name"), " "),
    ("plan_programs", "structured", ("programs", 0, "id"), "\t"),
    ("admit", "recruiting", ("member", "name"), ""),
]


def _set(value: Any, path: tuple[Any, ...], new_value: Any) -> Any:
    value = copy.deepcopy(value)
    here = value
    for step in path[:-1]:
        here = here[step]
    here[path[-1]] = new_value
    return value


@pytest.mark.parametrize(("event", "stage", "path", "blank"), BLANK_PAYLOADS)
def test_a_blank_id_or_name_that_the_converter_refuses_is_refused_by_the_payload_schema(
    event: str, stage: str, path: tuple[Any, ...], blank: str
) -> None:
    # schema.py: "The schemas here describe what kelompok's strict payload converter
    # accepts". Member and Program ids and names are non-blank (payload.invalid, a shape
    # refusal), which JSON Schema can say; the schema says only {"type": "string"}.
    # Fix: let the value classes' fields carry their schema (attrs metadata, e.g.
    # {"minLength": 1, "pattern": "\\S"}) and merge it in _Builder.object().
    gt = kelompok.VOLUNTEER
    payload = as_json(payloads(gt)[event])
    bad = _set(payload, path, blank)
    assert "payload.invalid" in shape_codes(at(gt, stage), event, bad)
    assert not validator(gt.event(event).json_schema()).is_valid(bad)


@pytest.mark.parametrize(
    ("where", "value"),
    [("held_on", "20260131"), ("held_on", "2026-W05-6"),
     ("created_at", "2026-W05-6T00:00:00+00:00"), ("created_at", "20260131T000000+0000")],
)  # fmt: skip
def test_a_date_or_time_that_is_not_the_schemas_rfc_3339_form_is_refused(
    where: str, value: str
) -> None:
    # The schemas say "format": "date" / "date-time" (RFC 3339; jsonschema checks "date"),
    # the messages say "an ISO date text like '2026-01-31'", to_dict writes RFC 3339, and
    # Python 3.10 (requires-python >= 3.10) refuses these texts -- but 3.11's fromisoformat
    # takes them, so one request or stored document is taken or refused by the worker's
    # Python version. Fix: fullmatch an RFC 3339 form (ASCII digits, "T", an offset or "Z")
    # before date/datetime.fromisoformat in _data/convert.py (then "Z" works on 3.10 too).
    gt = kelompok.VOLUNTEER
    if where == "held_on":
        assert not jsonschema.FormatChecker().conforms(value, "date")
        payload = dict(as_json(payloads(gt)["record_activity"]), held_on=value)
        assert "payload.invalid" in shape_codes(at(gt, "executing"), "record_activity", payload)
    else:
        with pytest.raises(kelompok.InvalidGroupData) as caught:
            kelompok.load(dict(new(gt).to_dict(), created_at=value))
        assert "created_at" in {p.field for p in caught.value.problems}


def test_a_type_named_like_a_built_in_cannot_be_registered_before_its_first_use() -> None:
    # Before the built-in types were built lazily, register() of a different
    # "professional" raised "already registered" (test_definition). Now, in a fresh
    # process, it is taken -- even after kelompok.PROFESSIONAL was used, since that path
    # never registers -- and get_group_type("professional") / load() of every stored
    # professional document use the impostor. Fix: Registry.add() builds a lazy entry of
    # the same name first (self._built(name)), so _add() sees the taken name.
    code = (
        "import kelompok\n"
        "mine = kelompok.VOLUNTEER.derive('professional', {'en': 'Mine', 'id': 'Milikku'})\n"
        "try:\n"
        "    kelompok.register(mine)\n"
        "except kelompok.KelompokError:\n"
        "    print('refused')\n"
        "else:\n"
        "    same = kelompok.get_group_type('professional') is kelompok.PROFESSIONAL\n"
        "    print('registered; get_group_type gives the built-in:', same)\n"
    )
    assert run_subprocess(code) == "refused"


class RaisingMapping(Mapping[str, Any]):
    def __getitem__(self, key: str) -> Any:
        raise RuntimeError("__getitem__ of a translations mapping")

    def __iter__(self) -> Iterator[str]:
        return iter(["type"])

    def __len__(self) -> int:
        return 1


class RaisingName:
    def __str__(self) -> str:
        raise RuntimeError("__str__ of a language key")


LABEL = {"en": "Mine", "id": "Milikku"}


@pytest.mark.parametrize(
    "translations",
    [
        {"ms": "not a mapping"},
        {"ms": None},
        {"ms": [("type", "Jenis")]},
        {"ms": RaisingMapping()},
        RaisingMapping(),
        {RaisingName(): {"type": "Jenis"}},
        {"ms": {RaisingName(): "Jenis"}},
    ],
    ids=["str", "None", "pairs", "raising-section", "raising-root", "odd-lang", "odd-key"],
)
def test_translations_of_the_wrong_shape_are_refused_with_a_kelompok_error(
    translations: Any,
) -> None:
    # "translations must be a mapping {language: {key: text}}" is checked for the whole
    # value only: a section that is not a mapping is silently dropped (frozen_translations
    # makes it an empty FrozenMap), and a mapping or key that raises escapes bare.
    # Fix: frozen_translations() records a problem for a section that is not a mapping
    # and for a key that is not an exact str (no str() of the caller's object), and reads
    # the mapping inside a try that turns a failure into a DefinitionError.
    with pytest.raises(kelompok.KelompokError):
        kelompok.PROFESSIONAL.derive("mine", LABEL, translations=translations)


def test_derive_refuses_an_added_invariant_whose_code_the_type_already_has() -> None:
    # derive(invariants=...) now *adds* to the parent's. Passing an edited copy of a
    # parent's invariant (how replacing one looked before) silently keeps both: the old,
    # stricter check still refuses documents, translations keyed by the code reach both,
    # and drop_invariant(code) drops both. Fix: definition_problems() refuses two
    # invariants with one code ("use replace_invariants=True or drop_invariant first").
    parent = kelompok.PROFESSIONAL
    old = parent.invariants[0]
    edited = kelompok.Invariant(old.code, {"en": "Edited", "id": "Diubah"}, lambda g: True)
    with pytest.raises(kelompok.DefinitionError, match=old.code):
        parent.derive("mine", LABEL, invariants=[edited])


# == Part 2: what held ======================================================================

JUNK_LANGS: list[object] = [
    None, 3, 3.5, b"id", object(), "", "*", "\x00id", "id\x00", "\ud800", "\u200fid", "\u202eid",
    "id;q=nan", "id;q=1e309", "id;q=-0", "id;q=inf", "id;q=0", "," * 100_000, "x" * 1_000_000,
    "xx-" * 500, "\uff49\uff44", "١٢٣", "id" + ";q=1" * 5000, RaisingStr("id"), RaisingCompare(),
]  # fmt: skip


@pytest.mark.parametrize("lang", JUNK_LANGS, ids=lambda v: type(v).__name__)
def test_any_language_value_gives_exact_text_in_english_or_indonesian(lang: object) -> None:
    stage = kelompok.VOLUNTEER.stage("awareness")
    assert stage.label(lang) in (stage.label("en"), stage.label("id"))
    assert type(stage.label(lang)) is str
    assert type(kelompok.VOLUNTEER.label(lang)) is str
    status = new(kelompok.PROFESSIONAL).status(lang)
    json.dumps(status, allow_nan=False, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize(
    ("lang", "indonesian"),
    [
        ("id-ID", True), ("ID", True), ("id_ID", True), (" id ", True), ("xx,id;q=0.1", True),
        ("id;q=0", False), ("id;q=nan", False), ("id;q=1e309", False), ("en,id;q=0.9", False),
        (",".join(["xx"] * 15 + ["id"]), True), (",".join(["xx"] * 16 + ["id"]), False),
        ("x" * 1000 + ",id", True), ("x" * 1022 + ",id", False),
    ],
)  # fmt: skip
def test_negotiation_reads_the_first_16_ranges_of_the_first_1024_characters(
    lang: str, indonesian: bool
) -> None:
    stage = kelompok.VOLUNTEER.stage("awareness")
    reason = new(kelompok.VOLUNTEER).why_not("open_recruitment")[0]
    assert (stage.label(lang) == stage.label("id")) is indonesian
    assert (reason.message(lang) == reason.message("id")) is indonesian


def test_reading_a_huge_language_value_is_bounded() -> None:
    stage = kelompok.VOLUNTEER.stage("awareness")
    headers = ["a" * 2_000_000 + str(i) for i in range(20)] + [",;=" * 700_000]
    started = time.perf_counter()
    for header in headers:
        assert stage.label(header) == stage.label("en")
    assert time.perf_counter() - started < 2.0


def test_the_core_catalog_is_read_once_by_many_threads_at_first_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reason = new(kelompok.VOLUNTEER).why_not("open_recruitment")[0]
    expected = reason.message("id")
    monkeypatch.setattr(text_module.CORE, "_texts", None)
    barrier = threading.Barrier(32)
    seen: list[str] = []

    def read() -> None:
        barrier.wait()
        seen.append(reason.message("id-ID"))

    threads = [threading.Thread(target=read, daemon=True) for _ in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(JOIN)
    assert seen == [expected] * 32


# -- payload mappings


class LyingMapping(Mapping[Any, Any]):
    def __init__(self, how: str) -> None:
        self.how, self.calls = how, 0
        self.items_: dict[Any, Any] = {"needs": ["x"], "work_area": "environmental"}

    def __getitem__(self, key: Any) -> Any:
        if self.how == "getitem":
            raise RuntimeError("__getitem__")
        if self.how == "mutates":
            self.items_[len(self.items_)] = "more"
        return self.items_[key]

    def __iter__(self) -> Iterator[Any]:
        self.calls += 1
        if self.how == "keys-differ" and self.calls > 1:
            return iter(["reason"])
        if self.how == "non-str":
            return iter([*self.items_, 1])
        return iter(self.items_)

    def __len__(self) -> int:
        if self.how == "len":
            raise RuntimeError("__len__")
        return -5 if self.how == "negative-len" else 2


@pytest.mark.parametrize(
    ("how", "expected"),
    [("getitem", "usage"), ("mutates", "applied"), ("non-str", "usage"),
     ("keys-differ", "applied"), ("len", "applied"), ("negative-len", "applied")],
)  # fmt: skip
def test_a_lying_payload_mapping_is_read_once_or_refused_and_never_half_applied(
    how: str, expected: str
) -> None:
    g = new(kelompok.VOLUNTEER)
    before = snapshot(g)
    if expected == "usage":
        with pytest.raises(kelompok.UsageError):
            g.fire("identify_needs", LyingMapping(how))
        assert snapshot(g) == before
    else:
        g.fire("identify_needs", LyingMapping(how))
        assert g.history[-1].payload == {"needs": ["x"], "work_area": "environmental"}
        assert g.version == before[1] + 1


def test_a_payload_is_any_mapping_and_nothing_else() -> None:
    given = {"needs": ["x"], "work_area": "environmental"}
    for payload in (FrozenMap(given), types.MappingProxyType(given), ChainMap(given)):
        assert new(kelompok.VOLUNTEER).fire("identify_needs", payload).stage == "needs_identified"
    g = new(kelompok.VOLUNTEER)
    assert g.why_not("identify_needs", None, **given) == []
    junk: tuple[Any, ...] = ([("needs", ["x"])], "needs", 3, {"needs"})
    for not_a_mapping in junk:
        for call in (g.fire, g.why_not, g.can):
            with pytest.raises(kelompok.UsageError):
                call("identify_needs", not_a_mapping)
    with pytest.raises(kelompok.UsageError):
        g.fire("identify_needs", {"needs": ["x"]}, needs=["y"], work_area="environmental")
    assert g.version == 0


@attrs.frozen
class Odd:
    actor: str
    payload: str
    event: str


@attrs.frozen
class Box:
    name: str
    last: str = ""


@attrs.frozen
class Named:
    name: str


def test_payload_fields_called_actor_payload_and_event_go_through_the_mapping() -> None:
    gt = open_close_type(
        "odd_fields", data=Box, founding=Named, payload=Odd,
        effect=lambda g, p: attrs.evolve(g.data, last=p.actor + p.payload + p.event),
    )  # fmt: skip
    g = gt.create(name="n")
    assert g.can("put", {"actor": "A"}, payload="P", event="E")
    g.fire("put", {"actor": "A"}, actor="bob", payload="P", event="E")
    assert (g.data.last, g.history[-1].actor) == ("APE", "bob")
    assert g.history[-1].payload == {"actor": "A", "payload": "P", "event": "E"}


# -- status and to_json


@TYPES
def test_status_and_json_views_are_strict_json_at_every_stage(group_type: GroupType[Any]) -> None:
    for stage in STAGES[group_type.name]:
        g = at(group_type, stage)
        for lang in ("en", "id-ID", "xx", None):
            views = [g.status(lang), [r.to_json(lang) for r in g.history]]
            views.append([s.to_json(lang) for s in g.next_steps()])
            views.append([r.to_json(lang) for e in g.available_events() for r in g.why_not(e)])
            for view in views:
                assert_plain(view, f"{stage}/{lang}")
                json.dumps(view, allow_nan=False, ensure_ascii=False).encode("utf-8")
        status = g.status("id")
        assert (status["stage"], status["version"]) == (g.stage, g.version)
        assert status["stage_label"] == group_type.stage(stage).label("id")


def test_changing_what_the_json_views_return_changes_nothing() -> None:
    g = at(kelompok.VOLUNTEER, "core_formed")
    before = snapshot(g), g.status("id")
    status = g.status("id")
    status["next_steps"][0]["fixed_by"].append("evil")
    status["next_steps"][0]["unmet"].append({"code": "evil"})
    status["next_steps"][0]["fields"].append("evil")
    record = g.history[-1].to_json("id")
    record["payload"]["founders"].append({"id": "eve"})
    step = g.next_steps()[0]
    step.to_json()["unmet"].clear()
    assert (snapshot(g), g.status("id")) == before
    assert g.next_steps()[0] == step


@attrs.frozen
class Count:
    name: str
    n: int = 0


def test_status_reads_one_state_while_another_thread_fires() -> None:
    even = kelompok.Requirement(
        "count.odd", {"en": "The count is odd", "id": "Hitungan ganjil"},
        lambda g, p: g.data.n % 2 == 0, needs_payload=False, fixed_by=("put",),
    )  # fmt: skip
    gt = GroupType(
        name="counting", label={"en": "Counting", "id": "Menghitung"},
        stages=[kelompok.Stage("open", {"en": "Open", "id": "Buka"}),
                kelompok.Stage("closed", {"en": "Closed", "id": "Tutup"}, terminal=True)],
        events=[kelompok.Event("put", {"en": "Put", "id": "Taruh"}, moves={"open": None},
                               effect=lambda g, p: attrs.evolve(g.data, n=g.data.n + 1)),
                kelompok.Event("close", {"en": "Close", "id": "Tutup"}, moves={"open": "closed"},
                               requires=(even,))],
        data=Count, founding=Named, initial_data=lambda a: Count(name=a.name),
        group_class=kelompok.Group,
    )  # fmt: skip
    g = gt.create(name="c")
    stop = threading.Event()

    def firing() -> None:
        while not stop.is_set() and g.version < 3000:
            g.fire("put")

    thread = threading.Thread(target=firing, daemon=True)
    thread.start()
    wrong = []
    try:
        for _ in range(1500):
            status = g.status("id")
            close = next(s for s in status["next_steps"] if s["event"] == "close")
            if close["ready"] != (status["version"] % 2 == 0):
                wrong.append(status)
    finally:
        stop.set()
        thread.join(JOIN)
    assert not wrong[:1]


# -- JSON Schema


@TYPES
def test_every_document_of_every_stage_and_every_payload_validates(
    group_type: GroupType[Any],
) -> None:
    documents = validator(group_type.json_schema())
    for stage in STAGES[group_type.name]:
        document = json.loads(json.dumps(at(group_type, stage).to_dict()))
        assert not [e.message for e in documents.iter_errors(document)][:1], stage
        for record in document["history"]:
            schema = group_type.event(record["event"]).json_schema()
            assert not [e.message for e in validator(schema).iter_errors(record["payload"])][:1]


def test_the_documented_differences_of_the_schemas_are_pinned() -> None:
    # schema.py: "a schema cannot tell 1.0 from 1, or see a lone surrogate in a text".
    gt = kelompok.VOLUNTEER
    given = as_json(payloads(gt)["record_activity"])
    for payload in (dict(given, participants=12.0), dict(given, outcome="\ud800")):
        assert validator(gt.event("record_activity").json_schema()).is_valid(payload)
        assert "payload.invalid" in shape_codes(at(gt, "executing"), "record_activity", payload)
    document = dict(new(gt).to_dict(), version=0.0)
    assert validator(gt.json_schema()).is_valid(document)
    with pytest.raises(kelompok.InvalidGroupData):
        kelompok.load(document)


# -- group ids


@pytest.mark.parametrize(
    "bad",
    ["١٢٣", "①", "\uff41\uff42\uff43", "abc\n", "\nabc", "a" * 129, "", "-a", ".a", "_a",
     "~a", "a b", "a/b", "\ud800", "ǅ", "\u212a", 123, b"abc"],
)  # fmt: skip
def test_an_id_off_the_rule_is_refused_by_create_and_by_load(bad: Any) -> None:
    with pytest.raises(kelompok.CreationRefused) as caught:
        kelompok.VOLUNTEER.create(name="R", id=bad)
    assert [(r.code, r.field) for r in caught.value.reasons] == [("create.invalid", "id")]
    document = dict(new(kelompok.VOLUNTEER).to_dict(), id=bad)
    with pytest.raises(kelompok.InvalidGroupData) as refused:
        kelompok.load(document)
    assert "id" in {p.field for p in refused.value.problems}


class ShiftyStr(str):
    __slots__ = ()
    __hash__ = str.__hash__

    def __eq__(self, other: object) -> bool:
        return True

    def strip(self, *args: Any) -> str:
        return "ok"


def test_an_id_on_the_rule_is_stored_as_exact_text() -> None:
    for good in ("a" * 128, "A~._-", "0", ShiftyStr("abc")):
        g = kelompok.VOLUNTEER.create(name="R", id=good)
        assert type(g.id) is str
        assert g.id == str.__str__(good)
        assert kelompok.load(g.to_dict()).id == g.id
        assert validator(kelompok.VOLUNTEER.json_schema()).is_valid(g.to_dict())


# -- the lazily built built-in types


def test_first_use_from_16_threads_in_a_fresh_process_builds_one_of_each() -> None:
    document = json.dumps(new(kelompok.PROFESSIONAL, id="g1").to_dict())
    code = (
        "import json, sys, threading, kelompok\n"
        "doc = json.loads(sys.stdin.read())\n"
        "assert not any('_formation' in m for m in sys.modules)\n"
        "barrier, seen, raised = threading.Barrier(16), [], []\n"
        "uses = [lambda: kelompok.PROFESSIONAL, lambda: kelompok.get_group_type('professional'),\n"
        "        lambda: kelompok.group_types()['professional'], lambda: kelompok.load(doc).type]\n"
        "def work(i):\n"
        "    try:\n"
        "        barrier.wait(); seen.append(id(uses[i % 4]()))\n"
        "    except BaseException as exc:\n"
        "        raised.append(repr(exc))\n"
        "threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "print(len(seen), len(set(seen)), raised)\n"
    )
    assert run_subprocess(code, document.encode()) == "16 1 []"


def test_a_pickle_is_loaded_in_a_fresh_process_before_any_other_use() -> None:
    g = at(kelompok.VOLUNTEER, "structured")
    code = (
        "import pickle, sys\n"
        "g = pickle.loads(sys.stdin.buffer.read())\n"
        "import kelompok\n"
        "print(g.stage, g.version, g.type is kelompok.VOLUNTEER, type(g).__name__)\n"
    )
    out = run_subprocess(code, pickle.dumps(g))
    assert out == f"structured {g.version} True {type(g).__name__}"


# -- derive, relabel, translations


@pytest.mark.parametrize(
    ("change", "translations", "match"),
    [
        ((), {"ms": {"stage.nope": "x"}}, "stage.nope"),
        ((), {"ms": {"type": 3}}, "non-text"),
        ((), {"ms": {"type": "  "}}, "blank"),
        ((kelompok.relabel("recruiting", "Hiring"),), None, "'id'"),
        ((kelompok.relabel("nope", LABEL),), None, "nope"),
        ((kelompok.add_requirement("admit", kelompok.Requirement(
            "stage.recruiting", LABEL, lambda g, p: True)),), None, "also the key"),
        ((kelompok.add_requirement("admit", kelompok.Requirement(
            "event.admit", LABEL, lambda g, p: True)),), None, "also the key"),
    ],
)  # fmt: skip
def test_derive_refuses_texts_of_the_wrong_shape(
    change: tuple[Any, ...], translations: Any, match: str
) -> None:
    with pytest.raises(kelompok.DefinitionError, match=match):
        kelompok.PROFESSIONAL.derive("mine", LABEL, *change, translations=translations)


def test_derive_translations_and_invariants_leave_the_parent_as_it_was() -> None:
    parent = kelompok.PROFESSIONAL
    label, count = parent.stage("recruiting").label("ms"), len(parent.invariants)
    extra = kelompok.Invariant("mine.holds", LABEL, lambda g: True)
    child = parent.derive(
        "mine", LABEL, invariants=[extra], translations={"MS_my": {"stage.recruiting": "Ambil"}}
    )
    assert child.stage("recruiting").label("ms-MY") == "Ambil"
    assert child.stage("recruiting").label("id") == parent.stage("recruiting").label("id")
    assert len(child.invariants) == count + 1
    alone = parent.derive("m2", LABEL, invariants=[extra], replace_invariants=True)
    assert [i.code for i in alone.invariants] == ["mine.holds"]
    assert (parent.stage("recruiting").label("ms"), len(parent.invariants)) == (label, count)


# -- path_to as a plan


@TYPES
def test_following_the_plan_from_every_stage_reaches_every_reachable_stage(
    group_type: GroupType[Any],
) -> None:
    for start in STAGES[group_type.name]:
        for target in STAGES[group_type.name]:
            g = at(group_type, start)
            try:
                plan = g.path_to(target)
            except kelompok.StageUnreachable:
                order = STAGES[group_type.name]
                assert start == "dissolved" or order.index(target) < order.index(start)
                continue
            assert len(plan) == len(set(plan)), (start, target, plan)
            for event in plan:
                fire(g, event)
            assert g.stage == target, (start, target, plan)


def test_a_plan_after_develop_and_after_a_rejection_still_arrives() -> None:
    g = at(kelompok.PROFESSIONAL, "evaluating").fire("develop", improvements=["more"])
    assert g.path_to("collaborating") == ["evaluate", "collaborate"]
    for event in g.path_to("collaborating"):
        fire(g, event)
    assert g.stage == "collaborating"
    v = at(kelompok.VOLUNTEER, "recruiting")
    v.fire("reject", member={"id": "zed", "name": "Zed"}, reason="not now")
    plan = v.path_to("collaborating")
    assert plan[0] == "admit"
    for event in plan:
        fire(v, event)
    assert v.stage == "collaborating"
