"""Shared hypothesis strategies for the tests, and docs/model.md §2-4 written out as test data.

Value objects come both as objects and as plain dicts, since payloads accept either.
For every built-in event there is a generator of a payload that should be accepted,
drawn from the group's current data (member ids, division names, charter goals), and
a generator that breaks a payload on purpose (a missing or unknown field, a value of
the wrong type, a value the rules refuse). ``attempts`` mixes them and leans towards
the event that moves the group on, so random runs reach every stage.

The model's tables are written out again here instead of being read from kelompok, so
they can judge it (``history_problems``).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import string
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import attrs
from hypothesis import strategies as st

import kelompok
from builders import at
from kelompok import Division, FormationGroup, GroupType, Member, PartnerRef, Program

# -- the model (docs/model.md) as data -------------------------------------------------

TYPES = ("professional", "volunteer")
LIVE = {
    "professional": (
        "awareness",
        "needs_identified",
        "core_formed",
        "recruiting",
        "structured",
        "programmed",
        "evaluating",
        "collaborating",
    ),
    "volunteer": (
        "awareness",
        "needs_identified",
        "core_formed",
        "recruiting",
        "structured",
        "programmed",
        "executing",
        "collaborating",
    ),
}
STAGES = {name: (*live, "dissolved") for name, live in LIVE.items()}
BACK_EDGES = {"professional": {("evaluating", "programmed")}, "volunteer": set()}
WORK_AREAS = ("social", "humanitarian", "environmental")
PROGRAM_KINDS = ("training", "seminar", "workshop", "other")
SHAREABLE = ("experience", "knowledge", "resources", "ideas")
CRITERIA = {"professional": ("competence", "dedication"), "volunteer": ("commitment", "motivation")}
MISSING_EVENT = {"professional": "execute", "volunteer": "develop"}


def _spec_moves(type_name: str) -> dict[str, dict[str, str | None]]:
    """Event -> {source: dest}; ``None`` is an action that keeps the stage (docs/model.md §3)."""
    live = LIVE[type_name]
    volunteer = type_name == "volunteer"
    run = live[6]

    def from_(stage: str) -> dict[str, str | None]:
        return dict.fromkeys(live[live.index(stage) :])

    moves: dict[str, dict[str, str | None]] = {
        "identify_needs": {"awareness": "needs_identified"},
        "form_core_group": {"needs_identified": "core_formed"},
        "adopt_charter": from_("core_formed"),
        "open_recruitment": {"core_formed": "recruiting"},
        "admit": from_("recruiting"),
        "reject": from_("recruiting"),
        "establish_structure": {"recruiting": "structured"},
        "plan_programs": {"structured": "programmed"},
        "add_program": from_("programmed"),
        "record_activity": dict.fromkeys(
            (run, "collaborating") if volunteer else ("programmed", run, "collaborating")
        ),
        "evaluate": dict.fromkeys((run, "collaborating"))
        if volunteer
        else {"programmed": run, run: None, "collaborating": None},
        "collaborate": {run: "collaborating", "collaborating": None},
        "dissolve": dict.fromkeys(live, "dissolved"),
    }
    if volunteer:
        moves["execute"] = {"programmed": "executing"}
    else:
        moves["develop"] = {"evaluating": "programmed"}
    return moves


MOVES = {name: _spec_moves(name) for name in TYPES}


def declared_edge(type_name: str, source: str, dest: str) -> bool:
    """docs/model.md §4.1: order k -> k+1, a declared way back, or a live stage -> dissolved."""
    live = LIVE[type_name]
    if source not in live:
        return False
    if dest == "dissolved":
        return True
    if dest not in live:
        return False
    return live.index(dest) == live.index(source) + 1 or (source, dest) in BACK_EDGES[type_name]


def _record_problems(where: str, rec: Any) -> list[str]:
    problems = []
    if not all(isinstance(x, str) for x in (rec.event, rec.source, rec.dest)):
        problems.append(f"{where}: event, source and dest must be str")
    if not isinstance(rec.at, dt.datetime) or rec.at.utcoffset() != dt.timedelta(0):
        problems.append(f"{where}.at is not an aware UTC datetime: {rec.at!r}")
    if not isinstance(rec.payload, Mapping):
        problems.append(f"{where}.payload is not a mapping")
    else:
        try:
            json.dumps(rec.payload)
        except (TypeError, ValueError) as exc:
            problems.append(f"{where}.payload is not JSON: {exc}")
    if rec.actor is not None and not isinstance(rec.actor, str):
        problems.append(f"{where}.actor must be None or str")
    return problems


def _step_problems(type_name: str, where: str, stage: str, rec: Any) -> list[str]:
    problems = []
    if stage == "dissolved":
        problems.append(f"{where}: {rec.event!r} recorded after dissolved")
    if rec.source != stage:
        problems.append(f"{where} starts in {rec.source!r}, the step before ended in {stage!r}")
    move = MOVES[type_name].get(rec.event, {})
    if rec.source not in move or (move[rec.source] or rec.source) != rec.dest:
        problems.append(f"{where}: {rec.event!r} does not lead {rec.source!r} -> {rec.dest!r}")
    if rec.source != rec.dest and not declared_edge(type_name, rec.source, rec.dest):
        problems.append(f"{where}: {rec.source!r} -> {rec.dest!r} is not a declared edge")
    return problems


def _tail_problems(group: FormationGroup) -> list[str]:
    """docs/model.md §4.4 for a group that holds only its latest records."""
    history = group.history
    problems: list[str] = []
    stage = history[0].source if history else group.stage
    for i, rec in enumerate(history):
        where = f"history[{i}]"
        problems += _record_problems(where, rec) + _step_problems(
            group.type.name, where, stage, rec
        )
        stage = rec.dest
    if stage != group.stage:
        problems.append(f"stage is {group.stage!r} but the records end in {stage!r}")
    if group.version != group.history_start + len(history):
        problems.append(f"version {group.version} but {len(history)} records after the start")
    return problems


def history_problems(group: FormationGroup) -> list[str]:
    """What in *group*'s stage, version and history breaks docs/model.md §4.1, §4.2, §4.4."""
    type_name = group.type.name
    live = LIVE[type_name]
    if group.history_start:  # loaded from a head: the records since, checked as a chain
        return _tail_problems(group)
    problems: list[str] = []
    stage = live[0]
    peak = 0
    for i, rec in enumerate(group.history):
        where = f"history[{i}]"
        problems += _record_problems(where, rec) + _step_problems(type_name, where, stage, rec)
        if rec.dest in live:
            rank = live.index(rec.dest)
            if rank > peak + 1:
                problems.append(f"{where} enters {rec.dest!r} before {live[peak + 1]!r}")
            peak = max(peak, rank)
        stage = rec.dest
    if stage != group.stage:
        problems.append(f"stage is {group.stage!r} but the history ends in {stage!r}")
    if group.version != len(group.history):
        problems.append(f"version {group.version} but {len(group.history)} history records")
    reached = [s for s in live if group.reached(s)]
    if list(live[: peak + 1]) != reached:
        problems.append(f"reached() says {reached}, the history says {list(live[: peak + 1])}")
    return problems


def broken_invariants(group: FormationGroup) -> list[str]:
    """Codes of the type's invariants that *group* breaks (docs/model.md §4.6)."""
    return [i.code for i in group.type.invariants if not i.holds(group)]


def reason_codes(reasons: Any) -> list[str]:
    """The codes of a list of reasons, in order."""
    return [r.code for r in reasons]


# -- text, ids, JSON ---------------------------------------------------------------------

WORDS = ("support", "river", "health", "learning", "Bersih", "kali", "gotong royong", "x")
BLANKS = ("", " ", "\t", "  \n ")
ID_ALPHABET = string.ascii_lowercase + string.digits + "-_"
NAMES = ("ani", "bayu", "citra", "dewi", "eka", "fajar", "gita", "hadi", "indah", "joko")
PROGRAM_IDS = ("p1", "p2", "p3", "edu", "clean-up")
PROFESSIONS = ("pharmacist", "Dokter Gigi", "nurse", "software engineer", "guru")
OTHER_PROFESSION = "astronaut"  # never a group's profession
GHOST = "ghost!"  # never a member, program or division: ids and names here have no "!"


@functools.cache
def nonblank_texts() -> st.SearchStrategy[str]:
    """Text with at least one non-white-space character (and no "!", see GHOST)."""
    return st.one_of(
        st.sampled_from(WORDS),
        st.text(
            st.characters(blacklist_characters="!", blacklist_categories=("Cs",)),
            min_size=1,
            max_size=12,
        ).filter(str.strip),
    )


@functools.cache
def blank_texts() -> st.SearchStrategy[str]:
    """Empty or white-space-only text."""
    return st.sampled_from(BLANKS)


@functools.cache
def texts() -> st.SearchStrategy[str]:
    """Text that is sometimes blank."""
    return st.one_of(blank_texts(), nonblank_texts())


@functools.cache
def member_ids() -> st.SearchStrategy[str]:
    """Ids from a small pool (so they collide) or short random ones."""
    return st.one_of(st.sampled_from(NAMES), st.text(ID_ALPHABET, min_size=1, max_size=6))


@functools.cache
def program_ids() -> st.SearchStrategy[str]:
    """Program ids from a small pool or short random ones."""
    return st.one_of(st.sampled_from(PROGRAM_IDS), st.text(ID_ALPHABET, min_size=1, max_size=5))


@functools.cache
def partner_ids() -> st.SearchStrategy[str]:
    """Ids of partner groups that live elsewhere (never the id of a group made here)."""
    return st.text(ID_ALPHABET, min_size=1, max_size=8).map("ext-{}".format)


@functools.cache
def actors() -> st.SearchStrategy[str | None]:
    """Who fires an event: nobody in particular, or someone."""
    return st.one_of(st.none(), nonblank_texts())


@functools.cache
def professions() -> st.SearchStrategy[str | None]:
    """A profession, or none."""
    return st.one_of(st.none(), st.sampled_from(PROFESSIONS))


def _distinct(items: list[Any]) -> list[Any]:
    return list(dict.fromkeys(items))


@functools.lru_cache(maxsize=64)
def _lists(elements: st.SearchStrategy[Any], most: int = 3) -> st.SearchStrategy[list[Any]]:
    """One to *most* distinct elements.

    Duplicates are dropped after drawing instead of using ``unique=True``, which can
    make hypothesis give up on a run when it keeps drawing the same element.
    """
    return st.lists(elements, min_size=1, max_size=most).map(_distinct)


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(ID_ALPHABET + " éX", max_size=8),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.text(ID_ALPHABET, max_size=6), inner, max_size=3),
    ),
    max_leaves=6,
)
"""Any JSON value (no NaN: it is not equal to itself, which would hide real differences)."""

utc_offsets = st.builds(
    dt.timezone, st.timedeltas(min_value=dt.timedelta(hours=-23), max_value=dt.timedelta(hours=23))
)
EDGE_TIMES = (
    "0001-01-01T00:00:00+01:00",  # before year 1 in UTC
    "9999-12-31T23:59:59-01:00",  # after year 9999 in UTC
    "2026-01-31T08:00:00+23:59",
    "2026-01-31T08:00:00-00:00",
    "2026-01-31T08:00:00Z",
)
iso_times = st.one_of(
    st.datetimes(timezones=utc_offsets).map(dt.datetime.isoformat), st.sampled_from(EDGE_TIMES)
)
"""Aware times as ISO text, at any offset, from year 1 to 9999, and a few edge cases."""
iso_dates = st.dates().map(dt.date.isoformat)


# -- value objects -------------------------------------------------------------------


def plain(value: Any) -> Any:
    """The JSON-shaped form of a payload value (tuples become lists, attrs become dicts)."""
    if attrs.has(type(value)):
        return {k: plain(v) for k, v in attrs.asdict(value, recurse=False).items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    return value


Draw = Callable[..., Any]


def _as_dict(draw: Draw, cls: type[Any], fields: dict[str, Any]) -> dict[str, Any]:
    """*fields* as a plain dict; an optional field that is ``None`` is sometimes left out."""
    defaults = {a.name for a in attrs.fields(cls) if a.default is not attrs.NOTHING}
    return {
        k: plain(v)
        for k, v in fields.items()
        if v is not None or k not in defaults or draw(st.booleans())
    }


def _either(draw: Draw, cls: type[Any], **fields: Any) -> Any:
    """An instance of *cls* or the plain dict of its fields: payloads take both."""
    if draw(st.booleans()):
        return cls(**fields)
    return _as_dict(draw, cls, fields)


def _member_fields(draw: Draw) -> dict[str, Any]:
    return {
        "id": draw(member_ids()),
        "name": draw(nonblank_texts()),
        "profession": draw(professions()),
    }


def _division_fields(draw: Draw) -> dict[str, Any]:
    return {
        "name": draw(nonblank_texts()),
        "responsibility": draw(texts()),
        "head": draw(member_ids()) if draw(st.booleans()) else None,
    }


def _program_fields(draw: Draw) -> dict[str, Any]:
    return {
        "id": draw(program_ids()),
        "name": draw(nonblank_texts()),
        "kind": draw(st.sampled_from(PROGRAM_KINDS + WORK_AREAS)),
        "division": draw(nonblank_texts()),
        "activities": tuple(draw(_lists(nonblank_texts()))),
    }


def _partner_fields(draw: Draw) -> dict[str, Any]:
    return {
        "id": draw(partner_ids()),
        "name": draw(nonblank_texts()),
        "type": draw(st.sampled_from(TYPES)),
        "stage": draw(st.sampled_from(STAGES["professional"] + STAGES["volunteer"][6:7])),
    }


def _objects(cls: type[Any], fields: Callable[[Draw], dict[str, Any]]) -> st.SearchStrategy[Any]:
    return st.composite(lambda draw: cls(**fields(draw)))()


def _dicts(cls: type[Any], fields: Callable[[Draw], dict[str, Any]]) -> st.SearchStrategy[Any]:
    return st.composite(lambda draw: _as_dict(draw, cls, fields(draw)))()


members = _objects(Member, _member_fields)
member_dicts = _dicts(Member, _member_fields)
divisions = _objects(Division, _division_fields)
division_dicts = _dicts(Division, _division_fields)
programs = _objects(Program, _program_fields)
program_dicts = _dicts(Program, _program_fields)
partner_refs = _objects(PartnerRef, _partner_fields)
partner_ref_dicts = _dicts(PartnerRef, _partner_fields)
"""Valid value objects, and the plain dicts that payloads accept in their place."""


# -- partners ------------------------------------------------------------------------


class Partners(NamedTuple):
    """Groups to collaborate with: acceptable ones, and ones the rules refuse."""

    valid: tuple[FormationGroup, ...]
    other_type: FormationGroup
    too_early: FormationGroup
    dissolved: FormationGroup


def _group_type(type_name: str) -> GroupType[Any]:
    return kelompok.PROFESSIONAL if type_name == "professional" else kelompok.VOLUNTEER


@functools.cache
def partners_for(type_name: str) -> Partners:
    """Built once per session; the tests only read them."""
    gt = _group_type(type_name)
    other = "volunteer" if type_name == "professional" else "professional"
    return Partners(
        valid=(
            at(gt, "structured", id=f"{type_name}-partner-structured"),
            at(gt, "programmed", id=f"{type_name}-partner-programmed"),
        ),
        other_type=at(_group_type(other), "structured", id=f"{other}-partner-structured"),
        too_early=at(gt, "core_formed", id=f"{type_name}-partner-core"),
        dissolved=at(gt, "dissolved", id=f"{type_name}-partner-dissolved"),
    )


# -- payloads that should be accepted ---------------------------------------------------

Made = tuple[dict[str, Any], bool]
"""A payload, and whether the group's data meets every requirement of the event with it."""


def _fresh(draw: Draw, taken: Any, ids: st.SearchStrategy[str]) -> str:
    candidate: str = draw(ids)
    while candidate in taken:
        candidate += "-"
    return candidate


def _is_pro(g: FormationGroup) -> bool:
    return g.type.name == "professional"


@functools.cache
def _spellings(profession: str | None) -> st.SearchStrategy[str | None]:
    if profession is None:
        return professions()
    return st.sampled_from((profession, profession.upper(), profession.lower(), profession.title()))


def _profession(g: FormationGroup) -> st.SearchStrategy[str | None]:
    """The group's profession in some letter case (professional groups), else anything."""
    return _spellings(g.data.profession)


def _member(draw: Draw, g: FormationGroup, member_id: str) -> Any:
    name, profession = draw(nonblank_texts()), draw(_profession(g))
    return _either(draw, Member, id=member_id, name=name, profession=profession)


def _division_names(g: FormationGroup) -> list[str]:
    s = g.data.structure
    return [d.name for d in s.divisions] if s is not None else []


def _program(draw: Draw, g: FormationGroup, program_id: str) -> Any:
    names = _division_names(g)
    if _is_pro(g):
        kinds = st.sampled_from(PROGRAM_KINDS)
    elif g.data.work_area is not None:
        kinds = st.just(g.data.work_area)
    else:
        kinds = st.sampled_from(WORK_AREAS)
    return _either(
        draw,
        Program,
        id=program_id,
        name=draw(nonblank_texts()),
        kind=draw(kinds),
        division=draw(st.sampled_from(names) if names else nonblank_texts()),
        activities=tuple(draw(_lists(nonblank_texts()))),
    )


def _has_charter(g: FormationGroup) -> bool:
    c = g.data.charter
    return c is not None and bool(c.vision.strip() and c.mission.strip() and c.goals)


def _identify_needs(draw: Draw, g: FormationGroup) -> Made:
    payload: dict[str, Any] = {"needs": draw(_lists(nonblank_texts()))}
    if not _is_pro(g):
        payload["work_area"] = draw(st.sampled_from(WORK_AREAS))
    return payload, True


def _form_core_group(draw: Draw, g: FormationGroup) -> Made:
    ids = [draw(member_ids())]
    for _ in range(draw(st.integers(2, 4)) - 1):
        ids.append(_fresh(draw, ids, member_ids()))
    return {"founders": [_member(draw, g, i) for i in ids]}, True


def _adopt_charter(draw: Draw, g: FormationGroup) -> Made:
    return {
        "vision": draw(nonblank_texts()),
        "mission": draw(nonblank_texts()),
        "goals": draw(_lists(nonblank_texts())),
        "steps": draw(_lists(nonblank_texts())),
    }, True


def _open_recruitment(draw: Draw, g: FormationGroup) -> Made:
    return {}, _has_charter(g)


def _admit(draw: Draw, g: FormationGroup) -> Made:
    member = _member(draw, g, _fresh(draw, g.data.members, member_ids()))
    scores = {c: draw(st.integers(3, 5)) for c in CRITERIA[g.type.name]}
    return {"member": member, "scores": scores}, True


def _reject(draw: Draw, g: FormationGroup) -> Made:
    fields = {**_member_fields(draw), "id": _fresh(draw, g.data.members, member_ids())}
    return {"member": _either(draw, Member, **fields), "reason": draw(nonblank_texts())}, True


def _establish_structure(draw: Draw, g: FormationGroup) -> Made:
    ids = sorted(g.data.members)
    if len(ids) >= 3:
        chair, secretary, treasurer = draw(st.permutations(ids))[:3]
    else:
        chair, secretary, treasurer = (draw(member_ids()) for _ in range(3))
    names = draw(_lists(nonblank_texts()))
    found = [
        _either(
            draw,
            Division,
            name=n,
            responsibility=draw(texts()),
            head=draw(st.sampled_from(ids)) if ids and draw(st.booleans()) else None,
        )
        for n in names
    ]
    return {
        "chair": chair,
        "secretary": secretary,
        "treasurer": treasurer,
        "divisions": found,
    }, len(ids) > len(g.data.founders) and len(ids) >= 3


def _plan_programs(draw: Draw, g: FormationGroup) -> Made:
    ids = draw(_lists(program_ids()))
    return {"programs": [_program(draw, g, i) for i in ids]}, bool(_division_names(g)) and (
        _is_pro(g) or g.data.work_area is not None
    )


def _add_program(draw: Draw, g: FormationGroup) -> Made:
    program = _program(draw, g, _fresh(draw, g.data.programs, program_ids()))
    return {"program": program}, bool(_division_names(g)) and (
        _is_pro(g) or g.data.work_area is not None
    )


def _execute(draw: Draw, g: FormationGroup) -> Made:
    ids = sorted(g.data.members)
    team = _lists(st.sampled_from(ids)) if ids else _lists(member_ids())
    teams = {pid: draw(team) for pid in g.data.programs}
    return {"teams": teams}, bool(ids) or not g.data.programs


def _record_activity(draw: Draw, g: FormationGroup) -> Made:
    found = g.data.programs
    if found:
        pid = draw(st.sampled_from(sorted(found)))
        activity = draw(st.sampled_from(found[pid].activities))
    else:
        pid, activity = draw(program_ids()), draw(nonblank_texts())
    held_on = g.created_at.date() + dt.timedelta(days=draw(st.integers(0, 400)))
    return {
        "program": pid,
        "activity": activity,
        "held_on": held_on.isoformat() if draw(st.booleans()) else held_on,
        "participants": draw(st.integers(1, 10_000)),
        "outcome": draw(nonblank_texts()),
    }, bool(found)


def _evaluate(draw: Draw, g: FormationGroup) -> Made:
    charter = g.data.charter
    goals = charter.goals if charter is not None else ()
    payload: dict[str, Any] = {
        "goal_results": {goal: draw(st.integers(0, 100)) for goal in goals},
        "findings": draw(nonblank_texts()),
    }
    if draw(st.booleans()):
        payload["improvements"] = draw(st.lists(nonblank_texts(), max_size=2))
    return payload, charter is not None and bool(g.data.activities)


def _develop(draw: Draw, g: FormationGroup) -> Made:
    existing = sorted(g.data.programs)
    ids: list[str] = []
    for _ in range(draw(st.integers(0, 2))):
        if existing and draw(st.booleans()):
            ids.append(draw(st.sampled_from(existing)))  # replaces that program
        else:
            ids.append(_fresh(draw, g.data.programs, program_ids()))
    ids = list(dict.fromkeys(ids))
    payload: dict[str, Any] = {"improvements": draw(_lists(nonblank_texts()))}
    if ids or draw(st.booleans()):
        payload["programs"] = [_program(draw, g, i) for i in ids]
    return payload, bool(_division_names(g)) or not ids


_SHAREABLE = st.sampled_from(SHAREABLE)


def _collaborate(draw: Draw, g: FormationGroup) -> Made:
    pool = partners_for(g.type.name)
    candidates = [p for p in pool.valid if p.id not in g.data.partners and p.id != g.id]
    if candidates and draw(st.integers(0, 3)) > 0:
        chosen = draw(st.sampled_from(candidates))
        partner = draw(
            st.sampled_from((chosen, chosen.as_partner_ref(), plain(chosen.as_partner_ref())))
        )
    else:
        fields = {
            **_partner_fields(draw),
            "id": _fresh(draw, g.data.partners, partner_ids()),
            "type": g.type.name,
            "stage": draw(st.sampled_from(LIVE[g.type.name][4:])),
        }
        partner = _either(draw, PartnerRef, **fields)
    needs = g.data.evaluations if _is_pro(g) else g.data.activities
    return {
        "partner": partner,
        "purpose": draw(nonblank_texts()),
        "shared": draw(_lists(_SHAREABLE, 4)),
    }, bool(needs)


def _dissolve(draw: Draw, g: FormationGroup) -> Made:
    return {"reason": draw(nonblank_texts())}, True


VALID: dict[str, Callable[[Draw, FormationGroup], Made]] = {
    "identify_needs": _identify_needs,
    "form_core_group": _form_core_group,
    "adopt_charter": _adopt_charter,
    "open_recruitment": _open_recruitment,
    "admit": _admit,
    "reject": _reject,
    "establish_structure": _establish_structure,
    "plan_programs": _plan_programs,
    "add_program": _add_program,
    "execute": _execute,
    "record_activity": _record_activity,
    "evaluate": _evaluate,
    "develop": _develop,
    "collaborate": _collaborate,
    "dissolve": _dissolve,
}


# -- payloads broken on purpose -----------------------------------------------------

FIELDS: dict[str, dict[str, str]] = {
    "identify_needs": {"needs": "texts", "work_area": "text"},
    "form_core_group": {"founders": "members"},
    "adopt_charter": {"vision": "text", "mission": "text", "goals": "texts", "steps": "texts"},
    "open_recruitment": {},
    "admit": {"member": "member", "scores": "int_map"},
    "reject": {"member": "member", "reason": "text"},
    "establish_structure": {
        "chair": "text",
        "secretary": "text",
        "treasurer": "text",
        "divisions": "divisions",
    },
    "plan_programs": {"programs": "programs"},
    "add_program": {"program": "program"},
    "execute": {"teams": "teams"},
    "record_activity": {
        "program": "text",
        "activity": "text",
        "held_on": "date",
        "participants": "int",
        "outcome": "text",
    },
    "evaluate": {"goal_results": "int_map", "findings": "text", "improvements": "texts"},
    "develop": {"improvements": "texts", "programs": "programs"},
    "collaborate": {"partner": "partner", "purpose": "text", "shared": "texts"},
    "dissolve": {"reason": "text"},
}
"""The payload fields of every event, by the kind of value they take."""
OPTIONAL = {("evaluate", "improvements"), ("develop", "programs")}
_A_PROGRAM = {"id": "p9", "name": "P", "kind": "other", "division": "D", "activities": ["a"]}
_A_REF = {"id": "ext-x", "name": "X", "type": "professional", "stage": "structured"}
WRONG_TYPE: dict[str, tuple[Any, ...]] = {
    "text": (7, None, ["text"], {"text": "x"}, True, 1.5),
    "texts": ("text", 7, None, [7], {"a": "b"}, [None], [["a"]]),
    "int": ("7", 1.5, True, None, [7]),
    "date": (
        "2024-02-30",
        "yesterday",
        20240101,
        None,
        dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc),
    ),
    "int_map": (["a", 1], "a", 7, None, {"a": "4"}, {"a": 4.5}, {"a": True}, {"a": None}),
    "member": (
        "ani",
        7,
        None,
        {"id": "ani"},
        {"id": "ani", "name": "Ani", "age": 3},
        {"id": "", "name": "Ani"},
        {"id": "ani", "name": 7},
        {"id": "ani", "name": "Ani", "profession": 7},
    ),
    "members": ("ani", 7, None, {"id": "ani", "name": "Ani"}, [7], ["ani"], [{"id": "a"}]),
    "divisions": ("D", 7, None, {"name": "D", "responsibility": "x"}, [{"name": "D"}], [7]),
    "program": (
        "p1",
        7,
        None,
        {"id": "p1"},
        {**_A_PROGRAM, "activities": "a"},
        {**_A_PROGRAM, "extra": 1},
        {**_A_PROGRAM, "id": " "},
    ),
    "programs": ("p1", 7, None, _A_PROGRAM, [{"id": "p1"}], [7]),
    "teams": (["p1"], "p1", 7, None, {"p1": "ani"}, {"p1": [7]}, {"p1": None}),
    "partner": ("partner", 7, None, {"id": "x"}, {**_A_REF, "extra": 1}, {**_A_REF, "name": " "}),
}
"""Values of the wrong type (or shape) for each kind of field; every one must be refused."""
UNKNOWN_FIELDS = ("bogus", "stage", "version", "Needs", "payload")


def _id_of(value: Any) -> str:
    return str(value["id"] if isinstance(value, Mapping) else value.id)


def _bad_values(  # noqa: C901, PLR0912, PLR0915 -- one case per event
    draw: Draw, event: str, g: FormationGroup, p: dict[str, Any]
) -> list[dict[str, Any]]:
    """Payloads that differ from the valid *p* by a value the rules refuse, whatever the data."""
    pro = _is_pro(g)
    ids = sorted(g.data.members)
    found = sorted(g.data.programs)
    goals = g.data.charter.goals if g.data.charter is not None else ()
    out: list[dict[str, Any]] = []
    if event == "identify_needs":
        out += [{**p, "needs": []}, {**p, "needs": [" "]}, {**p, "needs": [*p["needs"], ""]}]
        if not pro:
            out += [{**p, "work_area": "sports"}, {**p, "work_area": ""}]
    elif event == "form_core_group":
        one = plain(p["founders"][0])
        out += [{"founders": []}, {"founders": [one]}, {"founders": [one, one]}]
        out.append({"founders": [*p["founders"], {**one, "name": "Twin"}]})
        if pro:
            out.append({"founders": [*p["founders"][1:], {**one, "profession": OTHER_PROFESSION}]})
            out.append({"founders": [*p["founders"][1:], {"id": one["id"], "name": "No job"}]})
    elif event == "adopt_charter":
        out += [{**p, "vision": " "}, {**p, "mission": ""}, {**p, "goals": []}]
        out += [{**p, "goals": [*p["goals"], "\t"]}, {**p, "steps": []}, {**p, "steps": [""]}]
    elif event == "admit":
        member, scores = plain(p["member"]), p["scores"]
        first = next(iter(scores))
        out += [
            {**p, "scores": {k: v for k, v in scores.items() if k != first}},
            {**p, "scores": {**scores, first: 6}},
            {**p, "scores": {**scores, first: 0}},
            {**p, "scores": {**scores, first: 2}},
            {**p, "scores": {**scores, "charisma": 4}},
        ]
        if ids:
            out.append({**p, "member": {**member, "id": draw(st.sampled_from(ids))}})
        if pro:
            out.append({**p, "member": {**member, "profession": OTHER_PROFESSION}})
            out.append({**p, "member": {k: v for k, v in member.items() if k != "profession"}})
    elif event == "reject":
        out += [{**p, "reason": ""}, {**p, "reason": "  "}]
        if ids:
            out.append({**p, "member": {"id": draw(st.sampled_from(ids)), "name": "Again"}})
    elif event == "establish_structure":
        division = plain(p["divisions"][0])
        out += [
            {**p, "chair": GHOST},
            {**p, "secretary": p["chair"]},
            {**p, "treasurer": p["secretary"]},
            {**p, "divisions": []},
            {**p, "divisions": [division, division]},
            {**p, "divisions": [{**division, "name": " "}]},
            {**p, "divisions": [{**division, "head": GHOST}]},
        ]
    elif event in {"plan_programs", "develop"}:
        program = plain(p.get("programs") or [_program(draw, g, "p1")])[0]
        out += [
            {**p, "programs": [program, program]},
            {**p, "programs": [{**program, "activities": []}]},
            {**p, "programs": [{**program, "activities": [" "]}]},
            {**p, "programs": [{**program, "division": GHOST}]},
            {**p, "programs": [{**program, "kind": "party"}]},
        ]
        if event == "plan_programs":
            out.append({"programs": []})
        else:
            out += [{**p, "improvements": []}, {**p, "improvements": [" "]}]
        if not pro and g.data.work_area is not None:
            other = draw(st.sampled_from([a for a in WORK_AREAS if a != g.data.work_area]))
            out.append({**p, "programs": [{**program, "kind": other}]})
    elif event == "add_program":
        program = plain(p["program"])
        out += [
            {"program": {**program, "division": GHOST}},
            {"program": {**program, "activities": []}},
            {"program": {**program, "activities": ["ok", ""]}},
            {"program": {**program, "kind": "party"}},
        ]
        if found:
            out.append({"program": {**program, "id": draw(st.sampled_from(found))}})
    elif event == "execute":
        teams = p["teams"]
        out.append({"teams": {**teams, GHOST: [*ids[:1], GHOST]}})
        if found:
            out += [
                {"teams": {k: v for k, v in teams.items() if k != found[0]}},
                {"teams": {**teams, found[0]: []}},
                {"teams": {**teams, found[0]: [GHOST]}},
            ]
    elif event == "record_activity":
        before = g.created_at.date() - dt.timedelta(days=draw(st.integers(1, 1000)))
        out += [
            {**p, "program": GHOST},
            {**p, "activity": GHOST},
            {**p, "participants": 0},
            {**p, "participants": -3},
            {**p, "held_on": before},
            {**p, "held_on": before.isoformat()},
        ]
    elif event == "evaluate":
        results = p["goal_results"]
        out += [
            {**p, "findings": ""},
            {**p, "findings": " \n"},
            {**p, "goal_results": {**results, GHOST: 50}},
        ]
        if goals:
            out += [
                {**p, "goal_results": {**results, goals[0]: 101}},
                {**p, "goal_results": {**results, goals[0]: -1}},
                {**p, "goal_results": {k: v for k, v in results.items() if k != goals[0]}},
            ]
    elif event == "collaborate":
        pool = partners_for(g.type.name)
        ref = plain(g.as_partner_ref())
        wrong_stage = "executing" if pro else "evaluating"
        out += [
            {**p, "partner": g},
            {**p, "partner": g.as_partner_ref()},
            {**p, "partner": pool.other_type},
            {**p, "partner": pool.too_early},
            {**p, "partner": pool.dissolved.as_partner_ref()},
            {**p, "partner": {**ref, "id": "ext-other", "type": pool.other_type.type.name}},
            {**p, "partner": {**ref, "id": "ext-early", "stage": "recruiting"}},
            {**p, "partner": {**ref, "id": "ext-wrong", "stage": wrong_stage}},
            {**p, "partner": {**ref, "id": "ext-gone", "stage": "dissolved"}},
            {**p, "purpose": " "},
            {**p, "shared": []},
            {**p, "shared": ["money"]},
            {**p, "shared": [*p["shared"], "money"]},
        ]
        if g.data.partners:
            taken = draw(st.sampled_from(sorted(g.data.partners)))
            out.append({**p, "partner": g.data.partners[taken].partner})
    elif event == "dissolve":
        out += [{"reason": ""}, {"reason": "\t "}]
    return out


def _broken(
    draw: Draw, event: str, g: FormationGroup, payload: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    """*payload* with one thing wrong that must make the event refused; and what it was."""
    fields = FIELDS[event]
    present = [k for k in fields if k in payload]
    required = [k for k in present if (event, k) not in OPTIONAL]
    bad = _bad_values(draw, event, g, payload)
    kinds = ["unknown_field"]
    kinds += ["missing"] if required else []
    kinds += ["wrong_type"] * 2 if present else []
    kinds += ["bad_value"] * 4 if bad else []
    how = draw(st.sampled_from(kinds))
    if how == "bad_value":
        return draw(st.sampled_from(bad)), how
    broken = dict(payload)
    if how == "missing":
        del broken[draw(st.sampled_from(required))]
    elif how == "wrong_type":
        name = draw(st.sampled_from(present))
        broken[name] = copy.deepcopy(draw(st.sampled_from(WRONG_TYPE[fields[name]])))
    else:
        unknown = ["work_area"] if event == "identify_needs" and _is_pro(g) else []
        broken[draw(st.sampled_from([*UNKNOWN_FIELDS, *unknown]))] = draw(json_values)
    return broken, how


# -- attempts ----------------------------------------------------------------------------


class Attempt(NamedTuple):
    """An event and payload to fire, and whether it must be applied where the stage allows it.

    ``ok`` is the prediction of the strategy: the payload is valid and the group's
    data meets every requirement of the event. ``how`` says what the payload is
    ("valid", or how it was broken), for statistics and failure messages.
    """

    event: str
    payload: dict[str, Any]
    ok: bool
    how: str


def progress_events(g: FormationGroup) -> tuple[str, ...]:
    """The events that move *g* on towards ``collaborating`` (or prepare that move).

    In ``evaluating`` the way back (``develop``) counts as progress too, so that it is
    fired often enough to be tested; in ``collaborating`` every allowed event does,
    ``dissolve`` included, so that runs also end there.
    """
    d = g.data
    pro = _is_pro(g)
    ran = d.activities if pro or g.stage != "programmed" else False
    after: dict[str, tuple[str, ...]] = {
        "awareness": ("identify_needs",),
        "needs_identified": ("form_core_group",),
        "core_formed": ("open_recruitment",) if _has_charter(g) else ("adopt_charter",),
        "recruiting": ("establish_structure",) if len(d.members) > len(d.founders) else ("admit",),
        "structured": ("plan_programs",),
        "programmed": (("evaluate",) if ran else ("record_activity",)) if pro else ("execute",),
        "evaluating": ("collaborate", "develop"),
        "executing": ("collaborate",) if d.activities else ("record_activity",),
    }
    if g.stage == "collaborating":  # explore its actions, and end some time
        return tuple(e for e, m in MOVES[g.type.name].items() if "collaborating" in m)
    return after.get(g.stage, ())


@st.composite
def attempts(draw, group: FormationGroup) -> Attempt:
    """An (event, payload) for *group*: mostly valid and allowed now, sometimes not.

    The first choices (what hypothesis shrinks towards) are the event that moves
    the group on and a valid payload for it.
    """
    moves = MOVES[group.type.name]
    available = [e for e, m in moves.items() if group.stage in m and e != "dissolve"]
    roll = draw(st.integers(0, 199))
    forward = progress_events(group)
    if roll < 100 and forward:
        event = draw(st.sampled_from(forward))
    elif roll < 178 and available:
        event = draw(st.sampled_from(available))
    elif roll < 180:
        event = "dissolve"
    else:
        event = draw(st.sampled_from([e for e in sorted(moves) if e != "dissolve"]))
    payload, ok = VALID[event](draw, group)
    if draw(st.integers(0, 99)) >= 75:
        payload, how = _broken(draw, event, group, payload)
        return Attempt(event, payload, ok=False, how=how)
    return Attempt(event, payload, ok=ok, how="valid")
