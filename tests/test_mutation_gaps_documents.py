"""Gaps found by mutation testing in the documents: ``kelompok.load`` and ``load_json``.

Each test here failed on a mutant of ``src/kelompok/_codec/`` that the rest of the
suite let through. The rules are those of docs/model.md §4 and docs/documents.md; the
expected counts and marks are made by :func:`tally_of`, written from §4.4, not by
kelompok.
"""

from __future__ import annotations

import collections
import collections.abc
import copy
import datetime as dt
import functools
import itertools
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import attrs
import pytest

import builders
import kelompok
from adversarial.oracle_head import tally_of
from builders import actions_type, at
from kelompok import InvalidGroupData
from kelompok._base.scalars import MAX_PROBLEMS
from kelompok._codec import json_bytes
from kelompok._runtime.cell import Cell

Doc = dict[str, Any]
Problem = tuple[str, str | None, str, str]


def problems(document: Any, **kwargs: Any) -> list[Problem]:
    """Every problem ``load`` finds: code, field, and the message in English and Indonesian."""
    with pytest.raises(InvalidGroupData) as refused:
        kelompok.load(document, **kwargs)
    assert str(refused.value).startswith("Cannot load this group document:\n  - ")
    return [(p.code, p.field, str(p), p.message("id")) for p in refused.value.problems]


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value))


@functools.cache
def _structured() -> tuple[Doc, Doc]:
    """A professional group's document in ``structured`` (version 6), and its head alone.

    Made at the first test that asks, not as the tests are collected: a group built
    then runs the rules before a mutation run's mutant is in place (tools/mutation.py).
    Never changed: every edit is made on a copy.
    """
    group = at(kelompok.PROFESSIONAL, "structured", id="g-1")
    return _json(group.to_dict()), _json(group.to_dict(history=False))


def _full() -> Doc:
    return _structured()[0]


def _head() -> Doc:
    return _structured()[1]


def _tail(document: Doc, records: int) -> Doc:
    """*document* with only its latest *records* records, and how many came before."""
    doc = copy.deepcopy(document)
    doc["history_from"] = doc["version"] - records
    doc["history"] = doc["history"][len(doc["history"]) - records :]
    return doc


def _edited(base: Doc | Callable[[], Doc], edit: Callable[[Doc], object]) -> Callable[[], Doc]:
    def make() -> Doc:
        doc = copy.deepcopy(base() if callable(base) else base)
        edit(doc)
        return doc

    return make


def _with(base: Doc | Callable[[], Doc], **changes: Any) -> Callable[[], Doc]:
    return _edited(base, lambda d: d.update(copy.deepcopy(changes)))


def _record(index: int, **changes: Any) -> Callable[[], Doc]:
    return _edited(_full, lambda d: d["history"][index].update(changes))


def _marks_in_order(*events: str) -> Callable[[Doc], None]:
    def edit(doc: Doc) -> None:
        doc["counts"], doc["marks"] = tally_of(events)

    return edit


class _Unreadable(collections.abc.Mapping[str, Any]):
    """A mapping that cannot be read."""

    def __getitem__(self, key: str) -> Any:
        raise KeyError(key)

    def __len__(self) -> int:
        return 1

    def __iter__(self) -> Iterator[str]:
        msg = "boom"
        raise RuntimeError(msg)


def _v1_without_history() -> Doc:
    doc = {k: v for k, v in _head().items() if k not in {"reached", "counts", "marks"}}
    return {**doc, "schema_version": 1}


def _p(code: str, field: str, english: str, indonesian: str) -> Problem:
    """A problem of *field*, its message in English and in Indonesian after the field's name."""
    return (code, field, f"{field}: {english}", f"{field}: {indonesian}")


REFUSALS: dict[str, tuple[Callable[[], Any], list[Problem]]] = {
    "not a mapping": (
        lambda: "document",
        [
            _p("document.invalid", "document", "must be a mapping (dict)", "harus berupa dict"),
        ],
    ),
    "a mapping that cannot be read": (
        _Unreadable,
        [
            _p(
                "document.invalid",
                "document",
                "could not be read as a mapping: boom",
                "tidak dapat dibaca sebagai pemetaan: boom",
            ),
        ],
    ),
    "no schema_version": (
        dict,
        [
            _p("document.missing_field", "schema_version", "is missing", "tidak ada"),
        ],
    ),
    "schema_version 3": (
        _with(_full, schema_version=3),
        [
            _p(
                "document.schema_version",
                "schema_version",
                "is int 3; this kelompok reads versions 1 to 2",
                "bernilai int 3; kelompok ini membaca versi 1 sampai 2",
            ),
        ],
    ),
    "a field missing and one unknown": (
        _edited(_full, lambda d: (d.pop("stage"), d.update(extra=1))),
        [
            _p("document.missing_field", "stage", "is missing", "tidak ada"),
            _p(
                "document.unknown_field",
                "extra",
                (
                    "unknown field; expected only schema_version, type, id, stage, version,"
                    " created_at, reached, counts, marks, founding, data, history_from, "
                    "history"
                ),
                (
                    "isian tidak dikenal; yang diharapkan hanya schema_version, type, id, "
                    "stage, version, created_at, reached, counts, marks, founding, data, "
                    "history_from, history"
                ),
            ),
        ],
    ),
    "schema 1 without its history": (
        _v1_without_history,
        [
            _p("document.missing_field", "history", "is missing", "tidak ada"),
        ],
    ),
    "a type that is not text": (
        _with(_full, type=5),
        [
            _p("document.invalid", "type", "must be text, got int 5", "harus berupa teks"),
        ],
    ),
    "a founding name that is not text": (
        _with(_full, founding={"name": 5, "profession": "pharmacist"}),
        [
            _p(
                "document.invalid",
                "founding.name",
                "must be text (str), got int 5",
                "harus berupa teks (str), bukan int 5",
            ),
        ],
    ),
    "a blank id": (
        _with(_full, id=""),
        [
            _p(
                "document.invalid",
                "id",
                (
                    "must be 1 to 128 of the characters A-Z a-z 0-9 . _ ~ -, starting with "
                    "a letter or a digit, got str ''"
                ),
                (
                    "harus berupa 1 sampai 128 karakter dari A-Z a-z 0-9 . _ ~ -, diawali "
                    "huruf atau angka, bukan str ''"
                ),
            ),
        ],
    ),
    "created_at that is not a time": (
        _with(_full, created_at="yesterday"),
        [
            _p(
                "document.invalid",
                "created_at",
                (
                    "must be a time with a UTC offset, like '2026-01-31T08:00:00+00:00', "
                    "got str 'yesterday'"
                ),
                (
                    "harus berupa waktu dengan selisih terhadap UTC, seperti "
                    "'2026-01-31T08:00:00+07:00', bukan str 'yesterday'"
                ),
            ),
        ],
    ),
    "a stage of no type": (
        _with(_full, stage="nowhere"),
        [
            _p(
                "document.invalid",
                "stage",
                "is not a stage of 'professional'",
                "bukan tahap 'professional'",
            ),
        ],
    ),
    "a version below 0": (
        _with(_head, version=-1),
        [
            _p(
                "document.invalid",
                "version",
                "must be a whole number >= 0",
                "harus bilangan bulat >= 0",
            ),
        ],
    ),
    "a version of 2**63": (
        _with(_head, version=2**63),
        [
            _p(
                "document.invalid",
                "version",
                "must be a whole number >= 0",
                "harus bilangan bulat >= 0",
            ),
        ],
    ),
    "a stage the history does not end in": (
        _with(_full, stage="recruiting"),
        [
            _p(
                "document.stage",
                "stage",
                "is 'recruiting' but the history ends in 'structured'",
                "bernilai 'recruiting' padahal riwayat berakhir pada 'structured'",
            ),
        ],
    ),
    "a version the history does not count": (
        _with(_full, version=7),
        [
            _p(
                "document.version",
                "version",
                "is int 7 but the history holds 6 events",
                "bernilai int 7 padahal riwayat berisi 6 kejadian",
            ),
        ],
    ),
    "counts the whole history does not make": (
        _edited(_full, lambda d: d["counts"].update(admit=2)),
        [
            _p(
                "document.history",
                "counts",
                "counts and marks differ from what the history holds",
                "hitungan dan tanda berbeda dari isi riwayat",
            ),
        ],
    ),
    "reached below what the whole history reaches": (
        _with(_full, reached="recruiting"),
        [
            _p(
                "document.history",
                "reached",
                "is not the highest stage the history reaches",
                "bukan tahap tertinggi yang dicapai riwayat",
            ),
        ],
    ),
    "reached a terminal stage": (
        _with(_head, reached="dissolved"),
        [
            _p(
                "document.invalid",
                "reached",
                "must be a stage of the type that is not terminal",
                "harus tahap tipe ini yang bukan tahap akhir",
            ),
        ],
    ),
    "reached that is not text": (
        _with(_head, reached=["structured"]),
        [
            _p(
                "document.invalid",
                "reached",
                "must be a stage of the type that is not terminal",
                "harus tahap tipe ini yang bukan tahap akhir",
            ),
        ],
    ),
    "a stage that is not text": (
        _with(_head, stage=["structured"]),
        [
            _p(
                "document.invalid",
                "stage",
                "is not a stage of 'professional'",
                "bukan tahap 'professional'",
            ),
        ],
    ),
    "a version that is text": (
        _with(_head, version="6"),
        [
            _p(
                "document.invalid",
                "version",
                "must be a whole number >= 0",
                "harus bilangan bulat >= 0",
            ),
        ],
    ),
    "reached before the stage": (
        _with(_head, reached="recruiting"),
        [
            _p(
                "document.stage",
                "reached",
                "is 'recruiting', which comes before the stage 'structured'",
                "bernilai 'recruiting', yang berada sebelum tahap 'structured'",
            ),
        ],
    ),
    "reached where no event leads": (
        _with(_head, reached="programmed"),
        [
            _p(
                "document.stage",
                "reached",
                "is 'programmed', but no event applied leads there",
                (
                    "bernilai 'programmed', padahal tidak ada kejadian yang diterapkan yang"
                    " menuju ke sana"
                ),
            ),
        ],
    ),
    "a stage the last event never ends in": (
        _with(_head, stage="recruiting"),
        [
            _p(
                "document.stage",
                "stage",
                (
                    "is 'recruiting', but the last event applied, 'establish_structure', "
                    "never ends there"
                ),
                (
                    "bernilai 'recruiting', padahal kejadian terakhir yang diterapkan, "
                    "'establish_structure', tidak pernah berakhir di sana"
                ),
            ),
        ],
    ),
    "marks whose order no walk takes": (
        _edited(
            _head,
            _marks_in_order(
                "identify_needs",
                "adopt_charter",
                "form_core_group",
                "open_recruitment",
                "admit",
                "establish_structure",
            ),
        ),
        [
            _p(
                "document.history",
                "counts",
                (
                    "no order of these events is a path of the type's moves that ends in "
                    "'structured' having reached 'structured'"
                ),
                (
                    "tidak ada urutan kejadian ini yang menjadi jalur perpindahan tipe ini "
                    "yang berakhir di 'structured' setelah mencapai 'structured'"
                ),
            ),
        ],
    ),
    "an event counted before the one it comes after": (
        _edited(
            _head,
            _marks_in_order(
                "identify_needs",
                "form_core_group",
                "open_recruitment",
                "adopt_charter",
                "admit",
                "establish_structure",
            ),
        ),
        [
            _p(
                "document.history",
                "counts",
                (
                    "'open_recruitment' was applied, but not after 'adopt_charter', which "
                    "must come first"
                ),
                (
                    "'open_recruitment' diterapkan, tetapi tidak setelah 'adopt_charter', "
                    "yang harus lebih dahulu"
                ),
            ),
        ],
    ),
    "history_from without a history": (
        _with(_head, history_from=1),
        [
            _p(
                "document.invalid",
                "history_from",
                "is given without a history",
                "diberikan tanpa riwayat",
            ),
        ],
    ),
    "history_from 0": (
        _edited(lambda: _tail(_full(), 2), lambda d: d.update(history_from=0)),
        [
            _p(
                "document.invalid",
                "history_from",
                "must be a whole number from 1 to the version",
                "harus bilangan bulat dari 1 sampai versi",
            ),
        ],
    ),
    "latest records the marks do not end in": (
        _edited(lambda: _tail(_full(), 2), lambda d: d["history"][0].update(event="reject")),
        [
            _p(
                "document.history",
                "history",
                "the records after history_from do not agree with counts and marks",
                "catatan setelah history_from tidak sesuai dengan hitungan dan tanda",
            ),
        ],
    ),
    "latest records that reach past reached": (
        _with(lambda: _tail(_full(), 2), reached="recruiting"),
        [
            _p(
                "document.history",
                "reached",
                "is not the highest stage the history reaches",
                "bukan tahap tertinggi yang dicapai riwayat",
            ),
        ],
    ),
    "latest records that end in another stage": (
        _with(lambda: _tail(_full(), 2), stage="recruiting"),
        [
            _p(
                "document.stage",
                "stage",
                "is 'recruiting' but the history ends in 'structured'",
                "bernilai 'recruiting' padahal riwayat berakhir pada 'structured'",
            ),
        ],
    ),
    "a history that is not a list": (
        _with(_full, history={}),
        [
            _p("document.invalid", "history", "must be a list", "harus berupa daftar (list)"),
        ],
    ),
    "a record that is not a mapping": (
        _edited(_full, lambda d: d["history"].__setitem__(-1, 5)),
        [
            _p("document.invalid", "history[5]", "must be a mapping (dict)", "harus berupa dict"),
        ],
    ),
    "a record with a key missing and one unknown": (
        _edited(_full, lambda d: (d["history"][-1].pop("actor"), d["history"][-1].update(x=1))),
        [
            _p("document.missing_field", "history[5].actor", "is missing", "tidak ada"),
            _p(
                "document.unknown_field",
                "history[5].x",
                "unknown field; expected only event, source, dest, at, payload, actor",
                (
                    "isian tidak dikenal; yang diharapkan hanya event, source, dest, at, "
                    "payload, actor"
                ),
            ),
        ],
    ),
    "a record of no event": (
        _record(-1, event="fly"),
        [
            _p(
                "document.invalid",
                "history[5].event",
                "str 'fly' is not an event of 'professional'",
                "str 'fly' bukan kejadian pada jenis kelompok 'professional'",
            ),
        ],
    ),
    "a record from elsewhere": (
        _record(-1, source="awareness"),
        [
            _p(
                "document.history",
                "history[5].source",
                "is str 'awareness' but the previous step ended in 'recruiting'",
                ("bernilai str 'awareness' padahal langkah sebelumnya berakhir pada 'recruiting'"),
            ),
        ],
    ),
    "a declared step that starts elsewhere": (
        _record(-1, event="identify_needs", source="awareness", dest="needs_identified"),
        [
            _p(
                "document.history",
                "history[5].source",
                "is str 'awareness' but the previous step ended in 'recruiting'",
                "bernilai str 'awareness' padahal langkah sebelumnya berakhir pada 'recruiting'",
            ),
        ],
    ),
    "an action of an event that moves": (
        _record(-1, dest="recruiting"),
        [
            _p(
                "document.history",
                "history[5]",
                "'establish_structure' does not lead from 'recruiting' to str 'recruiting' in a "
                "professional group",
                "'establish_structure' tidak mengarah dari 'recruiting' ke str 'recruiting' pada "
                "kelompok professional",
            ),
        ],
    ),
    "a record that goes where its event does not lead": (
        _record(-1, dest="programmed"),
        [
            _p(
                "document.history",
                "history[5]",
                (
                    "'establish_structure' does not lead from 'recruiting' to str "
                    "'programmed' in a professional group"
                ),
                (
                    "'establish_structure' tidak mengarah dari 'recruiting' ke str "
                    "'programmed' pada kelompok professional"
                ),
            ),
        ],
    ),
    "a payload that is not an object": (
        _record(-1, payload=[]),
        [
            _p(
                "document.invalid",
                "history[5].payload",
                "must be a JSON object (got list of 0 items)",
                "harus berupa objek JSON (bukan list of 0 items)",
            ),
        ],
    ),
    "a payload that is not JSON": (
        _record(-1, payload={"x": float("nan")}),
        [
            _p(
                "document.invalid",
                "history[5].payload",
                "must be a JSON object (nan is not a JSON number)",
                "harus berupa objek JSON (nan bukan bilangan JSON)",
            ),
        ],
    ),
    "an actor that is not text": (
        _record(-1, actor=5),
        [
            _p(
                "document.invalid",
                "history[5].actor",
                "must be valid text or null",
                "harus berupa teks yang sah atau null",
            ),
        ],
    ),
    "a record's time that is not a time": (
        _record(-1, at="yesterday"),
        [
            _p(
                "document.invalid",
                "history[5].at",
                (
                    "must be a time with a UTC offset, like '2026-01-31T08:00:00+00:00', "
                    "got str 'yesterday'"
                ),
                (
                    "harus berupa waktu dengan selisih terhadap UTC, seperti "
                    "'2026-01-31T08:00:00+07:00', bukan str 'yesterday'"
                ),
            ),
        ],
    ),
    "an event before the one it comes after, in the history": (
        _edited(
            _full,
            lambda d: d["history"].__setitem__(
                slice(2, 4),
                [
                    {**d["history"][3], "source": "core_formed"},
                    {**d["history"][2], "source": "recruiting", "dest": "recruiting"},
                ],
            ),
        ),
        [
            _p(
                "document.history",
                "history[2]",
                "'open_recruitment' comes before any 'adopt_charter', which must come first",
                "'open_recruitment' muncul sebelum 'adopt_charter', yang harus lebih dahulu",
            ),
        ],
    ),
    "counts that are not an object": (
        _with(_head, counts=[]),
        [
            _p(
                "document.invalid",
                "counts",
                "must be an object of event counts",
                "harus objek berisi hitungan kejadian",
            ),
        ],
    ),
    "a count of no event": (
        _edited(_head, lambda d: d["counts"].update(fly=1)),
        [
            _p(
                "document.invalid",
                "counts",
                "counts 'fly', which is not an event",
                "menghitung 'fly', yang bukan kejadian",
            ),
        ],
    ),
    "a count of 0": (
        _edited(_head, lambda d: d["counts"].update(admit=0)),
        [
            _p(
                "document.invalid",
                "counts.admit",
                "must be a whole number >= 1 (an event applied)",
                "harus bilangan bulat >= 1 (kejadian yang diterapkan)",
            ),
        ],
    ),
    "marks that are not an object": (
        _with(_head, marks=[]),
        [
            _p(
                "document.invalid",
                "marks",
                "must be an object of event counts by event",
                "harus objek berisi hitungan kejadian untuk setiap kejadian",
            ),
        ],
    ),
    "a mark of no event": (
        _edited(_head, lambda d: d["marks"].update(fly={"admit": 1})),
        [
            _p(
                "document.invalid",
                "marks",
                "counts 'fly', which is not an event",
                "menghitung 'fly', yang bukan kejadian",
            ),
        ],
    ),
    "a mark that is not an object": (
        _edited(_head, lambda d: d["marks"].update(admit=[])),
        [
            _p(
                "document.invalid",
                "marks.admit",
                "must be an object of event counts",
                "harus objek berisi hitungan kejadian",
            ),
        ],
    ),
    "counts that do not add up to the version": (
        _edited(_head, lambda d: d["counts"].update(identify_needs=2)),
        [
            _p(
                "document.version",
                "version",
                "is 6 but the event counts add up to 7",
                "bernilai 6 padahal jumlah hitungan kejadian 7",
            ),
        ],
    ),
    "a mark missing": (
        _edited(_head, lambda d: d["marks"].pop("admit")),
        [
            _p(
                "document.invalid",
                "marks",
                "are not the counts after the last of each event of the counts given",
                (
                    "bukan hitungan setelah kejadian terakhir masing-masing dari hitungan "
                    "yang diberikan"
                ),
            ),
        ],
    ),
}


@pytest.mark.parametrize(("make", "expected"), REFUSALS.values(), ids=list(REFUSALS))
def test_each_refusal_names_its_field_and_says_why_in_both_languages(
    make: Callable[[], Any], expected: list[Problem]
) -> None:
    assert problems(make()) == expected


def test_an_outline_with_too_many_unknown_fields_lists_the_first_and_counts_the_rest() -> None:
    doc = {**_head(), **{f"extra{i}": i for i in range(MAX_PROBLEMS + 5)}}
    found = problems(doc)
    assert len(found) == MAX_PROBLEMS + 1
    assert found[-1] == (
        "document.more_problems",
        None,
        f"and 5 more problems (only the first {MAX_PROBLEMS} are listed)",
        f"dan 5 masalah lain (hanya {MAX_PROBLEMS} yang pertama ditampilkan)",
    )


# -- a whole history: read from the initial stage, every record after a refused one too -----


def test_a_whole_history_without_its_first_record_is_read_from_the_initial_stage() -> None:
    document = copy.deepcopy(_full())
    del document["history"][0]  # identify_needs, from awareness
    document["version"] -= 1
    assert problems(document) == [
        (
            "document.history",
            "history[0].source",
            (
                "history[0].source: is str 'needs_identified' but the previous step ended in "
                "'awareness'"
            ),
            (
                "history[0].source: bernilai str 'needs_identified' padahal langkah sebelumnya "
                "berakhir pada 'awareness'"
            ),
        ),
        (
            "document.history",
            "history[1]",  # from awareness, core_formed skips a stage
            "history[1]: enters 'core_formed' before the stages that come before it",
            "history[1]: memasuki 'core_formed' sebelum tahap-tahap sebelumnya",
        ),
    ]


def test_a_refused_action_that_ends_nowhere_leaves_the_next_record_where_it_was() -> None:
    document = copy.deepcopy(_full())
    assert ("admit", "recruiting") == (
        document["history"][4]["event"],
        document["history"][4]["dest"],
    )
    document["history"][4]["dest"] = "nowhere"  # the next record starts in recruiting, rightly
    assert ["history[4]"] == [field for _, field, _, _ in problems(document)]


def _drop_key(record: dict[str, Any]) -> Any:
    del record["actor"]
    return record


@pytest.mark.parametrize(
    ("refuse", "field", "code"),
    [
        (lambda record: {**record, "payload": "x"}, "history[1].payload", "document.invalid"),
        (lambda record: 5, "history[1]", "document.invalid"),
        (_drop_key, "history[1].actor", "document.missing_field"),
    ],
    ids=["a bad field", "not a mapping", "a key missing"],
)
def test_the_records_after_a_refused_record_are_checked_too(
    refuse: Callable[[dict[str, Any]], Any], field: str, code: str
) -> None:
    document = copy.deepcopy(_full())
    document["history"][1] = refuse(document["history"][1])
    document["history"][4]["actor"] = 5
    found = [(field, code) for code, field, _, _ in problems(document)]
    # a record that is not read leaves the stage where it was, which the next ones name
    assert (found[0], found[-1]) == ((field, code), ("history[4].actor", "document.invalid"))


# -- the latest records (history_from): docs/model.md §4.4, the last paragraph -----------


def _recruiting(*actions: tuple[str, dict[str, Any]]) -> Doc:
    """A professional group's document in ``recruiting`` after *actions* (event, payload)."""
    group = at(kelompok.PROFESSIONAL, "recruiting", id="g-2")
    for event, payload in actions:
        group.fire(event, **payload)
    return _json(group.to_dict())


CITRA = {"id": "citra", "name": "Citra", "profession": "pharmacist"}
DEDI = {"id": "dedi", "name": "Dedi", "profession": "pharmacist"}
SCORES = {"competence": 4, "dedication": 3}
CORE_BEFORE_OPEN = ["identify_needs", "form_core_group", "adopt_charter", "open_recruitment"]
ADMIT_CITRA = ("admit", {"member": CITRA, "scores": SCORES})
ADMIT_DEDI = ("admit", {"member": DEDI, "scores": SCORES})
REJECT_DEDI = ("reject", {"member": DEDI, "reason": "not now"})


@pytest.mark.parametrize("before", [1, 6], ids=["from 1", "from the version"])
def test_latest_records_may_follow_the_first_record_or_be_none(before: int) -> None:
    """history_from runs from 1 to the version: all records but the first, or none."""
    doc = _tail(_full(), _full()["version"] - before)
    assert doc["history_from"] == before
    group = kelompok.load(doc)
    assert (group.history_start, len(group.history)) == (before, 6 - before)
    assert group.to_dict() == doc


def test_latest_records_of_an_event_applied_before_them_too_load() -> None:
    """The counts hold every admit, the latest record the second: the marks are its own."""
    doc = _tail(_recruiting(ADMIT_CITRA, ADMIT_DEDI), 1)
    assert (doc["counts"]["admit"], [r["event"] for r in doc["history"]]) == (2, ["admit"])
    assert kelompok.load(doc).to_dict() == doc


def test_latest_records_in_another_order_than_the_marks_are_refused() -> None:
    """admit then reject in the records, marks of reject then admit: both walks exist."""
    doc = _tail(_recruiting(ADMIT_CITRA, REJECT_DEDI), 2)
    assert kelompok.load(doc).to_dict() == doc
    doc["counts"], doc["marks"] = tally_of([*CORE_BEFORE_OPEN, "reject", "admit"])
    assert [p[:2] for p in problems(doc)] == [("document.history", "history")]


def test_a_latest_record_of_an_event_the_counts_lack_is_refused() -> None:
    """A reject record with no reject counted: the records do not end in the head."""
    doc = _tail(_recruiting(ADMIT_CITRA, REJECT_DEDI), 2)
    events = [*CORE_BEFORE_OPEN, "admit", "admit"]
    doc["counts"], marks = tally_of(events)
    doc["marks"] = {**marks, "reject": {**marks["admit"], "reject": 1}}
    assert [p[:2] for p in problems(doc)] == [
        ("document.invalid", "marks"),  # a mark of an event not counted
        ("document.history", "history"),
    ]


def test_a_reached_stage_that_is_none_reads_the_latest_records_as_from_the_first() -> None:
    """Nothing past the initial stage counts as reached: the record entering rank 2 skips one."""
    doc = _tail(_json(at(kelompok.PROFESSIONAL, "core_formed", id="g-3").to_dict()), 1)
    doc["reached"] = "nowhere"
    assert [p[:2] for p in problems(doc)] == [
        ("document.invalid", "reached"),
        ("document.history", "history[0]"),  # form_core_group enters core_formed
    ]


def test_a_latest_record_before_the_event_it_comes_after_is_refused_there() -> None:
    """open_recruitment then adopt_charter, both in the records: the record is at fault (§4.3)."""
    group = at(kelompok.PROFESSIONAL, "core_formed", id="g-3")
    group.adopt_charter(**builders.CHARTER)
    group.open_recruitment()
    doc = _tail(_json(group.to_dict()), 2)
    doc["history"] = [
        {**doc["history"][1], "source": "core_formed"},
        {**doc["history"][0], "source": "recruiting", "dest": "recruiting"},
    ]
    order = ["identify_needs", "form_core_group", "open_recruitment", "adopt_charter"]
    doc["counts"], doc["marks"] = tally_of(order)
    assert [p[:2] for p in problems(doc)] == [("document.history", "history[0]")]


@pytest.mark.parametrize("history", [5, None, "records"])
def test_latest_records_that_are_not_a_list_are_refused(history: Any) -> None:
    doc = {**_tail(_full(), 2), "history": history}
    assert [p[:2] for p in problems(doc)] == [("document.invalid", "history")]


# -- documents of schema 1: the whole history, which the stage and version must agree with -


def _v1(**changes: Any) -> Doc:
    doc = {k: v for k, v in _full().items() if k not in {"reached", "counts", "marks"}}
    return {**copy.deepcopy(doc), "schema_version": 1, **changes}


def test_a_document_of_schema_1_must_end_where_its_history_ends_and_count_it() -> None:
    assert kelompok.load(_v1()).to_dict() == _full()
    assert problems(_v1(stage="recruiting", version=5)) == [
        _p(
            "document.stage",
            "stage",
            "is 'recruiting' but the history ends in 'structured'",
            "bernilai 'recruiting' padahal riwayat berakhir pada 'structured'",
        ),
        _p(
            "document.version",
            "version",
            "is int 5 but the history holds 6 events",
            "bernilai int 5 padahal riwayat berisi 6 kejadian",
        ),
    ]


def test_a_field_of_schema_2_is_unknown_in_a_document_of_schema_1() -> None:
    expected = "schema_version, type, id, stage, version, created_at, founding, data, history"
    assert problems(_v1(reached="structured")) == [
        _p(
            "document.unknown_field",
            "reached",
            f"unknown field; expected only {expected}",
            f"isian tidak dikenal; yang diharapkan hanya {expected}",
        )
    ]
    assert [p[:2] for p in problems(_v1(history_from=1))] == [
        ("document.unknown_field", "history_from")
    ]


def test_a_broken_record_of_schema_1_is_the_only_problem() -> None:
    """A record that is refused is not also compared with the stage and the version."""
    doc = _v1()
    doc["history"][-1]["event"] = "fly"
    assert [p[:2] for p in problems(doc)] == [("document.invalid", "history[5].event")]


# -- load_json: what is not JSON, said alike whichever codec reads it ------------------------


@pytest.fixture
def stdlib(monkeypatch: pytest.MonkeyPatch) -> None:
    """The standard library's json as the codec (the one without orjson installed)."""
    monkeypatch.setattr(json_bytes, "codec", json_bytes.Codec("json"))


def _json_problems(data: Any) -> list[Problem]:
    with pytest.raises(InvalidGroupData) as refused:
        kelompok.load_json(data)
    return [(p.code, p.field, str(p), p.message("id")) for p in refused.value.problems]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_the_standard_library_says_which_constant_is_not_json(stdlib: None, constant: str) -> None:
    why = f"{constant} is not a JSON number"
    assert _json_problems(f'{{"schema_version": {constant}}}'.encode()) == [
        _p(
            "document.invalid",
            "document",
            f"is not valid JSON ({why})",
            f"bukan JSON yang sah ({why})",
        )
    ]


@pytest.mark.parametrize(
    ("data", "got"),
    [(5, "int 5"), (None, "NoneType None"), (["{}"], "list of 1 items")],
    ids=["int", "None", "list"],
)
def test_load_json_names_what_it_got_instead_of_text(data: Any, got: str) -> None:
    assert _json_problems(data) == [
        _p(
            "document.invalid",
            "document",
            f"must be JSON text (bytes or str), got {got}",
            f"harus teks JSON (bytes atau str), bukan {got}",
        )
    ]


BOUNDS = {
    "-2**63 - 1": ("-9223372036854775809", float),
    "-2**63": ("-9223372036854775808", int),
    "2**64 - 1": ("18446744073709551615", int),
    "2**64": ("18446744073709551616", float),
}


@pytest.mark.parametrize("codec", ["json", "orjson"])
@pytest.mark.parametrize(("literal", "kind"), BOUNDS.values(), ids=list(BOUNDS))
def test_an_integer_is_a_whole_number_exactly_in_orjsons_range(
    monkeypatch: pytest.MonkeyPatch, codec: str, literal: str, kind: type
) -> None:
    """[-2**63, 2**64) reads as an int, one past either end as a float (json_bytes' docstring).

    An int above 2**63 - 1 is then refused by load's own check of payloads.
    """
    monkeypatch.setattr(json_bytes, "codec", json_bytes.Codec(codec))
    text = json.dumps(_full()).replace(
        '"payload": {"needs"', f'"payload": {{"n": {literal}, "needs"', 1
    )
    if kind is int and int(literal) >= 2**63:
        with pytest.raises(InvalidGroupData) as refused:
            kelompok.load_json(text)
        assert f"int {literal} is outside the 64-bit range" in str(refused.value.problems[0])
        return
    value = kelompok.load_json(text).history[0].payload["n"]
    assert type(value) is kind
    assert value == kind(literal)


# -- known documents: which documents are kept, under which key ------------------------------


@pytest.fixture
def known() -> Iterator[kelompok.KnownDocuments]:
    """kelompok.known_documents, on and empty (it is off by default)."""
    kelompok.known_documents.limit = 4 * 1024 * 1024
    kelompok.known_documents.clear()
    yield kelompok.known_documents
    kelompok.known_documents.limit = 0
    kelompok.known_documents.clear()


def test_a_head_and_the_whole_document_of_one_version_are_both_known(
    known: kelompok.KnownDocuments,
) -> None:
    group = at(kelompok.PROFESSIONAL, "recruiting")
    whole, head = group.to_dict(), group.to_dict(history=False)
    assert len(known) == 2
    assert kelompok.load(whole).to_dict() == whole
    light = kelompok.load(head)
    assert light.to_dict(history=False) == head
    assert (light.history_start, len(light.history)) == (group.version, 0)  # as checked
    assert (known.hits, known.misses) == (2, 0)


@pytest.mark.parametrize("field", ["type", "id"])
def test_a_name_or_id_that_is_not_text_is_refused_with_known_documents_on(
    known: kelompok.KnownDocuments, field: str
) -> None:
    doc = {**at(kelompok.PROFESSIONAL, "recruiting").to_dict(), field: ["not", "text"]}
    assert [p[:2] for p in problems(doc)] == [("document.invalid", field)]


def test_the_least_recently_used_document_goes_first_and_the_newest_stays(
    known: kelompok.KnownDocuments,
) -> None:
    first, second = (at(kelompok.PROFESSIONAL, "recruiting").to_dict() for _ in range(2))
    known.limit = known.size  # two documents of one size (uuid4 ids, equal names)
    third = at(kelompok.PROFESSIONAL, "recruiting").to_dict()
    assert len(known) == 2
    kelompok.load(third)
    assert (known.hits, known.misses) == (1, 0)
    kelompok.load(second)
    kelompok.load(first)
    assert (known.hits, known.misses) == (2, 1)


@pytest.mark.parametrize(("source", "shown"), [(5, "int 5"), (None, "NoneType None")], ids=repr)
def test_latest_records_whose_first_source_is_not_text_are_read_from_the_initial_stage(
    source: Any, shown: str
) -> None:
    """With no stage to start from, the first record is read as if from the first stage."""
    doc = _tail(_full(), 1)
    doc["history"][0]["source"] = source
    assert problems(doc) == [
        _p(
            "document.history",
            "history[0].source",
            f"is {shown} but the previous step ended in 'awareness'",
            f"bernilai {shown} padahal langkah sebelumnya berakhir pada 'awareness'",
        )
    ]


# -- the tally of a head alone: exactly the counts and marks some sequence makes (§4.4) -----


@attrs.frozen
class _Name:
    name: str


@attrs.frozen
class _Nothing:
    pass


TALLIED = actions_type(
    "tallied",
    data=_Name,
    founding=_Name,
    actions={event: (_Nothing, lambda g, p: g.data) for event in "abc"},
)
"""Three actions in one stage: every order of them is a walk, so only the tally can be wrong."""

SEQUENCES = [s for n in range(6) for s in itertools.product("abc", repeat=n)]
MADE = {json.dumps(tally_of(s), sort_keys=True) for s in SEQUENCES}
"""Every tally of up to five events, in a form that compares by value."""


def _tallied_head(counts: dict[str, int], marks: dict[str, dict[str, int]]) -> Doc:
    head = TALLIED.create(name="t", id="t-1").to_dict(history=False)
    return {**head, "version": sum(counts.values()), "counts": counts, "marks": marks}


def _neighbours(
    counts: dict[str, int], marks: dict[str, dict[str, int]]
) -> Iterator[tuple[dict[str, int], dict[str, dict[str, int]]]]:
    """The tallies one number away from this one: a mark's count up or down, a mark gone."""
    for event, mark in marks.items():
        yield counts, {e: m for e, m in marks.items() if e != event}
        for other in "abc":
            for step in (1, -1):
                changed = {**mark, other: mark.get(other, 0) + step}
                changed = {e: n for e, n in changed.items() if n > 0}
                yield counts, {**marks, event: changed}
    for event in "abc":
        for step in (1, -1):
            changed = {
                e: n for e, n in {**counts, event: counts.get(event, 0) + step}.items() if n > 0
            }
            yield changed, marks


@pytest.mark.parametrize("length", range(5))
def test_a_head_alone_loads_exactly_when_some_sequence_makes_its_tally(length: int) -> None:
    """Every tally of *length* events loads; each one a number away loads iff it is one too."""
    for sequence in {s for s in SEQUENCES if len(s) == length}:
        counts, marks = tally_of(sequence)
        loaded = TALLIED.load(_tallied_head(counts, marks))
        assert loaded.event_counts == counts
        for near_counts, near_marks in _neighbours(counts, marks):
            made = json.dumps((near_counts, near_marks), sort_keys=True) in MADE
            refused = _refusal(TALLIED, _tallied_head(near_counts, near_marks))
            assert refused == ([] if made else [("document.invalid", "marks")]), near_marks


def _refusal(group_type: kelompok.GroupType[Any], document: Doc) -> list[tuple[str, str | None]]:
    """The code and field of each problem ``group_type.load`` finds; [] when it loads."""
    try:
        group_type.load(document)
    except InvalidGroupData as error:
        return [(p.code, p.field) for p in error.problems]
    return []


def test_every_bad_mark_is_named_not_only_the_first() -> None:
    doc = copy.deepcopy(_head())
    doc["marks"] = {"fly": {"admit": 1}, **doc["marks"], "admit": [], "establish_structure": 0}
    assert [p[:2] for p in problems(doc)] == [
        ("document.invalid", "marks"),
        ("document.invalid", "marks.admit"),
        ("document.invalid", "marks.establish_structure"),
    ]


def test_a_count_is_any_whole_number_below_2_to_the_63() -> None:
    assert TALLIED.load(_tallied_head({"a": 200}, {"a": {"a": 200}})).event_counts == {"a": 200}
    big = {"a": 2**63}
    assert _refusal(TALLIED, {**_tallied_head(big, {"a": big}), "version": 1}) == [
        ("document.invalid", "counts.a"),
        ("document.invalid", "marks.a.a"),
    ]


# -- the walk: some order of a head's events is a path of the type's moves (§4.4) ------------

WALK_MOVES: dict[str, dict[str, str | None]] = {
    "go": {"s0": "s1", "s1": None},  # a move, and an action where it leads
    "up": {"s1": "s2"},
    "act": {"s1": None, "s2": "s1"},  # an action in s1, the way back from s2
    "note": {"s0": None, "s1": None, "s2": None},  # a pure action
    "stop": {"s0": "end", "s1": "end", "s2": "end"},
    "leap": {"s0": "s2"},  # a move past a stage: never a first entry in order (§4.2)
}
WALK_AFTER = {"up": {"act"}}
WALK_LIVE = ["s0", "s1", "s2"]


def _label(name: str) -> dict[str, str]:
    return {"en": name, "id": name}


WALKER = kelompok.GroupType(
    name="walker",
    label=_label("walker"),
    stages=[
        *(kelompok.Stage(s, _label(s)) for s in WALK_LIVE),
        kelompok.Stage("end", _label("end"), terminal=True),
    ],
    events=[
        kelompok.Event(
            name,
            _label(name),
            moves=moves,
            after=tuple(WALK_AFTER.get(name, ())),
            back=name == "act",
        )
        for name, moves in WALK_MOVES.items()
    ],
    data=_Name,
    founding=_Name,
    initial_data=lambda f: _Name(name=f.name),
    group_class=kelompok.Group,
)
"""Moves, a way back that is an action elsewhere, a pure action, an event after another, a leap."""


def _walk_end(sequence: Sequence[str]) -> tuple[str, int] | None:
    """Where *sequence* ends (stage, rank reached) if it is a walk §4.1-4.3 and §4.5 allow."""
    stage, peak, applied = "s0", 0, set()
    for event in sequence:
        if stage not in WALK_MOVES[event] or not WALK_AFTER.get(event, set()) <= applied:
            return None
        dest = WALK_MOVES[event][stage] or stage
        rank = WALK_LIVE.index(dest) if dest in WALK_LIVE else -1
        if rank > peak:
            if rank != peak + 1:
                return None
            peak = rank
        stage = dest
        applied.add(event)
    return stage, peak


def _walk_ends() -> dict[str, set[tuple[str, int]]]:
    """For each tally of up to four events (five after go): where the walks that make it end."""
    found: dict[str, set[tuple[str, int]]] = {}
    sequences = [s for n in range(5) for s in itertools.product(WALK_MOVES, repeat=n)]
    sequences += [("go", *s) for s in itertools.product(WALK_MOVES, repeat=4)]
    for sequence in sequences:
        ends = found.setdefault(json.dumps(tally_of(sequence), sort_keys=True), set())
        end = _walk_end(sequence)
        if end is not None:
            ends.add(end)
    return found


def test_a_head_alone_loads_exactly_when_a_walk_makes_its_tally_and_ends_in_its_stage() -> None:
    """Every tally of a few events, with every stage and stage reached, against the oracle."""
    head = WALKER.create(name="w", id="w-1").to_dict(history=False)
    wrong = []
    for key, ends in _walk_ends().items():
        counts, marks = json.loads(key)
        for stage, (rank, reached) in itertools.product([*WALK_LIVE, "end"], enumerate(WALK_LIVE)):
            doc = {**head, "version": sum(counts.values()), "counts": counts, "marks": marks}
            loads = not _refusal(WALKER, {**doc, "stage": stage, "reached": reached})
            if loads != ((stage, rank) in ends):
                wrong.append((counts, marks, stage, reached, loads))
    assert wrong == []


def test_an_unknown_type_is_named_and_the_known_ones_listed() -> None:
    """The English message is the registry's error (the types known depend on what ran)."""
    [(code, field, english, indonesian)] = problems({**_full(), "type": "chess"})
    assert (code, field, indonesian) == (
        "document.invalid",
        "type",
        "type: jenis kelompok 'chess' tidak dikenal",
    )
    assert english.startswith("type: No group type named 'chess'. Known types: ")
    assert "professional, " in english
    assert english.endswith(" Register your own with kelompok.register(group_type).")


# -- replay=True: the history fired again must make the document (docs/documents.md) ----------


def _scores_out_of_range(doc: Doc) -> None:
    doc["history"][4]["payload"]["scores"]["competence"] = 99  # JSON, so plain load takes it


def _renamed_founder(doc: Doc) -> None:
    doc["data"]["members"]["ani"]["name"] = "Anita"


REPLAY_REFUSALS: dict[str, tuple[Callable[[], Doc], list[Problem]]] = {
    "a record refused when fired again": (
        _edited(_full, _scores_out_of_range),
        [
            (
                "document.replay",
                "history[4]",
                (
                    "history[4] ('admit') is refused when replayed: Every selection score must "
                    "be a whole number from 1 to 5."
                ),
                (
                    "history[4] ('admit') ditolak saat diulang: Setiap nilai seleksi harus "
                    "bilangan bulat dari 1 sampai 5."
                ),
            )
        ],
    ),
    "only the latest records": (
        lambda: _tail(_full(), 2),
        [
            _p(
                "document.replay",
                "history",
                "replay needs the whole history, from the first event",
                "pemutaran ulang memerlukan seluruh riwayat, sejak kejadian pertama",
            )
        ],
    ),
    "data the events do not make": (
        _edited(_full, _renamed_founder),
        [
            _p(
                "document.replay",
                "data",
                "differs from what replaying the history produces",
                "berbeda dari hasil mengulang riwayat",
            )
        ],
    ),
}


@pytest.mark.parametrize(("make", "expected"), REPLAY_REFUSALS.values(), ids=list(REPLAY_REFUSALS))
def test_each_refusal_of_replay_says_why_in_both_languages(
    make: Callable[[], Doc], expected: list[Problem]
) -> None:
    doc = make()
    kelompok.load(doc)  # consistent as far as the checks without replay can tell
    assert problems(doc, replay=True) == expected


# -- record times: read in any UTC offset, written back as to_dict writes them ----------------

TIMES = [
    "2026-01-01T00:00:00.000000+00:00",
    "2026-01-01T00:00:00.123456+00:00",
    "2026-01-01T00:00:00+00:00",
    "2026-01-01T07:00:00.000000+07:00",
    "2026-01-01T07:00:00.250000+07:00",
    "2026-01-01T00:00:00.000000Z",
    "2026-01-01T00:00:00.000+00:00",
]


@pytest.mark.parametrize("text", TIMES)
@pytest.mark.parametrize("records", [None, 2], ids=["whole history", "latest records"])
def test_a_record_time_is_written_back_as_isoformat_of_its_utc_time(
    text: str, records: int | None
) -> None:
    """No fraction when there are no microseconds, else six digits; always +00:00."""
    doc = _full() if records is None else _tail(_full(), records)
    doc = copy.deepcopy(doc)
    doc["history"][-1]["at"] = text
    written = dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.timezone.utc)
    group = kelompok.load(doc)
    assert group.history[-1].at == written
    assert group.to_dict()["history"][-1]["at"] == written.isoformat()


@pytest.mark.parametrize("text", TIMES)
def test_records_that_are_not_as_to_dict_writes_them_load_as_they_say(text: str) -> None:
    """An actor beyond ASCII, a time in another form: every field read as given."""
    doc = copy.deepcopy(_full())
    for record in doc["history"]:
        record["actor"] = "Añi Ñoño"
    doc["history"][-1]["at"] = text
    group = kelompok.load(doc)
    utc = dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.timezone.utc)
    doc["history"][-1]["at"] = utc.isoformat()
    assert group.to_dict() == doc
    labels = {e.name: e.label for e in kelompok.PROFESSIONAL.events}
    assert [(r.label("en"), r.label("id")) for r in group.history] == [
        (labels[r["event"]]("en"), labels[r["event"]]("id")) for r in doc["history"]
    ]


def test_many_copies_of_an_action_in_one_segment_cost_the_walk_one_state() -> None:
    """act is an action in s1 (and a move elsewhere): 20,000 of them are placed at once (§4.4).

    Counted one by one they would pass the search's budget of 10,000 states.
    """
    counts, marks = tally_of(["go", *["act"] * 20_000])
    head = WALKER.create(name="w", id="w-1").to_dict(history=False)
    doc = {**head, "version": 20_001, "counts": counts, "marks": marks, "reached": "s1"}
    assert WALKER.load({**doc, "stage": "s1"}).event_counts == counts


def test_an_invariant_the_data_breaks_is_named_at_the_data_with_its_own_text() -> None:
    doc = copy.deepcopy(_full())
    doc["data"]["needs"] = []
    assert problems(doc) == [
        (
            "document.state.needs",
            "data",
            (
                "Needs (at least one, none blank) are identified exactly when the group reached "
                "'needs_identified'."
            ),
            (
                "Kebutuhan (minimal satu, tidak ada yang kosong) teridentifikasi tepat ketika "
                "kelompok mencapai 'needs_identified'."
            ),
        )
    ]


def test_a_new_known_documents_holds_nothing_and_has_counted_nothing() -> None:
    fresh = kelompok.KnownDocuments()
    assert (fresh.limit, fresh.size, len(fresh), fresh.hits, fresh.misses) == (0, 0, 0, 0, 0)
    sized = kelompok.KnownDocuments(1024)
    assert (sized.limit, sized.size, len(sized), sized.hits, sized.misses) == (1024, 0, 0, 0, 0)


@pytest.mark.parametrize(("limit", "got"), [(-1, "int -1"), (1.5, "float 1.5")])
def test_a_limit_that_is_not_a_whole_number_of_bytes_says_so_in_both_languages(
    limit: Any, got: str
) -> None:
    with pytest.raises(kelompok.InvalidValue) as refused:
        kelompok.KnownDocuments(limit)
    assert refused.value.field == "limit"
    assert (refused.value.text("en"), refused.value.text("id")) == (
        f"must be a whole number of bytes >= 0, got {got}",
        f"harus bilangan bulat byte >= 0, bukan {got}",
    )


def test_each_codec_is_the_one_it_is_named_for() -> None:
    """ "orjson" parses with orjson (its own error text), "json" with the standard library."""
    fast, slow = json_bytes.Codec("orjson"), json_bytes.Codec("json")
    assert (fast.name, slow.name) == ("orjson", "json")
    with pytest.raises(ValueError, match="NaN is not a JSON number"):
        slow.decode(b"[NaN]")
    with pytest.raises(ValueError) as refused:
        fast.decode(b"[NaN]")
    assert type(refused.value).__module__ == "orjson"


# -- the outline of a document, refused before anything else is read --------------------------


def _outline_of(edit: Callable[[dict[str, Any]], Any]) -> Any:
    return edit(builders.new(kelompok.PROFESSIONAL, id="g1").to_dict())


def _schema_1_without_history(d: dict[str, Any]) -> dict[str, Any]:
    old = {k: v for k, v in d.items() if k not in ("history", "counts", "marks", "reached")}
    return {**old, "schema_version": 1}


OUTLINES: dict[str, tuple[Callable[[dict[str, Any]], Any], tuple[str, str, str, str]]] = {
    "not a mapping": (
        lambda d: [],
        (
            "document.invalid",
            "document",
            "document: must be a mapping (dict)",
            "document: harus berupa dict",
        ),
    ),
    "no schema version": (
        lambda d: {},
        (
            "document.missing_field",
            "schema_version",
            "schema_version: is missing",
            "schema_version: tidak ada",
        ),
    ),
    "a later schema": (
        lambda d: {**d, "schema_version": 3},
        (
            "document.schema_version",
            "schema_version",
            "schema_version: is int 3; this kelompok reads versions 1 to 2",
            "schema_version: bernilai int 3; kelompok ini membaca versi 1 sampai 2",
        ),
    ),
    "a bool for a schema": (
        lambda d: {**d, "schema_version": True},
        (
            "document.schema_version",
            "schema_version",
            "schema_version: is bool True; this kelompok reads versions 1 to 2",
            "schema_version: bernilai bool True; kelompok ini membaca versi 1 sampai 2",
        ),
    ),
    "a type that is not text": (
        lambda d: {**d, "type": 5},
        ("document.invalid", "type", "type: must be text, got int 5", "type: harus berupa teks"),
    ),
    "schema 1 without its history": (
        _schema_1_without_history,
        ("document.missing_field", "history", "history: is missing", "history: tidak ada"),
    ),
}


@pytest.mark.parametrize("case", sorted(OUTLINES))
def test_a_document_whose_outline_is_wrong_is_refused_for_that_alone(case):
    edit, expected = OUTLINES[case]
    with pytest.raises(InvalidGroupData) as refused:
        kelompok.load(_outline_of(edit))
    [problem] = refused.value.problems
    assert expected == (problem.code, problem.field, problem.message("en"), problem.message("id"))


def test_a_document_of_an_unknown_type_says_which_and_how_to_register_one():
    with pytest.raises(InvalidGroupData) as refused:
        kelompok.load(_outline_of(lambda d: {**d, "type": "nope"}))
    [problem] = refused.value.problems
    assert ("document.invalid", "type") == (problem.code, problem.field)
    assert problem.message("en").startswith("type: No group type named 'nope'. Known types: ")
    assert problem.message("en").endswith("Register your own with kelompok.register(group_type).")
    assert "type: jenis kelompok 'nope' tidak dikenal" == problem.message("id")


# -- a data class whose converter makes what its own fields cannot hold ------------------


def _blank_to_none(value: Any) -> Any:
    return None if value == "blank" else value


@attrs.frozen
class _Converted:
    name: str = attrs.field(converter=_blank_to_none)
    motto: str = attrs.field(default="-", converter=_blank_to_none)


CONVERTED = actions_type("converted", data=_Converted, founding=_Name, actions={})


def test_a_data_class_whose_converter_misfits_its_field_on_load_is_a_bug_of_the_type() -> None:
    doc = _json(CONVERTED.create(name="F", id="c-1").to_dict())
    doc["data"] = {"name": "blank", "motto": "blank"}  # the converter makes None: not text
    with pytest.raises(kelompok.DefinitionBug) as bug:
        CONVERTED.load(doc)
    assert ("load", "the data class _Converted") == (bug.value.event, bug.value.culprit)
    assert str(bug.value).startswith(
        "Bug in the group type, found while applying event 'load': the data class "
        "_Converted made values that do not fit their fields: name, motto. "
    )


# -- replay: the records must be those that firing their events makes ----------------------


@attrs.frozen
class _Note:
    text: str = attrs.field(converter=str.strip)


NOTED = actions_type(
    "noted", data=_Name, founding=_Name, actions={"note": (_Note, lambda g, p: g.data)}
)


def test_a_record_whose_payload_replays_to_another_record_is_refused_at_that_record() -> None:
    group = NOTED.create(name="F", id="n-1")
    group.fire("note", text="first")
    group.fire("note", text="second")
    doc = _json(group.to_dict())
    assert NOTED.load(doc, replay=True).to_dict() == doc
    doc["history"][1]["payload"]["text"] = " second "  # what no note records: it strips
    assert NOTED.load(doc).history[1].payload == {"text": " second "}  # plain load takes it
    with pytest.raises(InvalidGroupData) as refused:
        NOTED.load(doc, replay=True)
    assert str(refused.value).startswith("Cannot load this group document:\n  - document.replay: ")
    [problem] = refused.value.problems
    assert ("document.replay", "history[1]") == (problem.code, problem.field)
    assert problem.message("en") == (
        "history[1]: differs from the record that replaying its event makes (a payload not "
        "as the event's payload class makes it?)"
    )
    assert problem.message("id") == (
        "history[1]: berbeda dari catatan yang dibuat saat peristiwanya diulang (payload tidak "
        "seperti yang dibuat kelas payload peristiwa itu?)"
    )


@pytest.mark.parametrize("write", ["to_dict", "to_json"])
@pytest.mark.parametrize("history", [True, False])
def test_a_document_is_written_from_the_one_state_it_read(
    monkeypatch: pytest.MonkeyPatch, write: str, history: bool
) -> None:
    """The group's state is read once: a fire in another thread between two reads would
    give a document of one version, remembered as the group of another."""
    group = at(kelompok.PROFESSIONAL, "structured", id="g-1")
    monkeypatch.setattr(Cell, "_state", lambda self: pytest.fail("the state was read again"))
    written = getattr(group, write)(history=history)
    monkeypatch.undo()
    assert written == getattr(group, write)(history=history)
