"""Issue 8, item 8: values that lie about themselves are judged by what they are.

``str`` and ``int`` subclasses whose methods lie, value objects built with attrs
validators disabled or with ``object.__new__``, and objects whose ``__class__``
lies are either refused with ``TransitionNotAllowed`` (or ``InvalidGroupData``
for ``create``), or accepted with their real value checked and stored as exactly
``str``/``int``; the group's own document is never refused afterwards.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import attrs
import pytest

import kelompok
from adversarial.helpers import TYPES, assert_own_document_loads, outcome, snapshot
from builders import at, new, partner_for, payloads
from kelompok import Division, Member, PartnerRef, Program

PRO, VOL = kelompok.PROFESSIONAL, kelompok.VOLUNTEER


class LyingStr(str):  # noqa: SLOT000 -- it keeps what it poses as; str allows no slots
    """Text that claims to be anything: equal to all, never blank, whatever it poses as.

    It hashes and lower-cases as *pose* (so it is found in sets and dicts of the
    text it poses as), compares equal to everything, and says it is not blank.
    """

    def __new__(cls, real: str, pose: str = "pharmacist") -> LyingStr:  # noqa: PYI034
        self = super().__new__(cls, real)
        self.pose = pose
        return self

    def __eq__(self, other: object) -> bool:
        return True

    def __ne__(self, other: object) -> bool:
        return False

    def __hash__(self) -> int:
        return hash(self.pose)

    def __str__(self) -> str:
        return self.pose

    def __len__(self) -> int:
        return 5

    def strip(self, chars: str | None = None) -> LyingStr:
        return self

    lstrip = rstrip = strip

    def lower(self) -> str:
        return self.pose

    casefold = upper = lower

    def isidentifier(self) -> bool:
        return True

    def isspace(self) -> bool:
        return False


class LyingInt(int):
    """A number that is in every range, equal to all, and 5 when converted."""

    __slots__ = ()

    def __ge__(self, other: object) -> bool:
        return True

    def __le__(self, other: object) -> bool:
        return True

    def __gt__(self, other: object) -> bool:
        return True

    def __lt__(self, other: object) -> bool:
        return False

    def __eq__(self, other: object) -> bool:
        return True

    def __ne__(self, other: object) -> bool:
        return False

    __hash__ = int.__hash__

    def __int__(self) -> int:
        return 5

    def __index__(self) -> int:
        return 5

    def __bool__(self) -> bool:
        return True


class Impostor:
    """Claims to be an instance of another class (``isinstance`` believes it)."""

    def __init__(self, claims: type, **fields: Any) -> None:
        self.__dict__.update(fields)
        self.__dict__["_claims"] = claims

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return self.__dict__["_claims"]


# -- groups ready for an event, and a valid payload for it -------------------------------


def ready(group_type: Any, event: str) -> Any:  # noqa: PLR0911 -- one stage per event
    """A group of *group_type* in which *event* with its builders payload is allowed."""
    given = payloads(group_type)
    if event in ("identify_needs", "dissolve"):
        return new(group_type)
    if event == "form_core_group":
        return at(group_type, "needs_identified")
    if event == "adopt_charter":
        return at(group_type, "core_formed")
    if event in ("admit", "reject"):
        return at(group_type, "recruiting")
    if event == "establish_structure":
        return at(group_type, "recruiting").fire("admit", **given["admit"])
    if event == "plan_programs":
        return at(group_type, "structured")
    if event == "record_activity":
        return at(group_type, "executing" if group_type is VOL else "programmed")
    if event == "collaborate" and group_type is PRO:
        return at(group_type, "evaluating")
    if event in ("evaluate", "collaborate"):
        g = at(group_type, "executing" if group_type is VOL else "programmed")
        return g.fire("record_activity", **given["record_activity"])
    raise AssertionError(event)


def valid(group_type: Any, event: str) -> dict[str, Any]:
    if event == "reject":
        member = {"id": "zed", "name": "Zed"}
        if group_type is PRO:
            member["profession"] = "pharmacist"
        return {"member": member, "reason": "no time"}
    if event == "collaborate":
        return {"partner": partner_for(group_type), "purpose": "joint work", "shared": ["ideas"]}
    return copy.deepcopy(payloads(group_type)[event])


def assert_refused(g: Any, event: str, payload: dict[str, Any]) -> None:
    before = snapshot(g)
    with pytest.raises(kelompok.TransitionNotAllowed):
        g.fire(event, **payload)
    assert before == snapshot(g)
    assert g.why_not(event, **payload)


def assert_refused_or_real(g: Any, event: str, payload: dict[str, Any]) -> bool:
    """Refused, or accepted and stored as plain values; True when accepted."""
    before = snapshot(g)
    try:
        g.fire(event, **payload)
    except kelompok.TransitionNotAllowed:
        assert before == snapshot(g)
        return False
    assert_own_document_loads(g)
    return True


# -- str subclasses ------------------------------------------------------------------------

Edit = Callable[[dict[str, Any]], None]


def _set(path: tuple[Any, ...], value: Any) -> Edit:
    def edit(payload: dict[str, Any]) -> None:
        target: Any = payload
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return edit


BLANK = LyingStr("")
SPACE = LyingStr("   ")

BLANK_TEXT_CASES: dict[str, tuple[str, Edit]] = {
    "founder id": ("form_core_group", _set(("founders", 0, "id"), BLANK)),
    "founder name": ("form_core_group", _set(("founders", 1, "name"), SPACE)),
    "need": ("identify_needs", _set(("needs",), [SPACE])),
    "vision": ("adopt_charter", _set(("vision",), BLANK)),
    "mission": ("adopt_charter", _set(("mission",), SPACE)),
    "goal": ("adopt_charter", _set(("goals",), [SPACE])),
    "step": ("adopt_charter", _set(("steps",), [BLANK])),
    "member id": ("admit", _set(("member", "id"), BLANK)),
    "member name": ("admit", _set(("member", "name"), SPACE)),
    "rejection reason": ("reject", _set(("reason",), SPACE)),
    "division name": ("establish_structure", _set(("divisions", 0, "name"), SPACE)),
    "program id": ("plan_programs", _set(("programs", 0, "id"), SPACE)),
    "program name": ("plan_programs", _set(("programs", 0, "name"), BLANK)),
    "activity": ("plan_programs", _set(("programs", 0, "activities"), [SPACE])),
    "outcome": ("record_activity", _set(("outcome",), SPACE)),
    "findings": ("evaluate", _set(("findings",), SPACE)),
    "purpose": ("collaborate", _set(("purpose",), SPACE)),
    "dissolution reason": ("dissolve", _set(("reason",), SPACE)),
}


@TYPES
@pytest.mark.parametrize("case", list(BLANK_TEXT_CASES))
def test_a_blank_text_that_claims_not_to_be_is_refused(group_type, case):
    event, edit = BLANK_TEXT_CASES[case]
    g = ready(group_type, event)
    payload = valid(group_type, event)
    edit(payload)
    if case == "outcome":  # an activity's outcome may be blank: then judge the real value
        assert_refused_or_real(g, event, payload)
        return
    assert_refused(g, event, payload)


LIAR_CASES: dict[str, tuple[Any, str, Edit]] = {
    "profession": (
        PRO,
        "admit",
        _set(("member", "profession"), LyingStr("nurse")),  # lower() says "pharmacist"
    ),
    "founder profession": (PRO, "form_core_group", _set(("founders", 0, "profession"), SPACE)),
    "program kind (professional)": (PRO, "plan_programs", _set(("programs", 0, "kind"), SPACE)),
    "program kind (volunteer)": (VOL, "plan_programs", _set(("programs", 0, "kind"), SPACE)),
    "work area": (VOL, "identify_needs", _set(("work_area",), LyingStr("nowhere"))),
    "program division": (
        PRO,
        "plan_programs",
        _set(("programs", 0, "division"), LyingStr("Nowhere", pose="Education")),
    ),
    "shared": (PRO, "collaborate", _set(("shared",), [LyingStr("gold")])),
    "goal result keys": (
        PRO,
        "evaluate",
        _set(("goal_results",), {LyingStr("x", pose="grow"): 70, LyingStr("y", pose="serve"): 60}),
    ),
    "selection criteria": (
        VOL,
        "admit",
        _set(
            ("scores",),
            {LyingStr("luck", pose="commitment"): 4, LyingStr("looks", pose="motivation"): 4},
        ),
    ),
}


@pytest.mark.parametrize("case", list(LIAR_CASES))
def test_a_text_that_claims_to_match_is_judged_by_its_real_value(case):
    group_type, event, edit = LIAR_CASES[case]
    g = ready(group_type, event)
    payload = valid(group_type, event)
    edit(payload)
    assert_refused(g, event, payload)


@pytest.mark.parametrize("field", ["name", "profession", "id"])
def test_create_judges_lying_texts_by_their_real_value(field):
    args: dict[str, Any] = {"name": "Ikatan", "profession": "pharmacist", field: SPACE}
    with pytest.raises(kelompok.CreationRefused):
        PRO.create(**args)
    good = PRO.create(name=LyingStr("Ikatan"), profession=LyingStr("pharmacist"))
    assert_own_document_loads(good)
    assert "Ikatan" == good.to_dict()["data"]["name"]


@TYPES
def test_accepted_lying_texts_are_stored_as_plain_text(group_type):
    g = ready(group_type, "form_core_group")
    payload = valid(group_type, "form_core_group")
    for founder in payload["founders"]:
        for key in list(founder):
            founder[key] = LyingStr(founder[key])
    if assert_refused_or_real(g, "form_core_group", payload):
        assert set(g.to_dict()["data"]["members"]) == {
            f["id"] for f in valid(group_type, "form_core_group")["founders"]
        }
    g = ready(group_type, "identify_needs")
    payload = valid(group_type, "identify_needs")
    payload["needs"] = [LyingStr(n) for n in payload["needs"]]
    assert_refused_or_real(g, "identify_needs", payload)
    g = ready(group_type, "dissolve")
    before = snapshot(g)
    try:
        g.fire("dissolve", actor=LyingStr("bot"), reason=LyingStr("done"))
    except kelompok.KelompokError:
        assert before == snapshot(g)
    else:
        assert_own_document_loads(g)
        record = g.to_dict()["history"][-1]
        assert ("bot", "done") == (record["actor"], record["payload"]["reason"])


# -- int subclasses ----------------------------------------------------------------------------


@TYPES
@pytest.mark.parametrize("real", [0, -1, -9])
def test_a_participants_count_is_judged_by_its_real_value(group_type, real):
    g = ready(group_type, "record_activity")
    payload = valid(group_type, "record_activity")
    payload["participants"] = LyingInt(real)
    assert_refused(g, "record_activity", payload)


@TYPES
def test_an_accepted_lying_int_is_stored_as_its_real_value(group_type):
    g = ready(group_type, "record_activity")
    payload = valid(group_type, "record_activity")
    payload["participants"] = LyingInt(12)  # int() and index() say 5
    if assert_refused_or_real(g, "record_activity", payload):
        stored = g.to_dict()["data"]["activities"][-1]["participants"]
        assert type(stored) is int
        assert 12 == int.__int__(stored)


@TYPES
@pytest.mark.parametrize("real", [-9, 0, 6, 100])
def test_selection_scores_are_judged_by_their_real_value(group_type, real):
    g = ready(group_type, "admit")
    payload = valid(group_type, "admit")
    payload["scores"] = dict.fromkeys(payload["scores"], LyingInt(real))
    assert_refused(g, "admit", payload)


@pytest.mark.parametrize("real", [-9, 101])
def test_goal_results_are_judged_by_their_real_value(real):
    g = ready(PRO, "evaluate")
    payload = valid(PRO, "evaluate")
    payload["goal_results"] = dict.fromkeys(payload["goal_results"], LyingInt(real))
    assert_refused(g, "evaluate", payload)


# -- value objects built without their validators ------------------------------------------


REFUSED_WHEN_BUILT = object()


def _built(cls: type, **fields: Any) -> Any:
    """``cls(**fields)``, or a marker when the constructor itself refuses the lie (fine too)."""
    try:
        return cls(**fields)
    except kelompok.InvalidValue:
        return REFUSED_WHEN_BUILT


def _unvalidated(cls: type, **fields: Any) -> Any:
    with attrs.validators.disabled():
        return _built(cls, **fields)


def _forged(cls: type, **fields: Any) -> Any:
    obj = object.__new__(cls)
    for key, value in fields.items():
        object.__setattr__(obj, key, value)
    return obj


def _outcome(value: Any, fire: Callable[[], Any], group: Any) -> str:
    if value is REFUSED_WHEN_BUILT:
        return "refused"
    return outcome(fire, kelompok.TransitionNotAllowed, group)


def _bad_members(profession: str | None) -> dict[str, Any]:
    return {
        "blank, validators off": _unvalidated(Member, id="", name="", profession=profession),
        "numbers, validators off": _unvalidated(Member, id=5, name=None, profession=profession),
        "lying blank id": _built(Member, id=BLANK, name="Zed", profession=profession),
        "object.__new__ blank": _forged(Member, id=" ", name="Zed", profession=profession),
        "object.__new__ half": _forged(Member, name="Zed"),
        "impostor blank": Impostor(Member, id="", name="", profession=profession),
        "impostor half": Impostor(Member, id="zed"),
    }


@TYPES
def test_an_unvalidated_member_is_refused(group_type):
    profession = "pharmacist" if group_type is PRO else None
    outcomes = {}
    for name, member in _bad_members(profession).items():
        for event in ("admit", "reject"):
            g = ready(group_type, event)
            payload = valid(group_type, event)
            payload["member"] = member
            fire = lambda g=g, event=event, payload=payload: g.fire(event, **payload)
            outcomes[name, event] = _outcome(member, fire, g)
    assert dict.fromkeys(outcomes, "refused") == outcomes


@TYPES
def test_founders_that_were_never_validated_are_refused(group_type):
    profession = "pharmacist" if group_type is PRO else None
    outcomes = {}
    for name, member in _bad_members(profession).items():
        g = ready(group_type, "form_core_group")
        payload = valid(group_type, "form_core_group")
        payload["founders"][0] = member
        fire = lambda g=g, payload=payload: g.fire("form_core_group", **payload)
        outcomes[name] = _outcome(member, fire, g)
    assert dict.fromkeys(outcomes, "refused") == outcomes


@TYPES
def test_an_unvalidated_program_or_division_is_refused(group_type):
    kind = "training" if group_type is PRO else "environmental"
    programs = {
        "blank id": _unvalidated(
            Program, id="", name="P", kind=kind, division="Education", activities=["a"]
        ),
        "number name": _unvalidated(
            Program, id="p1", name=7, kind=kind, division="Education", activities=["a"]
        ),
        "forged": _forged(
            Program, id=SPACE, name="P", kind=kind, division="Education", activities=("a",)
        ),
        "impostor": Impostor(
            Program, id="", name="", kind=kind, division="Education", activities=("a",)
        ),
    }
    outcomes = {}
    for name, program in programs.items():
        g = ready(group_type, "plan_programs")
        fire = lambda g=g, program=program: g.fire("plan_programs", programs=[program])
        outcomes["program", name] = _outcome(program, fire, g)
    divisions = {
        "number name": _unvalidated(Division, name=5, responsibility=None),
        "lying blank name": _built(Division, name=SPACE, responsibility="programs"),
        "forged": _forged(Division, name="", responsibility="x", head=None),
        "impostor": Impostor(Division, name=None, responsibility=None, head=None),
    }
    for name, division in divisions.items():
        g = ready(group_type, "establish_structure")
        payload = valid(group_type, "establish_structure")
        payload["divisions"] = [division]
        fire = lambda g=g, payload=payload: g.fire("establish_structure", **payload)
        outcomes["division", name] = _outcome(division, fire, g)
    assert dict.fromkeys(outcomes, "refused") == outcomes


@TYPES
def test_an_unvalidated_partner_ref_is_refused(group_type):
    partner = partner_for(group_type)
    ref = partner.as_partner_ref()
    refs = {
        "blank, validators off": _unvalidated(
            PartnerRef, id="", name="", type=group_type.name, stage="structured"
        ),
        "numbers, validators off": _unvalidated(
            PartnerRef, id=1, name=2, type=group_type.name, stage="structured"
        ),
        "lying blank id": _built(
            PartnerRef, id=SPACE, name="P", type=group_type.name, stage="structured"
        ),
        "lying stage": _built(
            PartnerRef, id="p-9", name="P", type=group_type.name, stage=LyingStr("awareness")
        ),
        "forged": _forged(PartnerRef, id="", name=ref.name, type=ref.type, stage=ref.stage),
        "impostor": Impostor(PartnerRef, id="", name="", type=ref.type, stage=ref.stage),
    }
    outcomes = {}
    for name, bad in refs.items():
        g = ready(group_type, "collaborate")
        fire = lambda g=g, bad=bad: g.fire(
            "collaborate", partner=bad, purpose="joint work", shared=["ideas"]
        )
        outcomes[name] = _outcome(bad, fire, g)
    assert dict.fromkeys(refs, "refused") == outcomes


@TYPES
def test_a_valid_impostor_is_stored_as_the_real_thing(group_type):
    g = ready(group_type, "admit")
    payload = valid(group_type, "admit")
    payload["member"] = Impostor(Member, **payload["member"])
    if group_type is VOL:
        payload["member"].__dict__["profession"] = None
    if assert_refused_or_real(g, "admit", payload):
        stored = g.members[payload["member"].id]
        assert issubclass(type(stored), Member)
    g = ready(group_type, "admit")
    payload = valid(group_type, "admit")
    payload["member"] = _forged(Member, **{"profession": None, **payload["member"]})
    if assert_refused_or_real(g, "admit", payload):
        assert issubclass(type(g.members[payload["member"].id]), Member)
