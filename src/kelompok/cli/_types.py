"""Commands about group types: ``types``, ``show``, ``diagram``, ``docs``, ``verify``."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from kelompok._types.diagram import events_table, mermaid
from kelompok._types.group_type import GroupType
from kelompok._types.registry import get_group_type, group_types
from kelompok._types.verify import verify
from kelompok.cli import _out
from kelompok.cli._options import Db, Json, Lang, open_db

app = typer.Typer()

TypeName = Annotated[
    str, typer.Argument(help="a group type: professional, volunteer, or registered")
]


@app.command("types")
def list_types(lang: Lang = "en", as_json: Json = False) -> None:
    """The group types this kelompok knows: built in, registered or installed as plugins."""
    found = group_types()
    rows = [
        {"name": name, "label": gt.label(lang), "stages": len(gt.stages), "events": len(gt.events)}
        for name, gt in sorted(found.items())
    ]
    if as_json:
        _out.emit_json(rows)
        return
    _out.table(None, ["type", "label", "stages", "events"], (list(r.values()) for r in rows))


def outline(gt: GroupType[Any], lang: str) -> dict[str, Any]:
    """A type's stages and events, with each event's moves and requirements, in *lang*."""
    return {
        "type": gt.name,
        "label": gt.label(lang),
        "stages": [
            {"name": s.name, "label": s.label(lang), "terminal": s.terminal} for s in gt.stages
        ],
        "events": [
            {
                "name": e.name,
                "label": e.label(lang),
                "moves": {source: dest or source for source, dest in e.moves.items()},
                "requirements": [{"code": r.code, "message": r.message(lang)} for r in e.requires],
            }
            for e in gt.events
        ],
    }


@app.command()
def show(type_name: TypeName, lang: Lang = "en", as_json: Json = False) -> None:
    """A type's stages, events and requirements."""
    shape = outline(get_group_type(type_name), lang)
    if as_json:
        _out.emit_json(shape)
        return
    stages = shape["stages"]
    _out.table(
        f"{shape['label']} ({shape['type']})",
        ["#", "stage", "label"],
        (
            [i, s["name"], s["label"] + (" (end)" if s["terminal"] else "")]
            for i, s in enumerate(stages)
        ),
    )
    _out.table(
        None,
        ["event", "label", "from -> to", "requirements"],
        (
            [
                e["name"],
                e["label"],
                "\n".join(f"{a} -> {b}" for a, b in e["moves"].items()),
                "\n".join(f"{r['code']}: {r['message']}" for r in e["requirements"]),
            ]
            for e in shape["events"]
        ),
    )


@app.command()
def diagram(
    type_name: TypeName,
    group: Annotated[
        str | None, typer.Option(help="a stored group's id: its current stage is highlighted")
    ] = None,
    lang: Lang = "en",
    db: Db = None,
    as_json: Json = False,
) -> None:
    """A type's lifecycle as a mermaid state diagram."""
    gt = get_group_type(type_name)
    current = None
    if group is not None:
        with open_db(db) as store:
            stored = store.get(group)
        if stored.type is not gt:
            _out.fail(f"group {group!r} is a {stored.type.name!r} group, not {type_name!r}")
        current = stored.stage
    text = mermaid(gt, lang, current=current)
    if as_json:
        _out.emit_json({"type": gt.name, "current": current, "mermaid": text})
    else:
        sys.stdout.write(text)


@app.command()
def docs(type_name: TypeName, lang: Lang = "en") -> None:
    """A type's diagram and event table as Markdown, as the docs pages embed them."""
    gt = get_group_type(type_name)
    sys.stdout.write(f"```mermaid\n{mermaid(gt, lang)}```\n\n{events_table(gt, lang)}")


@app.command("verify")
def verify_type(
    target: Annotated[str, typer.Argument(help="MODULE:ATTR, e.g. myapp.types:TUCKMAN")],
    as_json: Json = False,
) -> None:
    """Check a type's stage graph: reachable stages, ways out, stage order (exit 1 if not)."""
    gt = _imported(target)
    report = verify(gt)
    if as_json:
        problems = [
            {"kind": p.kind, "stage": p.stage, "path": p.path, "message": p.message}
            for p in report.problems
        ]
        _out.emit_json({"type": report.group_type, "ok": report.ok, "problems": problems})
    else:
        _out.out.print(str(report), markup=False)
    if not report.ok:
        raise typer.Exit(_out.REFUSED)


def _imported(target: str) -> GroupType[Any]:
    """The group type at ``MODULE:ATTR``, imported as Python would from the working directory."""
    module_name, _, attr = target.partition(":")
    if not module_name or not attr:
        _out.fail(f"give the type as MODULE:ATTR (e.g. myapp.types:TUCKMAN), not {target!r}")
    here = str(Path.cwd())
    if here not in sys.path:
        sys.path.insert(0, here)
    try:
        found: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            found = getattr(found, part)
    except Exception as exc:  # noqa: BLE001 -- a user's module may raise anything on import
        _out.fail(f"cannot import {target!r}: {type(exc).__name__}: {exc}")
    if not isinstance(found, GroupType):
        _out.fail(f"{target!r} is a {type(found).__name__}, not a kelompok GroupType")
    return found
