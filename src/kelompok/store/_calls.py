"""What the synchronous and the asynchronous store share around a transaction.

Checking a call's arguments, the retry schedule of a lost race, and running the
listeners after the commit.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from typing import Any, Final

from kelompok._base.errors import UsageError
from kelompok._runtime.group import Group
from kelompok._runtime.history import HistoryRecord
from kelompok._types.group_type import GroupType
from kelompok._types.registry import get_group_type
from kelompok.store import _rows as rows
from kelompok.store._ops import Request

log: Final = logging.getLogger("kelompok.store")

DAY: Final = 24 * 3600.0
"""The default time an idempotency key is kept: a day, in seconds."""
ATTEMPTS: Final = 30
"""How many times a ``fire`` without ``expected_version`` is tried before ``StoreBusy``."""
_FIRST_DELAY: Final = 0.002
_MAX_DELAY: Final = 0.2

StoreListener = Callable[[Group, HistoryRecord], object]
"""Called as ``listener(group, record)`` after an event's transaction committed."""


def request(  # noqa: PLR0913 -- the arguments of fire, checked in one place
    group_id: object,
    event: object,
    payload: object,
    fields: Mapping[str, Any],
    *,
    actor: object,
    expected_version: object,
    key: object,
) -> Request:
    """The request of one ``fire`` call, or ``UsageError`` saying which argument is wrong."""
    given = _payload(payload, fields)
    version = expected_version
    if version is not None and (type(version) is not int or version < 0):
        msg = f"expected_version must be a whole number >= 0 or None, got {version!r:.60}"
        raise UsageError(msg)
    name = text(event, "event")
    idem = _optional_text(key, "idempotency_key")
    return Request(
        group_id=text(group_id, "group_id"),
        event=name,
        payload=given,
        actor=_optional_text(actor, "actor"),
        expected_version=version,
        key=idem,
        fingerprint=None if idem is None else rows.fingerprint(name, given),
    )


def _payload(payload: object, fields: Mapping[str, Any]) -> dict[str, Any]:
    if payload is None:
        return dict(fields)
    if not isinstance(payload, Mapping):
        msg = f"payload must be a mapping, got {type(payload).__name__}"
        raise UsageError(msg)
    given = dict(payload)
    for name in fields:
        if name in given:
            msg = f"payload field {name!r} is given twice: in the mapping and as a keyword"
            raise UsageError(msg)
    given.update(fields)
    return given


def _optional_text(value: object, name: str) -> str | None:
    if value is not None and (type(value) is not str or not value.strip()):
        msg = f"{name} must be non-blank text (str) or None, got {value!r:.60}"
        raise UsageError(msg)
    return value


def delay(attempt: int) -> float:
    """Seconds to wait after failed attempt *attempt* (1, 2, ...): exponential, capped, jittered."""
    return random.uniform(0, min(_MAX_DELAY, _FIRST_DELAY * 2 ** min(attempt, 16)))  # noqa: S311


def checked_limit(limit: object, name: str = "limit") -> int:
    if type(limit) is not int or limit < 1:
        msg = f"{name} must be a whole number >= 1, got {limit!r:.60}"
        raise UsageError(msg)
    return limit


def checked_after(after: object) -> int:
    if after is None:
        return 0
    if type(after) is not int or after < 0:
        msg = f"after must be a version (a whole number >= 0) or None, got {after!r:.60}"
        raise UsageError(msg)
    return after


def notify(listeners: tuple[StoreListener, ...], group: Group, record: HistoryRecord) -> list[Any]:
    """Call each listener after a commit; one that raises is logged and the others still run.

    Returns what the listeners returned, for the asynchronous store to await.
    """
    return [_call(listener, group, record) for listener in listeners]


def _call(listener: StoreListener, group: Group, record: HistoryRecord) -> Any:
    try:
        return listener(group, record)
    except Exception:
        log.exception("a store listener raised after %r committed on %s", record.event, group.id)
        return None


class Listeners:
    """The listeners of one store, added and removed without a lock (a tuple swapped whole)."""

    def __init__(self) -> None:
        self.items: tuple[StoreListener, ...] = ()

    def add(self, listener: object) -> Callable[[], None]:
        if not callable(listener):
            msg = f"a listener must be callable, got {type(listener).__name__}"
            raise UsageError(msg)
        self.items = (*self.items, listener)

        def unsubscribe() -> None:
            self.items = tuple(x for x in self.items if x is not listener)

        return unsubscribe


def registered(group_type: object) -> None:
    """Refuse a type that ``load`` could not find by name: its stored groups could not be read."""
    if not isinstance(group_type, GroupType):
        msg = f"group_type must be a GroupType, got {type(group_type).__name__}"
        raise UsageError(msg)
    try:
        known = get_group_type(group_type.name)
    except LookupError:
        known = None
    if known is not group_type:
        msg = (
            f"register the group type {group_type.name!r} (kelompok.register) before storing "
            f"groups of it: reading them back looks it up by name"
        )
        raise UsageError(msg)


def whole(group: object) -> None:
    """Refuse what ``add`` cannot store: not a group, a type not registered, a partial history."""
    if not isinstance(group, Group):
        msg = f"add takes a kelompok Group, got {type(group).__name__}"
        raise UsageError(msg)
    registered(group.type)
    if group.history_start:
        msg = (
            f"group {group.id!r} holds its records from {group.history_start + 1} on only "
            f"(it was loaded from a head): add needs the whole history, as a whole document has it"
        )
        raise UsageError(msg)


def text(value: object, name: str) -> str:
    if type(value) is not str:
        msg = f"{name} must be text (str), got {type(value).__name__}"
        raise UsageError(msg)
    return value


def seconds(value: object) -> float:
    if type(value) not in (int, float) or not 0 < value < float("inf"):  # type: ignore[operator]
        msg = f"a duration must be a number of seconds > 0, got {value!r:.60}"
        raise UsageError(msg)
    return float(value)  # type: ignore[arg-type]


def find_args(
    group_type: GroupType[Any] | str | None, stage: object, after: object, limit: object
) -> tuple[str | None, str | None, str | None, int]:
    """The arguments of ``find``, checked: the type's name, the stage, the id to start after."""
    name = group_type.name if isinstance(group_type, GroupType) else group_type
    checked = [
        None if v is None else text(v, k)
        for k, v in (("type", name), ("stage", stage), ("after", after))
    ]
    return checked[0], checked[1], checked[2], checked_limit(limit)
