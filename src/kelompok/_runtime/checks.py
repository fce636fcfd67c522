"""The checks of one event, as refusals (``Reason``) and bugs of its type (``DefinitionBug``).

Its stage, the order of stages, its requirements, its effect, and the invariants
it may break.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

from kelompok._base.entries import changed_entries, entries_of
from kelompok._base.errors import DefinitionBug, UsageError
from kelompok._base.scalars import MAX_PROBLEMS, describe, describe_exception
from kelompok._base.text import Listing, Named, Reason, msg
from kelompok._data.convert import structure_or_reasons
from kelompok._data.explain import capped, exact_text_or_description
from kelompok._runtime.engine import ALL_ENTRIES, NO_ENTRIES
from kelompok._runtime.keyed import keyed_entries
from kelompok._runtime.permission import permission_reason

if TYPE_CHECKING:
    from kelompok._definition.parts import Event, Invariant, Requirement
    from kelompok._runtime.engine import Checking
    from kelompok._runtime.group import Group
    from kelompok._runtime.state import State


_LAST_VERSION = 2**63 - 1
"""The highest version a document holds (a 64-bit signed number)."""


def stage_reason(group: Group, event: Event) -> Reason:
    stage = group.type.stage(group.stage)
    if stage.terminal:
        return Reason(
            "stage.not_allowed",
            msg(
                "stage.terminal",
                "The group is {label} ({stage!r}): no event is allowed any more.",
                label=stage.label.lower(),
                stage=group.stage,
            ),
        )
    gt = group.type
    where = Listing(tuple(Named(s, gt.stage(s).label) for s in event.moves))
    now = Listing(tuple(Named(e, gt.event(e).label) for e in group.available_events()))
    return Reason(
        "stage.not_allowed",
        msg(
            "stage.not_allowed",
            "{event} is not allowed in stage {stage}; it is allowed in: {where}. "
            "Allowed now: {now}.",
            event=Named(event.name, event.label),
            stage=Named(stage.name, stage.label),
            where=where,
            now=now,
        ),
    )


def order_reason(group: Group, event: Event, rank: int) -> Reason:
    """``stage.order``: *event* enters a stage of *rank* in the order, past the next one."""
    gt = group.type
    dest = str(event.moves[group.stage])
    order = gt._engine.order  # noqa: SLF001 -- the rank of every stage that is not terminal
    skipped = [
        Named(s.name, s.label)
        for s in gt.stages
        if not s.terminal and not group.reached(s.name) and order[s.name] < rank
    ]
    return Reason(
        "stage.order",
        msg(
            "stage.order",
            "{event} would enter {dest} before {skipped}, which come first in this group "
            "type's order.",
            event=Named(event.name, event.label),
            dest=Named(dest, gt.stage(dest).label),
            skipped=Listing(tuple(skipped)),
        ),
    )


def after_reason(group: Group, spec: Event, before: str) -> Reason:
    first = Named(before, group.type.event(before).label)
    return Reason(
        "event.after",
        msg(
            "event.after",
            "{event} can only follow {before}: apply {before} first.",
            event=Named(spec.name, spec.label),
            before=first,
        ),
        fixed_by=(before,),
    )


def no_payload_reasons(payload: Mapping[str, Any]) -> list[Reason]:
    return capped(
        [
            Reason(
                "payload.unknown_field",
                msg(
                    "payload.no_payload",
                    "{field}: unknown field; this event takes no payload",
                    field=key,
                ),
                key,
            )
            for key in map(exact_text_or_description, itertools.islice(payload, MAX_PROBLEMS + 1))
        ],
        "payload",
        max(0, len(payload) - MAX_PROBLEMS - 1),
    )


def _raised(exc: Exception) -> str:
    text = describe_exception(exc)
    return f"raised {type(exc).__name__}: {text}" if text else f"raised {type(exc).__name__}"


def met(req: Requirement, group: Group, obj: Any, spec: Event) -> bool:
    """Whether *req* is met; a check that raises or answers a non-bool is a bug of the type."""
    try:
        answer: object = req.check(group, obj)
    except Exception as exc:
        what = _raised(exc)
        raise DefinitionBug(spec.name, f"requirement {req.code!r}", what) from exc
    if answer is True or answer is False:
        return answer
    what = f"returned {describe(answer)}, not True or False"
    raise DefinitionBug(spec.name, f"requirement {req.code!r}", what)


def checked_effect(group: Group, spec: Event, effect: Callable[[Any, Any], Any], obj: Any) -> Any:
    """The data *spec*'s *effect* makes, checked to be the type's data."""
    try:
        data = effect(group, obj)
    except Exception as exc:
        what = _raised(exc)
        raise DefinitionBug(spec.name, f"the effect of {spec.name!r}", what) from exc
    data_class = group.type.data
    if type(data) is not data_class:
        what = f"returned {describe(data)}, not a {data_class.__name__}"
        raise DefinitionBug(spec.name, f"the effect of {spec.name!r}", what)
    return data


def check_invariants(
    group: Group,
    spec: Event,
    checking: Iterable[Checking],
    old_data: Any,
    changed: dict[str, list[tuple[Any, Any]]],
) -> None:
    """Raise :class:`DefinitionBug` if *group* breaks one of the invariants in *checking*.

    *old_data* is the data before the event: an invariant's entry check reads
    only the entries of its collection that changed since, kept by field in
    *changed* (worked out once per event: the ones missing are added to it).
    """
    broken = []
    data = group.data
    for invariant, whole, which, moved in checking:
        entries: Iterable[tuple[Any, Any]] = ()  # none, unless its entry check is due
        if which != NO_ENTRIES:
            name = cast("str", invariant.each)  # an entry check has one
            some: list[tuple[Any, Any]] | None = None  # the entries to check (None: every one)
            if which != ALL_ENTRIES:
                some = changed.get(name)
                if some is None:
                    found = changed_entries(getattr(old_data, name), getattr(data, name))
                    some = changed[name] = list(found)
                if invariant.entry_keys:
                    some = _keyed(invariant, name, spec, moved, old_data, data, some)
            entries = entries_of(getattr(data, name)) if some is None else some
        if not _holds(invariant, group, spec.name, whole=whole, entries=entries):
            broken.append(invariant.reason())
    if broken:
        codes = ", ".join(repr(r.code) for r in broken)
        noun, verb = ("invariant", "does") if len(broken) == 1 else ("invariants", "do")
        what = f"{verb} not hold after the effect of {spec.name!r}"
        raise DefinitionBug(spec.name, f"{noun} {codes}", what, broken)


def _keyed(  # noqa: PLR0913, PLR0917 -- the invariant and its field, the event, the data twice
    invariant: Invariant,
    name: str,
    spec: Event,
    moved: tuple[int, ...],
    old_data: Any,
    data: Any,
    changed: list[tuple[Any, Any]],
) -> list[tuple[Any, Any]] | None:
    """The entries of an invariant with entry keys to check (``None``: every entry)."""
    try:
        return keyed_entries(
            invariant.code,
            name,
            invariant.entry_keys,
            moved,
            old_data,
            data,
            changed,
        )
    except Exception as exc:  # a type's own entry key raised, or gave no hashable key
        what = f"has an entry key that raised {type(exc).__name__}: {describe_exception(exc)}"
        raise DefinitionBug(spec.name, f"invariant {invariant.code!r}", what) from exc


def broken_invariants(group: Group, invariants: Iterable[Invariant], when: str) -> list[Reason]:
    """The reasons of the *invariants* that *group* breaks, every entry of each checked.

    *when* names the moment in errors: an event's name, ``"load"`` or ``"create"``.

    Raises:
        DefinitionBug: an invariant raised, or answered something other than True or False.
    """
    data = group.data
    return [
        invariant.reason()
        for invariant in invariants
        if not _holds(
            invariant,
            group,
            when,
            whole=True,
            entries=entries_of(getattr(data, invariant.each)) if invariant.each else (),
        )
    ]


def _holds(
    invariant: Invariant,
    group: Group,
    when: str,
    *,
    whole: bool,
    entries: Iterable[tuple[Any, Any]],
) -> bool:
    """Whether *invariant*'s whole check (if *whole*) and entry check on *entries* hold."""
    check, entry = invariant.check, invariant.entry
    try:
        held: object = check(group) if whole and check is not None else True
        if held is True and entry is not None:
            for key, value in entries:
                held = entry(group, key, value)
                if held is not True:
                    break
    except Exception as exc:
        raise _raised_bug(invariant, when, exc) from exc
    if held is True or held is False:
        return held
    raise _answered_bug(invariant, when, held)


def _raised_bug(invariant: Invariant, when: str, exc: Exception) -> DefinitionBug:
    text = describe_exception(exc)
    what = f"raised {type(exc).__name__}" + (f": {text}" if text else "")
    return DefinitionBug(when, f"invariant {invariant.code!r}", what)


def _answered_bug(invariant: Invariant, when: str, held: object) -> DefinitionBug:
    what = f"answered {describe(held)}, not True or False"
    return DefinitionBug(when, f"invariant {invariant.code!r}", what)


def event_reasons(
    group: Group, spec: Event, payload: Mapping[str, Any], state: State, actor: str | None
) -> tuple[Any, list[Reason]]:
    """The structured payload of *spec* and every reason it is refused in *state* (none: apply).

    Under a policy, ``permission.denied`` comes first when *actor* may not fire it;
    the other reasons are listed beside it, as they would be for anyone.
    """
    reasons: list[Reason] = []
    denied: list[Reason] = []
    if state.version >= _LAST_VERSION:  # its document could not say the next version
        reasons.append(
            Reason(
                "group.version_limit",
                msg("group.version_limit", "The group has had as many events as it can hold."),
            )
        )
    if state.stage not in spec.moves:
        reasons.append(stage_reason(group, spec))
    else:
        if group.type._engine.permits is not None:  # noqa: SLF001 -- under a policy
            refused = permission_reason(group, spec, state.stage, actor)
            if refused is not None:
                denied.append(refused)
        order = group.type.order(spec.moves[state.stage] or state.stage)
        if order is not None and order > state.peak + 1:
            reasons.append(order_reason(group, spec, order))
    if spec.payload is None:
        obj = None
        reasons += no_payload_reasons(payload)
    else:
        obj, problems = structure_or_reasons(payload, spec.payload, code="payload")
        reasons += problems
    if reasons:  # the stage or the payload's shape: no requirement can be checked
        return obj, denied + reasons
    unmet = [req.reason() for req in spec.requires if not met(req, group, obj, spec)]
    if not unmet and spec.after:  # the type's own requirements usually say it first
        unmet = [after_reason(group, spec, e) for e in spec.after if not state.counts.get(e)]
    return obj, denied + unmet


def payload_of(payload: object, fields: dict[str, Any]) -> Mapping[str, Any]:
    """The payload of ``fire(event, payload, **fields)``: the mapping and the keywords together.

    *payload* is typed ``object``: untyped callers may pass anything.
    """
    if payload is None:
        return fields
    if not isinstance(payload, Mapping):
        msg = f"the payload must be a mapping of its fields, got {describe(payload)}"
        raise UsageError(msg)
    try:
        given = dict(payload)  # one read of a mapping that might answer differently twice
        texts = {key for key in given if type(key) is str}  # keys that compare honestly
        twice = [exact_text_or_description(key) for key in fields if key in texts]
        if not twice:
            given.update(fields)  # may compare a lying key of the mapping with a keyword
    except Exception as exc:  # noqa: BLE001 -- a user's mapping and its keys may raise anything
        msg = f"the payload mapping could not be read: {describe_exception(exc)}"
        raise UsageError(msg) from None
    if twice:
        msg = f"payload field(s) given twice, in the mapping and as keywords: {', '.join(twice)}"
        raise UsageError(msg)
    return given
