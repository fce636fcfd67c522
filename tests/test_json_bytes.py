"""``load_json`` and ``to_json``: one answer whichever codec is installed (docs/documents.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kelompok
from builders import at
from kelompok import InvalidGroupData
from kelompok._codec import json_bytes
from strategies import STAGES, TYPES

GROUP_TYPES = {"professional": kelompok.PROFESSIONAL, "volunteer": kelompok.VOLUNTEER}
CODECS = ["json", "orjson"]


@pytest.fixture(params=CODECS)
def codec(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(json_bytes, "codec", json_bytes.Codec(request.param))
    name: str = request.param
    return name


def _with(name: str, work: Any) -> tuple[str, Any]:
    """What *work()* gives (or raises) with the codec *name*."""
    saved = json_bytes.codec
    json_bytes.codec = json_bytes.Codec(name)
    try:
        return "ok", work()
    except InvalidGroupData:
        return "refused", None
    finally:
        json_bytes.codec = saved


@pytest.mark.parametrize(("type_name", "stage"), [(t, s) for t in TYPES for s in STAGES[t]])
def test_a_document_goes_through_json_bytes_unchanged(
    codec: str, type_name: str, stage: str
) -> None:
    group = at(GROUP_TYPES[type_name], stage)
    data = group.to_json()
    assert type(data) is bytes
    assert json.loads(data) == group.to_dict()
    assert kelompok.load_json(data).to_dict() == group.to_dict()
    assert kelompok.load_json(data.decode()).to_dict() == group.to_dict()
    assert kelompok.load_json(bytearray(data)).to_dict() == group.to_dict()
    head = group.to_json(history=False)
    assert json.loads(head) == group.to_dict(history=False)
    assert GROUP_TYPES[type_name].load_json(head).version == group.version


def test_the_output_is_compact_utf8() -> None:
    group = kelompok.PROFESSIONAL.create(name="Ikatan Perawat Ñusantara ✓", profession="nurse")
    for name in CODECS:
        _, data = _with(name, group.to_json)
        compact = json.dumps(group.to_dict(), separators=(",", ":"), ensure_ascii=False)
        assert data == compact.encode()
        assert "Ñusantara ✓".encode() in data


def _document() -> str:
    return at(kelompok.VOLUNTEER, "structured").to_json().decode()


def _replace(old: str, new: str) -> Callable[[], str]:
    """A document's text with *old* replaced by *new*, made when the test runs.

    Not as the tests are collected: a group built then runs the rules before a
    mutation run's mutant is in place (tools/mutation.py).
    """

    def make() -> str:
        text = _document()
        assert old in text
        return text.replace(old, new, 1)

    return make


JUNK: dict[str, Any] = {
    "empty": b"",
    "not JSON": b"{",
    "trailing text": lambda: _document() + " x",
    "two documents": lambda: _document() + _document(),
    "a list": b"[]",
    "a number": b"1",
    "NaN": b'{"a": NaN}',
    "Infinity in the version": _replace('"version":6', '"version":Infinity'),
    "-Infinity": b"-Infinity",
    "invalid UTF-8": b'{"a": "\xff"}',
    "a lone surrogate in the data": _replace('"name":"', '"name":"\\ud800'),
    "a lone surrogate in a payload": _replace('"needs":["', '"needs":["\\udfff'),
    "a huge number": _replace('"version":6', '"version":' + "9" * 5000),
    "a big number in a payload": _replace('"needs":[', '"needs":[' + "9" * 30 + ","),
    "1e400": _replace('"version":6', '"version":1e400'),
    "deep nesting": "[" * 100_000 + "]" * 100_000,
    "deep nesting in a payload": _replace('"needs":[', '"needs":[' + "[" * 5000 + "]" * 5000 + ","),
    "not text": 5,
    "None": None,
    "a BOM": lambda: b"\xef\xbb\xbf" + _document().encode(),
}
"""Inputs that are not a valid document (or what makes one, when called); each codec must
refuse them with InvalidGroupData."""


@pytest.mark.parametrize("data", JUNK.values(), ids=list(JUNK))
def test_junk_is_refused_by_either_codec(codec: str, data: Any) -> None:
    given = data() if callable(data) else data
    with pytest.raises(InvalidGroupData):
        kelompok.load_json(given)


def test_a_repeated_key_keeps_its_last_value_with_either_codec() -> None:
    text = _document().replace('{"schema_version":2,', '{"schema_version":1,"schema_version":2,', 1)
    answers = {name: _with(name, lambda: kelompok.load_json(text).to_dict()) for name in CODECS}
    assert answers["json"] == answers["orjson"]
    assert answers["json"][0] == "ok"


_EDITS = st.sampled_from(
    ["", "0", "-1", "1.5", "1e3", "true", "null", '"x"', "[]", "{}", '"\\u00e9"']
)


@settings(max_examples=200)
@given(st.data())
def test_both_codecs_give_one_answer(data: st.DataObject) -> None:
    """Replace one value's text in a stored document: both codecs accept or both refuse."""
    text = _document()
    at_ = data.draw(st.integers(0, len(text) - 1))
    start = text.find(":", at_)
    if start < 0:
        return
    end = min((i for i in (text.find(",", start), text.find("}", start)) if i > 0), default=-1)
    if end < 0:
        return
    edited = text[: start + 1] + data.draw(_EDITS) + text[end:]
    answers = {name: _with(name, lambda: kelompok.load_json(edited).to_dict()) for name in CODECS}
    assert answers["json"] == answers["orjson"], edited[start - 30 : start + 30]


@pytest.mark.parametrize(
    "literal", ["1" + "0" * 30, "-9223372036854775809", "18446744073709551615"]
)
def test_an_integer_beyond_64_bits_reads_alike_in_either_codec(literal: str) -> None:
    """orjson reads one past its range as a float; the standard library is made to as well."""
    in_payload = _replace('"needs":[', '"needs":[' + literal + ",")  # a payload: JSON only
    in_data = _replace('"version":6', '"version":' + literal)  # a whole number: refused
    for text in (in_payload, in_data):
        answers = {
            name: _with(name, lambda t=text: kelompok.load_json(t).to_dict()) for name in CODECS
        }
        assert answers["json"] == answers["orjson"]
    assert _with("json", lambda: kelompok.load_json(in_data))[0] == "refused"


def test_input_that_is_not_json_text_says_what_cannot_be_loaded_and_what_it_got() -> None:
    with pytest.raises(InvalidGroupData) as refused:
        kelompok.load_json(5)
    assert str(refused.value) == (
        "Cannot load this group document:\n"
        "  - document.invalid: document: must be JSON text (bytes or str), got int 5"
    )


@pytest.mark.parametrize(
    ("said", "why"),
    [
        ("x" * 199 + "yz" + "\nwhere it was", "x" * 199 + "y"),
        ("bad token\nat line 3\ncolumn 7", "bad token"),
    ],
)
def test_a_decoders_error_is_named_by_its_first_line_and_200_characters_at_most(
    monkeypatch: pytest.MonkeyPatch, said: str, why: str
) -> None:
    # the codecs installed today say why in one short line; the cut keeps the message
    # short and to the point whatever a decoder says (a later version's, say)
    codec = json_bytes.Codec("json")

    def decode(data: bytes | str) -> Any:
        raise ValueError(said)

    codec.decode = decode
    monkeypatch.setattr(json_bytes, "codec", codec)
    with pytest.raises(InvalidGroupData) as refused:
        kelompok.load_json(b"{}")
    assert str(refused.value) == (
        "Cannot load this group document:\n"
        f"  - document.invalid: document: is not valid JSON ({why})"
    )
