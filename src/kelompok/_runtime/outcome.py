"""What one event makes: its checks, its effect, its history record and the group's next state.

Nothing here changes a group: :meth:`kelompok.Group.fire` commits the state
made here (or undoes it, if an invariant or a listener refuses it) by single
assignments, so a failure anywhere leaves the group exactly as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from kelompok._base.errors import DefinitionBug, TransitionNotAllowed
from kelompok._data.convert import converter
from kelompok._data.exact import converts_freely
from kelompok._data.json import NotJSON, copy_json
from kelompok._runtime.checks import checked_effect, event_reasons
from kelompok._runtime.history import HistoryRecord
from kelompok._runtime.state import State

if TYPE_CHECKING:
    from kelompok._definition.parts import Event
    from kelompok._runtime.engine import Checking
    from kelompok._runtime.group import Group


class Outcome(NamedTuple):
    """What one event makes, before it is committed."""

    record: HistoryRecord
    state: State
    watch: tuple[Checking, ...]  # the invariants to check
    entries: dict[str, list[tuple[Any, Any]]]  # the entries of each collection it changed


def outcome(  # noqa: PLR0913, PLR0917 -- the event, how it was fired, the state it meets
    group: Group,
    spec: Event,
    actor: str | None,
    payload: Mapping[str, Any],
    at: dt.datetime | None,
    base: State,
) -> Outcome:
    """The record and the state *spec* makes from *base*, and the invariants to check then.

    Raises:
        TransitionNotAllowed: the event is refused in *base*.
        DefinitionBug: the type's requirement or effect misbehaved.
    """
    obj, reasons = event_reasons(group, spec, payload, base, actor)
    if reasons:
        raise TransitionNotAllowed(spec.name, base.stage, reasons)
    engine = group.type._engine  # noqa: SLF001
    effect = spec.effect
    data = base.data if effect is None else checked_effect(group, spec, effect, obj)
    changed = engine.changes(base.data, data)
    entries: dict[str, list[tuple[Any, Any]]] = {}  # the entries changed, by field
    misfits = engine.inexact(base.data, data, changed, entries)
    if misfits:
        what = (
            f"stored values that do not fit their fields: {', '.join(misfits)} "
            "(None in a text, a list where a tuple belongs, a number out of range, at any "
            "depth?)"
        )
        raise DefinitionBug(spec.name, f"the effect of {spec.name!r}", what)
    dest = engine.move(base.stage, spec.name)
    moment = at or dt.datetime.now(dt.timezone.utc)
    record = HistoryRecord(
        spec.name,
        base.stage,
        dest,
        moment,
        {} if obj is None else _recorded(spec, obj),
        actor,
        moment.isoformat(),
        spec.label,
    )
    rank = engine.order.get(dest)
    peak = base.peak if rank is None else max(rank, base.peak)  # a terminal stage has no rank
    counts = base.counts.set(spec.name, base.counts.get(spec.name, 0) + 1)
    marks = base.marks.set(spec.name, counts)
    new = State(
        dest, base.version + 1, data, peak, base.history, base.length + 1, counts, marks, base.start
    )
    watch = engine.invariants_to_check(changed, dest != base.stage, spec.name)
    return Outcome(record, new, watch, entries)


def _recorded(spec: Event, obj: Any) -> dict[str, Any]:
    """The payload *obj* as its record holds it: strict JSON, or the type's own bug."""
    payload: dict[str, Any] = converter.unstructure(obj)
    if converts_freely(type(obj)):  # a converter of the type's own ran after the checks
        try:
            copy_json(payload, check=True)
        except NotJSON as exc:
            what = f"made a payload that is not strict JSON ({exc}); a converter, default or "
            what += "post-init of its own?"
            raise DefinitionBug(spec.name, f"the payload class of {spec.name!r}", what) from None
    return payload
