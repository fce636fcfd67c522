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
    KelompokError,
    TransitionNotAllowed,
)
from kelompok._base.scalars import describe, describe_exception
from kelompok._base.text import Reason, msg
from kelompok._codec.head import agree, read_head
from kelompok._codec.history import read_history
from kelompok._codec.known import known_documents
from kelompok._codec.loader import Loader
from kelompok._codec.loader import problem as make_problem
from kelompok._codec.tally import tally_json
from kelompok._data.convert import converter, structure_or_reasons
from kelompok._data.explain import capped, exact_text_or_description
from kelompok._data.json import copy_json
from kelompok._runtime.checks import broken_invariants
from kelompok._runtime.group import Group
from kelompok._runtime.history import HistoryRecord
from kelompok._runtime.state import State, count_events

if TYPE_CHECKING:
    from kelompok._types.group_type import GroupType

FindType = Callable[[str], "GroupType[Any]"]
"""Finds the group type a document names, or raises a ``KelompokError`` saying why not."""

SCHEMA_VERSION: Final = 2
"""The version of the documents ``to_dict`` writes; ``load`` reads every earlier one too."""
_HEAD_KEYS: Final = (
    "schema_version",
    "type",
    "id",
    "stage",
    "version",
    "created_at",
    "reached",
    "counts",
    "marks",
    "founding",
    "data",
)
_KEYS: Final = {
    1: ("schema_version", "type", "id", "stage", "version", "created_at", "founding", "data"),
    2: _HEAD_KEYS,
}
"""The head's keys in each schema version; ``history`` (and ``history_from``) may follow."""
_TAIL_KEYS: Final = {1: ("history",), 2: ("history_from", "history")}


def dump(
    group: Group, state: State | None = None, *, history: bool, shared: bool = False
) -> dict[str, Any]:
    """The document of *group* in *state* (see :meth:`Group.to_dict`).

    With *shared*, the records' payloads are the group's own, not copies: only for a
    document that is encoded at once and never handed out (``to_json``).
    """
    gt = group._type  # noqa: SLF001 -- the document module owns the format
    if state is None:
        state = group._state()  # noqa: SLF001
    counts, marks = tally_json(state.counts, state.marks)
    document = {
        "schema_version": SCHEMA_VERSION,
        "type": gt.name,
        "id": group._id,  # noqa: SLF001
        "stage": state.stage,
        "version": state.version,
        "created_at": group._created_at.isoformat(),  # noqa: SLF001
        "reached": gt._engine.live[state.peak],  # noqa: SLF001
        "counts": counts,
        "marks": marks,
        "founding": converter.unstructure(group._founding, gt.founding),  # noqa: SLF001
        "data": converter.unstructure(state.data, gt.data),
    }
    if history:
        if state.start:
            document["history_from"] = state.start
        document["history"] = [
            record_document(r, shared=shared) for r in state.history[: state.length]
        ]
    return document


def record_document(record: HistoryRecord, *, shared: bool) -> dict[str, Any]:
    """One history record as a document holds it; *shared* as for :func:`dump`."""
    payload = record._payload  # noqa: SLF001 -- the document module owns the format
    return {
        "event": record.event,
        "source": record.source,
        "dest": record.dest,
        "at": record.at_text(),
        "payload": payload if shared else copy_json(payload),
        "actor": record.actor,
    }


def dump_and_remember(
    group: Group, state: State, *, history: bool, shared: bool = False
) -> dict[str, Any]:
    """:func:`dump`, and remember the document in :data:`known_documents`."""
    document = dump(group, state, history=history, shared=shared)
    if not history:  # the group that loading the head gives: none of the records
        state = state._replace(length=0)  # (_copy_of counts from the records it is given)
    known_documents.remember(document, lambda: group._copy_of(state))  # noqa: SLF001
    return document


def load_document(document: Mapping[str, Any], find_type: FindType, *, replay: bool) -> Group:
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


def checked_load(document: Mapping[str, Any], find_type: FindType, *, replay: bool) -> Group:
    """:func:`load` without asking :data:`known_documents`: every check, every time."""
    ld = Loader()
    document = _as_dict(document)
    gt, schema = _header(ld, document, find_type)
    group_id = ld.group_id(document["id"])
    created_at = ld.moment(document["created_at"], "created_at")
    stage = document["stage"]
    engine = gt._engine  # noqa: SLF001
    if type(stage) is not str or stage not in engine.stages:
        ld.fail("stage", msg("document.not_stage", "is not a stage of {name!r}", name=gt.name))
    version = document["version"]
    if type(version) is not int or not 0 <= version < 2**63:
        ld.fail("version", msg("document.whole_number", "must be a whole number >= 0"))
    data, problems = structure_or_reasons(document["data"], gt.data, code="document", where="data")
    ld.problems += problems
    founding, problems = structure_or_reasons(
        document["founding"], gt.founding, code="document", where="founding"
    )
    ld.problems += problems
    history, peak, tally = (
        _v1_history(ld, gt, document, stage, version)
        if schema == 1
        else read_head(ld, gt, document, stage, version)
    )
    if ld.problems:
        raise InvalidGroupData(_WHAT, capped(ld.problems, "document"))
    if replay and len(history) != version:
        problem = make_problem(
            "history",
            msg("document.replay_whole", "replay needs the whole history, from the first event"),
            "document.replay",
        )
        raise InvalidGroupData(_WHAT, [problem])
    misfits = engine.misfits(data)
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
        tally=tally,
    )
    broken = [
        Reason(f"document.{r.code}", r.text, "data")
        for r in broken_invariants(group, gt.invariants, "load")
    ]
    if broken:
        raise InvalidGroupData(_WHAT, broken)
    if replay:
        _replay(group)
    return group


def _v1_history(ld: Loader, gt: GroupType[Any], document: Any, stage: str, version: int) -> Any:
    """A schema 1 document's history, and the stages reached and tally read from it."""
    history, peak = read_history(ld, gt, document["history"])
    if not ld.problems:
        agree(ld, history[-1].dest if history else gt.initial, stage, len(history), version)
    return history, peak, count_events(history)


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
                msg(
                    "document.replay_refused",
                    "history[{step}] ({event!r}) is refused when replayed: {reason}",
                    step=step,
                    event=name,
                    reason=r.text,
                ),
                f"history[{step}]",
            )
            for r in exc.reasons
        ]
        raise InvalidGroupData(_WHAT, problems) from exc
    if dump(twin, history=False) != dump(group, history=False):
        problem = Reason(
            "document.replay",
            msg(
                "document.data_differs_what_replaying",
                "data: differs from what replaying the history produces",
            ),
            "data",
        )
        raise InvalidGroupData(_WHAT, [problem])
    made = twin.history
    for step, recorded in enumerate(group.history):
        if made[step] != recorded:  # records compare by event, stages, time, payload, actor
            text = msg(
                "document.record_differs_what_replaying",
                "history[{step}]: differs from the record that replaying its event makes "
                "(a payload not as the event's payload class makes it?)",
                step=step,
            )
            raise InvalidGroupData(_WHAT, [Reason("document.replay", text, f"history[{step}]")])


_WHAT: Final = "Cannot load this group document"


def _as_dict(document: Any) -> Any:
    """A mapping that is not a dict, read once into one: it may answer differently twice."""
    if type(document) is dict or not isinstance(document, Mapping):
        return document
    try:
        return dict(document)
    except Exception as exc:  # noqa: BLE001 -- a user's mapping may raise anything
        text = msg(
            "document.unreadable",
            "could not be read as a mapping: {why}",
            why=describe_exception(exc),
        )
        raise InvalidGroupData(_WHAT, [make_problem("document", text)]) from None


def _header(ld: Loader, document: Any, find_type: FindType) -> tuple[GroupType[Any], int]:
    """Check the document's outline and find its type and schema version, or raise at once."""
    if not isinstance(document, Mapping):
        problem = make_problem("document", msg("document.mapping_dict", "must be a mapping (dict)"))
        raise InvalidGroupData(_WHAT, [problem])
    found = document.get("schema_version")
    if "schema_version" not in document:
        ld.fail("schema_version", msg("document.missing", "is missing"), "document.missing_field")
        raise InvalidGroupData(_WHAT, ld.problems)
    if type(found) is not int or found not in _KEYS:
        ld.fail(
            "schema_version",
            msg(
                "document.schema_version",
                "is {found}; this kelompok reads versions 1 to {version}",
                found=describe(found),
                version=SCHEMA_VERSION,
            ),
            "document.schema_version",
        )
        raise InvalidGroupData(_WHAT, ld.problems)
    ld.keys(document, _KEYS[found], "", optional=_TAIL_KEYS[found])
    if found == 1 and "history" not in document:
        ld.fail("history", msg("document.missing", "is missing"), "document.missing_field")
    if ld.problems:
        raise InvalidGroupData(_WHAT, capped(ld.problems, "document"))
    name = document["type"]
    if type(name) is not str:
        problem = make_problem(
            "type",
            msg("document.text", "must be text, got {name_shown}", name_shown=describe(name)),
        )
        raise InvalidGroupData(_WHAT, [problem])
    try:
        return find_type(name), found
    except KelompokError as exc:
        unknown = msg(
            "document.unknown_type", "{error}", error=str(exc), name=exact_text_or_description(name)
        )
        problem = make_problem("type", unknown)
        raise InvalidGroupData(_WHAT, [problem]) from exc
