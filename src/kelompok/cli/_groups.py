"""Commands on stored groups: ``new``, ``fire``, ``status``, ``history``, ``list``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from kelompok._base.errors import TransitionNotAllowed
from kelompok._base.text import msg
from kelompok._runtime.group import Group
from kelompok._types.registry import get_group_type, group_types
from kelompok.cli import _out
from kelompok.cli._options import After, Db, Json, Lang, Limit, open_db

app = typer.Typer()


def _fields(given: list[str]) -> dict[str, str]:
    fields = {}
    for item in given:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            _out.fail(f"--field takes NAME=VALUE, not {item!r}")
        fields[name.strip()] = value
    return fields


@app.command()
def new(
    type_name: Annotated[str, typer.Argument(metavar="TYPE", help="professional, volunteer, ...")],
    name: Annotated[str, typer.Argument(help="the group's name")],
    field: Annotated[
        list[str] | None, typer.Option(help="another founding field, NAME=VALUE (repeatable)")
    ] = None,
    group_id: Annotated[
        str | None, typer.Option("--id", help="the id (default: a new one)")
    ] = None,
    db: Db = None,
    lang: Lang = "en",
    as_json: Json = False,
) -> None:
    """Create a group and store it; prints its id."""
    founding = {"name": name, **_fields(field or [])}
    with open_db(db, create=True) as store:
        group = store.create(get_group_type(type_name), id=group_id, **founding)
    _show_group(group, lang, as_json)


def _payload(data: str | None) -> dict[str, Any]:
    if data is None:
        return {}
    if data.startswith("@"):
        path = data[1:]
        try:
            data = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            _out.fail(f"cannot read {path!r}: {exc.strerror}")
    try:
        payload = json.loads(data)
    except (ValueError, RecursionError) as exc:
        _out.fail(f"--data is not valid JSON: {str(exc)[:200]}")
    if type(payload) is not dict:
        _out.fail("--data must be a JSON object: the event's payload fields")
    return payload


@app.command()
def fire(
    group_id: Annotated[str, typer.Argument(metavar="ID")],
    event: Annotated[str, typer.Argument(help="the event, e.g. identify_needs")],
    data: Annotated[
        str | None, typer.Option(help="the payload: JSON, or @file, or @- for standard input")
    ] = None,
    actor: Annotated[str | None, typer.Option(help="who fires it (kept in the history)")] = None,
    key: Annotated[
        str | None, typer.Option(help="an idempotency key: a repeat applies nothing")
    ] = None,
    expect: Annotated[
        int | None, typer.Option(help="apply only if the group is at this version")
    ] = None,
    db: Db = None,
    lang: Lang = "en",
    as_json: Json = False,
) -> None:
    """Fire one event on a stored group (exit 1 and the reasons when it is refused)."""
    payload = _payload(data)
    with open_db(db) as store:
        try:
            group = store.fire(
                group_id, event, payload, actor=actor, expected_version=expect, idempotency_key=key
            )
        except TransitionNotAllowed as refusal:
            if as_json:
                _out.emit_json(
                    {
                        "ok": False,
                        "event": event,
                        "stage": refusal.stage,
                        "reasons": [r.to_json(lang) for r in refusal.reasons],
                    }
                )
            else:
                line = msg(
                    "cli.refused",
                    "refused: {event} in stage {stage}",
                    event=event,
                    stage=refusal.stage,
                )(lang)
                _out.err.print(line, markup=False)
                _out.reasons(refusal.reasons, lang)
            raise typer.Exit(_out.REFUSED) from None
    _show_group(group, lang, as_json)


@app.command()
def status(
    group_id: Annotated[str, typer.Argument(metavar="ID")],
    db: Db = None,
    lang: Lang = "en",
    as_json: Json = False,
) -> None:
    """A stored group's stage and its next steps, with what each still needs."""
    with open_db(db) as store:
        group = store.get(group_id)
    _show_group(group, lang, as_json, steps=True)


def _show_group(group: Group, lang: str, as_json: bool, *, steps: bool = False) -> None:
    shown = group.status(lang)
    if as_json:
        _out.emit_json(shown)
        return
    stage = msg("cli.stage", "stage")(lang)
    _out.out.print(
        f"{shown['name']} ({shown['type_label']}) id={group.id} version={group.version}\n"
        f"{stage}: {shown['stage']} - {shown['stage_label']}",
        markup=False,
    )
    if not steps:
        return
    rows = []
    ready = msg("cli.ready", "ready")(lang)
    for step in group.next_steps():
        unmet = "\n".join(f"{r.code}: {r.message(lang)}" for r in step.unmet)
        rows.append([step.event, step.label(lang), step.dest or "", unmet or ready])
    columns = [
        msg("cli.event", "event")(lang),
        msg("cli.label", "label")(lang),
        msg("cli.to", "to")(lang),
        msg("cli.still_needs", "still needs")(lang),
    ]
    _out.table(msg("cli.next_steps", "next steps")(lang), columns, rows)


@app.command()
def history(
    group_id: Annotated[str, typer.Argument(metavar="ID")],
    after: Annotated[int | None, typer.Option(min=0, help="records after this version")] = None,
    limit: Limit = 50,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """A stored group's history, oldest first, a page at a time."""
    with open_db(db) as store:
        found = store.history(group_id, after=after, limit=limit + 1)
    page, rest = found[:limit], found[limit:]
    first = (after or 0) + 1
    if as_json:
        records = [
            {
                "version": first + i,
                "event": r.event,
                "source": r.source,
                "dest": r.dest,
                "at": r.at_text(),
                "actor": r.actor,
                "payload": r.payload,
            }
            for i, r in enumerate(page)
        ]
        _out.emit_json(records)
    else:
        _out.table(
            None,
            ["version", "event", "from -> to", "at", "actor"],
            (
                [first + i, r.event, f"{r.source} -> {r.dest}", r.at_text(), r.actor]
                for i, r in enumerate(page)
            ),
        )
    if rest:
        _out.more(f"kelompok history {group_id}", first + len(page) - 1)


@app.command("list")
def list_groups(
    type_name: Annotated[
        str | None, typer.Option("--type", help="only groups of this type")
    ] = None,
    stage: Annotated[str | None, typer.Option(help="only groups in this stage")] = None,
    after: After = None,
    limit: Limit = 50,
    db: Db = None,
    lang: Lang = "en",
    as_json: Json = False,
) -> None:
    """Stored groups by id, a page at a time."""
    _known_stage(type_name, stage, lang)
    with open_db(db) as store:
        found = store.find(type=type_name, stage=stage, after=after, limit=limit + 1)
    page, rest = found[:limit], found[limit:]
    rows = [
        {
            "id": g.id,
            "type": g.type.name,
            "name": g.status(lang)["name"],
            "stage": g.stage,
            "version": g.version,
        }
        for g in page
    ]
    if as_json:
        _out.emit_json(rows)
    else:
        columns = [
            "id",
            msg("cli.type", "type")(lang),
            msg("cli.name", "name")(lang),
            msg("cli.stage", "stage")(lang),
            msg("cli.version", "version")(lang),
        ]
        _out.table(None, columns, (list(r.values()) for r in rows))
    if rest:
        _out.more("kelompok list", page[-1].id)


def _known_stage(type_name: str | None, stage: str | None, lang: str) -> None:
    """Refuse an unknown type, or a stage that it (or every known type) does not have.

    A typo would otherwise list no group, as if there were none.
    """
    types = [get_group_type(type_name)] if type_name is not None else group_types().values()
    if stage is None or any(stage in (s.name for s in gt.stages) for gt in types):
        return
    if type_name is not None:
        said = msg(
            "cli.not_a_stage",
            "{stage!r} is not a stage of a {type!r} group",
            stage=stage,
            type=type_name,
        )
    else:
        said = msg("cli.no_such_stage", "{stage!r} is not a stage of any group type", stage=stage)
    _out.fail(said(lang))
