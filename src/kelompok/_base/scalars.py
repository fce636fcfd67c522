"""Exact scalars: what kelompok stores is a real ``str``/``int``, never what claims to be one.

A ``str`` subclass passes ``isinstance`` and may lie through ``strip()``,
``__eq__`` or ``__hash__``; an ``int`` subclass through ``__ge__``. Every text and
number that enters a group is copied into the exact built-in type here, and
checked on that copy. (The second argument of each ``exact_*`` lets cattrs call
it as a structure hook directly, one call per value.) The limits below bound
what a hostile input can cost.
"""

from __future__ import annotations

import math
import re
from typing import Any, Final

from kelompok._base.errors import InvalidValue
from kelompok._base.text import msg

MAX_DEPTH: Final = 32
"""How deeply JSON values (payloads, documents) may nest; deeper input is refused."""

MAX_PROBLEMS: Final = 50
"""How many problems one refusal lists; the rest are counted in one more reason."""

MAX_QUOTE: Final = 60
"""How many characters of a value a message quotes."""

INT_RANGE: Final = range(-(2**63), 2**63)
"""The whole numbers kelompok stores: what a database's 64-bit integer column holds (and
what ``json.loads`` reads back; it refuses numbers of more than 4,300 digits)."""


def describe(value: Any) -> str:
    """A short description of *value* for a message, whatever it is.

    Never calls a user object's ``repr`` (it may raise, be slow or lie), never
    formats an int with thousands of digits (``repr`` refuses over 4,300) and
    never recurses into a deep container.
    """
    kind = type(value)
    if kind is str:
        text = repr(value[:MAX_QUOTE]) + ("..." if len(value) > MAX_QUOTE else "")
    elif kind is int:
        text = repr(value) if value.bit_length() < 160 else f"of {_digits(value)} digits"
    elif kind in (float, bool) or value is None:
        text = repr(value)
    elif kind in (list, tuple, dict, set, frozenset):
        text = f"of {len(value)} items"
    else:
        return f"a {kind.__name__}"
    return f"{kind.__name__} {text}"


def describe_exception(exc: BaseException) -> str:
    """``str(exc)``, at most 200 characters, even when its ``__str__`` fails."""
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 -- a user's exception whose __str__ fails
        return type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "..."


def _digits(value: int) -> int:
    return max(1, math.ceil(abs(value).bit_length() * math.log10(2)))


def _surrogate_free(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def exact_text(value: Any, _cls: object = None) -> str:
    """*value* as an exact ``str`` of valid Unicode, or ``InvalidValue``."""
    if type(value) is str and value.isascii():
        return value
    if type(value) is not str:
        if not isinstance(value, str):
            raise InvalidValue(
                msg("value.text_str", "must be text (str), got {shown}", shown=describe(value)),
            )
        value = str.__getitem__(value, slice(None))  # the characters, not the subclass
    text: str = value
    if not _surrogate_free(text):
        raise InvalidValue(
            msg(
                "value.valid_unicode_text_holds",
                "must be valid Unicode text (it holds a lone surrogate, which UTF-8 cannot encode)",
            ),
        )
    return text


GROUP_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,127}")
"""What a group id given to ``create(id=...)`` may be: 1 to 128 of the characters
``A-Z a-z 0-9 . _ ~ -`` (safe in URLs, file names, chat commands and log lines),
starting with a letter or a digit. Generated ids are 32 hexadecimal digits."""


def exact_group_id(value: Any) -> str:
    """*value* if it is a valid group id (see :data:`GROUP_ID`), else raise ``InvalidValue``."""
    text = exact_text(value)
    if len(text) == 32 and text.isascii() and text.isalnum():
        return text
    if GROUP_ID.fullmatch(text) is None:
        raise InvalidValue(
            msg(
                "value.group_id",
                "must be 1 to 128 of the characters A-Z a-z 0-9 . _ ~ -, starting with a "
                "letter or a digit, got {shown}",
                shown=describe(text),
            )
        )
    return text


def exact_nonblank(value: Any) -> str:
    """:func:`exact_text` that is not empty or whitespace only."""
    text = exact_text(value)
    if not text.strip():
        raise InvalidValue(msg("value.not_blank", "must not be blank"))
    return text


def exact_int(value: Any, _cls: object = None) -> int:
    """*value* as an exact 64-bit ``int`` (``bool`` is not a number here), or ``InvalidValue``."""
    if type(value) is not int and isinstance(value, int) and not isinstance(value, bool):
        value = int.__int__(value)  # the number itself: int.__int__ ignores overrides
    if type(value) is int:
        if value in INT_RANGE:
            return value
        raise InvalidValue(
            msg(
                "value.whole_number",
                "must be a whole number from -2**63 to 2**63 - 1, got {shown}",
                shown=describe(value),
            ),
        )
    raise InvalidValue(
        msg(
            "value.whole_number_int",
            "must be a whole number (int), got {shown}",
            shown=describe(value),
        ),
    )


def exact_float(value: Any, _cls: object = None) -> float:
    """*value* (an int or float) as an exact, finite ``float``, or ``InvalidValue``."""
    number = math.nan
    if isinstance(value, float):
        number = float.__float__(value)  # the number itself, not the subclass
    elif isinstance(value, int) and not isinstance(value, bool):
        try:
            number = float(exact_int(value))
        except OverflowError:
            number = math.inf
    if math.isfinite(number):
        return number
    raise InvalidValue(
        msg("value.finite_number", "must be a finite number, got {shown}", shown=describe(value)),
    )


def exact_bool(value: Any, _cls: object = None) -> bool:
    """*value* if it is ``True`` or ``False``, or ``InvalidValue``."""
    if value is True or value is False:
        return value
    raise InvalidValue(
        msg(
            "value.true_false_bool",
            "must be true or false (bool), got {shown}",
            shown=describe(value),
        ),
    )
