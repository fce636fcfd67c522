"""The stage graph of a group type: edges, shortest paths, and what cannot be reached.

The graph has one node per stage and one edge per stage-changing move (actions
keep the stage and add no edge). Types are small, so plain breadth-first
searches are enough: "does *t* dominate *s*?" is answered by searching for *s*
with *t* removed, which also yields the shortest counterexample.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

import attrs

from kelompok._definition.parts import Event, Stage


def stage_edges(
    stages: Iterable[Stage], events: Iterable[Event]
) -> dict[str, list[tuple[str, str]]]:
    """``source -> [(event, dest), ...]`` for every stage-changing move, in declaration order.

    Moves from or to undeclared stages are left out (the definition check reports them).
    """
    edges: dict[str, list[tuple[str, str]]] = {s.name: [] for s in stages}
    for event in events:
        for source, dest in event.moves.items():
            if dest is not None and dest != source and source in edges and dest in edges:
                edges[source].append((event.name, dest))
    return edges


def shortest_path(
    edges: dict[str, list[tuple[str, str]]],
    source: str,
    target: str,
    avoid: Iterable[str] = (),
) -> list[str] | None:
    """Event names of a shortest path from *source* to *target* not entering *avoid*."""
    if source == target:
        return []
    blocked = set(avoid)
    if source in blocked:
        return None
    came: dict[str, tuple[str, str]] = {}
    queue = deque([source])
    seen = {source}
    while queue:
        stage = queue.popleft()
        for event, dest in edges[stage]:
            if dest in seen or dest in blocked:
                continue
            seen.add(dest)
            came[dest] = (stage, event)
            if dest == target:
                path: list[str] = []
                node = dest
                while node != source:
                    node, step = came[node]
                    path.append(step)
                return path[::-1]
            queue.append(dest)
    return None


@attrs.frozen(hash=False)
class VerifyProblem:
    """One thing :func:`kelompok.verify` found wrong, with the shortest path that shows it.

    Attributes:
        kind: ``"unreachable"``, ``"dead_end"``, ``"order"``, ``"refines"`` or
            ``"unfirable"`` (an event no role of the policy can fire).
        stage: the stage concerned.
        path: event names of the counterexample from the initial stage
            (empty when there is no path to show, as for an unreachable stage).
        message: what is wrong, in English.
    """

    kind: str
    stage: str
    path: list[str]
    message: str

    def __str__(self) -> str:
        if not self.path:
            return self.message
        return f"{self.message}; counterexample: {' -> '.join(self.path)}"


def reach_problems(
    stages: Iterable[Stage], edges: dict[str, list[tuple[str, str]]]
) -> list[VerifyProblem]:
    """Stages that cannot be reached from the first one, and live stages with no way out."""
    stages = list(stages)
    problems: list[VerifyProblem] = []
    for stage in stages:
        path = shortest_path(edges, stages[0].name, stage.name)
        if path is None:
            message = f"stage {stage.name!r} cannot be reached from {stages[0].name!r}"
            problems.append(VerifyProblem("unreachable", stage.name, [], message))
        elif not stage.terminal and not edges[stage.name]:
            message = f"live stage {stage.name!r} is a dead end: no event leaves it"
            problems.append(VerifyProblem("dead_end", stage.name, path, message))
    return problems
