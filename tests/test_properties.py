"""Random event sequences on both built-in types, checked against docs/model.md §4 after every step.

Each machine fires random events with valid and broken payloads (``strategies.attempts``)
and predicts the outcome from the model's tables in ``strategies``: an event is applied
exactly when its stage allows it and the payload is one the strategy built to pass.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from typing import Any, ClassVar

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule

import kelompok
from builders import at
from kelompok import FormationGroup, GroupType, HistoryRecord, TransitionNotAllowed, UnknownEvent
from kelompok.testing import LifecycleMachine
from strategies import (
    MISSING_EVENT,
    MOVES,
    PROFESSIONS,
    STAGES,
    TYPES,
    Attempt,
    actors,
    attempts,
    broken_invariants,
    divisions,
    history_problems,
    members,
    nonblank_texts,
    partner_refs,
    plain,
    programs,
    reason_codes,
)


class Boom(Exception):
    """Raised by a listener on purpose."""


@dataclasses.dataclass
class Snapshot:
    document: dict[str, Any]
    version: int
    stage: str
    history: list[HistoryRecord]

    @classmethod
    def of(cls, group: FormationGroup) -> Snapshot:
        return cls(group.to_dict(), group.version, group.stage, list(group.history))


def _fire(group: FormationGroup, attempt: Attempt, actor: str | None = None) -> None:
    group.fire(attempt.event, actor=actor, **attempt.payload)


def _refusal(group: FormationGroup, attempt: Attempt, actor: str | None = None) -> Any:
    """Fire *attempt*; the TransitionNotAllowed it raised, or None when it was applied."""
    try:
        _fire(group, attempt, actor)
    except TransitionNotAllowed as err:
        return err
    return None


class FormationMachine(LifecycleMachine):
    """One group of ``group_type`` receiving random events (subclassed per built-in type).

    Built on the public test kit (``kelompok.testing.LifecycleMachine``), so the kit is
    proven on the built-ins: its rules (a raising listener undoes the event; store and
    reload with ``replay=True``) and its docs/model.md §4 invariant run here too, with the
    model-aware payloads of ``strategies.attempts`` and the outcome predicted per step.
    """

    group_type: ClassVar[GroupType[Any]]

    def __init__(self) -> None:
        super().__init__()
        self.group: FormationGroup
        self.heard: list[tuple[FormationGroup, HistoryRecord]] = []
        self.final: dict[str, Any] | None = None
        self.stages_seen: set[str] = set()

    @property
    def type_name(self) -> str:
        return self.group_type.name

    def _listen(self) -> None:
        self.group.subscribe(lambda group, record: self.heard.append((group, record)))

    def adopt(self, group: kelompok.Group) -> None:
        super().adopt(group)
        self._listen()

    def draw_event(self, data: st.DataObject) -> tuple[str, dict[str, Any]]:
        """The kit's rules draw model-aware attempts too."""
        attempt = data.draw(attempts(self.group), label="attempt")
        return attempt.event, dict(attempt.payload)

    @initialize(name=nonblank_texts(), profession=st.sampled_from(PROFESSIONS))
    def create(self, name: str, profession: str) -> None:  # type: ignore[override]
        founding = {"name": name}
        if self.type_name == "professional":
            founding["profession"] = profession
        self.adopt(self.group_type.create(**founding))

    # -- rules --------------------------------------------------------------------

    def _fire_and_judge(self, attempt: Attempt, actor: str | None) -> None:
        g = self.group
        before = Snapshot.of(g)
        reasons = g.why_not(attempt.event, **attempt.payload)
        assert (not reasons) == g.can(attempt.event, **attempt.payload)
        move = MOVES[self.type_name][attempt.event]
        allowed = before.stage in move
        expected = allowed and attempt.ok
        self.heard.clear()
        err = _refusal(g, attempt, actor)
        if err is not None:
            event(f"refused ({'stage' if not allowed else attempt.how})")
            assert not expected, f"{attempt} was refused: {reason_codes(err.reasons)}"
            assert (attempt.event, before.stage) == (err.event, err.stage)
            assert err.reasons
            assert reason_codes(reasons) == reason_codes(err.reasons)
            assert allowed or "stage.not_allowed" in reason_codes(err.reasons)
            assert before == Snapshot.of(g)
            assert [] == self.heard
        else:
            event(f"applied {attempt.event}")
            assert expected, f"{attempt} was applied in stage {before.stage!r}"
            assert [] == reasons
            dest = move[before.stage] or before.stage
            assert (dest, before.version + 1) == (g.stage, g.version)
            record = g.history[-1]
            assert (attempt.event, before.stage, dest, actor) == (
                record.event,
                record.source,
                record.dest,
                record.actor,
            )
            assert [(g, record)] == self.heard

    @rule(data=st.data())
    def fire(self, data: st.DataObject) -> None:  # type: ignore[override]
        attempt = data.draw(attempts(self.group), label="attempt")
        actor = data.draw(actors(), label="actor")
        self._fire_and_judge(attempt, actor)

    @rule(data=st.data(), reentrant=st.booleans(), on_type=st.booleans())
    def fire_with_failing_listener(
        self, data: st.DataObject, reentrant: bool, on_type: bool
    ) -> None:
        """A listener (of the group or of its type) that raises undoes the event completely."""
        g = self.group
        attempt = data.draw(attempts(g), label="attempt")
        before = Snapshot.of(g)
        calls: list[HistoryRecord] = []

        def listener(group: FormationGroup, record: HistoryRecord) -> None:
            calls.append(record)
            if reentrant:
                group.fire("dissolve", reason="fired from a listener")
            raise Boom(record.event)

        unsubscribe = (self.group_type if on_type else g).subscribe(listener)
        try:
            with pytest.raises((Boom, TransitionNotAllowed, kelompok.ReentrantFire)) as info:
                _fire(g, attempt)
        finally:
            unsubscribe()
        assert before == Snapshot.of(g)
        expected = before.stage in MOVES[self.type_name][attempt.event] and attempt.ok
        assert expected == bool(calls)
        if not expected:
            assert TransitionNotAllowed is info.type
            return
        event("undone by a listener")
        assert (kelompok.ReentrantFire if reentrant else Boom) is info.type
        assert [attempt.event] == [r.event for r in calls]
        # Undone means as if never fired: the same event is applied once the listener is gone.
        self._fire_and_judge(attempt, None)

    @rule(data=st.data())
    def reload_then_fire(self, data: st.DataObject) -> None:
        """Store the group and load it again, as a web backend does between two requests."""
        document = json.loads(json.dumps(self.group.to_dict()))
        loaded = kelompok.load(document)
        assert document == loaded.to_dict()
        assert (self.group.id, self.group.data, list(self.group.history)) == (
            loaded.id,
            loaded.data,
            list(loaded.history),
        )
        assert self.group.type is loaded.type
        self.adopt(loaded)
        self.fire(data)

    # -- invariants (docs/model.md §4) ------------------------------------------------

    @invariant()
    def history_is_declared_edges_in_order(self) -> None:
        """docs/model.md §4.1, §4.2, §4.4 and version == len(history)."""
        assert [] == history_problems(self.group)
        self.stages_seen.update(r.dest for r in self.group.history)

    @invariant()
    def type_invariants_hold(self) -> None:
        """docs/model.md §4.6."""
        assert [] == broken_invariants(self.group)

    @invariant()
    def nothing_changes_after_dissolved(self) -> None:
        """docs/model.md §4.5."""
        g = self.group
        if g.stage != "dissolved":
            return
        if self.final is None:
            self.final = g.to_dict()
        assert self.final == g.to_dict()
        assert [] == g.available_events()

    @invariant()
    def history_times_are_utc_and_ordered(self) -> None:
        times = [self.group.created_at, *(r.at for r in self.group.history)]
        assert all(t.utcoffset() == dt.timedelta(0) for t in times)
        assert sorted(times) == times

    @invariant()
    def unknown_events_change_nothing(self) -> None:
        g = self.group
        before = (g.stage, g.version, g.data, len(g.history))
        for name in ("fly_away", "to_recruiting", "Identify_needs", MISSING_EVENT[self.type_name]):
            for call in (g.fire, g.why_not, g.can):
                with pytest.raises(UnknownEvent) as info:
                    call(name)
                assert name == info.value.event
        assert before == (g.stage, g.version, g.data, len(g.history))

    @invariant()
    def no_side_door(self) -> None:
        """docs/model.md §1 and docs/guarantees.md."""
        g = self.group
        with pytest.raises(AttributeError):
            g.stage = "collaborating"  # type: ignore[misc]
        with pytest.raises(AttributeError):
            g.version = 0  # type: ignore[misc]
        with pytest.raises(AttributeError):
            g.data.name = "renamed"  # type: ignore[misc]
        assert not hasattr(g.history, "append")
        assert [] == [s for s in STAGES[self.type_name] if hasattr(g, f"to_{s}")]

    def teardown(self) -> None:
        if not hasattr(self, "group"):
            return
        for stage in sorted(self.stages_seen):
            event(f"reached {stage}")


@settings(stateful_step_count=50)
class ProfessionalMachine(FormationMachine):
    group_type = kelompok.PROFESSIONAL


@settings(stateful_step_count=50)
class VolunteerMachine(FormationMachine):
    group_type = kelompok.VOLUNTEER


TestProfessionalLifecycle = ProfessionalMachine.TestCase
TestVolunteerLifecycle = VolunteerMachine.TestCase


# -- why_not, can and fire agree ------------------------------------------------------


@functools.cache
def _document(type_name: str, stage: str) -> dict[str, Any]:
    gt = kelompok.get_group_type(type_name)
    return at(gt, stage).to_dict()


@given(type_name=st.sampled_from(TYPES), data=st.data())
def test_why_not_can_and_fire_agree(type_name: str, data: st.DataObject) -> None:
    stage = data.draw(st.sampled_from(STAGES[type_name]), label="stage")
    group = kelompok.load(_document(type_name, stage))
    attempt = data.draw(attempts(group), label="attempt")
    reasons = group.why_not(attempt.event, **attempt.payload)
    can = group.can(attempt.event, **attempt.payload)
    err = _refusal(group, attempt)
    fired = err is None
    event("fired" if fired else "refused")
    assert [not reasons, not reasons] == [can, fired]
    if err is not None:
        assert reason_codes(reasons) == reason_codes(err.reasons)


# -- a value object and its dict are the same payload -------------------------------------


@functools.cache
def _recruiting_with_a_newcomer() -> dict[str, Any]:
    group = at(kelompok.VOLUNTEER, "recruiting")
    group.admit(member={"id": "gita", "name": "Gita"}, scores={"commitment": 4, "motivation": 4})
    return group.to_dict()


def _outcome(document: dict[str, Any], event_name: str, payload: dict[str, Any]) -> Any:
    group = kelompok.load(document)
    err = _refusal(group, Attempt(event_name, payload, ok=True, how="valid"))
    return reason_codes(err.reasons) if err is not None else group.data


@given(
    member=members,
    division=divisions,
    program=programs,
    partner=partner_refs,
    scores=st.fixed_dictionaries(
        {"commitment": st.integers(0, 6), "motivation": st.integers(0, 6)}
    ),
)
def test_a_value_object_and_its_dict_are_the_same_payload(
    member: kelompok.Member,
    division: kelompok.Division,
    program: kelompok.Program,
    partner: kelompok.PartnerRef,
    scores: dict[str, int],
) -> None:
    cases = [
        (_document("volunteer", "recruiting"), "admit", {"member": member, "scores": scores}),
        (_document("volunteer", "recruiting"), "reject", {"member": member, "reason": "later"}),
        (
            _recruiting_with_a_newcomer(),
            "establish_structure",
            {"chair": "eka", "secretary": "fajar", "treasurer": "gita", "divisions": [division]},
        ),
        (_document("volunteer", "programmed"), "add_program", {"program": program}),
        (
            _document("volunteer", "collaborating"),
            "collaborate",
            {"partner": partner, "purpose": "share tools", "shared": ["resources"]},
        ),
    ]
    for document, event_name, payload in cases:
        as_dicts = {k: plain(v) for k, v in payload.items()}
        assert _outcome(document, event_name, payload) == _outcome(document, event_name, as_dicts)
