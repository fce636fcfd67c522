"""Where kelompok's time goes in scenarios (b) and (c-small).

    python benchmarks/profile_kelompok.py            # both, 20,000 operations each
    python benchmarks/profile_kelompok.py -n 5000 --top 40

First the request cycle is split into its three calls, timed without a profiler
(``load``, ``fire``, ``to_dict``); then each scenario runs under cProfile and the
report shows the time by package and the functions with the most own time.
cProfile adds a fixed cost to every Python call, so it overstates code made of
many small calls; use the split timings for the absolute numbers.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import workload as w

import kelompok


def _split(n: int) -> dict[str, float]:
    """Median ns of ``load``, ``fire`` and ``to_dict`` within the small request cycle."""
    small = w.small_document()
    parts: dict[str, list[float]] = {"load": [], "fire": [], "to_dict": []}
    clock = time.perf_counter_ns
    for i in range(n):
        payload = w.admit(f"new{i}")
        t0 = clock()
        group = kelompok.load(small)
        t1 = clock()
        group.fire("admit", **payload)
        t2 = clock()
        group.to_dict()
        t3 = clock()
        parts["load"].append(t1 - t0)
        parts["fire"].append(t2 - t1)
        parts["to_dict"].append(t3 - t2)
    return {name: statistics.median(values) for name, values in parts.items()}


def _warm_event(n: int) -> Callable[[], None]:
    small = w.small_document()
    items = [(kelompok.load(small), w.admit(f"new{i}")) for i in range(n)]

    def run() -> None:
        for group, payload in items:
            group.fire("admit", **payload)

    return run


def _cycle(n: int) -> Callable[[], None]:
    small = w.small_document()
    payloads = [w.admit(f"new{i}") for i in range(n)]

    def run() -> None:
        for payload in payloads:
            group = kelompok.load(small)
            group.fire("admit", **payload)
            group.to_dict()

    return run


def _package(filename: str) -> str:
    for marker in ("/kelompok/", "/cattrs/", "/attr/", "/attrs/", "/transitions/"):
        if marker in filename:
            rest = filename.split(marker, 1)[1]
            return marker.strip("/") + ("/" + rest if marker == "/kelompok/" else "")
    if filename.startswith("<attrs generated") or "attrs generated" in filename:
        return "attrs (generated __init__/__eq__)"
    if filename.startswith("<cattrs generated") or "cattrs" in filename:
        return "cattrs (generated hooks)"
    if filename == "~":
        return "builtins (C)"
    if "benchmarks" in filename:
        return "benchmark loop"
    return "stdlib/other"


def _report(title: str, run: Callable[[], None], n: int, top: int) -> None:
    gc.collect()  # the prepared groups become old: the collector would rescan them otherwise
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    stats = pstats.Stats(profiler)
    raw: dict[tuple[str, int, str], Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values())
    print(f"\n== {title}: {n:,} operations, {total / n * 1e6:.1f} µs each under cProfile")
    by_package: dict[str, float] = defaultdict(float)
    for (filename, _, _), entry in raw.items():
        by_package[_package(filename)] += entry[2]
    print("  own time by module:")
    for name, seconds in sorted(by_package.items(), key=lambda kv: -kv[1])[:15]:
        print(f"    {seconds / total:6.1%}  {name}")
    print(f"  top {top} functions by own time (tottime), with cumulative time:")
    ranked = sorted(raw.items(), key=lambda kv: -kv[1][2])[:top]
    for (filename, line, func), (_, calls, own, cumulative, _) in ranked:
        where = f"{_package(filename)}:{line}" if line else filename
        print(
            f"    {own / total:6.1%} own {cumulative / total:6.1%} cum "
            f"{calls / n:6.1f}/op  {func}  [{where}]"
        )
    print("  cumulative time of kelompok's entry points:")
    wanted = (
        "load",
        "dump",
        "fire",
        "_check",
        "structure_or_reasons",
        "run",
        "_history",
        "_record",
        "_apply",
        "unstructure",
        "copy_json",
        "is_json_value",
        "parse_utc",
    )
    for (filename, line, func), (_, calls, _, cumulative, _) in sorted(
        raw.items(), key=lambda kv: -kv[1][3]
    ):
        if func in wanted and ("/kelompok/" in filename or func == "unstructure"):
            print(
                f"    {cumulative / total:6.1%}  {calls / n:5.1f}/op  {func}  "
                f"[{_package(filename)}:{line}]"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", maxsplit=1)[0])
    parser.add_argument("-n", type=int, default=20_000, help="operations per scenario")
    parser.add_argument("--top", type=int, default=25, help="functions to list")
    args = parser.parse_args(argv)
    split = _split(min(args.n, 5_000))
    whole = sum(split.values())
    print("(c-small) split of the request cycle, median of each call, no profiler:")
    for name, ns in split.items():
        print(f"    {name:8} {ns / 1e3:7.1f} µs  {ns / whole:6.1%}")
    _report("(b) admit on a warm small group", _warm_event(args.n), args.n, args.top)
    _report("(c-small) load -> admit -> to_dict", _cycle(args.n), args.n, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
