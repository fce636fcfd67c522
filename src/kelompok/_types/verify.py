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
      holds in *group_type* (a derived type may add stages, not shortcuts);
    * under a policy, every event can be fired by some role in some stage it is
      allowed in (``"unfirable"`` otherwise: no role, or only roles held later).

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
    problems += _unfirable(group_type)
    return VerifyReport(group_type.name, tuple(problems))


def _unfirable(group_type: GroupType[Any]) -> list[VerifyProblem]:
    """Under a policy, the events no role can ever fire.

    An event is unfirable when, in every live stage it is allowed in, the policy
    gives it to no role, or only to roles nobody holds yet there (a role's
    ``since``). A role whose check is never true is not found: only its stages are read.
    """
    policy = group_type.policy
    if policy is None:
        return []
    order = {s.name: i for i, s in enumerate(s for s in group_type.stages if not s.terminal)}
    since = {r.name: order.get(r.since, 0) if r.since is not None else 0 for r in group_type.roles}
    problems = []
    for event in group_type.events:
        stages = [s for s in event.moves if s in order]
        granted = {s: policy.roles_for(event.name, s) for s in stages}
        if any(since[r] <= order[s] for s in stages for r in granted[s]):
            continue
        named = sorted({r for roles in granted.values() for r in roles})
        why = (
            f"only to {', '.join(named)}, which nobody holds yet in {', '.join(stages)}"
            if named
            else "to no role"
        )
        problems.append(
            VerifyProblem(
                "unfirable",
                stages[0] if stages else group_type.initial,
                [],
                f"no role can ever fire {event.name!r}: the policy gives it {why}",
            )
        )
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
