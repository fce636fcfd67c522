"""JSON trees: copied fast, and checked to be strict JSON while they are copied."""

from __future__ import annotations

import math
from typing import Any

from kelompok._base.scalars import INT_RANGE, MAX_DEPTH, describe

_SCALARS = frozenset({str, int, float, bool, type(None)})
_SAFE = frozenset({bool, type(None)})  # scalars that need no check to be strict JSON


_TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels"


class NotJSON(ValueError):
    """A value that is not made of JSON types."""


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
            raise NotJSON(_TOO_DEEP)
        for k in value:
            if type(k) is not str:
                msg = "object keys must be strings"
                raise NotJSON(msg)
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
            raise NotJSON(_TOO_DEEP)
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
                msg = "text holds a lone surrogate, which UTF-8 cannot encode"
                raise NotJSON(msg) from None
    elif kind is float:
        if not math.isfinite(value):
            msg = f"{value!r} is not a JSON number"
            raise NotJSON(msg)
    elif kind is int:
        if value not in INT_RANGE:
            msg = f"{describe(value)} is outside the 64-bit range kelompok stores"
            raise NotJSON(msg)
    elif kind not in _SAFE:
        msg = f"{kind.__name__} is not a JSON type"
        raise NotJSON(msg)
