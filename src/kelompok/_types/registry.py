"""Which group types exist, by name: the built-ins, the registered ones, and plugins.

Plugins are installed distributions that declare an entry point in the group
``kelompok.group_types`` whose name is the type's name and whose object is the
:class:`GroupType`. They are discovered once, the first time a name is not
found or every type is asked for. A document never causes an import:
:func:`kelompok.load` looks its type up by name among these.
"""

from __future__ import annotations

from typing import Any, TypeVar

from kelompok._types.group_type import REGISTRY, GroupType

T = TypeVar("T", bound=GroupType[Any])


def register(group_type: T) -> T:
    """Make *group_type* known by name to :func:`get_group_type` and :func:`kelompok.load`.

    Returns the type, so it can be used as ``MY_TYPE = register(GroupType(...))``.
    Registering the very same object again is a no-op.

    Raises:
        KelompokError: another type is registered under the same name.
        UsageError: *group_type* is not a :class:`GroupType` (also a ``TypeError``).
    """
    REGISTRY.add(group_type)
    return group_type


def group_types() -> dict[str, GroupType[Any]]:
    """All known group types by name (a copy: changing it registers nothing)."""
    return REGISTRY.all()


def get_group_type(name: str) -> GroupType[Any]:
    """The group type called *name*.

    Raises:
        UnknownGroupType: no type of that name is built in, registered or installed.
    """
    return REGISTRY.get(name)
