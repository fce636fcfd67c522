"""The store's behaviour, once, for every backend: each test module subclasses StoreContract.

A subclass gives the ``url`` fixture (a fresh, empty database per test) and
``opened(url, **options)``, which opens a store on it (the synchronous store, or
the asynchronous one driven from this synchronous code).
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import kelompok
from builders import CHARTER, PATHS, PRO_FOUNDERS, in_threads, payloads
from kelompok import InvalidGroupData, TransitionNotAllowed
from kelompok._codec import walk
from kelompok.store import Conflict, IdempotencyMismatch, NotFound, Store
from kelompok.store import _ops as ops
from kelompok.store._engine import resolve_url
from store_workers import admit_keyed, admit_many, member

PRO = kelompok.PROFESSIONAL
MAIN_PATH = PATHS["professional"][:-1]  # up to evaluating


def recruiting(store: Any, group_id: str | None = None) -> str:
    """A professional group stored and fired through the store up to ``recruiting``."""
    group = store.create(PRO, id=group_id, name="Ikatan Apoteker Muda", profession="pharmacist")
    store.fire(group.id, "identify_needs", needs=["support"], actor="ani")
    store.fire(group.id, "form_core_group", founders=PRO_FOUNDERS)
    store.fire(group.id, "adopt_charter", CHARTER)
    store.fire(group.id, "open_recruitment")
    return str(group.id)


def evaluating(store: Any, group_id: str | None = None) -> str:
    group_id = recruiting(store, group_id)
    given = payloads(PRO)
    for event in MAIN_PATH[4:]:
        store.fire(group_id, event, given[event])
    return group_id


@contextlib.contextmanager
def raw(url: str) -> Iterator[sa.Connection]:
    """A plain connection to the store's database, to edit its rows by hand."""
    engine = sa.create_engine(resolve_url(url))
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def store_head(url: str, group_id: str) -> dict[str, Any]:
    """The head document of a stored group, as its row holds it."""
    with raw(url) as conn:
        text = conn.execute(
            sa.text("SELECT head FROM kelompok_groups WHERE id = :id"), {"id": group_id}
        ).scalar_one()
    return dict(json.loads(text))


def lock_is_free(path: str) -> bool:
    """Whether another connection can take the SQLite write lock at once (nothing holds it)."""
    other = sqlite3.connect(path, isolation_level=None, timeout=0.05)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return False
    else:
        other.execute("ROLLBACK")
        return True
    finally:
        other.close()


class StoreContract:
    """What every store promises (SPEC section 6, docs/storing.md)."""

    @contextlib.contextmanager
    def opened(self, url: str, **options: Any) -> Iterator[Any]:
        with Store(url, **options) as store:
            yield store

    @pytest.fixture
    def store(self, url: str) -> Iterator[Any]:
        with self.opened(url) as store:
            yield store

    # -- create, get, fire ------------------------------------------------------------

    def test_a_created_group_is_stored_at_version_0_and_read_back_equal(self, store):
        group = store.create(PRO, name="Ikatan Perawat", profession="nurse")
        back = store.get(group.id)
        assert (0, "awareness") == (back.version, back.stage)
        assert group.to_dict() == back.to_dict()
        assert [] == store.history(group.id)

    def test_fire_is_one_event_and_returns_the_group_after_it(self, store):
        group_id = recruiting(store)
        after = store.fire(group_id, "admit", member("citra"), actor="bayu")
        assert (5, "recruiting") == (after.version, after.stage)
        assert "citra" in after.data.members
        assert after.to_dict(history=False) == store.get(group_id).to_dict(history=False)
        records = store.history(group_id)
        assert MAIN_PATH[:5] == [r.event for r in records]
        last = records[-1]
        assert ("recruiting", "recruiting", "bayu") == (last.source, last.dest, last.actor)
        assert "citra" == last.payload["member"]["id"]
        assert "ani" == records[0].actor

    def test_a_missing_group_is_not_found_everywhere(self, store):
        for call in (
            lambda: store.get("nobody"),
            lambda: store.fire("nobody", "identify_needs", needs=["x"]),
            lambda: store.history("nobody"),
        ):
            with pytest.raises(NotFound) as caught:
                call()
            assert "nobody" == caught.value.group_id
            assert isinstance(caught.value, kelompok.KelompokError | LookupError)
            assert "nobody" in caught.value.text("id")

    def test_a_created_id_that_is_taken_is_a_conflict(self, store):
        store.create(PRO, id="taken", name="A", profession="nurse")
        with pytest.raises(Conflict) as caught:
            store.create(PRO, id="taken", name="B", profession="nurse")
        assert (None, 0) == (caught.value.expected, caught.value.actual)
        assert "A" == store.get("taken").data.name

    def test_a_group_made_elsewhere_is_added_with_its_whole_history(self, store):
        made = kelompok.PROFESSIONAL.create(name="Ikatan", profession="pharmacist")
        made.fire("identify_needs", needs=["x"], actor="ani")
        made.fire("form_core_group", founders=PRO_FOUNDERS)
        moved = kelompok.load(json.loads(json.dumps(made.to_dict())))  # from an old table
        store.add(moved)
        assert made.to_dict(history=False) == store.get(made.id).to_dict(history=False)
        assert list(made.history) == store.history(made.id)  # checked with the head
        assert 3 == store.fire(made.id, "adopt_charter", CHARTER).version
        with pytest.raises(Conflict):
            store.add(moved)

    def test_a_group_without_its_whole_history_cannot_be_added(self, store):
        made = kelompok.PROFESSIONAL.create(name="Ikatan", profession="pharmacist")
        made.fire("identify_needs", needs=["x"])
        head_only = kelompok.load(made.to_dict(history=False))
        with pytest.raises(kelompok.UsageError, match="whole history"):
            store.add(head_only)
        with pytest.raises(NotFound):
            store.get(made.id)

    def test_a_refused_event_writes_nothing(self, store):
        group_id = recruiting(store)
        with pytest.raises(TransitionNotAllowed) as caught:
            store.fire(group_id, "admit", member("citra") | {"scores": {"competence": 1}})
        assert caught.value.reasons
        assert 4 == store.get(group_id).version
        assert 4 == len(store.history(group_id))

    def test_an_unknown_event_is_refused_before_anything_is_written(self, store):
        group_id = recruiting(store)
        with pytest.raises(kelompok.UnknownEvent):
            store.fire(group_id, "launch_rocket")
        assert 4 == store.get(group_id).version

    # -- versions -------------------------------------------------------------------------

    def test_expected_version_is_a_compare_and_set(self, store):
        group_id = recruiting(store)
        with pytest.raises(Conflict) as caught:
            store.fire(group_id, "admit", member("citra"), expected_version=3)
        assert (group_id, 3, 4) == (
            caught.value.group_id,
            caught.value.expected,
            caught.value.actual,
        )
        assert "4" in caught.value.text("id")
        assert 4 == store.get(group_id).version
        assert 5 == store.fire(group_id, "admit", member("citra"), expected_version=4).version

    # -- idempotency keys ---------------------------------------------------------------

    def test_a_repeated_key_applies_nothing_and_returns_the_first_outcome(self, store):
        group_id = recruiting(store)
        first = store.fire(group_id, "admit", member("citra"), idempotency_key="req-1")
        store.fire(group_id, "admit", member("dewi"))
        again = store.fire(group_id, "admit", member("citra"), idempotency_key="req-1")
        assert 5 == first.version == again.version
        assert first.to_dict(history=False) == again.to_dict(history=False)
        assert 6 == store.get(group_id).version
        assert 6 == len(store.history(group_id))

    def test_a_key_is_per_group(self, store):
        one, two = recruiting(store, "one"), recruiting(store, "two")
        store.fire(one, "admit", member("citra"), idempotency_key="k")
        assert 5 == store.fire(two, "admit", member("citra"), idempotency_key="k").version

    def test_a_key_reused_with_another_payload_or_event_is_a_mismatch(self, store):
        group_id = recruiting(store)
        store.fire(group_id, "admit", member("citra"), idempotency_key="req-1")
        with pytest.raises(IdempotencyMismatch) as caught:
            store.fire(group_id, "admit", member("dewi"), idempotency_key="req-1")
        assert (group_id, "req-1", "admit") == (
            caught.value.group_id,
            caught.value.key,
            caught.value.event,
        )
        with pytest.raises(IdempotencyMismatch) as caught:
            store.fire(
                group_id,
                "reject",
                member=member("x")["member"],
                reason="no",
                idempotency_key="req-1",
            )
        assert "admit" == caught.value.event  # the first call's event
        assert 5 == store.get(group_id).version

    def test_a_payload_given_as_objects_or_as_dicts_is_the_same_request(self, store):
        group_id = recruiting(store)
        as_dict = member("citra")
        as_object = {"member": kelompok.Member(**as_dict["member"]), "scores": as_dict["scores"]}
        store.fire(group_id, "admit", as_dict, idempotency_key="k")
        assert 5 == store.fire(group_id, "admit", as_object, idempotency_key="k").version

    def test_a_refused_call_records_no_key(self, store):
        group_id = recruiting(store)
        with pytest.raises(TransitionNotAllowed):
            store.fire(group_id, "admit", member("citra") | {"scores": {}}, idempotency_key="k")
        assert 5 == store.fire(group_id, "admit", member("citra"), idempotency_key="k").version

    def test_a_key_is_forgotten_after_its_retention(self, url):
        with self.opened(url, idempotency_ttl=3600) as store:
            group_id = recruiting(store)
            store.fire(group_id, "admit", member("citra"), idempotency_key="k")
            assert 0 == store.prune_idempotency_keys()
            assert 1 == store.prune_idempotency_keys(older_than=1e-9)
            assert 6 == store.fire(group_id, "admit", member("dewi"), idempotency_key="k").version
        with self.opened(url, idempotency_ttl=1e-9) as store:  # expired, not yet pruned
            assert 7 == store.fire(group_id, "admit", member("eko"), idempotency_key="k").version

    # -- partners -------------------------------------------------------------------------

    def test_collaborate_reads_the_partner_from_the_store(self, store):
        partner = evaluating(store, "partner")
        group_id = evaluating(store, "group")
        after = store.fire(
            group_id, "collaborate", partner=partner, purpose="joint training", shared=["ideas"]
        )
        assert "collaborating" == after.stage
        ref = after.data.partners[partner].partner
        assert ("partner", "Ikatan Apoteker Muda", "evaluating") == (ref.id, ref.name, ref.stage)

    @pytest.mark.parametrize(
        "given",
        [
            {"id": "ghost", "name": "Ghost", "type": "professional", "stage": "structured"},
            kelompok.PartnerRef(id="ghost", name="Ghost", type="professional", stage="structured"),
            "ghost",
        ],
        ids=["described-as-dict", "described-as-PartnerRef", "unknown-id"],
    )
    def test_a_partner_the_store_does_not_hold_is_refused(self, store, given):
        group_id = evaluating(store)
        with pytest.raises(TransitionNotAllowed) as caught:
            store.fire(group_id, "collaborate", partner=given, purpose="p", shared=["ideas"])
        [reason] = caught.value.reasons
        assert "partner" == reason.field
        if given == "ghost":
            assert "store.reference_unknown" == reason.code
            assert "partner: no stored group has the id 'ghost'" == reason.message("en")
            assert "partner: tidak ada kelompok tersimpan dengan id 'ghost'" == reason.message("id")
        else:
            assert "store.reference_by_id" == reason.code
            assert (
                "partner: give the stored group's id; the store reads the group itself"
                == reason.message("en")
            )
            assert (
                "partner: berikan id kelompok yang tersimpan; penyimpanan membaca kelompok itu "
                "sendiri" == reason.message("id")
            )
        assert 9 == store.get(group_id).version

    def test_an_unknown_partner_is_refused_with_every_other_reason(self, store):
        group_id = recruiting(store)  # too early to collaborate, and no such partner
        with pytest.raises(TransitionNotAllowed) as caught:
            store.fire(group_id, "collaborate", partner="ghost", purpose=" ", shared=[])
        codes = [r.code for r in caught.value.reasons]
        assert "store.reference_unknown" == codes[0]
        assert "stage.not_allowed" in codes

    def test_a_group_cannot_partner_itself_through_the_store(self, store):
        group_id = evaluating(store)
        with pytest.raises(TransitionNotAllowed) as refused:
            store.fire(group_id, "collaborate", partner=group_id, purpose="p", shared=["ideas"])
        assert ["partner.self"] == [r.code for r in refused.value.reasons]

    # -- reading --------------------------------------------------------------------------

    def test_history_pages_by_version(self, store):
        group_id = evaluating(store)
        whole = store.history(group_id)
        assert 9 == len(whole)
        pages, after = [], 0
        while page := store.history(group_id, after=after, limit=4):
            pages.append(page)
            after += len(page)
        assert [4, 4, 1] == [len(p) for p in pages]
        assert whole == [r for page in pages for r in page]
        assert whole[6:] == store.history(group_id, after=6)

    def test_a_history_is_read_as_of_one_moment(self, store, url, monkeypatch):
        # an event committed between reading the head and reading its records: PostgreSQL's
        # READ COMMITTED would show the new record past the head's version, and refuse it
        group_id = recruiting(store)
        read_head = ops._head_row
        fired: list[int] = []

        def head_then_another_servers_event(conn: Any, gid: str, **how: Any) -> Any:
            row = read_head(conn, gid, **how)
            if not fired:
                fired.append(row.version)
                with Store(url) as other:
                    other.fire(gid, "admit", member("between"))
            return row

        monkeypatch.setattr(ops, "_head_row", head_then_another_servers_event)
        assert 4 == len(store.history(group_id))
        assert [4] == fired
        assert 5 == len(store.history(group_id))

    def test_a_head_too_long_to_search_alone_is_read_with_its_history(self, url, monkeypatch):
        # a head whose order of events takes more search than the budget is checked with
        # the history rows: every row the store writes can be read back, by any store
        with self.opened(url) as store:
            group_id = recruiting(store)
            store.fire(group_id, "admit", member("m1"), idempotency_key="k1")
        monkeypatch.setattr(walk, "BUDGET", 1)
        with pytest.raises(InvalidGroupData, match="with its history"):
            kelompok.load(store_head(url, group_id))
        with self.opened(url, head_cache=0) as cold:
            assert 5 == cold.get(group_id).version
            assert [group_id] == [g.id for g in cold.find(stage="recruiting")]
            assert 5 == len(cold.history(group_id))
            again = cold.fire(group_id, "admit", member("m1"), idempotency_key="k1")
            assert (5, ()) == (again.version, tuple(again.history))
            assert 6 == cold.fire(group_id, "admit", member("m2")).version
            assert 6 == cold.get(group_id).version

    def test_find_pages_by_id_over_type_and_stage(self, store):
        for name in ("a", "b", "c"):
            recruiting(store, name)
        store.create(PRO, id="d", name="D", profession="nurse")
        store.create(kelompok.VOLUNTEER, id="e", name="E")
        found = store.find(type=PRO, stage="recruiting", limit=2)
        assert ["a", "b"] == [g.id for g in found]
        assert ["c"] == [
            g.id for g in store.find(type="professional", stage="recruiting", after="b")
        ]
        assert ["a", "b", "c", "d"] == [g.id for g in store.find(type=PRO)]
        assert ["e"] == [g.id for g in store.find(stage="awareness", type=kelompok.VOLUNTEER)]
        assert 5 == len(store.find())

    def test_the_rows_are_json_a_database_tool_can_read(self, store, url):
        group_id = recruiting(store)
        with raw(url) as conn:
            head, kind, definition = conn.execute(
                sa.text("SELECT head, type, definition FROM kelompok_groups WHERE id = :id"),
                {"id": group_id},
            ).one()
            records = conn.execute(
                sa.text("SELECT record FROM kelompok_history WHERE group_id = :id ORDER BY seq"),
                {"id": group_id},
            ).scalars()
            assert ["identify_needs", "form_core_group", "adopt_charter", "open_recruitment"] == [
                json.loads(r)["event"] for r in records
            ]
            version = conn.execute(
                sa.text("SELECT value FROM kelompok_meta WHERE key = 'schema_version'")
            ).scalar_one()
        assert ("recruiting", "professional") == (json.loads(head)["stage"], kind)
        assert 32 == len(definition)
        assert "1" == version

    # -- rows edited by hand ----------------------------------------------------------------

    def _edit(self, url: str, sql: str, **values: Any) -> None:
        with raw(url) as conn:
            conn.execute(sa.text(sql), values)

    def test_a_head_edited_to_break_an_invariant_is_refused_on_every_read(self, store, url):
        group_id = recruiting(store)
        head = json.loads(store.get(group_id).to_json(history=False))
        head["data"]["founders"] = []  # a group past core_formed with no founders
        self._edit(
            url,
            "UPDATE kelompok_groups SET head = :h WHERE id = :id",
            h=json.dumps(head),
            id=group_id,
        )
        for call in (
            lambda: store.get(group_id),
            lambda: store.fire(group_id, "admit", member("citra")),
            lambda: store.find(type=PRO),
        ):
            with pytest.raises(InvalidGroupData):
                call()
        with raw(url) as conn:
            assert 4 == conn.execute(sa.text("SELECT max(seq) FROM kelompok_history")).scalar()

    @pytest.mark.parametrize(
        ("column", "value", "said"),
        [
            ("version", 7, "4"),
            ("stage", "structured", "'recruiting'"),
            ("type", "volunteer", "'professional'"),
        ],
    )
    def test_a_column_that_disagrees_with_its_head_is_refused(
        self, store, url, column, value, said
    ):
        group_id = recruiting(store)
        self._edit(url, f"UPDATE kelompok_groups SET {column} = :v", v=value)  # noqa: S608
        with pytest.raises(InvalidGroupData) as caught:
            store.get(group_id)
        [problem] = caught.value.problems
        assert ("store.row_differs", column) == (problem.code, problem.field)
        stored = repr(value)
        assert f"the row's {column} column is {stored} but its head says {said}" == problem.message(
            "en"
        )
        assert (
            f"kolom {column} pada baris bernilai {stored} tetapi kepalanya menyatakan {said}"
            == (problem.message("id"))
        )

    def test_a_head_that_is_not_json_is_refused(self, store, url):
        group_id = recruiting(store)
        self._edit(url, "UPDATE kelompok_groups SET head = '{\"schema_version\": 2,'")
        with pytest.raises(InvalidGroupData):
            store.get(group_id)

    @pytest.mark.parametrize(
        "sql",
        [
            """UPDATE kelompok_history SET record = replace(record, '"awareness"', '"recruiting"')
            WHERE seq = 1""",
            "DELETE FROM kelompok_history WHERE seq = 2",
            "UPDATE kelompok_history SET record = 'null' WHERE seq = 3",
            "UPDATE kelompok_history SET event = 'admit' WHERE seq = 3",
        ],
        ids=["wrong-source", "gap", "not-a-record", "event-column-differs"],
    )
    def test_history_rows_edited_by_hand_are_refused(self, store, url, sql):
        group_id = recruiting(store)
        self._edit(url, sql)
        with pytest.raises(InvalidGroupData):
            store.history(group_id)
        with pytest.raises(InvalidGroupData):
            store.history(group_id, after=0, limit=10)

    @pytest.mark.parametrize(
        ("sql", "problem"),
        [
            (
                "DELETE FROM kelompok_history WHERE seq = 2",
                (
                    "store.history_gap",
                    "history[2]",
                    (
                        "history record 2 is numbered 3: the records are not numbered 1, 2, ... "
                        "up to the group's version 4"
                    ),
                    (
                        "catatan riwayat 2 bernomor 3: catatan tidak bernomor 1, 2, ... sampai "
                        "versi kelompok 4"
                    ),
                ),
            ),
            (
                "UPDATE kelompok_history SET record = 'null' WHERE seq = 3",
                (
                    "store.record_unreadable",
                    "history[3]",
                    "history record 3 is not a record of its event 'adopt_charter'",
                    "catatan riwayat 3 bukan catatan dari kejadiannya 'adopt_charter'",
                ),
            ),
            (
                "UPDATE kelompok_history SET event = 'admit' WHERE seq = 3",
                (
                    "store.record_unreadable",
                    "history[3]",
                    "history record 3 is not a record of its event 'admit'",
                    "catatan riwayat 3 bukan catatan dari kejadiannya 'admit'",
                ),
            ),
        ],
        ids=["gap", "not-a-record", "event-column-differs"],
    )
    def test_a_history_row_edited_by_hand_is_refused_saying_which_and_why(
        self, store, url, sql, problem
    ):
        group_id = recruiting(store)
        self._edit(url, sql)
        for read in (lambda: store.history(group_id), lambda: store.history(group_id, limit=10)):
            with pytest.raises(InvalidGroupData) as caught:
                read()
            [found] = caught.value.problems
            assert problem == (found.code, found.field, found.message("en"), found.message("id"))
            assert str(caught.value).startswith("Cannot read this stored group")

    def test_a_history_row_beyond_the_head_is_refused(self, store, url):
        group_id = recruiting(store)
        record = store.history(group_id)[-1]
        self._edit(
            url,
            "INSERT INTO kelompok_history (group_id, seq, event, record) VALUES (:g, 5, :e, :r)",
            g=group_id,
            e=record.event,
            r=json.dumps({"event": record.event}),
        )
        with pytest.raises(InvalidGroupData) as caught:
            store.history(group_id, after=3, limit=5)
        [problem] = caught.value.problems
        assert ("store.history_gap", "history[5]") == (problem.code, problem.field)
        assert problem.message("en").startswith("history record 5 is numbered 5: ")
        with pytest.raises(InvalidGroupData) as caught:
            store.fire(group_id, "admit", member("citra"))
        [problem] = caught.value.problems
        assert ("store.row_exists", "history") == (problem.code, problem.field)
        assert (
            "a history or key row for version 5 is stored already, past the head: a row no "
            "event wrote"
        ) == problem.message("en")
        assert (
            "baris riwayat atau kunci untuk versi 5 sudah tersimpan, melewati kepala: baris yang "
            "tidak ditulis oleh kejadian apa pun"
        ) == problem.message("id")
        assert 4 == store.get(group_id).version  # the refused event wrote nothing

    def test_a_key_row_holding_a_group_of_another_type_and_the_same_id_is_refused(self, store, url):
        group_id = recruiting(store)
        store.fire(group_id, "admit", member("citra"), idempotency_key="k")
        other = kelompok.VOLUNTEER.create(id=group_id, name="Relawan")
        self._edit(
            url,
            "UPDATE kelompok_idempotency SET head = :h",
            h=other.to_json(history=False).decode(),
        )
        with pytest.raises(InvalidGroupData) as caught:
            store.fire(group_id, "admit", member("citra"), idempotency_key="k")
        assert ["store.key_row"] == [p.code for p in caught.value.problems]
        assert str(caught.value).startswith("Cannot read this stored group")

    def test_a_key_row_holding_another_groups_outcome_is_refused(self, store, url):
        group_id = recruiting(store)
        other = recruiting(store)
        store.fire(group_id, "admit", member("citra"), idempotency_key="k")
        self._edit(
            url,
            "UPDATE kelompok_idempotency "
            "SET head = (SELECT head FROM kelompok_groups WHERE id = :o)",
            o=other,
        )
        with pytest.raises(InvalidGroupData) as caught:
            store.fire(group_id, "admit", member("citra"), idempotency_key="k")
        [problem] = caught.value.problems
        assert ("store.key_row", "idempotency") == (problem.code, problem.field)
        assert "the idempotency row of key 'k' is damaged" == problem.message("en")
        assert "baris idempotensi untuk kunci 'k' rusak" == problem.message("id")
        assert 5 == store.get(group_id).version

    # -- the heads a store remembers --------------------------------------------------------

    def test_a_row_edited_after_this_store_wrote_it_is_read_anew(self, store, url):
        group_id = recruiting(store)
        head = json.loads(store.get(group_id).to_json(history=False))
        head["data"]["needs"] = ["mentoring"]  # a sound head, not the one written
        self._edit(url, "UPDATE kelompok_groups SET head = :h", h=json.dumps(head))
        assert ("mentoring",) == tuple(store.get(group_id).data.needs)
        after = store.fire(group_id, "admit", member("citra"))
        assert (("mentoring",), 5) == (tuple(after.data.needs), after.version)

    def test_a_row_written_by_another_store_is_read_anew(self, store, url):
        group_id = recruiting(store)
        with self.opened(url) as other:
            other.fire(group_id, "admit", member("citra"))
            store.fire(group_id, "admit", member("dewi"))  # reads the row the other wrote
            assert {"citra", "dewi"} <= set(other.get(group_id).data.members)
        assert 6 == store.get(group_id).version == len(store.history(group_id))

    def test_a_group_the_store_hands_out_is_a_copy(self, store):
        group_id = recruiting(store)
        fired = store.fire(group_id, "admit", member("citra"))
        got = store.get(group_id)
        fired.fire("admit", member("dewi"))  # changes the copy only
        got.fire("admit", member("eko"))
        again = store.get(group_id)
        assert (5, 6, 6) == (again.version, got.version, fired.version)
        assert 5 == len(store.history(group_id))
        assert "dewi" not in again.data.members
        assert "eko" not in again.data.members

    @pytest.mark.parametrize("size", [0, 1])
    def test_a_store_remembering_few_or_no_heads_checks_what_it_forgot(self, url, size):
        with self.opened(url, head_cache=size) as store:
            first, second = recruiting(store), recruiting(store)
            for group_id in (first, second):
                head = json.loads(store.get(group_id).to_json(history=False))
                head["data"]["founders"] = []
                self._edit(
                    url,
                    "UPDATE kelompok_groups SET head = :h WHERE id = :id",
                    h=json.dumps(head),
                    id=group_id,
                )
                with pytest.raises(InvalidGroupData):
                    store.get(group_id)

    @pytest.mark.parametrize("size", [-1, True, 1.5, "10", 2**63])
    def test_head_cache_is_a_whole_number_of_groups(self, url, size):
        with pytest.raises(kelompok.UsageError, match="head_cache"):
            self.opened(url, head_cache=size).__enter__()

    # -- listeners and the outbox ----------------------------------------------------------

    def test_listeners_run_once_after_the_commit_and_never_on_a_read(self, store):
        seen: list[tuple[str, int, str]] = []
        unsubscribe = store.subscribe(lambda g, r: seen.append((g.id, g.version, r.event)))
        group_id = recruiting(store)
        store.get(group_id)
        store.history(group_id)
        with pytest.raises(TransitionNotAllowed):
            store.fire(group_id, "admit", member("x") | {"scores": {}})
        store.fire(group_id, "admit", member("citra"), idempotency_key="k")
        store.fire(group_id, "admit", member("citra"), idempotency_key="k")  # a repeat
        assert [4, 5] == [version for _, version, _ in seen[-2:]]
        assert 5 == len(seen)
        unsubscribe()
        store.fire(group_id, "admit", member("dewi"))
        assert 5 == len(seen)

    def test_unsubscribing_one_listener_keeps_the_others(self, store):
        seen: list[str] = []
        store.subscribe(lambda g, r: seen.append("first"))
        unsubscribe = store.subscribe(lambda g, r: seen.append("second"))
        store.subscribe(lambda g, r: seen.append("third"))
        group = store.create(PRO, name="A", profession="nurse")
        unsubscribe()
        unsubscribe()  # a second call changes nothing
        store.fire(group.id, "identify_needs", needs=["x"])
        assert ["first", "third"] == seen

    def test_a_listener_that_raises_is_logged_and_the_event_stays(self, store, caplog):
        def broken(group, record):
            raise RuntimeError("mail server down")

        store.subscribe(broken)
        group = store.create(PRO, name="A", profession="nurse")
        with caplog.at_level(logging.ERROR, logger="kelompok.store"):
            after = store.fire(group.id, "identify_needs", needs=["x"])
        assert 1 == after.version == store.get(group.id).version
        assert "mail server down" in caplog.text

    def test_the_outbox_holds_each_committed_event_until_acknowledged(self, url):
        with self.opened(url, outbox=True) as store:
            group_id = recruiting(store)
            with pytest.raises(TransitionNotAllowed):
                store.fire(group_id, "admit", member("x") | {"scores": {}})
            entries = store.pending()
            assert [1, 2, 3, 4] == [e.seq for e in entries]
            events = ["identify_needs", "form_core_group", "adopt_charter", "open_recruitment"]
            assert [(group_id, "professional", event) for event in events] == [
                (e.group_id, e.type, e.event) for e in entries
            ]
            assert "open_recruitment" == json.loads(entries[-1].record)["event"]
            assert [1] == [e.seq for e in store.pending(limit=1)]  # the oldest first
            assert 2 == store.acknowledge(entries[0].id, entries[1].id)
            assert [3, 4] == [e.seq for e in store.pending(limit=5)]
            assert 0 == store.acknowledge(entries[0].id)
            # a row rewritten in place moves in PostgreSQL's table: pending still orders by id
            self._edit(url, "UPDATE kelompok_outbox SET created_at = created_at + 1 WHERE seq = 3")
            assert [3, 4] == [e.seq for e in store.pending()]

    # -- concurrency -----------------------------------------------------------------------

    def test_threads_sharing_one_store_lose_no_event(self, store):
        group_id = recruiting(store)

        def work(n: int) -> None:
            for i in range(10):
                store.fire(group_id, "admit", member(f"t{n}-{i}"))

        assert [] == in_threads(work, 6)
        group = store.get(group_id)
        assert (64, 64) == (group.version, len(store.history(group_id)))
        assert 62 == len(group.data.members)


class ProcessContract:
    """Writers in other processes (they use the synchronous store; a mixin of StoreContract)."""

    def test_eight_processes_lose_no_update(self, store, url):
        group_id = recruiting(store)
        context = multiprocessing.get_context("spawn")
        barrier = context.Barrier(8)
        workers = [
            context.Process(target=admit_many, args=(url, group_id, f"w{n}", 50, barrier))
            for n in range(8)
        ]
        for w in workers:
            w.start()
        for w in workers:
            w.join(120)
        assert [0] * 8 == [w.exitcode for w in workers]
        group = store.get(group_id)
        records = store.history(group_id)  # checked against the head: contiguous, one chain
        assert 404 == group.version == len(records)
        assert 402 == len(group.data.members)
        assert {f"w{n}-{i}" for n in range(8) for i in range(50)} <= set(group.data.members)

    def test_a_key_sent_by_two_processes_at_once_applies_once(self, store, url):
        group_id = recruiting(store)
        context = multiprocessing.get_context("spawn")
        barrier, results = context.Barrier(2), context.Queue()
        workers = [
            context.Process(target=admit_keyed, args=(url, group_id, "same-key", barrier, results))
            for _ in range(2)
        ]
        for w in workers:
            w.start()
        versions = [results.get(timeout=60), results.get(timeout=60)]
        for w in workers:
            w.join(60)
        assert [5, 5] == versions
        assert 5 == store.get(group_id).version

    def test_a_writer_killed_mid_stream_loses_nothing_it_saw_committed(self, store, url):
        group_id = recruiting(store)
        with subprocess.Popen(  # noqa: S603 -- our own worker
            [sys.executable, str(Path(__file__).with_name("store_workers.py")), url, group_id],
            stdout=subprocess.PIPE,
            text=True,
            env=os.environ | {"PYTHONPATH": os.pathsep.join(sys.path)},
        ) as child:
            assert child.stdout is not None
            seen = [int(child.stdout.readline()) for _ in range(30)]
            child.send_signal(signal.SIGKILL)
            child.wait(30)
        assert -signal.SIGKILL == child.returncode
        group = store.get(group_id)
        assert group.version >= seen[-1]
        assert group.version == len(store.history(group_id))
        store.fire(group_id, "admit", member("after-the-kill"))  # nothing half-written blocks it
