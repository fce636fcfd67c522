"""Choosing a language: BCP 47 tags and ``Accept-Language`` values, negotiated, never refused.

Every text kelompok shows is looked up by language when it is read, so a bot
can answer two users in two languages at once. The language may come straight
from a request: ``"id"``, ``"id-ID"``, ``"ID"``, ``"id_ID"``, or a whole
``Accept-Language`` header such as ``"ms-MY,id;q=0.9,en;q=0.5"``. It is
matched against the languages a text has by the lookup of RFC 4647 (section
3.4): the full tag first, then with its last subtag dropped, and so on, range
by range in the order of preference. Anything that matches nothing (an unknown
language, ``"*"``, ``None``, junk) gives English, the language every text has:
a request path never fails because of its language.

The catalogs of kelompok's own texts are the files ``kelompok/locales/<lang>.json``,
one per language besides English (English is in the code, where each text is
used). Each file has a section per part of kelompok: ``"core"`` for the
messages of the core, ``"formation"`` for the built-in group types.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Container, Mapping
from pathlib import Path
from typing import Final

ENGLISH: Final = "en"
LOCALES: Final = Path(__file__).resolve().parent.parent / "locales"
"""The folder of the catalog files, ``kelompok/locales``."""

_MAX_HEADER: Final = 1024  # characters of a language value that are read at all
_MAX_RANGES: Final = 16  # language ranges of an Accept-Language value that are tried


@functools.lru_cache(maxsize=512)
def _ranges(value: str) -> tuple[str, ...]:
    """The language ranges of *value*, normalised (``id-id``), best first; q=0 left out."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(value.split(",", _MAX_RANGES)[:_MAX_RANGES]):
        tag, _, params = part.partition(";")
        tag = tag.strip().replace("_", "-").lower()
        if not tag or tag == "*" or len(tag) > 35 or not tag.replace("-", "").isalnum():
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, number = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(number)
                except ValueError:
                    quality = 0.0
        if 0.0 < quality <= 1.0:
            weighted.append((-quality, position, tag))
    return tuple(tag for _, _, tag in sorted(weighted))


def ranges(lang: object) -> tuple[str, ...]:
    """The language ranges *lang* asks for, best first (empty for anything but text)."""
    if type(lang) is not str:
        return ()
    return _ranges(lang[:_MAX_HEADER])  # the cache keeps short keys only, whatever arrives


def negotiate(lang: object, available: Container[str]) -> str:
    """The language of *available* that *lang* asks for first; English when none matches.

    *available* holds lower-case primary tags (``"id"``) or full tags (``"pt-br"``).

    >>> negotiate("id-ID", {"en", "id"})
    'id'
    >>> negotiate("fr-CA,fr;q=0.9,id;q=0.8", {"en", "id"})
    'id'
    >>> negotiate("xx", {"en", "id"})
    'en'
    """
    if type(lang) is str and lang in available:  # the usual case: a plain code
        return lang
    for wanted in ranges(lang):
        tag = wanted
        while tag:
            if tag in available:
                return tag
            tag = tag.rpartition("-")[0]
    return ENGLISH


class Catalog:
    """One section of kelompok's catalog files: texts by language, then by key.

    Read from the files the first time a text is looked up, then kept.
    """

    def __init__(self, section: str, folder: Path | None = None) -> None:
        self.section = section
        self._folder = folder  # None: kelompok's own folder, LOCALES, when it is read
        self._lock = threading.Lock()
        self._texts: dict[str, Mapping[str, str]] | None = None

    @property
    def texts(self) -> Mapping[str, Mapping[str, str]]:
        """``{language: {key: text}}`` of this section, English aside."""
        texts = self._texts
        if texts is None:
            with self._lock:
                if self._texts is None:
                    self._texts = self._read()
                texts = self._texts
        return texts

    def _read(self) -> dict[str, Mapping[str, str]]:
        texts: dict[str, Mapping[str, str]] = {}
        for path in sorted((self._folder or LOCALES).glob("*.json")):
            content = json.loads(path.read_text(encoding="utf-8"))
            section = content.get(self.section, {})
            texts[path.stem.lower()] = {str(k): str(v) for k, v in section.items()}
        return texts

    def lookup(self, lang: object, key: str) -> str | None:
        """The text of *key* in the language *lang* negotiates to, or ``None`` (English then)."""
        texts = self.texts
        language = negotiate(lang, texts)
        if language == ENGLISH:
            return None
        return texts[language].get(key)

    def languages(self) -> tuple[str, ...]:
        """The languages of this section, English first."""
        return (ENGLISH, *sorted(lang for lang in self.texts if lang != ENGLISH))
