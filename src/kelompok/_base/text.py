"""Texts in several languages, and ``Reason``: why something is refused.

Two kinds of text, both called with a language to give a ``str``:

* :class:`Text`: a fixed text by language, the labels and messages of a group
  type (``stage.label("id")``). English is always there: it is the fallback.
* :class:`Message`: one of kelompok's own messages, a template with a key in
  the core catalog (``kelompok/locales/<lang>.json``) and values to fill in
  (``"{field}: is missing"``). The English template is the one in the code.

The language is chosen when a text is read, never once per process; any value
is accepted and negotiated (:func:`kelompok._base.lang.negotiate`).
"""

from __future__ import annotations

import functools
import string
from collections.abc import Iterable, Mapping
from typing import Any, Final, Protocol

import attrs

from kelompok._base.frozen import FrozenMap
from kelompok._base.lang import ENGLISH, Catalog, negotiate

_FORMATTER: Final = string.Formatter()

CORE: Final = Catalog("core")
"""The core's own messages, by language."""


class Localized(Protocol):
    """Anything that gives its text in a language: a :class:`Text` or a :class:`Message`."""

    def __call__(self, lang: object = ENGLISH) -> str: ...


def _by_language(value: str | Mapping[str, str]) -> FrozenMap[str, str]:
    if isinstance(value, Text):
        return value.by_language
    if type(value) is str:
        return FrozenMap({ENGLISH: value})
    if isinstance(value, Mapping):
        return FrozenMap(
            {str(lang).replace("_", "-").lower(): text for lang, text in value.items()}
        )
    return FrozenMap({ENGLISH: value})  # not text: the definition check says so


@attrs.frozen(repr=False)
class Text:
    """A text by language, e.g. ``Text({"en": "Recruiting", "id": "Rekrutmen"})``.

    Call it with a language (a BCP 47 tag or an ``Accept-Language`` value) for
    the text in that language, or in English when it has none in it;
    ``str(text)`` is the English text. A plain ``str`` given where a ``Text``
    is expected is the English text.
    """

    by_language: FrozenMap[str, str] = attrs.field(converter=_by_language)

    def __call__(self, lang: object = ENGLISH) -> str:
        texts = self.by_language
        if type(lang) is str:
            found = texts.get(lang)
            if found is not None:
                return found
        return texts.get(negotiate(lang, texts), texts.get(ENGLISH, ""))

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages the text is in."""
        return tuple(self.by_language)

    def merged(self, more: Mapping[str, str]) -> Text:
        """This text with the languages of *more* (``{language: text}``) added or replaced."""
        if not more:
            return self
        return Text({**self.by_language, **_by_language(dict(more))})

    def lower(self) -> Text:
        """The same text in lower case, in every language (a label inside a sentence)."""
        return Text({lang: text.lower() for lang, text in self.by_language.items()})

    def __str__(self) -> str:
        return self(ENGLISH)

    def __repr__(self) -> str:
        return f"Text({dict(self.by_language)!r})"


def as_text(value: str | Mapping[str, str] | Text) -> Text:
    """*value* as a :class:`Text` (a ``str`` is English)."""
    return value if isinstance(value, Text) else Text(value)


def _params(values: Mapping[str, object]) -> tuple[tuple[str, object], ...]:
    return tuple(values.items())


@attrs.frozen(repr=False)
class Message:
    """One of kelompok's own messages: a catalog *key*, its English template, and values.

    The values are filled into the template of the language asked for; a value
    that is itself a :class:`Text` or :class:`Message` is given in that language
    too. A translation that does not fit its values falls back to English.
    """

    key: str
    english: str
    params: tuple[tuple[str, object], ...] = attrs.field(default=(), converter=_params)

    def __call__(self, lang: object = ENGLISH) -> str:
        english = type(lang) is str and lang == ENGLISH
        template = None if english else CORE.lookup(lang, self.key)
        if template is not None and fits(template, frozenset(name for name, _ in self.params)):
            try:
                return template.format_map(self._values(lang))
            except Exception:  # noqa: BLE001, S110 -- a translation never breaks a message
                pass
        return self.english.format_map(self._values(ENGLISH))  # all English, never a mix

    def _values(self, lang: object) -> dict[str, object]:
        return {
            name: value(lang) if isinstance(value, Text | Message | Listing | Named) else value
            for name, value in self.params
        }

    def __str__(self) -> str:
        return self(ENGLISH)

    def __repr__(self) -> str:
        return f"Message({self.key!r}: {self(ENGLISH)!r})"


@functools.lru_cache(maxsize=1024)
def fits(template: str, names: frozenset[str]) -> bool:
    """Whether a translated *template* fills in only values it is given (*names*), plainly.

    Only ``{name}`` and ``{name!r}``: no attribute or index (``{x.__class__}``,
    ``{x[0]}``), no format spec, no positional field. A translation that does
    not fit is not used.
    """
    try:
        for _, name, spec, conversion in _FORMATTER.parse(template):
            if name is not None and (name not in names or spec or conversion not in (None, "r")):
                return False
    except ValueError:  # "{" alone, or a field left open
        return False
    return True


@attrs.frozen(repr=False)
class Listing:
    """Texts joined by commas, each in the language asked for (a value of a :class:`Message`)."""

    parts: tuple[Localized, ...]

    def __call__(self, lang: object = ENGLISH) -> str:
        return ", ".join(part(lang) for part in self.parts) or "-"

    def __str__(self) -> str:
        return self(ENGLISH)

    def __repr__(self) -> str:
        return f"Listing({self(ENGLISH)!r})"


@attrs.frozen(repr=False)
class Named:
    """A stage or an event as a message names it: its name, for code, and its label, for people.

    ``'recruiting' (Recruiting)`` in English, ``'recruiting' (Rekrutmen)`` in
    Indonesian: a bot maps the name to its own commands, a person reads the label.
    """

    name: str
    label: Text

    def __call__(self, lang: object = ENGLISH) -> str:
        return f"{self.name!r} ({self.label(lang)})"

    def __str__(self) -> str:
        return self(ENGLISH)

    def __repr__(self) -> str:
        return f"Named({self(ENGLISH)!r})"


def msg(key: str, english: str, **values: object) -> Message:
    """A :class:`Message`: ``msg("document.missing", "{field}: is missing", field="id")``."""
    return Message(key, english, values)


def at_field(field: str, text: Localized) -> Message:
    """*text* prefixed by the field it is about: ``"founders[1].id: must not be blank"``."""
    return Message("at_field", "{field}: {text}", {"field": field, "text": text})


def _names(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(names)


def _localized(value: Localized | str | Mapping[str, str]) -> Localized:
    return value if isinstance(value, Text | Message) else Text(value)  # type: ignore[arg-type]


@attrs.frozen
class Reason:
    """Why an event would be refused: a stable code and a message in every language.

    ``str(reason)`` is the English message; ``reason.message("id")`` the
    Indonesian one (any BCP 47 tag or ``Accept-Language`` value works; English
    when there is no text in the language). ``field`` names the payload or
    document field at fault, when there is one.

    Attributes:
        code: stable identifier, e.g. ``"charter.missing"``; clients match on it.
        text: the message, to be read in a language.
        field: the field at fault, or ``None``.
        fixed_by: names of the events that can satisfy the requirement (empty
            when no event of the type can, or it is not known).
    """

    code: str
    text: Localized = attrs.field(converter=_localized)
    field: str | None = None
    fixed_by: tuple[str, ...] = attrs.field(default=(), converter=_names)

    def message(self, lang: object = ENGLISH) -> str:
        """The message in *lang* (English by default, and when there is none in *lang*)."""
        return self.text(lang)

    def to_json(self, lang: object = ENGLISH) -> dict[str, Any]:
        """The reason as a JSON-ready dict, its message in *lang*."""
        return {
            "code": self.code,
            "message": self.text(lang),
            "field": self.field,
            "fixed_by": list(self.fixed_by),
        }

    def __str__(self) -> str:
        return self.text(ENGLISH)
