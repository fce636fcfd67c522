"""The bot, offline: updates go in through ``Dispatcher.feed_update``, replies are recorded."""

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NoReturn

import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.session.base import BaseSession
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.types import Chat, Message, Update, User
from bot import router

import kelompok
from kelompok.store import AsyncStore, open_async_store

pytestmark = pytest.mark.anyio  # async tests and fixtures on asyncio, by the anyio plugin

Say = Callable[..., Awaitable[str]]


class FakeSession(BaseSession):
    """Answers every ``sendMessage`` as Telegram would, without a network; keeps what was sent."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[SendMessage] = []

    async def make_request(
        self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None
    ) -> Any:
        assert isinstance(method, SendMessage), method
        self.sent.append(method)
        chat = Chat(id=int(method.chat_id), type="group")
        return Message(
            message_id=len(self.sent), date=datetime.now(timezone.utc), chat=chat, text=method.text
        )

    async def stream_content(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise NotImplementedError  # the bot downloads no files

    async def close(self) -> None:
        pass


# A router joins one dispatcher only, so the tests share one and give it each test's store.
dispatcher = Dispatcher()
dispatcher.include_router(router)
update_ids = itertools.count(1)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[AsyncStore]:
    async with open_async_store(f"sqlite:///{tmp_path}/bot.db") as store:
        yield store


@pytest.fixture
def session() -> FakeSession:
    return FakeSession()


@pytest.fixture
def say(store: AsyncStore, session: FakeSession) -> Say:
    """A function that sends a message to the bot as Telegram would, and returns its replies.

    ``await say("/mulai Relawan", chat=1)``: chat 1 is a group chat; user 1 sends it.
    """
    dispatcher["store"] = store  # as main() does with Dispatcher(store=store)
    bot = Bot("123456:TEST", session=session)
    users = {1: "Eka", 2: "Fajar"}

    async def say(text: str, *, chat: int = 1, update_id: int | None = None) -> str:
        before = len(session.sent)
        message = Message(
            message_id=next(update_ids),
            date=datetime.now(timezone.utc),
            chat=Chat(id=-1000 - chat, type="group", title=f"chat {chat}"),
            from_user=User(id=chat, is_bot=False, first_name=users.get(chat, "Gita")),
            text=text,
        )
        update = Update(update_id=update_id or next(update_ids), message=message)
        await dispatcher.feed_update(bot, update)
        return "\n".join(sent.text for sent in session.sent[before:])

    return say


WALK = [  # command, the stage it leads to
    ("/mulai Relawan Kali Bersih", "awareness"),
    ("/kebutuhan lingkungan | sungai penuh sampah; banjir", "needs_identified"),
    ("/pendiri Eka; Fajar", "core_formed"),
    (
        "/piagam Sungai bersih | Bersih-bersih tiap minggu | sungai bersih | kerja bakti",
        "core_formed",
    ),
    ("/rekrutmen", "recruiting"),
    ("/terima Gita 5 4", "recruiting"),
    ("/struktur Eka; Fajar; Gita | Lapangan; Humas", "structured"),
    ("/program sungai | Bersih sungai | Lapangan | kerja bakti; pilah sampah", "programmed"),
    ("/tim sungai: Gita, Fajar", "executing"),
    ("/kegiatan sungai | kerja bakti | 31 | 120 kg sampah diangkat", "executing"),
    ("/evaluasi sungai bersih = 60 | hulu perlu tim kedua", "executing"),
]


async def walk(say: Say, store: AsyncStore, chat: int, through: str) -> None:
    """Send the commands of WALK in *chat*, up to and including *through*."""
    for text, stage in WALK:
        reply = await say(text, chat=chat)
        assert reply.startswith("✅"), (text, reply)
        assert stage == (await store.get(f"telegram-{-1000 - chat}")).stage
        if text.startswith(through):
            return


async def test_a_chat_walks_its_group_to_collaboration(say: Say, store: AsyncStore) -> None:
    await walk(say, store, chat=2, through="/struktur")  # the partner
    await walk(say, store, chat=1, through="/evaluasi")

    reply = await say("/kolaborasi telegram--1002 | kerja bakti bersama | pengalaman; ide")

    assert "Berkolaborasi dengan kelompok sejenis" in reply
    assert "Tahap: Kolaborasi dengan kelompok volunteer lain" in reply
    group = await store.get("telegram--1001")
    assert ("collaborating", 11) == (group.stage, group.version)
    assert {"1"} == {record.actor for record in await store.history(group.id)}


async def test_apa_selanjutnya_lists_next_steps_and_what_blocks_them(
    say: Say, store: AsyncStore
) -> None:
    await walk(say, store, chat=1, through="/pendiri")

    reply = await say("Apa selanjutnya?")

    assert reply.startswith(
        "Relawan Kali Bersih (telegram--1001), tahap: Pembentukan kelompok awal"
    )
    assert "• Menyusun visi, misi, tujuan, dan langkah-langkah: /piagam <visi>" in reply
    assert "• Membuka rekrutmen anggota: /rekrutmen" in reply
    assert (
        "⚠ Susun dahulu visi, misi, dan minimal satu tujuan kelompok (adopt_charter). → /piagam"
        in reply
    )
    assert reply == await say("/selanjutnya")


async def test_a_refusal_is_answered_with_its_reasons_in_indonesian(
    say: Say, store: AsyncStore
) -> None:
    await walk(say, store, chat=1, through="/terima")

    reply = await say("/terima Hadi 2 4")

    assert reply.startswith("❌ Ditolak:")
    assert "nilai lulus minimal 3" in reply
    assert 5 == (await store.get("telegram--1001")).version  # nothing written
    assert "Format: /terima <nama> <komitmen 1-5> <motivasi 1-5>" == await say("/terima Hadi")


async def test_an_update_delivered_twice_is_applied_once(say: Say, store: AsyncStore) -> None:
    await walk(say, store, chat=1, through="/terima")

    first = await say("/terima Hadi 4 4", update_id=9001)
    again = await say("/terima Hadi 4 4", update_id=9001)  # Telegram retried the update

    assert first == again == "✅ Menerima anggota setelah seleksi\nTahap: Rekrutmen anggota"
    admits = [r for r in await store.history("telegram--1001") if r.event == "admit"]
    assert ["gita", "hadi"] == [r.payload["member"]["id"] for r in admits]
    assert (await say("/terima Hadi 4 4")).startswith(
        "❌ Ditolak:"
    )  # a new update is a new request


async def test_each_chat_has_its_own_group(say: Say, store: AsyncStore) -> None:
    await walk(say, store, chat=1, through="/kebutuhan")

    assert (await say("apa selanjutnya?", chat=2)).startswith("Chat ini belum punya kelompok.")
    await say("/mulai Relawan Pantai", chat=2)
    assert "sudah punya kelompok" in await say("/mulai Relawan Lain", chat=2)

    one, two = await store.get("telegram--1001"), await store.get("telegram--1002")
    assert ("Relawan Kali Bersih", "needs_identified") == (one.data.name, one.stage)
    assert ("Relawan Pantai", "awareness") == (two.data.name, two.stage)
    assert 2 == len(await store.find(type=kelompok.VOLUNTEER))
