"""known_documents: load skips the checks only for documents this process's to_dict made."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest

import kelompok
from builders import at, in_threads, payloads
from kelompok import (
    PROFESSIONAL,
    VOLUNTEER,
    InvalidGroupData,
    InvalidValue,
    known_documents,
)
from kelompok._types.group_type import REGISTRY, checked_load


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    """On (it is off by default) and empty."""
    assert 0 == known_documents.limit
    known_documents.limit = 4 * 1024 * 1024
    known_documents.clear()
    yield
    known_documents.limit = 0
    known_documents.clear()


def test_it_is_off_by_default() -> None:
    assert 0 == kelompok.KnownDocuments().limit


def _stored(stage: str = "recruiting") -> dict[str, Any]:
    """What a request stores: the JSON text of ``to_dict()``, read back."""
    loaded: dict[str, Any] = json.loads(json.dumps(at(PROFESSIONAL, stage).to_dict()))
    return loaded


def test_the_document_to_dict_made_is_loaded_without_checks() -> None:
    doc = _stored()
    group = kelompok.load(doc)
    assert (1, 0) == (known_documents.hits, known_documents.misses)
    assert doc == group.to_dict()
    assert isinstance(group, kelompok.FormationGroup)


def test_a_document_is_known_from_to_dict_only() -> None:
    doc = _stored()
    known_documents.clear()
    first = kelompok.load(doc)  # checked, not remembered: only to_dict's output is
    second = kelompok.load(doc)
    assert (0, 2) == (known_documents.hits, known_documents.misses)
    assert doc == first.to_dict()  # now it is
    assert doc == kelompok.load(doc).to_dict() == second.to_dict()
    assert (1, 2) == (known_documents.hits, known_documents.misses)


def test_a_known_head_loads_as_the_checked_head_does() -> None:
    group = at(PROFESSIONAL, "recruiting")
    head = json.loads(json.dumps(group.to_dict(history=False)))
    checked = checked_load(head)
    known = kelompok.load(head)
    assert (1, 0) == (known_documents.hits, known_documents.misses)
    assert ([], group.version) == (list(checked.history), checked.history_start)
    assert ([], group.version) == (list(known.history), known.history_start)
    assert checked.to_dict() == known.to_dict()


def test_groups_from_one_document_are_independent() -> None:
    doc = _stored()
    a, b = kelompok.load(doc), kelompok.load(doc)
    a.fire("admit", **payloads(PROFESSIONAL)["admit"])
    assert a.version == b.version + 1
    assert doc == b.to_dict() == kelompok.load(doc).to_dict()


def test_events_on_the_group_after_to_dict_do_not_change_its_document() -> None:
    group = at(PROFESSIONAL, "recruiting")
    doc = group.to_dict()
    pristine = copy.deepcopy(doc)
    group.fire("admit", **payloads(PROFESSIONAL)["admit"])
    assert pristine == kelompok.load(pristine).to_dict()
    assert 1 == known_documents.hits


def test_editing_a_returned_document_changes_nothing_known() -> None:
    group = at(PROFESSIONAL, "recruiting")
    doc = group.to_dict()
    pristine = copy.deepcopy(doc)
    doc["history"][0]["payload"]["needs"].append("edited")
    doc["data"]["needs"].append("edited")
    doc["stage"] = "collaborating"
    with pytest.raises(InvalidGroupData):
        kelompok.load(doc)
    again = kelompok.load(pristine)
    assert pristine == again.to_dict()
    assert "edited" not in again.history[0].payload["needs"]


@pytest.mark.parametrize(
    ("stage", "path", "value"),
    [
        ("needs_identified", ("version",), True),  # True == 1, but it is not a version
        ("structured", ("version",), 6.0),  # 6.0 == 6
        ("structured", ("schema_version",), 2.0),
        # a stored payload is only checked to be JSON (replay checks more): this one loads,
        # but as what it is, not as the known document
        ("structured", ("history", 4, "payload", "scores", "dedication"), 3.0),
    ],
)
def test_an_equal_value_of_another_type_is_not_the_known_document(
    stage: str, path: tuple[Any, ...], value: Any
) -> None:
    doc = _stored(stage)
    parent: Any = doc
    for key in path[:-1]:
        parent = parent[key]
    assert parent[path[-1]] == value  # equal, so a == comparison would take it for the same
    parent[path[-1]] = value
    assert _outcome(kelompok.load, doc) == _outcome(checked_load, doc)
    assert 0 == known_documents.hits


def _outcome(load: Any, doc: dict[str, Any]) -> Any:
    try:
        return load(doc).to_dict()
    except InvalidGroupData as exc:
        return [(p.code, p.field) for p in exc.problems]


def test_a_document_with_its_keys_reordered_is_checked_and_loads() -> None:
    doc = _stored()
    reordered = dict(reversed(doc.items()))
    assert doc == kelompok.load(reordered).to_dict()
    assert (0, 1) == (known_documents.hits, known_documents.misses)


def test_a_subclass_of_dict_is_never_taken_for_a_known_document() -> None:
    class Row(dict[str, Any]):
        pass

    doc = _stored()
    assert doc == kelompok.load(Row(doc)).to_dict()
    assert 0 == known_documents.hits


def test_replay_always_checks() -> None:
    doc = _stored()
    assert doc == kelompok.load(doc, replay=True).to_dict()
    assert 0 == known_documents.hits


def test_a_replaced_registration_is_not_answered_from_the_old_type(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = PROFESSIONAL.derive("club", {"en": "Club", "id": "Klub"})
    second = PROFESSIONAL.derive("club", {"en": "Club", "id": "Klub"})
    kelompok.register(first)
    doc = at(first, "recruiting", name="Klub Apoteker", profession="pharmacist").to_dict()
    assert kelompok.load(doc).type is first
    monkeypatch.setitem(REGISTRY._entries, "club", second)
    assert kelompok.load(doc).type is second
    monkeypatch.delitem(REGISTRY._entries, "club")
    with pytest.raises(InvalidGroupData, match="club"):
        kelompok.load(doc)


def test_the_type_specific_load_refuses_another_types_known_document() -> None:
    doc = at(VOLUNTEER, "recruiting").to_dict()
    with pytest.raises(InvalidGroupData):
        PROFESSIONAL.load(doc)
    assert VOLUNTEER.load(doc).type is VOLUNTEER


def test_a_zero_limit_turns_it_off() -> None:
    known_documents.limit = 0
    doc = _stored()
    kelompok.load(doc)
    assert (0, 0, 0) == (len(known_documents), known_documents.hits, known_documents.misses)


def test_the_limit_keeps_the_most_recently_used_documents() -> None:
    first, second = (at(PROFESSIONAL, "recruiting").to_dict() for _ in range(2))
    size = known_documents.size // 2  # equal names and uuid4 ids: equal sizes
    known_documents.limit = 2 * size
    kelompok.load(first)  # now the most recently used, so second goes next
    third = at(PROFESSIONAL, "recruiting").to_dict()
    assert (2, 2 * size) == (len(known_documents), known_documents.size)
    known_documents.hits = known_documents.misses = 0
    for doc in (first, third, second):
        kelompok.load(doc)
    assert (2, 1) == (known_documents.hits, known_documents.misses)


def test_a_document_larger_than_the_limit_is_not_kept() -> None:
    known_documents.limit = 100
    at(PROFESSIONAL, "recruiting").to_dict()
    assert (0, 0) == (len(known_documents), known_documents.size)


def test_a_document_exactly_as_large_as_the_limit_is_kept() -> None:
    group = VOLUNTEER.create(name="Relawan")
    group.to_dict()
    size = known_documents.size
    known_documents.clear()
    known_documents.limit = size
    group.to_dict()
    assert (1, size) == (len(known_documents), known_documents.size)


def test_a_document_larger_than_the_limit_leaves_the_others_kept() -> None:
    VOLUNTEER.create(name="Relawan").to_dict()
    size = known_documents.size
    known_documents.limit = size + 100
    at(PROFESSIONAL, "recruiting").to_dict()  # far larger: not kept, and nothing goes for it
    assert (1, size) == (len(known_documents), known_documents.size)


@pytest.mark.parametrize("limit", [-1, 1.5, True, "4MB", None])
def test_the_limit_is_a_whole_number_of_bytes(limit: Any) -> None:
    with pytest.raises(InvalidValue, match="limit"):
        known_documents.limit = limit
    with pytest.raises(InvalidValue):
        kelompok.KnownDocuments(limit)


def test_many_threads_loading_and_storing_agree() -> None:
    doc = _stored()
    known_documents.limit = 20_000  # a few documents: entries come and go all the time

    def work(i: int) -> None:
        for j in range(30):
            group = kelompok.load(doc)
            member = {"id": f"t{i}-{j}", "name": "Tono", "profession": "pharmacist"}
            group.fire("admit", member=member, scores={"competence": 4, "dedication": 3})
            stored = group.to_dict()
            assert stored == kelompok.load(stored).to_dict()

    assert [] == in_threads(work, 8)
    assert known_documents.size <= known_documents.limit
    assert doc == kelompok.load(doc).to_dict()


def test_repr_says_what_it_holds() -> None:
    kelompok.load(_stored())
    assert "1 documents" in repr(known_documents)
    assert "1 hits" in repr(known_documents)
