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
    kind = type(value)
    plain = _SAFE if check else _SCALARS
    if kind is dict:
        if check:
            if depth <= 0:
                raise NotJSON(_TOO_DEEP)
            for k in value:
                if type(k) is not str:
                    msg = "object keys must be strings"
                    raise NotJSON(msg)
                if not k.isascii():
                    _check_scalar(k)
        return {
            k: v
            if type(v) in plain or (type(v) is str and v.isascii())
            else copy_json(v, check=check, depth=depth - 1)
            for k, v in value.items()
        }
    if kind is list:
        if check and depth <= 0:
            raise NotJSON(_TOO_DEEP)
        return [
            v
            if type(v) in plain or (type(v) is str and v.isascii())
            else copy_json(v, check=check, depth=depth - 1)
            for v in value
        ]
    if check:
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
