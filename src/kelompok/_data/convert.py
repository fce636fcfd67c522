"""One strict cattrs converter for payloads and documents, and its errors as reasons.

cattrs' defaults are lenient where kelompok must not be: ``str(5)`` would turn a
number into a name, a string would be iterated into a list of letters, ``int("7")``
would pass. The hooks here accept exactly the JSON-shaped input a payload or a
stored document may hold (or the value objects themselves), and every refusal
names the field: ``founders[1].id: must not be blank``.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import re
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from types import UnionType
from typing import Any, Final, Literal, Union

import attrs
import cattrs
from cattrs.cols import is_mapping
from cattrs.gen import make_dict_structure_fn

from kelompok._base.errors import InvalidValue
from kelompok._base.frozen import FrozenMap, own_frozen
from kelompok._base.frozen_list import FrozenList
from kelompok._base.scalars import (
    describe,
    exact_bool,
    exact_float,
    exact_int,
    exact_text,
)
from kelompok._base.text import Reason, msg
from kelompok._data.every_text import text_fields, text_problems
from kelompok._data.explain import Collected, collect, explain, segment_of
from kelompok._data.fast import ATTRS, ITEMS, MAPPING, OPTIONAL, Fast, compile_class, describe_hook

_coercions: dict[type[Any], Callable[[Any], Any]] = {}


def register_coercion(kind: type[Any], coerce: Callable[[Any], Any]) -> None:
    """Let values that are not yet a *kind* become one: ``coerce(value)`` is structured instead.

    *coerce* returns the value to structure as a *kind* (the value itself when it
    has nothing to offer). The built-in types use it to take a group where a
    ``PartnerRef`` is expected. Register before the first payload of the kind is
    structured: hooks are built once.
    """
    _coercions[kind] = coerce


# RFC 3339 forms only: Python 3.11's fromisoformat reads more (20260131, 2026-W05-6) than
# 3.10's does, and a document must load the same on every Python kelompok runs on.
_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_MOMENT: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3}(?:\d{3})?)?(?:[+-]\d{2}:\d{2}|Z)", re.ASCII
)


def written(text: str) -> bool:
    """Whether *text* has the form ``to_dict`` writes, ``2026-01-31T08:00:00[.123456]+00:00``.

    A quicker test than the pattern for the times every document holds; the
    digits are left to ``fromisoformat``, which refuses anything else there.
    """
    return (
        (len(text) == 25 or (len(text) == 32 and text[19] == "."))
        and text[4] == text[7] == "-"
        and text[10] == "T"
        and text[13] == text[16] == ":"
        and text.endswith("+00:00")
        and text.isascii()
    )


def _date(value: Any, _: type) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.date.fromordinal(dt.date.toordinal(value))  # a real date, not a subclass
    if type(value) is str and _DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:  # a day or month out of range
            pass
    raise InvalidValue(
        msg(
            "value.date_iso_date_text",
            "must be a date or an ISO date text like '2026-01-31', got {shown}",
            shown=describe(value),
        ),
    )


def parse_utc(value: Any) -> dt.datetime:
    """Return *value* (an aware datetime or ISO text with an offset) in UTC."""
    moment = value
    if type(value) is str:
        moment = None
        if written(value) or _MOMENT.fullmatch(value):
            try:  # Python 3.10 reads no "Z"
                moment = dt.datetime.fromisoformat(
                    value[:-1] + "+00:00" if value[-1] == "Z" else value
                )
            except ValueError:  # a field out of range
                moment = None
    elif isinstance(value, dt.datetime) and type(value) is not dt.datetime:
        moment = dt.datetime.fromisoformat(dt.datetime.isoformat(value))  # not a subclass
    if type(moment) is dt.datetime and moment.tzinfo is dt.timezone.utc:
        return moment  # what to_dict writes: nothing to convert
    if type(moment) is dt.datetime and moment.utcoffset() is not None:
        try:
            return moment.astimezone(dt.timezone.utc)
        except OverflowError:  # year 1 at +01:00 has no UTC moment
            pass
    raise InvalidValue(
        msg(
            "value.time_utc_offset_like",
            "must be a time with a UTC offset, like '2026-01-31T08:00:00+00:00', got {shown}",
            shown=describe(value),
        ),
    )


def _datetime(value: Any, _: type) -> dt.datetime:
    return parse_utc(value)


def _not_a_list(value: Any) -> InvalidValue:
    return InvalidValue(
        msg("value.list", "must be a list, got {shown}", shown=describe(value)),
    )


def _not_a_mapping(value: Any) -> InvalidValue:
    return InvalidValue(
        msg("value.mapping_dict", "must be a mapping (dict), got {shown}", shown=describe(value)),
    )


def _is_fixed_tuple(t: Any) -> bool:
    args: tuple[Any, ...] = getattr(t, "__args__", ())
    return getattr(t, "__origin__", None) is tuple and Ellipsis not in args


def _fixed_tuple_factory(t: Any, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    kinds = t.__args__
    hooks = [conv.get_structure_hook(k) for k in kinds]

    def structure(value: Any, _: Any) -> Any:
        if type(value) is not list and not isinstance(value, list | tuple):
            raise _not_a_list(value)
        if len(value) != len(kinds):
            raise InvalidValue(
                msg(
                    "value.list_items",
                    "must be a list of {kinds_count} items, got {count}",
                    kinds_count=len(kinds),
                    count=len(value),
                ),
            )
        items, errors = [], []
        for i, (hook, kind, raw) in enumerate(zip(hooks, kinds, value, strict=True)):
            try:
                items.append(hook(raw, kind))
            except Exception as exc:  # noqa: BLE001, PERF203 -- every failure becomes a reason
                errors.append((f"[{i}]", exc))
        if errors:
            raise Collected(errors, 0)
        return tuple(items)

    return structure


def _is_homogeneous_tuple(t: Any) -> bool:
    """``tuple[X, ...]``, ``list[X]`` and ``Sequence[X]``: a list of items of one kind.

    cattrs would build a ``list[X]`` from any iterable (a string into its letters,
    a dict into its keys); only a list or a tuple is one here.
    """
    args: tuple[Any, ...] = getattr(t, "__args__", ())
    origin = getattr(t, "__origin__", None)
    if origin is tuple:
        return len(args) == 2 and args[1] is Ellipsis
    return origin in (list, Sequence, FrozenList) and len(args) == 1


def _wrong_kind(t: Any) -> Callable[[Any], bool] | None:
    """A test that a value cannot become a *t* at all, for counting problems past the cap.

    Once ``MAX_PROBLEMS`` are kept, the rest are only counted: telling that 300,000
    numbers are not texts must not cost an exception and a message each.
    """
    if t is str:
        return lambda value: not isinstance(value, str)
    if t is int:
        return lambda value: not isinstance(value, int) or isinstance(value, bool)
    if attrs.has(t) and t not in _coercions:
        return lambda value: not isinstance(value, Mapping | t)
    return None


def _tuple_factory(t: Any, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    item_type = t.__args__[0]
    item = conv.get_structure_hook(item_type)
    wrong = _wrong_kind(item_type)

    origin = getattr(t, "__origin__", None)
    make: Callable[[list[Any]], Any] = (
        (lambda items: items) if origin is list else FrozenList if origin is FrozenList else tuple
    )

    def structure(value: Any, _: Any) -> Any:
        if type(value) is not list and not isinstance(value, list | tuple):
            raise _not_a_list(value)
        items = []
        errors: list[tuple[str, Exception]] = []
        more = 0
        for i, raw in enumerate(value):
            if more and wrong is not None and wrong(raw):
                more += 1
                continue
            try:
                items.append(item(raw, item_type))
            except Exception as exc:  # noqa: BLE001 -- every failure becomes a reason
                more += not collect(errors, f"[{i}]", exc)
        if errors:
            raise Collected(errors, more)
        return make(items)

    return describe_hook(structure, ITEMS, item_type, make)


def _is_frozen_list(t: Any) -> bool:
    return t is FrozenList or getattr(t, "__origin__", None) is FrozenList


def _frozen_list_unstructure(t: Any, conv: cattrs.Converter) -> Callable[[Any], Any]:
    """A ``FrozenList[X]`` as the JSON list of its items (cattrs knows tuples, not it)."""
    args: tuple[Any, ...] = getattr(t, "__args__", ())
    if not args:
        return list
    item = conv.get_unstructure_hook(args[0])
    return lambda value: [item(x) for x in value]


def _mapping_factory(t: Any, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    args: tuple[Any, ...] = getattr(t, "__args__", (Any, Any))
    key_type, value_type = args if len(args) == 2 else (Any, Any)
    key_hook = conv.get_structure_hook(key_type)
    value_hook = conv.get_structure_hook(value_type)
    origin = getattr(t, "__origin__", t)
    mutable = origin in (dict, MutableMapping)  # what the class asked for; else frozen
    wrong_key, wrong_value = _wrong_kind(key_type), _wrong_kind(value_type)

    def structure(value: Any, _: Any) -> Any:
        if type(value) is not dict and not isinstance(value, Mapping):
            raise _not_a_mapping(value)
        out = {}
        errors: list[tuple[str, Exception]] = []
        more = 0
        for raw_key, raw in value.items():
            if more and (
                (wrong_key is not None and wrong_key(raw_key))
                or (wrong_value is not None and wrong_value(raw))
            ):
                more += 1
                continue
            try:
                key = key_hook(raw_key, key_type)
            except Exception as exc:  # noqa: BLE001 -- every failure becomes a reason
                more += not collect(errors, f"[{describe(raw_key)}]", exc)
                continue
            try:
                out[key] = value_hook(raw, value_type)
            except Exception as exc:  # noqa: BLE001
                more += not collect(errors, _key_segment(key), exc)
        if errors:
            raise Collected(errors, more)
        return out if mutable else own_frozen(out)

    return describe_hook(structure, MAPPING, key_type, value_type, mutable)


def _key_segment(key: Any) -> str:
    return f"[{key!r}]" if type(key) is str and len(key) <= 60 else f"[{describe(key)}]"


def _attrs_factory(t: Any, conv: cattrs.Converter, *, every_key: bool) -> Callable[[Any, Any], Any]:
    inner = make_dict_structure_fn(
        t, conv, _cattrs_forbid_extra_keys=True, _cattrs_detailed_validation=True
    )
    coerce = _coercions.get(t)
    names = tuple(a.name for a in attrs.fields(t))
    keys = frozenset(names)
    texts = text_fields(t)

    def every_problem(value: Mapping[str, Any]) -> Any:
        try:
            return inner(value, t)
        except cattrs.BaseValidationError as exc:
            more = text_problems(texts, value, exc)
            if not more:
                raise
            found = [(segment_of(sub), sub) for sub in exc.exceptions]
            raise Collected(found + more, 0) from None

    def structure(value: Any, _: Any) -> Any:
        if type(value) is dict:
            if every_key and len(value) < len(keys):
                # A document holds every field (to_dict writes them all): a missing one
                # with a default would be filled in, and the document would not be the
                # one that is loaded.
                missing = [name for name in names if name not in value]
                raise Collected([(f".{name}", KeyError(name)) for name in missing], 0)
            return every_problem(value)
        if coerce is not None and not isinstance(value, t):
            value = coerce(value)
        if isinstance(value, t):
            # Built already, but maybe with validators off, by object.__new__, or with a
            # __class__ that lies: rebuild it from its fields, through every check again.
            return inner({name: getattr(value, name) for name in names}, t)
        if not isinstance(value, Mapping):
            raise InvalidValue(
                msg(
                    "value.mapping_its_fields",
                    "must be a {name} or a mapping of its fields, got {shown}",
                    name=t.__name__,
                    shown=describe(value),
                ),
            )
        return every_problem(value)

    return describe_hook(structure, ATTRS, t)


def _is_literal(t: Any) -> bool:
    return getattr(t, "__origin__", None) is Literal


def _literal_factory(t: Any, _conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    allowed = {(type(a), a) for a in t.__args__}
    shown = ", ".join(repr(a) for a in t.__args__)

    def structure(value: Any, _: Any) -> Any:
        if type(value) in (str, int, bool, type(None)) and (type(value), value) in allowed:
            return value
        raise InvalidValue(
            msg(
                "value.one",
                "must be one of {shown}, got {shown2}",
                shown=shown,
                shown2=describe(value),
            ),
        )

    return structure


def register_enum(kind: type[enum.Enum]) -> None:
    """Make both converters take and give *kind* by its values (an enum a type declares).

    By its own class: an ``IntEnum`` is an ``int`` and a ``str``-valued enum a
    ``str``, whose hooks would take or give the plain value.
    """
    for conv in (converter, document_converter):
        conv.register_structure_hook(kind, _enum_factory(kind, conv))
        conv.register_unstructure_hook(kind, _enum_value)


def _enum_value(member: Any) -> Any:
    return member.value


def _is_enum(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, enum.Enum)


def _enum_factory(t: Any, _conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    by_value = {(type(m.value), m.value): m for m in t}
    shown = ", ".join(repr(m.value) for m in t)

    def structure(value: Any, _: Any) -> Any:
        if type(value) is t:
            return value
        if type(value) in (str, int, bool) and (type(value), value) in by_value:
            return by_value[type(value), value]
        raise InvalidValue(
            msg(
                "value.one",
                "must be one of {shown}, got {shown2}",
                shown=shown,
                shown2=describe(value),
            ),
        )

    return structure


def _is_optional(t: Any) -> bool:
    args: tuple[Any, ...] = getattr(t, "__args__", ())
    return (
        (getattr(t, "__origin__", None) in (Union, UnionType) or isinstance(t, UnionType))
        and len(args) == 2
        and type(None) in args
    )


def _optional_factory(t: Any, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    # cattrs' own optional hook dispatches again on every call; bind the inner hook once.
    inner_type = next(a for a in t.__args__ if a is not type(None))
    inner = conv.get_structure_hook(inner_type)

    def structure(value: Any, _: Any) -> Any:
        return None if value is None else inner(value, inner_type)

    return describe_hook(structure, OPTIONAL, inner_type)


def _make_converter(*, documents: bool) -> cattrs.Converter:
    """The strict converter: of payloads and create() arguments, or of *documents*.

    A document must hold every field; a payload may leave out one with a default.
    """
    conv = cattrs.Converter(
        detailed_validation=True,
        forbid_extra_keys=True,
        unstruct_collection_overrides={Sequence: list, tuple: list, Mapping: dict},
    )
    conv.register_structure_hook(str, exact_text)
    conv.register_structure_hook(int, exact_int)
    conv.register_structure_hook(bool, exact_bool)
    conv.register_structure_hook(float, exact_float)
    # cattrs dispatches on the class, and an IntEnum is an int: each enum a type declares
    # is registered by its own class too (register_enum), before the type is used.
    conv.register_structure_hook(enum.Enum, lambda v, t: _enum_factory(t, conv)(v, t))
    conv.register_unstructure_hook_func(_is_enum, lambda member: member.value)
    conv.register_unstructure_hook(FrozenMap, FrozenMap.to_dict)
    conv.register_unstructure_hook_factory(
        _is_frozen_list, functools.partial(_frozen_list_unstructure, conv=conv)
    )
    conv.register_structure_hook(dt.date, _date)
    conv.register_structure_hook(dt.datetime, _datetime)
    conv.register_unstructure_hook(dt.date, dt.date.isoformat)
    conv.register_unstructure_hook(dt.datetime, dt.datetime.isoformat)
    conv.register_structure_hook_factory(_is_optional, _optional_factory)
    conv.register_structure_hook_factory(_is_literal, _literal_factory)
    conv.register_structure_hook_factory(_is_enum, _enum_factory)
    conv.register_structure_hook_factory(_is_homogeneous_tuple, _tuple_factory)
    conv.register_structure_hook_factory(_is_fixed_tuple, _fixed_tuple_factory)
    conv.register_structure_hook_factory(is_mapping, _mapping_factory)
    conv.register_structure_hook_factory(
        attrs.has, functools.partial(_attrs_factory, every_key=documents)
    )
    return conv


converter = _make_converter(documents=False)
document_converter = _make_converter(documents=True)
_fast: dict[type[Any], Fast | None] = {}
_fast_documents: dict[type[Any], Fast | None] = {}
_UNSET: Final[Any] = object()


def structure_or_reasons(
    value: Any, cls: type[Any], *, code: str, where: str = ""
) -> tuple[Any, list[Reason]]:
    """Structure *value* into *cls*; on failure return the reasons instead.

    At most ``MAX_PROBLEMS`` reasons are returned; when there were more, the last
    one (``<code>.more_problems``) says how many.

    Args:
        value: plain data (or already-built value objects).
        cls: the attrs class to build.
        code: prefix of the reason codes (``"payload"``, ``"create"`` or ``"document"``;
            a ``"document"`` must hold every field, the others may leave out defaults).
        where: path prefix for the ``field`` of each reason.
    """
    conv, compiled = (
        (document_converter, _fast_documents) if code == "document" else (converter, _fast)
    )
    if type(value) is dict:
        fast = compiled.get(cls, _UNSET)
        if fast is _UNSET:
            fast = compile_class(conv, cls, compiled)
        if fast is not None:
            try:
                return fast(value), []
            except Exception:  # noqa: BLE001, S110 -- the converter's path below says why
                pass
    try:
        return conv.structure(value, cls), []
    except Exception as exc:  # noqa: BLE001 -- every failure becomes a reason, none escapes bare
        return None, explain(exc, where, code)
