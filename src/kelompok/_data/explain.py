"""Structuring errors as reasons: each names its field, and there are never too many.

cattrs raises one nested exception group for a bad value; :func:`explain`
turns it into :class:`~kelompok.Reason` objects whose ``field`` is the path to
the bad value (``founders[1].id``), at most ``MAX_PROBLEMS`` of them, and one
last reason that counts the rest.
"""

from __future__ import annotations

from typing import Any

import attrs
from cattrs.errors import (
    AttributeValidationNote,
    BaseValidationError,
    ForbiddenExtraKeysError,
    IterableValidationNote,
)

from kelompok._base.errors import InvalidValue
from kelompok._base.scalars import MAX_PROBLEMS, describe, describe_exception
from kelompok._base.text import Localized, Reason, at_field, msg


class Collected(Exception):
    """The first errors of a collection's items (at most ``MAX_PROBLEMS``) and how many more.

    cattrs would keep one exception per bad item: 300,000 bad numbers cost
    seconds and hundreds of megabytes before a single reason is shown.
    """

    def __init__(self, errors: list[tuple[str, Exception]], more: int) -> None:
        super().__init__(f"{len(errors) + more} problems")
        self.errors = errors
        self.more = more


def collect(errors: list[tuple[str, Exception]], segment: str, exc: Exception) -> bool:
    """Keep *exc* if there is room; return whether it was kept."""
    if len(errors) < MAX_PROBLEMS:
        errors.append((segment, exc))
        return True
    return False


def capped(reasons: list[Reason], code: str, more: int = 0) -> list[Reason]:
    """*reasons* cut to ``MAX_PROBLEMS``, and one last reason that counts all the others."""
    listed = [r for r in reasons if type(r) is not MoreProblems]
    more += sum(r.count for r in reasons if type(r) is MoreProblems)
    more += max(0, len(listed) - MAX_PROBLEMS)
    kept = listed[:MAX_PROBLEMS]
    return [*kept, more_problems(code, more)] if more > 0 else kept


@attrs.frozen
class MoreProblems(Reason):
    """The reason that stands for ``count`` problems that are not listed."""

    count: int = 0


def more_problems(code: str, count: int) -> Reason:
    """The reason that stands for *count* problems not listed."""
    return MoreProblems(
        f"{code}.more_problems",
        msg(
            "value.more_problems_only_first",
            "and {count} more problems (only the first {max_problems} are listed)",
            count=count,
            max_problems=MAX_PROBLEMS,
        ),
        count=count,
    )


def segment_of(exc: BaseException) -> str:
    """The field or index a cattrs note puts an error at, as a path segment (``.name``, ``[2]``)."""
    for note in getattr(exc, "__notes__", ()):
        if isinstance(note, AttributeValidationNote):
            return f".{note.name}"
        if isinstance(note, IterableValidationNote):
            index = note.index
            return f"[{index}]" if type(index) is int else f"[{describe(index)}]"
    return ""


def _join(path: str, segment: str) -> str:
    joined = path + segment
    return joined.removeprefix(".")


def explain(exc: BaseException, path: str, code: str) -> list[Reason]:
    """Turn a (possibly nested) structuring error into reasons naming their fields.

    At most ``MAX_PROBLEMS`` reasons; when there were more, the last one
    (``<code>.more_problems``) says how many.
    """
    reasons, more = _explain(exc, path, code)
    return capped(reasons, code, more)


def _explain(exc: BaseException, path: str, code: str) -> tuple[list[Reason], int]:
    """The reasons of *exc*, and how many more problems were counted but not kept."""
    reasons: list[Reason] = []
    more = 0
    if isinstance(exc, BaseValidationError | Collected):
        subs = (
            [(segment_of(sub), sub) for sub in exc.exceptions]
            if isinstance(exc, BaseValidationError)
            else exc.errors
        )
        more = exc.more if isinstance(exc, Collected) else 0
        for segment, sub in subs:
            found, uncounted = _explain(sub, _join(path, segment), code)
            reasons += found
            more += uncounted
        return reasons, more
    if isinstance(exc, ForbiddenExtraKeysError):
        fields = ", ".join(f.name for f in attrs.fields(exc.cl))
        extra = sorted(exc.extra_fields, key=str)
        for key in (exact_text_or_description(k) for k in extra[:MAX_PROBLEMS]):
            where = _join(path, "." + key)
            reasons.append(
                Reason(
                    f"{code}.unknown_field",
                    msg(
                        "value.unknown_field_fields_are",
                        "{where}: unknown field; the fields are: {fields}",
                        where=where,
                        fields=fields,
                    ),
                    where,
                )
            )
        return reasons, max(0, len(extra) - MAX_PROBLEMS)
    if isinstance(exc, KeyError):
        name = path or exact_text_or_description(exc.args[0] if exc.args else "")
        missing = Reason(
            f"{code}.missing_field",
            msg("value.this_field_required", "{name}: this field is required", name=name),
            name,
        )
        return [missing], 0
    text: Localized
    if isinstance(exc, InvalidValue):
        text = exc.text
        if exc.field:
            path = _join(path, "." + exc.field)
    else:  # a validator of a user's attrs class, or a converter that raised
        text = msg("value.invalid", "invalid value ({error})", error=describe_exception(exc))
    return [Reason(f"{code}.invalid", at_field(path or "value", text), path or None)], 0


def exact_text_or_description(value: Any) -> str:
    """*value* itself when it is short, valid text; else a description of it."""
    if type(value) is str and len(value) <= 60 and value.isprintable():
        return value
    return f"<{describe(value)}>"
