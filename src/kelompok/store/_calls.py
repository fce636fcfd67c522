"""What the synchronous and the asynchronous store share around a transaction.

Checking a call's arguments, the retry schedule of a lost race, and running the
listeners after the commit.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import Any, Final

from kelompok._base.errors import InvalidValue, UsageError
from kelompok._base.scalars import describe, exact_text
from kelompok._runtime.checks import payload_of
from kelompok._runtime.group import Group
from kelompok._runtime.history import HistoryRecord
from kelompok._types.group_type import GroupType
from kelompok._types.registry import get_group_type
from kelompok.store import _rows as rows
from kelompok.store._errors import NotFound
from kelompok.store._heads import DEFAULT_SIZE, Heads
from kelompok.store._ops import Request, Settings

log: Final = logging.getLogger("kelompok.store")

BIGINT: Final = 2**63
"""Whole numbers a database column holds are below this."""
KEY_LENGTH: Final = 255
"""The longest idempotency key, in characters (as Stripe's)."""
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
    fields: dict[str, Any],
    *,
    actor: object,
    expected_version: object,
    key: object,
) -> Request:
    """The request of one ``fire`` call, or ``UsageError`` saying which argument is wrong."""
    given = dict(payload_of(payload, fields))
    version = expected_version
    if version is not None and (type(version) is not int or not 0 <= version < BIGINT):
        msg = f"expected_version must be a whole number >= 0 or None, got {version!r:.60}"
        raise UsageError(msg)
    return Request(
        group_id=stored_id(group_id),
        event=text(event, "event"),
        payload=given,
        actor=None if actor is None else text(actor, "actor", blank=False),
        expected_version=version,
        key=None if key is None else text(key, "idempotency_key", blank=False, most=KEY_LENGTH),
    )


def delay(attempt: int) -> float:
    """Seconds to wait after failed attempt *attempt* (1, 2, ...): exponential, capped, jittered."""
    return random.uniform(0, min(_MAX_DELAY, _FIRST_DELAY * 2 ** min(attempt, 16)))  # noqa: S311


def checked_limit(limit: object, name: str = "limit") -> int:
    if type(limit) is not int or not 1 <= limit < BIGINT:
        msg = f"{name} must be a whole number from 1 to 2**63 - 1, got {limit!r:.60}"
        raise UsageError(msg)
    return limit


def checked_after(after: object) -> int:
    if after is None:
        return 0
    if type(after) is not int or not 0 <= after < BIGINT:
        msg = f"after must be a version (a whole number >= 0) or None, got {after!r:.60}"
        raise UsageError(msg)
    return after


def checked_ids(ids: tuple[object, ...]) -> list[int]:
    """Outbox entry ids: whole numbers, as ``pending`` gives them."""
    for given in ids:
        if type(given) is not int or not 1 <= given < BIGINT:
            msg = f"an outbox entry id is a whole number >= 1 (entry.id), got {given!r:.60}"
            raise UsageError(msg)
    return list(ids)  # type: ignore[arg-type]


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


def stored_id(value: object) -> str:
    """*value* as the id of a stored group; ``NotFound`` at once if no group could have it."""
    if type(value) is not str:
        msg = f"a group id is text (str), got {type(value).__name__}"
        raise UsageError(msg)
    if not rows.could_be_id(value):
        raise NotFound(value)
    return value


def text(value: object, name: str, *, blank: bool = True, most: int = 10_000) -> str:
    """*value* if it is text a database column takes as it is: valid Unicode, no NUL, short."""
    try:
        found = exact_text(value)
    except InvalidValue as exc:
        msg = f"{name}: {exc}"
        raise UsageError(msg) from None
    if "\x00" in found or len(found) > most or (not blank and not found.strip()):
        msg = (
            f"{name} must be {'' if blank else 'non-blank '}text of at most {most:,} "
            f"characters, without NUL, got {describe(found)}"
        )
        raise UsageError(msg)
    return found


HEAD_CACHE: Final = DEFAULT_SIZE
"""How many groups' heads a store remembers by default (``head_cache``)."""


def settings(idempotency_ttl: object, outbox: object, head_cache: object) -> Settings:
    """A store's settings from the arguments of ``open_store``, checked."""
    if type(head_cache) is not int or not 0 <= head_cache < BIGINT:
        msg = f"head_cache must be a whole number of groups >= 0, got {head_cache!r:.60}"
        raise UsageError(msg)
    if type(outbox) is not bool:
        msg = f"outbox must be True or False, got {outbox!r:.60}"
        raise UsageError(msg)
    return Settings(seconds(idempotency_ttl), outbox, Heads(head_cache))


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
