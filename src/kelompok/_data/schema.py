"""JSON Schemas (draft 2020-12) of event payloads and group documents, built from attrs classes.

Web frameworks take a JSON Schema to document an endpoint (OpenAPI) and to
refuse a malformed request body before it reaches a handler. The schemas here
describe what kelompok's strict payload converter accepts: texts, 64-bit whole
numbers, dates and times (``format``, checked when a validator is asked to),
lists, objects, enums and ``Literal`` values, and no unknown fields. They are a
first line of defence, not the authority: the converter still checks every value
(a schema cannot tell ``1.0`` from ``1``, or see a lone surrogate in a text), and
a type's requirements decide whether an event may happen at all.

Only the standard library, attrs and :class:`~kelompok._base.frozen.FrozenMap`
are used here, so any layer may build a schema.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import math
import sys
import types
import typing
from collections import abc
from collections.abc import Sequence
from typing import Any, Final
from urllib.parse import quote

import attrs

from kelompok._base.frozen import FrozenMap
from kelompok._base.frozen_list import FrozenList
from kelompok._base.scalars import GROUP_ID

DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
"""The ``$schema`` of every schema made here."""

SCHEMA_KEY: Final = "kelompok.json_schema"
"""An attrs field's ``metadata`` key for schema keywords its converter checks beyond its type."""

_NOT_SPACE: Final = (
    "[^\\t\\n\\u000b\\f\\r\\u001c-\\u001f \\u0085\\u00a0\\u1680\\u2000-\\u200a"
    "\\u2028\\u2029\\u202f\\u205f\\u3000]"
)
"""A character Python's ``str.strip()`` keeps: JSON Schema's ``\\S`` (ECMA-262) is not that
(it counts U+0085 and U+001C-U+001F as text, and U+FEFF as space)."""
NONBLANK: Final = {SCHEMA_KEY: {"minLength": 1, "pattern": _NOT_SPACE}}
"""``metadata=NONBLANK`` on a text field whose converter refuses blank text."""

_INT_MIN: Final = -(2**63)
_INT_MAX: Final = 2**63 - 1
_SCALARS: Final[dict[Any, dict[str, Any]]] = {
    str: {"type": "string"},
    int: {"type": "integer", "minimum": _INT_MIN, "maximum": _INT_MAX},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    type(None): {"type": "null"},
    dt.date: {"type": "string", "format": "date"},
    dt.datetime: {"type": "string", "format": "date-time"},
}
_ARRAYS: Final = (list, tuple, abc.Sequence, abc.MutableSequence, FrozenList)
_MAPPINGS: Final = (dict, FrozenMap, abc.Mapping, abc.MutableMapping)
_TEXT_KEYS: Final = (str, Any)
_BARE_TUPLES: Final = (tuple, typing.Tuple)  # noqa: UP006 -- both spellings of a bare one
_UNSHOWN: Final = object()


def _type_hints(cls: type[Any]) -> dict[str, Any]:
    """The resolved type of each field of attrs class *cls*; ``Any`` where it cannot be."""
    try:
        found = typing.get_type_hints(cls)
    except Exception:  # noqa: BLE001 -- resolve what can be, field by field
        found = {}
    module = sys.modules.get(cls.__module__)
    namespace = {**(vars(module) if module is not None else {}), **vars(cls)}
    hints: dict[str, Any] = {}
    for field in attrs.fields(cls):
        hints[field.name] = found.get(field.name, Any)
        if field.name in found or field.type is None:
            continue
        holder = type("_One", (), {"__annotations__": {field.name: field.type}})
        # one annotation alone; one that names nothing stays Any (any value)
        with contextlib.suppress(Exception):
            hints[field.name] = typing.get_type_hints(holder, namespace)[field.name]
    return hints


def _json_default(value: Any) -> Any:
    """A field's default as JSON, or ``_UNSHOWN`` if it is not a JSON value."""
    kind = type(value)
    if kind in (tuple, list) and not value:
        return []
    fits = (
        kind in (str, bool, type(None))
        or (kind is int and _INT_MIN <= value <= _INT_MAX)
        or (kind is float and math.isfinite(value))
    )
    return value if fits else _UNSHOWN


class _Builder:
    """Turns annotations into schemas, collecting the attrs classes met in ``defs``."""

    def __init__(self, *, every_key: bool) -> None:
        # every_key: a document holds every field, even one with a default
        self.every_key = every_key
        self.defs: dict[str, dict[str, Any]] = {}
        self._names: dict[type[Any], str] = {}

    def ref(self, cls: type[Any]) -> dict[str, Any]:
        """A ``$ref`` to the schema of *cls* in ``defs``, which is built on first use."""
        name = self._names.get(cls)
        if name is None:
            name, n = cls.__name__, 1
            while name in self.defs:  # another class of the same name
                n += 1
                name = f"{cls.__name__}{n}"
            self._names[cls] = name
            self.defs[name] = {}  # taken before the fields are walked: a cycle finds it
            self.defs[name] = self.object(cls)
        return {"$ref": f"#/$defs/{quote(name)}"}

    def object(self, cls: type[Any]) -> dict[str, Any]:
        """The object schema of attrs class *cls* (its fields that ``__init__`` takes)."""
        hints = _type_hints(cls)
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field in attrs.fields(cls):
            if not field.init:
                continue  # the converter neither takes nor allows it
            schema = self.of(hints[field.name])
            more = field.metadata.get(SCHEMA_KEY)
            if isinstance(more, dict):  # what the field's converter checks beyond its type
                schema = {**schema, **more}
            if field.default is attrs.NOTHING or self.every_key:
                required.append(field.name)
            elif not isinstance(field.default, attrs.Factory):  # type: ignore[arg-type] # (a class)
                default = _json_default(field.default)
                if default is not _UNSHOWN:
                    schema = {**schema, "default": default}
            properties[field.name] = schema
        return _closed(properties, required)

    def of(self, annotation: Any) -> dict[str, Any]:
        """The schema of a value of type *annotation*; ``{}`` (anything) for an unknown one."""
        while hasattr(annotation, "__supertype__"):  # a NewType is its supertype
            annotation = annotation.__supertype__
        if annotation is None:
            annotation = type(None)
        origin = typing.get_origin(annotation) or annotation
        args = typing.get_args(annotation)
        if isinstance(annotation, type) and not args:  # (list[int] is a type on 3.10)
            if issubclass(annotation, enum.Enum):
                return {"enum": [m.value for m in annotation if type(m.value) in (str, int, bool)]}
            if annotation in _SCALARS:
                return dict(_SCALARS[annotation])
        if isinstance(origin, type) and attrs.has(origin):  # (a generic one by its origin)
            return self.ref(origin)
        if origin is typing.Literal:
            return {"enum": [a for a in args if type(a) in (str, int, bool, type(None))]}
        if origin in (typing.Union, types.UnionType):
            return {"anyOf": [self.of(a) for a in args]}
        return self._container(annotation, origin, args)

    def _container(self, annotation: Any, origin: Any, args: tuple[Any, ...]) -> dict[str, Any]:
        """The schema of a tuple, list, sequence or mapping; ``{}`` for anything else."""
        if origin is tuple and annotation not in _BARE_TUPLES and Ellipsis not in args:
            items = [self.of(a) for a in args if a != ()]  # tuple[()] holds a () before 3.11
            fixed: dict[str, Any] = {"type": "array", "prefixItems": items}
            if not items:
                del fixed["prefixItems"]  # which must not be empty
            return {**fixed, "minItems": len(items), "maxItems": len(items), "items": False}
        if origin in _ARRAYS:
            schema: dict[str, Any] = {"type": "array"}
            if args:
                schema["items"] = self.of(args[0])
            return schema
        if origin not in _MAPPINGS:
            return {}
        schema = {"type": "object"}
        if len(args) == 2:
            if args[0] not in _TEXT_KEYS:
                schema["propertyNames"] = self.of(args[0])
            schema["additionalProperties"] = self.of(args[1])
        return schema

    def finish(self, schema: dict[str, Any], title: str | None) -> dict[str, Any]:
        """*schema* as a whole schema: ``$schema`` and *title* first, ``$defs`` last."""
        out: dict[str, Any] = {"$schema": DIALECT}
        if title is not None:
            out["title"] = title
        out.update(schema)
        if self.defs:
            out["$defs"] = self.defs
        return out


def payload_schema(cls: type[Any] | None, *, title: str | None = None) -> dict[str, Any]:
    """The JSON Schema of an event payload: an object of the fields of attrs class *cls*.

    Fields without a default are required, and no other keys are allowed. Nested
    attrs classes are described once, in ``$defs``, and referenced by their name.
    The result is JSON-ready (``json.dumps`` takes it) and the same for the same
    class; its properties are in field order.

    Args:
        cls: the event's payload class, or ``None`` for an event without one (then
            only ``{}`` is valid).
        title: the schema's ``title``, e.g. the event's name.

    Returns:
        A draft 2020-12 schema, a new dict on every call.
    """
    builder = _Builder(every_key=False)
    body = builder.object(cls) if cls is not None else _closed({})
    return builder.finish(body, title)


def document_schema(  # noqa: PLR0913 -- the parts of a group type that shape its documents
    *,
    type_name: str,
    stages: Sequence[str],
    live: Sequence[str],
    events: Sequence[str],
    data: type[Any],
    founding: type[Any],
    schema_version: int,
) -> dict[str, Any]:
    """The JSON Schema of a group document, as ``Group.to_dict`` writes it.

    Every key of the head is required and no other is allowed, in the document
    and in each history record; ``history`` (and ``history_from``, for a group
    that holds only its latest records) may follow the head. The data and
    founding objects must hold every field, even those with a default (``load``
    would otherwise fill them in).

    Args:
        type_name: the group type's name, the document's ``type``.
        stages: the names of the type's stages.
        live: the names of its live stages, in order.
        events: the names of the type's events.
        data: the type's data class.
        founding: the type's founding class.
        schema_version: the document format's version.

    Returns:
        A draft 2020-12 schema titled *type_name*, a new dict on every call.
    """
    builder = _Builder(every_key=True)
    moment = dict(_SCALARS[dt.datetime])
    step = {
        "event": {"enum": list(events)},
        "source": {"enum": list(stages)},
        "dest": {"enum": list(stages)},
        "at": dict(moment),
        "payload": {"type": "object"},
        "actor": {"anyOf": [{"type": "string"}, {"type": "null"}]},
    }
    counts = {
        "type": "object",
        "propertyNames": {"enum": list(events)},
        "additionalProperties": {"type": "integer", "minimum": 1, "maximum": _INT_MAX},
    }
    properties: dict[str, Any] = {
        "schema_version": {"const": schema_version},
        "type": {"const": type_name},
        # "$" also matches before a final newline in Python's re, so "not" refuses one
        "id": {"type": "string", "pattern": f"^{GROUP_ID.pattern}$", "not": {"pattern": "\n"}},
        "stage": {"enum": list(stages)},
        "version": {"type": "integer", "minimum": 0, "maximum": _INT_MAX},
        "created_at": moment,
        "reached": {"enum": list(live)},
        "counts": counts,
        "marks": {
            "type": "object",
            "propertyNames": {"enum": list(events)},
            "additionalProperties": counts,
        },
        "founding": builder.object(founding),
        "data": builder.object(data),
        "history_from": {"type": "integer", "minimum": 1, "maximum": _INT_MAX},
        "history": {"type": "array", "items": _closed(step)},
    }
    head = [key for key in properties if key not in {"history_from", "history"}]
    document = _closed(properties, head)
    document["dependentRequired"] = {"history_from": ["history"]}
    return builder.finish(document, type_name)


def _closed(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    """An object of only these *properties*; those *required* (by default all) must be there."""
    required = list(properties) if required is None else required
    out: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        out["required"] = required
    out["additionalProperties"] = False
    return out
