"""The value types users pass in payloads: frozen, validated when constructed.

Each accepts plain lists for its sequence fields and stores tuples, so a value
can never change after it was checked. Content rules that depend on the group
(does this division exist? is this kind allowed?) are requirements of the
events, not of the values, so they come back as reasons with their own codes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from kelompok._errors import InvalidValue


def frozen_map(mapping: Mapping[Any, Any]) -> Mapping[Any, Any]:
    """A read-only copy of *mapping* (kept as is when it already is one).

    Frozen attrs classes stop attribute assignment, not ``dict.clear()``: every
    mapping in kelompok's data is wrapped so that only an event can change it.
    """
    if isinstance(mapping, MappingProxyType):
        return mapping
    return MappingProxyType(dict(mapping))


def _text(_inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str):
        raise InvalidValue(
            f"must be text (str), got {type(value).__name__} {value!r}",
            f"harus berupa teks (str), bukan {type(value).__name__} {value!r}",
            attribute.name,
        )


def nonblank(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Validate non-blank text (an attrs validator)."""
    _text(inst, attribute, value)
    if not value.strip():
        raise InvalidValue("must not be blank", "tidak boleh kosong", attribute.name)


def _optional_text(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        _text(inst, attribute, value)


def _texts(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidValue(
            f"must be a list of texts, got {type(value).__name__} {value!r}",
            f"harus berupa daftar teks, bukan {type(value).__name__} {value!r}",
        )
    items = tuple(value)
    for item in items:
        if not isinstance(item, str):
            raise InvalidValue(
                f"must hold only texts, got {type(item).__name__} {item!r}",
                f"hanya boleh berisi teks, bukan {type(item).__name__} {item!r}",
            )
    return items


@attrs.frozen
class Member:
    """A person: a founder, a member or a candidate.

    Args:
        id: stable identifier, unique within a group.
        name: display name.
        profession: required to join a professional group (compared
            case-insensitively with the group's profession).
    """

    id: str = attrs.field(validator=nonblank)
    name: str = attrs.field(validator=nonblank)
    profession: str | None = attrs.field(default=None, validator=_optional_text)


@attrs.frozen
class Division:
    """A division (*divisi*) of the organisational structure.

    Args:
        name: unique, non-blank within the group (checked by ``establish_structure``).
        responsibility: what it is responsible for.
        head: the member id of its head, if any; must be a member.
    """

    name: str = attrs.field(validator=_text)
    responsibility: str = attrs.field(validator=_text)
    head: str | None = attrs.field(default=None, validator=_optional_text)


@attrs.frozen
class Program:
    """A program (*program*) with its activities (*kegiatan*).

    Args:
        id: unique within the group.
        name: display name.
        kind: professional groups: ``training``, ``seminar``, ``workshop`` or
            ``other``; volunteer groups: the group's work area.
        division: the name of the division that runs it.
        activities: at least one activity name.
    """

    id: str = attrs.field(validator=nonblank)
    name: str = attrs.field(validator=nonblank)
    kind: str = attrs.field(validator=_text)
    division: str = attrs.field(validator=_text)
    activities: tuple[str, ...] = attrs.field(converter=_texts)


@attrs.frozen
class PartnerRef:
    """Another group as a collaboration partner, by reference.

    Pass a :class:`~kelompok.Group` to ``collaborate`` and kelompok builds this
    from it; pass a ``PartnerRef`` when the partner lives elsewhere (another
    service, another database row).

    Args:
        id: the partner group's id.
        name: its name.
        type: its group type's name.
        stage: its stage at the time of the agreement.
    """

    id: str = attrs.field(validator=nonblank)
    name: str = attrs.field(validator=nonblank)
    type: str = attrs.field(validator=nonblank)
    stage: str = attrs.field(validator=nonblank)
