"""``verify``: the ordering properties of a group type's stage graph, checked exhaustively.

Types are small, so plain breadth-first searches are enough: "does *t*
dominate *s*?" is answered by searching for *s* with *t* removed, which also
yields the shortest counterexample.
"""

from __future__ import annotations

from typing import Any

import attrs

from kelompok._definition.graph import VerifyProblem, reach_problems, shortest_path, stage_edges
from kelompok._definition.parts import expect
from kelompok._types.group_type import GroupType


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
