"""Docs generated from a group type, so they cannot drift from it.

``mermaid(group_type)`` draws the stage graph; ``events_table(group_type, lang)``
lists events and requirements. ``python -m kelompok docs TYPE`` prints both.
"""

from __future__ import annotations

from typing import Any

from kelompok._base.text import msg
from kelompok._definition.parts import expect
from kelompok._types.group_type import GroupType

_HEAD = (
    msg("diagram.event", "Event"),
    msg("diagram.label", "Label"),
    msg("diagram.moves", "From -> to"),
    msg("diagram.requirements", "Requirements"),
)


def mermaid(group_type: GroupType[Any], lang: object = "en", *, current: str | None = None) -> str:
    """A mermaid ``stateDiagram-v2`` of the type's stages and moves, labels in *lang*.

    Actions (events that keep the stage) are listed inside their stages'
    notes rather than drawn as self-loops, which would bury the ordering.
    With *current* (a stage name, such as ``group.stage``), that stage is
    drawn highlighted: what a bot or a status page shows.

    Raises:
        UnknownStage: *current* is not a stage of the type.
    """
    expect(group_type, GroupType, "mermaid's group_type")
    language = lang
    if current is not None:
        group_type.stage(current)  # UnknownStage for a stage the type does not have
    lines = ["stateDiagram-v2", "    direction LR"]
    for stage in group_type.stages:
        label = stage.label(language)
        lines.append(f"    {stage.name} : {label}")
    lines.append(f"    [*] --> {group_type.initial}")
    terminal_edges: dict[str, list[str]] = {}
    for event in group_type.events:
        for source, dest in event.moves.items():
            if dest is None:
                continue
            if group_type.stage(dest).terminal:
                terminal_edges.setdefault(f"{dest}|{event.name}", []).append(source)
                continue
            lines.append(f"    {source} --> {dest} : {event.name}")
    for key, sources in terminal_edges.items():
        dest, name = key.split("|")
        live = sum(1 for s in group_type.stages if not s.terminal)
        if len(sources) == live:
            every = msg("diagram.from_every_live_stage", "from every live stage")(language)
            lines.append(f"    note left of {dest} : {name} {every}")
        else:
            lines.extend(f"    {source} --> {dest} : {name}" for source in sources)
        lines.append(f"    {dest} --> [*]")
    if current is not None:
        lines.append("    classDef current fill:#ffd54f,stroke:#e65100,stroke-width:3px")
        lines.append(f"    class {current} current")
    return "\n".join(lines) + "\n"


def events_table(group_type: GroupType[Any], lang: object = "en") -> str:
    """A markdown table: event, where it applies, and its requirements (code and message)."""
    expect(group_type, GroupType, "events_table's group_type")
    language = lang
    head = tuple(word(language) for word in _HEAD)
    in_ = msg("diagram.action_in", "action in")(language)
    every = msg("diagram.every_live_stage", "every live stage")(language)
    live = {s.name for s in group_type.stages if not s.terminal}
    rows = [f"| {' | '.join(head)} |", "|---|---|---|---|"]
    for event in group_type.events:
        parts = [f"{s} -> {d}" for s, d in event.moves.items() if d is not None]
        dests = {d for d in event.moves.values() if d is not None}
        if len(dests) == 1 and {s for s, d in event.moves.items() if d is not None} == live:
            parts = [f"{every} -> {dests.pop()}"]  # dissolve: one line instead of eight
        actions = [s for s, d in event.moves.items() if d is None]
        if actions:
            parts.append(f"{in_} {', '.join(actions)}")
        moves = "<br>".join(parts)
        reqs = "<br>".join(f"`{r.code}`: {r.message(language)}" for r in event.requires)
        label = event.label(language)
        rows.append(f"| `{event.name}` | {label} | {moves} | {reqs or '-'} |")
    return "\n".join(rows) + "\n"
