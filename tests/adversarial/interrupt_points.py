"""What the attacks on the kept connections share: where CPython 3.11 may switch or interrupt.

``handlers`` and ``opnames`` read a code object's bytecode; ``at_entry_of`` is a trace
function raising at a function's entry (a point where CPython runs a signal handler);
:class:`Worker` is a thread that runs one call at a time under a trace function.
"""

from __future__ import annotations

import dis
import functools
import queue
import sys
import threading
import weakref
from collections.abc import Callable
from typing import Any

CALLS = frozenset({"CALL", "CALL_FUNCTION_EX", "JUMP_BACKWARD"})
"""The instructions after which CPython 3.11 runs a pending signal handler, or switches."""
CALLBACKS = frozenset({weakref.__file__, sys.modules["_weakrefset"].__file__})
"""Weak reference callbacks run as an object dies: what they raise is only printed."""


@functools.cache
def handlers(code: Any) -> dict[int, int | None]:
    """Each instruction offset of *code*: the offset of the handler an exception there reaches."""
    entries = dis._parse_exception_table(code)  # type: ignore[attr-defined]
    found: dict[int, int | None] = {}
    for ins in dis.get_instructions(code):
        found[ins.offset] = next((e.target for e in entries if e.start <= ins.offset < e.end), None)
    return found


@functools.cache
def opnames(code: Any) -> dict[int, str]:
    return {ins.offset: ins.opname for ins in dis.get_instructions(code)}


def at_entry_of(qualname: str, exc: BaseException) -> Any:
    """A trace function raising *exc* at the first entry of the function named *qualname*."""
    armed = [exc]

    def tracer(frame: Any, event: str, arg: Any) -> Any:
        if event == "call" and armed and frame.f_code.co_qualname == qualname:
            raise armed.pop()
        return None

    return tracer


def under(tracer: Any, call: Callable[[], Any]) -> Any:
    """What *call* gives, run with the trace function *tracer* (removed after, whatever happens)."""
    sys.settrace(tracer)
    try:
        return call()
    finally:
        sys.settrace(None)


class Worker:
    """A thread that runs what it is given, one call at a time, and stays alive between."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[Any] = queue.Queue()
        self._done: queue.Queue[Any] = queue.Queue()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            call, tracer = job
            sys.settrace(tracer)
            try:
                result: Any = call()
            except BaseException as exc:  # noqa: BLE001 -- returned to the test
                result = exc
            finally:
                sys.settrace(None)
            self._done.put(result)
            del result  # a traceback held here would keep the call's frames alive

    def start(self, call: Callable[[], Any], tracer: Any = None) -> Callable[[], Any]:
        """Run *call* (under *tracer*); what it gives or raises, when asked."""
        self._jobs.put((call, tracer))
        return lambda: self._done.get(timeout=10)

    def run(self, call: Callable[[], Any]) -> Any:
        return self.start(call)()

    def stop(self) -> None:
        self._jobs.put(None)
        self._thread.join(10)


def report(problems: dict[str, list[Any]]) -> str:
    """One line per kind of damage: how many points left it, and the first few of them."""
    return "\n".join(f"{kind}: {len(at)} points, at {at[:4]}" for kind, at in problems.items())
