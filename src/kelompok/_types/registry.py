"""Which group types exist, by name: the built-ins, the registered ones, and plugins.

Plugins are installed distributions that declare an entry point in the group
``kelompok.group_types`` whose name is the type's name and whose object is the
:class:`GroupType`. They are discovered once, the first time any type is looked
up. A document never causes an import: :func:`kelompok.load` looks its type up
by name among these.
"""

from __future__ import annotations

import threading
from importlib.metadata import entry_points
from typing import Any, Final, TypeVar

from kelompok._base.errors import KelompokError, UnknownGroupType, UsageError
from kelompok._definition.parts import GroupType
from kelompok._formation.builtins import PROFESSIONAL, VOLUNTEER

T = TypeVar("T", bound=GroupType[Any])

ENTRY_POINT_GROUP: Final = "kelompok.group_types"

_lock = threading.RLock()
_types: dict[str, GroupType[Any]] = {PROFESSIONAL.name: PROFESSIONAL, VOLUNTEER.name: VOLUNTEER}
_discovered = False


def _is_group_type(value: object) -> bool:
    """``isinstance`` kept out of mypy's sight: untyped callers may pass anything."""
    return isinstance(value, GroupType)


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _add(group_type: GroupType[Any], origin: str) -> None:
    taken = _types.get(group_type.name)
    if taken is not None and taken is not group_type:
        msg = (
            f"A different group type is already registered as {group_type.name!r}; "
            f"give {origin} another name (stored documents name their type)."
        )
        raise KelompokError(msg)
    _types[group_type.name] = group_type


def _discover() -> None:
    """Register every plugin's group type, once; a broken plugin fails loudly."""
    global _discovered  # noqa: PLW0603 -- a once-per-process flag
    with _lock:
        if _discovered:
            return
        for point in entry_points(group=ENTRY_POINT_GROUP):
            where = f"entry point {point.name!r} ({point.value}) of group {ENTRY_POINT_GROUP!r}"
            try:
                found = point.load()
            except (Exception, SystemExit) as exc:  # a plugin's sys.exit() must not end the app
                msg = f"The kelompok plugin {where} failed to import: {exc!r}. Fix or uninstall it."
                raise KelompokError(msg) from exc
            if not _is_group_type(found):
                msg = f"The kelompok plugin {where} is a {type(found).__name__}, not a GroupType."
                raise KelompokError(msg)
            if found.name != point.name:
                msg = (
                    f"The kelompok plugin {where} names the type {found.name!r}; the entry "
                    "point's name must be the type's name."
                )
                raise KelompokError(msg)
            _add(found, where)
        _discovered = True  # only now: a broken plugin fails every lookup until it is fixed


def register(group_type: T) -> T:
    """Make *group_type* known by name to :func:`get_group_type` and :func:`kelompok.load`.

    Returns the type, so it can be used as ``MY_TYPE = register(GroupType(...))``.
    Registering the very same object again is a no-op.

    Raises:
        KelompokError: another type is registered under the same name.
        UsageError: *group_type* is not a :class:`GroupType` (also a ``TypeError``).
    """
    if not _is_group_type(group_type):
        msg = f"register() takes a kelompok.GroupType, got {type(group_type).__name__}"
        raise UsageError(msg)
    _discover()
    with _lock:
        _add(group_type, "yours")
    return group_type


def group_types() -> dict[str, GroupType[Any]]:
    """All known group types by name (a copy: changing it registers nothing)."""
    _discover()
    with _lock:
        return dict(_types)


def get_group_type(name: str) -> GroupType[Any]:
    """The group type called *name*.

    Raises:
        UnknownGroupType: no type of that name is built in, registered or installed.
    """
    known = _types.get(name) if _is_text(name) else None
    if known is not None:  # built-in and registered types work even beside a broken plugin
        return known
    _discover()
    try:
        return _types[name]
    except (KeyError, TypeError):
        raise UnknownGroupType(name, sorted(_types)) from None
