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
import math
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from types import UnionType
from typing import Any, Literal, Union

import attrs
import cattrs
from cattrs.cols import is_mapping
from cattrs.errors import (
    AttributeValidationNote,
    BaseValidationError,
    ForbiddenExtraKeysError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn

from kelompok._base.errors import InvalidValue
from kelompok._base.frozen import FrozenMap, own_frozen
from kelompok._base.scalars import (
    INT_RANGE,
    MAX_DEPTH,
    MAX_PROBLEMS,
    describe,
    describe_exception,
    exact_bool,
    exact_float,
    exact_int,
    exact_text,
)
from kelompok._base.text import Reason

_coercions: dict[type[Any], Callable[[Any], Any]] = {}


def register_coercion(kind: type[Any], coerce: Callable[[Any], Any]) -> None:
    """Let values that are not yet a *kind* become one: ``coerce(value)`` is structured instead.

    *coerce* returns the value to structure as a *kind* (the value itself when it
    has nothing to offer). The built-in types use it to take a group where a
    ``PartnerRef`` is expected. Register before the first payload of the kind is
    structured: hooks are built once.
    """
    _coercions[kind] = coerce


def _date(value: Any, _: type) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.date.fromordinal(dt.date.toordinal(value))  # a real date, not a subclass
    if type(value) is str:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidValue(
        f"must be a date or an ISO date text like '2026-01-31', got {describe(value)}",
        f"harus berupa tanggal atau teks tanggal ISO seperti '2026-01-31', bukan {describe(value)}",
    )


def parse_utc(value: Any) -> dt.datetime:
    """Return *value* (an aware datetime or ISO text with an offset) in UTC."""
    moment = value
    if type(value) is str:
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
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
        "must be a time with a UTC offset, like '2026-01-31T08:00:00+00:00', "
        f"got {describe(value)}",
        "harus berupa waktu dengan selisih terhadap UTC, seperti '2026-01-31T08:00:00+07:00', "
        f"bukan {describe(value)}",
    )


def _datetime(value: Any, _: type) -> dt.datetime:
    return parse_utc(value)


class Collected(Exception):
    """The first errors of a collection's items (at most ``MAX_PROBLEMS``) and how many more.

    cattrs would keep one exception per bad item: 300,000 bad numbers cost
    seconds and hundreds of megabytes before a single reason is shown.
    """

    def __init__(self, errors: list[tuple[str, Exception]], more: int) -> None:
        super().__init__(f"{len(errors) + more} problems")
        self.errors = errors
        self.more = more


def _collect(errors: list[tuple[str, Exception]], segment: str, exc: Exception) -> bool:
    """Keep *exc* if there is room; return whether it was kept."""
    if len(errors) < MAX_PROBLEMS:
        errors.append((segment, exc))
        return True
    return False


def _not_a_list(value: Any) -> InvalidValue:
    return InvalidValue(
        f"must be a list, got {describe(value)}",
        f"harus berupa daftar (list), bukan {describe(value)}",
    )


def _not_a_mapping(value: Any) -> InvalidValue:
    return InvalidValue(
        f"must be a mapping (dict), got {describe(value)}",
        f"harus berupa pemetaan (dict), bukan {describe(value)}",
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
                f"must be a list of {len(kinds)} items, got {len(value)}",
                f"harus berupa daftar {len(kinds)} butir, bukan {len(value)}",
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
    args: tuple[Any, ...] = getattr(t, "__args__", ())
    return getattr(t, "__origin__", None) is tuple and len(args) == 2 and args[1] is Ellipsis


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
                more += not _collect(errors, f"[{i}]", exc)
        if errors:
            raise Collected(errors, more)
        return tuple(items)

    return structure


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
                more += not _collect(errors, f"[{describe(raw_key)}]", exc)
                continue
            try:
                out[key] = value_hook(raw, value_type)
            except Exception as exc:  # noqa: BLE001
                more += not _collect(errors, _key_segment(key), exc)
        if errors:
            raise Collected(errors, more)
        return out if mutable else own_frozen(out)

    return structure


def _key_segment(key: Any) -> str:
    return f"[{key!r}]" if type(key) is str and len(key) <= 60 else f"[{describe(key)}]"


def _attrs_factory(t: Any, conv: cattrs.Converter, *, every_key: bool) -> Callable[[Any, Any], Any]:
    inner = make_dict_structure_fn(
        t, conv, _cattrs_forbid_extra_keys=True, _cattrs_detailed_validation=True
    )
    coerce = _coercions.get(t)
    names = tuple(a.name for a in attrs.fields(t))
    keys = frozenset(names)

    def structure(value: Any, _: Any) -> Any:
        if type(value) is dict:
            if every_key and len(value) < len(keys):
                # A document holds every field (to_dict writes them all): a missing one
                # with a default would be filled in, and the document would not be the
                # one that is loaded.
                missing = [name for name in names if name not in value]
                raise Collected([(f".{name}", KeyError(name)) for name in missing], 0)
            return inner(value, t)
        if coerce is not None and not isinstance(value, t):
            value = coerce(value)
        if isinstance(value, t):
            # Built already, but maybe with validators off, by object.__new__, or with a
            # __class__ that lies: rebuild it from its fields, through every check again.
            return inner({name: getattr(value, name) for name in names}, t)
        if not isinstance(value, Mapping):
            raise InvalidValue(
                f"must be a {t.__name__} or a mapping of its fields, got {describe(value)}",
                f"harus berupa {t.__name__} atau pemetaan isiannya, bukan {describe(value)}",
            )
        return inner(value, t)

    return structure


def _is_literal(t: Any) -> bool:
    return getattr(t, "__origin__", None) is Literal


def _literal_factory(t: Any, _conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    allowed = {(type(a), a) for a in t.__args__}
    shown = ", ".join(repr(a) for a in t.__args__)

    def structure(value: Any, _: Any) -> Any:
        if type(value) in (str, int, bool, type(None)) and (type(value), value) in allowed:
            return value
        raise InvalidValue(
            f"must be one of {shown}, got {describe(value)}",
            f"harus salah satu dari {shown}, bukan {describe(value)}",
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
            f"must be one of {shown}, got {describe(value)}",
            f"harus salah satu dari {shown}, bukan {describe(value)}",
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

    return structure


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
    conv.register_unstructure_hook(FrozenMap, dict)
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
    conv = document_converter if code == "document" else converter
    try:
        return conv.structure(value, cls), []
    except Exception as exc:  # noqa: BLE001 -- every failure becomes a reason, none escapes bare
        return None, explain(exc, where, code)


def capped(reasons: list[Reason], code: str, more: int = 0) -> list[Reason]:
    """*reasons* cut to ``MAX_PROBLEMS``, and one last reason that counts all the others."""
    listed = [r for r in reasons if type(r) is not MoreProblems]
    more += sum(r.count for r in reasons if type(r) is MoreProblems)
    more += max(0, len(listed) - MAX_PROBLEMS)
    kept = listed[:MAX_PROBLEMS]
    return [*kept, more_problems(code, more)] if more > 0 else kept


@attrs.frozen
class MoreProblems(Reason):
    """The reason that stands for ``count`` problems that are not listed."""

    count: int = 0


def more_problems(code: str, count: int) -> Reason:
    """The reason that stands for *count* problems not listed."""
    return MoreProblems(
        f"{code}.more_problems",
        f"and {count} more problems (only the first {MAX_PROBLEMS} are listed)",
        f"dan {count} masalah lain (hanya {MAX_PROBLEMS} yang pertama ditampilkan)",
        None,
        count,
    )


def _segment(exc: BaseException) -> str:
    for note in getattr(exc, "__notes__", ()):
        if isinstance(note, AttributeValidationNote):
            return f".{note.name}"
        if isinstance(note, IterableValidationNote):
            index = note.index
            return f"[{index}]" if type(index) is int else f"[{describe(index)}]"
    return ""


def _join(path: str, segment: str) -> str:
    joined = path + segment
    return joined.removeprefix(".")


def explain(exc: BaseException, path: str, code: str) -> list[Reason]:
    """Turn a (possibly nested) structuring error into reasons naming their fields.

    At most ``MAX_PROBLEMS`` reasons; when there were more, the last one
    (``<code>.more_problems``) says how many.
    """
    reasons, more = _explain(exc, path, code)
    return capped(reasons, code, more)


def _explain(exc: BaseException, path: str, code: str) -> tuple[list[Reason], int]:
    """The reasons of *exc*, and how many more problems were counted but not kept."""
    reasons: list[Reason] = []
    more = 0
    if isinstance(exc, BaseValidationError | Collected):
        subs = (
            [(_segment(sub), sub) for sub in exc.exceptions]
            if isinstance(exc, BaseValidationError)
            else exc.errors
        )
        more = exc.more if isinstance(exc, Collected) else 0
        for segment, sub in subs:
            found, uncounted = _explain(sub, _join(path, segment), code)
            reasons += found
            more += uncounted
        return reasons, more
    if isinstance(exc, ForbiddenExtraKeysError):
        fields = ", ".join(f.name for f in attrs.fields(exc.cl))
        extra = sorted(exc.extra_fields, key=str)
        for key in (exact_text_or_description(k) for k in extra[:MAX_PROBLEMS]):
            where = _join(path, "." + key)
            reasons.append(
                Reason(
                    f"{code}.unknown_field",
                    f"{where}: unknown field; the fields are: {fields}",
                    f"{where}: isian tidak dikenal; isian yang ada: {fields}",
                    where,
                )
            )
        return reasons, max(0, len(extra) - MAX_PROBLEMS)
    if isinstance(exc, KeyError):
        name = path or exact_text_or_description(exc.args[0] if exc.args else "")
        missing = Reason(
            f"{code}.missing_field",
            f"{name}: this field is required",
            f"{name}: isian ini wajib diisi",
            name,
        )
        return [missing], 0
    if isinstance(exc, InvalidValue):
        en, id_ = exc.en, exc.id
        if exc.field:
            path = _join(path, "." + exc.field)
    else:  # a validator of a user's attrs class, or a converter that raised
        text = describe_exception(exc)
        en = f"invalid value ({text})"
        id_ = f"nilai tidak valid ({text})"
    label = path or "value"
    return [Reason(f"{code}.invalid", f"{label}: {en}", f"{label}: {id_}", path or None)], 0


def exact_text_or_description(value: Any) -> str:
    """*value* itself when it is short, valid text; else a description of it."""
    if type(value) is str and len(value) <= 60 and value.isprintable():
        return value
    return f"<{describe(value)}>"


_SCALARS = frozenset({str, int, float, bool, type(None)})
_SAFE = frozenset({bool, type(None)})  # scalars that need no check to be strict JSON


class NotJSON(ValueError):
    """A value that is not made of JSON types."""


def copy_json(value: Any, *, check: bool = False, depth: int = MAX_DEPTH) -> Any:
    """Deep-copy a JSON tree (dicts, lists, scalars): much faster than ``copy.deepcopy``.

    With ``check=True`` also make sure it *is* strict JSON, raising
    :class:`NotJSON` otherwise: string keys; no tuples, sets or objects; finite
    numbers; text that UTF-8 can encode; at most ``MAX_DEPTH`` levels deep.
    Validating while copying walks the tree once instead of twice.
    """
    kind = type(value)
    plain = _SAFE if check else _SCALARS
    if kind is dict:
        if check:
            if depth <= 0:
                raise NotJSON(f"nested deeper than {MAX_DEPTH} levels")
            for k in value:
                if type(k) is not str:
                    msg = "object keys must be strings"
                    raise NotJSON(msg)
                if not k.isascii():
                    _check_scalar(k)
        return {
            k: v
            if type(v) in plain or (type(v) is str and v.isascii())
            else copy_json(v, check=check, depth=depth - 1)
            for k, v in value.items()
        }
    if kind is list:
        if check and depth <= 0:
            raise NotJSON(f"nested deeper than {MAX_DEPTH} levels")
        return [
            v
            if type(v) in plain or (type(v) is str and v.isascii())
            else copy_json(v, check=check, depth=depth - 1)
            for v in value
        ]
    if check:
        _check_scalar(value)
    return value


def _check_scalar(value: Any) -> None:
    kind = type(value)
    if kind is str:
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                msg = "text holds a lone surrogate, which UTF-8 cannot encode"
                raise NotJSON(msg) from None
    elif kind is float:
        if not math.isfinite(value):
            msg = f"{value!r} is not a JSON number"
            raise NotJSON(msg)
    elif kind is int:
        if value not in INT_RANGE:
            msg = f"{describe(value)} is outside the 64-bit range kelompok stores"
            raise NotJSON(msg)
    elif kind not in _SAFE:
        msg = f"{kind.__name__} is not a JSON type"
        raise NotJSON(msg)
