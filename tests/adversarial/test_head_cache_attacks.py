"""Attacks on the heads a store remembers (``kelompok.store._heads``, ``head_cache=``).

The promise (docs/storing.md, "What is checked on read"; docs/guarantees.md section 10):
a store never hands out a group from a row it has not checked, and a group it hands out
from a remembered head is exactly the group checking that row would give. A second store
opened with ``head_cache=0`` on the same database is the oracle: it checks every row.

The remembered entry is keyed by the row's content (head text, type, definition, stage,
version), so a row rolled back, restored or rewritten by hand is harmless as long as the
group remembered for a key is the one checking a row of that key gives. The attacks below
look for groups that are not.

Section 1 broke the promise when it was written: the store remembered the group it had in
memory for the row it wrote, and that group is not always the one loading the row gives.
Those tests are now the tests of ``kelompok.store._heads.as_loaded``. The last test broke
it too: with ``kelompok.known_documents`` on, the store's reads asked it first and were
not checked; they no longer ask it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import json
import threading
import weakref
import zoneinfo
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest
import sqlalchemy as sa

import kelompok
from adversarial.helpers import open_close_type
from adversarial.store_helpers import BOTH, edit, every_read_refuses, url_of
from builders import CHARTER, PATHS, PRO_FOUNDERS, new, partner_for, payloads
from kelompok import InvalidGroupData
from kelompok.store import _ops as ops
from kelompok.store import _rows as rows
from kelompok.store import open_async_store, open_store
from store_contract import evaluating, member, raw, recruiting

PRO = kelompok.PROFESSIONAL


# -- databases and the oracle ----------------------------------------------------------------


@pytest.fixture
def stores(request) -> Iterator[Callable[[str], tuple[Any, Any, str]]]:
    """``stores(backend)``: a store remembering heads, an oracle checking every row, the URL."""
    opened: list[Any] = []

    def make(backend: str, **options: Any) -> tuple[Any, Any, str]:
        url = url_of(request, backend)
        cached, strict = open_store(url, **options), open_store(url, head_cache=0)
        opened.extend((cached, strict))
        return cached, strict, url

    yield make
    for store in opened:
        store.close()


def exactly(group: Any) -> tuple[Any, ...]:
    """What two groups must share to be the same group: values *and* their types."""
    return (
        group.to_json(history=False),
        repr(group.data),
        _types(group.data),
        repr(group.founding),
        group.created_at.tzinfo,
        group.history_start,
        len(group.history),
    )


def _types(value: Any) -> Any:
    """The classes inside *value*, as a nested tuple (``3`` and ``3.0`` are equal, not alike)."""
    if attrs.has(type(value)):
        return (type(value), *(_types(getattr(value, f.name)) for f in attrs.fields(type(value))))
    if isinstance(value, tuple | list | kelompok.FrozenList):
        return (type(value), *(_types(v) for v in value))
    if isinstance(value, kelompok.FrozenMap):
        return (type(value), *((type(k), _types(v)) for k, v in value.items()))
    if isinstance(value, dt.datetime):
        return (type(value), value.tzinfo)
    return type(value)


def checked_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the head rows checked in full from now on (by every store)."""
    seen: list[str] = []
    real = rows.group_from_row

    def spy(row: Any) -> Any:
        seen.append(row.id)
        return real(row)

    monkeypatch.setattr(rows, "group_from_row", spy)
    return seen


# -- small types whose groups do not look, in memory, as loading their document gives them -----


@attrs.frozen
class Founding:
    name: str


@attrs.frozen
class Item:
    item: str


@attrs.frozen
class Budget:
    name: str
    budget: float = 0  # a whole number in a float field: allowed, and loaded as 0.0


@attrs.frozen
class Meeting:
    name: str
    at: dt.datetime | None = None  # any aware moment is allowed; loaded in UTC


@attrs.frozen
class Rows:
    name: str
    rows: tuple[tuple[str, ...], ...] = ()


@attrs.frozen
class Scores:
    name: str
    scores: kelompok.FrozenMap[str, int] = attrs.field(factory=kelompok.FrozenMap)


@attrs.frozen
class Capped:
    name: str
    items: tuple[str, ...] = ()
    cap: int = 1


JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


def box(name: str, data: type, effect: Any = None, **options: Any) -> kelompok.GroupType[Any]:
    return kelompok.register(
        open_close_type(name, data=data, founding=Founding, payload=Item, effect=effect, **options)
    )


def under_declared(name: str, check: Callable[[Any], bool]) -> kelompok.GroupType[Any]:
    """A ``Capped`` box whose ``put`` adds an item, with an invariant that reads ``items``
    but declares ``reads=("cap",)``: ``fire`` does not check it after ``put``."""
    invariant = kelompok.Invariant(
        "few_items", {"en": "At most cap items", "id": "Paling banyak cap barang"},
        check=check, reads=("cap",),
    )  # fmt: skip
    return box(
        name,
        Capped,
        lambda g, p: attrs.evolve(g.data, items=(*g.data.items, p.item)),
        invariants=[invariant],
    )


# ============================================================================================
# 1. A remembered group is exactly the group checking its row gives
# ============================================================================================


@BOTH
def test_a_whole_number_in_a_float_field_is_handed_out_as_checked(stores, backend, monkeypatch):
    """Attack: ``budget: float = 0`` keeps the int 0 in memory; the row loads as 0.0.

    The store remembered the group it wrote, not the group its row gives: ``get`` handed
    out ``budget=0`` (an int) where every other process reads 0.0, and the next event wrote
    ``"budget":3`` where the oracle would write ``"budget":3.0``.
    """
    store, strict, _ = stores(backend)
    kind = box("heads_budget", Budget, lambda g, p: attrs.evolve(g.data, budget=3))
    group_id = store.create(kind, name="kas").id
    assert exactly(strict.get(group_id)) == exactly(store.get(group_id))
    store.fire(group_id, "put", item="x")
    assert exactly(strict.get(group_id)) == exactly(store.get(group_id))
    checked = checked_reads(monkeypatch)
    assert float is type(store.get(group_id).data.budget)
    assert [] == checked  # still from memory: the group remembered is the checked one


def test_the_async_store_remembers_the_checked_group_too(sqlite_url):
    """Attack: the same whole number in a float field, through ``open_async_store``."""
    kind = box("heads_budget_async", Budget, lambda g, p: attrs.evolve(g.data, budget=3))

    async def main() -> Any:
        async with open_async_store(sqlite_url) as store:
            group = await store.create(kind, name="kas")
            await store.fire(group.id, "put", item="x")
            return await store.get(group.id)

    got = asyncio.run(main())
    with open_store(sqlite_url, head_cache=0) as strict:
        assert exactly(strict.get(got.id)) == exactly(got)


@BOTH
def test_a_moment_in_another_time_zone_is_handed_out_in_utc_as_checked(stores, backend):
    """Attack: an effect stores 07:00 in Asia/Jakarta; the row loads as 00:00 UTC.

    ``get`` handed out the Jakarta moment (another ``tzinfo``, another ``isoformat``) and
    the next head this store wrote kept ``+07:00`` where the oracle writes ``+00:00``.
    """
    store, strict, _ = stores(backend)
    moment = dt.datetime(2026, 1, 1, 7, tzinfo=JAKARTA)
    kind = box("heads_meeting", Meeting, lambda g, p: attrs.evolve(g.data, at=moment))
    group_id = store.create(kind, name="rapat").id
    store.fire(group_id, "put", item="x")
    assert exactly(strict.get(group_id)) == exactly(store.get(group_id))
    assert dt.timezone.utc is store.get(group_id).data.at.tzinfo
    store.fire(group_id, "close")
    assert exactly(strict.get(group_id)) == exactly(store.get(group_id))


UNSOUND = {
    # what the effect stores: fire tests a field's top level only; load tests it all
    "None in a tuple of texts": (Rows, lambda g, p: attrs.evolve(g.data, rows=((None,),))),
    "a number in a tuple of texts": (Rows, lambda g, p: attrs.evolve(g.data, rows=((1,),))),
    "a fraction in a map of whole numbers": (
        Scores,
        lambda g, p: attrs.evolve(g.data, scores=kelompok.FrozenMap({"a": 2.5})),
    ),
}


@BOTH
@pytest.mark.parametrize("case", list(UNSOUND))
def test_a_value_its_field_cannot_hold_at_any_depth_is_refused_and_nothing_is_written(
    stores, backend, case
):
    """Attack: an effect stores a value deep in a field that its type cannot hold.

    ``fire`` tested only the top level of each changed field, so the event was written,
    checking the row refused it, and the store handed out the group it remembered. Now
    ``fire`` reads every level of what the effect changed: ``DefinitionBug``, nothing
    written, and every store reads the group as it was.
    """
    data, effect = UNSOUND[case]
    store, strict, _ = stores(backend)
    name = f"heads_unsound_{sorted(UNSOUND).index(case)}"
    kind = box(name, data, effect)
    group_id = store.create(kind, name="kotak").id
    with pytest.raises(kelompok.DefinitionBug, match="do not fit their fields"):
        store.fire(group_id, "put", item="x")
    assert 0 == strict.get(group_id).version == store.get(group_id).version
    assert exactly(strict.get(group_id)) == exactly(store.get(group_id))
    assert [] == store.history(group_id)


@BOTH
def test_an_invariant_that_reads_more_than_it_declares_is_checked_on_read(stores, backend):
    """Attack: an invariant declares ``reads=("cap",)`` but reads ``items`` too.

    ``fire`` skips it after an event that changes ``items`` only; ``load`` checks every
    invariant, so the oracle refuses the row. The remembered group was handed out.
    """
    kind = under_declared("heads_capped", lambda g: len(g.data.items) <= g.data.cap)
    store, strict, _ = stores(backend)
    group_id = store.create(kind, name="kotak").id
    store.fire(group_id, "put", item="a")
    store.fire(group_id, "put", item="b")  # breaks the invariant; fire does not look
    with pytest.raises(InvalidGroupData):
        strict.get(group_id)
    with pytest.raises(InvalidGroupData):
        store.get(group_id)


@BOTH
def test_a_list_kept_inside_a_tuple_is_refused_before_anything_is_remembered(stores, backend):
    """Attack: an effect keeps a list inside a tuple; the user appends to what ``fire`` gave.

    The remembered group shared its data with the group ``fire`` handed out, so the append
    changed what ``get`` gave next, and the next event wrote ``"z"`` to the database: a
    change no event made. Now ``fire`` refuses the effect (a list where a tuple belongs,
    one level down): nothing is written, nothing remembered.
    """
    store, strict, _ = stores(backend)
    kind = box("heads_rows", Rows, lambda g, p: attrs.evolve(g.data, rows=([p.item],)))
    group_id = store.create(kind, name="kotak").id
    with pytest.raises(kelompok.DefinitionBug, match="rows"):
        store.fire(group_id, "put", item="x")
    assert exactly(strict.get(group_id)) == exactly(store.get(group_id))
    assert () == store.get(group_id).data.rows


@pytest.mark.parametrize("kind", [PRO, kelompok.VOLUNTEER], ids=["professional", "volunteer"])
def test_every_event_of_the_main_path_leaves_the_group_the_oracle_reads(stores, kind, monkeypatch):
    """Attack: walk each built-in type's main path (an added partner, and ``dissolve``).

    After every event, the group this store hands out from memory must be the one the
    oracle checks from the row: stage, version, data, counts, marks and stages reached.
    And it must come from memory: only the oracle's reads are checked in full (were what
    the store makes of a row it wrote refused, the cache would be silently off).
    """
    store, strict, _ = stores("sqlite")
    checked = checked_reads(monkeypatch)
    partner = store.add(partner_for(kind, "partner-1")).id
    given = payloads(kind)
    group_id = store.create(kind, **attrs.asdict(new(kind).founding)).id
    for event in [*PATHS[kind.name], "dissolve"]:
        payload = given[event] if event != "collaborate" else {"partner": partner}
        if event == "collaborate":
            payload |= {"purpose": "joint work", "shared": ["ideas"]}
        store.fire(group_id, event, payload)
        for group_id_read in (group_id, partner):
            assert exactly(strict.get(group_id_read)) == exactly(store.get(group_id_read)), event
    assert "dissolved" == store.get(group_id).stage
    assert 2 * (len(PATHS[kind.name]) + 1) == len(checked)


# ============================================================================================
# 2. A row that is not exactly as remembered is checked in full
# ============================================================================================


COLUMNS = {
    "version": "version = version + 1",
    "stage": "stage = 'admitted'",
    "type": "type = 'volunteer'",
}


@BOTH
@pytest.mark.parametrize("column", list(COLUMNS))
def test_a_column_edited_without_its_head_is_refused_by_every_read(stores, backend, column):
    """Attack: change a column the key compares, leave the head text as remembered.

    Were the column left out of the key, the remembered group would be handed out for a
    row whose column disagrees with its head (``store.row_differs``).
    """
    store, _, url = stores(backend)
    group_id = recruiting(store)
    store.get(group_id)  # remembered
    edit(url, f"UPDATE kelompok_groups SET {COLUMNS[column]}")  # noqa: S608 -- ours
    every_read_refuses(store, group_id, after=2)


@BOTH
def test_a_head_rewritten_to_the_same_json_in_other_characters_is_checked(
    stores, backend, monkeypatch
):
    """Attack: the head as equal JSON in other characters (spaces) and a changed value.

    The key compares the text character for character: a row that only parses to the same
    document is checked in full, and a sound head with another value is read as it is.
    """
    store, _, url = stores(backend)
    group_id = recruiting(store)
    checked = checked_reads(monkeypatch)
    store.get(group_id)
    assert [] == checked  # the row is as this store wrote it
    head = json.loads(store.get(group_id).to_json(history=False))
    edit(url, "UPDATE kelompok_groups SET head = :h", h=json.dumps(head, indent=1))
    store.get(group_id)
    assert [group_id] == checked
    head["data"]["needs"] = ["mentoring"]
    edit(url, "UPDATE kelompok_groups SET head = :h", h=json.dumps(head))
    assert ("mentoring",) == store.get(group_id).data.needs
    assert [group_id, group_id] == checked


@BOTH
def test_the_same_bytes_restored_after_another_version_give_the_checked_group(stores, backend):
    """Attack (ABA): another store writes version 6; version 5's row is restored by hand.

    The restored row is exactly a remembered one, so the store hands out the remembered
    version 5: it must be what checking that row gives, and the next event must still meet
    the history row 6 that the restore left behind.
    """
    store, strict, url = stores(backend)
    group_id = recruiting(store)
    store.fire(group_id, "admit", member("citra"))
    with raw(url) as conn:
        five = conn.execute(sa.text("SELECT * FROM kelompok_groups")).one()._asdict()
    with open_store(url) as other:
        other.fire(group_id, "admit", member("dewi"))
        assert 6 == store.get(group_id).version
    edit(
        url,
        "UPDATE kelompok_groups SET head = :head, stage = :stage, version = :version",
        **{k: five[k] for k in ("head", "stage", "version")},
    )
    assert exactly(strict.get(group_id)) == exactly(store.get(group_id))
    with pytest.raises(InvalidGroupData) as caught:
        store.fire(group_id, "admit", member("eko"))
    assert "store.row_exists" == caught.value.problems[0].code


class FailingAppend:
    """Stands for the history insert: raises *exc*, after the compare-and-set has run."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    def count(self, conn: Any, params: Any) -> int:
        raise self.exc


ROLLBACKS = ["a type listener vetoes", "the append fails", "ctrl-c at the append"]


@BOTH
@pytest.mark.parametrize("how", ROLLBACKS)
def test_an_event_rolled_back_leaves_the_store_reading_what_is_committed(
    stores, backend, how, monkeypatch
):
    """Attack: the event is undone after its head was made (before or after the CAS).

    What the store hands out afterwards is the committed row, from memory (the head it read
    is remembered); and once another store commits that very event, the row holds the head
    the undone attempt had made: the store must hand out what checking it gives.
    """
    store, strict, _ = stores(backend)
    group_id = recruiting(store)
    exc = KeyboardInterrupt() if how.startswith("ctrl-c") else RuntimeError(how)

    def veto(group, record):
        raise exc

    unsubscribe = PRO.subscribe(veto) if how == "a type listener vetoes" else None
    try:
        with monkeypatch.context() as patched:
            if unsubscribe is None:
                patched.setattr(ops, "_APPEND", FailingAppend(exc))
            with pytest.raises(type(exc)):
                store.fire(group_id, "admit", member("citra"))
    finally:
        if unsubscribe is not None:
            unsubscribe()
    checked = checked_reads(monkeypatch)
    got, oracle = store.get(group_id), strict.get(group_id)
    assert (4, False) == (got.version, "citra" in got.data.members)
    assert exactly(oracle) == exactly(got)
    assert [group_id] == checked  # the oracle's read; this store's own came from memory
    strict.fire(group_id, "admit", member("citra"))
    assert exactly(strict.get(group_id)) == exactly(store.get(group_id))


# ============================================================================================
# 3. What is handed out is a copy; what is remembered holds nothing more than a head
# ============================================================================================


@BOTH
def test_a_listener_or_an_event_on_a_group_handed_out_does_not_follow_it(stores, backend):
    """Attack: subscribe to, and fire on, the groups ``get``, ``find`` and ``fire`` hand out.

    Were the remembered group itself handed out, the listener would run on the next group
    ``get`` hands out, and the event fired on it would be in the next one.
    """
    store, strict, _ = stores(backend)
    group_id = recruiting(store)
    heard: list[int] = []
    handed = [store.get(group_id), store.find()[0], store.fire(group_id, "admit", member("c"))]
    for group in handed:
        group.subscribe(lambda g, r: heard.append(g.version))
        group.fire("admit", member(f"ghost-{len(heard)}"))
    heard.clear()
    again = store.get(group_id)
    again.fire("admit", member("dewi"))
    assert [] == heard
    assert all(group is not again for group in handed)
    assert exactly(strict.get(group_id)) == exactly(store.get(group_id))
    assert 5 == store.get(group_id).version


def test_a_group_added_with_a_long_history_is_not_kept_alive(stores):
    """Attack: ``add`` a group with a long history, then let it go.

    The store remembers its head only: neither the group handed to ``add`` nor any of its
    records may stay alive through the store.
    """
    store, strict, _ = stores("sqlite")
    group = PRO.create(name="Ikatan Lama", profession="pharmacist")
    group.fire("identify_needs", needs=["support"])
    group.fire("form_core_group", founders=PRO_FOUNDERS)
    group.fire("adopt_charter", CHARTER)
    group.fire("open_recruitment")
    for n in range(300):
        group.fire("admit", member(f"m{n}"))
    store.add(group)
    alive = [weakref.ref(group), *(weakref.ref(r) for r in group.history)]
    group_id = group.id
    del group
    gc.collect()
    assert [] == [ref for ref in alive if ref() is not None]
    assert exactly(strict.get(group_id)) == exactly(store.get(group_id))


@BOTH
def test_threads_sharing_a_store_hand_out_only_checked_groups(stores, backend):
    """Attack: threads fire and read one group through one store, racing remember/recall.

    A read may meet a remembered head older than the row (a thread remembered what it read
    after another remembered what it wrote): it must then check the row, and every group
    handed out must be the group of the version it says.
    """
    store, strict, _ = stores(backend)
    group_id = recruiting(store)
    seen: dict[int, Any] = {}
    errors: list[BaseException] = []
    lock = threading.Lock()

    def read() -> None:
        for _ in range(30):
            got = store.get(group_id)
            with lock:
                seen.setdefault(got.version, []).append(exactly(got))

    def write(n: int) -> None:
        for k in range(4):
            store.fire(group_id, "admit", member(f"t{n}-{k}"))

    def run(work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 -- handed back to the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(read,)) for _ in range(3)]
    threads += [threading.Thread(target=run, args=(lambda n=n: write(n),)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert [] == errors
    assert 12 == store.get(group_id).version
    for version, groups in seen.items():
        assert len(set(groups)) == 1, f"version {version} was handed out differently"
    assert exactly(strict.get(group_id)) == exactly(store.get(group_id))


# ============================================================================================
# 4. head_cache=0 checks every row
# ============================================================================================


@BOTH
def test_head_cache_0_checks_every_row_it_reads(stores, backend, monkeypatch):
    """Attack: a store opened with ``head_cache=0`` must never answer from memory.

    Each read of a head row (``get``, ``fire``, ``find``, ``history``, a partner) is
    checked in full: were 0 taken for "the default size", none would be.
    """
    store, strict, _ = stores(backend, head_cache=0)
    group_id = evaluating(store)
    partner = evaluating(store, "partner")
    checked = checked_reads(monkeypatch)
    strict.get(group_id)
    store.get(group_id)
    store.find()
    store.history(group_id, after=1)
    store.fire(group_id, "collaborate", partner=partner, purpose="p", shared=["ideas"])
    store.get(group_id)
    assert [group_id, group_id, group_id, partner, group_id, group_id, partner, group_id] == (
        checked
    )


def test_head_cache_0_checks_every_row_with_known_documents_on(stores, monkeypatch):
    """Attack: turn on ``kelompok.known_documents`` (a public switch, for the app's own loads).

    The store writes its heads with ``to_dict``, which then remembers the group in memory,
    and reads rows with ``load_json``, which hands that group back unchecked: a store opened
    with ``head_cache=0`` hands out a row that checking refuses.
    """
    monkeypatch.setattr(kelompok.known_documents, "limit", 4 * 1024 * 1024)
    kind = under_declared("heads_known", lambda g: len(g.data.items) <= g.data.cap)
    store, strict, _ = stores("sqlite")
    group_id = store.create(kind, name="kotak").id
    store.fire(group_id, "put", item="a")
    store.fire(group_id, "put", item="b")  # a row that checking refuses
    try:
        with pytest.raises(InvalidGroupData):
            strict.get(group_id)
    finally:
        kelompok.known_documents.clear()


def test_an_invariant_that_raises_on_the_reread_head_does_not_undo_a_committed_fire(stores):
    """Attack: after the commit the store checks every invariant on the head it remembers.

    One that reads more than it declares, and raises there, must not make ``fire`` raise
    for an event that is committed; the row is then checked in full when read.
    """
    kind = under_declared(
        "heads_fragile",
        lambda g: 1 // (2 - len(g.data.items)) >= 0,  # 1 // 0 at 2 items
    )
    store, strict, _ = stores("sqlite")
    group_id = store.create(kind, name="kotak").id
    store.fire(group_id, "put", item="a")
    assert 2 == store.fire(group_id, "put", item="b").version  # committed, and said so
    for reader in (strict, store):
        with pytest.raises(kelompok.KelompokError):
            reader.get(group_id)
