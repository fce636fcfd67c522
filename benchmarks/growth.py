"""(g) the cost of one event as its collection grows, and (h) the head-only cycle as history grows.

(g) For each event that grows a collection of the group (``admit``: members,
``record_activity``: activities, ``reject``: rejections, ``add_program``:
programs, ``collaborate``: partners), one group is built by firing that event
until the collection holds ``n - 1`` entries. Every timed operation fires the
event on *its own* copy of that group (``copy.copy``: the copy shares the
group's immutable data), which has already fired one event of the same kind
since it was copied: so each timed event finds a warm group whose collection
holds exactly ``n`` entries. (g-build) grows one group by single admits and
times every admit on its own.

(h) A group in ``recruiting`` fires ``adopt_charter`` again and again: each one
replaces the charter, so the head (the document without its history) keeps its
size while the history grows. Timed: ``load(head) -> admit -> to_dict(history=False)``
and the same with bytes; the whole-document cycle is shown for contrast.

Building stops at a time budget, so an event that costs O(n) cannot make the run
hang: the printout then says how far the build got in the time.
"""

from __future__ import annotations

import copy
import itertools
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import measure
import workload as w
from bytes_cycle import kelompok_bytes_cycle
from lifecycle import Doc, Payload
from measure import Bench, Stats, fmt_ns

import kelompok

GROWS = {
    "admit": "members",
    "record_activity": "activities",
    "reject": "rejections",
    "add_program": "programs",
    "collaborate": "partners",
}
"""(g): event -> the collection of the group's data it adds an entry to."""
TIMED = 10_000_000
"""(g): the timed entries are numbered from here on, so they never clash with the built ones."""
WINDOW = 1_000
"""(g-build): the first and the last this many admits are compared."""
CYCLES = ("head dict", "head bytes", "whole dict", "whole bytes")
"""(h): the rows; the whole-document ones are for contrast."""


class Settings(Protocol):
    """What (g) and (h) read from run.py's ``Config``."""

    @property
    def rounds(self) -> int: ...
    @property
    def target_ns(self) -> float: ...
    @property
    def most(self) -> int: ...
    @property
    def sizes(self) -> tuple[int, int]: ...
    @property
    def build_to(self) -> int: ...
    @property
    def build_budget_s(self) -> float: ...
    @property
    def lengths(self) -> tuple[int, ...]: ...


@dataclass
class Growth:
    """What (g), (g-build) and (h) measured."""

    per_event: dict[str, dict[int, Stats]] = field(default_factory=dict)
    """(g): event -> nominal n -> ns per event."""
    built: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    """(g): event -> nominal n -> the size reached and the seconds the build took."""
    build: dict[str, Any] = field(default_factory=dict)
    """(g-build): target, members reached, seconds, per-admit medians."""
    cycles: dict[str, dict[int, Stats]] = field(default_factory=dict)
    """(h): row -> history length -> ns per cycle."""
    sizes: dict[int, dict[str, int]] = field(default_factory=dict)
    """(h): history length -> JSON bytes of the head and of the whole document."""

    def ratio(self, table: dict[str, dict[int, Stats]], row: str) -> float | None:
        """The row's median at its largest size over its median at its smallest."""
        runs = table.get(row)
        if not runs or len(runs) < 2:
            return None
        return runs[max(runs)].median / runs[min(runs)].median

    def as_json(self) -> dict[str, Any]:
        def by_size(table: dict[str, dict[int, Stats]]) -> dict[str, Any]:
            return {row: {str(n): s.as_json() for n, s in r.items()} for row, r in table.items()}

        return {
            "per_event": by_size(self.per_event),
            "built": {e: {str(n): b for n, b in r.items()} for e, r in self.built.items()},
            "build": self.build,
            "cycles": by_size(self.cycles),
            "sizes": {str(n): s for n, s in self.sizes.items()},
        }


# -- (g) groups whose collection grows ---------------------------------------------------------


def _recruiting() -> Any:
    group = w.founded(w.new_group())
    group.fire("admit", **w.admit(0))  # m0, the treasurer of the structure below
    return group


def _programmed() -> Any:
    group = _recruiting()
    group.fire("establish_structure", **w.structure(1))
    group.fire("plan_programs", programs=[w.program(0, 1)])
    return group


def _evaluating() -> Any:
    group = _programmed()
    group.fire("record_activity", **w.activity(0))
    group.fire("evaluate", goal_results={"grow": 70, "serve": 60}, findings="ok", improvements=[])
    return group


SEEDS: dict[str, Callable[[], Any]] = {
    "admit": lambda: w.founded(w.new_group()),
    "record_activity": _programmed,
    "reject": _recruiting,
    "add_program": _programmed,
    "collaborate": _evaluating,
}
"""(g): event -> a new group in a stage where the event applies, its collection still small."""


def entry(event: str, i: int) -> Payload:
    """The payload of *event* that adds entry number *i* (unique for each *i*)."""
    if event == "admit":
        return w.admit(f"g{i}")
    if event == "record_activity":
        return w.activity(i)
    if event == "reject":
        return {"member": w.member(f"r{i}"), "reason": "not enough experience yet"}
    if event == "add_program":
        return {"program": w.program(i + 1, 1)}  # p0 is the planned one
    partner = {"id": f"partner-{i}", "name": f"Ikatan {i}", "type": "professional"}
    return {
        "partner": {**partner, "stage": "structured"},
        "purpose": "joint seminar",
        "shared": ["knowledge"],
    }


def size_of(group: Any, event: str) -> int:
    """How many entries the collection that *event* grows holds."""
    return len(getattr(group.data, GROWS[event]))


def grow(event: str, n: int, budget_s: float) -> tuple[Any, dict[str, Any]]:
    """A group whose collection for *event* holds *n* entries, built by firing *event*.

    Stops early once the build has taken *budget_s*; the facts say how far it got.
    """
    group = SEEDS[event]()
    have, began = size_of(group, event), time.perf_counter()
    for i in itertools.count():
        if have >= n or time.perf_counter() - began > budget_s:
            break
        group.fire(event, **entry(event, i))
        have += 1
    seconds = time.perf_counter() - began
    return group, {"target": n, "size": size_of(group, event), "seconds": seconds}


def event_bench(base: Any, event: str) -> Bench:
    """*event* fired on its own warm copy of *base* each time (see the module's docstring)."""
    made = itertools.count(TIMED)

    def prepare(k: int) -> list[tuple[Any, Payload]]:
        items = []
        for _ in range(k):
            group = copy.copy(base)
            group.fire(event, **entry(event, next(made)))  # warm: an event since the copy
            items.append((group, entry(event, next(made))))
        return items

    def op(item: tuple[Any, Payload]) -> None:
        item[0].fire(event, **item[1])

    return Bench(prepare=prepare, op=op)


def build_one(n: int, budget_s: float) -> dict[str, Any]:
    """(g-build): grow one group to *n* members by single admits, each timed on its own."""
    group = w.founded(w.new_group())
    fire, clock = group.fire, time.perf_counter_ns
    each: list[int] = []
    began = time.perf_counter()
    for i in range(n - size_of(group, "admit")):
        payload = w.admit(f"b{i}")
        start = clock()
        fire("admit", **payload)
        each.append(clock() - start)
        if time.perf_counter() - began > budget_s:
            break
    seconds = time.perf_counter() - began
    window = min(WINDOW, len(each) // 2)
    first, last = statistics.median(each[:window]), statistics.median(each[-window:])
    return {
        "target": n,
        "members": size_of(group, "admit"),
        "seconds": seconds,
        "budget_s": budget_s,
        "window": window,
        "first_median_ns": first,
        "last_median_ns": last,
        "ratio": last / first,
    }


def run_g(growth: Growth, cfg: Settings) -> None:
    """(g) and (g-build)."""
    benches: dict[str, Bench] = {}
    for event in GROWS:
        for n in cfg.sizes:
            base, facts = grow(event, n - 1, cfg.build_budget_s)  # the warm-up event adds one
            facts = {**facts, "target": n, "size": facts["size"] + 1}
            growth.built.setdefault(event, {})[n] = facts
            benches[f"{event} {n}"] = event_bench(base, event)
    stats = measure.compare(benches, rounds=cfg.rounds, target_ns=cfg.target_ns, most=cfg.most)
    for event in GROWS:
        growth.per_event[event] = {n: stats[f"{event} {n}"] for n in cfg.sizes}
    growth.build = build_one(cfg.build_to, cfg.build_budget_s)


# -- (h) the history grows, the head does not --------------------------------------------------


def with_history(length: int) -> Any:
    """A group in ``recruiting`` with *length* history records; its head stays the same size."""
    group = _recruiting()
    while len(group.history) < length:
        group.fire("adopt_charter", **w.CHARTER)  # replaces the charter: only the history grows
    return group


def dict_cycle(doc: Doc, *, history: bool) -> Bench:
    """``load(doc) -> fire("admit") -> to_dict(history=history)``, on a fresh copy of *doc*."""

    def prepare(n: int) -> list[tuple[Doc, Payload]]:
        return [(w.copy_json(doc), w.admit(f"new{i}")) for i in range(n)]

    def op(item: tuple[Doc, Payload]) -> None:
        group = kelompok.load(item[0])
        group.fire("admit", **item[1])
        group.to_dict(history=history)

    return Bench(prepare=prepare, op=op)


def run_h(growth: Growth, cfg: Settings) -> None:
    """(h): the head-only cycles at every history length, then the whole-document ones."""
    heads: dict[str, Bench] = {}
    wholes: dict[str, Bench] = {}
    for length in cfg.lengths:
        group = with_history(length)
        head, whole = group.to_json(history=False), group.to_json()
        growth.sizes[length] = {"head_bytes": len(head), "whole_bytes": len(whole)}
        heads[f"head dict {length}"] = dict_cycle(group.to_dict(history=False), history=False)
        heads[f"head bytes {length}"] = kelompok_bytes_cycle(head, history=False)
        wholes[f"whole dict {length}"] = dict_cycle(group.to_dict(), history=True)
        wholes[f"whole bytes {length}"] = kelompok_bytes_cycle(whole)
    stats = measure.compare(heads, rounds=cfg.rounds, target_ns=cfg.target_ns, most=cfg.most)
    # For contrast only, and up to a few hundred ms each: fewer rounds, short batches.
    rounds = max(3, cfg.rounds // 4)
    stats |= measure.compare(wholes, rounds=rounds, target_ns=cfg.target_ns, most=cfg.most)
    for row in CYCLES:
        growth.cycles[row] = {length: stats[f"{row} {length}"] for length in cfg.lengths}


# -- printing -------------------------------------------------------------------------------------


def _cell(s: Stats) -> str:
    return f"{fmt_ns(s.median)} ({fmt_ns(s.q1)} .. {fmt_ns(s.q3)})"


def print_g(growth: Growth) -> None:
    if not growth.per_event:
        return
    sizes = sorted(next(iter(growth.per_event.values())))
    print(
        "\n== (g) one event on a warm group, by the entries of the collection it grows "
        "(K; each event on its own copy of the group); median (q1..q3)"
    )
    heads = "".join(f"{f'n = {n:,}':>36}" for n in sizes)
    print(f"  {'event':<16} {'grows':<11}{heads} {'ratio':>7}   build of the largest")
    for event, runs in growth.per_event.items():
        cells = "".join(f"{_cell(runs[n]):>36}" for n in sizes)
        facts = growth.built[event][sizes[-1]]
        short = "" if facts["size"] >= facts["target"] else f", ONLY {facts['size']:,} in budget"
        ratio = growth.ratio(growth.per_event, event)
        print(f"  {event:<16} {GROWS[event]:<11}{cells} {ratio:>6.2f}x   "
              f"{facts['seconds']:.1f} s{short}")  # fmt: skip
    b = growth.build
    if not b:
        return
    print(f"\n== (g-build) one group to {b['target']:,} members by single admits")
    if b["members"] < b["target"]:
        print(f"  STOPPED at the time budget of {b['budget_s']:g} s: {b['members']:,} members")
    print(
        f"  {b['members']:,} members in {b['seconds']:.1f} s; median admit: first {b['window']:,} "
        f"{fmt_ns(b['first_median_ns'])}, last {b['window']:,} {fmt_ns(b['last_median_ns'])}: "
        f"last/first {b['ratio']:.2f}x (a linear build is ~1x)"
    )


def print_h(growth: Growth) -> None:
    if not growth.cycles:
        return
    lengths = sorted(growth.sizes)
    print(
        "\n== (h) request cycle load -> admit -> to_dict/to_json, by history length "
        "(adopt_charter repeated: the head keeps its size); median (q1..q3)"
    )
    heads = "".join(f"{f'{n:,} records':>36}" for n in lengths)
    print(f"  {'cycle':<12}{heads} {f'{lengths[-1]:,}/{lengths[0]:,}':>12}")
    for row, runs in growth.cycles.items():
        cells = "".join(f"{_cell(runs[n]):>36}" for n in lengths)
        print(f"  {row:<12}{cells} {growth.ratio(growth.cycles, row) or 0:>11.2f}x")
    for what in ("head", "whole"):
        cells = "".join(f"{growth.sizes[n][f'{what}_bytes']:>34,} B" for n in lengths)
        print(f"  {what + ' JSON':<12}{cells}")
