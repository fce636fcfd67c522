"""Groups as JSON-ready documents, and loading them back without trusting them.

A stored document may have been edited by hand, truncated, or forged. ``load``
rebuilds a group only when the document could have been produced by firing
events: every history step is a declared edge, stages are first entered in
their order, the history ends in the stored stage, the version counts the
history, and the type's invariants hold for the data. It never imports or
evaluates anything a document names: the type is looked up by name in the
registry. The work is linear in the size of the document.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from kelompok._base.errors import (
    DefinitionBug,
    InvalidGroupData,
    InvalidValue,
    KelompokError,
    TransitionNotAllowed,
)
from kelompok._base.scalars import describe, exact_text
from kelompok._base.text import Reason
from kelompok._codec.known import known_documents
from kelompok._data.convert import (
    NotJSON,
    capped,
    converter,
    copy_json,
    exact_text_or_description,
    parse_utc,
    structure_or_reasons,
)
from kelompok._runtime.checks import broken_invariants
from kelompok._runtime.group import Group
from kelompok._runtime.history import HistoryRecord
from kelompok._runtime.state import State

if TYPE_CHECKING:
    from kelompok._types.group_type import GroupType

FindType = Callable[[str], "GroupType[Any]"]
"""Finds the group type a document names, or raises a ``KelompokError`` saying why not."""

SCHEMA_VERSION: Final = 1
_TOP_KEYS: Final = (
    "schema_version",
    "type",
    "id",
    "stage",
    "version",
    "created_at",
    "founding",
    "data",
    "history",
)
_RECORD_KEYS: Final = ("event", "source", "dest", "at", "payload", "actor")
_RECORD_KEYSET: Final = frozenset(_RECORD_KEYS)


def dump(group: Group, state: State | None = None) -> dict[str, Any]:
    """The document of *group* in *state* (see :meth:`Group.to_dict`)."""
    gt = group._type  # noqa: SLF001 -- the document module owns the format
    if state is None:
        state = group._state()  # noqa: SLF001
    return {
        "schema_version": SCHEMA_VERSION,
        "type": gt.name,
        "id": group._id,  # noqa: SLF001
        "stage": state.stage,
        "version": state.version,
        "created_at": group._created_at.isoformat(),  # noqa: SLF001
        "founding": converter.unstructure(group._founding, gt.founding),  # noqa: SLF001
        "data": converter.unstructure(state.data, gt.data),
        "history": [
            {
                "event": r.event,
                "source": r.source,
                "dest": r.dest,
                "at": r.at_text(),
                "payload": copy_json(r._payload),  # noqa: SLF001
                "actor": r.actor,
            }
            for r in state.history[: state.length]
        ],
    }


def dump_and_remember(group: Group, state: State) -> dict[str, Any]:
    """:func:`dump`, and remember the document in :data:`known_documents`."""
    document = dump(group, state)
    known_documents.remember(document, lambda: group._copy_of(state))  # noqa: SLF001
    return document


def _problem(field: str, en: str, id_: str, code: str = "document.invalid") -> Reason:
    return Reason(code, f"{field}: {en}", f"{field}: {id_}", field)


class _Loader:
    """Collects every problem of one document instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[Reason] = []

    def fail(self, field: str, en: str, id_: str, code: str = "document.invalid") -> None:
        self.problems.append(_problem(field, en, id_, code))

    def text(self, doc: Mapping[str, Any], key: str, where: str = "") -> str:
        value = doc.get(key)
        if type(value) is str and value.strip() and _is_text(value):
            return value
        self.fail(
            where + key,
            "must be non-blank, valid text",
            "harus berupa teks yang sah dan tidak kosong",
        )
        return ""

    def keys(self, doc: Mapping[str, Any], expected: tuple[str, ...], where: str) -> None:
        for key in expected:
            if key not in doc:
                self.fail(where + key, "is missing", "tidak ada", "document.missing_field")
        for key in doc:
            if key not in expected:
                self.fail(
                    f"{where}{exact_text_or_description(key)}",
                    f"unknown field; expected only {', '.join(expected)}",
                    f"isian tidak dikenal; yang diharapkan hanya {', '.join(expected)}",
                    "document.unknown_field",
                )

    def moment(self, value: Any, field: str) -> Any:
        try:
            return parse_utc(value)
        except InvalidValue as exc:
            self.fail(field, exc.en, exc.id)
            return None


def load_document(
    document: Mapping[str, Any], find_type: FindType, *, replay: bool = False
) -> Group:
    """Rebuild a group from a document made by :meth:`Group.to_dict`; see :func:`kelompok.load`.

    *find_type* gives the group type the document names (the registry's lookup,
    or a single expected type). A document this process made, value for value
    (:data:`kelompok.known_documents`), is not checked again.
    """
    if not replay:
        known = known_documents.recall(document, find_type)
        if known is not None:
            return known
    return checked_load(document, find_type, replay=replay)


def checked_load(
    document: Mapping[str, Any], find_type: FindType, *, replay: bool = False
) -> Group:
    """:func:`load` without asking :data:`known_documents`: every check, every time."""
    ld = _Loader()
    gt = _header(ld, document, find_type)
    group_id = ld.text(document, "id")
    created_at = ld.moment(document["created_at"], "created_at")
    stage = document["stage"]
    if type(stage) is not str or stage not in gt._engine.stages:  # noqa: SLF001
        ld.fail("stage", f"is not a stage of {gt.name!r}", f"bukan tahap {gt.name!r}")
    version = document["version"]
    if type(version) is not int or not 0 <= version < 2**63:
        ld.fail("version", "must be a whole number >= 0", "harus bilangan bulat >= 0")
    data, problems = structure_or_reasons(document["data"], gt.data, code="document", where="data")
    ld.problems += problems
    founding, problems = structure_or_reasons(
        document["founding"], gt.founding, code="document", where="founding"
    )
    ld.problems += problems
    history, peak = _history(ld, gt, document["history"])
    if not ld.problems:
        _agree(ld, history[-1].dest if history else gt.initial, stage, len(history), version)
    if ld.problems:
        raise InvalidGroupData(_WHAT, capped(ld.problems, "document"))
    misfits = gt._engine.misfits(data)  # noqa: SLF001
    if misfits:  # the data class's own converters made something its fields cannot hold
        what = f"made values that do not fit their fields: {', '.join(misfits)}"
        raise DefinitionBug("load", f"the data class {gt.data.__name__}", what)
    group: Group = gt.group_class._build(  # noqa: SLF001
        group_type=gt,
        group_id=group_id,
        created_at=created_at,
        stage=stage,
        version=version,
        data=data,
        history=history,
        peak=peak,
        founding=founding,
    )
    broken = [
        Reason(f"document.{r.code}", r.en, r.id, "data")
        for r in broken_invariants(group, gt.invariants, "load")
    ]
    if broken:
        raise InvalidGroupData(_WHAT, broken)
    if replay:
        _replay(group)
    return group


def _replay(group: Group) -> None:
    """Fire the recorded events again on a fresh twin; the result must be *group*."""
    gt = group.type
    twin: Group = gt._engine.new_group(group._founding, group.id, group.created_at)  # noqa: SLF001
    step = 0
    try:
        for step, record in enumerate(group.history):  # noqa: B007 -- step names the failing one
            twin._fire(gt.event(record.event), record.actor, record._payload, record.at, ())  # noqa: SLF001
    except TransitionNotAllowed as exc:
        name = group.history[step].event
        problems = [
            Reason(
                "document.replay",
                f"history[{step}] ({name!r}) is refused when replayed: {r.en}",
                f"history[{step}] ({name!r}) ditolak saat diulang: {r.id}",
                f"history[{step}]",
            )
            for r in exc.reasons
        ]
        raise InvalidGroupData(_WHAT, problems) from exc
    if dump(twin) != dump(group):
        problem = Reason(
            "document.replay",
            "data: differs from what replaying the history produces",
            "data: berbeda dari hasil mengulang riwayat",
            "data",
        )
        raise InvalidGroupData(_WHAT, [problem])


_WHAT: Final = "Cannot load this group document"


def _header(ld: _Loader, document: Any, find_type: FindType) -> GroupType[Any]:
    """Check the document's outline and find its type, or raise at once."""
    if not isinstance(document, Mapping):
        problem = _problem("document", "must be a mapping (dict)", "harus berupa dict")
        raise InvalidGroupData(_WHAT, [problem])
    ld.keys(document, _TOP_KEYS, "")
    found = document.get("schema_version")
    if "schema_version" in document and (type(found) is not int or found != SCHEMA_VERSION):
        ld.fail(
            "schema_version",
            f"is {describe(found)}; this kelompok reads version {SCHEMA_VERSION}",
            f"bernilai {describe(found)}; kelompok ini membaca versi {SCHEMA_VERSION}",
            "document.schema_version",
        )
    if ld.problems:
        raise InvalidGroupData(_WHAT, capped(ld.problems, "document"))
    name = document["type"]
    if type(name) is not str:
        problem = _problem("type", f"must be text, got {describe(name)}", "harus berupa teks")
        raise InvalidGroupData(_WHAT, [problem])
    try:
        return find_type(name)
    except KelompokError as exc:
        problem = _problem(
            "type", str(exc), f"jenis kelompok {exact_text_or_description(name)!r} tidak dikenal"
        )
        raise InvalidGroupData(_WHAT, [problem]) from exc


def _agree(ld: _Loader, end: str, stage: str, events: int, version: int) -> None:
    if end != stage:
        ld.fail(
            "stage",
            f"is {stage!r} but the history ends in {end!r}",
            f"bernilai {stage!r} padahal riwayat berakhir pada {end!r}",
            "document.stage",
        )
    if version != events:
        ld.fail(
            "version",
            f"is {describe(version)} but the history holds {events} events",
            f"bernilai {describe(version)} padahal riwayat berisi {events} kejadian",
            "document.version",
        )


def _history(ld: _Loader, gt: Any, raw: Any) -> tuple[list[HistoryRecord], int]:
    if type(raw) is not list:
        ld.fail("history", "must be a list", "harus berupa daftar (list)")
        return [], 0
    records: list[HistoryRecord] = []
    stage, peak = gt.initial, 0
    seen: set[str] = set()
    for i, rec in enumerate(raw):
        before = len(ld.problems)
        if type(rec) is not dict:
            ld.fail(f"history[{i}]", "must be a mapping (dict)", "harus berupa dict")
            continue
        if rec.keys() != _RECORD_KEYSET:
            ld.keys(rec, _RECORD_KEYS, f"history[{i}].")
            continue
        record = _record(ld, gt, i, rec, stage)
        if record is None:
            # go on from where this record claims to end, so one bad record gives one problem
            dest = rec["dest"]
            stage = dest if type(dest) is str and dest in gt._engine.stages else stage  # noqa: SLF001
            continue
        rank = gt._engine.order.get(record.dest)  # noqa: SLF001
        if rank is not None and rank > peak:
            if rank != peak + 1:
                ld.fail(
                    f"history[{i}]",
                    f"enters {record.dest!r} before the stages that come before it",
                    f"memasuki {record.dest!r} sebelum tahap-tahap sebelumnya",
                    "document.history",
                )
            peak = rank
        stage = record.dest
        missing = [e for e in gt._engine.events[record.event].after if e not in seen]  # noqa: SLF001
        if missing:
            ld.fail(
                f"history[{i}]",
                f"{record.event!r} comes before any {missing[0]!r}, which must come first",
                f"{record.event!r} muncul sebelum {missing[0]!r}, yang harus lebih dahulu",
                "document.history",
            )
        seen.add(record.event)
        if len(ld.problems) == before:
            records.append(record)
    return records, peak


def _json_object(value: Any) -> tuple[dict[str, Any] | None, str]:
    """A copy of *value* if it is a strict JSON object, else ``None`` and why not."""
    if type(value) is not dict:
        return None, f"got {describe(value)}"
    try:
        copied: dict[str, Any] = copy_json(value, check=True)
    except NotJSON as exc:
        return None, str(exc)
    return copied, ""


def _is_text(value: Any) -> bool:
    try:
        exact_text(value)
    except InvalidValue:
        return False
    return type(value) is str


def _record(ld: _Loader, gt: Any, i: int, rec: dict[str, Any], stage: str) -> HistoryRecord | None:
    """One history record, checked against the step before it; ``None`` when it is broken."""
    name, source, dest, actor = rec["event"], rec["source"], rec["dest"], rec["actor"]
    event = gt._engine.events.get(name) if type(name) is str else None  # noqa: SLF001
    if event is None:
        ld.fail(
            f"history[{i}].event",
            f"{describe(name)} is not an event of {gt.name!r}",
            f"{describe(name)} bukan kejadian pada jenis kelompok {gt.name!r}",
        )
        return None
    if type(source) is not str or source != stage:
        ld.fail(
            f"history[{i}].source",
            f"is {describe(source)} but the previous step ended in {stage!r}",
            f"bernilai {describe(source)} padahal langkah sebelumnya berakhir pada {stage!r}",
            "document.history",
        )
        return None
    leads_there = type(dest) is str and (event.moves.get(source, dest) or source) == dest
    if source not in event.moves or not leads_there:
        ld.fail(
            f"history[{i}]",
            f"{name!r} does not lead from {source!r} to {describe(dest)} in a {gt.name} group",
            f"{name!r} tidak mengarah dari {source!r} ke {describe(dest)} pada kelompok {gt.name}",
            "document.history",
        )
        return None
    text = rec["at"]
    at = ld.moment(text, f"history[{i}].at")
    payload, why = _json_object(rec["payload"])
    if payload is None:
        ld.fail(
            f"history[{i}].payload",
            f"must be a JSON object ({why})",
            f"harus berupa objek JSON ({why})",
        )
    if actor is not None and not _is_text(actor):
        ld.fail(
            f"history[{i}].actor",
            "must be valid text or null",
            "harus berupa teks yang sah atau null",
        )
    if at is None:
        return None
    canonical = text if type(text) is str and text.endswith("+00:00") and "T" in text else ""
    if payload is None:
        return None
    return HistoryRecord(name, source, dest, at, payload, actor, canonical)
