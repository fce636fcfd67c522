"""Every refused text of an attrs class, not only the first: the checks its converters make.

An attrs class runs its converters one by one in ``__init__``, and the first that
refuses stops the rest; cattrs reports a missing field before ``__init__`` runs at
all. So when structuring fails, the converter of each text field is run on the
text given, and every text it refuses is reported with the rest: a refusal lists
every reason (docs/guarantees.md).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import cattrs

from kelompok._base.errors import InvalidValue
from kelompok._data.explain import segment_of

TextChecks = tuple[tuple[str, Callable[[Any], Any]], ...]


def text_fields(t: type[Any]) -> TextChecks:
    """The text fields of *t* whose converter checks them, each with that check alone."""
    attrs.resolve_types(t)  # a.type is the class itself, not its annotation's text
    found = []
    for a in attrs.fields(t):
        name = a.name
        conv = a.converter
        if a.type is not str or conv is None:
            continue
        if isinstance(conv, attrs.Converter):
            fn, field = conv.converter, a  # type: ignore[attr-defined]
            if conv.takes_self:  # type: ignore[attr-defined]
                continue  # needs the instance, which does not exist yet
            check = functools.partial(fn, field=field) if conv.takes_field else fn  # type: ignore[attr-defined]
        else:
            check = conv
        found.append((name, check))
    return tuple(found)


def text_problems(
    texts: TextChecks,
    value: Mapping[str, Any],
    exc: cattrs.BaseValidationError,
) -> list[tuple[str, Exception]]:
    """What the text checks say of the texts in *value* that *exc* does not name already."""
    named = {segment_of(sub).removeprefix(".") for sub in exc.exceptions}
    named |= {sub.field for sub in exc.exceptions if isinstance(sub, InvalidValue) and sub.field}
    more: list[tuple[str, Exception]] = []
    for name, check in texts:
        if name in named or name not in value or type(value[name]) is not str:
            continue
        try:
            check(value[name])
        except InvalidValue as problem:
            more.append(("", problem))
    return more
