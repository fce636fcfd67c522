"""Attacks on ``kelompok.store``: lost or half-applied events, bare errors, unchecked reads.

Each test states a promise of SPEC section 6 / docs/storing.md and tries to break it.
Each attack that once broke a promise (see the review notes in CHANGELOG.md) is kept
here as the test of its fix.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import multiprocessing
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

import kelompok
from adversarial.store_helpers import BOTH, PG, edit, every_read_refuses, url_of
from builders import payloads
from kelompok import InvalidGroupData, KelompokError, TransitionNotAllowed
from kelompok.store import (
    Conflict,
    IdempotencyMismatch,
    NotFound,
    StoreBusy,
    open_async_store,
    open_store,
)
from kelompok.store import _ops as ops
from kelompok.store import _sync as store_sync
from pg_server import new_database
from store_contract import evaluating, member, raw, recruiting
from store_workers import admit_keyed

PRO = kelompok.PROFESSIONAL
VOL = kelompok.VOLUNTEER
_databases = itertools.count()


# -- databases -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_pg(postgres: str) -> Iterator[str]:
    """One PostgreSQL database shared by the many cases of one test (each its own groups)."""
    with new_database(postgres, f"kelompok_attack_{os.getpid()}_shared") as url:
        yield url


@pytest.fixture(scope="module")
def shared_sqlite(tmp_path_factory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('shared') / 'shared.db'}"


@pytest.fixture
def store_at(request) -> Iterator[Any]:
    """``store_at(backend, **options)``: an open store on a fresh database of *backend*."""
    opened: list[Any] = []

    def make(backend: str, **options: Any) -> Any:
        store = open_store(url_of(request, backend), **options)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


def in_step(store: Any, group_id: str) -> int:
    """The group's version, after checking that its head and whole history agree."""
    version = store.get(group_id).version
    assert version == len(store.history(group_id))
    return int(version)


def key_is_free(store: Any, group_id: str, key: str) -> None:
    """*key* records nothing: a call under it with a fresh payload is a first call."""
    before = store.get(group_id).version
    after = store.fire(
        group_id, "admit", member(f"probe-{secrets.token_hex(4)}"), idempotency_key=key
    )
    assert before + 1 == after.version


FAULT: dict[str, Any] = {}
"""The armed fault: statements starting with ``FAULT["sql"]`` raise ``FAULT["exc"]()``."""


def _maybe_fail(sql: object) -> None:
    if FAULT and FAULT["left"] > 0 and str(sql).lstrip().upper().startswith(FAULT["sql"]):
        FAULT["left"] -= 1
        make = FAULT["exc"]
        raise make()


class FaultySqliteCursor(sqlite3.Cursor):
    def execute(self, sql: str, *args: Any) -> Any:
        _maybe_fail(sql)
        return super().execute(sql, *args)


class FaultySqliteConnection(sqlite3.Connection):
    def cursor(self, factory: Any = FaultySqliteCursor) -> Any:
        return super().cursor(factory)


class FaultyPgCursor(psycopg.Cursor):  # type: ignore[type-arg]
    def execute(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        _maybe_fail(query)
        return super().execute(query, *args, **kwargs)


@pytest.fixture
def faults(monkeypatch) -> Iterator[Any]:
    """Stores opened from now on run on DBAPI cursors that fail when armed.

    The fault is raised by the driver's own ``cursor.execute``, below SQLAlchemy and below
    whatever the store uses to run its statements, so it is a failure of the database
    call itself, however the store issues it.
    """
    real = store_sync.engine_options

    def options(url: sa.URL, **kwargs: Any) -> dict[str, Any]:
        found = dict(real(url, **kwargs))
        args = dict(found.get("connect_args", {}))
        if url.get_backend_name() == "sqlite":
            args["factory"] = FaultySqliteConnection
        else:
            args["cursor_factory"] = FaultyPgCursor
        return found | {"connect_args": args}

    monkeypatch.setattr(store_sync, "engine_options", options)

    def arm(table: str, exc: Any, times: int = 10**9) -> None:
        FAULT.update(sql=f"INSERT INTO KELOMPOK_{table.upper()}", exc=exc, left=times)

    yield arm
    FAULT.clear()


def duplicate_key(backend: str) -> Any:
    """What the driver raises when another writer appended the same record first."""
    if backend == "sqlite":
        return lambda: sqlite3.IntegrityError("UNIQUE constraint failed: kelompok_history.seq")
    return lambda: psycopg.errors.UniqueViolation("duplicate key value violates unique constraint")


# ============================================================================================
# 1. No lost or half-applied event
# ============================================================================================


@BOTH
@pytest.mark.parametrize("table", ["history", "idempotency", "outbox"])
@pytest.mark.parametrize(
    "exc", [RuntimeError("disk on fire"), KeyboardInterrupt()], ids=["error", "ctrl-c"]
)
def test_a_failure_after_the_compare_and_set_writes_nothing(store_at, backend, table, exc, faults):
    store = store_at(backend, outbox=True)
    group_id = recruiting(store)
    queued = len(store.pending())
    faults(table, lambda: exc)
    with pytest.raises(type(exc)):
        store.fire(group_id, "admit", member("citra"), idempotency_key="k")
    FAULT.clear()
    assert 4 == in_step(store, group_id)  # the head's CAS update was rolled back too
    assert queued == len(store.pending())
    key_is_free(store, group_id, "k")
    assert 5 == in_step(store, group_id)


@BOTH
def test_a_clash_on_the_history_key_is_reported_not_retried(store_at, backend, faults):
    """Writers to one group take turns on its row: a clash there is a row no event wrote."""
    store = store_at(backend)
    group_id = recruiting(store)
    notified: list[int] = []
    faults("history", duplicate_key(backend), times=1)
    store.subscribe(lambda g, r: notified.append(g.version))
    with pytest.raises(InvalidGroupData) as caught:
        store.fire(group_id, "admit", member("citra"))
    assert "store.row_exists" == caught.value.problems[0].code
    assert [] == notified
    assert 4 == in_step(store, group_id)  # nothing written
    assert 5 == store.fire(group_id, "admit", member("citra")).version  # the fault is gone


@BOTH
@pytest.mark.parametrize(
    "exc", [RuntimeError("veto"), KeyboardInterrupt()], ids=["error", "ctrl-c"]
)
def test_a_type_listener_that_raises_inside_store_fire_writes_nothing(store_at, backend, exc):
    store = store_at(backend, outbox=True)
    group_id = recruiting(store)

    def veto(group, record):
        raise exc

    unsubscribe = PRO.subscribe(veto)
    try:
        with pytest.raises(type(exc)):
            store.fire(group_id, "admit", member("citra"), idempotency_key="k")
    finally:
        unsubscribe()
    assert 4 == in_step(store, group_id)
    assert 4 == len(store.pending())
    key_is_free(store, group_id, "k")


@BOTH
def test_a_type_listener_that_fires_again_cannot_smuggle_a_second_event(store_at, backend):
    """A listener firing on the group would make head v+2 with only record v+2 written."""
    store = store_at(backend)
    group_id = recruiting(store)

    def sneaky(group, record):
        if record.event == "admit" and record.payload["member"]["id"] == "citra":
            group.fire("admit", member("smuggled"))

    unsubscribe = PRO.subscribe(sneaky)
    try:
        with pytest.raises(KelompokError):
            store.fire(group_id, "admit", member("citra"))
    finally:
        unsubscribe()
    assert 4 == in_step(store, group_id)


@BOTH
def test_a_store_listener_interrupted_leaves_the_committed_event_whole(store_at, backend):
    store = store_at(backend)
    group_id = recruiting(store)

    def interrupted(group, record):
        raise KeyboardInterrupt

    unsubscribe = store.subscribe(interrupted)
    with pytest.raises(KeyboardInterrupt):  # not an Exception: not swallowed, but committed
        store.fire(group_id, "admit", member("citra"))
    unsubscribe()
    assert 5 == in_step(store, group_id)
    assert 6 == store.fire(group_id, "admit", member("dewi")).version


@BOTH
def test_threads_with_expected_versions_get_one_winner_per_version(store_at, backend):
    store = store_at(backend)
    group_id = recruiting(store)
    barrier, wins, conflicts = threading.Barrier(6), [], []

    def work(n: int) -> None:
        barrier.wait()
        try:
            wins.append(store.fire(group_id, "admit", member(f"t{n}"), expected_version=4))
        except Conflict as exc:
            conflicts.append(exc.actual)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert 1 == len(wins)
    assert [5] * 5 == conflicts
    assert 5 == in_step(store, group_id)


@BOTH
def test_concurrent_creates_of_one_id_are_conflicts(store_at, backend, request):
    store = store_at(backend)
    raised: list[BaseException] = []
    for round_ in range(6):
        barrier = threading.Barrier(6)

        def work(round_: int = round_, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            try:
                store.create(PRO, id=f"same-{round_}", name="A", profession="pharmacist")
            except BaseException as exc:  # noqa: BLE001 -- checked below
                raised.append(exc)

        threads = [threading.Thread(target=work) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert 30 == len(raised)
    assert all(type(exc) is Conflict for exc in raised), {type(e).__name__ for e in raised}


# ============================================================================================
# 2. Every error is a KelompokError: hostile ids, keys, partners, numbers, payloads
# ============================================================================================

SURROGATE = "\ud800"
NUL = "a\x00b"
BIG_RANDOM_KEY = secrets.token_hex(10_000)  # 20 000 characters that do not compress

STR = type("S", (str,), {})
HOSTILE: dict[str, Any] = {  # each a call(store, group_id, partner_id)
    "get-lone-surrogate": lambda s, g, p: s.get(SURROGATE),
    "get-nul": lambda s, g, p: s.get(NUL),
    "history-nul": lambda s, g, p: s.history(NUL),
    "history-lone-surrogate": lambda s, g, p: s.history(SURROGATE),
    "fire-id-lone-surrogate": lambda s, g, p: s.fire(SURROGATE, "admit", member("x")),
    "fire-id-nul": lambda s, g, p: s.fire(NUL, "admit", member("x")),
    "key-nul": lambda s, g, p: s.fire(g, "admit", member("x"), idempotency_key="k\x00"),
    "key-lone-surrogate": lambda s, g, p: s.fire(
        g, "admit", member("x"), idempotency_key="k" + SURROGATE
    ),
    "key-20k-chars": lambda s, g, p: s.fire(
        g, "admit", member("x"), idempotency_key=BIG_RANDOM_KEY
    ),
    "key-10MB": lambda s, g, p: s.fire(g, "admit", member("x"), idempotency_key="k" * 10_000_000),
    "key-str-subclass": lambda s, g, p: s.fire(g, "admit", member("x"), idempotency_key=STR("k")),
    "partner-nul": lambda s, g, p: s.fire(
        g, "collaborate", partner=NUL, purpose="p", shared=["ideas"]
    ),
    "partner-lone-surrogate": lambda s, g, p: s.fire(
        g, "collaborate", partner=SURROGATE, purpose="p", shared=["ideas"]
    ),
    "partner-str-subclass": lambda s, g, p: s.fire(
        g, "collaborate", partner=STR(p), purpose="p", shared=["ideas"]
    ),
    "find-after-nul": lambda s, g, p: s.find(after=NUL),
    "find-stage-lone-surrogate": lambda s, g, p: s.find(stage=SURROGATE),
    "find-type-lone-surrogate": lambda s, g, p: s.find(type=SURROGATE),
    "get-sql-injection": lambda s, g, p: s.get("x' OR '1'='1'; DROP TABLE kelompok_groups; --"),
    "get-10MB-id": lambda s, g, p: s.get("x" * 10_000_000),
    "get-str-subclass": lambda s, g, p: s.get(STR(g)),
    "get-a-prefix-of-an-id": lambda s, g, p: s.get(g[:-1] + "%"),
    "event-nul": lambda s, g, p: s.fire(g, "adm\x00it"),
    "actor-lone-surrogate": lambda s, g, p: s.fire(g, "admit", member("x"), actor=SURROGATE),
}


@pytest.mark.parametrize("backend", ["sqlite", PG])
@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_text_is_a_kelompok_error_and_writes_nothing_half(store_at, backend, case, request):
    call = HOSTILE[case]
    if backend == "postgres":
        url = request.getfixturevalue("shared_pg")
    else:
        url = request.getfixturevalue("shared_sqlite")
    store = open_store(url)
    request.addfinalizer(store.close)
    group_id = evaluating(store, f"group-{case}")
    partner = evaluating(store, f"partner-{case}")
    with contextlib.suppress(KelompokError):
        call(store, group_id, partner)
    assert in_step(store, group_id) in (9, 10)
    assert 9 == in_step(store, partner)
    assert "collaborating" != store.get(group_id).stage  # no partner found by a cut id


@BOTH
@pytest.mark.parametrize(
    "call",
    [
        lambda s, g: s.history(g, after=10**30),
        lambda s, g: s.history(g, limit=10**30),
        lambda s, g: s.find(limit=10**30),
        lambda s, g: s.pending(limit=10**30),
        lambda s, g: s.acknowledge(10**30),
    ],
    ids=["history-after", "history-limit", "find-limit", "pending-limit", "acknowledge"],
)
def test_numbers_beyond_64_bits_are_kelompok_errors(store_at, backend, call):
    store = store_at(backend, outbox=True)
    group_id = recruiting(store)
    with contextlib.suppress(KelompokError):
        call(store, group_id)


@BOTH
def test_acknowledge_refuses_ids_that_are_not_whole_numbers(store_at, backend):
    store = store_at(backend, outbox=True)
    recruiting(store)
    with pytest.raises(KelompokError):
        store.acknowledge(object())
    assert 4 == len(store.pending())


@pytest.mark.postgres
def test_acknowledge_of_a_textual_id_is_a_kelompok_error_on_postgres(store_at):
    store = store_at("postgres", outbox=True)
    recruiting(store)
    with contextlib.suppress(KelompokError):
        store.acknowledge("1")
    assert 4 == len(store.pending())


class RaisingGet(Mapping[str, Any]):
    def __getitem__(self, key: str) -> Any:
        raise RuntimeError("the payload is a liar")

    def __iter__(self) -> Iterator[str]:
        return iter(["member", "scores"])

    def __len__(self) -> int:
        return 2


class RaisingKeys(RaisingGet):
    def keys(self) -> Any:
        raise RuntimeError("no keys for you")


class Unhashable:
    def __hash__(self) -> int:
        raise RuntimeError("no hash")


class RaisingHash(RaisingGet):
    def __iter__(self) -> Iterator[Any]:
        return iter([Unhashable()])

    def keys(self) -> Any:
        return [Unhashable()]


@BOTH
@pytest.mark.parametrize("payload", [RaisingGet, RaisingKeys, RaisingHash])
def test_a_payload_mapping_that_raises_is_a_usage_error(store_at, backend, payload):
    store = store_at(backend)
    group_id = recruiting(store)
    try:
        with pytest.raises(KelompokError):
            store.fire(group_id, "admit", payload(), idempotency_key="k")
    finally:
        assert 4 == in_step(store, group_id)


class LyingKeys(Mapping[str, Any]):
    """A mapping whose keys change every time they are asked for."""

    def __init__(self) -> None:
        self.asked = 0

    def __getitem__(self, key: str) -> Any:
        return member(f"liar{self.asked}")[key]

    def __iter__(self) -> Iterator[str]:
        self.asked += 1
        return iter(["member", "scores"] if self.asked % 2 else ["member"])

    def __len__(self) -> int:
        return 2


class LyingInt(int):
    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return 0


@BOTH
def test_lying_payloads_apply_once_and_cannot_fool_the_fingerprint(store_at, backend):
    store = store_at(backend)
    group_id = recruiting(store)
    for _ in range(2):
        with contextlib.suppress(KelompokError):
            store.fire(group_id, "admit", LyingKeys(), idempotency_key="liar")
    version = in_step(store, group_id)
    assert version in (4, 5)
    lying = {
        "member": member("eq")["member"],
        "scores": {"competence": LyingInt(4), "dedication": 3},
    }
    try:
        store.fire(group_id, "admit", lying, idempotency_key="eq")
    except KelompokError:
        key_is_free(store, group_id, "eq")
        return
    honest = {"member": member("eq")["member"], "scores": {"competence": 5, "dedication": 3}}
    with pytest.raises(IdempotencyMismatch):  # __eq__ saying "equal" must not make a repeat
        store.fire(group_id, "admit", honest, idempotency_key="eq")


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


@BOTH
@pytest.mark.parametrize(
    "scores",
    [
        {"competence": _nested(100_000), "dedication": 3},
        {"competence": 4, "dedication": 3, "deep": _nested(100_000)},
    ],
    ids=["deep-value", "deep-extra-field"],
)
def test_a_100k_deep_payload_is_refused_and_records_no_key(store_at, backend, scores):
    store = store_at(backend)
    group_id = recruiting(store)
    for key in ("deep", None):
        with pytest.raises(KelompokError):
            store.fire(
                group_id,
                "admit",
                {"member": member("d")["member"], "scores": scores},
                idempotency_key=key,
            )
    assert 4 == in_step(store, group_id)
    key_is_free(store, group_id, "deep")


@BOTH
def test_a_circular_payload_is_refused_and_records_no_key(store_at, backend):
    store = store_at(backend)
    group_id = recruiting(store)
    loop: dict[str, Any] = {}
    loop["again"] = loop
    with pytest.raises(KelompokError):
        store.fire(group_id, "admit", member("c") | {"scores": loop}, idempotency_key="loop")
    assert 4 == in_step(store, group_id)
    key_is_free(store, group_id, "loop")


def test_a_50mb_payload_is_handled_in_bounded_time(store_at):
    store = store_at("sqlite")
    group_id = recruiting(store)
    huge = {"id": "huge", "name": "n" * 50_000_000, "profession": "pharmacist"}
    start = time.monotonic()
    try:
        after = store.fire(
            group_id, "admit", member("huge") | {"member": huge}, idempotency_key="h"
        )
    except KelompokError:
        assert 4 == in_step(store, group_id)
        key_is_free(store, group_id, "h")
    else:
        again = store.fire(
            group_id, "admit", member("huge") | {"member": huge}, idempotency_key="h"
        )
        assert after.version == again.version == in_step(store, group_id)
    assert time.monotonic() - start < 30


# ============================================================================================
# 3. Partners come from the store
# ============================================================================================


@BOTH
def test_partners_of_another_type_dissolved_or_itself_are_refused(store_at, backend):
    store = store_at(backend)
    group_id = evaluating(store, "group")
    dissolved = evaluating(store, "dissolved")
    store.fire(dissolved, "dissolve", reason="done")
    volunteer = store.create(VOL, id="volunteer", name="Relawan")
    given = payloads(VOL)
    for event in [
        "identify_needs", "form_core_group", "adopt_charter", "open_recruitment", "admit",
        "establish_structure", "plan_programs", "execute", "record_activity",
    ]:  # fmt: skip
        store.fire(volunteer.id, event, given[event])
    for partner in (volunteer.id, dissolved, group_id, "ghost"):
        with pytest.raises(TransitionNotAllowed):
            store.fire(group_id, "collaborate", partner=partner, purpose="p", shared=["ideas"])
    assert 9 == in_step(store, group_id)


@BOTH
def test_a_partner_whose_row_is_corrupt_is_refused(store_at, backend, request):
    store = store_at(backend)
    group_id = evaluating(store, "group")
    partner = evaluating(store, "partner")
    edit(
        url_of(request, backend),
        "UPDATE kelompok_groups SET stage = 'collaborating' WHERE id = :p",
        p=partner,
    )
    with pytest.raises(InvalidGroupData):
        store.fire(group_id, "collaborate", partner=partner, purpose="p", shared=["ideas"])
    assert 9 == in_step(store, group_id)


# ============================================================================================
# 4. Checked reads of hand-edited rows
# ============================================================================================


@pytest.mark.parametrize("value", ["'5'", "5.0"], ids=["text-5", "real-5.0"])
def test_sqlite_affinity_turns_a_textual_version_back_into_a_number(store_at, sqlite_url, value):
    store = store_at("sqlite")
    group_id = recruiting(store)
    store.fire(group_id, "admit", member("c"))
    edit(sqlite_url, f"UPDATE kelompok_groups SET version = {value}")  # noqa: S608 -- ours
    assert 5 == store.get(group_id).version
    assert 6 == store.fire(group_id, "admit", member("d"), expected_version=5).version
    assert 6 == in_step(store, group_id)


@pytest.mark.parametrize("value", ["'five'", "5.5", "X'35'", "'5x'"])
def test_a_version_column_of_the_wrong_type_is_refused(store_at, sqlite_url, value):
    store = store_at("sqlite")
    group_id = recruiting(store)
    store.fire(group_id, "admit", member("c"))
    edit(sqlite_url, f"UPDATE kelompok_groups SET version = {value}")  # noqa: S608 -- ours
    for call in (
        lambda: store.get(group_id),
        lambda: store.fire(group_id, "admit", member("d")),
        store.find,
        lambda: store.history(group_id),
    ):
        with pytest.raises(InvalidGroupData):
            call()


@pytest.mark.parametrize("value", ["'five'", "5.5", "X'35'"])
def test_a_corrupt_version_column_is_not_reported_as_a_conflict(store_at, sqlite_url, value):
    store = store_at("sqlite")
    group_id = recruiting(store)
    store.fire(group_id, "admit", member("c"))
    edit(sqlite_url, f"UPDATE kelompok_groups SET version = {value}")  # noqa: S608 -- ours
    with pytest.raises(InvalidGroupData):
        store.fire(group_id, "admit", member("d"), expected_version=5)


HEADS = {
    "truncated": "'{\"schema_version\": 2,'",
    "array": "'[]'",
    "null": "'null'",
    "string": "'\"head\"'",
    "deep-1MB": "'" + "[" * 1_000_000 + "'",
}


@BOTH
@pytest.mark.parametrize("head", list(HEADS))
def test_history_refuses_a_junk_head_with_invalid_group_data(store_at, backend, head, request):
    store = store_at(backend)
    group_id = recruiting(store)
    edit(url_of(request, backend), f"UPDATE kelompok_groups SET head = {HEADS[head]}")  # noqa: S608
    with pytest.raises(InvalidGroupData):
        store.get(group_id)  # this part holds
    with pytest.raises(InvalidGroupData):
        store.history(group_id)


@BOTH
@pytest.mark.parametrize("head", list(HEADS))
def test_get_and_fire_refuse_a_junk_head(store_at, backend, head, request):
    store = store_at(backend)
    group_id = recruiting(store)
    edit(url_of(request, backend), f"UPDATE kelompok_groups SET head = {HEADS[head]}")  # noqa: S608
    every_read_refuses(store, group_id)


JUNK_10MB = {
    "wide-array": "[" + ",".join(["1"] * 5_000_000) + "]",
    "repeated-key": "{" + ",".join(['"a":1'] * 1_600_000) + "}",
    "big-numbers": "[" + ",".join(["9" * 4000] * 2500) + "]",
    "deep-objects": '{"a":' * 2_000_000,
    "deep-arrays": "[" * 10_000_000,
}


@pytest.mark.parametrize("junk", list(JUNK_10MB))
def test_a_10mb_junk_head_is_refused_quickly(store_at, sqlite_url, junk):
    store = store_at("sqlite")
    group_id = recruiting(store)
    edit(sqlite_url, "UPDATE kelompok_groups SET head = :h", h=JUNK_10MB[junk])
    for call in (
        lambda: store.get(group_id),
        lambda: store.fire(group_id, "admit", member("d")),
    ):
        start = time.monotonic()
        with pytest.raises(InvalidGroupData):
            call()
        assert time.monotonic() - start < 5


def test_a_head_as_bytes_that_are_not_utf8_is_refused(store_at, sqlite_url):
    store = store_at("sqlite")
    group_id = recruiting(store)
    edit(sqlite_url, "UPDATE kelompok_groups SET head = X'FF7B'")
    with pytest.raises(InvalidGroupData):
        store.get(group_id)


@pytest.mark.postgres
@pytest.mark.parametrize("column", ["head", "version", "stage", "type"])
def test_null_columns_are_refused_by_get_and_fire(store_at, pg_url, column):
    store = store_at("postgres")
    group_id = recruiting(store)
    edit(pg_url, f"ALTER TABLE kelompok_groups ALTER COLUMN {column} DROP NOT NULL")
    edit(pg_url, f"UPDATE kelompok_groups SET {column} = NULL")  # noqa: S608 -- ours
    for call in (lambda: store.get(group_id), lambda: store.fire(group_id, "admit", member("d"))):
        with pytest.raises(InvalidGroupData):
            call()


@pytest.mark.postgres
def test_history_refuses_a_null_head(store_at, pg_url):
    store = store_at("postgres")
    group_id = recruiting(store)
    edit(pg_url, "ALTER TABLE kelompok_groups ALTER COLUMN head DROP NOT NULL")
    edit(pg_url, "UPDATE kelompok_groups SET head = NULL")
    with pytest.raises(InvalidGroupData):
        store.history(group_id)


@pytest.mark.postgres
def test_a_null_history_record_is_refused(store_at, pg_url):
    store = store_at("postgres")
    group_id = recruiting(store)
    edit(pg_url, "ALTER TABLE kelompok_history ALTER COLUMN record DROP NOT NULL")
    edit(pg_url, "UPDATE kelompok_history SET record = NULL WHERE seq = 3")
    for call in (lambda: store.history(group_id), lambda: store.history(group_id, after=1)):
        with pytest.raises(InvalidGroupData):
            call()


def _record(url: str, group_id: str, seq: int) -> dict[str, Any]:
    with raw(url) as conn:
        text = conn.execute(
            sa.text("SELECT record FROM kelompok_history WHERE group_id = :g AND seq = :s"),
            {"g": group_id, "s": seq},
        ).scalar_one()
    return dict(json.loads(text))


@BOTH
@pytest.mark.parametrize("change", ["extra-key", "duplicate", "other-event", "blob"])
def test_history_records_edited_by_hand_are_refused(store_at, backend, change, request):
    url = url_of(request, backend)
    if change == "blob" and backend == "postgres":
        change = "other-event"
    store = store_at(backend)
    group_id = recruiting(store)
    record = _record(url, group_id, 2)
    sql = "UPDATE kelompok_history SET record = :r WHERE seq = 2"
    if change == "extra-key":
        edit(url, sql, r=json.dumps(record | {"evil": True}))
    elif change == "duplicate":  # record 2 becomes a second copy of record 1
        first = _record(url, group_id, 1)
        edit(url, "UPDATE kelompok_history SET record = :r, event = :e WHERE seq = 2",
             r=json.dumps(first), e=first["event"])  # fmt: skip
    elif change == "other-event":
        edit(url, sql, r=json.dumps(record | {"event": "admit"}))
    else:
        edit(url, "UPDATE kelompok_history SET record = X'FF' WHERE seq = 2")
    for call in (
        lambda: store.history(group_id),
        lambda: store.history(group_id, after=0, limit=9),
    ):
        with pytest.raises(InvalidGroupData):
            call()


@BOTH
def test_a_renumbered_history_is_refused_by_the_whole_history(store_at, backend, request):
    store = store_at(backend)
    group_id = recruiting(store)
    edit(url_of(request, backend), "UPDATE kelompok_history SET seq = 9 WHERE seq = 4")
    with pytest.raises(InvalidGroupData):
        store.history(group_id, after=2)  # this part holds
    with pytest.raises(InvalidGroupData):
        store.history(group_id)


def test_a_text_seq_is_refused_by_a_history_page(store_at, sqlite_url):
    store = store_at("sqlite")
    group_id = recruiting(store)
    edit(sqlite_url, "UPDATE kelompok_history SET seq = 'x' WHERE seq = 4")
    with pytest.raises(InvalidGroupData):
        store.history(group_id, after=2)


def test_a_stray_future_history_row_is_reported_as_invalid_data(store_at, sqlite_url):
    store = store_at("sqlite")
    group_id = recruiting(store)
    edit(
        sqlite_url,
        "INSERT INTO kelompok_history (group_id, seq, event, record) VALUES (:g, 5, 'admit', '{}')",
        g=group_id,
    )
    start = time.monotonic()
    with pytest.raises(KelompokError) as caught:
        store.fire(group_id, "admit", member("d"))
    assert time.monotonic() - start < 10
    assert 4 == store.get(group_id).version
    assert not isinstance(caught.value, StoreBusy)


# -- idempotency rows and the outbox, edited by hand ---------------------------------------


def _keyed(store: Any) -> str:
    group_id = recruiting(store, "keyed")
    store.fire(group_id, "admit", member("citra"), idempotency_key="k")
    return group_id


@BOTH
def test_a_repeat_returns_only_this_groups_outcome(store_at, backend, request):
    url = url_of(request, backend)
    store = store_at(backend)
    group_id = _keyed(store)
    recruiting(store, "other")
    edit(
        url,
        "UPDATE kelompok_idempotency SET head = "
        "(SELECT head FROM kelompok_groups WHERE id = 'other') WHERE group_id = :g",
        g=group_id,
    )
    try:
        again = store.fire(group_id, "admit", member("citra"), idempotency_key="k")
    except InvalidGroupData:
        return
    assert group_id == again.id


@BOTH
def test_a_repeat_whose_stored_outcome_is_junk_is_refused(store_at, backend, request):
    store = store_at(backend)
    group_id = _keyed(store)
    edit(url_of(request, backend), "UPDATE kelompok_idempotency SET head = '[1,'")
    with pytest.raises(InvalidGroupData):
        store.fire(group_id, "admit", member("citra"), idempotency_key="k")
    assert 5 == in_step(store, group_id)


@BOTH
def test_a_corrupt_key_timestamp_is_invalid_group_data(store_at, backend, request):
    url = url_of(request, backend)
    store = store_at(backend)
    group_id = _keyed(store)
    if backend == "sqlite":
        edit(url, "UPDATE kelompok_idempotency SET created_at = 'yesterday'")
    else:
        edit(url, "ALTER TABLE kelompok_idempotency ALTER COLUMN created_at DROP NOT NULL")
        edit(url, "UPDATE kelompok_idempotency SET created_at = NULL")
    with pytest.raises(InvalidGroupData):
        store.fire(group_id, "admit", member("citra"), idempotency_key="k")


@BOTH
def test_outbox_entries_are_checked_on_read(store_at, backend, request):
    store = store_at(backend, outbox=True)
    recruiting(store)
    edit(
        url_of(request, backend),
        "UPDATE kelompok_outbox SET record = 'junk', event = 'nope' WHERE seq = 2",
    )
    with pytest.raises(InvalidGroupData):
        store.pending()


# ============================================================================================
# 5. Idempotency keys
# ============================================================================================


@BOTH
def test_one_key_from_eight_threads_applies_once(store_at, backend):
    store = store_at(backend)
    group_id = recruiting(store)
    notified: list[int] = []
    store.subscribe(lambda g, r: notified.append(g.version))
    barrier, versions, errors = threading.Barrier(8), [], []

    def work() -> None:
        barrier.wait()
        try:
            versions.append(
                store.fire(group_id, "admit", member("same"), idempotency_key="once").version
            )
        except BaseException as exc:  # noqa: BLE001 -- checked below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [] == errors
    assert [5] * 8 == versions
    assert [5] == notified
    assert 5 == in_step(store, group_id)


def test_one_key_from_three_processes_applies_once(store_at, sqlite_url):
    store = store_at("sqlite")
    group_id = recruiting(store)
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(3), context.Queue()
    workers = [
        context.Process(target=admit_keyed, args=(sqlite_url, group_id, "k", barrier, results))
        for _ in range(3)
    ]
    for w in workers:
        w.start()
    versions = [results.get(timeout=60) for _ in workers]
    for w in workers:
        w.join(60)
    assert [5, 5, 5] == versions
    assert 5 == in_step(store, group_id)


@BOTH
def test_a_key_keeps_its_outcome_whatever_happened_since(store_at, backend):
    store = store_at(backend)
    group_id = recruiting(store)
    given = member("citra")
    first = store.fire(group_id, "admit", given, idempotency_key="k")
    store.fire(group_id, "admit", member("dewi"))
    reordered = {
        "scores": dict(reversed(list(given["scores"].items()))),
        "member": dict(reversed(list(given["member"].items()))),
    }
    again = store.fire(group_id, "admit", reordered, idempotency_key="k", expected_version=0)
    assert first.version == again.version == 5
    assert first.to_dict(history=False) == again.to_dict(history=False)
    with pytest.raises(IdempotencyMismatch):
        store.fire(group_id, "reject", member=given["member"], reason="no", idempotency_key="k")
    assert 6 == in_step(store, group_id)


@BOTH
@pytest.mark.parametrize("refusal", ["conflict", "refused", "unknown-event"])
def test_a_first_call_that_fails_records_no_key(store_at, backend, refusal):
    store = store_at(backend)
    group_id = recruiting(store)
    calls = {
        "conflict": lambda: store.fire(
            group_id, "admit", member("x"), idempotency_key="k", expected_version=1
        ),
        "refused": lambda: store.fire(
            group_id, "admit", member("x") | {"scores": {}}, idempotency_key="k"
        ),
        "unknown-event": lambda: store.fire(group_id, "launch", idempotency_key="k"),
    }
    with pytest.raises(KelompokError):
        calls[refusal]()
    assert 4 == in_step(store, group_id)
    key_is_free(store, group_id, "k")


def test_a_key_is_a_repeat_up_to_its_ttl_and_a_first_call_just_after(store_at, monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(ops, "clock", lambda: now[0])
    store = store_at("sqlite", idempotency_ttl=100)
    group_id = recruiting(store)
    store.fire(group_id, "admit", member("citra"), idempotency_key="k")
    now[0] += 100  # exactly the retention: still a repeat
    assert 5 == store.fire(group_id, "admit", member("citra"), idempotency_key="k").version
    with pytest.raises(IdempotencyMismatch):
        store.fire(group_id, "admit", member("dewi"), idempotency_key="k")
    now[0] += 0.001  # just past it: a first call, even with another payload
    assert 6 == store.fire(group_id, "admit", member("dewi"), idempotency_key="k").version
    assert 7 == store.fire(group_id, "admit", member("eko"), idempotency_key="k2").version
    now[0] += 100.01
    with pytest.raises(TransitionNotAllowed):  # expired, then refused: nothing changes
        store.fire(group_id, "admit", member("x") | {"scores": {}}, idempotency_key="k2")
    assert 0 == store.prune_idempotency_keys(older_than=1e9)
    assert 2 == store.prune_idempotency_keys()
    assert 7 == in_step(store, group_id)


def test_a_key_with_nul_is_refused_on_every_backend_so_no_two_keys_collide(store_at):
    """PostgreSQL text cannot hold NUL; SQLite can: one rule for both is to refuse it."""
    store = store_at("sqlite")
    group_id = recruiting(store)
    for key in ("k\x00a", "k\x00b"):
        with pytest.raises(kelompok.UsageError, match="without NUL"):
            store.fire(group_id, "admit", member("a"), idempotency_key=key)
    assert 5 == store.fire(group_id, "admit", member("c"), idempotency_key="k").version
    with pytest.raises(NotFound):
        store.get(group_id + "\x00tail")


def test_a_member_object_and_the_dict_of_its_fields_are_one_request(store_at):
    store = store_at("sqlite")
    group = store.create(VOL, name="Relawan")
    given = payloads(VOL)
    for event in ["identify_needs", "form_core_group", "adopt_charter", "open_recruitment"]:
        store.fire(group.id, event, given[event])
    scores = {"commitment": 4, "motivation": 3}
    as_dict = {"member": {"id": "gita", "name": "Gita"}, "scores": scores}
    as_object = {"member": kelompok.Member(id="gita", name="Gita"), "scores": scores}
    assert 5 == store.fire(group.id, "admit", as_dict, idempotency_key="k").version
    assert 5 == store.fire(group.id, "admit", as_object, idempotency_key="k").version


# ============================================================================================
# 6. asyncio: cancellation and concurrency
# ============================================================================================


async def _async_recruiting(store: Any) -> str:
    group = await store.create(PRO, name="A", profession="pharmacist")
    for event, given in list(payloads(PRO).items())[:4]:
        await store.fire(group.id, event, given)
    return str(group.id)


async def _cancel_storm(url: str, rounds: int) -> tuple[int, int, int, int]:
    notified: list[int] = []
    async with open_async_store(url) as store:
        group_id = await _async_recruiting(store)
        store.subscribe(lambda g, r: notified.append(g.version))
        for i in range(rounds):
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(
                    store.fire(group_id, "admit", member(f"c{i}"), idempotency_key=f"k{i}"),
                    timeout=(i % 10) * 0.0004,
                )
    # closing waited for the transactions the timeouts left running; another store reads
    async with open_async_store(url) as store:
        store.subscribe(lambda g, r: notified.append(g.version))
        version = (await store.get(group_id)).version
        records = len(await store.history(group_id))
        for i in range(rounds):  # the retry the docs advise: the same key tells what happened
            await store.fire(group_id, "admit", member(f"c{i}"), idempotency_key=f"k{i}")
        final = (await store.get(group_id)).version
        assert final == len(await store.history(group_id))
        return version - 4, records - 4, final - 4, len(notified)


@BOTH
def test_a_storm_of_timeouts_never_leaves_head_and_history_apart(backend, request):
    committed, records, final, _ = asyncio.run(_cancel_storm(url_of(request, backend), 24))
    assert committed == records
    assert 24 == final  # every admit applied exactly once after the keyed retries


@BOTH
def test_every_committed_event_reaches_the_listeners_even_when_cancelled(backend, request):
    _, _, final, notified = asyncio.run(_cancel_storm(url_of(request, backend), 24))
    assert final == notified


async def _same_key(url: str) -> tuple[list[int], int, int]:
    async with open_async_store(url) as store:
        group_id = await _async_recruiting(store)
        versions = await asyncio.gather(
            *(
                store.fire(group_id, "admit", member("same"), idempotency_key="once")
                for _ in range(12)
            )
        )
        return (
            [g.version for g in versions],
            (await store.get(group_id)).version,
            len(await store.history(group_id)),
        )


@BOTH
def test_one_key_from_twelve_coroutines_applies_once(backend, request):
    versions, version, records = asyncio.run(_same_key(url_of(request, backend)))
    assert [5] * 12 == versions
    assert 5 == version == records


async def _versioned(url: str) -> tuple[int, int, int, int]:
    async with open_async_store(url) as store:
        group_id = await _async_recruiting(store)
        outcomes = await asyncio.gather(
            *(
                store.fire(group_id, "admit", member(f"v{i}"), expected_version=4)
                for i in range(10)
            ),
            return_exceptions=True,
        )
        wins = sum(1 for o in outcomes if isinstance(o, kelompok.Group))
        conflicts = sum(1 for o in outcomes if isinstance(o, Conflict))
        return (
            wins,
            conflicts,
            (await store.get(group_id)).version,
            len(await store.history(group_id)),
        )


@BOTH
def test_coroutines_with_one_expected_version_get_one_winner(backend, request):
    assert (1, 9, 5, 5) == asyncio.run(_versioned(url_of(request, backend)))
