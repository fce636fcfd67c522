"""Bilingual text: every label and every refusal exists in English and Indonesian.

The language is chosen when a message is read (``reason.message("id")``), never
once per process: a bot may answer two users in two languages at the same time.
"""

from __future__ import annotations

from typing import Final, Literal, cast

import attrs

Language = Literal["en", "id"]
LANGUAGES: Final = ("en", "id")


def check_language(lang: str) -> Language:
    """Return *lang* if kelompok has texts in it, else raise ``InvalidValue`` (a ``ValueError``)."""
    if lang in LANGUAGES:
        return cast("Language", lang)
    from kelompok._base.errors import InvalidValue  # noqa: PLC0415 -- _errors imports this module

    shown = repr(lang) if type(lang) is str and len(lang) <= 20 else f"<a {type(lang).__name__}>"
    raise InvalidValue(
        f"unknown language {shown}: kelompok has texts in 'en' (English) and 'id' (Indonesian)",
        f"bahasa {shown} tidak dikenal: kelompok memiliki teks dalam 'en' (Inggris) dan "
        "'id' (Indonesia)",
    )


def pick(en: str, id: str, lang: str) -> str:  # noqa: A002 -- "id" is the language code
    """*en* or *id*, by the language code *lang*."""
    return en if check_language(lang) == "en" else id


@attrs.frozen
class Reason:
    """Why an event would be refused: a stable code and a message in both languages.

    ``str(reason)`` is the English message; ``reason.message("id")`` the Indonesian
    one. ``field`` names the payload or document field at fault, when there is one.
    """

    code: str
    en: str
    id: str
    field: str | None = None

    def message(self, lang: str = "en") -> str:
        """Return the message in *lang* (``"en"`` or ``"id"``)."""
        return pick(self.en, self.id, lang)

    def __str__(self) -> str:
        return self.en
