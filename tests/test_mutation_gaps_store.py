"""The store's shared checks where mutants of them got past the rest of the suite.

Each test of the retry schedule and the listeners failed on a mutant of
``kelompok.store._calls`` (tools/mutation.py); the damaged rows below are read for
the code, field and messages of their refusal, which no other test read.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import random
import sqlite3
import threading
import time
import typing
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest
import sqlalchemy as sa

import kelompok
from builders import CHARTER, PRO_FOUNDERS
from kelompok.store import Conflict, Store
from kelompok.store import _calls as calls
from kelompok.store import _ops as ops
from kelompok.store import _rows as rows
from store_contract import member

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


def test_add_reads_who_took_the_id_meanwhile_without_waiting_for_a_writer(tmp_path, monkeypatch):
    path = str(tmp_path / "groups.db")
    made = PRO.create(name="Ikatan", profession="pharmacist")
    made.fire("identify_needs", needs=["x"])
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    lost = sa.exc.IntegrityError("INSERT INTO kelompok_groups", {}, sqlite3.IntegrityError())

    def insert(*args: object) -> None:  # another request stored the id first, and writes on
        holder.execute("BEGIN IMMEDIATE")
        raise lost

    with Store(f"sqlite:///{path}") as store, contextlib.closing(holder):
        store.add(made)
        monkeypatch.setattr(ops, "_insert", insert)
        release = threading.Timer(10, holder.execute, ["ROLLBACK"])
        release.start()
        started = time.monotonic()
        try:
            with pytest.raises(Conflict) as caught:
                store.add(made)
        finally:
            waited = time.monotonic() - started
            release.cancel()
            release.join()
    assert (made.id, None, 1) == (caught.value.group_id, caught.value.expected, caught.value.actual)
    assert waited < 5  # a read: the lock another writer holds does not stop it


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


# -- rows whose columns SQLite lets hold another type ----------------------------------------


def _recruiting(store: Store) -> str:
    group = store.create(PRO, name="A", profession="pharmacist")
    store.fire(group.id, "identify_needs", needs=["x"])
    store.fire(group.id, "form_core_group", founders=PRO_FOUNDERS)
    store.fire(group.id, "adopt_charter", CHARTER)
    store.fire(group.id, "open_recruitment")
    return str(group.id)


def _edit(path: str, sql: str) -> None:
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(sql)


def _problem(call: Callable[[], object]) -> tuple[str, str, str, str]:
    with pytest.raises(kelompok.InvalidGroupData) as caught:
        call()
    [problem] = caught.value.problems
    return problem.code, problem.field, problem.message("en"), problem.message("id")


def test_a_key_row_whose_time_is_not_a_number_is_refused(tmp_path):
    path = str(tmp_path / "groups.db")
    with Store(f"sqlite:///{path}") as store:
        group_id = _recruiting(store)
        store.fire(group_id, "admit", member("citra"), idempotency_key="k")
        _edit(path, "UPDATE kelompok_idempotency SET created_at = 'yesterday'")
        repeat = _problem(
            lambda: store.fire(group_id, "admit", member("citra"), idempotency_key="k")
        )
    assert (
        "store.key_row",
        "idempotency",
        "the idempotency row of key 'k' is damaged",
        "baris idempotensi untuk kunci 'k' rusak",
    ) == repeat


def test_a_page_of_history_with_a_malformed_record_says_which_group_cannot_be_read(tmp_path):
    path = str(tmp_path / "groups.db")
    with Store(f"sqlite:///{path}") as store:
        group_id = _recruiting(store)
        record = json.dumps({"event": "form_core_group", "at": "yesterday"})
        _edit(path, f"UPDATE kelompok_history SET record = '{record}' WHERE seq = 2")  # noqa: S608
        with pytest.raises(kelompok.InvalidGroupData) as whole:
            store.history(group_id)
        with pytest.raises(kelompok.InvalidGroupData) as caught:
            store.history(group_id, after=1, limit=2)  # a page: its records alone are read
    assert ("document.missing_field", "history[1].source") == (
        whole.value.problems[0].code,
        whole.value.problems[0].field,
    )
    assert str(caught.value).startswith("Cannot read this stored group:\n  - ")
    # each record named by its place in the whole history, as a whole read names it
    assert [
        ("document.missing_field", "history[1].source"),
        ("document.missing_field", "history[1].dest"),
        ("document.missing_field", "history[1].payload"),
        ("document.missing_field", "history[1].actor"),
        ("document.history", "history[2].source"),
    ] == [(p.code, p.field) for p in caught.value.problems]


# a text in the whole-number column, bytes in a text column (SQLite keeps both as given)
@pytest.mark.parametrize(
    ("column", "value"),
    [("seq", "'x'"), ("group_id", "X'61'"), ("type", "X'61'"), ("event", "X'61'")],
)
def test_an_outbox_row_with_a_column_of_another_type_is_refused(tmp_path, column, value):
    path = str(tmp_path / "groups.db")
    with Store(f"sqlite:///{path}", outbox=True) as store:
        _recruiting(store)
        _edit(path, f"UPDATE kelompok_outbox SET {column} = {value} WHERE id = 2")  # noqa: S608
        assert (
            "store.outbox_row",
            "outbox",
            "outbox entry 2 is damaged",
            "entri outbox 2 rusak",
        ) == _problem(store.pending)


def test_a_keyed_call_with_a_lone_surrogate_is_refused_for_its_payload(store):
    # the key's fingerprint is taken of what was given, which UTF-8 alone cannot encode
    group = store.create(PRO, name="A", profession="nurse")
    with pytest.raises(kelompok.TransitionNotAllowed) as refused:
        store.fire(group.id, "identify_needs", needs=["\ud800"], idempotency_key="k")
    assert [("payload.invalid", "needs[0]")] == [(r.code, r.field) for r in refused.value.reasons]
    assert 0 == store.get(group.id).version


def test_a_key_exactly_as_old_as_the_cut_is_kept_and_a_moment_older_is_pruned(store, monkeypatch):
    now = [1_000_000.0]  # the store's clock, made to stand still
    monkeypatch.setattr(ops, "clock", lambda: now[0])
    group = store.create(PRO, name="A", profession="nurse")
    store.fire(group.id, "identify_needs", needs=["x"], idempotency_key="k")
    now[0] += 60.0
    assert 0 == store.prune_idempotency_keys(older_than=60.0)  # as old as the cut: kept
    assert 1 == store.prune_idempotency_keys(older_than=59.5)


# -- the store's arguments: each wrong one named, with what it must be ------------------------

WRONG_CALLS: dict[str, tuple[Callable[[Store, str], object], str]] = {
    "actor not text": (
        lambda s, g: s.fire(g, "identify_needs", needs=["x"], actor=7),
        "actor: must be text (str), got int 7",
    ),
    "actor with NUL": (
        lambda s, g: s.fire(g, "identify_needs", needs=["x"], actor="a\x00b"),
        "actor must be non-blank text of at most 10,000 characters, without NUL, got str 'a\\x00b'",
    ),
    "actor blank": (
        lambda s, g: s.fire(g, "identify_needs", needs=["x"], actor="  "),
        "actor must be non-blank text of at most 10,000 characters, without NUL, got str '  '",
    ),
    "key too long": (
        lambda s, g: s.fire(g, "identify_needs", needs=["x"], idempotency_key="k" * 256),
        (
            "idempotency_key must be non-blank text of at most 255 characters, without NUL, got "
            f"str '{'k' * 60}'..."
        ),
    ),
    "key of the longest length": (
        lambda s, g: s.fire(g, "nope", idempotency_key="k" * 255),
        "",  # taken: the event is what is wrong
    ),
    "event too long": (
        lambda s, g: s.fire(g, "e" * 10_001),
        f"event must be text of at most 10,000 characters, without NUL, got str '{'e' * 60}'...",
    ),
    "version not a number": (
        lambda s, g: s.fire(g, "identify_needs", needs=["x"], expected_version=True),
        "expected_version must be a whole number >= 0 or None, got True",
    ),
    "version too large": (
        lambda s, g: s.fire(g, "identify_needs", needs=["x"], expected_version=2**63),
        f"expected_version must be a whole number >= 0 or None, got {2**63}",
    ),
    "version negative": (
        lambda s, g: s.fire(g, "identify_needs", needs=["x"], expected_version=-1),
        "expected_version must be a whole number >= 0 or None, got -1",
    ),
    "id not text": (lambda s, g: s.get(7), "a group id is text (str), got int"),
    "retention 0": (
        lambda s, g: s.prune_idempotency_keys(older_than=0),
        "a duration must be a number of seconds > 0, got 0",
    ),
    "retention infinite": (
        lambda s, g: s.prune_idempotency_keys(older_than=float("inf")),
        "a duration must be a number of seconds > 0, got inf",
    ),
    "retention a bool": (
        lambda s, g: s.prune_idempotency_keys(older_than=True),
        "a duration must be a number of seconds > 0, got True",
    ),
    "limit 0": (
        lambda s, g: s.find(limit=0),
        "limit must be a whole number from 1 to 2**63 - 1, got 0",
    ),
    "find after a number": (lambda s, g: s.find(after=5), "after: must be text (str), got int 5"),
    "find stage with NUL": (
        lambda s, g: s.find(stage="a\x00"),
        "stage must be text of at most 10,000 characters, without NUL, got str 'a\\x00'",
    ),
    "history after -1": (
        lambda s, g: s.history(g, after=-1),
        "after must be a version (a whole number >= 0) or None, got -1",
    ),
    "outbox id not a number": (
        lambda s, g: s.acknowledge("x"),
        "an outbox entry id is a whole number >= 1 (entry.id), got 'x'",
    ),
    "listener not callable": (
        lambda s, g: s.subscribe(5),
        "a listener must be callable, got int",
    ),
    "type not a type": (
        lambda s, g: s.create(object(), name="A"),
        "group_type must be a GroupType, got object",
    ),
    "add not a group": (lambda s, g: s.add(5), "add takes a kelompok Group, got int"),
}


@pytest.mark.parametrize("case", sorted(WRONG_CALLS))
def test_each_wrong_argument_is_a_usage_error_saying_what_it_must_be(store, case):
    call, said = WRONG_CALLS[case]
    group = store.create(PRO, name="A", profession="nurse")
    if not said:
        with pytest.raises(kelompok.UnknownEvent):
            call(store, group.id)
        return
    with pytest.raises(kelompok.UsageError) as caught:
        call(store, group.id)
    assert said == str(caught.value)
    assert 0 == store.get(group.id).version


@pytest.mark.parametrize(
    ("options", "said"),
    [
        ({"idempotency_ttl": 0}, "a duration must be a number of seconds > 0, got 0"),
        ({"head_cache": -1}, "head_cache must be a whole number of groups >= 0, got -1"),
        ({"outbox": "yes"}, "outbox must be True or False, got 'yes'"),
    ],
)
def test_each_wrong_option_of_a_store_is_named(tmp_path, options, said):
    with pytest.raises(kelompok.UsageError) as caught:
        Store(f"sqlite:///{tmp_path / 'groups.db'}", **options)
    assert said == str(caught.value)


@pytest.mark.parametrize("version", [1, 2**63 - 1])
def test_the_largest_expected_version_is_a_conflict_not_a_usage_error(store, version):
    group = store.create(PRO, name="A", profession="nurse")
    with pytest.raises(Conflict) as caught:
        store.fire(group.id, "identify_needs", needs=["x"], expected_version=version)
    assert (version, 0) == (caught.value.expected, caught.value.actual)


def test_a_retention_under_a_second_is_taken(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'groups.db'}", idempotency_ttl=0.5) as store:
        assert 0 == store.prune_idempotency_keys(older_than=0.5)


def test_an_id_no_group_could_have_is_not_found_at_once(store):
    with pytest.raises(kelompok.store.NotFound) as caught:
        store.get("bad id!")
    assert "bad id!" == caught.value.group_id
    assert "no stored group has the id 'bad id!'" == str(caught.value)


def test_a_group_loaded_from_its_head_cannot_be_added(store):
    group = PRO.create(id="g-1", name="A", profession="nurse")
    group.fire("identify_needs", needs=["x"])
    head = kelompok.load(group.to_dict(history=False))
    with pytest.raises(kelompok.UsageError) as caught:
        store.add(head)
    assert (
        "group 'g-1' holds its records from 2 on only (it was loaded from a head): add needs the "
        "whole history, as a whole document has it" == str(caught.value)
    )


# -- group references: every field that names a group, resolved by the store -----------------


@attrs.frozen
class _Named:
    name: str


@attrs.frozen
class _Link:
    first: kelompok.PartnerRef
    second: kelompok.PartnerRef


def _text(en: str) -> dict[str, str]:
    return {"en": en, "id": f"{en} (id)"}


def _linking(name: str, back: str) -> kelompok.GroupType[kelompok.Group]:
    """A type of stages 'a' and 'b': 'link' names two groups, *back* goes back."""
    return kelompok.GroupType(
        name=name,
        label=_text(name),
        stages=[kelompok.Stage("a", _text("A")), kelompok.Stage("b", _text("B"))],
        events=[
            kelompok.Event("link", _text("Link"), moves={"a": "b"}, payload=_Link),
            kelompok.Event(back, _text(back), moves={"b": "a"}, back=True),
        ],
        data=_Named,
        founding=_Named,
        initial_data=lambda args: args,
        group_class=kelompok.Group,  # a plain group stands for its PartnerRef too
    )


TWO_REFS = kelompok.register(_linking("two_references", "back"))


def test_each_field_naming_a_group_is_resolved_even_after_a_missing_one(store):
    store.create(TWO_REFS, id="partner", name="P")
    group = store.create(TWO_REFS, name="G")
    with pytest.raises(kelompok.TransitionNotAllowed) as refused:
        store.fire(group.id, "link", second="partner")
    assert [("payload.missing_field", "first")] == [
        (r.code, r.field) for r in refused.value.reasons
    ]
    linked = store.fire(group.id, "link", first="partner", second="partner")
    assert ("b", 1) == (linked.stage, linked.version)
    ref = {"id": "partner", "name": "P", "type": "two_references", "stage": "a"}
    assert {"first": ref, "second": ref} == linked.history[-1].payload


BOSS = kelompok.Role("boss", _text("Boss"), check=lambda group, actor: actor == "boss")
LED_REFS = kelompok.register(
    TWO_REFS.derive(
        "led_references",
        _text("Led references"),
        roles=[BOSS],
        policy={"link": ["boss"], "back": ["boss"]},
    )
)


def test_an_unknown_reference_is_refused_with_the_actors_own_other_reasons(store):
    store.create(LED_REFS, id="partner", name="P")
    group = store.create(LED_REFS, name="G")
    with pytest.raises(kelompok.TransitionNotAllowed) as refused:  # the boss may link
        store.fire(group.id, "link", actor="boss", first="nobody", second="partner")
    assert ("link", "a") == (refused.value.event, refused.value.stage)
    assert [("store.reference_unknown", "first")] == [
        (r.code, r.field) for r in refused.value.reasons
    ]
    with pytest.raises(kelompok.TransitionNotAllowed) as refused:  # nobody else may
        store.fire(group.id, "link", actor="eve", first="nobody", second="partner")
    assert ["store.reference_unknown", "permission.denied"] == [
        r.code for r in refused.value.reasons
    ]


def test_an_id_too_long_for_any_group_is_quoted_to_200_characters(store):
    group = store.create(PRO, name="A", profession="nurse")
    with pytest.raises(kelompok.TransitionNotAllowed) as refused:
        store.fire(group.id, "collaborate", partner="x" * 300, purpose="p", shared=["s"])
    [reason] = [r for r in refused.value.reasons if r.code == "store.reference_unknown"]
    assert f"partner: no stored group has the id {'x' * 200!r}" == reason.message("en")


# -- the definition digest each row records ---------------------------------------------------

# Each stored row records its type's digest, so that a later kelompok can tell the rows of an
# older definition apart. A change here means the rows stored so far read as another
# definition's: change these only with the definition, and say so in the changelog.
PINNED_DIGESTS = {
    "professional": "8e871be74aa40b2a8f346a07e5a5fa00",
    "volunteer": "b783cb401928daf3623f1a2d25515995",
    "governed_professional": "c36e31e3ceb2a95d70d7a198b600cb88",
    "governed_volunteer": "df85f96c0c3e66dd1bf6bf1ca54b8d43",
}


@pytest.mark.parametrize("name", sorted(PINNED_DIGESTS))
def test_a_built_in_types_definition_digest_does_not_change_by_itself(name, monkeypatch):
    monkeypatch.setattr(rows, "_digests", {})  # worked out now, not remembered from before
    assert PINNED_DIGESTS[name] == rows.definition_digest(kelompok.get_group_type(name))


def test_a_definition_digest_is_worked_out_once_for_each_type(monkeypatch):
    made: list[str] = []
    schema = kelompok.GroupType.json_schema

    def counted(gt: Any) -> Any:
        made.append(gt.name)
        return schema(gt)

    monkeypatch.setattr(kelompok.GroupType, "json_schema", counted)
    gt = PRO.derive("digested_once", {"en": "Once", "id": "Sekali"})
    assert rows.definition_digest(gt) == rows.definition_digest(gt)
    assert ["digested_once"] == made


def test_two_types_of_one_name_each_have_the_digest_of_their_own_definition():
    other = _linking(TWO_REFS.name, "undo")  # not registered: the name is taken
    first, second = rows.definition_digest(TWO_REFS), rows.definition_digest(other)
    assert first != second
    assert (first, second) == (rows.definition_digest(TWO_REFS), rows.definition_digest(other))


@attrs.frozen
class _Priced:
    name: str
    since: dt.date = dt.date(2026, 1, 1)  # a default JSON cannot hold


def test_a_type_whose_data_has_defaults_json_cannot_hold_still_has_a_digest():
    # The digest's outline holds the type's JSON Schema, which leaves such defaults out, so
    # the outline stays plain JSON: the digest is the one a type without them has.
    priced = attrs.evolve(TWO_REFS, name="priced", data=_Priced)
    plain = attrs.evolve(TWO_REFS, name="priced")
    assert "default" not in json.dumps(
        priced.json_schema()["properties"]["data"]["properties"]["since"]
    )
    assert rows.definition_digest(priced) == rows.definition_digest(priced)
    assert rows.definition_digest(priced) != rows.definition_digest(plain)


# -- the fingerprint an idempotency key is stored with ---------------------------------------


def _written(event: str, plain: Any, *actor: str) -> str:
    """The fingerprint's form: the event, the payload as the event reads it, the actor if any."""
    text = json.dumps(
        [event, plain, *actor], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_a_fingerprint_is_the_digest_of_the_event_and_its_payload_in_a_fixed_form():
    # stored with each key: a retry after an upgrade must give the same one
    spec = PRO.event("identify_needs")
    found = rows.fingerprint(spec, {"needs": ["air bersih", "ñ"]})
    assert _written("identify_needs", {"needs": ["air bersih", "ñ"]}) == found
    assert "c674c38724c1dc6b390d2b00193294f0ae98fdd47eded450aae5ad9433caaf4d" == found


def test_a_refused_payload_is_fingerprinted_as_given_and_what_json_lacks_by_its_repr():
    spec = PRO.event("identify_needs")
    assert _written("identify_needs", {"needs": "{1}"}) == rows.fingerprint(spec, {"needs": {1}})


def test_under_a_policy_the_actor_is_part_of_the_fingerprint_and_else_it_is_not():
    governed = kelompok.GOVERNED_PROFESSIONAL
    spec = governed.event("identify_needs")
    group = governed.create(name="A", profession="nurse", initiator="ini")
    assert _written("identify_needs", {"needs": ["x"]}, "ini") == rows.fingerprint(
        spec, {"needs": ["x"]}, group, "ini"
    )
    plain = PRO.create(name="A", profession="nurse")
    alone = rows.fingerprint(PRO.event("identify_needs"), {"needs": ["x"]})
    assert alone == rows.fingerprint(PRO.event("identify_needs"), {"needs": ["x"]}, plain, "ini")
    assert alone == _written("identify_needs", {"needs": ["x"]})


def test_the_fields_naming_a_group_are_read_once_for_each_event(monkeypatch):
    read: list[object] = []
    hints = typing.get_type_hints

    def counted(cls: Any) -> Any:
        read.append(cls)
        return hints(cls)

    monkeypatch.setattr(typing, "get_type_hints", counted)
    spec = TWO_REFS.event("link")
    rows._fields.pop(id(spec), None)  # read afresh once, then remembered
    assert ("first", "second") == rows.reference_fields(spec) == rows.reference_fields(spec)
    assert [_Link] == read


@pytest.mark.parametrize("stored", ["5", "1.5", "X'7b7d'"])
def test_a_history_record_that_is_not_json_text_is_refused_whatever_sqlite_holds(tmp_path, stored):
    path = str(tmp_path / "groups.db")
    with Store(f"sqlite:///{path}") as store:
        group_id = _recruiting(store)
        _edit(path, f"UPDATE kelompok_history SET record = {stored} WHERE seq = 2")  # noqa: S608
        code, field, _, _ = _problem(lambda: store.history(group_id))
    assert ("store.record_unreadable", "history[2]") == (code, field)
