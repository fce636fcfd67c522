"""Issue 8, items 6, 7 and 10: hostile input gives a KelompokError, cheaply.

Deeply nested values, huge ints, unhashable names, a requirement that fires,
partners of the wrong shape, a plugin that exits, lone surrogates and NaN: each
is refused with a ``KelompokError`` that says what was wrong, never a bare
``RecursionError``, ``ValueError``, ``TypeError``, ``AttributeError`` or
``SystemExit``. Refusing a document full of junk costs about as much as
accepting one: the problems listed and the values quoted are capped, and the
message says how many more there were.
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
import time
import tracemalloc
import types
from collections.abc import Sequence
from typing import Any

import attrs
import pytest

import kelompok
from adversarial.helpers import TYPES, outcome, snapshot, strict_json
from builders import at, new, payloads
from kelompok._data.convert import structure_or_reasons
from kelompok._types.group_type import REGISTRY

DEPTHS = [500, 5000]
BIG = 10**5000  # more digits than int -> str converts by default


def deep(depth: int, kind: str) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = [value] if kind == "list" else {"k": value}
    return value


def small_document(group_type: Any) -> dict[str, Any]:
    """A valid document with one history record (its payload holds texts)."""
    g = new(group_type).fire("identify_needs", **payloads(group_type)["identify_needs"])
    strict_json(g)
    return g.to_dict()


def mentions_depth(error: BaseException) -> bool:
    """The message names a depth limit (not a ``RecursionError`` caught and quoted)."""
    text = str(error)
    named = re.search(r"\b(depth|deep|deeper|nest(ed|ing)?)\b", text, re.IGNORECASE)
    return named is not None and "recursion" not in text.lower()


# -- (a) depth --------------------------------------------------------------------------


@TYPES
@pytest.mark.parametrize("kind", ["list", "dict"])
@pytest.mark.parametrize("place", ["data", "payload"])
@pytest.mark.parametrize("depth", DEPTHS)
def test_a_deeply_nested_document_is_refused_with_its_depth_limit(group_type, kind, place, depth):
    """A payload is free JSON, so its depth is what is refused; data has a type.

    Where the data class expects a list of texts, a deep value is refused at its
    first level, as the wrong type, without looking deeper.
    """
    document = small_document(group_type)
    value = deep(depth, kind)
    if place == "data":
        document["data"]["needs"] = value
    else:
        document["history"][0]["payload"]["needs"] = value
    with pytest.raises(kelompok.InvalidGroupData) as caught:
        kelompok.load(document)
    if place == "payload":
        assert mentions_depth(caught.value), str(caught.value)[:500]
    else:
        where = "data.needs[0]" if kind == "list" else "data.needs"
        assert [where] == [p.field for p in caught.value.problems]
        assert "recursion" not in str(caught.value).lower()
    with pytest.raises(kelompok.InvalidGroupData):
        kelompok.load(document, replay=True)


@TYPES
@pytest.mark.parametrize("kind", ["list", "dict"])
def test_a_deeply_nested_json_text_is_refused_with_its_depth_limit(group_type, kind):
    document = small_document(group_type)
    document["history"][0]["payload"]["needs"] = [deep(500, kind)]
    text = json.dumps(document)
    assert len(text) < 6_000  # a small document: the depth is the attack
    with pytest.raises(kelompok.InvalidGroupData) as caught:
        kelompok.load(json.loads(text))
    assert mentions_depth(caught.value), str(caught.value)[:500]


@TYPES
@pytest.mark.parametrize("kind", ["list", "dict"])
def test_a_deeply_nested_payload_is_refused(group_type, kind):
    for depth in DEPTHS:
        g = new(group_type)
        before = snapshot(g)
        fields = dict(payloads(group_type)["identify_needs"])
        fields["needs"] = deep(depth, kind)
        with pytest.raises(kelompok.TransitionNotAllowed):
            g.fire("identify_needs", **fields)
        with pytest.raises(kelompok.TransitionNotAllowed):
            g.fire("identify_needs", **{**fields, "needs": [deep(depth, kind)]})
        assert before == snapshot(g)
    # and in a document, where plain load() used to recurse without limit
    document = small_document(group_type)
    document["history"][0]["payload"]["needs"] = deep(5000, kind)
    with pytest.raises(kelompok.InvalidGroupData):
        kelompok.load(document)


# -- (b) ints beyond int -> str ---------------------------------------------------------


@pytest.mark.parametrize(
    "where", ["version", "schema_version", "data.activities", "payload.participants"]
)
def test_a_huge_int_in_a_document_is_refused(where):
    g = at(kelompok.PROFESSIONAL, "evaluating")
    for value in (BIG, -BIG):
        document = g.to_dict()
        if where == "data.activities":
            document["data"]["activities"][0]["participants"] = value
        elif where == "payload.participants":
            record = next(r for r in document["history"] if r["event"] == "record_activity")
            record["payload"]["participants"] = value
        else:
            document[where] = value
        with pytest.raises(kelompok.InvalidGroupData) as caught:
            kelompok.load(document)
        assert str(caught.value)
        assert repr(caught.value)
        for problem in caught.value.problems:
            assert str(problem)


@TYPES
def test_a_huge_int_in_a_payload_is_refused(group_type):
    g = at(group_type, "executing" if group_type is kelompok.VOLUNTEER else "programmed")
    before = snapshot(g)
    activity = dict(payloads(group_type)["record_activity"])
    for value in (BIG, -BIG):
        with pytest.raises(kelompok.TransitionNotAllowed) as caught:
            g.fire("record_activity", **{**activity, "participants": value})
        assert str(caught.value)
        assert before == snapshot(g)
    admit_at = at(group_type, "recruiting")
    admit = payloads(group_type)["admit"]
    scores = dict.fromkeys(admit["scores"], BIG)
    with pytest.raises(kelompok.TransitionNotAllowed) as caught:
        admit_at.fire("admit", member=admit["member"], scores=scores)
    assert str(caught.value)
    g.fire("record_activity", **activity)
    strict_json(g)


# -- (c) names that are not text --------------------------------------------------------


@pytest.mark.parametrize(
    "name", [[], {}, set(), bytearray(b"x")], ids=["list", "dict", "set", "ba"]
)
@pytest.mark.parametrize(
    "call",
    ["fire", "why_not", "can", "type.event", "type.stage", "reached", "path_to"],
)
def test_an_unhashable_name_is_a_usage_error(call, name):
    g = at(kelompok.PROFESSIONAL, "recruiting")
    before = snapshot(g)
    calls = {
        "fire": g.fire,
        "why_not": g.why_not,
        "can": g.can,
        "type.event": g.type.event,
        "type.stage": g.type.stage,
        "reached": g.reached,
        "path_to": g.path_to,
    }
    with pytest.raises(kelompok.KelompokError) as caught:
        calls[call](name)
    assert isinstance(caught.value, TypeError | LookupError)
    assert str(caught.value)
    assert before == snapshot(g)


# -- (d) a requirement that fires on its own group -------------------------------------


@TYPES
def test_a_requirement_that_fires_its_own_group_is_a_definition_bug(group_type):
    def meddle(group, payload):
        group.fire("dissolve", reason="from inside a requirement")
        return True

    meddler = kelompok.Requirement(
        "needs.meddling",
        {"en": "A requirement that fires an event.", "id": "Persyaratan yang memicu kejadian."},
        check=meddle,
    )
    child = group_type.derive(
        f"meddling_{group_type.name}",
        {"en": "Meddling", "id": "Campur tangan"},
        kelompok.add_requirement("identify_needs", meddler),
    )
    kelompok.register(child)
    if group_type is kelompok.PROFESSIONAL:
        g = child.create(name="Meddlers", profession="pharmacist")
    else:
        g = child.create(name="Meddlers")
    before = snapshot(g)
    raised: Any = None
    try:
        g.fire("identify_needs", **payloads(group_type)["identify_needs"])
    except Exception as exc:  # noqa: BLE001 -- what it is, is asserted below
        raised = exc
    assert before == snapshot(g), "the requirement's event stayed applied"
    assert "awareness" == g.stage
    assert isinstance(raised, kelompok.KelompokError), f"a bare {type(raised).__name__}"
    assert isinstance(raised, kelompok.DefinitionBug)
    assert "needs.meddling" in raised.culprit
    assert "identify_needs" == raised.event
    g.fire("dissolve", reason="still usable")  # the group still fires
    assert "dissolved" == g.stage
    assert kelompok.load(g.to_dict()).to_dict() == g.to_dict()


# -- (e) partners of the wrong shape ----------------------------------------------------


def ready_to_collaborate(group_type: Any) -> Any:
    if group_type is kelompok.PROFESSIONAL:
        return at(group_type, "evaluating")
    g = at(group_type, "executing")
    return g.fire("record_activity", **payloads(group_type)["record_activity"])


class RaisingPartner:
    def as_partner_ref(self) -> Any:
        msg = "no reference today"
        raise ValueError(msg)


class AttributeErrorPartner:
    def as_partner_ref(self) -> Any:
        return self.missing  # type: ignore[attr-defined]


class NonePartner:
    def as_partner_ref(self) -> Any:
        return None


class DictPartner:
    def as_partner_ref(self) -> Any:
        return {"id": "elsewhere"}


class HalfPartner:
    def as_partner_ref(self) -> Any:
        return types.SimpleNamespace(id="elsewhere")


class NotCallablePartner:
    as_partner_ref = "not a method"


PARTNERS = {
    "as_partner_ref raises": RaisingPartner(),
    "as_partner_ref raises AttributeError": AttributeErrorPartner(),
    "as_partner_ref returns None": NonePartner(),
    "as_partner_ref returns a dict": DictPartner(),
    "as_partner_ref returns half an object": HalfPartner(),
    "as_partner_ref is not callable": NotCallablePartner(),
    "an object without attributes": object(),
    "a dict missing keys": {"id": "elsewhere", "name": "Elsewhere"},
    "a namespace missing attributes": types.SimpleNamespace(id="elsewhere", name="Elsewhere"),
    "None": None,
    "a number": 5,
}


def _partner_outcome(g: Any, partner: Any) -> str:
    before = snapshot(g)
    try:
        g.fire("collaborate", partner=partner, purpose="joint work", shared=["ideas"])
    except kelompok.TransitionNotAllowed as refused:
        codes = [r.code for r in refused.reasons]
        if not any(c.startswith("payload") for c in codes):
            return f"refused without a payload reason: {codes}"
        if not any("partner" in (r.field or str(r)) for r in refused.reasons):
            return f"refused without naming the partner: {codes}"
        if before != snapshot(g):
            return "refused, but the group changed"
        return "refused"
    except Exception as exc:  # noqa: BLE001 -- the outcome is what the test compares
        return f"{type(exc).__name__}: {exc}"
    return "accepted"


@TYPES
def test_a_partner_of_the_wrong_shape_is_refused(group_type):
    g = ready_to_collaborate(group_type)
    outcomes = {shape: _partner_outcome(g, partner) for shape, partner in PARTNERS.items()}
    assert dict.fromkeys(PARTNERS, "refused") == outcomes
    for partner in PARTNERS.values():
        assert g.why_not("collaborate", partner=partner, purpose="x", shared=["ideas"])


# -- (f) a plugin that exits at import --------------------------------------------------


def install_plugin(tmp_path, monkeypatch, module: str, source: str, name: str) -> None:
    package = tmp_path / module
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent(source))
    dist = tmp_path / f"{module}-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {module.replace('_', '-')}\nVersion: 1.0\n"
    )
    (dist / "entry_points.txt").write_text(f"[kelompok.group_types]\n{name} = {module}:TYPE\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(REGISTRY, "_discovered", False)
    monkeypatch.delitem(sys.modules, module, raising=False)


@pytest.mark.parametrize(
    "body",
    ["raise SystemExit(3)", "raise SystemExit('bye')", "import sys; sys.exit(0)"],
    ids=["exit-3", "exit-text", "sys.exit"],
)
def test_a_plugin_that_exits_at_import_is_a_kelompok_error(tmp_path, monkeypatch, body):
    install_plugin(tmp_path, monkeypatch, "kelompok_exiting_plugin", body, "exiting")
    for _ in range(2):  # and it keeps failing, not only the first time
        with pytest.raises(kelompok.KelompokError, match="exiting"):
            kelompok.group_types()
    with pytest.raises(kelompok.KelompokError, match="exiting"):
        kelompok.get_group_type("exiting")
    assert kelompok.PROFESSIONAL is kelompok.get_group_type("professional")


# -- (g) lone surrogates and NaN --------------------------------------------------------

SURROGATES = ["\ud800", "a\udc80b", "\udfff"]


@pytest.mark.parametrize("text", SURROGATES)
@pytest.mark.parametrize("field", ["id", "name", "profession"])
def test_create_refuses_lone_surrogates(field, text):
    args = {"name": "Ikatan Apoteker Muda", "profession": "pharmacist", field: text}
    with pytest.raises(kelompok.CreationRefused) as refused:
        kelompok.PROFESSIONAL.create(**args)
    assert [field] == [r.field for r in refused.value.reasons]


@TYPES
@pytest.mark.parametrize("text", SURROGATES)
def test_payloads_and_actors_refuse_lone_surrogates(group_type, text):
    g = new(group_type)
    before = snapshot(g)
    fields = dict(payloads(group_type)["identify_needs"])
    with pytest.raises(kelompok.TransitionNotAllowed):
        g.fire("identify_needs", **{**fields, "needs": [text]})
    with pytest.raises(kelompok.KelompokError):
        g.fire("identify_needs", actor=text, **fields)
    assert before == snapshot(g)
    g.fire("identify_needs", **fields)
    g.fire("form_core_group", **payloads(group_type)["form_core_group"])
    member = {"id": "x" + text, "name": "X"}
    charter = {**payloads(group_type)["adopt_charter"], "vision": text}
    with pytest.raises(kelompok.TransitionNotAllowed):
        g.fire("adopt_charter", **charter)
    g.fire("adopt_charter", **payloads(group_type)["adopt_charter"]).fire("open_recruitment")
    scores = payloads(group_type)["admit"]["scores"]
    if group_type is kelompok.PROFESSIONAL:
        member["profession"] = "pharmacist"
    with pytest.raises(kelompok.TransitionNotAllowed):
        g.fire("admit", member=member, scores=scores)
    with pytest.raises(kelompok.TransitionNotAllowed):
        g.fire("admit", member=payloads(group_type)["admit"]["member"], scores={text: 3})
    strict_json(g)


def _surrogate_documents(text: str) -> dict[str, Any]:
    g = at(kelompok.PROFESSIONAL, "recruiting")
    docs: dict[str, Any] = {}

    def variant(name: str) -> dict[str, Any]:
        docs[name] = json.loads(json.dumps(g.to_dict()))
        return docs[name]

    variant("id")["id"] = text
    variant("actor")["history"][0]["actor"] = text
    d = variant("needs")
    d["data"]["needs"] = [text]
    d["history"][0]["payload"]["needs"] = [text]
    variant("payload only")["history"][0]["payload"]["needs"] = [text]
    variant("payload key")["history"][0]["payload"][text] = "x"
    variant("data key")["data"]["members"][text] = g.to_dict()["data"]["members"]["ani"]
    variant("at")["history"][0]["at"] += text
    variant("charter")["data"]["charter"]["vision"] = "Vision " + text
    return docs


@pytest.mark.parametrize("text", SURROGATES)
def test_load_refuses_lone_surrogates(text):
    documents = _surrogate_documents(text)
    outcomes = {
        where: outcome(lambda d=d: kelompok.load(d), kelompok.InvalidGroupData)
        for where, d in documents.items()
    }
    assert dict.fromkeys(documents, "refused") == outcomes


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
@pytest.mark.parametrize("where", ["participants", "goal_results", "extra field", "nested"])
def test_load_refuses_nan_and_infinity_in_a_payload(where, number):
    g = at(kelompok.PROFESSIONAL, "evaluating")
    document = g.to_dict()
    activity = next(r for r in document["history"] if r["event"] == "record_activity")
    evaluation = next(r for r in document["history"] if r["event"] == "evaluate")
    if where == "participants":
        activity["payload"]["participants"] = number
    elif where == "goal_results":
        evaluation["payload"]["goal_results"]["grow"] = number
    elif where == "extra field":
        activity["payload"]["extra"] = number
    else:
        evaluation["payload"]["improvements"] = [[number]]
    with pytest.raises(kelompok.InvalidGroupData):
        kelompok.load(document)


def test_nan_is_refused_in_payloads():
    g = at(kelompok.PROFESSIONAL, "programmed")
    activity = dict(payloads(kelompok.PROFESSIONAL)["record_activity"])
    for number in (float("nan"), float("inf")):
        with pytest.raises(kelompok.TransitionNotAllowed):
            g.fire("record_activity", **{**activity, "participants": number})
    g.fire("record_activity", **activity)
    g.fire("evaluate", goal_results={"grow": 70, "serve": 60}, findings="fine")
    strict_json(g)
    document = g.to_dict()
    document["history"][-1]["payload"]["goal_results"]["grow"] = float("nan")
    with pytest.raises(kelompok.InvalidGroupData):
        kelompok.load(document)


# -- 5. bounded cost of refusing junk ---------------------------------------------------

MAX_SECONDS = 3.0
MAX_BYTES = 100 * 2**20
MAX_MESSAGE = 20_000


def _numbers(text: str) -> list[int]:
    return [int(re.sub(r"[,_ .]", "", n)) for n in re.findall(r"\d+(?:[,_ .]\d{3})*", text)]


def _refused_cheaply(
    refuse: Any, error: type[BaseException], *, short: bool = True
) -> BaseException:
    """Run *refuse()* (which must raise *error*) and check its cost in time and memory.

    With *short*, also that the message is short (else the caller checks it).
    """
    start = time.perf_counter()
    with pytest.raises(error) as caught:
        refuse()
    elapsed = time.perf_counter() - start
    assert elapsed < MAX_SECONDS, f"refusing took {elapsed:.1f} s"
    if short:
        assert len(str(caught.value)) < MAX_MESSAGE, f"a message of {len(str(caught.value))} chars"
    tracemalloc.start()
    try:
        with pytest.raises(error):
            refuse()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MAX_BYTES, f"refusing needed {peak / 2**20:.0f} MB"
    return caught.value


def _junk_documents() -> dict[str, tuple[dict[str, Any], int]]:
    """Documents of about 1 MB with many bad values, and how many bad values each has."""
    base = at(kelompok.PROFESSIONAL, "recruiting").to_dict()
    docs: dict[str, tuple[dict[str, Any], int]] = {}
    d = json.loads(json.dumps(base))
    d["data"]["needs"] = [1] * 300_000
    docs["data.needs"] = (d, 300_000)
    d = json.loads(json.dumps(base))
    d["history"][0]["payload"]["needs"] = [1] * 300_000
    docs["history payload"] = (d, 300_000)
    d = json.loads(json.dumps(base))
    d["data"]["members"] = {f"m{i}": 1 for i in range(100_000)}
    docs["data.members"] = (d, 100_000)
    return docs


@pytest.mark.parametrize("case", ["data.needs", "history payload", "data.members"])
def test_a_document_full_of_junk_is_refused_cheaply(case):
    document, bad = _junk_documents()[case]
    assert len(json.dumps(document)) > 500_000
    # Plain load checks that a recorded payload is strict JSON; what it holds is checked
    # by replay=True, which fires the recorded events again (docs/guarantees.md).
    replay = case == "history payload"
    error = _refused_cheaply(
        lambda: kelompok.load(document, replay=replay), kelompok.InvalidGroupData
    )
    assert isinstance(error, kelompok.InvalidGroupData)
    assert 1 <= len(error.problems) <= 100
    remaining = bad - len(error.problems)
    message = str(error)
    assert any(0.99 * remaining - 10 <= n <= bad + 10 for n in _numbers(message)), (
        f"the message does not say how many more problems there were: {message[-500:]}"
    )


MEGABYTE = "x" * 1_000_000


# places where a huge text is wrong (a huge id or actor is merely long, and valid)
HUGE_TEXT_PLACES = [
    "type",
    "schema_version",
    "stage",
    "unknown key",
    "data.needs",
    "data.name",
    "history.event",
    "history.source",
    "history.dest",
    "history.at",
    "history key",
    "members key",
]


def _with_huge_text(document: dict[str, Any], where: str) -> dict[str, Any]:
    d = json.loads(json.dumps(document))
    if where == "unknown key":
        d[MEGABYTE] = 1
    elif where == "data.needs":
        d["data"]["needs"] = MEGABYTE
    elif where == "data.name":
        d["data"]["name"] = MEGABYTE
    elif where == "history key":
        d["history"][0][MEGABYTE] = 1
    elif where == "members key":
        d["data"]["members"][MEGABYTE] = d["data"]["members"]["ani"]
    elif where.startswith("history."):
        d["history"][1][where.removeprefix("history.")] = MEGABYTE
    else:
        d[where] = MEGABYTE
    return d


def test_a_huge_text_in_a_wrong_place_is_quoted_briefly():
    document = at(kelompok.PROFESSIONAL, "recruiting").to_dict()
    too_long = {}
    for where in HUGE_TEXT_PLACES:
        d = _with_huge_text(document, where)
        error = _refused_cheaply(
            lambda d=d: kelompok.load(d), kelompok.InvalidGroupData, short=False
        )
        assert isinstance(error, kelompok.InvalidGroupData)
        longest = max([len(str(error)), *(len(str(p)) for p in error.problems)])
        if longest >= MAX_MESSAGE:
            too_long[where] = longest
    assert {} == too_long


@TYPES
def test_a_payload_full_of_junk_is_refused_cheaply(group_type):
    g = new(group_type)
    before = snapshot(g)
    fields = dict(payloads(group_type)["identify_needs"])
    fields["needs"] = [1] * 300_000
    error = _refused_cheaply(
        lambda: g.fire("identify_needs", **fields), kelompok.TransitionNotAllowed
    )
    assert isinstance(error, kelompok.TransitionNotAllowed)
    assert 1 <= len(error.reasons) <= 100
    assert before == snapshot(g)
    with pytest.raises(kelompok.UnknownEvent) as caught:
        g.fire(MEGABYTE)
    assert len(str(caught.value)) < MAX_MESSAGE
    with pytest.raises(kelompok.TransitionNotAllowed) as refused:
        g.fire("identify_needs", needs=[MEGABYTE, 5], work_area=MEGABYTE)
    assert len(str(refused.value)) < MAX_MESSAGE
    assert all(len(str(r)) < MAX_MESSAGE for r in refused.value.reasons)


@pytest.mark.parametrize("value", ["abc", {"a": 1}, b"ab", range(3), {"x"}, 7])
def test_a_list_or_sequence_field_takes_only_a_list_or_tuple(value):
    """cattrs builds a list[str] from any iterable: a text became its letters, a dict its keys."""

    @attrs.frozen
    class Tags:
        tags: list[str]
        more: Sequence[str] = ()

    for field in ("tags", "more"):
        payload = {"tags": ["ok"], field: value}
        obj, reasons = structure_or_reasons(payload, Tags, code="payload")
        assert obj is None
        assert [field] == [r.field for r in reasons]
    built, reasons = structure_or_reasons({"tags": ["a"], "more": ["b"]}, Tags, code="payload")
    assert ([], ["a"], ("b",)) == (reasons, built.tags, built.more)
