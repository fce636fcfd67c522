"""Documents: ``to_dict``/``load`` round trips, and ``load`` refusing every kind of bad input."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

import kelompok
from adversarial.oracle import HEAD_KEYS
from adversarial.oracle_head import retally
from builders import PATHS, at, partner_for, payloads
from kelompok import FormationGroup, InvalidGroupData
from kelompok._types.group_type import checked_load
from strategies import (
    LIVE,
    STAGES,
    TYPES,
    broken_invariants,
    history_problems,
    iso_dates,
    iso_times,
    json_values,
)

# -- documents of every stage ---------------------------------------------------------

VARIANTS = {
    name: (*stages, "dissolved_late", *(("developed",) if name == "professional" else ()))
    for name, stages in STAGES.items()
}
"""Every stage, plus a group dissolved after collaborating and one that went back (develop)."""
CASES = [(name, variant) for name, variants in VARIANTS.items() for variant in variants]


def _group(type_name: str, variant: str) -> FormationGroup:
    gt = kelompok.get_group_type(type_name)
    if variant == "dissolved_late":
        return at(gt, "collaborating").dissolve(reason="merged with a partner")
    if variant == "developed":
        return at(gt, "evaluating").develop(
            improvements=["shorter sessions"],
            programs=[
                {
                    "id": "p1",
                    "name": "First program, improved",
                    "kind": "workshop",
                    "division": "Education",
                    "activities": ["hands-on session"],
                }
            ],
        )
    return at(gt, variant)


@functools.cache
def _cached(type_name: str, variant: str) -> str:
    return json.dumps(_group(type_name, variant).to_dict())


def document(type_name: str = "professional", variant: str = "collaborating") -> dict[str, Any]:
    """A fresh (deep) copy of a valid document."""
    loaded: dict[str, Any] = json.loads(_cached(type_name, variant))
    return loaded


def refusal(doc: Any) -> InvalidGroupData:
    with pytest.raises(InvalidGroupData) as info:
        kelompok.load(doc)
    err = info.value
    assert isinstance(err, ValueError)
    assert isinstance(err, kelompok.KelompokError)
    assert err.problems
    assert all(
        isinstance(p, kelompok.Reason) and p.code.startswith("document") for p in err.problems
    )
    return err


def codes_at(err: InvalidGroupData) -> list[tuple[str, str | None]]:
    return [(p.code, p.field) for p in err.problems]


def assert_problem(err: InvalidGroupData, code: str, field: str) -> None:
    """Some problem has *code* (exactly, or as a prefix ending in '.') and starts with *field*."""
    found = [
        (c, f)
        for c, f in codes_at(err)
        if (c == code or (code.endswith(".") and c.startswith(code)))
        and f is not None
        and f.startswith(field)
    ]
    assert found, f"no {code!r} at {field!r} in {codes_at(err)}"


# -- round trips --------------------------------------------------------------------


def _facts(g: FormationGroup) -> tuple[Any, ...]:
    return (g.type, g.id, g.stage, g.version, g.created_at, g.data, list(g.history))


@pytest.mark.parametrize(("type_name", "variant"), CASES)
def test_round_trip(type_name: str, variant: str) -> None:
    group = _group(type_name, variant)
    doc = group.to_dict()
    text = json.dumps(doc)
    loaded = kelompok.load(json.loads(text))
    assert doc == loaded.to_dict()
    assert text == json.dumps(loaded.to_dict())
    assert _facts(group) == _facts(loaded)
    assert type(group) is type(loaded)
    assert [] == history_problems(loaded)
    assert [] == broken_invariants(loaded)
    assert doc == kelompok.load(doc).to_dict()  # without json in between, too


@pytest.mark.parametrize(("type_name", "variant"), CASES)
def test_round_trip_with_replay(type_name: str, variant: str) -> None:
    doc = document(type_name, variant)
    assert doc == kelompok.load(doc, replay=True).to_dict()


@pytest.mark.parametrize(
    ("type_name", "stage"),
    [(name, stage) for name in TYPES for stage in LIVE[name][:-1]],
)
def test_a_loaded_group_goes_on_like_the_original(type_name: str, stage: str) -> None:
    original = _group(type_name, stage)
    loaded = kelompok.load(json.loads(json.dumps(original.to_dict())))
    path = PATHS[type_name]
    following = path[len(original.history)]
    given_ = payloads(original.type)
    if following == "collaborate":
        partner = partner_for(original.type)
        given_[following] = {"partner": partner, "purpose": "joint work", "shared": ["ideas"]}
    for group in (original, loaded):
        group.fire(following, **given_[following])
    assert (original.stage, original.version, original.data) == (
        loaded.stage,
        loaded.version,
        loaded.data,
    )
    assert (
        original.to_dict()["history"][-1]["payload"] == loaded.to_dict()["history"][-1]["payload"]
    )


def test_times_at_other_offsets_are_read_as_utc() -> None:
    doc = document("volunteer", "recruiting")
    jakarta = dt.timezone(dt.timedelta(hours=7))
    created = dt.datetime.fromisoformat(doc["created_at"])
    doc["created_at"] = created.astimezone(jakarta).isoformat()
    first = dt.datetime.fromisoformat(doc["history"][0]["at"])
    doc["history"][0]["at"] = first.astimezone(jakarta).isoformat()
    loaded = kelompok.load(doc)
    assert (created, first) == (loaded.created_at, loaded.history[0].at)
    assert [dt.timedelta(0)] * 2 == [
        loaded.created_at.utcoffset(),
        loaded.history[0].at.utcoffset(),
    ]
    assert created.isoformat() == loaded.to_dict()["created_at"]


# -- no shared structure ------------------------------------------------------------------


def scramble(value: Any) -> None:
    """Change every dict and list inside *value* in place."""
    if isinstance(value, dict):
        for key, inner in list(value.items()):
            scramble(inner)
            if isinstance(inner, str | int | float | bool) or inner is None:
                value[key] = "scrambled"
        value["scrambled"] = True
    elif isinstance(value, list):
        for inner in value:
            scramble(inner)
        value.append("scrambled")


@pytest.mark.parametrize(("type_name", "variant"), CASES)
def test_load_shares_nothing_with_its_input(type_name: str, variant: str) -> None:
    doc = document(type_name, variant)
    expected = copy.deepcopy(doc)
    group = kelompok.load(doc)
    history = list(group.history)
    scramble(doc)
    assert expected == group.to_dict()
    assert history == list(group.history)


@pytest.mark.parametrize(("type_name", "variant"), CASES)
def test_to_dict_returns_independent_copies(type_name: str, variant: str) -> None:
    group = _group(type_name, variant)
    first, second = group.to_dict(), group.to_dict()
    expected = copy.deepcopy(first)
    scramble(first)
    assert expected == second
    assert expected == group.to_dict()
    scramble(second)
    assert expected == group.to_dict()
    assert expected == kelompok.load(group.to_dict()).to_dict()


# -- load refuses: shape ------------------------------------------------------------------


class _Lazy:
    """A parameter made as the test runs: no group is built as the tests are collected.

    (A group built then runs the rules before a mutation run's mutant is in place:
    tools/mutation.py.)
    """

    def __init__(self, name: str, make: Any) -> None:
        self.name, self.make = name, make

    def __repr__(self) -> str:
        return self.name


def _made(value: Any) -> Any:
    return value.make() if isinstance(value, _Lazy) else value


@pytest.mark.parametrize(
    "doc",
    [
        None,
        [],
        "document",
        5,
        1.5,
        True,
        [("id", "x")],
        _Lazy("a-document-as-json-text", lambda: _cached("professional", "awareness")),
    ],
    ids=repr,
)
def test_load_refuses_a_non_mapping(doc: Any) -> None:
    err = refusal(_made(doc))
    assert ["document"] == [p.field for p in err.problems]


TOP_KEYS = HEAD_KEYS  # a head alone loads: every key but the history (the oracle's, from the docs)


def test_the_top_keys_are_the_documents_keys_but_the_history() -> None:
    assert [*TOP_KEYS, "history"] == list(document())


@pytest.mark.parametrize("key", TOP_KEYS)
def test_load_refuses_a_missing_top_key(key: str) -> None:
    doc = document()
    del doc[key]
    assert_problem(refusal(doc), "document.missing_field", key)


@pytest.mark.parametrize("key", ["extra", "Stage", "groupType", ""])
def test_load_refuses_an_unknown_top_key(key: str) -> None:
    doc = document()
    doc[key] = 1
    assert_problem(refusal(doc), "document.unknown_field", key)


class _EqualToAll(str):
    """A key that says it is every key: a tuple's ``in`` would take its word."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return 0


@pytest.mark.parametrize("name", ["extra", "history"])
def test_load_refuses_a_top_key_that_is_not_exact_text(name: str) -> None:
    doc = document()
    doc[_EqualToAll(name)] = doc.pop("history")  # as "history", it would hide the records
    assert "document.unknown_field" in {code for code, _ in codes_at(refusal(doc))}


def test_load_lists_every_top_level_problem() -> None:
    doc = document()
    del doc["id"], doc["stage"]
    doc["extra"] = 1
    assert {
        ("document.missing_field", "id"),
        ("document.missing_field", "stage"),
        ("document.unknown_field", "extra"),
    } <= set(codes_at(refusal(doc)))


@pytest.mark.parametrize("value", [3, 0, -1, "1", None, [1], {"v": 1}, True, 1.0], ids=repr)
def test_load_refuses_another_schema_version(value: Any) -> None:
    doc = document()
    doc["schema_version"] = value
    assert_problem(refusal(doc), "document.", "schema_version")


@pytest.mark.parametrize(
    "value",
    ["nope", "", "Professional", 5, None, ["professional"], {"name": "volunteer"}],
    ids=repr,
)
def test_load_refuses_an_unknown_type(value: Any) -> None:
    doc = document()
    doc["type"] = value
    assert_problem(refusal(doc), "document.", "type")


def test_load_refuses_a_document_of_the_other_type() -> None:
    doc = document("volunteer", "executing")
    doc["type"] = "professional"
    refusal(doc)


# -- load refuses: stage and history ------------------------------------------------------


@pytest.mark.parametrize("forged", ["collaborating", "structured", "dissolved", "core_formed"])
def test_load_refuses_a_forged_stage(forged: str) -> None:
    doc = document("professional", "needs_identified")
    doc["stage"] = forged
    assert_problem(refusal(doc), "document.stage", "stage")


@pytest.mark.parametrize("forged", ["executing", "nonsense", "", 5, None, ["awareness"]], ids=repr)
def test_load_refuses_a_stage_that_does_not_exist(forged: Any) -> None:
    doc = document("professional", "needs_identified")
    doc["stage"] = forged
    assert_problem(refusal(doc), "document.", "stage")


def _drop(i: int) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        del doc["history"][i]
        doc["version"] -= 1

    return edit


def _swap(i: int, j: int) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        h = doc["history"]
        h[i], h[j] = h[j], h[i]

    return edit


def _set(i: int, key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        doc["history"][i][key] = value

    return edit


def _skip_ahead(doc: dict[str, Any]) -> None:
    """A consistent chain that jumps from awareness straight to core_formed."""
    doc["history"] = [
        {**doc["history"][1], "source": "awareness", "dest": "core_formed"},
        *doc["history"][2:],
    ]
    doc["version"] -= 1


def _after_dissolved(doc: dict[str, Any]) -> None:
    last = doc["history"][-1]
    doc["history"].append({**last, "event": "adopt_charter", "source": "dissolved"})
    doc["version"] += 1


def _dissolve_then_live_again(doc: dict[str, Any]) -> None:
    last = doc["history"][-1]
    doc["history"].append({**last, "event": "develop", "source": "dissolved", "dest": "programmed"})
    doc["version"] += 1
    doc["stage"] = "programmed"


HISTORY_EDITS: dict[str, tuple[str, Callable[[dict[str, Any]], None], str, str]] = {
    # name: (variant, edit, code, field prefix)
    "event removed": ("collaborating", _drop(3), "document.history", "history[3]"),
    "first event removed": ("collaborating", _drop(0), "document.history", "history[0]"),
    "reordered": ("collaborating", _swap(1, 2), "document.history", "history[1]"),
    "dest changed": (
        "collaborating",
        _set(0, "dest", "core_formed"),
        "document.history",
        "history",
    ),
    "source changed": (
        "collaborating",
        _set(4, "source", "awareness"),
        "document.history",
        "history[4]",
    ),
    "event renamed": (
        "collaborating",
        _set(2, "event", "identify_needs"),
        "document.history",
        "history[2]",
    ),
    "unknown event": (
        "collaborating",
        _set(2, "event", "teleport"),
        "document.",
        "history[2].event",
    ),
    "other type's event": (
        "collaborating",
        _set(7, "event", "execute"),
        "document.",
        "history[7].event",
    ),
    "other type's stage": (
        "collaborating",
        _set(8, "dest", "executing"),
        "document.history",
        "history[8]",
    ),
    "undeclared edge": ("collaborating", _skip_ahead, "document.history", "history[0]"),
    "a record after dissolved": ("dissolved_late", _after_dissolved, "document.history", "history"),
    "live again after dissolved": (
        "dissolved_late",
        _dissolve_then_live_again,
        "document.history",
        "history",
    ),
}


@pytest.mark.parametrize("name", list(HISTORY_EDITS))
def test_load_refuses_an_edited_history(name: str) -> None:
    variant, edit, code, field = HISTORY_EDITS[name]
    doc = document("professional", variant)
    edit(doc)
    assert_problem(refusal(doc), code, field)


def test_load_refuses_a_last_event_removed() -> None:
    doc = document("volunteer", "collaborating")
    doc["history"].pop()
    err = refusal(doc)
    assert {("document.stage", "stage"), ("document.version", "version")} <= set(codes_at(err))


def test_load_refuses_a_history_cut_back_to_agree_with_its_stage() -> None:
    """Stage, version and history agree, but the data remembers the partner."""
    doc = document("volunteer", "collaborating")
    cut = doc["history"].pop()
    doc["stage"], doc["version"] = cut["source"], doc["version"] - 1
    retally(doc)
    assert_problem(refusal(doc), "document.state.partners", "data")


@pytest.mark.parametrize("value", [1, 9, 11, 100, -1, "10", 10.0, True, None, [10]], ids=repr)
def test_load_refuses_a_version_that_does_not_count_the_history(value: Any) -> None:
    doc = document("professional", "collaborating")
    assert 10 == doc["version"]
    doc["version"] = value
    assert_problem(refusal(doc), "document.", "version")


# -- load refuses: data that breaks an invariant ------------------------------------------


def _data_edit(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = doc["data"]
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if value is _DELETE:
            del node[last]
        else:
            node[last] = copy.deepcopy(value)

    return edit


_DELETE = object()
_LAWYER = {"id": "zed", "name": "Zed", "profession": "lawyer"}
_PHARMACIST = {"id": "yan", "name": "Yan", "profession": "pharmacist"}
DATA_EDITS = [
    ("professional", "structured", "structure.chair", "ghost", "state.structure"),
    ("professional", "structured", "structure.treasurer", "ani", "state.structure"),
    ("volunteer", "executing", "structure.divisions", [], "state.structure"),
    ("professional", "programmed", "programs.p1.division", "Nowhere", "state.programs"),
    ("volunteer", "collaborating", "programs.p1.activities", [], "state.programs"),
    ("professional", "programmed", "programs", {}, "state.programs"),
    # no structure, so no division for a program to name (and no crash looking for one)
    ("professional", "programmed", "structure", None, "state.programs"),
    ("professional", "recruiting", "members.zed", _LAWYER, "state.profession"),
    ("professional", "core_formed", "members.bayu.profession", None, "state.profession"),
    ("professional", "recruiting", "charter", None, "state.charter"),
    ("volunteer", "collaborating", "charter.vision", " ", "state.charter"),
    (
        "professional",
        "needs_identified",
        "charter",
        _Lazy("a charter", lambda: document()["data"]["charter"]),
        "state.charter",
    ),
    ("professional", "core_formed", "members.yan", _PHARMACIST, "state.recruitment"),
    ("professional", "structured", "members.citra.id", "someone-else", "state.members"),
    ("volunteer", "core_formed", "founders", ["eka"], "state.founders"),
    # before the core group forms there are no founders, and no members either
    ("professional", "needs_identified", "founders", ["ani"], "state.founders"),
    ("professional", "needs_identified", "members.yan", _PHARMACIST, "state.founders"),
    ("volunteer", "core_formed", "founders", ["eka", "nobody"], "state.founders"),
    ("volunteer", "awareness", "needs", ["dirty river"], "state.needs"),
    ("volunteer", "recruiting", "needs", [], "state.needs"),
    ("volunteer", "recruiting", "work_area", "sports", "state.work_area"),
    ("volunteer", "executing", "teams", {}, "state.teams"),
    ("volunteer", "executing", "teams.p1", ["nobody"], "state.teams"),
    ("volunteer", "collaborating", "activities.0.program", "p9", "state.activities"),
    (
        "volunteer",
        "programmed",
        "activities",
        _Lazy("activities", lambda: document("volunteer")["data"]["activities"]),
        "state.activities",
    ),
    ("professional", "evaluating", "evaluations", [], "state.evaluations"),
    ("professional", "collaborating", "partners", {}, "state.partners"),
    (
        "volunteer",
        "executing",
        "partners",
        _Lazy("partners", lambda: document("volunteer")["data"]["partners"]),
        "state.partners",
    ),
    ("volunteer", "programmed", "dissolution", "gone", "state.dissolution"),
    ("professional", "dissolved_late", "dissolution", None, "state.dissolution"),
]


@pytest.mark.parametrize(("type_name", "variant", "path", "value", "code"), DATA_EDITS)
def test_load_refuses_data_that_breaks_an_invariant(
    type_name: str, variant: str, path: str, value: Any, code: str
) -> None:
    doc = document(type_name, variant)
    _data_edit(path, _made(value))(doc)
    err = refusal(doc)
    assert [("document." + code, "data")] == [
        (p.code, p.field) for p in err.problems if p.code == "document." + code
    ]


# -- load refuses: wrong types anywhere ---------------------------------------------------


def _at(doc: dict[str, Any], path: str) -> tuple[Any, Any]:
    """The container and key that *path* (dotted; list indexes as numbers) points to."""
    *parents, last = path.split(".")
    node: Any = doc
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node, int(last) if isinstance(node, list) else last


WRONG_TYPES = [
    ("id", 5, "id"),
    ("id", "", "id"),
    ("id", " ", "id"),
    ("id", None, "id"),
    ("created_at", "yesterday", "created_at"),
    ("created_at", "2026-01-31T08:00:00", "created_at"),  # no offset
    ("created_at", "2026-01-31", "created_at"),
    ("created_at", 1767168000, "created_at"),
    ("created_at", None, "created_at"),
    ("created_at", "0001-01-01T00:00:00+01:00", "created_at"),  # before year 1 in UTC
    ("created_at", "9999-12-31T23:59:59-01:00", "created_at"),  # after year 9999 in UTC
    ("data", "x", "data"),
    ("data", [], "data"),
    ("data", None, "data"),
    ("data.name", 5, "data.name"),
    ("data.needs", "support", "data.needs"),
    ("data.needs", [5], "data.needs"),
    ("data.members", [], "data.members"),
    ("data.members.ani.name", 7, "data.members"),
    ("data.members.ani.age", 7, "data.members"),
    ("data.founders", "ani", "data.founders"),
    ("data.charter", "vision", "data.charter"),
    ("data.structure.divisions", {"name": "x"}, "data.structure"),
    ("data.activities.0.participants", "12", "data.activities"),
    ("data.activities.0.participants", 12.0, "data.activities"),
    ("data.activities.0.participants", True, "data.activities"),
    ("data.activities.0.held_on", "2026-13-01", "data.activities"),
    ("data.activities.0.held_on", 20260101, "data.activities"),
    ("data.evaluations.0.goal_results.grow", "70", "data.evaluations"),
    ("data.partners.partner-1.partner.id", " ", "data.partners"),
    ("data.dissolution", 5, "data.dissolution"),
    ("history", "x", "history"),
    ("history", {}, "history"),
    ("history", None, "history"),
    ("history.0", "x", "history[0]"),
    ("history.0", [], "history[0]"),
    ("history.0.at", "2026-01-31T08:00:00", "history[0].at"),
    ("history.0.at", None, "history[0].at"),
    ("history.0.at", "0001-01-01T00:00:00+01:00", "history[0].at"),
    ("history.0.payload", [], "history[0].payload"),
    ("history.0.payload", "x", "history[0].payload"),
    ("history.0.payload", None, "history[0].payload"),
    ("history.0.actor", 5, "history[0].actor"),
    ("history.0.actor", ["ani"], "history[0].actor"),
    ("history.0.event", 5, "history[0].event"),
    ("history.0.event", None, "history[0].event"),
    ("history.0.source", None, "history[0]"),
    ("history.0.dest", ["x"], "history[0]"),
    ("history.0.extra", 1, "history[0].extra"),
]


@pytest.mark.parametrize(("path", "value", "field"), WRONG_TYPES, ids=repr)
def test_load_refuses_a_wrong_type(path: str, value: Any, field: str) -> None:
    doc = document("professional", "collaborating")
    node, key = _at(doc, path)
    node[key] = value
    assert_problem(refusal(doc), "document.", field)


@pytest.mark.parametrize("key", ["event", "source", "dest", "at", "payload", "actor"])
def test_load_refuses_a_history_record_without_a_key(key: str) -> None:
    doc = document("volunteer", "recruiting")
    del doc["history"][1][key]
    assert_problem(refusal(doc), "document.missing_field", f"history[1].{key}")


# -- any edit: refused cleanly, or a sound group ------------------------------------------

STAGE_AND_EVENT_NAMES = sorted(
    {s for stages in STAGES.values() for s in stages}
    | set(kelompok.PROFESSIONAL._engine.events)
    | set(kelompok.VOLUNTEER._engine.events)
)


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The paths of every value inside *value* (not *value* itself)."""
    found: list[tuple[Any, ...]] = []
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, inner in items:
        found.append((*path, key))
        found += _nodes(inner, (*path, key))
    return found


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for inner in value.values() for leaf in _leaves(inner)]
    if isinstance(value, list):
        return [leaf for inner in value for leaf in _leaves(inner)]
    return [value]


def _records(doc: dict[str, Any]) -> bool:
    history = doc.get("history")
    return isinstance(history, list) and all(isinstance(r, dict) and "dest" in r for r in history)


Edit = Callable[[Any, dict[str, Any], Any, Any], bool]
"""``edit(draw, doc, parent, key) -> done``: one way to change a document in place."""


def _edit_delete(draw: Any, doc: dict[str, Any], parent: Any, key: Any) -> bool:
    del parent[key]
    return True


def _edit_json(draw: Any, doc: dict[str, Any], parent: Any, key: Any) -> bool:
    parent[key] = draw(json_values)
    return True


def _edit_plausible(draw: Any, doc: dict[str, Any], parent: Any, key: Any) -> bool:
    """A value that could well be there: one from the document itself, a name, a time."""
    parent[key] = draw(
        st.one_of(
            st.sampled_from(_leaves(doc)),
            st.sampled_from(STAGE_AND_EVENT_NAMES),
            iso_times,
            iso_dates,
            st.integers(-2, 12),
        )
    )
    return True


def _edit_duplicate(draw: Any, doc: dict[str, Any], parent: Any, key: Any) -> bool:
    if not isinstance(parent, list):
        return False
    parent.insert(key, copy.deepcopy(parent[key]))
    return True


def _edit_swap(draw: Any, doc: dict[str, Any], parent: Any, key: Any) -> bool:
    if not isinstance(parent, list) or len(parent) < 2:
        return False
    other = draw(st.integers(0, len(parent) - 1))
    parent[key], parent[other] = parent[other], parent[key]
    return True


def _edit_add_key(draw: Any, doc: dict[str, Any], parent: Any, key: Any) -> bool:
    if not isinstance(parent[key], dict):
        return False
    parent[key][draw(st.sampled_from(["extra", "id", "stage", "name"]))] = draw(json_values)
    return True


def _edit_cut(draw: Any, doc: dict[str, Any], parent: Any, key: Any) -> bool:
    """A shorter history that agrees with stage and version."""
    if not _records(doc):
        return False
    keep = draw(st.integers(0, len(doc["history"])))
    doc["history"] = doc["history"][:keep]
    doc["version"] = keep
    doc["stage"] = doc["history"][-1]["dest"] if keep else "awareness"
    return True


def _edit_retime(draw: Any, doc: dict[str, Any], parent: Any, key: Any) -> bool:
    """Another time, at any offset, for created_at or for a record."""
    records = doc["history"] if _records(doc) else []
    which = draw(st.integers(-1, len(records) - 1))
    if which < 0:
        doc["created_at"] = draw(iso_times)
    else:
        records[which]["at"] = draw(iso_times)
    return True


EDITS: dict[str, Edit] = {
    "delete": _edit_delete,
    "json": _edit_json,
    "plausible": _edit_plausible,
    "duplicate": _edit_duplicate,
    "swap": _edit_swap,
    "add_key": _edit_add_key,
    "cut": _edit_cut,
    "retime": _edit_retime,
}


def _mutate(draw: Any, doc: dict[str, Any]) -> str:
    """Change *doc* in one random place; say how."""
    path = draw(st.sampled_from(_nodes(doc)))
    parent: Any = doc
    for key in path[:-1]:
        parent = parent[key]
    how = draw(st.sampled_from(list(EDITS)))
    if not EDITS[how](draw, doc, parent, path[-1]):
        how = "delete"
        _edit_delete(draw, doc, parent, path[-1])
    return how


@given(type_name=st.sampled_from(TYPES), data=st.data())
def test_an_edited_document_is_refused_cleanly_or_loads_a_sound_group(
    type_name: str, data: st.DataObject
) -> None:
    variant = data.draw(st.sampled_from(VARIANTS[type_name]), label="variant")
    doc = document(type_name, variant)
    edits = [_mutate(data.draw, doc) for _ in range(data.draw(st.integers(1, 3), label="edits"))]
    try:
        group = kelompok.load(doc)
    except InvalidGroupData as err:  # any other exception fails the test
        refused: InvalidGroupData | None = err
    else:
        refused = None
    if refused is not None:
        assert refused.problems
        event(f"refused ({refused.problems[0].code})")
        return
    event(f"loaded after {'+'.join(sorted(edits))}")
    again = group.to_dict()
    assert again == kelompok.load(json.loads(json.dumps(again))).to_dict()
    assert [] == history_problems(group)
    assert [] == broken_invariants(group)


def _outcome(load: Callable[[Any], FormationGroup], doc: Any) -> Any:
    """The document of what *load* makes of *doc*, or the problems it finds."""
    try:
        return load(doc).to_dict()
    except InvalidGroupData as exc:
        return [(p.code, p.field, str(p)) for p in exc.problems]


@given(type_name=st.sampled_from(TYPES), data=st.data())
def test_known_documents_change_no_outcome_of_load(type_name: str, data: st.DataObject) -> None:
    """Known or not, edited or not: ``load`` answers as every check would."""
    known = kelompok.known_documents
    known.limit = 4 * 1024 * 1024
    try:
        doc = document(type_name, data.draw(st.sampled_from(VARIANTS[type_name]), label="variant"))
        checked_load(copy.deepcopy(doc)).to_dict()  # the unedited document is known now
        for _ in range(data.draw(st.integers(0, 2), label="edits")):
            _mutate(data.draw, doc)
        first = _outcome(kelompok.load, doc)
        assert first == _outcome(checked_load, doc)
        if isinstance(first, dict):  # made by to_dict, so known now
            hits = known.hits
            assert first == _outcome(kelompok.load, first)
            assert hits + 1 == known.hits
    finally:
        known.limit = 0


def _first(mapping):
    return next(iter(mapping.values()))


def _self_partner(d):
    key = next(iter(d["data"]["partners"]))
    partnership = d["data"]["partners"].pop(key)
    partnership["partner"].update(id=d["id"], stage="dissolved")
    d["data"]["partners"]["elsewhere"] = partnership


DATA_THAT_NO_EVENT_MAKES = {
    "division head not a member": lambda d: d["data"]["structure"]["divisions"][0].update(
        head="ghost"
    ),
    "program of a kind not allowed": lambda d: _first(d["data"]["programs"]).update(kind="banana"),
    "activity before creation": lambda d: d["data"]["activities"][0].update(held_on="1900-01-01"),
    "partner is the group itself, dissolved, under another key": _self_partner,
    "partnership shares money": lambda d: _first(d["data"]["partners"]).update(shared=["money"]),
    "evaluation score 900": lambda d: d["data"]["evaluations"][0]["goal_results"].update(grow=900),
    "founding differs from data": lambda d: d["founding"].update(profession="lawyer"),
    "rejection with a blank reason": lambda d: d["data"]["rejections"].append(
        {"member": {"id": "zed", "name": "Zed", "profession": None}, "reason": " "}
    ),
}


@pytest.mark.parametrize("edit", DATA_THAT_NO_EVENT_MAKES.values(), ids=DATA_THAT_NO_EVENT_MAKES)
def test_load_refuses_data_that_no_event_makes(edit):
    document = copy.deepcopy(at(kelompok.PROFESSIONAL, "collaborating").to_dict())
    assert kelompok.load(document).to_dict() == document
    edit(document)
    with pytest.raises(kelompok.InvalidGroupData) as info:
        kelompok.load(document)
    assert all(p.code.startswith("document.") for p in info.value.problems)


def test_a_broken_record_is_one_problem_even_when_a_later_event_must_follow_its_event():
    """The reading goes on as the event the record names: what must follow it is not refused."""
    document = at(kelompok.PROFESSIONAL, "structured").to_dict()
    where = [r["event"] for r in document["history"]].index("adopt_charter")
    document["history"][where]["payload"] = []
    with pytest.raises(kelompok.InvalidGroupData) as caught:
        kelompok.load(document)
    assert [f"history[{where}].payload"] == [p.field for p in caught.value.problems]
