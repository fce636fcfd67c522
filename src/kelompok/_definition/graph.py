"""The stage graph of a group type: shortest paths, and ``verify``.

The graph has one node per stage and one edge per stage-changing move (actions
keep the stage and add no edge). Types are small, so plain breadth-first
searches are enough: "does *t* dominate *s*?" is answered by searching for *s*
with *t* removed, which also yields the shortest counterexample.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Any

import attrs

from kelompok._definition.parts import Event, GroupType, Stage, expect


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
    """One thing :func:`verify` found wrong, with the shortest path that shows it.

    Attributes:
        kind: ``"unreachable"``, ``"dead_end"``, ``"order"`` or ``"refines"``.
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


@attrs.frozen
class VerifyReport:
    """What :func:`verify` found; ``ok`` when ``problems`` is empty."""

    group_type: str
    problems: tuple[VerifyProblem, ...]

    @property
    def ok(self) -> bool:
        """True when the type has none of the problems verify looks for."""
        return not self.problems

    def __str__(self) -> str:
        if self.ok:
            return f"{self.group_type}: verified, no problems"
        lines = "".join(f"\n  - {p}" for p in self.problems)
        return f"{self.group_type}: {len(self.problems)} problem(s){lines}"


def verify(group_type: GroupType[Any], *, refines: GroupType[Any] | None = None) -> VerifyReport:
    """Check a group type's stage graph exhaustively.

    * every stage is reachable from the initial one;
    * every live stage has a way out (forward, back, or to a terminal stage);
    * the ordering property: every path from the initial stage to a live stage
      passes through every live stage declared before it, declared ways back
      included (the earlier stages *dominate* the later ones);
    * with ``refines=parent``: every ordering of the parent's live stages still
      holds in *group_type* (a derived type may add stages, not shortcuts).

    Each violation comes with the shortest counterexample path of events.
    """
    expect(group_type, GroupType, "verify's group_type")
    if refines is not None:
        expect(refines, GroupType, "refines")
    edges = stage_edges(group_type.stages, group_type.events)
    initial = group_type.initial
    live = [s.name for s in group_type.stages if not s.terminal]
    problems = reach_problems(group_type.stages, edges)
    for k, later in enumerate(live):
        for earlier in live[1:k]:
            path = shortest_path(edges, initial, later, avoid=[earlier])
            if path is not None:
                problems.append(
                    VerifyProblem(
                        "order",
                        later,
                        path,
                        f"stage {later!r} can be entered without passing {earlier!r}",
                    )
                )
    if refines is not None:
        problems += _refinement_problems(group_type, refines, edges)
    return VerifyReport(group_type.name, tuple(problems))


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


def _refinement_problems(
    child: GroupType[Any], parent: GroupType[Any], edges: dict[str, list[tuple[str, str]]]
) -> list[VerifyProblem]:
    mine = {s.name for s in child.stages}
    parent_live = [s.name for s in parent.stages if not s.terminal]
    problems = [
        VerifyProblem("refines", s.name, [], f"stage {s.name!r} of {parent.name!r} is missing")
        for s in parent.stages
        if s.name not in mine
    ]
    kept = [name for name in parent_live if name in mine]
    for k, later in enumerate(kept):
        for earlier in kept[:k]:
            if earlier == child.initial:
                continue
            path = shortest_path(edges, child.initial, later, avoid=[earlier])
            if path is not None:
                problems.append(
                    VerifyProblem(
                        "refines",
                        later,
                        path,
                        f"{parent.name!r} requires {earlier!r} before {later!r}, but here "
                        f"{later!r} can be entered without it",
                    )
                )
    return problems
