"""Timing and memory helpers: batches timed with ``perf_counter_ns``, bytes from tracemalloc.

Timing: every sample is one *batch* of ``n`` operations timed as a whole and
divided by ``n`` (so the clock's resolution and the loop's own cost vanish).
Inputs are prepared before the clock starts and cleaned up after it stops. The
variants take turns, one batch each per round, so a noisy moment on the machine
hits all of them alike instead of one. The garbage collector stays on (a server
runs with it) but is emptied before every batch.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Stats:
    """Nanoseconds per operation over the samples of one measurement."""

    samples: tuple[float, ...]
    batch: int

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def q1(self) -> float:
        return self._quartiles()[0]

    @property
    def q3(self) -> float:
        return self._quartiles()[2]

    @property
    def low(self) -> float:
        return min(self.samples)

    @property
    def high(self) -> float:
        return max(self.samples)

    def _quartiles(self) -> list[float]:
        if len(self.samples) < 2:
            return [self.samples[0]] * 3
        return statistics.quantiles(self.samples, n=4, method="inclusive")

    def as_json(self) -> dict[str, Any]:
        """The numbers of ``--json``: nanoseconds per operation, and how they were sampled."""
        return {"median_ns": self.median, "q1_ns": self.q1, "q3_ns": self.q3, "min_ns": self.low,
                "max_ns": self.high, "batch": self.batch, "samples": len(self.samples)}  # fmt: skip


def fmt_ns(ns: float) -> str:
    """*ns* nanoseconds in the unit that suits them (ns, µs or ms)."""
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.1f} µs"
    return f"{ns:.0f} ns"


@dataclass(frozen=True)
class Bench:
    """One variant's part in a timed scenario.

    Attributes:
        prepare: ``prepare(n)`` makes the inputs of ``n`` operations (not timed).
        op: one operation on one input (timed).
        cleanup: undoes what the batch left behind (not timed).
    """

    prepare: Callable[[int], list[Any]]
    op: Callable[[Any], object]
    cleanup: Callable[[list[Any]], None] = lambda _inputs: None


def _timed_batch(bench: Bench, n: int) -> float:
    inputs = bench.prepare(n)
    op = bench.op
    gc.collect()
    start = time.perf_counter_ns()
    for item in inputs:
        op(item)
    elapsed = time.perf_counter_ns() - start
    bench.cleanup(inputs)
    return elapsed / n


def batch_size(bench: Bench, target_ns: float, most: int) -> int:
    """How many operations make one batch of about *target_ns* (at least 3, at most *most*)."""
    per_op = min(_timed_batch(bench, 3) for _ in range(2))
    return max(3, min(most, int(target_ns / max(per_op, 1.0))))


def compare(
    benches: dict[str, Bench], *, rounds: int, target_ns: float, most: int
) -> dict[str, Stats]:
    """Time every bench *rounds* times, taking turns; return ns per op for each."""
    sizes = {key: batch_size(bench, target_ns, most) for key, bench in benches.items()}
    samples: dict[str, list[float]] = {key: [] for key in benches}
    for _ in range(rounds):
        for key, bench in benches.items():
            samples[key].append(_timed_batch(bench, sizes[key]))
    return {key: Stats(tuple(samples[key]), sizes[key]) for key in benches}


def traced_bytes_each(
    build: Callable[[int], Sequence[Any]], n: int, traced: int
) -> tuple[float, list[Any]]:
    """Bytes that stay allocated per item when *build* makes the last *traced* of *n* live items.

    The first ``n - traced`` items are built before tracing starts (tracemalloc
    slows allocation several times over), so the traced ones are measured with
    all *n* alive. Returns the items too, so the caller decides when they die.
    """
    items = list(build(n - traced))
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        items += build(traced)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return (after - before) / traced, items


def rss_bytes() -> int:
    """The resident set size of this process now (Linux), else the peak so far."""
    try:
        statm = Path("/proc/self/statm").read_text(encoding="ascii")
        return int(statm.split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import resource  # noqa: PLC0415 -- POSIX only, and only as a fallback

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def blocks() -> int:
    """Memory blocks the interpreter has allocated now (after a full collection)."""
    gc.collect()
    return sys.getallocatedblocks()
