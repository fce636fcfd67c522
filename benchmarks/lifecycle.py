"""kelompok's professional lifecycle on plain dicts: the one definition every baseline runs.

The baselines (A, B, S, P, H) differ only in the state-machine machinery around
this module. They all:

* read and write the *same document* that ``kelompok``'s ``to_dict()`` produces
  (same keys, same data shapes, same history records), so a document can be
  handed from any variant to any other and ``run.py --quick`` checks that every
  variant turns the same input into the same output;
* run the *same guard functions* below (one call of :func:`passes` per event),
  which mirror the requirements in ``src/kelompok/_formation/requirements.py`` for the
  professional type, and the *same effects* (:func:`apply`), which mutate the
  document in place and append a history record with a UTC timestamp (and keep the
  head's stage reached and event tally, as schema 2 documents hold them).

What the baselines do **not** do, by design, is what kelompok adds on top: they
trust the stored document (no check of its history, stage order or
invariants), they trust the payload's types (no strict structuring of
``{"member": {...}}`` into value objects), they keep the caller's dicts instead
of copying them, and they do not collect every unmet requirement as a bilingual
reason (a failing guard is just ``False``). That is what makes them a floor.
"""

# Every guard takes (doc, payload), whether it reads both or not:
# ruff: noqa: ARG001, ARG005

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

Doc = dict[str, Any]
"""A group document in kelompok's format (``schema_version``, ``data``, ``history``, ...)."""
Payload = dict[str, Any]
Check = Callable[[Doc, Payload], bool]
Effect = Callable[[Doc, Payload], None]

STAGES = (
    "awareness",
    "needs_identified",
    "core_formed",
    "recruiting",
    "structured",
    "programmed",
    "evaluating",
    "collaborating",
    "dissolved",
)
LIVE = STAGES[:-1]
INITIAL = STAGES[0]
ORDER = {name: i for i, name in enumerate(LIVE)}
CRITERIA = ("competence", "dedication")
PASS_MARK = 3
PROGRAM_KINDS = ("training", "seminar", "workshop", "other")
SHAREABLE = ("experience", "knowledge", "resources", "ideas")


def _from(stage: str) -> tuple[str, ...]:
    return LIVE[LIVE.index(stage) :]


MOVES: dict[str, dict[str, str | None]] = {
    "identify_needs": {"awareness": "needs_identified"},
    "form_core_group": {"needs_identified": "core_formed"},
    "adopt_charter": dict.fromkeys(_from("core_formed")),
    "open_recruitment": {"core_formed": "recruiting"},
    "admit": dict.fromkeys(_from("recruiting")),
    "reject": dict.fromkeys(_from("recruiting")),
    "establish_structure": {"recruiting": "structured"},
    "plan_programs": {"structured": "programmed"},
    "add_program": dict.fromkeys(_from("programmed")),
    "record_activity": dict.fromkeys(("programmed", "evaluating", "collaborating")),
    "evaluate": {"programmed": "evaluating", "evaluating": None, "collaborating": None},
    "develop": {"evaluating": "programmed"},
    "collaborate": {"evaluating": "collaborating", "collaborating": None},
    "dissolve": dict.fromkeys(LIVE, "dissolved"),
}
"""event -> {source stage: destination}; ``None`` keeps the stage (an action)."""


# -- small helpers (the same meaning as in kelompok._formation.predicates) -----------------------


def blank(text: str) -> bool:
    return not text.strip()


def filled(texts: Sequence[str]) -> bool:
    return bool(texts) and not any(blank(t) for t in texts)


def same_profession(doc: Doc, member: Payload) -> bool:
    mine = doc["data"]["profession"]
    theirs = member.get("profession")
    return (
        mine is not None
        and theirs is not None
        and mine.strip().casefold() == theirs.strip().casefold()
    )


def _members(doc: Doc) -> dict[str, Any]:
    members: dict[str, Any] = doc["data"]["members"]
    return members


def _division_names(doc: Doc) -> set[str]:
    structure = doc["data"]["structure"]
    return {d["name"] for d in structure["divisions"]} if structure is not None else set()


def _officers(p: Payload) -> tuple[str, str, str]:
    return (p["chair"], p["secretary"], p["treasurer"])


def _program_checks(programs_of: Callable[[Payload], Sequence[Payload]]) -> tuple[Check, ...]:
    return (
        lambda d, p: len({x["id"] for x in programs_of(p)}) == len(programs_of(p)),
        lambda d, p: all(filled(x["activities"]) for x in programs_of(p)),
        lambda d, p: all(x["division"] in _division_names(d) for x in programs_of(p)),
        lambda d, p: all(x["kind"] in PROGRAM_KINDS for x in programs_of(p)),
    )


def _held_on_ok(doc: Doc, p: Payload) -> bool:
    created = dt.datetime.fromisoformat(doc["created_at"]).date()
    return dt.date.fromisoformat(p["held_on"]) >= created


def _lists_activity(doc: Doc, p: Payload) -> bool:
    program = doc["data"]["programs"].get(p["program"])
    return program is None or p["activity"] in program["activities"]


def _partner_stage_ok(doc: Doc, p: Payload) -> bool:
    rank = ORDER.get(p["partner"]["stage"])
    return rank is not None and rank >= ORDER["structured"]


def _has_charter(doc: Doc, p: Payload) -> bool:
    c = doc["data"]["charter"]
    return (
        c is not None and not blank(c["vision"]) and not blank(c["mission"]) and filled(c["goals"])
    )


# -- the guards: event -> checks, all must hold --------------------------------------------

GUARDS: dict[str, tuple[Check, ...]] = {
    "identify_needs": (
        lambda d, p: any(not blank(n) for n in p["needs"]),
        lambda d, p: not any(blank(n) for n in p["needs"]),
    ),
    "form_core_group": (
        lambda d, p: len({m["id"] for m in p["founders"]}) >= 2,
        lambda d, p: len({m["id"] for m in p["founders"]}) == len(p["founders"]),
        lambda d, p: all(same_profession(d, m) for m in p["founders"]),
    ),
    "adopt_charter": (
        lambda d, p: not blank(p["vision"]),
        lambda d, p: not blank(p["mission"]),
        lambda d, p: filled(p["goals"]),
        lambda d, p: filled(p["steps"]),
    ),
    "open_recruitment": (_has_charter,),
    "admit": (
        lambda d, p: p["member"]["id"] not in _members(d),
        lambda d, p: sorted(p["scores"]) == sorted(CRITERIA),
        lambda d, p: all(1 <= s <= 5 for s in p["scores"].values()),
        lambda d, p: all(p["scores"].get(c, 0) >= PASS_MARK for c in CRITERIA),
        lambda d, p: same_profession(d, p["member"]),
    ),
    "reject": (
        lambda d, p: not blank(p["reason"]),
        lambda d, p: p["member"]["id"] not in _members(d),
    ),
    "establish_structure": (
        lambda d, p: len(_members(d)) > len(d["data"]["founders"]),
        lambda d, p: all(o in _members(d) for o in _officers(p)),
        lambda d, p: len(set(_officers(p))) == 3,
        lambda d, p: bool(p["divisions"]),
        lambda d, p: (
            not any(blank(x["name"]) for x in p["divisions"])
            and len({x["name"] for x in p["divisions"]}) == len(p["divisions"])
        ),
        lambda d, p: all(x["head"] is None or x["head"] in _members(d) for x in p["divisions"]),
    ),
    "plan_programs": (
        lambda d, p: bool(p["programs"]),
        *_program_checks(lambda p: p["programs"]),
    ),
    "add_program": (
        *_program_checks(lambda p: (p["program"],)),
        lambda d, p: p["program"]["id"] not in d["data"]["programs"],
    ),
    "record_activity": (
        lambda d, p: p["program"] in d["data"]["programs"],
        _lists_activity,
        lambda d, p: p["participants"] >= 1,
        _held_on_ok,
    ),
    "evaluate": (
        lambda d, p: bool(d["data"]["activities"]),
        lambda d, p: (
            d["data"]["charter"] is not None
            and set(p["goal_results"]) == set(d["data"]["charter"]["goals"])
        ),
        lambda d, p: all(0 <= s <= 100 for s in p["goal_results"].values()),
        lambda d, p: not blank(p["findings"]),
    ),
    "develop": (
        lambda d, p: filled(p["improvements"]),
        *_program_checks(lambda p: p["programs"]),
    ),
    "collaborate": (
        lambda d, p: p["partner"]["type"] == d["type"],
        lambda d, p: p["partner"]["id"] != d["id"],
        _partner_stage_ok,
        lambda d, p: p["partner"]["id"] not in d["data"]["partners"],
        lambda d, p: not blank(p["purpose"]),
        lambda d, p: bool(p["shared"]) and all(s in SHAREABLE for s in p["shared"]),
        lambda d, p: bool(d["data"]["evaluations"]),
    ),
    "dissolve": (lambda d, p: not blank(p["reason"]),),
}


def passes(event: str, doc: Doc, payload: Payload) -> bool:
    """Whether every guard of *event* holds (the one condition each baseline wires in)."""
    for check in GUARDS[event]:  # noqa: SIM110 -- a plain loop is the cheapest form
        if not check(doc, payload):
            return False
    return True


# -- the effects: mutate the document's data in place --------------------------------------


def _set(**fields: str) -> Effect:
    """An effect that copies payload keys into data keys (``data_key=payload_key``)."""

    def effect(data: Doc, p: Payload) -> None:
        for data_key, payload_key in fields.items():
            data[data_key] = p[payload_key]

    return effect


def _form_core_group(data: Doc, p: Payload) -> None:
    data["founders"] = [m["id"] for m in p["founders"]]
    data["members"] = {m["id"]: m for m in p["founders"]}


def _adopt_charter(data: Doc, p: Payload) -> None:
    data["charter"] = {k: p[k] for k in ("vision", "mission", "goals", "steps")}


def _admit(data: Doc, p: Payload) -> None:
    data["members"][p["member"]["id"]] = p["member"]


def _reject(data: Doc, p: Payload) -> None:
    data["rejections"].append({"member": p["member"], "reason": p["reason"]})


def _establish_structure(data: Doc, p: Payload) -> None:
    data["structure"] = {k: p[k] for k in ("chair", "secretary", "treasurer", "divisions")}


def _plan_programs(data: Doc, p: Payload) -> None:
    data["programs"] = {x["id"]: x for x in p["programs"]}


def _add_program(data: Doc, p: Payload) -> None:
    data["programs"][p["program"]["id"]] = p["program"]


def _record_activity(data: Doc, p: Payload) -> None:
    data["activities"].append(dict(p))


def _evaluate(data: Doc, p: Payload) -> None:
    data["evaluations"].append(dict(p))


def _develop(data: Doc, p: Payload) -> None:
    data["improvements"].extend(p["improvements"])
    data["programs"].update({x["id"]: x for x in p["programs"]})


def _collaborate(data: Doc, p: Payload) -> None:
    data["partners"][p["partner"]["id"]] = dict(p)


EFFECTS: dict[str, Effect] = {
    "identify_needs": _set(needs="needs"),
    "form_core_group": _form_core_group,
    "adopt_charter": _adopt_charter,
    "admit": _admit,
    "reject": _reject,
    "establish_structure": _establish_structure,
    "plan_programs": _plan_programs,
    "add_program": _add_program,
    "record_activity": _record_activity,
    "evaluate": _evaluate,
    "develop": _develop,
    "collaborate": _collaborate,
    "dissolve": _set(dissolution="reason"),
}


def now() -> str:
    """The history timestamp, in the document's form."""
    return dt.datetime.now(dt.timezone.utc).isoformat()


def apply(  # noqa: PLR0913 -- the facts of one applied event
    doc: Doc,
    event: str,
    source: str,
    dest: str,
    payload: Payload,
    *,
    actor: str | None = None,
) -> None:
    """Apply *event* (guards already passed): effect, history record, version, stage, tally."""
    effect = EFFECTS.get(event)
    if effect is not None:
        effect(doc["data"], payload)
    doc["history"].append(
        {
            "event": event,
            "source": source,
            "dest": dest,
            "at": now(),
            "payload": payload,
            "actor": actor,
        }
    )
    doc["version"] += 1
    doc["stage"] = dest
    counts: dict[str, int] = doc["counts"]  # the head's tally (schema 2), as kelompok keeps it
    counts[event] = counts.get(event, 0) + 1
    doc["marks"][event] = dict(counts)
    if dest in ORDER and ORDER[dest] > ORDER[doc["reached"]]:
        doc["reached"] = dest


def new_document(name: str, profession: str, group_id: str | None = None) -> Doc:
    """A new professional group in ``awareness``, as kelompok's ``create(...).to_dict()``."""
    given: tuple[tuple[str, object], ...] = (("name", name), ("profession", profession))
    for field, value in given:  # checked like kelompok's create(): the caller may be untyped
        if not isinstance(value, str) or blank(value):
            msg = f"{field} must be non-blank text, got {value!r}"
            raise ValueError(msg)
    return {
        "schema_version": 2,
        "type": "professional",
        "id": group_id if group_id is not None else uuid.uuid4().hex,
        "stage": INITIAL,
        "version": 0,
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(),
        "reached": INITIAL,
        "counts": {},
        "marks": {},
        "founding": {"name": name, "profession": profession},
        "data": {
            "name": name,
            "profession": profession,
            "work_area": None,
            "needs": [],
            "founders": [],
            "members": {},
            "rejections": [],
            "charter": None,
            "structure": None,
            "programs": {},
            "teams": {},
            "activities": [],
            "evaluations": [],
            "improvements": [],
            "partners": {},
            "dissolution": None,
        },
        "history": [],
    }


def transitions_table() -> Iterable[tuple[str, str, str | None]]:
    """Every ``(event, source, dest)``; ``dest`` is ``None`` for an action."""
    for event, moves in MOVES.items():
        for source, dest in moves.items():
            yield event, source, dest
