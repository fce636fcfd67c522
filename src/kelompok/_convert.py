"""One strict cattrs converter for payloads and documents, and its errors as reasons.

cattrs' defaults are lenient where kelompok must not be: ``str(5)`` would turn a
number into a name, a string would be iterated into a list of letters, ``int("7")``
would pass. The hooks here accept exactly the JSON-shaped input a payload or a
stored document may hold (or the value objects themselves), and every refusal
names the field: ``founders[1].id: must not be blank``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from types import UnionType
from typing import Any, Protocol, Union, runtime_checkable

import attrs
import cattrs
from cattrs.cols import (
    homogenous_tuple_structure_factory,
    is_mapping,
    mapping_structure_factory,
)
from cattrs.errors import (
    AttributeValidationNote,
    BaseValidationError,
    ForbiddenExtraKeysError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn

from kelompok._errors import InvalidValue
from kelompok._text import Reason
from kelompok._values import PartnerRef


@runtime_checkable
class PartnerLike(Protocol):
    """Anything that can describe itself as a collaboration partner (a Group does)."""

    def as_partner_ref(self) -> PartnerRef: ...


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def _strict_str(value: Any, _: type) -> str:
    if type(value) is str or isinstance(value, str):
        return value
    raise InvalidValue(
        f"must be text (str), got {_describe(value)}",
        f"harus berupa teks (str), bukan {_describe(value)}",
    )


def _strict_int(value: Any, _: type) -> int:
    if type(value) is int or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise InvalidValue(
        f"must be a whole number (int), got {_describe(value)}",
        f"harus berupa bilangan bulat (int), bukan {_describe(value)}",
    )


def _strict_bool(value: Any, _: type) -> bool:
    if isinstance(value, bool):
        return value
    raise InvalidValue(
        f"must be true or false (bool), got {_describe(value)}",
        f"harus berupa true atau false (bool), bukan {_describe(value)}",
    )


def _date(value: Any, _: type) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidValue(
        f"must be a date or an ISO date text like '2026-01-31', got {_describe(value)}",
        "harus berupa tanggal atau teks tanggal ISO seperti '2026-01-31', "
        f"bukan {_describe(value)}",
    )


def parse_utc(value: Any) -> dt.datetime:
    """Return *value* (an aware datetime or ISO text with an offset) in UTC."""
    moment = value
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            moment = None
    if isinstance(moment, dt.datetime) and moment.tzinfo is dt.timezone.utc:
        return moment  # what to_dict writes: nothing to convert
    if isinstance(moment, dt.datetime) and moment.utcoffset() is not None:
        try:
            return moment.astimezone(dt.timezone.utc)
        except OverflowError:  # year 1 at +01:00 has no UTC moment
            pass
    raise InvalidValue(
        "must be a time with a UTC offset, like '2026-01-31T08:00:00+00:00', "
        f"got {_describe(value)}",
        "harus berupa waktu dengan selisih terhadap UTC, seperti '2026-01-31T08:00:00+07:00', "
        f"bukan {_describe(value)}",
    )


def _datetime(value: Any, _: type) -> dt.datetime:
    return parse_utc(value)


def _not_a_list(value: Any) -> InvalidValue:
    return InvalidValue(
        f"must be a list, got {_describe(value)}",
        f"harus berupa daftar (list), bukan {_describe(value)}",
    )


def _not_a_mapping(value: Any) -> InvalidValue:
    return InvalidValue(
        f"must be a mapping (dict), got {_describe(value)}",
        f"harus berupa pemetaan (dict), bukan {_describe(value)}",
    )


def _is_homogeneous_tuple(t: Any) -> bool:
    args: tuple[Any, ...] = getattr(t, "__args__", ())
    return getattr(t, "__origin__", None) is tuple and len(args) == 2 and args[1] is Ellipsis


def _tuple_factory(t: Any, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    inner = homogenous_tuple_structure_factory(t, conv)

    def structure(value: Any, _: Any) -> Any:
        if type(value) is not list and not isinstance(value, list | tuple):
            raise _not_a_list(value)
        return inner(value, t)

    return structure


def _mapping_factory(t: Any, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    inner = mapping_structure_factory(t, conv)

    def structure(value: Any, _: Any) -> Any:
        if type(value) is not dict and not isinstance(value, Mapping):
            raise _not_a_mapping(value)
        return inner(value, t)

    return structure


def _attrs_factory(t: Any, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    inner = make_dict_structure_fn(
        t, conv, _cattrs_forbid_extra_keys=True, _cattrs_detailed_validation=True
    )
    partner = t is PartnerRef

    def structure(value: Any, _: Any) -> Any:
        if type(value) is dict:
            return inner(value, t)
        if isinstance(value, t):  # already built, hence already validated
            return value
        if partner and isinstance(value, PartnerLike):
            return value.as_partner_ref()
        if not isinstance(value, Mapping):
            raise InvalidValue(
                f"must be a {t.__name__} or a mapping of its fields, got {_describe(value)}",
                f"harus berupa {t.__name__} atau pemetaan isiannya, bukan {_describe(value)}",
            )
        return inner(value, t)

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


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(
        detailed_validation=True,
        forbid_extra_keys=True,
        unstruct_collection_overrides={Sequence: list, tuple: list, Mapping: dict},
    )
    conv.register_structure_hook(str, _strict_str)
    conv.register_structure_hook(int, _strict_int)
    conv.register_structure_hook(bool, _strict_bool)
    conv.register_structure_hook(dt.date, _date)
    conv.register_structure_hook(dt.datetime, _datetime)
    conv.register_unstructure_hook(dt.date, dt.date.isoformat)
    conv.register_unstructure_hook(dt.datetime, dt.datetime.isoformat)
    conv.register_structure_hook_factory(_is_optional, _optional_factory)
    conv.register_structure_hook_factory(_is_homogeneous_tuple, _tuple_factory)
    conv.register_structure_hook_factory(is_mapping, _mapping_factory)
    conv.register_structure_hook_factory(attrs.has, _attrs_factory)
    return conv


converter = _make_converter()


def structure_or_reasons(
    value: Any, cls: type[Any], *, code: str, where: str = ""
) -> tuple[Any, list[Reason]]:
    """Structure *value* into *cls*; on failure return the reasons instead.

    Args:
        value: plain data (or already-built value objects).
        cls: the attrs class to build.
        code: prefix of the reason codes (``"payload"`` or ``"document"``).
        where: path prefix for the ``field`` of each reason.
    """
    try:
        return converter.structure(value, cls), []
    except Exception as exc:  # noqa: BLE001 -- every failure becomes a reason, none escapes bare
        return None, explain(exc, where, code)


def _segment(exc: BaseException) -> str:
    for note in getattr(exc, "__notes__", ()):
        if isinstance(note, AttributeValidationNote):
            return f".{note.name}"
        if isinstance(note, IterableValidationNote):
            index = note.index
            return f"[{index}]" if isinstance(index, int) else f"[{index!r}]"
    return ""


def _join(path: str, segment: str) -> str:
    joined = path + segment
    return joined.removeprefix(".")


def explain(exc: BaseException, path: str, code: str) -> list[Reason]:
    """Turn a (possibly nested) structuring error into reasons naming their fields."""
    if isinstance(exc, BaseValidationError):
        reasons: list[Reason] = []
        for sub in exc.exceptions:
            reasons += explain(sub, _join(path, _segment(sub)), code)
        return reasons
    if isinstance(exc, ForbiddenExtraKeysError):
        return [
            Reason(
                f"{code}.unknown_field",
                f"{_join(path, '.' + key)}: unknown field; the fields are: "
                f"{', '.join(f.name for f in attrs.fields(exc.cl))}",
                f"{_join(path, '.' + key)}: isian tidak dikenal; isian yang ada: "
                f"{', '.join(f.name for f in attrs.fields(exc.cl))}",
                _join(path, "." + key),
            )
            for key in sorted(exc.extra_fields)
        ]
    if isinstance(exc, KeyError):
        name = path or str(exc.args[0])
        return [
            Reason(
                f"{code}.missing_field",
                f"{name}: this field is required",
                f"{name}: isian ini wajib diisi",
                name,
            )
        ]
    if isinstance(exc, InvalidValue):
        en, id_ = exc.en, exc.id
        if exc.field:
            path = _join(path, "." + exc.field)
    else:  # a validator of a user's attrs class, or a converter that raised
        en = f"invalid value ({exc})"
        id_ = f"nilai tidak valid ({exc})"
    label = path or "value"
    return [Reason(f"{code}.invalid", f"{label}: {en}", f"{label}: {id_}", path or None)]


_SCALARS = frozenset({str, int, float, bool, type(None)})


class NotJSON(ValueError):
    """A value that is not made of JSON types."""


def copy_json(value: Any, *, check: bool = False) -> Any:
    """Deep-copy a JSON tree (dicts, lists, scalars): much faster than ``copy.deepcopy``.

    With ``check=True`` also make sure it *is* a JSON tree (string keys; no
    tuples, sets, objects), raising :class:`NotJSON` otherwise: validating
    while copying walks the tree once instead of twice.
    """
    kind = type(value)
    if kind is dict:
        if check and not all(type(k) is str for k in value):
            msg = "object keys must be strings"
            raise NotJSON(msg)
        return {
            k: v if type(v) in _SCALARS else copy_json(v, check=check) for k, v in value.items()
        }
    if kind is list:
        return [v if type(v) in _SCALARS else copy_json(v, check=check) for v in value]
    if check and kind not in _SCALARS:
        msg = f"{kind.__name__} is not a JSON type"
        raise NotJSON(msg)
    return value
