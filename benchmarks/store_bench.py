"""The store against raw SQL: one request, a long history, eight writer processes (issue 11).

K is ``kelompok.store``'s ``fire``. R is the same request written by hand, as a
user would without kelompok: the driver alone (``sqlite3``, ``psycopg``), the
same tables' worth of work (read the head under the same lock, run the
hand-written dict FSM of ``lifecycle.py`` with the same guards, ``json`` to and
from text, compare-and-set on the version, append the record), no checks of
what it reads. Both run on the same database server, with the same settings
(SQLite: WAL, ``synchronous=NORMAL``), in the same run.

    python benchmarks/store_bench.py             # SQLite and PostgreSQL: about 3 minutes
    python benchmarks/store_bench.py --quick     # smoke run, seconds; numbers mean nothing
    python benchmarks/store_bench.py --only sqlite --json store.json
    python benchmarks/store_bench.py --postgres postgresql://me@localhost/postgres

PostgreSQL: a throwaway server is started (``tests/pg_server.py``) unless
``--postgres`` names one; the benchmark works in a database of its own there,
dropped at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import multiprocessing
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lifecycle as lc
import psycopg
import sqlalchemy as sa
import workload as w
from measure import Bench, Stats, compare, fmt_ns

import kelompok
from kelompok.store import open_store

ROOT = Path(__file__).resolve().parent.parent
_ids = itertools.count()


@dataclass(frozen=True)
class Config:
    rounds: int
    target_ns: float
    most: int
    long_history: int
    writers: int
    events_each: int


FULL = Config(rounds=15, target_ns=60e6, most=400, long_history=10_000, writers=8, events_each=60)
QUICK = Config(rounds=2, target_ns=2e6, most=20, long_history=200, writers=2, events_each=5)


def fresh_id(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}-{uuid.uuid4().hex[:8]}"


# -- R: the request by hand ---------------------------------------------------------------


class Raw:
    """The hand-written store: a driver connection, two tables, the dict FSM, ``json``."""

    def __init__(self, url: sa.URL) -> None:
        self.postgres = url.get_backend_name() == "postgresql"
        if self.postgres:
            self.conn: Any = psycopg.connect(
                url.set(drivername="postgresql").render_as_string(hide_password=False)
            )
            self.mark, self.read = (
                "%s",
                "SELECT version, head FROM raw_groups WHERE id = ? FOR UPDATE",
            )
        else:
            self.conn = sqlite3.connect(url.database, timeout=30, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.mark, self.read = "?", "SELECT version, head FROM raw_groups WHERE id = ?"
        self._sql(
            "CREATE TABLE IF NOT EXISTS raw_groups "
            "(id TEXT PRIMARY KEY, version BIGINT NOT NULL, head TEXT NOT NULL)"
        )
        self._sql(
            "CREATE TABLE IF NOT EXISTS raw_history (group_id TEXT NOT NULL, seq BIGINT NOT NULL, "
            "record TEXT NOT NULL, PRIMARY KEY (group_id, seq))"
        )
        if self.postgres:
            self.conn.commit()

    def _sql(self, sql: str, args: tuple[Any, ...] = ()) -> Any:
        return self.conn.execute(sql.replace("?", self.mark), args)

    def _begin(self) -> None:
        if not self.postgres:
            self.conn.execute("BEGIN IMMEDIATE")

    def _commit(self) -> None:
        if self.postgres:
            self.conn.commit()
        else:
            self.conn.execute("COMMIT")

    def _rollback(self) -> None:
        if self.postgres:
            self.conn.rollback()
        else:
            self.conn.execute("ROLLBACK")

    def add(self, document: dict[str, Any]) -> None:
        head = {k: v for k, v in document.items() if k != "history"}
        self._begin()
        self._sql(
            "INSERT INTO raw_groups VALUES (?, ?, ?)",
            (document["id"], document["version"], json.dumps(head)),
        )
        for seq, record in enumerate(document["history"], start=1):
            self._sql(
                "INSERT INTO raw_history VALUES (?, ?, ?)",
                (document["id"], seq, json.dumps(record)),
            )
        self._commit()

    def fire(self, group_id: str, event: str, payload: dict[str, Any]) -> int:
        """One request: read, check, compare-and-set, append; all or nothing."""
        self._begin()
        try:
            version, head = self._sql(self.read, (group_id,)).fetchone()
            doc = json.loads(head)
            record = _applied(doc, event, payload)
            changed = self._sql(
                "UPDATE raw_groups SET version = ?, head = ? WHERE id = ? AND version = ?",
                (doc["version"], json.dumps(doc), group_id, version),
            )
            _swapped(changed.rowcount)
            self._sql(
                "INSERT INTO raw_history VALUES (?, ?, ?)",
                (group_id, doc["version"], json.dumps(record)),
            )
        except BaseException:
            self._rollback()
            raise
        self._commit()
        return int(doc["version"])

    def count(self, group_id: str) -> tuple[int, int]:
        version = self._sql("SELECT version FROM raw_groups WHERE id = ?", (group_id,)).fetchone()
        rows = self._sql("SELECT count(*) FROM raw_history WHERE group_id = ?", (group_id,))
        found = (int(version[0]), int(rows.fetchone()[0]))
        if self.postgres:
            self.conn.commit()
        return found

    def close(self) -> None:
        self.conn.close()


def _applied(doc: dict[str, Any], event: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The hand-written FSM: guards, then the effect on *doc*; the new history record."""
    doc["history"] = []
    moves = lc.MOVES[event]
    source = doc["stage"]
    if source not in moves or not lc.passes(event, doc, payload):
        raise ValueError(event)
    lc.apply(doc, event, source, moves[source] or source, payload)
    record: dict[str, Any] = doc.pop("history")[-1]
    return record


def _swapped(rowcount: int) -> None:
    if rowcount != 1:
        msg = "lost race"
        raise RuntimeError(msg)


# -- the scenarios ------------------------------------------------------------------------


def _copy_of(document: dict[str, Any], group_id: str) -> dict[str, Any]:
    copied: dict[str, Any] = w.copy_json(document)
    copied["id"] = group_id
    return copied


def request_benches(raw: Raw, store: Any, cold: Any) -> dict[str, Bench]:
    """K, K cold and R: one ``admit`` on a small group (a fresh copy of the issue's small group).

    K is the store as it opens: the group was stored by this process (a bot, a
    single-worker backend, the first request after ``add``), so the head row it
    reads back is the one it remembers writing and is not checked again. K cold
    is a store with ``head_cache=0``, which checks every row it reads in full,
    as every store does a row another process wrote.
    """
    small = w.small_document()

    def prepare(target: Any, prefix: str) -> Callable[[int], list[tuple[str, dict[str, Any]]]]:
        def made(n: int) -> list[tuple[str, dict[str, Any]]]:
            items = []
            for _ in range(n):
                group_id = fresh_id(prefix)
                target.add(kelompok.load(_copy_of(small, group_id)))
                items.append((group_id, w.admit(1)))
            return items

        return made

    def r_prepare(n: int) -> list[tuple[str, dict[str, Any]]]:
        items = []
        for _ in range(n):
            group_id = fresh_id("r")
            raw.add(_copy_of(small, group_id))
            items.append((group_id, w.admit(1)))
        return items

    return {
        "K": Bench(prepare(store, "k"), lambda item: store.fire(item[0], "admit", item[1])),
        "K cold": Bench(prepare(cold, "kc"), lambda item: cold.fire(item[0], "admit", item[1])),
        "R": Bench(r_prepare, lambda item: raw.fire(item[0], "admit", item[1])),
    }


def history_benches(store: Any, lengths: tuple[int, int]) -> dict[str, Bench]:
    """K alone: one event on a group with few and with many history records, head alike."""
    benches = {}
    for length in lengths:
        group = w.founded(w.new_group())
        while len(group.history) < length:
            group.fire("adopt_charter", **w.CHARTER)  # replaces the charter: the head stays
        store.add(group)
        group_id = group.id
        benches[f"{length:,} records"] = Bench(
            lambda n: [None] * n,
            lambda _item, gid=group_id: store.fire(gid, "adopt_charter", w.CHARTER),
        )
    return benches


def _k_writer(url: str, group_id: str, n: int, barrier: Any) -> None:
    with open_store(url) as store:
        barrier.wait()
        for i in range(n):
            store.fire(group_id, "admit", w.admit(f"{uuid.uuid4().hex}-{i}"))


def _r_writer(url: str, group_id: str, n: int, barrier: Any) -> None:
    raw = Raw(sa.make_url(url))
    barrier.wait()
    for i in range(n):
        for _ in range(1000):  # SQLite may refuse a lock at once; the hand-written retry
            try:
                raw.fire(group_id, "admit", w.admit(f"{uuid.uuid4().hex}-{i}"))
                break
            except sqlite3.OperationalError:
                time.sleep(0.001)
    raw.close()


def writers(url: str, store: Any, raw: Raw, cfg: Config) -> dict[str, Any]:
    """``cfg.writers`` processes at once on one group each for K and R: events/s, lost events."""
    context = multiprocessing.get_context("spawn")
    found: dict[str, Any] = {}
    for key, target in (("K", _k_writer), ("R", _r_writer)):
        group_id = fresh_id(key.lower())
        small = _copy_of(w.small_document(), group_id)
        store.add(kelompok.load(small)) if key == "K" else raw.add(small)
        barrier = context.Barrier(cfg.writers + 1)
        procs = [
            context.Process(target=target, args=(url, group_id, cfg.events_each, barrier))
            for _ in range(cfg.writers)
        ]
        for p in procs:
            p.start()
        barrier.wait()
        start = time.perf_counter()
        for p in procs:
            p.join()
        elapsed = time.perf_counter() - start
        expected = small["version"] + cfg.writers * cfg.events_each
        if key == "K":
            version = store.get(group_id).version
            records = len(store.history(group_id))
        else:
            version, records = raw.count(group_id)
        found[key] = {
            "events_per_s": cfg.writers * cfg.events_each / elapsed,
            "lost": expected - version,
            "records": records,
            "expected": expected,
            "exit_codes": [p.exitcode for p in procs],
        }
    return found


# -- running --------------------------------------------------------------------------------


@contextlib.contextmanager
def databases(only: set[str], postgres: str | None) -> Iterator[dict[str, str]]:
    """A fresh database URL per backend, removed at the end."""
    with contextlib.ExitStack() as stack:
        urls = {}
        if "sqlite" in only:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="kelompok-bench-"))
            urls["sqlite"] = f"sqlite:///{folder}/bench.db"
        if "postgresql" in only:
            if postgres is None:
                sys.path.insert(0, str(ROOT / "tests"))
                from pg_server import postgres_server  # noqa: PLC0415 -- only when needed

                postgres = stack.enter_context(postgres_server())
            urls["postgresql"] = stack.enter_context(_bench_database(postgres))
        yield urls


@contextlib.contextmanager
def _bench_database(server: str) -> Iterator[str]:
    admin_url = sa.make_url(server)
    if admin_url.drivername == "postgresql":
        admin_url = admin_url.set(drivername="postgresql+psycopg")
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"kelompok_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def run_backend(name: str, url: str, cfg: Config) -> dict[str, Any]:
    print(f"\n== {name}")
    raw = Raw(sa.make_url(url))
    with open_store(url) as store, open_store(url, head_cache=0) as cold:
        timed = compare(
            request_benches(raw, store, cold), rounds=cfg.rounds, target_ns=cfg.target_ns,
            most=cfg.most,
        )  # fmt: skip
        _print("one request: admit on a small group (5 records)", timed, "R")
        lengths = (10, cfg.long_history)
        history = compare(
            history_benches(store, lengths), rounds=cfg.rounds, target_ns=cfg.target_ns,
            most=cfg.most,
        )  # fmt: skip
        _print("one request: an action, the head alike, the history short and long", history,
               f"{lengths[0]:,} records")  # fmt: skip
        crowd = writers(url, store, raw, cfg)
    raw.close()
    k, r = crowd["K"], crowd["R"]
    print(f"\n{cfg.writers} writer processes x {cfg.events_each} events on one group:")
    for key, row in crowd.items():
        print(f"  {key}: {row['events_per_s']:8.0f} events/s, lost {row['lost']}, "
              f"{row['records']} of {row['expected']} records")  # fmt: skip
    print(f"  K/R throughput: {k['events_per_s'] / r['events_per_s']:.2f}x")
    return {
        "request": {key: s.as_json() for key, s in timed.items()},
        "request_ratio": timed["K"].median / timed["R"].median,
        "cold_request_ratio": timed["K cold"].median / timed["R"].median,
        "history": {key: s.as_json() for key, s in history.items()},
        "history_ratio": _ratio(history),
        "writers": crowd,
    }


def _ratio(stats: dict[str, Stats]) -> float:
    few, many = stats.values()
    return many.median / few.median


def _print(title: str, stats: dict[str, Stats], base: str) -> None:
    print(f"\n{title}")
    for key, s in stats.items():
        ratio = s.median / stats[base].median
        print(f"  {key:>16}: {fmt_ns(s.median):>10} (q1 {fmt_ns(s.q1)}, q3 {fmt_ns(s.q3)})"
              f"  {ratio:.2f}x {base}")  # fmt: skip


def judge(results: dict[str, Any]) -> None:
    print("\n== targets (informational; ratios of medians from this run)")
    checks: list[tuple[str, Callable[[], bool]]] = []
    if "sqlite" in results:
        ratio = results["sqlite"]["request_ratio"]
        checks.append((f"SQLite request <= 1.5x raw SQL: {ratio:.2f}x", lambda: ratio <= 1.5))
        cold = results["sqlite"]["cold_request_ratio"]
        text = f"SQLite request, every row checked, <= 1.5x raw SQL: {cold:.2f}x"
        checks.append((text, lambda: cold <= 1.5))
    for name, found in results.items():
        long = found["history_ratio"]
        checks.append((f"{name}: long history within 1.25x: {long:.2f}x", lambda x=long: x <= 1.25))
        lost = found["writers"]["K"]["lost"]
        checks.append((f"{name}: writers lose no event: lost {lost}", lambda x=lost: x == 0))
    for text, ok in checks:
        print(f"  {'PASS' if ok() else 'MISS'}  {text}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: numbers mean nothing")
    parser.add_argument("--only", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument(
        "--postgres", help="a PostgreSQL server URL to work on (default: start one)"
    )
    parser.add_argument("--json", type=Path, help="also write every number to this file")
    args = parser.parse_args(argv)
    only = {name.strip() for name in args.only.split(",")}
    cfg = QUICK if args.quick else FULL
    results = {}
    with databases(only, args.postgres) as urls:
        for name, url in urls.items():
            results[name] = run_backend(name, url, cfg)
    judge(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    lost = any(found["writers"]["K"]["lost"] for found in results.values())
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
