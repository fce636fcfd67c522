"""The checks of one event, as refusals (``Reason``) and bugs of its type (``DefinitionBug``).

Its stage, the order of stages, its requirements, its effect, and the invariants
it may break.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

from kelompok._base.errors import DefinitionBug
from kelompok._base.scalars import MAX_PROBLEMS, describe, describe_exception
from kelompok._base.text import Reason
from kelompok._data.convert import capped, exact_text_or_description

if TYPE_CHECKING:
    from kelompok._definition.parts import Event, Invariant, Requirement
    from kelompok._runtime.group import Group


def stage_reason(group: Group, event: Event) -> Reason:
    stage = group.type.stage(group.stage)
    if stage.terminal:
        return Reason(
            "stage.not_allowed",
            f"The group is {stage.en.lower()} ({group.stage!r}): no event is allowed any more.",
            f"Kelompok sudah {stage.id.lower()} ({group.stage!r}): tidak ada tindakan yang "
            "diperbolehkan lagi.",
        )
    where = ", ".join(event.moves)
    now = ", ".join(group.available_events()) or "-"
    return Reason(
        "stage.not_allowed",
        f"{event.name!r} is not allowed in stage {group.stage!r} ({stage.en}); it is allowed in: "
        f"{where}. Allowed now: {now}.",
        f"{event.name!r} tidak diperbolehkan pada tahap {group.stage!r} ({stage.id}); hanya pada: "
        f"{where}. Yang diperbolehkan sekarang: {now}.",
    )


def order_reason(group: Group, event: Event) -> Reason:
    dest = str(event.moves[group.stage])
    skipped = [
        s.name
        for s in group.type.stages
        if not s.terminal
        and not group.reached(s.name)
        and (group.type.order(s.name) or 0) < (group.type.order(dest) or 0)
    ]
    return Reason(
        "stage.order",
        f"{event.name!r} would enter {dest!r} before {', '.join(skipped)}, which come first "
        "in this group type's order.",
        f"{event.name!r} akan memasuki {dest!r} sebelum {', '.join(skipped)}, yang harus "
        "dilalui lebih dahulu.",
    )


def after_reason(spec: Event, before: str) -> Reason:
    return Reason(
        "event.after",
        f"{spec.name!r} can only follow {before!r}: apply {before!r} first.",
        f"{spec.name!r} hanya dapat dilakukan setelah {before!r}: lakukan {before!r} dahulu.",
    )


def no_payload_reasons(payload: Mapping[str, Any]) -> list[Reason]:
    return capped(
        [
            Reason(
                "payload.unknown_field",
                f"{key}: unknown field; this event takes no payload",
                f"{key}: isian tidak dikenal; kejadian ini tidak memerlukan isian",
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


def checked_effect(group: Group, spec: Event, obj: Any) -> Any:
    """The data *spec*'s effect makes, checked to be the type's data."""
    effect = cast("Callable[[Any, Any], Any]", spec.effect)
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


def check_invariants(group: Group, spec: Event, invariants: Iterable[Invariant]) -> None:
    """Raise :class:`DefinitionBug` if *group* breaks one of *invariants*."""
    broken = broken_invariants(group, invariants, spec.name)
    if broken:
        codes = ", ".join(repr(r.code) for r in broken)
        noun = "invariant" if len(broken) == 1 else "invariants"
        what = f"does not hold after the effect of {spec.name!r}"
        raise DefinitionBug(spec.name, f"{noun} {codes}", what, broken)


def broken_invariants(group: Group, invariants: Iterable[Invariant], when: str) -> list[Reason]:
    """The reasons of the *invariants* that *group* breaks.

    *when* names the moment in errors: an event's name, ``"load"`` or ``"create"``.

    Raises:
        DefinitionBug: an invariant raised, or answered something other than True or False.
    """
    broken = []
    for invariant in invariants:
        try:
            held: object = invariant.check(group)
        except Exception as exc:
            text = describe_exception(exc)
            what = f"raised {type(exc).__name__}" + (f": {text}" if text else "")
            raise DefinitionBug(when, f"invariant {invariant.code!r}", what) from exc
        if held is False:
            broken.append(Reason(invariant.code, invariant.en, invariant.id))
        elif held is not True:
            what = f"answered {describe(held)}, not True or False"
            raise DefinitionBug(when, f"invariant {invariant.code!r}", what)
    return broken
