"""A Telegram bot, in Indonesian, that walks one volunteer group per chat through its stages.

Each command fires one event through the store, keyed by the update id, so an update
Telegram delivers twice is applied once. Run: ``BOT_TOKEN=123:abc python examples/bot/bot.py``.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from typing import Any

from aiogram import Bot, Dispatcher, F, Router
from aiogram.filters import Command, CommandObject, CommandStart, ExceptionTypeFilter
from aiogram.types import ErrorEvent, Message, Update

import kelompok
from kelompok.store import AsyncStore, Conflict, NotFound, open_async_store

VOLUNTEER = kelompok.VOLUNTEER
Parse = Callable[[str], dict[str, Any]]
router = Router(name="kelompok-volunteer")

# command: (the event it fires, its arguments); filled in as the commands are defined below
COMMANDS: dict[str, tuple[str | None, str]] = {"mulai": (None, "<nama kelompok>")}
AREAS = {"sosial": "social", "kemanusiaan": "humanitarian", "lingkungan": "environmental"}
SHARED = {
    "pengalaman": "experience",
    "pengetahuan": "knowledge",
    "sumber daya": "resources",
    "ide": "ideas",
}


class Usage(Exception):
    """The command's arguments do not parse; the user gets its syntax back."""


def group_id(message: Message) -> str:
    """One group per chat."""
    return f"telegram-{message.chat.id}"


def usage(name: str) -> str:
    """The line of help for one command."""
    return f"/{name} {COMMANDS[name][1]}".strip()


def parts(args: str | None, count: int) -> list[str]:
    """``"a | b"`` -> ``["a", "b"]``, exactly *count* parts."""
    found = [part.strip() for part in (args or "").split("|")]
    if len(found) != count:
        raise Usage
    return found


def items(text: str, sep: str = ";") -> list[str]:
    """``"a; b;"`` -> ``["a", "b"]``."""
    return [item.strip() for item in text.split(sep) if item.strip()]


def number(text: str) -> int:
    """A whole number, or the command's syntax back."""
    try:
        return int(text)
    except ValueError:
        raise Usage from None


def member(name: str) -> dict[str, str]:
    """A member by name; the id is the name in lower case, so people are named, not numbered."""
    return {"id": name.strip().lower(), "name": name.strip()}


async def fire(
    message: Message, store: AsyncStore, update: Update, event: str, **payload: Any
) -> None:
    """Fire *event* on this chat's group, once per update, and say where the group is now."""
    group = await store.fire(
        group_id(message),
        event,
        payload,
        actor=str(message.from_user.id) if message.from_user else None,
        idempotency_key=f"telegram-{update.update_id}",
    )
    done, stage = VOLUNTEER.event(event).label("id"), VOLUNTEER.stage(group.stage).label("id")
    await message.answer(f"✅ {done}\nTahap: {stage}")


@router.message(CommandStart())
@router.message(Command("bantuan"))
async def bantuan(message: Message) -> None:
    """The commands, in the order of the stages."""
    lines = "\n".join(usage(name) for name in COMMANDS)
    await message.answer(f"Perintah:\n{lines}\n\nTanya juga: apa selanjutnya?")


@router.message(Command("mulai"))
async def mulai(message: Message, command: CommandObject, store: AsyncStore) -> None:
    """Create this chat's volunteer group."""
    try:
        group = await store.create(VOLUNTEER, id=group_id(message), name=command.args or "")
    except Conflict:
        await message.answer("Chat ini sudah punya kelompok. Tanya: apa selanjutnya?")
        return
    await message.answer(f"✅ Kelompok {group.data.name} dibentuk (id: {group.id}).")


def command(name: str, event: str, syntax: str) -> Callable[[Parse], Parse]:
    """Make ``/name <syntax>`` fire *event* with the payload the decorated function parses."""
    COMMANDS[name] = (event, syntax)

    def register(parse: Parse) -> Parse:
        @router.message(Command(name))
        async def handle(
            message: Message, command: CommandObject, store: AsyncStore, event_update: Update
        ) -> None:
            await fire(message, store, event_update, event, **parse(command.args or ""))

        return parse

    return register


@command("kebutuhan", "identify_needs", "<bidang> | <masalah>; <masalah>")
def kebutuhan(args: str) -> dict[str, Any]:
    """The needs, in a work area: sosial, kemanusiaan or lingkungan."""
    area, needs = parts(args, 2)
    return {"needs": items(needs), "work_area": AREAS.get(area.lower(), area)}


@command("pendiri", "form_core_group", "<nama>; <nama>")
def pendiri(args: str) -> dict[str, Any]:
    """The founders of the initial group."""
    return {"founders": [member(name) for name in items(args)]}


@command("piagam", "adopt_charter", "<visi> | <misi> | <tujuan>; <tujuan> | <langkah>; <langkah>")
def piagam(args: str) -> dict[str, Any]:
    """The vision, mission, goals and steps."""
    vision, mission, goals, steps = parts(args, 4)
    return {"vision": vision, "mission": mission, "goals": items(goals), "steps": items(steps)}


@command("rekrutmen", "open_recruitment", "")
def rekrutmen(_args: str) -> dict[str, Any]:
    """Open recruitment: no arguments."""
    return {}


@command("terima", "admit", "<nama> <komitmen 1-5> <motivasi 1-5>")
def terima(args: str) -> dict[str, Any]:
    """A candidate who passed the selection, with their scores."""
    words = args.rsplit(maxsplit=2)
    if len(words) != 3:
        raise Usage
    scores = {"commitment": number(words[1]), "motivation": number(words[2])}
    return {"member": member(words[0]), "scores": scores}


@command("struktur", "establish_structure", "<ketua>; <sekretaris>; <bendahara> | <divisi>; ...")
def struktur(args: str) -> dict[str, Any]:
    """The three officers (members, by name) and the divisions."""
    officers, divisions = parts(args, 2)
    names = [member(name)["id"] for name in items(officers)]
    if len(names) != 3:
        raise Usage
    divisions_ = [{"name": name, "responsibility": name} for name in items(divisions)]
    chair, secretary, treasurer = names
    return {"chair": chair, "secretary": secretary, "treasurer": treasurer, "divisions": divisions_}


COMMANDS["program"] = ("plan_programs", "<id> | <nama> | <divisi> | <kegiatan>; <kegiatan>")


@router.message(Command("program"))
async def program(
    message: Message, command: CommandObject, store: AsyncStore, event_update: Update
) -> None:
    """Plan the first program; its kind is the group's work area."""
    program_id, name, division, activities = parts(command.args, 4)
    area = (await store.get(group_id(message))).data.work_area
    planned = {"id": program_id, "name": name, "kind": area, "division": division}
    planned["activities"] = items(activities)
    await fire(message, store, event_update, "plan_programs", programs=[planned])


@command("tim", "execute", "<id program>: <nama>, <nama>; <id program>: <nama>")
def tim(args: str) -> dict[str, Any]:
    """A team of members for every program."""
    teams = {}
    for team in items(args):
        program_id, _, names = team.partition(":")
        teams[program_id.strip()] = [member(name)["id"] for name in items(names, ",")]
    return {"teams": teams}


COMMANDS["kegiatan"] = ("record_activity", "<id program> | <kegiatan> | <peserta> | <hasil>")


@router.message(Command("kegiatan"))
async def kegiatan(
    message: Message, command: CommandObject, store: AsyncStore, event_update: Update
) -> None:
    """Record an activity held on the day of the message."""
    program_id, activity, participants, outcome = parts(command.args, 4)
    held = {"held_on": message.date.date(), "participants": number(participants)}
    activity_ = {"program": program_id, "activity": activity, "outcome": outcome, **held}
    await fire(message, store, event_update, "record_activity", **activity_)


@command("evaluasi", "evaluate", "<tujuan> = <nilai 0-100>; <tujuan> = <nilai> | <temuan>")
def evaluasi(args: str) -> dict[str, Any]:
    """A score for every goal of the charter, and the findings."""
    scores, findings = parts(args, 2)
    pairs = (item.rpartition("=") for item in items(scores))
    return {"goal_results": {g.strip(): number(n) for g, _, n in pairs}, "findings": findings}


@command("kolaborasi", "collaborate", "<id kelompok mitra> | <tujuan> | <pengalaman; ide; ...>")
def kolaborasi(args: str) -> dict[str, Any]:
    """Another chat's group, by its id (the store reads it), and what is shared."""
    partner, purpose, shared = parts(args, 3)
    what = [SHARED.get(item.lower(), item) for item in items(shared)]
    return {"partner": partner, "purpose": purpose, "shared": what}


@command("bubarkan", "dissolve", "<alasan>")
def bubarkan(args: str) -> dict[str, Any]:
    """Dissolve the group, with the reason."""
    return {"reason": args}


@router.message(Command("selanjutnya"))
@router.message(F.text.regexp(r"(?i)^\s*apa selanjutnya\s*\??\s*$"))
async def selanjutnya(message: Message, store: AsyncStore) -> None:
    """What the group can do now, and what still stands in the way of each step."""
    group = await store.get(group_id(message))
    command_of = {event: name for name, (event, _) in COMMANDS.items()}
    lines = [f"{group.data.name} ({group.id}), tahap: {VOLUNTEER.stage(group.stage).label('id')}"]
    for step in group.next_steps():
        name = command_of.get(step.event)
        lines.append(f"• {step.label('id')}" + (f": {usage(name)}" if name else ""))
        for reason in step.unmet:
            fix = ", ".join(f"/{command_of[e]}" for e in reason.fixed_by if e in command_of)
            lines.append(f"   ⚠ {reason.message('id')}" + (f" → {fix}" if fix else ""))
    if len(lines) == 1:
        lines.append("Tidak ada langkah lagi.")
    await message.answer("\n".join(lines))


@router.error(
    ExceptionTypeFilter(kelompok.TransitionNotAllowed, kelompok.CreationRefused),
    F.update.message.as_("message"),
)
async def ditolak(event: ErrorEvent, message: Message) -> None:
    """A refusal is the user's to fix: answer with its reasons, in Indonesian."""
    reasons = "\n".join(f"• {reason.message('id')}" for reason in event.exception.reasons)
    await message.answer(f"❌ Ditolak:\n{reasons}")


@router.error(ExceptionTypeFilter(NotFound), F.update.message.as_("message"))
async def belum_ada(_: ErrorEvent, message: Message) -> None:
    """No group in this chat yet."""
    await message.answer(f"Chat ini belum punya kelompok. Mulai dengan {usage('mulai')}")


@router.error(ExceptionTypeFilter(Usage), F.update.message.as_("message"))
async def format_salah(_: ErrorEvent, message: Message) -> None:
    """The arguments did not parse: show the command's syntax."""
    name = (message.text or "").split()[0].lstrip("/").split("@")[0]
    await message.answer(f"Format: {usage(name)}")


async def main() -> None:
    """Poll Telegram; the groups live in ./kelompok.db, or the file or URL in $KELOMPOK_DB."""
    logging.basicConfig(level=logging.INFO)
    token = os.environ.get("BOT_TOKEN")
    if not token:
        raise SystemExit("Set BOT_TOKEN to the token BotFather gave you: BOT_TOKEN=123:abc ...")
    bot = Bot(token)
    async with open_async_store() as store:
        dispatcher = Dispatcher(store=store)  # handlers receive it as their `store` argument
        dispatcher.include_router(router)
        await dispatcher.start_polling(bot)


if __name__ == "__main__":
    asyncio.run(main())
