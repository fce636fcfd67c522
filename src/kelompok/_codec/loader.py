"""Reading an untrusted document: every problem collected, each with its field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kelompok._base.errors import InvalidValue
from kelompok._base.scalars import exact_group_id, exact_text
from kelompok._base.text import Localized, Reason, at_field, msg
from kelompok._data.convert import parse_utc
from kelompok._data.explain import exact_text_or_description


def problem(field: str, text: Localized, code: str = "document.invalid") -> Reason:
    return Reason(code, at_field(field, text), field)


class Loader:
    """Collects every problem of one document instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[Reason] = []

    def fail(self, field: str, text: Localized, code: str = "document.invalid") -> None:
        self.problems.append(problem(field, text, code))

    def keys(
        self,
        doc: Mapping[str, Any],
        expected: tuple[str, ...],
        where: str,
        optional: tuple[str, ...] = (),
    ) -> None:
        for key in expected:
            if key not in doc:
                self.fail(
                    where + key, msg("document.missing", "is missing"), "document.missing_field"
                )
        for key in doc:  # ``in`` a tuple asks a str subclass's own ``__eq__``: exact text only
            if type(key) is not str or (key not in expected and key not in optional):
                self.fail(
                    f"{where}{exact_text_or_description(key)}",
                    msg(
                        "document.unknown_field_expected_only",
                        "unknown field; expected only {items}",
                        items=", ".join((*expected, *optional)),
                    ),
                    "document.unknown_field",
                )

    def group_id(self, value: Any) -> str:
        try:
            return exact_group_id(value)
        except InvalidValue as exc:
            self.fail("id", exc.text)
            return ""

    def moment(self, value: Any, field: str) -> Any:
        try:
            return parse_utc(value)
        except InvalidValue as exc:
            self.fail(field, exc.text)
            return None


def valid_text(value: Any) -> bool:
    try:
        exact_text(value)
    except InvalidValue:
        return False
    return type(value) is str
