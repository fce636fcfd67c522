"""The value types users pass in payloads: frozen, validated when constructed.

Each accepts plain lists for its sequence fields and stores tuples of exact
``str``, so a value can never change after it was checked. Content rules that depend on the group
(does this division exist? is this kind allowed?) are requirements of the
events, not of the values, so they come back as reasons with their own codes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs

from kelompok._base.errors import InvalidValue
from kelompok._base.frozen import FrozenMap, frozen_map
from kelompok._base.scalars import describe, exact_nonblank, exact_text
from kelompok._base.text import msg
from kelompok._data.convert import register_coercion
from kelompok._data.exact import trust_converter
from kelompok._data.schema import NONBLANK
from kelompok._runtime.group import Group

__all__ = ["Division", "FrozenMap", "Member", "PartnerRef", "Program", "frozen_map"]

# The checks are converters, not validators: attrs runs converters even under
# ``attrs.validators.disabled()``, and they store the exact ``str`` they checked
# instead of a subclass that might answer ``strip()`` differently next time.


def _named(check: Any, *, plain: bool = False, blank: bool = True) -> attrs.Converter[Any, Any]:
    """*check* as a converter that names the field in its error.

    With *plain*, an exact ASCII ``str`` (not blank, unless *blank*) is what *check*
    returns for it, and is returned without the call: most values are, and a member
    or a program has several.
    """

    def convert(value: Any, field: attrs.Attribute[Any]) -> Any:
        if plain and type(value) is str and value.isascii() and (blank or value.strip()):
            return value
        try:
            return check(value)
        except InvalidValue as exc:
            raise InvalidValue(exc.text, field.name) from None

    return attrs.Converter(convert, takes_field=True)  # type: ignore[call-overload,no-any-return,unused-ignore]


def _optional(check: Any) -> Any:
    return lambda value: None if value is None else check(value)


def _texts_of(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
        raise InvalidValue(
            msg("value.list_texts", "must be a list of texts, got {shown}", shown=describe(value)),
        )
    return tuple(exact_text(item) for item in value)


if TYPE_CHECKING:  # mypy's attrs plugin knows converters that are functions, so show these as such

    def text(value: object, /) -> str:
        """Attrs converter: exact text (the field is named in the error)."""

    def nonblank(value: object, /) -> str:
        """Attrs converter: exact, non-blank text."""

    def optional_text(value: object, /) -> str | None:
        """Attrs converter: exact text or ``None``."""

    def texts(value: Iterable[object], /) -> tuple[str, ...]:
        """Attrs converter: a list or tuple of exact texts, stored as a tuple."""

else:
    text = trust_converter(_named(exact_text, plain=True))
    nonblank = trust_converter(_named(exact_nonblank, plain=True, blank=False))
    optional_text = trust_converter(_named(_optional(exact_text), plain=True))
    texts = trust_converter(_named(_texts_of))


@attrs.frozen
class Member:
    """A person: a founder, a member or a candidate.

    Args:
        id: stable identifier, unique within a group.
        name: display name.
        profession: required to join a professional group (compared
            case-insensitively with the group's profession).
    """

    id: str = attrs.field(converter=nonblank, metadata=NONBLANK)
    name: str = attrs.field(converter=nonblank, metadata=NONBLANK)
    profession: str | None = attrs.field(default=None, converter=optional_text)


@attrs.frozen
class Division:
    """A division (*divisi*) of the organisational structure.

    Args:
        name: unique, non-blank within the group (checked by ``establish_structure``).
        responsibility: what it is responsible for.
        head: the member id of its head, if any; must be a member.
    """

    name: str = attrs.field(converter=text)
    responsibility: str = attrs.field(converter=text)
    head: str | None = attrs.field(default=None, converter=optional_text)


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

    id: str = attrs.field(converter=nonblank, metadata=NONBLANK)
    name: str = attrs.field(converter=nonblank, metadata=NONBLANK)
    kind: str = attrs.field(converter=text)
    division: str = attrs.field(converter=text)
    activities: tuple[str, ...] = attrs.field(converter=texts)


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

    id: str = attrs.field(converter=nonblank, metadata=NONBLANK)
    name: str = attrs.field(converter=nonblank, metadata=NONBLANK)
    type: str = attrs.field(converter=nonblank, metadata=NONBLANK)
    stage: str = attrs.field(converter=nonblank, metadata=NONBLANK)


@runtime_checkable
class PartnerLike(Protocol):
    """Anything that can describe itself as a collaboration partner (a formation group does)."""

    def as_partner_ref(self) -> PartnerRef: ...


def partner_ref_of(group: Group) -> PartnerRef:
    """*group* as a collaboration partner: its id, name, type and stage, read in one state.

    The name is the data's ``name`` if it has one, else the id.
    """
    state = group._state()  # noqa: SLF001 -- one state for the name and the stage
    name = group._name(state)  # noqa: SLF001
    return PartnerRef(id=group.id, name=name, type=group.type.name, stage=state.stage)


def _partner_ref(value: object) -> object:
    """Where a ``PartnerRef`` is expected, a group stands for the reference it gives.

    A group of any type does (a custom type's, read by the store from a partner's id).
    """
    if isinstance(value, PartnerLike):
        return value.as_partner_ref()
    return partner_ref_of(value) if isinstance(value, Group) else value


register_coercion(PartnerRef, _partner_ref)
