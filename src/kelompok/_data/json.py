"""JSON trees: copied fast, and checked to be strict JSON while they are copied."""

from __future__ import annotations

import math
from typing import Any

from kelompok._base.scalars import INT_RANGE, MAX_DEPTH, describe
from kelompok._base.text import Message, msg

_SCALARS = frozenset({str, int, float, bool, type(None)})
_SAFE = frozenset({bool, type(None)})  # scalars that need no check to be strict JSON


class NotJSON(ValueError):
    """A value that is not made of JSON types; ``text`` says why, in every language."""

    def __init__(self, text: Message) -> None:
        super().__init__(text())
        self.text = text


def _too_deep() -> NotJSON:
    return NotJSON(msg("json.too_deep", "nested deeper than {depth} levels", depth=MAX_DEPTH))


def copy_json(value: Any, *, check: bool = False, depth: int = MAX_DEPTH) -> Any:
    """Deep-copy a JSON tree (dicts, lists, scalars): much faster than ``copy.deepcopy``.

    With ``check=True`` also make sure it *is* strict JSON, raising
    :class:`NotJSON` otherwise: string keys; no tuples, sets or objects; finite
    numbers; text that UTF-8 can encode; at most ``MAX_DEPTH`` levels deep.
    Validating while copying walks the tree once instead of twice.
    """
    if check:
        return _checked(value, depth)
    kind = type(value)
    if kind is dict:
        return {
            k: v if type(v) in _SCALARS or (type(v) is str and v.isascii()) else copy_json(v)
            for k, v in value.items()
        }
    if kind is list:
        return [
            v if type(v) in _SCALARS or (type(v) is str and v.isascii()) else copy_json(v)
            for v in value
        ]
    return value


_LOW, _HIGH = INT_RANGE.start, INT_RANGE.stop


def _checked(value: Any, depth: int) -> Any:
    """:func:`copy_json` with ``check=True``: a dict's keys first, then its values in order.

    ASCII texts, whole numbers in range, booleans and ``None`` are tested inline, without
    a call each.
    """
    kind = type(value)
    if kind is dict:
        if depth <= 0:
            raise _too_deep()
        for k in value:
            if type(k) is not str:
                raise NotJSON(msg("json.key_not_text", "object keys must be strings"))
            if not k.isascii():
                _check_scalar(k)
        out = {}
        for k, v in value.items():
            t = type(v)
            plain = (t is str and v.isascii()) or (t is int and _LOW <= v < _HIGH) or t in _SAFE
            out[k] = v if plain else _checked(v, depth - 1)
        return out
    if kind is list:
        if depth <= 0:
            raise _too_deep()
        items = []
        for v in value:
            t = type(v)
            plain = (t is str and v.isascii()) or (t is int and _LOW <= v < _HIGH) or t in _SAFE
            items.append(v if plain else _checked(v, depth - 1))
        return items
    _check_scalar(value)
    return value


def _check_scalar(value: Any) -> None:
    kind = type(value)
    if kind is str:
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                text = msg(
                    "json.lone_surrogate", "text holds a lone surrogate, which UTF-8 cannot encode"
                )
                raise NotJSON(text) from None
    elif kind is float:
        if not math.isfinite(value):
            raise NotJSON(
                msg("json.not_number", "{number} is not a JSON number", number=repr(value))
            )
    elif kind is int:
        if value not in INT_RANGE:
            text = msg(
                "json.out_of_range",
                "{shown} is outside the 64-bit range kelompok stores",
                shown=describe(value),
            )
            raise NotJSON(text)
    elif kind not in _SAFE:
        raise NotJSON(msg("json.not_a_type", "{kind} is not a JSON type", kind=kind.__name__))
