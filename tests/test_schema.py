"""JSON Schemas of payloads and documents, checked with a real validator (jsonschema)."""

from __future__ import annotations

import copy
import datetime as dt
import enum
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Optional

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

# FrozenMap as the schema module knows it (the tests import nothing else of kelompok)
from kelompok._data.schema import (
    DIALECT,
    NONBLANK,
    SCHEMA_KEY,
    FrozenMap,
    document_schema,
    payload_schema,
)

if TYPE_CHECKING:
    from fractions import Fraction  # never importable at run time: unresolvable

INT_MAX = 2**63 - 1
INT_MIN = -(2**63)


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


@attrs.frozen
class Address:
    street: str
    city: str = "Bandung"


@attrs.frozen
class Everything:
    name: str
    count: int
    ratio: float
    active: bool
    born: dt.date
    seen: dt.datetime
    tags: tuple[str, ...]
    scores: Sequence[int]
    notes: list[str]
    pair: tuple[str, int]
    labels: Mapping[str, int]
    extra: dict[str, str]
    flags: FrozenMap[str, bool]
    kind: Literal["a", "b"]
    colour: Colour
    level: Level
    nickname: str | None
    age: Optional[int]  # noqa: UP045 -- Optional is one of the spellings to cover
    either: int | str
    anything: Any
    home: Address
    homes: tuple[Address, ...]
    motto: str = "gotong royong"
    limit: int = 5
    aliases: tuple[str, ...] = ()
    made: tuple[str, ...] = attrs.field(factory=tuple)
    since: dt.date = dt.date(2020, 1, 1)
    hidden: int = attrs.field(default=0, init=False)


REQUIRED = [f.name for f in attrs.fields(Everything) if f.default is attrs.NOTHING]

VALID: dict[str, Any] = {
    "name": "Ani",
    "count": 3,
    "ratio": 0.5,
    "active": True,
    "born": "2000-02-29",
    "seen": "2026-01-31T08:00:00+00:00",
    "tags": ["a", "b"],
    "scores": [1, 2],
    "notes": [],
    "pair": ["x", 1],
    "labels": {"a": 1},
    "extra": {"k": "v"},
    "flags": {"on": True},
    "kind": "a",
    "colour": "red",
    "level": 2,
    "nickname": None,
    "age": 30,
    "either": "text",
    "anything": {"any": [1, None]},
    "home": {"street": "Jalan Merdeka"},
    "homes": [{"street": "Jalan Asia Afrika", "city": "Bandung"}],
}


@attrs.frozen
class Node:
    name: str
    children: tuple[Node, ...] = ()


@attrs.frozen
class Half:
    known: int
    unknown: Fraction


@attrs.frozen
class Data:
    members: FrozenMap[str, Address]
    office: Address
    size: int = 0


@attrs.frozen
class Founding:
    name: str
    address: Address


def validator(schema: dict[str, Any]) -> Draft202012Validator:
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def changed(base: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(base)
    out[key] = value
    return out


def without(base: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in base.items() if k != key}


# -- payloads -----------------------------------------------------------------------


def test_no_payload_is_an_empty_object():
    assert payload_schema(None, title="open_recruitment") == {
        "$schema": DIALECT,
        "title": "open_recruitment",
        "type": "object",
        "properties": {},
        "additionalProperties": False,
    }
    check = validator(payload_schema(None))
    assert check.is_valid({})
    assert not check.is_valid({"x": 1})


def test_the_outline_of_a_payload_schema():
    schema = payload_schema(Everything, title="everything")
    assert list(schema) == [
        "$schema",
        "title",
        "type",
        "properties",
        "required",
        "additionalProperties",
        "$defs",
    ]
    assert schema["additionalProperties"] is False
    assert list(schema["properties"]) == [f.name for f in attrs.fields(Everything) if f.init]
    assert schema["required"] == REQUIRED
    assert list(schema["$defs"]) == ["Address"]  # used twice, described once
    assert schema["properties"]["home"] == {"$ref": "#/$defs/Address"}
    assert schema["$defs"]["Address"]["required"] == ["street"]
    assert "$schema" not in json.dumps(schema["$defs"])  # only on the top level
    assert "title" not in json.dumps(schema["$defs"])


def test_the_schema_of_each_type():
    props = payload_schema(Everything)["properties"]
    assert props["name"] == {"type": "string"}
    assert props["count"] == {"type": "integer", "minimum": INT_MIN, "maximum": INT_MAX}
    assert props["ratio"] == {"type": "number"}
    assert props["active"] == {"type": "boolean"}
    assert props["born"] == {"type": "string", "format": "date"}
    assert props["seen"] == {"type": "string", "format": "date-time"}
    assert props["tags"] == {"type": "array", "items": {"type": "string"}}
    assert props["scores"]["items"] == props["count"]
    assert props["pair"] == {
        "type": "array",
        "prefixItems": [{"type": "string"}, props["count"]],
        "minItems": 2,
        "maxItems": 2,
        "items": False,
    }
    assert props["labels"] == {"type": "object", "additionalProperties": props["count"]}
    assert props["flags"] == {"type": "object", "additionalProperties": {"type": "boolean"}}
    assert props["kind"] == {"enum": ["a", "b"]}
    assert props["colour"] == {"enum": ["red", "blue"]}
    assert props["level"] == {"enum": [1, 2]}
    assert props["nickname"] == {"anyOf": [{"type": "string"}, {"type": "null"}]}
    assert props["age"] == {"anyOf": [props["count"], {"type": "null"}]}
    assert props["either"] == {"anyOf": [props["count"], {"type": "string"}]}
    assert props["anything"] == {}


def test_json_ready_defaults_are_shown_and_others_are_not():
    props = payload_schema(Everything)["properties"]
    assert props["motto"]["default"] == "gotong royong"
    assert props["limit"]["default"] == 5
    assert props["aliases"]["default"] == []
    assert "default" not in props["made"]  # from a factory
    assert "default" not in props["since"]  # a date is not a JSON value
    assert "hidden" not in props  # init=False: not taken, not allowed


def test_a_valid_payload_validates():
    check = validator(payload_schema(Everything))
    assert list(check.iter_errors(VALID)) == []
    full = {
        **VALID,
        "motto": "m",
        "limit": INT_MAX,
        "aliases": ["b"],
        "made": [],
        "since": "2020-01-01",
    }
    assert check.is_valid(full)
    for key, value in [
        ("count", INT_MAX),
        ("count", INT_MIN),
        ("ratio", 2),
        ("nickname", "Bu Ani"),
        ("age", None),
        ("either", 7),
        ("anything", None),
        ("level", 1),
        ("colour", "blue"),
        ("home", {"street": "x", "city": "y"}),
    ]:
        assert check.is_valid(changed(VALID, key, value)), (key, value)


BAD_VALUES = [
    ("name", 5),
    ("count", "5"),
    ("count", True),
    ("count", 1.5),
    ("count", INT_MAX + 1),
    ("count", INT_MIN - 1),
    ("ratio", "0.5"),
    ("active", 1),
    ("born", 20000229),
    ("born", "2000-02-30"),
    ("seen", None),
    ("tags", "ab"),
    ("tags", [1]),
    ("scores", [INT_MAX + 1]),
    ("notes", {"a": "b"}),
    ("pair", ["x"]),
    ("pair", ["x", 1, 2]),
    ("pair", [1, "x"]),
    ("labels", {"a": "1"}),
    ("labels", [["a", 1]]),
    ("extra", {"k": 1}),
    ("flags", {"on": "yes"}),
    ("kind", "c"),
    ("colour", "RED"),
    ("level", 3),
    ("nickname", 5),
    ("age", "30"),
    ("either", 1.5),
    ("home", {}),
    ("home", {"street": "x", "zip": "40111"}),
    ("homes", [{"city": "Bandung"}]),
    ("homes", {"street": "x"}),
]


@pytest.mark.parametrize(("key", "value"), BAD_VALUES)
def test_a_wrong_value_is_refused(key, value):
    check = validator(payload_schema(Everything))
    assert not check.is_valid(changed(VALID, key, value))


@pytest.mark.parametrize("key", REQUIRED)
def test_a_missing_required_field_is_refused(key):
    check = validator(payload_schema(Everything))
    assert not check.is_valid(without(VALID, key))


@pytest.mark.parametrize("key", ["surprise", "hidden"])
def test_an_extra_field_is_refused(key):
    check = validator(payload_schema(Everything))
    assert not check.is_valid(changed(VALID, key, 0))


def test_a_recursive_class_is_described_once():
    schema = payload_schema(Node)
    assert schema["properties"]["children"] == {
        "type": "array",
        "items": {"$ref": "#/$defs/Node"},
        "default": [],
    }
    assert list(schema["$defs"]) == ["Node"]
    check = validator(schema)
    assert check.is_valid({"name": "a", "children": [{"name": "b", "children": [{"name": "c"}]}]})
    assert not check.is_valid({"name": "a", "children": [{"name": "b", "children": [{}]}]})


def test_classes_of_the_same_name_get_their_own_definitions():
    @attrs.frozen
    class Address:  # another class than the module's Address
        postcode: int

    outer = attrs.make_class(
        "Outer",
        {"mine": attrs.field(type=globals()["Address"]), "theirs": attrs.field(type=Address)},
    )
    schema = payload_schema(outer)
    assert list(schema["$defs"]) == ["Address", "Address2"]
    check = validator(schema)
    assert check.is_valid({"mine": {"street": "x"}, "theirs": {"postcode": 40111}})
    assert not check.is_valid({"mine": {"postcode": 40111}, "theirs": {"street": "x"}})


def test_an_annotation_that_cannot_be_resolved_allows_anything():
    schema = payload_schema(Half)
    assert schema["properties"]["unknown"] == {}
    assert schema["properties"]["known"]["type"] == "integer"
    check = validator(schema)
    assert check.is_valid({"known": 1, "unknown": [1, "anything"]})
    assert not check.is_valid({"known": "1", "unknown": 1})


def test_an_integral_float_is_an_integer_to_json_schema():
    # JSON has one kind of number: the schema takes 3.0 where kelompok's converter,
    # which sees Python's float, does not. The converter stays the authority.
    assert validator(payload_schema(Everything)).is_valid(changed(VALID, "count", 3.0))


@pytest.mark.parametrize("cls", [None, Everything, Node, Half, Address])
def test_a_schema_is_json_and_the_same_every_time(cls):
    first = payload_schema(cls, title="t")
    assert json.loads(json.dumps(first, allow_nan=False)) == first
    first["properties"]["changed"] = True  # a new dict each time: nothing is shared
    second, third = payload_schema(cls, title="t"), payload_schema(cls, title="t")
    assert second == third
    assert "changed" not in second["properties"]
    assert json.dumps(second) == json.dumps(third)


# -- documents ----------------------------------------------------------------------

STAGES = ["forming", "active", "dissolved"]
EVENTS = ["activate", "dissolve"]
ADDRESS = {"street": "Jalan Merdeka", "city": "Bandung"}
LIVE = ["forming", "active"]
DOCUMENT: dict[str, Any] = {
    "schema_version": 2,
    "type": "club",
    "id": "club-1",
    "stage": "active",
    "version": 1,
    "created_at": "2026-01-31T08:00:00+00:00",
    "reached": "active",
    "counts": {"activate": 1},
    "marks": {"activate": {"activate": 1}},
    "founding": {"name": "Club", "address": ADDRESS},
    "data": {"members": {"ani": ADDRESS}, "office": ADDRESS, "size": 1},
    "history": [
        {
            "event": "activate",
            "source": "forming",
            "dest": "active",
            "at": "2026-02-01T08:00:00+07:00",
            "payload": {"anything": [1]},
            "actor": None,
        }
    ],
}


def club_schema(schema_version: int = 2) -> dict[str, Any]:
    return document_schema(
        type_name="club",
        stages=STAGES,
        live=LIVE,
        events=EVENTS,
        data=Data,
        founding=Founding,
        schema_version=schema_version,
    )


def changed_record(key: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(DOCUMENT)
    out["history"][0][key] = value
    return out


def test_the_outline_of_a_document_schema():
    schema = club_schema()
    assert schema["$schema"] == DIALECT
    assert schema["title"] == "club"
    assert schema["required"] == [k for k in DOCUMENT if k != "history"]
    assert schema["additionalProperties"] is False
    assert list(schema["$defs"]) == ["Address"]  # shared by founding and data
    assert schema["properties"]["data"]["required"] == ["members", "office", "size"]
    assert schema["properties"]["data"]["properties"]["members"] == {
        "type": "object",
        "additionalProperties": {"$ref": "#/$defs/Address"},
    }
    assert schema["$defs"]["Address"]["required"] == ["street", "city"]
    assert json.loads(json.dumps(schema)) == schema == club_schema()


def test_a_valid_document_validates():
    check = validator(club_schema())
    assert list(check.iter_errors(DOCUMENT)) == []
    assert check.is_valid({**DOCUMENT, "stage": "forming", "version": 0, "history": []})
    assert check.is_valid(changed_record("actor", "ani"))
    assert validator(club_schema(schema_version=3)).is_valid({**DOCUMENT, "schema_version": 3})
    assert check.is_valid(without(DOCUMENT, "history"))  # the head alone
    assert check.is_valid({**DOCUMENT, "history_from": 1, "history": []})
    assert not check.is_valid({**without(DOCUMENT, "history"), "history_from": 1})


@pytest.mark.parametrize("key", [k for k in DOCUMENT if k != "history"])
def test_a_document_without_a_key_is_refused(key):
    assert not validator(club_schema()).is_valid(without(DOCUMENT, key))


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("schema_version", 1),
        ("type", "other"),
        ("reached", "dissolved"),
        ("counts", {"activate": 0}),
        ("counts", {"unknown": 1}),
        ("marks", {"activate": {"activate": 0}}),
        ("marks", {"activate": []}),
        ("history_from", 0),
        ("id", ""),
        ("id", 1),
        ("stage", "unknown"),
        ("version", -1),
        ("version", INT_MAX + 1),
        ("version", "1"),
        ("created_at", 0),
        ("founding", {"name": "Club"}),
        ("founding", {"name": "Club", "address": {"street": "x"}}),  # a document holds all
        ("data", {"members": {}, "office": ADDRESS}),  # size has a default, but is required
        ("data", {"members": {"ani": {}}, "office": ADDRESS, "size": 1}),
        ("data", {"members": {}, "office": ADDRESS, "size": 1, "more": 1}),
        ("history", {}),
        ("history", [None]),
        ("surprise", 1),
    ],
)
def test_a_wrong_document_value_is_refused(key, value):
    assert not validator(club_schema()).is_valid(changed(DOCUMENT, key, value))


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("event", "unknown"),
        ("source", "elsewhere"),
        ("dest", "elsewhere"),
        ("at", 5),
        ("payload", []),
        ("actor", 5),
        ("surprise", 1),
    ],
)
def test_a_wrong_history_record_is_refused(key, value):
    assert not validator(club_schema()).is_valid(changed_record(key, value))


@pytest.mark.parametrize("key", list(DOCUMENT["history"][0]))
def test_a_history_record_without_a_key_is_refused(key):
    document = copy.deepcopy(DOCUMENT)
    del document["history"][0][key]
    assert not validator(club_schema()).is_valid(document)


# -- the schema agrees with a reference ---------------------------------------------


@attrs.frozen
class Simple:
    name: str
    count: int
    tags: tuple[str, ...]
    scores: Mapping[str, int]


def reference_accepts(value: Any) -> bool:
    """What kelompok's converter takes for a Simple, written out by hand (JSON input)."""

    def whole(v: Any) -> bool:
        return type(v) is int and INT_MIN <= v <= INT_MAX

    return (
        type(value) is dict
        and set(value) == {"name", "count", "tags", "scores"}
        and type(value["name"]) is str
        and whole(value["count"])
        and type(value["tags"]) is list
        and all(type(t) is str for t in value["tags"])
        and type(value["scores"]) is dict
        and all(whole(v) for v in value["scores"].values())
    )


WHOLE = st.integers(INT_MIN - 2, INT_MAX + 2) | st.sampled_from([INT_MIN, INT_MAX, 2**64, -1])
JSON = st.recursive(
    st.none()
    | st.booleans()
    | WHOLE
    # JSON Schema counts 3.0 as an integer (see above): only fractional floats here
    | st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: not f.is_integer())
    | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)
SIMPLE_FIELDS = {
    "name": st.text(),
    "count": WHOLE,
    "tags": st.lists(st.text(max_size=3), max_size=3),
    "scores": st.dictionaries(st.text(max_size=3), WHOLE, max_size=3),
}
SIMPLE_CANDIDATES = (
    st.fixed_dictionaries(SIMPLE_FIELDS)  # valid, but for a whole number out of range
    | st.fixed_dictionaries(
        {key: good | JSON for key, good in SIMPLE_FIELDS.items()}, optional={"extra": JSON}
    )
    | st.fixed_dictionaries({}, optional={key: good | JSON for key, good in SIMPLE_FIELDS.items()})
    | JSON
)


@given(SIMPLE_CANDIDATES)
def test_the_schema_takes_what_the_reference_takes(value):
    check = validator(payload_schema(Simple))
    assert reference_accepts(value) == check.is_valid(value)


def test_the_non_blank_pattern_is_pythons_own_idea_of_blank():
    """A schema's "non-blank" must accept exactly the text the converters accept (str.strip)."""
    pattern = Draft202012Validator({"type": "string", **NONBLANK[SCHEMA_KEY]})
    wrong = [
        hex(c)
        for c in range(0x10000)  # no character past the BMP is blank in Python
        if not 0xD800 <= c <= 0xDFFF and pattern.is_valid(chr(c)) != bool(chr(c).strip())
    ]
    assert [] == wrong
