"""Which group types exist, by name: the built-ins and the registered ones."""

from __future__ import annotations

import threading
from typing import Any, TypeVar

from kelompok._builtins import PROFESSIONAL, VOLUNTEER
from kelompok._definition import GroupType
from kelompok._errors import KelompokError, UnknownGroupType

T = TypeVar("T", bound=GroupType[Any])

_lock = threading.Lock()
_types: dict[str, GroupType[Any]] = {PROFESSIONAL.name: PROFESSIONAL, VOLUNTEER.name: VOLUNTEER}


def _is_group_type(value: object) -> bool:
    """``isinstance`` kept out of mypy's sight: untyped callers may pass anything."""
    return isinstance(value, GroupType)


def register(group_type: T) -> T:
    """Make *group_type* known by name to :func:`get_group_type` and :func:`kelompok.load`.

    Returns the type, so it can be used as ``MY_TYPE = register(GroupType(...))``.
    Registering the very same object again is a no-op.

    Raises:
        KelompokError: another type is registered under the same name.
    """
    if not _is_group_type(group_type):
        msg = f"register() takes a kelompok.GroupType, got {type(group_type).__name__}"
        raise TypeError(msg)
    with _lock:
        taken = _types.get(group_type.name)
        if taken is not None and taken is not group_type:
            msg = (
                f"A different group type is already registered as {group_type.name!r}; "
                "give yours another name (stored documents name their type)."
            )
            raise KelompokError(msg)
        _types[group_type.name] = group_type
    return group_type


def group_types() -> dict[str, GroupType[Any]]:
    """All known group types by name (a copy: changing it registers nothing)."""
    with _lock:
        return dict(_types)


def get_group_type(name: str) -> GroupType[Any]:
    """The group type called *name*.

    Raises:
        UnknownGroupType: no type of that name is built in or registered.
    """
    try:
        return _types[name]
    except (KeyError, TypeError):
        raise UnknownGroupType(str(name), sorted(_types)) from None
