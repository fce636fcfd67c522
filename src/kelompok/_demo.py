"""The demo behind ``python -m kelompok``: both seed lifecycles, end to end."""

from __future__ import annotations

import datetime as dt
import json

from kelompok._base.errors import TransitionNotAllowed
from kelompok._formation.groups import FormationGroup
from kelompok._formation.professional import PROFESSIONAL
from kelompok._formation.volunteer import VOLUNTEER
from kelompok._types.group_type import load


def _path(group: FormationGroup) -> str:
    stages = [group.history[0].source] if group.history else [group.stage]
    stages += [r.dest for r in group.history if r.dest != r.source]
    return " -> ".join(stages)


def _structured_partner(kind: str) -> FormationGroup:
    """A second group of the same type, far enough along to be a partner."""
    g: FormationGroup  # each branch narrows it to its type's own group class
    if kind == "professional":
        g = PROFESSIONAL.create(name="Persatuan Apoteker Kota", profession="pharmacist")
        g.identify_needs(["shared standards"])
        founders = [
            {"id": "p1", "name": "Rina", "profession": "pharmacist"},
            {"id": "p2", "name": "Agus", "profession": "pharmacist"},
        ]
        new = {"id": "p3", "name": "Dewi", "profession": "pharmacist"}
        scores = {"competence": 4, "dedication": 4}
    else:
        g = VOLUNTEER.create(name="Relawan Pantai Lestari")
        g.identify_needs(["plastic on the beach"], work_area="environmental")
        founders = [{"id": "v1", "name": "Sari"}, {"id": "v2", "name": "Budi"}]
        new = {"id": "v3", "name": "Tono"}
        scores = {"commitment": 5, "motivation": 4}
    g.form_core_group(founders)
    g.adopt_charter("Clean and fair", "Act together", ["grow"], ["meet monthly"])
    g.open_recruitment().admit(new, scores)
    first, second = founders[0]["id"], founders[1]["id"]
    g.establish_structure(first, second, new["id"], [{"name": "Core", "responsibility": "all"}])
    return g


def professional(today: dt.date) -> FormationGroup:
    """Walk a professional group through every stage; return it dissolved."""
    g = PROFESSIONAL.create(name="Ikatan Apoteker Muda", profession="pharmacist")
    g.identify_needs(["continuing education", "peer support at work"], actor="ani")
    g.form_core_group(
        [
            {"id": "ani", "name": "Ani", "profession": "Pharmacist"},
            {"id": "bayu", "name": "Bayu", "profession": "pharmacist"},
        ],
        actor="ani",
    )
    g.adopt_charter(
        vision="Competent young pharmacists",
        mission="Learn together, serve patients better",
        goals=["raise competence", "widen the network"],
        steps=["monthly study circle", "yearly seminar"],
        actor="ani",
    )
    g.open_recruitment(actor="ani")
    _refusal(g)
    g.admit(
        {"id": "citra", "name": "Citra", "profession": "pharmacist"},
        {"competence": 4, "dedication": 5},
    )
    g.reject(
        {"id": "dodi", "name": "Dodi", "profession": "pharmacist"}, "dedication below the pass mark"
    )
    g.establish_structure(
        chair="ani",
        secretary="bayu",
        treasurer="citra",
        divisions=[
            {"name": "Education", "responsibility": "trainings and seminars", "head": "bayu"}
        ],
    )
    g.plan_programs(
        [
            {
                "id": "p-train",
                "name": "Clinical pharmacy training",
                "kind": "training",
                "division": "Education",
                "activities": ["dosage workshop", "case review"],
            }
        ]
    )
    g.record_activity("p-train", "dosage workshop", today, 24, "24 members certified")
    g.evaluate({"raise competence": 80, "widen the network": 55}, "Good turnout; few new contacts")
    g.develop(["invite hospital pharmacists"])
    g.evaluate({"raise competence": 85, "widen the network": 70}, "Network grew after the change")
    g.collaborate(_structured_partner("professional"), "Joint seminar", ["knowledge", "resources"])
    g.dissolve("Merged into the national association")
    return g


def volunteer(today: dt.date) -> FormationGroup:
    """Walk a volunteer group through every stage; return it collaborating."""
    v = VOLUNTEER.create(name="Relawan Kali Bersih")
    v.identify_needs(["the river is full of rubbish"], work_area="environmental")
    v.form_core_group([{"id": "eka", "name": "Eka"}, {"id": "fajar", "name": "Fajar"}])
    v.adopt_charter("A clean river", "Clean it every week", ["clean river"], ["weekly clean-up"])
    v.open_recruitment()
    v.admit({"id": "gita", "name": "Gita"}, {"commitment": 5, "motivation": 4})
    v.establish_structure(
        "eka", "fajar", "gita", [{"name": "Field", "responsibility": "clean-ups"}]
    )
    v.plan_programs(
        [
            {
                "id": "river",
                "name": "Sunday river clean-up",
                "kind": "environmental",
                "division": "Field",
                "activities": ["clean-up"],
            }
        ]
    )
    v.execute({"river": ["gita", "fajar"]})
    v.record_activity("river", "clean-up", today, 31, "120 kg of rubbish removed")
    v.evaluate({"clean river": 60}, "Upstream needs a second team")
    v.collaborate(_structured_partner("volunteer"), "Shared equipment", ["resources", "ideas"])
    return v


def _refusal(g: FormationGroup) -> None:
    try:
        g.establish_structure("ani", "ani", "zed", [{"name": " ", "responsibility": "?"}])
    except TransitionNotAllowed as exc:
        print(f"  refused: {exc.event!r} in stage {exc.stage!r}")
        for reason in exc.reasons:
            print(f"    [{reason.code}]")
            print(f"      en: {reason.message('en')}")
            print(f"      id: {reason.message('id')}")


def main() -> None:
    """Run the demo and print what happens."""
    today = dt.datetime.now(dt.timezone.utc).date()
    print("kelompok demo: a professional group (kelompok profesi)")
    g = professional(today)
    print(f"  stage path: {_path(g)}")
    print(f"  {g.version} events applied; members: {', '.join(g.members)}")
    print()
    print("kelompok demo: a volunteer group (kelompok volunteer)")
    v = volunteer(today)
    print(f"  stage path: {_path(v)}")
    document = json.dumps(v.to_dict())
    again = load(json.loads(document))
    equal = again.to_dict() == v.to_dict()
    print(f"  stored as {len(document)} bytes of JSON; loaded back equal: {equal}")
