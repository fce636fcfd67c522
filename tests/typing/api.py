"""Type-checked usage of the public API (mypy --strict runs on this file; pytest does not).

If a change makes a user's ordinary code stop type-checking, mypy fails here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import kelompok
from kelompok import FormationGroup, GroupType, ProfessionalGroup, Reason, VolunteerGroup

pro: GroupType[ProfessionalGroup] = kelompok.PROFESSIONAL
g: ProfessionalGroup = pro.create(name="Ikatan Apoteker Muda", profession="pharmacist")
stage: str = g.stage
version: int = g.version
events: list[str] = g.available_events()
reasons: list[Reason] = g.why_not("open_recruitment")
code: str = reasons[0].code if reasons else ""
indonesian: str = reasons[0].message("id") if reasons else ""
ok: bool = g.can("identify_needs", needs=["x"])

same: ProfessionalGroup = g.identify_needs(["continuing education"], actor="ani")
same = same.form_core_group(
    [kelompok.Member("ani", "Ani", "pharmacist"), {"id": "bayu", "name": "Bayu", "profession": "x"}]
)
same = same.fire("adopt_charter", vision="v", mission="m", goals=["g"], steps=["s"])
held: dt.date = dt.datetime.now(dt.timezone.utc).date()
members: int = len(g.members)
charter: kelompok.Charter | None = g.charter

record: kelompok.HistoryRecord = g.history[-1]
at: dt.datetime = record.at
actor: str | None = record.actor

document: dict[str, Any] = g.to_dict()
again: kelompok.Group = kelompok.load(document)
any_type: GroupType[Any] = kelompok.get_group_type("volunteer")
all_types: dict[str, GroupType[Any]] = kelompok.group_types()


def on_event(group: kelompok.Group, rec: kelompok.HistoryRecord) -> None:
    """A listener."""


unsubscribe = g.subscribe(on_event)
unsubscribe()


def on_formation_event(group: FormationGroup, rec: kelompok.HistoryRecord) -> None:
    """A listener that uses the built-in types' own API."""
    _ = group.members


kelompok.PROFESSIONAL.subscribe(on_formation_event)()
g.subscribe(on_formation_event)()
typed_again: ProfessionalGroup = kelompok.PROFESSIONAL.load(document)
shared: FormationGroup = typed_again  # each type's class is a FormationGroup

# each built-in type's group class has its own events, and only those
profession: str | None = g.profession
developed: ProfessionalGroup = g.develop(["mentoring"], actor="ani").develop(
    ["peer review"],
    [{"id": "p2", "name": "Review", "kind": "workshop", "division": "D", "activities": ["a"]}],
)
vol: GroupType[VolunteerGroup] = kelompok.VOLUNTEER
v: VolunteerGroup = vol.create(name="Relawan Kali Bersih")
v = v.identify_needs(["the river is full of rubbish"], "environmental", actor="eka")
area: str | None = v.work_area
v = v.execute({"river": ["eka", "fajar"]}, actor="eka")
v_again: VolunteerGroup = kelompok.VOLUNTEER.load(v.to_dict())
known: kelompok.KnownDocuments = kelompok.known_documents
known.limit = 8 * 1024 * 1024
hits_and_misses: tuple[int, int] = (known.hits, known.misses)

try:
    g.fire("open_recruitment")
except kelompok.TransitionNotAllowed as exc:
    refused_event: str = exc.event
    refused_in: str = exc.stage
    why: list[Reason] = exc.reasons
except kelompok.KelompokError:
    pass

# the store: the same Group types back, every error a KelompokError
from kelompok.store import AsyncStore, Conflict, Store, open_async_store, open_store  # noqa: E402

store: Store = open_store("sqlite:///typing.db")
stored: ProfessionalGroup = store.create(kelompok.PROFESSIONAL, name="A", profession="nurse")
fired: kelompok.Group = store.fire(stored.id, "identify_needs", {"needs": ["x"]}, actor="ani")
records: list[kelompok.HistoryRecord] = store.history(stored.id, after=0, limit=10)
page: list[kelompok.Group] = store.find(type=kelompok.PROFESSIONAL, stage="awareness")
conflict: type[kelompok.KelompokError] = Conflict
astore: AsyncStore = open_async_store("sqlite:///typing.db")

# roles and a policy (docs/model.md §6)
governed: GroupType[ProfessionalGroup] = kelompok.GOVERNED_PROFESSIONAL
run: ProfessionalGroup = governed.create(name="Ikatan", profession="pharmacist", initiator="ani")
mine: list[str] = run.available_events(actor="ani")
denied: list[Reason] = run.why_not("identify_needs", {"needs": ["x"]}, actor="eve")
may: bool = run.can("identify_needs", needs=["x"], actor="ani")
roles_held: tuple[str, ...] = run.roles_of("ani")
my_steps: list[kelompok.NextStep] = run.next_steps(actor="ani")
my_status: dict[str, Any] = run.status("id", actor="ani")
policy: kelompok.Policy | None = governed.policy
who: tuple[str, ...] = policy.roles_for("admit", "recruiting") if policy else ()
lead = kelompok.Role("lead", {"en": "Lead", "id": "Pemimpin"}, lambda group, person: True)
stricter: GroupType[ProfessionalGroup] = governed.derive(
    "stricter",
    {"en": "Stricter", "id": "Lebih ketat"},
    roles=[lead],
    policy={
        "collaborate": ["lead"],
        "dissolve": {"awareness": ["initiator"], "core_formed": ["lead"]},
    },
)
