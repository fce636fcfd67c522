"""An independent judge of group documents, written from docs/model.md §2-4 and the docs.

``judge(document)`` decides whether a document's head (``stage``, ``version``,
``data``, ``founding``, ``created_at``) could have been produced by firing the
events its history records, in that order, with *some* payloads. It does not
look at the records' ``payload``, ``at`` or ``actor`` beyond their shape: only
``load(..., replay=True)`` holds a group to its recorded payloads.

Nothing here calls kelompok's requirements, invariants or ``load``: the rules are
written again from the model's event table (what each event needs and what it
stores) so that they can judge kelompok's own checker. The model's stage and move
tables come from ``strategies`` (also written from docs/model.md, not read from
kelompok).

Every finding has a *kind*, which says what could catch it:

* ``shape``: the document is not what ``to_dict`` writes (a missing or unknown
  key, a value of the wrong type);
* ``format``: a field that has a default is missing; every ``to_dict``
  writes it, so no event sequence made this document;
* ``history``: the history is not a path of declared moves that ends in the
  stored stage and version (docs/model.md §4.1, §4.2, §4.4);
* ``head``: no event path with this stage and these reached stages makes this
  data: the head alone (stage, reached stages, data, founding, created_at)
  shows it, so the type's invariants can refuse it;
* ``path``: some event path with these reached stages could make this head,
  but not the one recorded: how many ``admit`` events there were, which came
  first. Only a check that reads the history's events can refuse it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

from adversarial.oracle_head import head_alone, head_shape, history_agrees, tail_agrees
from strategies import LIVE, MOVES, PROGRAM_KINDS, SHAREABLE, STAGES, TYPES, WORK_AREAS

SHAPE: Final = "shape"
FORMAT: Final = "format"
HISTORY: Final = "history"
HEAD: Final = "head"
PATH: Final = "path"

TOP_KEYS: Final = (
    "schema_version",
    "type",
    "id",
    "stage",
    "version",
    "created_at",
    "founding",
    "data",
    "history",
)
"""Schema version 1: every document holds its whole history."""
HEAD_KEYS: Final = (
    "schema_version",
    "type",
    "id",
    "stage",
    "version",
    "created_at",
    "reached",
    "counts",
    "marks",
    "founding",
    "data",
)
"""Schema version 2 (docs/model.md §4.4): the head; ``history_from`` and ``history`` may follow."""
RECORD_KEYS: Final = frozenset({"event", "source", "dest", "at", "payload", "actor"})
RUN_STAGE: Final = {"professional": "programmed", "volunteer": "executing"}
"""Where activities are first carried out (docs/model.md §2)."""


@dataclasses.dataclass(frozen=True)
class Finding:
    """One reason why no sequence of the recorded events makes the document."""

    kind: str
    field: str
    what: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.field}: {self.what}"


@dataclasses.dataclass(frozen=True)
class Verdict:
    """What :func:`judge` found; ``accepted`` when nothing."""

    findings: tuple[Finding, ...]

    @property
    def accepted(self) -> bool:
        return not self.findings

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(f.kind for f in self.findings)

    def __str__(self) -> str:
        if self.accepted:
            return "accepted"
        return "refused:\n  " + "\n  ".join(str(f) for f in self.findings)


class _Stop(Exception):
    """The document is too broken to judge further (it is refused already)."""


# -- plain predicates (docs/model.md §3.4: "Blank means empty or whitespace only") ---------


def blank(text: str) -> bool:
    return not text.strip()


def filled(texts: Sequence[str]) -> bool:
    """At least one text, none blank."""
    return len(texts) >= 1 and not any(blank(t) for t in texts)


def same_profession(a: str | None, b: str | None) -> bool:
    """The model's "equals the group's profession (case-insensitive)".

    White space around either is ignored too: ``admit`` accepts "pharmacist "
    in a group of pharmacists (the docs say only "without regard to case").
    """
    return a is not None and b is not None and a.strip().casefold() == b.strip().casefold()


def utc(value: Any) -> dt.datetime | None:
    """An ISO time with an offset, as an aware UTC datetime; ``None`` if it is not one."""
    if type(value) is not str:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.utcoffset() is None:
        return None
    try:
        return moment.astimezone(dt.timezone.utc)
    except OverflowError:
        return None


def iso_date(value: Any) -> dt.date | None:
    if type(value) is not str:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _is_json(value: Any) -> bool:
    kind = type(value)
    if kind is dict:
        return all(type(k) is str and _is_json(v) for k, v in value.items())
    if kind is list:
        return all(_is_json(v) for v in value)
    return kind in (str, int, float, bool, type(None))


# -- shapes: what to_dict writes ---------------------------------------------------------------

_REQUIRED = object()
Check = Callable[[Any], bool]


def _text(v: Any) -> bool:
    return type(v) is str


def _nonblank(v: Any) -> bool:
    return type(v) is str and not blank(v)


def _opt_text(v: Any) -> bool:
    return v is None or type(v) is str


def _int(v: Any) -> bool:
    return type(v) is int


def _texts(v: Any) -> bool:
    return type(v) is list and all(type(x) is str for x in v)


def _date(v: Any) -> bool:
    return iso_date(v) is not None


@dataclasses.dataclass(frozen=True)
class Shape:
    """The fields of one record: name -> (check or nested shape, default or _REQUIRED)."""

    name: str
    fields: Mapping[str, tuple[Any, Any]]


def _list_of(shape: Any) -> tuple[str, Any]:
    return ("list", shape)


def _map_of(shape: Any) -> tuple[str, Any]:
    return ("map", shape)


def _optional(shape: Any) -> tuple[str, Any]:
    return ("optional", shape)


MEMBER = Shape(
    "Member",
    {"id": (_nonblank, _REQUIRED), "name": (_nonblank, _REQUIRED), "profession": (_opt_text, None)},
)
DIVISION = Shape(
    "Division",
    {
        "name": (_text, _REQUIRED),
        "responsibility": (_text, _REQUIRED),
        "head": (_opt_text, None),
    },
)
PROGRAM = Shape(
    "Program",
    {
        "id": (_nonblank, _REQUIRED),
        "name": (_nonblank, _REQUIRED),
        "kind": (_text, _REQUIRED),
        "division": (_text, _REQUIRED),
        "activities": (_texts, _REQUIRED),
    },
)
PARTNER_REF = Shape(
    "PartnerRef", dict.fromkeys(("id", "name", "type", "stage"), (_nonblank, _REQUIRED))
)
REJECTION = Shape("Rejection", {"member": (MEMBER, _REQUIRED), "reason": (_text, _REQUIRED)})
CHARTER = Shape(
    "Charter",
    {
        "vision": (_text, _REQUIRED),
        "mission": (_text, _REQUIRED),
        "goals": (_texts, _REQUIRED),
        "steps": (_texts, _REQUIRED),
    },
)
STRUCTURE = Shape(
    "Structure",
    {
        "chair": (_text, _REQUIRED),
        "secretary": (_text, _REQUIRED),
        "treasurer": (_text, _REQUIRED),
        "divisions": (_list_of(DIVISION), _REQUIRED),
    },
)
ACTIVITY = Shape(
    "Activity",
    {
        "program": (_text, _REQUIRED),
        "activity": (_text, _REQUIRED),
        "held_on": (_date, _REQUIRED),
        "participants": (_int, _REQUIRED),
        "outcome": (_text, _REQUIRED),
    },
)
EVALUATION = Shape(
    "Evaluation",
    {
        "goal_results": (_map_of(_int), _REQUIRED),
        "findings": (_text, _REQUIRED),
        "improvements": (_texts, []),
    },
)
PARTNERSHIP = Shape(
    "Partnership",
    {
        "partner": (PARTNER_REF, _REQUIRED),
        "purpose": (_text, _REQUIRED),
        "shared": (_texts, _REQUIRED),
    },
)
DATA = Shape(
    "FormationData",
    {
        "name": (_text, _REQUIRED),
        "profession": (_opt_text, None),
        "work_area": (_opt_text, None),
        "needs": (_texts, []),
        "founders": (_texts, []),
        "members": (_map_of(MEMBER), {}),
        "rejections": (_list_of(REJECTION), []),
        "charter": (_optional(CHARTER), None),
        "structure": (_optional(STRUCTURE), None),
        "programs": (_map_of(PROGRAM), {}),
        "teams": (_map_of(_texts), {}),
        "activities": (_list_of(ACTIVITY), []),
        "evaluations": (_list_of(EVALUATION), []),
        "improvements": (_texts, []),
        "partners": (_map_of(PARTNERSHIP), {}),
        "dissolution": (_opt_text, None),
    },
)
FOUNDING = {
    "professional": Shape(
        "NewProfessional", {"name": (_nonblank, _REQUIRED), "profession": (_nonblank, _REQUIRED)}
    ),
    "volunteer": Shape("NewVolunteer", {"name": (_nonblank, _REQUIRED)}),
}


# -- the judge -----------------------------------------------------------------------------------


class _Judge:
    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def add(self, kind: str, field: str, what: str) -> None:
        self.findings.append(Finding(kind, field, what))

    def head(self, ok: object, field: str, what: str) -> None:
        if not ok:
            self.add(HEAD, field, what)

    def path(self, ok: object, field: str, what: str) -> None:
        if not ok:
            self.add(PATH, field, what)

    def stop_if_broken(self) -> None:
        if any(f.kind in (SHAPE, HISTORY) for f in self.findings):
            raise _Stop

    # -- shape ---------------------------------------------------------------------------

    def conform(  # noqa: C901, PLR0911, PLR0912 -- one case per kind of shape
        self, value: Any, shape: Any, where: str
    ) -> Any:
        """*value* checked against *shape*; missing defaults filled in (and reported)."""
        if isinstance(shape, Shape):
            if type(value) is not dict:
                self.add(SHAPE, where, f"must be a {shape.name} object, got {value!r}")
                return None
            out = {}
            for key in value:
                if key not in shape.fields:
                    self.add(SHAPE, f"{where}.{key}", f"is not a field of {shape.name}")
            for key, (inner, default) in shape.fields.items():
                if key in value:
                    out[key] = self.conform(value[key], inner, f"{where}.{key}")
                elif default is _REQUIRED:
                    self.add(SHAPE, f"{where}.{key}", "is missing")
                else:
                    self.add(FORMAT, f"{where}.{key}", "is missing (to_dict always writes it)")
                    out[key] = default
            return out
        if isinstance(shape, tuple):
            how, inner = shape
            if how == "optional":
                return None if value is None else self.conform(value, inner, where)
            if how == "list":
                if type(value) is not list:
                    self.add(SHAPE, where, f"must be a list, got {value!r}")
                    return None
                return [self.conform(v, inner, f"{where}[{i}]") for i, v in enumerate(value)]
            if type(value) is not dict:
                self.add(SHAPE, where, f"must be an object, got {value!r}")
                return None
            return {k: self.conform(v, inner, f"{where}.{k}") for k, v in value.items()}
        if not shape(value):
            self.add(SHAPE, where, f"{value!r} is not {shape.__name__.strip('_')}")
        return value

    def header(self, doc: Any) -> tuple[str, str, dt.datetime, int]:  # noqa: C901 -- one check per field
        if not isinstance(doc, Mapping):
            self.add(SHAPE, "document", "must be an object")
            raise _Stop
        schema = doc.get("schema_version")
        if type(schema) is not int or schema not in (1, 2):
            self.add(SHAPE, "schema_version", "must be 1 or 2")
            raise _Stop
        keys, tail = (TOP_KEYS, ()) if schema == 1 else (HEAD_KEYS, ("history_from", "history"))
        for key in keys:
            if key not in doc:
                self.add(SHAPE, key, "is missing")
        for key in doc:
            if key not in keys and key not in tail:
                self.add(SHAPE, str(key), "is not a document field")
        if "history_from" in doc and "history" not in doc:
            self.add(SHAPE, "history_from", "without a history")
        self.stop_if_broken()
        type_name = doc["type"]
        if type_name not in TYPES:
            self.add(SHAPE, "type", f"{type_name!r} is not a group type")
            raise _Stop
        if not _nonblank(doc["id"]):
            self.add(SHAPE, "id", "must be non-blank text")
        created = utc(doc["created_at"])
        if created is None:
            self.add(SHAPE, "created_at", "must be an ISO time with an offset")
        if doc["stage"] not in STAGES[type_name]:
            self.add(SHAPE, "stage", f"is not a {type_name} stage")
        version = doc["version"]
        if type(version) is not int or version < 0:
            self.add(SHAPE, "version", "must be a whole number >= 0")
        self.stop_if_broken()
        assert created is not None
        return type_name, doc["stage"], created, schema

    # -- history: docs/model.md §4.1, §4.2, §4.4 ------------------------------------------

    def history(  # noqa: C901, PLR0912 -- one check per rule of docs/model.md §4.1, §4.2
        self, type_name: str, doc: Mapping[str, Any], start: Any = 0
    ) -> tuple[list[str], set[str]]:
        """The recorded events, and every stage the group was in.

        With *start* (``history_from``), the records are the latest ones: they start
        where the first says, with the stages up to ``reached`` entered already.
        """
        raw = doc["history"]
        if type(raw) is not list:
            self.add(SHAPE, "history", "must be a list")
            raise _Stop
        live = LIVE[type_name]
        moves = MOVES[type_name]
        stage, peak = live[0], 0
        if start != 0:
            if type(start) is not int or not 1 <= start <= doc["version"]:
                self.add(SHAPE, "history_from", "must be from 1 to the version")
                raise _Stop
            first = raw[0] if raw else None
            stage = first.get("source") if type(first) is dict else doc["stage"]
            peak = live.index(doc["reached"])
        top = peak
        events: list[str] = []
        for i, rec in enumerate(raw):
            where = f"history[{i}]"
            if type(rec) is not dict or rec.keys() != RECORD_KEYS:
                self.add(SHAPE, where, "must be an object with exactly " + ", ".join(RECORD_KEYS))
                continue
            event, source, dest = rec["event"], rec["source"], rec["dest"]
            if type(event) is not str or event not in moves:
                self.add(HISTORY, where, f"{event!r} is not a {type_name} event")
            elif source != stage:
                self.add(
                    HISTORY, where, f"starts in {source!r}, the step before ended in {stage!r}"
                )
            elif type(source) is not str or source not in moves[event]:
                self.add(HISTORY, where, f"{event!r} is not allowed in {source!r}")
            elif (moves[event][source] or source) != dest:
                self.add(HISTORY, where, f"{event!r} leads from {source!r} elsewhere than {dest!r}")
            elif dest in live and live.index(dest) > peak:
                if live.index(dest) != peak + 1:
                    self.add(HISTORY, where, f"enters {dest!r} before {live[peak + 1]!r}")
                peak = live.index(dest)
            if utc(rec["at"]) is None:
                self.add(SHAPE, f"{where}.at", "must be an ISO time with an offset")
            if type(rec["payload"]) is not dict or not _is_json(rec["payload"]):
                self.add(SHAPE, f"{where}.payload", "must be a JSON object")
            if not _opt_text(rec["actor"]):
                self.add(SHAPE, f"{where}.actor", "must be text or null")
            events.append(event)
            stage = dest if type(dest) is str else stage
        self.stop_if_broken()
        if stage != doc["stage"]:
            self.add(HISTORY, "stage", f"is {doc['stage']!r}, the history ends in {stage!r}")
        if doc["version"] != start + len(raw):
            self.add(HISTORY, "version", f"is {doc['version']}, the history has {len(raw)} events")
        if start and peak != top:
            self.add(HISTORY, "history", "enters a stage after reached")
        self.stop_if_broken()
        return events, set(live[: peak + 1])


def judge(document: Any) -> Verdict:
    """Whether the recorded events, in order, with some payloads, make *document*."""
    j = _Judge()
    try:
        type_name, stage, created, schema = j.header(document)
        events, reached = _events(j, type_name, document, schema)
        founding = j.conform(document["founding"], FOUNDING[type_name], "founding")
        data = j.conform(document["data"], DATA, "data")
        j.stop_if_broken()
        _Facts(j, type_name, document["id"], stage, reached, created, founding, data).check()
        _Path(j, type_name, events, data).check()
    except _Stop:
        pass
    return Verdict(tuple(j.findings))


def _events(
    j: _Judge, type_name: str, doc: Mapping[str, Any], schema: int
) -> tuple[list[str], set[str]]:
    """The events the document records (or its head implies), and the stages reached."""
    live = LIVE[type_name]
    if schema == 2 and not head_shape(type_name, doc, lambda f, w: j.add(SHAPE, f, w)):
        raise _Stop

    def refuse(field: str, what: str) -> None:
        j.add(HISTORY, field, what)

    if "history" not in doc:
        found = head_alone(type_name, doc, refuse)
        j.stop_if_broken()
        assert found is not None
        events, rank = found
        return events, set(live[: rank + 1])
    start = doc.get("history_from", 0)
    events, reached = j.history(type_name, doc, start)
    if schema == 2 and not start:
        history_agrees(doc, events, len(reached) - 1, live, refuse)
    elif schema == 2:
        tail_agrees(doc, events, refuse)
        found = head_alone(type_name, doc, refuse)
        if found is not None:
            events = found[0]
    j.stop_if_broken()
    return events, reached


# -- the head: what any event path with these reached stages leaves -------------------------------


@dataclasses.dataclass
class _Facts:
    j: _Judge
    type_name: str
    group_id: str
    stage: str
    reached: set[str]
    created: dt.datetime
    founding: dict[str, Any]
    d: dict[str, Any]

    @property
    def pro(self) -> bool:
        return self.type_name == "professional"

    def check(self) -> None:
        for part in (
            self.founding_and_kind,
            self.needs,
            self.founders_and_members,
            self.rejections,
            self.charter,
            self.structure,
            self.programs,
            self.teams,
            self.activities,
            self.evaluations,
            self.improvements,
            self.partners,
            self.dissolution,
        ):
            part()

    def founding_and_kind(self) -> None:
        d, h = self.d, self.j.head
        h(d["name"] == self.founding["name"], "data.name", "is not the founding name")
        h(d["profession"] == self.founding.get("profession"), "data.profession", "not founding's")
        if self.pro:
            h(d["work_area"] is None, "data.work_area", "a professional group has none")
            h(not d["teams"], "data.teams", "a professional group has no execute")
        elif "needs_identified" in self.reached:
            h(d["work_area"] in WORK_AREAS, "data.work_area", "identify_needs sets an area")
        else:
            h(d["work_area"] is None, "data.work_area", "set before identify_needs")

    def needs(self) -> None:
        needs = self.d["needs"]
        if "needs_identified" in self.reached:
            self.j.head(filled(needs), "data.needs", "identify_needs stores >= 1, none blank")
        else:
            self.j.head(not needs, "data.needs", "needs before identify_needs")

    def founders_and_members(self) -> None:
        d, h = self.d, self.j.head
        founders, members = d["founders"], d["members"]
        for key, m in members.items():
            h(key == m["id"], f"data.members.{key}", "is not keyed by its own id")
            if self.pro:  # founders and admitted members alike share the profession
                h(same_profession(m["profession"], d["profession"]), f"data.members.{key}", "job")
        if "core_formed" in self.reached:
            h(len(set(founders)) == len(founders) >= 2, "data.founders", ">= 2 distinct")
            h(all(f in members for f in founders), "data.founders", "founders are members")
        else:
            h(not founders and not members, "data.founders", "founders before form_core_group")
        if "recruiting" not in self.reached:
            h(set(members) == set(founders), "data.members", "admitted before recruiting")

    def rejections(self) -> None:
        rejections = self.d["rejections"]
        self.j.head(
            not rejections or "recruiting" in self.reached, "data.rejections", "before recruiting"
        )
        for i, r in enumerate(rejections):
            where = f"data.rejections[{i}]"
            self.j.head(not blank(r["reason"]), where, "a rejection gives a reason")
            # reject needs a candidate who is not a member; founders are members from the start
            self.j.head(r["member"]["id"] not in self.d["founders"], where, "rejects a founder")

    def charter(self) -> None:
        c = self.d["charter"]
        if c is not None:
            ok = not blank(c["vision"]) and not blank(c["mission"])
            self.j.head(ok and filled(c["goals"]) and filled(c["steps"]), "data.charter", "blank")
            self.j.head("core_formed" in self.reached, "data.charter", "before core_formed")
        else:
            self.j.head(
                "recruiting" not in self.reached, "data.charter", "open_recruitment needs it"
            )

    def structure(self) -> None:
        s, members = self.d["structure"], self.d["members"]
        if s is None:
            self.j.head("structured" not in self.reached, "data.structure", "missing")
            return
        h = self.j.head
        h("structured" in self.reached, "data.structure", "before establish_structure")
        officers = [s["chair"], s["secretary"], s["treasurer"]]
        h(len(set(officers)) == 3, "data.structure", "officers are three different people")
        h(all(o in members for o in officers), "data.structure", "officers are members")
        names = [x["name"] for x in s["divisions"]]
        h(filled(names) and len(set(names)) == len(names), "data.structure", "division names")
        h(all(x["head"] is None or x["head"] in members for x in s["divisions"]), "data", "head")
        h(len(members) > len(self.d["founders"]), "data.structure", "needs an admitted member")

    def programs(self) -> None:
        programs = self.d["programs"]
        s = self.d["structure"]
        divisions = {x["name"] for x in s["divisions"]} if s is not None else set()
        if "programmed" not in self.reached:
            self.j.head(not programs, "data.programs", "before plan_programs")
            return
        self.j.head(programs, "data.programs", "plan_programs stores >= 1")
        for key, p in programs.items():
            where = f"data.programs.{key}"
            h = self.j.head
            h(key == p["id"], where, "is not keyed by its own id")
            h(filled(p["activities"]), where, ">= 1 activity, none blank")
            h(p["division"] in divisions, where, "names no division")
            if self.pro:
                h(p["kind"] in PROGRAM_KINDS, where, f"kind {p['kind']!r}")
            else:
                h(p["kind"] == self.d["work_area"], where, "kind is not the work area")

    def teams(self) -> None:
        if self.pro:
            return
        teams = self.d["teams"]
        if "executing" not in self.reached:
            self.j.head(not teams, "data.teams", "before execute")
            return
        self.j.head(teams, "data.teams", "execute gives every program (>= 1) a team")
        for key, team in teams.items():
            where = f"data.teams.{key}"
            self.j.head(key in self.d["programs"], where, "team of no program")
            self.j.head(team, where, "an empty team")
            self.j.head(all(m in self.d["members"] for m in team), where, "non-members")

    def activities(self) -> None:
        d = self.d
        activities, programs = d["activities"], d["programs"]
        run = RUN_STAGE[self.type_name]
        self.j.head(not activities or run in self.reached, "data.activities", f"before {run}")
        # each develop stores >= 1 improvement, and only develop stores improvements
        developed = bool(d["improvements"])
        for i, a in enumerate(activities):
            where = f"data.activities[{i}]"
            h = self.j.head
            h(a["program"] in programs, where, "of no program (programs are never removed)")
            if a["program"] in programs and not developed:
                h(a["activity"] in programs[a["program"]]["activities"], where, "not listed")
            h(a["participants"] >= 1, where, "participants >= 1")
            h(iso_date(a["held_on"]) >= self.created.date(), where, "held before creation")
        if self.pro:
            self.j.head(
                activities or "evaluating" not in self.reached, "data.activities", "evaluate needs"
            )
        else:
            self.j.head(
                activities or "collaborating" not in self.reached, "data.activities", "collaborate"
            )

    def evaluations(self) -> None:
        evaluations = self.d["evaluations"]
        for i, e in enumerate(evaluations):
            where = f"data.evaluations[{i}]"
            h = self.j.head
            results = e["goal_results"]
            # it scored exactly the goals of the charter of its day: >= 1 goal, none blank
            h(filled(list(results)), where, "scores no goal, or a blank one")
            h(all(0 <= s <= 100 for s in results.values()), where, "score outside 0-100")
            h(not blank(e["findings"]), where, "blank findings")
        self.j.head(not evaluations or self.d["activities"], "data.evaluations", "needs activity")
        if self.pro:
            self.j.head(
                bool(evaluations) == ("evaluating" in self.reached), "data.evaluations", "iff"
            )
        else:
            self.j.head(
                not evaluations or "executing" in self.reached, "data.evaluations", "too early"
            )

    def improvements(self) -> None:
        improvements, h = self.d["improvements"], self.j.head
        h(not any(blank(x) for x in improvements), "data.improvements", "blank")
        if not self.pro:
            h(not improvements, "data.improvements", "a volunteer group has no develop")
            return
        h(not improvements or "evaluating" in self.reached, "data.improvements", "before develop")
        if self.stage == "programmed" and "evaluating" in self.reached:
            # back in programmed after evaluating: only develop leads there
            h(improvements, "data.improvements", "develop stores >= 1")

    def partners(self) -> None:
        partners = self.d["partners"]
        self.j.head(
            bool(partners) == ("collaborating" in self.reached), "data.partners", "iff collab"
        )
        allowed = LIVE[self.type_name][4:]  # structured and later, not dissolved
        for key, p in partners.items():
            where = f"data.partners.{key}"
            ref = p["partner"]
            h = self.j.head
            h(key == ref["id"], where, "is not keyed by the partner's id")
            h(ref["type"] == self.type_name, where, "of another type")
            h(ref["id"] != self.group_id, where, "the group itself")
            h(ref["stage"] in allowed, where, f"partner in stage {ref['stage']!r}")
            h(not blank(p["purpose"]), where, "blank purpose")
            h(p["shared"] and all(x in SHAREABLE for x in p["shared"]), where, "shares what?")

    def dissolution(self) -> None:
        reason = self.d["dissolution"]
        if self.stage == "dissolved":
            ok = reason is not None and not blank(reason)
            self.j.head(ok, "data.dissolution", "dissolve stores a reason")
        else:
            self.j.head(reason is None, "data.dissolution", "a live group has no dissolution")


# -- the path: what these events, in this order, leave ---------------------------------------------


@dataclasses.dataclass
class _Path:
    j: _Judge
    type_name: str
    events: list[str]
    d: dict[str, Any]

    def at(self, *names: str) -> list[int]:
        return [i for i, e in enumerate(self.events) if e in names]

    def count(self, name: str) -> int:
        return self.events.count(name)

    def check(self) -> None:
        self.feasible()
        self.counts()
        self.charter_and_evaluations()
        self.admissions()
        self.program_additions()
        self.developed_after_activities()

    def feasible(self) -> None:
        """Each event's requirements on the group alone could have been met when it fired."""
        needs = {
            "open_recruitment": ("adopt_charter",),
            "establish_structure": ("admit",),
            "evaluate": ("record_activity",),
            "collaborate": ("record_activity",) if self.type_name == "volunteer" else ("evaluate",),
        }
        for i, event in enumerate(self.events):
            for before in needs.get(event, ()):
                ok = before in self.events[:i]
                self.j.path(ok, f"history[{i}]", f"{event!r} with no {before!r} before it")

    def counts(self) -> None:
        d, p = self.d, self.j.path
        if "form_core_group" in self.events:
            grown = len(d["founders"]) + self.count("admit")
            p(len(d["members"]) == grown, "data.members", "founders + one per admit")
        p(len(d["rejections"]) == self.count("reject"), "data.rejections", "one per reject")
        p(len(d["activities"]) == self.count("record_activity"), "data.activities", "one per")
        p(len(d["evaluations"]) == self.count("evaluate"), "data.evaluations", "one per evaluate")
        p(len(d["partners"]) == self.count("collaborate"), "data.partners", "one per collaborate")
        p(
            (d["charter"] is not None) == ("adopt_charter" in self.events),
            "data.charter",
            "there is a charter exactly when one was adopted",
        )
        developed = self.count("develop")
        p(len(d["improvements"]) >= developed, "data.improvements", ">= 1 per develop")
        p(developed or not d["improvements"], "data.improvements", "without develop")
        if "plan_programs" in self.events:  # plan_programs stores >= 1, add_program one more each
            least = 1 + self.count("add_program")
            p(len(d["programs"]) >= least, "data.programs", "fewer than plan + add_program")
        if "execute" in self.events:
            # the teams are the programs at execute: planned (>= 1) or added before it
            (x,) = self.at("execute")
            before = sum(1 for i in self.at("add_program") if i < x)
            after = self.count("add_program") - before
            p(len(d["teams"]) >= 1 + before, "data.teams", "fewer than the programs then")
            p(len(d["programs"]) == len(d["teams"]) + after, "data.programs", "teams + added")

    def charter_and_evaluations(self) -> None:
        """An evaluation scores the goals of the charter adopted last before it."""
        evaluations, charter = self.d["evaluations"], self.d["charter"]
        at = self.at("evaluate")
        if len(at) != len(evaluations):
            return  # counts() said so
        adopted = self.at("adopt_charter")
        by_charter: dict[int, set[frozenset[str]]] = {}
        for i, e in zip(at, evaluations, strict=True):
            nth = sum(1 for a in adopted if a < i)
            by_charter.setdefault(nth, set()).add(frozenset(e["goal_results"]))
        for nth, goal_sets in by_charter.items():
            self.j.path(len(goal_sets) == 1, "data.evaluations", "one charter, other goals")
            if nth == len(adopted) and charter is not None:
                now = {frozenset(charter["goals"])}
                self.j.path(goal_sets == now, "data.evaluations", "not the current goals")

    def admissions(self) -> None:
        """Every admitted member has an ``admit`` of their own, at a time that fits them.

        After every rejection of them (``reject`` needs a non-member), before
        ``establish_structure`` if they are an officer or a division head, and
        before ``execute`` if they are in a team (both need members).
        """
        d = self.d
        admits = self.at("admit")
        admitted = [m for m in d["members"] if m not in d["founders"]]
        rejects = self.at("reject")
        if len(admits) != len(admitted) or len(rejects) != len(d["rejections"]):
            return  # counts() said so
        lo = dict.fromkeys(admitted, -1)
        for i, r in zip(rejects, d["rejections"], strict=True):
            if r["member"]["id"] in lo:
                lo[r["member"]["id"]] = max(lo[r["member"]["id"]], i)
        hi = dict.fromkeys(admitted, len(self.events))
        s = d["structure"]
        for when, ids in (
            (self.at("establish_structure"), _structure_ids(s)),
            (self.at("execute"), [m for team in d["teams"].values() for m in team]),
        ):
            for m in ids:
                if when and m in hi:
                    hi[m] = min(hi[m], when[0])
        fits = _fits(admits, [(lo[m], hi[m]) for m in admitted])
        self.j.path(fits, "data.members", "no order of the admits fits the rejections/offices")

    def program_additions(self) -> None:
        """An activity's program existed when it was recorded; each add_program added one."""
        d = self.d
        recorded = self.at("record_activity")
        if len(recorded) != len(d["activities"]) or "plan_programs" not in self.events:
            return
        first_use = dict.fromkeys(d["programs"], len(self.events))
        for i, a in zip(recorded, d["activities"], strict=True):
            if a["program"] in first_use:
                first_use[a["program"]] = min(first_use[a["program"]], i)
        adds = self.at("add_program")
        if "execute" in self.events:  # volunteer: programs without a team came after execute
            (x,) = self.at("execute")
            late = sorted(first_use[p] for p in d["programs"] if p not in d["teams"])
            late_adds = [i for i in adds if i > x]
            ok = len(late) == len(late_adds) and all(
                a < u for a, u in zip(late_adds, late, strict=True)
            )
            self.j.path(ok, "data.programs", "a program used before it was added")
            return
        # plan_programs comes before every activity; each add_program needs a program of its own
        uses = sorted(first_use.values(), reverse=True)
        for k, a in enumerate(sorted(adds, reverse=True), 1):
            ok = sum(1 for u in uses if u > a) >= k
            self.j.path(ok, "data.programs", "add_program of a program used before it")
            if not ok:
                break

    def developed_after_activities(self) -> None:
        """An activity its program no longer lists: a develop replaced the program since."""
        d = self.d
        recorded = self.at("record_activity")
        if len(recorded) != len(d["activities"]):
            return
        developed = self.at("develop")
        for i, a in zip(recorded, d["activities"], strict=True):
            program = d["programs"].get(a["program"])
            if program is not None and a["activity"] not in program["activities"]:
                ok = any(x > i for x in developed)
                self.j.path(ok, f"history[{i}]", "no develop since replaced its program")


def _structure_ids(s: Mapping[str, Any] | None) -> list[str]:
    if s is None:
        return []
    heads = [x["head"] for x in s["divisions"] if x["head"] is not None]
    return [s["chair"], s["secretary"], s["treasurer"], *heads]


def _fits(points: Iterable[int], windows: list[tuple[int, int]]) -> bool:
    """Whether every window ``(lo, hi)`` gets a point of its own with ``lo < point < hi``.

    Earliest deadline first: at each point, of the windows open by then, the one
    that closes first takes it.
    """
    pending = sorted(windows)
    open_: list[int] = []
    taken = 0
    for point in sorted(points):
        while taken < len(pending) and pending[taken][0] < point:
            heapq.heappush(open_, pending[taken][1])
            taken += 1
        if not open_ or heapq.heappop(open_) <= point:
            return False
    return not open_ and taken == len(pending)


# -- normalising, for comparing a document with what load makes of it -----------------------------


def normalise(document: dict[str, Any]) -> dict[str, Any]:
    """*document* as ``to_dict`` would write it: times in UTC, dates in ISO form.

    Dict equality already ignores key order.
    """
    out = dict(document)
    created = utc(document["created_at"])
    if created is not None:
        out["created_at"] = created.isoformat()
    data = document["data"]
    if isinstance(data, dict) and isinstance(data.get("activities"), list):
        out["data"] = {
            **data,
            "activities": [
                {**a, "held_on": iso_date(a["held_on"]).isoformat()}
                if isinstance(a, dict) and iso_date(a.get("held_on")) is not None
                else a
                for a in data["activities"]
            ],
        }
    return out
