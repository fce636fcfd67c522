"""Documents as JSON bytes: ``load_json`` and ``Group.to_json``, with the fastest codec installed.

With ``orjson`` installed (``pip install "kelompok[fast]"``), documents are
parsed and written by it: on the benchmark's small document it decodes twice
and encodes ten times as fast as the standard library (see the README's
performance section). Without it, the standard library's ``json`` does the
same work, held to the same rules, so that what loads never depends on what
is installed:

* the input is one JSON text, in UTF-8 (bytes) or as a ``str``;
* ``NaN``, ``Infinity`` and ``-Infinity`` are refused (they are not JSON);
* text with a lone surrogate, numbers outside the 64-bit range and nesting
  beyond kelompok's depth limit are refused, by the parser or by ``load``'s own
  checks, never with an exception other than ``InvalidGroupData``; an integer
  literal beyond 64 bits is read as a number (a float), as orjson reads it, so a
  field that must be a whole number refuses it;
* output is compact UTF-8 JSON (no spaces; text other than ASCII is not escaped).

A repeated key in an object keeps its last value with either parser.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final

from kelompok._base.errors import InvalidGroupData
from kelompok._base.scalars import describe
from kelompok._base.text import msg
from kelompok._codec.loader import problem

_fast: bool
try:  # which branch runs depends on what is installed
    import orjson
except ImportError:  # pragma: no cover -- the dev install has orjson; tests swap the codec
    _fast = False
else:
    _fast = True

_WHAT: Final = "Cannot load this group document"


def _no_constant(name: str) -> Any:
    error = f"{name} is not a JSON number"
    raise ValueError(error)


def _int(text: str) -> int | float:
    """An integer literal as orjson reads it: an int in [-2**63, 2**64), else a float."""
    value = int(text)  # more than 4,300 digits: ValueError, refused
    return value if -(2**63) <= value < 2**64 else float(text)


_DECODER: Final = json.JSONDecoder(parse_constant=_no_constant, parse_int=_int)
_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _stdlib_decode(data: bytes | str) -> Any:
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    return _DECODER.decode(text)


def _stdlib_encode(document: Any) -> bytes:
    return _ENCODER.encode(document).encode("utf-8")


def _orjson_decode(data: bytes | str) -> Any:
    return orjson.loads(data)


def _orjson_encode(document: Any) -> bytes:
    return orjson.dumps(document)


class Codec:
    """The JSON codec in use: ``orjson`` when installed, else the standard library."""

    __slots__ = ("decode", "encode", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self.decode: Callable[[bytes | str], Any]
        self.encode: Callable[[Any], bytes]
        if name == "orjson":
            self.decode, self.encode = _orjson_decode, _orjson_encode
        else:
            self.decode, self.encode = _stdlib_decode, _stdlib_encode


codec = Codec("orjson" if _fast else "json")
"""The codec ``load_json`` and ``to_json`` use (tests swap it to check both give one answer)."""


def decode_document(data: object) -> Any:
    """The JSON value of *data* (bytes, bytearray, memoryview or str), or ``InvalidGroupData``."""
    if isinstance(data, bytearray | memoryview):
        data = bytes(data)
    if type(data) is not bytes and type(data) is not str:
        text = msg(
            "document.json_input",
            "must be JSON text (bytes or str), got {got}",
            got=describe(data),
        )
        raise InvalidGroupData(_WHAT, [problem("document", text)])
    try:
        return codec.decode(data)
    except (ValueError, RecursionError, UnicodeError) as exc:  # orjson's error is a ValueError
        why = str(exc).partition("\n")[0][:200]
        text = msg("document.not_json", "is not valid JSON ({why})", why=why)
        raise InvalidGroupData(_WHAT, [problem("document", text)]) from None


def encode_document(document: Any) -> bytes:
    """*document* (as ``to_dict`` makes it) as compact UTF-8 JSON."""
    return codec.encode(document)
