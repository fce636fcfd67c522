"""The texts of a definition: its labels and messages, by language, with the type's translations.

Every text of a group type has a key: ``"type"`` for the type's label,
``"stage.<name>"`` and ``"event.<name>"`` for labels, and its code for a
requirement's or an invariant's message. A definition gives each text inline
(English, or ``{language: text}``) and may add languages by key in one mapping,
``translations={"ms": {"stage.recruiting": "Pengambilan ahli", ...}}``: a new
language for a type is one mapping, no part edited. English and Indonesian are
required for every text (kelompok is bilingual); other languages may be partial,
and English stands in for what they lack.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

import attrs

from kelompok._base.frozen import FrozenMap
from kelompok._base.lang import ENGLISH
from kelompok._base.scalars import describe, describe_exception
from kelompok._base.text import Text, as_text
from kelompok._definition.parts import Event, Invariant, Requirement, Stage
from kelompok._definition.roles import Role

REQUIRED: Final = (ENGLISH, "id")
"""The languages every text of a definition must have."""

Translations = Mapping[str, Mapping[str, str]]
"""``{language: {key: text}}``."""


def read_translations(value: object) -> tuple[FrozenMap[str, FrozenMap[str, str]], list[str]]:
    """*value* as an immutable ``{language: {key: text}}``, and what is wrong with its shape.

    Language tags are read in lower case with ``-`` (``"id_ID"`` is ``"id-id"``).
    The mapping is read once, and whatever it raises is a problem, not an error.
    """
    if value is None:
        return FrozenMap(), []
    if not _is_mapping(value):
        return FrozenMap(), [
            f"translations must be a mapping {{language: {{key: text}}}}, got {describe(value)}"
        ]
    problems: list[str] = []
    sections: dict[str, FrozenMap[str, str]] = {}
    try:
        for lang, texts in dict(value).items():  # type: ignore[call-overload]
            if type(lang) is not str or not lang.strip():
                problems.append(f"translations has a language {describe(lang)}, not a language tag")
                continue
            tag = lang.replace("_", "-").lower()
            if tag in sections:
                problems.append(f"translations gives the language {tag!r} twice")
            elif not _is_mapping(texts):
                problems.append(
                    f"translations[{lang!r}] must be a mapping {{key: text}}, got {describe(texts)}"
                )
            else:
                section = dict(texts)
                odd = [describe(key) for key in section if type(key) is not str]
                if odd:
                    problems.append(f"translations[{lang!r}] has keys that are not text: {odd[0]}")
                sections[tag] = FrozenMap({k: v for k, v in section.items() if type(k) is str})
    except Exception as exc:  # noqa: BLE001 -- a user's mapping may raise anything
        problems.append(f"translations could not be read: {describe_exception(exc)}")
    return FrozenMap(sections), problems


def _is_mapping(value: object) -> bool:
    """``isinstance`` out of mypy's sight: an untyped definition may pass anything."""
    return isinstance(value, Mapping)


def _by_key(translations: Translations, key: str) -> dict[str, str]:
    return {lang: texts[key] for lang, texts in translations.items() if key in texts}


@attrs.frozen
class Translated:
    """A definition's parts with its translations merged into their texts."""

    label: Text
    stages: tuple[Stage, ...]
    events: tuple[Event, ...]
    invariants: tuple[Invariant, ...]
    roles: tuple[Role, ...] = ()


def translate(  # noqa: PLR0913 -- every kind of part with texts
    label: Text | str,
    stages: Iterable[Stage],
    events: Iterable[Event],
    invariants: Iterable[Invariant],
    translations: Translations,
    *,
    roles: Iterable[Role] = (),
) -> Translated:
    """The parts with every text given the languages *translations* has for its key."""

    def merged(text: Text | str, key: str) -> Text:
        return as_text(text).merged(_by_key(translations, key))

    def requirement(req: Requirement) -> Requirement:
        return attrs.evolve(req, message=merged(req.message, req.code))

    return Translated(
        merged(label, "type"),
        tuple(attrs.evolve(s, label=merged(s.label, s.key)) for s in stages),
        tuple(
            attrs.evolve(
                e,
                label=merged(e.label, e.key),
                requires=tuple(requirement(r) for r in e.requires),
            )
            for e in events
        ),
        tuple(attrs.evolve(i, message=merged(i.message, i.code)) for i in invariants),
        tuple(attrs.evolve(r, label=merged(r.label, r.key)) for r in roles),
    )


def keys_of(parts: Translated) -> dict[str, str]:
    """Every text key of *parts*, with what it is (``"stage 'a'"``), in declaration order."""
    keys = {"type": "the type's label"}
    keys.update({s.key: f"stage {s.name!r}" for s in parts.stages})
    keys.update({e.key: f"event {e.name!r}" for e in parts.events})
    for event in parts.events:
        keys.update({r.code: f"requirement {r.code!r}" for r in event.requires})
    keys.update({i.code: f"invariant {i.code!r}" for i in parts.invariants})
    keys.update({r.key: f"role {r.name!r}" for r in parts.roles})
    return keys


def text_problems(what: str, text: object) -> list[str]:
    """What is wrong with one text: not a text, or missing a required language."""
    if not isinstance(text, Text):
        return [f"{what} has no text (got a {type(text).__name__})"]
    problems = []
    for lang, value in text.by_language.items():
        if type(value) is not str or not value.strip():
            problems.append(f"{what} has a blank or non-text {lang!r} text")
    problems += [
        f"{what} has no {lang!r} text: give it inline or in translations[{lang!r}]"
        for lang in REQUIRED
        if lang not in text.by_language
    ]
    return problems


def translation_problems(parts: Translated, translations: Translations) -> list[str]:
    """Keys that no text has, label keys taken by a code, and texts missing a language."""
    problems: list[str] = []
    keys = keys_of(parts)
    labels = {"type": "the type", **{s.key: f"stage {s.name!r}" for s in parts.stages}}
    labels.update({e.key: f"event {e.name!r}" for e in parts.events})
    labels.update({r.key: f"role {r.name!r}" for r in parts.roles})
    codes = [r.code for e in parts.events for r in e.requires] + [i.code for i in parts.invariants]
    problems += [
        f"the code {code!r} is also the key of {labels[code]}'s label: choose another code"
        for code in dict.fromkeys(codes)
        if code in labels
    ]
    for lang, texts in translations.items():
        unknown = sorted(str(key) for key in texts if key not in keys)
        if unknown:
            problems.append(
                f"translations[{lang!r}] has keys no text of the type has: {', '.join(unknown)}"
            )
    problems += text_problems("the type", parts.label)
    for stage in parts.stages:
        problems += text_problems(f"stage {stage.name!r}", stage.label)
    for event in parts.events:
        problems += text_problems(f"event {event.name!r}", event.label)
        for req in event.requires:
            problems += text_problems(f"requirement {req.code!r}", req.message)
    for inv in parts.invariants:
        problems += text_problems(f"invariant {inv.code!r}", inv.message)
    for role in parts.roles:
        problems += text_problems(f"role {role.name!r}", role.label)
    return list(dict.fromkeys(problems))  # a shared requirement is reported once
