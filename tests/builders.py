"""Groups at any stage, built by firing valid events (shared by the test modules)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import kelompok
from kelompok import FormationGroup, GroupType

TODAY = dt.datetime.now(dt.timezone.utc).date()

PRO_FOUNDERS = [
    {"id": "ani", "name": "Ani", "profession": "pharmacist"},
    {"id": "bayu", "name": "Bayu", "profession": "Pharmacist"},
]
VOL_FOUNDERS = [{"id": "eka", "name": "Eka"}, {"id": "fajar", "name": "Fajar"}]
CHARTER = {
    "vision": "A strong community",
    "mission": "Learn and serve together",
    "goals": ["grow", "serve"],
    "steps": ["meet monthly"],
}


def new(group_type: GroupType[Any], **kwargs: Any) -> FormationGroup:
    """A fresh built-in group."""
    if group_type is kelompok.PROFESSIONAL:
        kwargs.setdefault("profession", "pharmacist")
        kwargs.setdefault("name", "Ikatan Apoteker Muda")
    else:
        kwargs.setdefault("name", "Relawan Kali Bersih")
    group: FormationGroup = group_type.create(**kwargs)
    return group


def payloads(group_type: GroupType[Any]) -> dict[str, dict[str, Any]]:
    """A valid payload for every event on the main path of *group_type*."""
    pro = "develop" in {e.name for e in group_type.events}
    third = (
        {"id": "citra", "name": "Citra", "profession": "pharmacist"}
        if pro
        else {"id": "gita", "name": "Gita"}
    )
    founders = PRO_FOUNDERS if pro else VOL_FOUNDERS
    a, b = founders[0]["id"], founders[1]["id"]
    program = {
        "id": "p1",
        "name": "First program",
        "kind": "training" if pro else "environmental",
        "division": "Education",
        "activities": ["kick-off", "follow-up"],
    }
    out: dict[str, dict[str, Any]] = {
        "identify_needs": {"needs": ["support"]}
        if pro
        else {"needs": ["dirty river"], "work_area": "environmental"},
        "form_core_group": {"founders": founders},
        "adopt_charter": CHARTER,
        "open_recruitment": {},
        "admit": {
            "member": third,
            "scores": {"competence": 4, "dedication": 3}
            if pro
            else {"commitment": 4, "motivation": 3},
        },
        "establish_structure": {
            "chair": a,
            "secretary": b,
            "treasurer": third["id"],
            "divisions": [{"name": "Education", "responsibility": "programs"}],
        },
        "plan_programs": {"programs": [program]},
        "execute": {"teams": {"p1": [a, third["id"]]}},
        "record_activity": {
            "program": "p1",
            "activity": "kick-off",
            "held_on": TODAY,
            "participants": 12,
            "outcome": "went well",
        },
        "evaluate": {"goal_results": {"grow": 70, "serve": 60}, "findings": "good start"},
        "develop": {"improvements": ["more sessions"]},
        "dissolve": {"reason": "mission accomplished"},
    }
    return out


def partner_for(group_type: GroupType[Any], group_id: str = "partner-1") -> FormationGroup:
    """A second group of the same type in stage ``structured``."""
    partner = new(group_type, id=group_id, name="Partner group")
    return advance(partner, "structured")


PATHS = {
    "professional": [
        "identify_needs",
        "form_core_group",
        "adopt_charter",
        "open_recruitment",
        "admit",
        "establish_structure",
        "plan_programs",
        "record_activity",
        "evaluate",
        "collaborate",
    ],
    "volunteer": [
        "identify_needs",
        "form_core_group",
        "adopt_charter",
        "open_recruitment",
        "admit",
        "establish_structure",
        "plan_programs",
        "execute",
        "record_activity",
        "collaborate",
    ],
}


def advance(group: FormationGroup, stage: str) -> FormationGroup:
    """Fire the main path's events until *group* is in *stage* (or raise)."""
    given = payloads(group.type)
    kind = "volunteer" if "execute" in {e.name for e in group.type.events} else "professional"
    for event in PATHS[kind]:
        if group.stage == stage:
            return group
        if event == "collaborate":
            partner = partner_for(group.type)
            group.fire("collaborate", partner=partner, purpose="joint work", shared=["ideas"])
        else:
            group.fire(event, **given[event])
    if group.stage != stage:
        msg = f"{stage!r} is not on the main path of {group.type.name!r}"
        raise ValueError(msg)
    return group


def at(group_type: GroupType[Any], stage: str, **kwargs: Any) -> FormationGroup:
    """A new group of *group_type* advanced to *stage*."""
    if stage == "dissolved":
        group = new(group_type, **kwargs)
        return group.fire("dissolve", reason="no longer needed")
    return advance(new(group_type, **kwargs), stage)


def in_threads(work: Callable[[int], None], count: int) -> list[BaseException]:
    """Run ``work(0)`` ... ``work(count - 1)``, each in a thread of its own; return what raised."""
    raised: list[BaseException] = []

    def run(i: int) -> None:
        try:
            work(i)
        except BaseException as exc:  # noqa: BLE001 -- returned to the test, which asserts on it
            raised.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return raised


def actions_type(
    name: str,
    *,
    data: type,
    founding: type,
    actions: dict[str, tuple[type, Callable[[Any, Any], Any]]],
    invariants: Any = (),
) -> GroupType[Any]:
    """A small custom type: stage 'open' with the *actions* (name -> payload, effect), and 'close'.

    The data is made from the founding arguments' ``name``.
    """
    return kelompok.GroupType(
        name=name,
        label={"en": name, "id": name},
        stages=[
            kelompok.Stage("open", {"en": "Open", "id": "Terbuka"}),
            kelompok.Stage("closed", {"en": "Closed", "id": "Tertutup"}, terminal=True),
        ],
        events=[
            *(
                kelompok.Event(
                    event,
                    {"en": event, "id": event},
                    moves={"open": None},
                    payload=payload,
                    effect=effect,
                )
                for event, (payload, effect) in actions.items()
            ),
            kelompok.Event("close", {"en": "Close", "id": "Tutup"}, moves={"open": "closed"}),
        ],
        data=data,
        founding=founding,
        initial_data=lambda f: data(name=f.name),
        group_class=kelompok.Group,
        invariants=invariants,
    )
