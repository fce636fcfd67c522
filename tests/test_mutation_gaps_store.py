"""The store's shared checks where mutants of them got past the rest of the suite.

Each test here failed on a mutant of ``kelompok.store._calls`` (tools/mutation.py).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator

import pytest

import kelompok
from kelompok.store import Store
from kelompok.store import _calls as calls

PRO = kelompok.PROFESSIONAL


@pytest.fixture
def store(tmp_path) -> Iterator[Store]:
    with Store(f"sqlite:///{tmp_path / 'groups.db'}") as opened:
        yield opened


# -- the retry schedule -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attempt", "most"),
    [(1, 0.004), (2, 0.008), (3, 0.016), (6, 0.128), (7, 0.2), (16, 0.2), (17, 0.2), (10**6, 0.2)],
)
def test_the_delay_after_a_lost_race_doubles_from_4_ms_up_to_200_ms_jittered_from_0(
    monkeypatch, attempt, most
):
    monkeypatch.setattr(random, "uniform", lambda low, high: (low, high))
    low, high = calls.delay(attempt)
    assert 0 == low
    assert most == pytest.approx(high)


def test_a_delay_is_drawn_within_its_bounds():
    for attempt in range(1, 12):
        drawn = [calls.delay(attempt) for _ in range(50)]
        assert all(0 <= d <= min(0.2, 0.002 * 2**attempt) for d in drawn)
        assert len(set(drawn)) > 1  # jittered


# -- a listener that raises -------------------------------------------------------------


def test_the_log_of_a_listener_that_raises_names_the_event_and_the_group(store, caplog):
    def broken(group, record):
        raise RuntimeError("mail server down")

    store.subscribe(broken)
    group = store.create(PRO, name="A", profession="nurse")
    with caplog.at_level(logging.ERROR, logger="kelompok.store"):
        store.fire(group.id, "identify_needs", needs=["x"])
    [entry] = caplog.records
    assert f"a store listener raised after 'identify_needs' committed on {group.id}" == (
        entry.getMessage()
    )
    assert "mail server down" in caplog.text


# -- what add refuses ---------------------------------------------------------------------


@pytest.mark.parametrize(("given", "kind"), [(None, "NoneType"), ({"id": "x"}, "dict")])
def test_add_names_what_it_was_given_instead_of_a_group(store, given, kind):
    with pytest.raises(kelompok.UsageError) as info:
        store.add(given)
    assert f"add takes a kelompok Group, got {kind}" == str(info.value)


def test_add_names_the_first_record_a_head_only_group_holds(store):
    made = PRO.create(name="Ikatan", profession="pharmacist")
    made.fire("identify_needs", needs=["x"])
    made.fire("form_core_group", founders=[
        {"id": "ani", "name": "Ani", "profession": "pharmacist"},
        {"id": "bayu", "name": "Bayu", "profession": "pharmacist"},
    ])  # fmt: skip
    head_only = kelompok.load(made.to_dict(history=False))
    assert 2 == head_only.history_start
    with pytest.raises(kelompok.UsageError) as info:
        store.add(head_only)
    assert (
        f"group {made.id!r} holds its records from 3 on only (it was loaded from a head): "
        "add needs the whole history, as a whole document has it"
    ) == str(info.value)


# -- what acknowledge and subscribe refuse ---------------------------------------------------


@pytest.mark.parametrize("given", [0, -1, 2**63, True, 1.0, "1"])
def test_acknowledge_refuses_an_id_that_is_not_a_whole_number_from_1_below_2_to_the_63(
    store, given
):
    with pytest.raises(kelompok.UsageError) as info:
        store.acknowledge(given)
    assert f"an outbox entry id is a whole number >= 1 (entry.id), got {given!r}" == str(info.value)


def test_acknowledge_takes_the_largest_id_a_column_holds(store):
    assert 0 == store.acknowledge(1, 2**63 - 1)


@pytest.mark.parametrize(("given", "kind"), [(None, "NoneType"), ("print", "str")])
def test_subscribe_names_what_it_was_given_instead_of_a_callable(store, given, kind):
    with pytest.raises(kelompok.UsageError) as info:
        store.subscribe(given)
    assert f"a listener must be callable, got {kind}" == str(info.value)


# -- what find refuses ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"type": 5}, "type: must be text (str), got int 5"),
        ({"stage": 5}, "stage: must be text (str), got int 5"),
        ({"after": b"x"}, "after: must be text (str), got a bytes"),
        (
            {"stage": "a\x00"},
            "stage must be text of at most 10,000 characters, without NUL, got str 'a\\x00'",
        ),
    ],
)
def test_find_names_the_argument_that_is_not_text(store, arguments, message):
    with pytest.raises(kelompok.UsageError) as info:
        store.find(**arguments)
    assert message == str(info.value)


# -- limits and versions --------------------------------------------------------------------


@pytest.mark.parametrize("limit", [0, -1, 2**63, True, 1.0, None])
def test_pending_refuses_a_limit_that_is_not_a_whole_number_from_1_below_2_to_the_63(store, limit):
    with pytest.raises(kelompok.UsageError) as info:
        store.pending(limit)
    assert f"limit must be a whole number from 1 to 2**63 - 1, got {limit!r}" == str(info.value)


@pytest.mark.parametrize("limit", [1, 2**63 - 1])
def test_a_limit_may_be_1_or_the_largest_a_column_holds(store, limit):
    assert [] == store.pending(limit)
    assert [] == store.find(limit=limit)


@pytest.mark.parametrize("after", [-1, 2**63, True, 1.0, "1"])
def test_history_refuses_an_after_that_is_not_a_version_below_2_to_the_63(store, after):
    group = store.create(PRO, name="A", profession="nurse")
    with pytest.raises(kelompok.UsageError) as info:
        store.history(group.id, after=after)
    assert f"after must be a version (a whole number >= 0) or None, got {after!r}" == str(
        info.value
    )


@pytest.mark.parametrize("after", [0, 2**63 - 1])
def test_history_after_may_be_0_or_the_largest_version_a_column_holds(store, after):
    group = store.create(PRO, name="A", profession="nurse")
    store.fire(group.id, "identify_needs", needs=["x"])
    expected = ["identify_needs"] if after == 0 else []
    assert expected == [r.event for r in store.history(group.id, after=after)]
