"""A group under a policy through the store, its async twin and the CLI (docs/model.md §6)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

import kelompok
from kelompok import TransitionNotAllowed
from kelompok.__main__ import main
from kelompok.store import IdempotencyMismatch, open_async_store, open_store

GP = kelompok.GOVERNED_PROFESSIONAL
FOUNDERS = [
    {"id": "ani", "name": "Ani", "profession": "pharmacist"},
    {"id": "bayu", "name": "Bayu", "profession": "pharmacist"},
]


def test_the_store_passes_the_actor_and_keeps_the_policy(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'roles.db'}") as store:
        g = store.create(GP, name="Ikatan", profession="pharmacist", initiator="ini")
        with pytest.raises(TransitionNotAllowed) as info:
            store.fire(g.id, "identify_needs", needs=["support"])  # no actor
        assert [r.code for r in info.value.reasons] == ["permission.denied"]
        with pytest.raises(TransitionNotAllowed):
            store.fire(g.id, "identify_needs", actor="eve", needs=["support"])
        assert store.get(g.id).version == 0  # a refusal writes nothing
        store.fire(g.id, "identify_needs", actor="ini", needs=["support"], idempotency_key="k1")
        again = store.fire(
            g.id, "identify_needs", actor="ini", needs=["support"], idempotency_key="k1"
        )
        assert again.version == 1
        with pytest.raises(IdempotencyMismatch):  # another actor is another request
            store.fire(g.id, "identify_needs", actor="eve", needs=["support"], idempotency_key="k1")
        store.fire(g.id, "form_core_group", actor="ini", founders=FOUNDERS)
        stored = store.get(g.id)
        assert stored.type is GP
        assert stored.available_events(actor="ini") == []
        assert stored.roles_of("ani") == ("founder", "member")
        assert [r.actor for r in store.history(g.id)] == ["ini", "ini"]


def test_a_partner_the_store_reads_is_refused_with_the_permission(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'roles.db'}") as store:
        g = store.create(GP, name="Ikatan", profession="pharmacist", initiator="ini")
        with pytest.raises(TransitionNotAllowed) as info:
            store.fire(g.id, "collaborate", actor="eve", partner="nobody", purpose="x", shared=[])
        codes = [r.code for r in info.value.reasons]
        assert codes[0] == "store.reference_unknown"
        assert "stage.not_allowed" in codes


def test_the_async_store_passes_the_actor(tmp_path: Path) -> None:
    async def scenario() -> list[str | None]:
        async with open_async_store(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}") as store:
            g = await store.create(GP, name="Ikatan", profession="pharmacist", initiator="ini")
            with pytest.raises(TransitionNotAllowed):
                await store.fire(g.id, "identify_needs", needs=["support"])
            await store.fire(g.id, "identify_needs", actor="ini", needs=["support"])
            return [r.actor for r in await store.history(g.id)]

    assert asyncio.run(scenario()) == ["ini"]


def test_the_cli_creates_and_fires_with_an_actor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KELOMPOK_DB", str(tmp_path / "cli.db"))
    monkeypatch.setenv("COLUMNS", "200")
    new = ["new", "governed_professional", "Ikatan", "--id", "g1"]
    assert 0 == main([*new, "--field", "profession=pharmacist", "--field", "initiator=ini"])
    capsys.readouterr()
    needs = json.dumps({"needs": ["support"]})
    assert 1 == main(["fire", "g1", "identify_needs", "--data", needs, "--actor", "eve"])
    assert "permission.denied" in capsys.readouterr().err
    assert 0 == main(["fire", "g1", "identify_needs", "--data", needs, "--actor", "ini"])
    capsys.readouterr()
    assert 0 == main(["history", "g1", "--json"])
    assert [r["actor"] for r in json.loads(capsys.readouterr().out)] == ["ini"]
