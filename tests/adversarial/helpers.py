"""Shared helpers of the adversarial tests: snapshots, strict JSON, bounded threads."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

import kelompok

TYPES = pytest.mark.parametrize(
    "group_type", [kelompok.PROFESSIONAL, kelompok.VOLUNTEER], ids=["professional", "volunteer"]
)


def snapshot(group: Any) -> tuple[Any, int, int]:
    """What must not change when an event is refused or undone."""
    return group.to_dict(), group.version, len(group.history)


def strict_json(group: Any) -> bytes:
    """The group's document as strict JSON in UTF-8 (no NaN, no lone surrogates)."""
    return json.dumps(group.to_dict(), allow_nan=False, ensure_ascii=False).encode("utf-8")


def assert_plain(value: Any, where: str = "document") -> None:
    """Every value is exactly a JSON type: ``type(x) is str``, not a subclass that lies."""
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            assert type(key) is str, f"{where}: key {key!r} is a {type(key).__name__}"
            assert_plain(item, f"{where}[{key!r}]")
    elif kind is list:
        for i, item in enumerate(value):
            assert_plain(item, f"{where}[{i}]")
    else:
        assert kind in (str, int, bool, float, type(None)), f"{where}: {kind.__name__} {value!r}"


def assert_own_document_loads(group: Any) -> None:
    """The group's own document is plain, strict JSON, and ``load`` takes it back."""
    document = group.to_dict()
    assert_plain(document)
    text = strict_json(group)
    again = kelompok.load(json.loads(text))
    assert document == again.to_dict()


def run_bounded(work: Any, timeout: float = 5.0) -> tuple[list[Any], list[BaseException]]:
    """Run *work()* in a thread and wait at most *timeout* seconds; return (results, raised)."""
    results: list[Any] = []
    raised: list[BaseException] = []

    def run() -> None:
        try:
            results.append(work())
        except BaseException as exc:  # noqa: BLE001 -- handed back to the test
            raised.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"{work!r} did not finish within {timeout} s"
    return results, raised


def outcome(work: Any, error: type[BaseException], group: Any = None) -> str:
    """What *work()* did: ``"refused"`` (raised *error*, *group* unchanged) or what else."""
    before = snapshot(group) if group is not None else None
    try:
        work()
    except error:
        if group is not None and before != snapshot(group):
            return "refused, but the group changed"
        return "refused"
    except Exception as exc:  # noqa: BLE001 -- the outcome is what the test compares
        return f"{type(exc).__name__}: {exc}"[:300]
    return "accepted"


def open_close_type(  # noqa: PLR0913 -- each attack replaces one part
    name: str,
    *,
    data: type,
    founding: type,
    payload: type | None,
    effect: Any,
    initial_data: Any = None,
    invariants: Any = (),
    requires: Any = (),
) -> kelompok.GroupType[Any]:
    """A small custom type: 'put' (an action with the effect under test) and 'close'."""
    return kelompok.GroupType(
        name=name,
        label={"en": "Box", "id": "Kotak"},
        stages=[
            kelompok.Stage("open", {"en": "Open", "id": "Terbuka"}),
            kelompok.Stage("closed", {"en": "Closed", "id": "Tertutup"}, terminal=True),
        ],
        events=[
            kelompok.Event(
                "put",
                {"en": "Put", "id": "Taruh"},
                moves={"open": None},
                payload=payload,
                effect=effect,
                requires=tuple(requires),
            ),
            kelompok.Event("close", {"en": "Close", "id": "Tutup"}, moves={"open": "closed"}),
        ],
        data=data,
        founding=founding,
        initial_data=initial_data or (lambda args: data(name=args.name)),
        group_class=kelompok.Group,
        invariants=tuple(invariants),
    )
