"""What the store's tests run in other processes (importable by a spawned child)."""

from __future__ import annotations

import sys
from typing import Any

from kelompok.store import open_store


def member(tag: str) -> dict[str, Any]:
    return {
        "member": {"id": tag, "name": f"Member {tag}", "profession": "pharmacist"},
        "scores": {"competence": 4, "dedication": 3},
    }


def admit_many(url: str, group_id: str, prefix: str, count: int, barrier: Any) -> None:
    """Admit *count* new members, one event per call, as fast as possible."""
    with open_store(url) as store:
        barrier.wait()
        for i in range(count):
            store.fire(group_id, "admit", member(f"{prefix}-{i}"), actor=prefix)


def admit_keyed(url: str, group_id: str, key: str, barrier: Any, results: Any) -> None:
    """One admit under *key*, started at the same moment as the other process's."""
    with open_store(url) as store:
        barrier.wait()
        group = store.fire(group_id, "admit", member("same"), idempotency_key=key)
        results.put(group.version)


def stream(url: str, group_id: str) -> None:
    """Admit members until killed, printing each version right after its commit."""
    with open_store(url) as store:
        for i in range(100_000):
            group = store.fire(group_id, "admit", member(f"s-{i}"))
            sys.stdout.write(f"{group.version}\n")
            sys.stdout.flush()


if __name__ == "__main__":  # python store_workers.py URL GROUP_ID: the killed writer
    stream(sys.argv[1], sys.argv[2])
