"""The search for an order of a head's events (docs/model.md §4.4), on cases it must not miss.

Each case is checked against an oracle written from §4.4: every order of the head's
events that makes its counts and marks (``tally_of``), walked move by move. The
cases are the shapes that only a few tallies have: a search that reaches one state
by two paths, pure actions that come after one another, and a search that needs
every state its budget allows.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import attrs
import pytest

import kelompok
from adversarial.oracle_head import tally_of
from kelompok import InvalidGroupData
from kelompok._codec import walk

LIVE = ["s0", "s1", "s2"]


@attrs.frozen
class _Name:
    name: str


def _label(name: str) -> dict[str, str]:
    return {"en": name, "id": name}


def _type(
    name: str, moves: dict[str, dict[str, str | None]], after: dict[str, set[str]]
) -> kelompok.GroupType[Any]:
    return kelompok.GroupType(
        name=name,
        label=_label(name),
        stages=[kelompok.Stage(s, _label(s)) for s in LIVE],
        events=[
            kelompok.Event(
                event,
                _label(event),
                moves=m,
                after=tuple(after.get(event, ())),
                back=event in BACK,
            )
            for event, m in moves.items()
        ],
        data=_Name,
        founding=_Name,
        initial_data=lambda f: _Name(name=f.name),
        group_class=kelompok.Group,
    )


# One event up the stages and one back down them, each an action at its end: within a
# segment the search meets one state by two paths before the order it is looking for.
ROUND_MOVES: dict[str, dict[str, str | None]] = {
    "up": {"s0": "s1", "s1": "s2", "s2": None},
    "down": {"s0": None, "s1": "s0", "s2": "s1"},
}
BACK = {"down"}  # a way back, in every type below
ROUND = _type("round", ROUND_MOVES, {})

# Two pure actions of s1, the one after the other ("alpha" after "zeta"), reached by "go".
CHAIN_MOVES: dict[str, dict[str, str | None]] = {
    "go": {"s0": "s1", "s1": "s2"},
    "down": {"s2": "s1"},
    "zeta": {"s1": None},
    "alpha": {"s1": None},
}
CHAIN_AFTER = {"alpha": {"zeta"}}
CHAIN = _type("chain", CHAIN_MOVES, CHAIN_AFTER)


def _ends(
    moves: dict[str, dict[str, str | None]], after: dict[str, set[str]], events: Sequence[str]
) -> set[tuple[str, int]]:
    """Where each order of *events* with their tally ends: (stage, rank reached), §4.1-4.3."""
    wanted = tally_of(events)
    found = set()
    for order in set(itertools.permutations(events)):
        if tally_of(order) != wanted:
            continue
        stage, peak, applied = "s0", 0, set()
        for event in order:
            if stage not in moves[event] or not after.get(event, set()) <= applied:
                break
            stage = moves[event][stage] or stage
            rank = LIVE.index(stage)
            if rank > peak + 1:
                break
            peak = max(peak, rank)
            applied.add(event)
        else:
            found.add((stage, peak))
    return found


def _head(
    group_type: kelompok.GroupType[Any], events: Sequence[str], stage: str, reached: str
) -> dict[str, Any]:
    counts, marks = tally_of(events)
    head = group_type.create(name="g", id="g-1").to_dict(history=False)
    return {**head, "version": len(events), "stage": stage, "reached": reached} | {
        "counts": counts,
        "marks": marks,
    }


def _loads(group_type: kelompok.GroupType[Any], document: dict[str, Any]) -> bool:
    try:
        group_type.load(document)
    except InvalidGroupData:
        return False
    return True


ROUND_HISTORY = ["down", "up", "down", "up", "down"]


def test_a_head_whose_search_meets_a_state_twice_loads_as_the_oracle_says() -> None:
    # the search of this tally reaches one state by two paths before the order that ends
    # in s1 with s2 reached: a search that stopped there (`break` for `continue`) says no
    # order exists
    ends = _ends(ROUND_MOVES, {}, ROUND_HISTORY)
    assert ("s1", 2) in ends
    for stage, (rank, reached) in itertools.product(LIVE, enumerate(LIVE)):
        document = _head(ROUND, ROUND_HISTORY, stage, reached)
        assert _loads(ROUND, document) == ((stage, rank) in ends), (stage, reached)


CHAIN_HISTORY = ["go", "zeta", "alpha", "zeta", "alpha"]


@pytest.mark.parametrize("first", ["alpha", "zeta", "go"])
def test_pure_actions_after_one_another_are_placed_whatever_the_order_of_the_counts(
    first: str,
) -> None:
    # in the segment between the last zeta's mark and the last alpha's, alpha can only be
    # placed once zeta is: with alpha first in the counts, that takes a second pass over
    # the events (`changed = True` in _Search._place)
    assert _ends(CHAIN_MOVES, CHAIN_AFTER, CHAIN_HISTORY) == {("s1", 1)}
    document = _head(CHAIN, CHAIN_HISTORY, "s1", "s1")
    counts = document["counts"]
    document["counts"] = {first: counts[first]} | counts
    assert _loads(CHAIN, document)
    assert not _loads(CHAIN, {**document, "stage": "s0"})


def test_a_searched_head_is_walked_within_the_budget_exactly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the search of CHAIN_HISTORY visits three states, one per segment: s0 before go, s1
    # before the last zeta (alpha and zeta placed there), s1 before the last alpha
    document = _head(CHAIN, CHAIN_HISTORY, "s1", "s1")
    monkeypatch.setattr(walk, "BUDGET", 3)
    assert CHAIN.load(document).version == 5
    monkeypatch.setattr(walk, "BUDGET", 2)
    with pytest.raises(InvalidGroupData, match="with its history"):
        CHAIN.load(document)


class _Counted(dict[Any, Any]):
    """A dict that counts what is put in it."""

    def __init__(self) -> None:
        super().__init__()
        self.put = 0

    def __setitem__(self, key: Any, value: Any) -> None:
        self.put += 1
        super().__setitem__(key, value)


def test_what_the_walk_reads_of_each_event_is_worked_out_once_per_type(monkeypatch):
    # an event's moves, what it comes after and whether it moves: the same for every head
    gt = kelompok.register(
        kelompok.PROFESSIONAL.derive("walked_once", {"en": "Walked", "id": "Dijalani"})
    )
    head = gt.create(name="W", profession="nurse").identify_needs(["x"]).to_dict(history=False)
    kept = _Counted()
    monkeypatch.setattr(walk, "_facts", kept)
    kelompok.load(head)
    first = kept.put
    kelompok.load(head)
    assert (first, first) == (len(head["counts"]), kept.put)


@pytest.mark.parametrize(("stage", "peak"), [("s0", 0), ("s1", 0), ("s0", 1), ("s2", 2)])
def test_with_no_events_only_the_first_stage_with_nothing_reached_is_a_walk(stage, peak):
    # load refuses the other heads before it searches (the head alone shows them wrong);
    # the search says so too, to whatever else asks it
    engine = ROUND._engine
    found = walk.walk(engine, {}, {}, stage, peak)
    assert found == (walk.POSSIBLE if (stage, peak) == ("s0", 0) else walk.IMPOSSIBLE)


@pytest.mark.parametrize("rounds", [1, 2, 3, 5_000])
def test_a_head_that_goes_round_thousands_of_times_loads_from_the_head_alone(
    rounds: int,
) -> None:
    # up to s2, then down and up again: a group evaluating and developing for years. The
    # search goes round the loop once, then as often as the counts allow (or a few less):
    # stepping through it would take 2 states a round, past the budget at 5,000 rounds
    events = ["up", "up", *["down", "up"] * rounds]
    small = rounds <= 3  # the oracle tries every order: only for a few rounds
    ends = _ends(ROUND_MOVES, {}, events) if small else {("s2", 2), ("s1", 2)}
    for stage, (rank, reached) in itertools.product(LIVE, enumerate(LIVE)):
        document = _head(ROUND, events, stage, reached)
        if (stage, rank) in ends:
            assert ROUND.load(document).version == len(events)
        else:  # refused (proving it may take more than the budget: then "with its history")
            with pytest.raises(InvalidGroupData):
                ROUND.load(document)


def test_going_round_is_decided_within_a_few_states(monkeypatch: pytest.MonkeyPatch) -> None:
    events = ["up", "up", *["down", "up"] * 5_000]
    monkeypatch.setattr(walk, "BUDGET", 20)
    assert ROUND.load(_head(ROUND, events, "s2", "s2")).version == 10_002


UPDOWN = _type(
    "updown",
    {"up": {"s0": "s1", "s1": "s2"}, "down": {"s1": "s0", "s2": "s0"}},
    {},
)


def test_latest_records_cannot_start_past_the_stage_reached() -> None:
    # down is allowed from s2, and up leads there, but this group reached only s1
    light = UPDOWN.load(UPDOWN.create(name="g", id="g-1").fire("up").to_dict(history=False))
    doc = light.fire("down").to_dict()
    assert (doc["reached"], doc["history"][0]["source"]) == ("s1", "s1")
    assert UPDOWN.load(doc).version == 2
    doc["history"][0]["source"] = "s2"
    with pytest.raises(InvalidGroupData, match=r"history\[0\]\.source"):
        UPDOWN.load(doc)


# down is an action in s0 and the way back from s1: once placed as an action, what is left
# of it only bounds its moves, so a state with more of it left does all one with less can
GOBACK_MOVES: dict[str, dict[str, str | None]] = {
    "go": {"s0": "s1"},
    "act": {"s1": None},
    "down": {"s0": None, "s1": "s0", "s2": "s1"},
    "up": {"s1": "s2"},  # never applied here: s2 has only to be there
}
GOBACK = _type("goback", GOBACK_MOVES, {})


@pytest.mark.parametrize(
    ("shape", "rounds"),
    [
        *((("go", "down"), n) for n in (1, 2, 3, 60)),
        *((("go", "act", "down", "down"), n) for n in (1, 2, 1_000)),
    ],
)
def test_an_event_that_is_an_action_and_a_way_back_is_decided_in_few_states(
    monkeypatch: pytest.MonkeyPatch, rounds: int, shape: tuple[str, ...]
) -> None:
    events = list(shape) * rounds
    monkeypatch.setattr(walk, "BUDGET", 200)  # it took about rounds² states: 1,567 for 40
    small = len(events) <= 8  # the oracle tries every order
    ends = _ends(GOBACK_MOVES, {}, events) if small else {("s0", 1)}
    for stage, (rank, reached) in itertools.product(LIVE, enumerate(LIVE)):
        document = _head(GOBACK, events, stage, reached)
        if (stage, rank) in ends:
            assert GOBACK.load(document).version == len(events)
        elif small:
            with pytest.raises(InvalidGroupData):
                GOBACK.load(document)
