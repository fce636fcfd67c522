"""Run every benchmark scenario and print medians, spread, ratios and the targets.

    python benchmarks/run.py            # full run, a few minutes
    python benchmarks/run.py --quick    # smoke run for CI, a few seconds
    python benchmarks/run.py --only c-small,b --json results.json

See benchmarks/README.md for what each scenario and variant means. The targets
are informational: the exit code is 0 unless something crashes or the variants
stop doing the same work (the fairness check at the start).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import itertools
import json
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import bytes_cycle as bc
import growth
import measure
import workload as w
from lifecycle import Doc
from measure import Bench, Stats, fmt_ns
from variants import Variant, all_variants

import kelompok

KNOWN, UNSEEN = "K+", "K-"
"""(c-small) rows: K with ``known_documents`` on, loading documents it stored itself (K+) or
documents it never made (K-, as when another process stored them)."""
KNOWN_LIMIT = 4 * 1024 * 1024
NAMES = {
    KNOWN: "kelompok, known_documents on: documents it stored itself",
    UNSEEN: "kelompok, known_documents on: documents it never made (all checks)",
    "json": "json",
    **bc.NAMES,
}
SCENARIOS = ("a", "b", "c-small", "c-large", "d", "e", "f", "g", "h")
# (f) before the big populations
RUN_ORDER = ("a", "b", "c-small", "c-large", "g", "h", "f", "d", "e")


@dataclass(frozen=True)
class Config:
    """How long and how big: the full run and the CI smoke run."""

    rounds: int
    target_ns: float  # the length of one timed batch
    most: int  # at most this many operations per batch
    idle_groups: dict[str, int]  # (d): groups alive per variant
    alive: tuple[int, int]  # (e): the small and the large population
    alive_variants: tuple[str, ...]  # (e): variants that can hold the large population
    alive_rounds: int  # (e): fewer rounds: a full collection of 1M groups precedes each
    cycles: int  # (f): request cycles
    scales: tuple[float, ...]  # (c-large): document sizes for the linearity check
    sizes: tuple[int, int]  # (g): entries in the collection the event grows, small and large
    build_to: int  # (g-build): members of the group built by single admits
    build_budget_s: float  # (g): each build stops after this long (an O(n) event would not end)
    lengths: tuple[int, ...]  # (h): history records

    @property
    def large_scale(self) -> float:
        return 1.0 if 1.0 in self.scales else max(self.scales)


FULL = Config(
    rounds=21,
    target_ns=100e6,
    most=200,
    idle_groups={"A": 10_000, "B": 10_000, "S": 100_000, "P": 2_000, "H": 100_000, "K": 100_000},
    alive=(1_000, 1_000_000),
    alive_variants=("S", "H", "K"),
    alive_rounds=11,
    cycles=1_000_000,
    scales=(0.25, 0.5, 1.0, 2.0),
    sizes=(10, 10_000),
    build_to=100_000,
    build_budget_s=20.0,
    lengths=(10, 1_000, 10_000),
)
QUICK = Config(
    rounds=3,
    target_ns=5e6,
    most=50,
    idle_groups={"A": 60, "B": 60, "S": 300, "P": 15, "H": 300, "K": 300},
    alive=(1_000, 5_000),
    alive_variants=("S", "H", "K"),
    alive_rounds=3,
    cycles=2_000,
    scales=(0.05, 0.1),
    sizes=(10, 1_000),
    build_to=5_000,
    build_budget_s=0.25,
    lengths=(10, 1_000),
)
SCALE_NOTES = {
    "A": "a Machine per group holds ~50 KB",
    "B": "add_model checks `model not in machine.models`, a list: O(n) per group, O(n^2) to fill",
    "P": "a StateMachine instance holds ~170 KB",
}


# -- results -----------------------------------------------------------------------------


@dataclass
class Report:
    """Everything measured, for the printout and ``--json``."""

    timings: dict[str, dict[str, Stats]] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    memory: dict[str, dict[str, Any]] = field(default_factory=dict)
    scaling: list[dict[str, Any]] = field(default_factory=list)
    flat: dict[str, dict[int, Stats]] = field(default_factory=dict)
    leak: dict[str, Any] = field(default_factory=dict)
    growth: growth.Growth = field(default_factory=growth.Growth)
    targets: list[tuple[bool | None, str, str]] = field(default_factory=list)

    def ratio(self, scenario: str, key: str, base: str) -> float | None:
        row = self.timings.get(scenario, {})
        if key not in row or base not in row:
            return None
        return row[key].median / row[base].median


def fmt_bytes(n: float) -> str:
    return f"{n / 1024:.2f} KiB" if abs(n) >= 1024 else f"{n:.0f} B"


def section(title: str) -> None:
    print(f"\n== {title}")


def print_timings(report: Report, scenario: str, variants: dict[str, Variant]) -> None:
    stats = report.timings[scenario]
    wide = max(4, *(len(key) for key in stats))
    section(report.titles[scenario])
    print(f"  {'':{wide}} {'median':>10} {'q1 .. q3 (IQR)':>23} {'min .. max':>23} {'batch':>6} "
          f"{'x A':>7} {'x S':>7}")  # fmt: skip
    for key, s in stats.items():
        x_a, x_s = report.ratio(scenario, key, "A"), report.ratio(scenario, key, "S")
        spread = f"{fmt_ns(s.q1)} .. {fmt_ns(s.q3)}"
        extremes = f"{fmt_ns(s.low)} .. {fmt_ns(s.high)}"
        ratios = "".join(f" {r:>6.2f}x" if r is not None else f" {'-':>7}" for r in (x_a, x_s))
        name = variants[key].title if key in variants else NAMES.get(key, key)
        print(f"  {key:{wide}} {fmt_ns(s.median):>10} {spread:>23} {extremes:>23} {s.batch:>6}"
              f"{ratios}   {name}")  # fmt: skip


# -- the fairness check --------------------------------------------------------------------


def _normalised(doc: Doc) -> Doc:
    out: Doc = w.copy_json(doc)
    for record in out["history"]:
        record["at"] = "<time>"
    return out


def _same(docs: dict[str, Doc], what: str) -> None:
    differ = [key for key, doc in docs.items() if doc != docs["K"]]
    if differ:
        msg = f"variants {differ} do not {what} as kelompok does"
        raise SystemExit(msg)


def _refuses_low_score(key: str, v: Variant, small: Doc) -> None:
    handle = v.load(w.copy_json(small))
    try:
        v.fire(handle, "admit", w.admit("low", competence=2))
    except Exception:  # noqa: BLE001 -- any refusal will do; the document is checked below
        refused = True
    else:
        refused = False
    if not refused or _normalised(v.to_dict(handle)) != _normalised(small):
        msg = f"variant {key} did not refuse a low score, or changed the group doing so"
        raise SystemExit(msg)
    v.release(handle)


def verify(variants: dict[str, Variant]) -> None:
    """Fail loudly unless every variant turns the same input into the same output.

    Runs the whole professional lifecycle (every event) on each variant from one
    kelompok-made document and compares the final documents; compares the
    documents of a new group; checks that a failing guard is refused and leaves
    the group unchanged; and that kelompok does not change the document it loads.
    """
    start = w.new_group().to_dict()
    finals: dict[str, Doc] = {}
    for key, v in variants.items():
        handle = v.load(w.copy_json(start))
        for event, payload in w.full_path():
            v.fire(handle, event, w.copy_json(payload))
        finals[key] = _normalised(v.to_dict(handle))
        v.release(handle)
    _same(finals, "apply every event")
    created: dict[str, Doc] = {}
    for key, v in variants.items():
        handle = v.create("Ikatan", w.PROFESSION)
        created[key] = {**v.to_dict(handle), "id": "<new>", "created_at": "<new>"}
        v.release(handle)
    _same(created, "create a group")
    small = w.small_document()
    for key, v in variants.items():
        _refuses_low_score(key, v, small)
    k, stored = variants["K"], w.copy_json(small)
    handle = k.load(stored)
    k.fire(handle, "admit", w.admit("new"))
    k.to_dict(handle)
    if stored != small:  # (f) reuses one stored document for every cycle
        raise SystemExit("kelompok changed the stored document it loaded")
    print("fairness check: all variants produce the same documents and refuse the same events")


# -- timed scenarios ---------------------------------------------------------------------------


def create_bench(v: Variant) -> Bench:
    def op(name: str) -> None:
        v.release(v.create(name, w.PROFESSION))

    return Bench(prepare=lambda n: [f"Group {i}" for i in range(n)], op=op)


def warm_event_bench(v: Variant, doc: Doc) -> Bench:
    def prepare(n: int) -> list[Any]:
        return [(v.load(w.copy_json(doc)), w.admit(f"new{i}")) for i in range(n)]

    def op(item: tuple[Any, dict[str, Any]]) -> None:
        v.fire(item[0], "admit", item[1])

    def cleanup(items: list[Any]) -> None:
        for handle, _ in items:
            v.release(handle)

    return Bench(prepare=prepare, op=op, cleanup=cleanup)


def cycle_bench(v: Variant, doc: Doc, *, unseen: bool = False, primed: bool = False) -> Bench:
    """The request cycle on *doc*.

    *unseen*: each time under a new id, so no process knows it; *primed*: the
    document as the last request's ``to_dict()`` left it, so this process knows it.
    """
    text, made = json.dumps(doc), itertools.count()

    def prepare(n: int) -> list[Any]:
        if primed:
            stored = v.to_dict(v.load(w.copy_json(doc)))
            return [(w.copy_json(stored), w.admit(f"new{i}")) for i in range(n)]
        if unseen:
            return [
                (json.loads(text.replace(doc["id"], f"{next(made):032x}")), w.admit(f"new{i}"))
                for i in range(n)
            ]
        return [(w.copy_json(doc), w.admit(f"new{i}")) for i in range(n)]

    def op(item: tuple[Doc, dict[str, Any]]) -> None:
        handle = v.load(item[0])
        v.fire(handle, "admit", item[1])
        v.to_dict(handle)
        v.release(handle)

    return Bench(prepare=prepare, op=op)


def known_on(bench: Bench) -> Bench:
    """*bench* with ``kelompok.known_documents`` on; it is off again after the batch."""
    known = kelompok.known_documents

    def prepare(n: int) -> list[Any]:
        known.limit = KNOWN_LIMIT
        return bench.prepare(n)

    def cleanup(items: list[Any]) -> None:
        bench.cleanup(items)
        known.limit = 0

    return Bench(prepare=prepare, op=bench.op, cleanup=cleanup)


def json_bench(doc: Doc) -> Bench:
    text = json.dumps(doc)
    return Bench(prepare=lambda n: [text] * n, op=lambda t: json.dumps(json.loads(t)))


def timed(  # noqa: PLR0913 -- where to put it, and what
    report: Report,
    cfg: Config,
    scenario: str,
    title: str,
    benches: dict[str, Bench],
    *,
    most: int | None = None,
) -> None:
    report.titles[scenario] = title
    report.timings[scenario] = measure.compare(
        benches, rounds=cfg.rounds, target_ns=cfg.target_ns, most=most or cfg.most
    )


def run_a(report: Report, cfg: Config, variants: dict[str, Variant]) -> None:
    benches = {key: create_bench(v) for key, v in variants.items()}
    timed(report, cfg, "a", "(a) create a group (B: add_model + remove_model)", benches)


def run_b(report: Report, cfg: Config, variants: dict[str, Variant], small: Doc) -> None:
    benches = {key: warm_event_bench(v, small) for key, v in variants.items()}
    title = "(b) one guarded event (admit) on a warm small group"
    timed(report, cfg, "b", title, benches)


def run_c_small(report: Report, cfg: Config, variants: dict[str, Variant], small: Doc) -> None:
    benches = {key: cycle_bench(v, small) for key, v in variants.items()}
    benches[KNOWN] = known_on(cycle_bench(variants["K"], small, primed=True))
    benches[UNSEEN] = known_on(cycle_bench(variants["K"], small, unseen=True))
    benches["json"] = json_bench(small)
    blob = bc.stored_bytes(small)
    benches[bc.KELOMPOK_BYTES] = bc.kelompok_bytes_cycle(blob)
    if "S" in variants:  # --variants may leave it out
        benches[bc.BASELINE_BYTES] = bc.codec_cycle(variants["S"], blob)
    title = (
        "(c-small) request cycle load -> admit -> to_dict; 3 founders + 1 member, "
        f"{len(small['history'])} records, {len(json.dumps(small))} B of JSON "
        f"({KNOWN} and {UNSEEN}: K with known_documents on; json: loads+dumps of the "
        f"document, for context; {bc.KELOMPOK_BYTES} and {bc.BASELINE_BYTES}: bytes in and out)"
    )
    timed(report, cfg, "c-small", title, benches)


def run_c_large(report: Report, cfg: Config, variants: dict[str, Variant]) -> None:
    docs = {scale: w.large_document(scale) for scale in cfg.scales}
    large = docs[cfg.large_scale]
    benches = {key: cycle_bench(v, large) for key, v in variants.items()}
    benches["json"] = json_bench(large)
    title = (
        f"(c-large) request cycle; {len(large['data']['members'])} members, "
        f"{len(large['data']['programs'])} programs, {len(large['history'])} records, "
        f"{len(json.dumps(large)) // 1024} KiB of JSON"
    )
    # Each input is a fresh copy of a large document: keep the batches short.
    timed(report, cfg, "c-large", title, benches, most=max(3, cfg.most // 10))
    k = variants["K"]
    scaled = {scale: cycle_bench(k, doc) for scale, doc in docs.items()}
    stats = measure.compare(
        {str(s): b for s, b in scaled.items()}, rounds=cfg.rounds, target_ns=cfg.target_ns, most=5
    )
    for scale, doc in docs.items():
        size = len(json.dumps(doc))
        s = stats[str(scale)]
        report.scaling.append(
            {
                "scale": scale,
                "members": len(doc["data"]["members"]),
                "programs": len(doc["data"]["programs"]),
                "records": len(doc["history"]),
                "json_bytes": size,
                "median_ns": s.median,
                "q1_ns": s.q1,
                "q3_ns": s.q3,
                "ns_per_kib": s.median / (size / 1024),
            }
        )


# -- memory scenarios ---------------------------------------------------------------------------


def _idle_groups(v: Variant, template: str, group_id: str) -> Callable[[int], list[Any]]:
    """Build *n* idle small groups, each loaded from its own freshly parsed document."""
    made = itertools.count()

    def build(n: int) -> list[Any]:
        return [
            v.load(json.loads(template.replace(group_id, f"{next(made):032x}"))) for _ in range(n)
        ]

    return build


def _new_groups(v: Variant) -> Callable[[int], list[Any]]:
    def build(n: int) -> list[Any]:
        return [v.create(f"Group {i}", w.PROFESSION) for i in range(n)]

    return build


def run_d(report: Report, cfg: Config, variants: dict[str, Variant], small: Doc) -> None:
    template = json.dumps(small)
    for key, v in variants.items():
        n = cfg.idle_groups[key]
        build = _idle_groups(v, template, small["id"])
        for handle in build(20):  # warm up lazily made caches before counting
            v.release(handle)
        traced = max(n // 10, min(n, 2_000))
        per_group, groups = measure.traced_bytes_each(build, n, traced)
        for handle in groups:
            v.release(handle)
        per_new, fresh = measure.traced_bytes_each(_new_groups(v), n, traced)
        for handle in fresh:
            v.release(handle)
        del groups, fresh
        gc.collect()
        report.memory[key] = {"groups": n, "idle_small_bytes": per_group, "new_bytes": per_new}
    plain = report.memory["H"]
    for row in report.memory.values():
        row["beyond_data_bytes"] = row["idle_small_bytes"] - plain["idle_small_bytes"]
        row["new_beyond_data_bytes"] = row["new_bytes"] - plain["new_bytes"]


def print_d(report: Report, variants: dict[str, Variant]) -> None:
    section(
        "(d) bytes per idle group (tracemalloc); 'beyond data' = minus H, "
        "which holds nothing but the parsed document"
    )
    print(f"  {'':4} {'groups':>8} {'small idle':>11} {'beyond data':>12} "
          f"{'new group':>11} {'beyond data':>12}")  # fmt: skip
    for key, row in report.memory.items():
        note = f"   (scaled down: {SCALE_NOTES[key]})" if key in SCALE_NOTES else ""
        print(
            f"  {key:4} {row['groups']:>8,} {fmt_bytes(row['idle_small_bytes']):>11} "
            f"{fmt_bytes(row['beyond_data_bytes']):>12} {fmt_bytes(row['new_bytes']):>11} "
            f"{fmt_bytes(row['new_beyond_data_bytes']):>12}   {variants[key].title}{note}"
        )


def run_e(report: Report, cfg: Config, variants: dict[str, Variant], small: Doc) -> None:
    few, many = cfg.alive
    for key in cfg.alive_variants:
        v = variants[key]
        bench = warm_event_bench(v, small)
        population: list[Any] = []
        results: dict[int, Stats] = {}
        for size in (few, many):
            population.extend(
                v.create(f"Group {i}", w.PROFESSION) for i in range(len(population), size)
            )
            results[size] = measure.compare(
                {key: bench}, rounds=cfg.alive_rounds, target_ns=cfg.target_ns, most=cfg.most
            )[key]
        del population
        gc.collect()
        report.flat[key] = results


def print_e(report: Report, cfg: Config) -> None:
    few, many = cfg.alive
    section(f"(e) cost of (b) with {few:,} vs {many:,} groups alive (must be flat)")
    print(f"  {'':4} {f'{few:,} alive':>14} {f'{many:,} alive':>16} {'ratio':>7}")
    for key, results in report.flat.items():
        a, b = results[few], results[many]
        print(f"  {key:4} {fmt_ns(a.median):>14} {fmt_ns(b.median):>16} "
              f"{b.median / a.median:>6.2f}x")  # fmt: skip
    skipped = ", ".join(
        f"{k} ({SCALE_NOTES[k]})" for k in SCALE_NOTES if k not in cfg.alive_variants
    )
    print(f"  not run with {many:,} groups: {skipped}")


def run_f(report: Report, cfg: Config, variants: dict[str, Variant], small: Doc) -> None:
    k = variants["K"]
    stored = w.copy_json(small)

    def cycles(start: int, stop: int) -> None:
        for i in range(start, stop):
            handle = k.load(stored)
            k.fire(handle, "admit", w.admit(f"c{i}"))
            k.to_dict(handle)

    warmup = max(1_000, cfg.cycles // 100)
    cycles(0, warmup)
    checkpoints: list[tuple[int, int, int]] = [(0, measure.blocks(), measure.rss_bytes())]
    step = cfg.cycles // 10
    began = time.perf_counter()
    for done in range(step, cfg.cycles + 1, step):
        cycles(warmup + done - step, warmup + done)
        checkpoints.append((done, measure.blocks(), measure.rss_bytes()))
    report.leak = {
        "cycles": cfg.cycles,
        "warmup": warmup,
        "seconds": time.perf_counter() - began,
        "checkpoints": checkpoints,
    }


def print_f(report: Report) -> None:
    leak = report.leak
    section(
        f"(f) kelompok memory over {leak['cycles']:,} request cycles (after {leak['warmup']:,} "
        f"warm-up cycles; {leak['seconds']:.0f} s)"
    )
    _, blocks0, rss0 = leak["checkpoints"][0]
    print(f"  {'cycles':>10} {'blocks':>10} {'Δ blocks':>9} {'RSS':>10} {'Δ RSS':>10}")
    for done, blocks, rss in leak["checkpoints"]:
        print(f"  {done:>10,} {blocks:>10,} {blocks - blocks0:>+9,} {rss / 2**20:>8.1f} MB "
              f"{(rss - rss0) / 2**10:>+8.0f} KB")  # fmt: skip


# -- targets --------------------------------------------------------------------------------------


def judge(report: Report, cfg: Config) -> None:
    """PASS/MISS per target of the issue, from the ratios of this run's medians."""
    add = report.targets.append
    judge_cycles(report)
    k_over_s = report.ratio("b", "K", "S")
    if k_over_s is not None:
        what = "(b) one guarded event, warm group: K no more than 1.5x S"
        add((k_over_s <= 1.5, what, f"K/S = {k_over_s:.2f}x"))
    judge_growth(report, cfg)
    judge_rest(report, cfg)


def judge_cycles(report: Report) -> None:
    """The targets of (c-small): against A, and issue 10's against S and S+codec."""
    add = report.targets.append
    for key, which in (("K", ""), (KNOWN, ", known_documents on")):
        a_over_k = report.ratio("c-small", "A", key)
        if a_over_k is not None:
            what = f"(c-small{which}) {key} at least 15x faster than A"
            add((a_over_k >= 15, what, f"A/{key} = {a_over_k:.1f}x"))
    known_over_s = report.ratio("c-small", KNOWN, "S")
    if known_over_s is not None:  # (the checked cycle's target is issue 10's, below)
        what = f"(c-small, known_documents on) {KNOWN} no more than 2x S"
        add((known_over_s <= 2, what, f"{KNOWN}/S = {known_over_s:.2f}x"))
    for key, base, what in (
        ("K", "S", "(c-small) checked cycle dict->dict: K no more than 3x S"),
        (bc.KELOMPOK_BYTES, bc.BASELINE_BYTES, "(c-small) bytes->bytes: K no more than 3x S+codec"),
    ):
        ratio = report.ratio("c-small", key, base)
        if ratio is not None:
            add((ratio <= 3, what, f"{key}/{base} = {ratio:.2f}x"))


def judge_rest(report: Report, cfg: Config) -> None:
    """The targets of (c-large), (d), (e) and (f)."""
    add = report.targets.append
    if "K" in report.memory:
        beyond = report.memory["K"]["beyond_data_bytes"]
        add((beyond < 2048, "(d) idle K group under 2 KiB beyond its data", fmt_bytes(beyond)))
    if report.scaling:
        per_kib = [row["ns_per_kib"] for row in report.scaling]
        spread = max(per_kib) / min(per_kib)
        add(
            (
                spread <= 1.25,
                "(c-large) K's request cycle linear in document size",
                f"cost per KiB varies {spread:.2f}x over {len(per_kib)} sizes (<= 1.25x)",
            )
        )
    if "K" in report.flat:
        few, many = cfg.alive
        growth = report.flat["K"][many].median / report.flat["K"][few].median
        add((growth <= 1.25, f"(e) K's (b) flat from {few:,} to {many:,} alive",
             f"{growth:.2f}x (<= 1.25x)"))  # fmt: skip
    if report.leak:
        points = report.leak["checkpoints"]
        grown = points[-1][1] - points[0][1]
        add(
            (
                grown <= 1_000,
                f"(f) K's memory back to its level after {report.leak['cycles']:,} cycles",
                f"{grown:+,} blocks, {(points[-1][2] - points[0][2]) / 2**10:+.0f} KB RSS",
            )
        )


def judge_growth(report: Report, cfg: Config) -> None:
    """The targets of (g) and (h): the cost must not grow with the group or its history."""
    g, add = report.growth, report.targets.append
    admit = g.ratio(g.per_event, "admit")
    if admit is not None:
        few, many = cfg.sizes
        reached = g.built["admit"][many]["size"]
        built = "" if reached >= many else f" (built only {reached:,})"
        what = f"(g) admit into {many:,} members no more than 1.5x into {few:,}"
        add((admit <= 1.5, what, f"{admit:.2f}x{built}"))
    heads, as_bytes = g.ratio(g.cycles, "head dict"), g.ratio(g.cycles, "head bytes")
    if heads is not None and as_bytes is not None:
        few, many = min(cfg.lengths), max(cfg.lengths)
        what = f"(h) head-only cycle: {many:,} records no more than 1.25x {few:,}"
        value = f"dict {heads:.2f}x, bytes {as_bytes:.2f}x"
        add((max(heads, as_bytes) <= 1.25, what, value))


def print_targets(report: Report) -> None:
    section("targets (ratios of medians from this run; informational only)")
    for ok, what, value in report.targets:
        print(f"  {'PASS' if ok else 'MISS'}  {what:<62} {value}")


def to_json(report: Report, cfg: Config) -> dict[str, Any]:
    stats = Stats.as_json

    return {
        "config": {
            name: getattr(cfg, name)
            for name in ("rounds", "alive", "cycles", "sizes", "build_to", "lengths")
        },
        "timings": {
            scenario: {key: stats(s) for key, s in row.items()}
            for scenario, row in report.timings.items()
        },
        "memory": report.memory,
        "scaling": report.scaling,
        "flat": {k: {str(n): stats(s) for n, s in r.items()} for k, r in report.flat.items()},
        "leak": report.leak,
        "growth": report.growth.as_json(),
        "targets": [{"pass": ok, "target": what, "value": v} for ok, what, v in report.targets],
    }


# -- main ---------------------------------------------------------------------------------


Runner = Callable[[Report, Config, dict[str, Variant], Doc], None]
RUNNERS: dict[str, Runner] = {
    "a": lambda r, c, v, _small: run_a(r, c, v),
    "b": run_b,
    "c-small": run_c_small,
    "c-large": lambda r, c, v, _small: run_c_large(r, c, v),
    "d": run_d,
    "e": run_e,
    "f": run_f,
    "g": lambda r, c, _v, _small: growth.run_g(r.growth, c),
    "h": lambda r, c, _v, _small: growth.run_h(r.growth, c),
}


def _selected(only: str | None) -> list[str]:
    wanted = SCENARIOS if only is None else tuple(s.strip() for s in only.split(","))
    unknown = [s for s in wanted if s not in SCENARIOS]
    if unknown:
        msg = f"unknown scenarios {unknown}; choose from {', '.join(SCENARIOS)}"
        raise SystemExit(msg)
    return [s for s in RUN_ORDER if s in wanted]


def print_report(report: Report, cfg: Config, variants: dict[str, Variant]) -> None:
    for scenario in report.timings:
        print_timings(report, scenario, variants)
    if report.scaling:
        section("(c-large) K's request cycle by document size (linearity)")
        for row in report.scaling:
            print(
                f"  x{row['scale']:<5} {row['members']:>5} members {row['programs']:>4} programs "
                f"{row['records']:>5} records {row['json_bytes'] / 1024:>8.0f} KiB "
                f"{fmt_ns(row['median_ns']):>10}  {fmt_ns(row['ns_per_kib']):>9} per KiB"
            )
    if report.memory:
        print_d(report, variants)
    if report.flat:
        print_e(report, cfg)
    growth.print_g(report.growth)
    growth.print_h(report.growth)
    if report.leak:
        print_f(report)
    print_targets(report)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", maxsplit=1)[0])
    parser.add_argument("--quick", action="store_true", help="smoke run (CI): small counts")
    parser.add_argument("--only", help=f"comma-separated scenarios out of {','.join(SCENARIOS)}")
    parser.add_argument("--variants", help="comma-separated variant keys to time (default: all)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)
    cfg = QUICK if args.quick else FULL
    scenarios = _selected(args.only)
    variants = all_variants()
    versions = ", ".join(
        f"{name} {version(name)}"
        for name in ("kelompok", "transitions", "python-statemachine", "cattrs", "attrs")
    )
    mode = "quick (smoke: numbers not meaningful)" if args.quick else "full"
    print(f"kelompok benchmarks, {mode} run; Python {platform.python_version()}; {versions}")
    print("variants: " + "; ".join(f"{k} = {v.title}" for k, v in variants.items()))
    verify(variants)  # always all of them: the comparison rests on it
    if args.variants:  # H and K stay: (d) measures against H, every target is about K
        keys = {k.strip() for k in args.variants.split(",")} | {"H", "K"}
        variants = {k: v for k, v in variants.items() if k in keys}
        cfg = dataclasses.replace(
            cfg, alive_variants=tuple(k for k in cfg.alive_variants if k in keys)
        )
    report = Report()
    small = w.small_document()
    began = time.perf_counter()
    for scenario in scenarios:
        print(f"  running ({scenario}) at {time.perf_counter() - began:.0f} s", file=sys.stderr)
        RUNNERS[scenario](report, cfg, variants, small)
    judge(report, cfg)
    print_report(report, cfg, variants)
    print(f"\nmeasured in {time.perf_counter() - began:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(to_json(report, cfg), indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
