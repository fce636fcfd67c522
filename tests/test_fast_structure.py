"""The converter's compiled happy path (``_data/fast.py``) gives what the converter gives.

For payloads and documents near valid ones (a leaf replaced by a value of another
kind, a str or int subclass, a bool for a number, a key dropped or added),
``structure_or_reasons`` must return exactly what the converter's own path returns:
the same value, of the same types all the way down, or the same reasons.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

import kelompok
from kelompok._base.frozen import FrozenMap
from kelompok._data.convert import converter, document_converter, structure_or_reasons
from kelompok._data.explain import explain
from kelompok._data.fast import compile_class


class Sneaky(str):
    __slots__ = ()


class Number(int):
    pass


def _slow(value: Any, cls: type[Any], code: str) -> tuple[Any, list[Any]]:
    conv = document_converter if code == "document" else converter
    try:
        return conv.structure(value, cls), []
    except Exception as exc:  # noqa: BLE001 -- as structure_or_reasons does
        return None, explain(exc, "", code)


def _shape(value: Any) -> Any:
    """*value* with the type of every part, to compare types as well as values."""
    if attrs.has(type(value)):
        fields = attrs.fields(type(value))
        return (type(value), tuple(_shape(getattr(value, f.name)) for f in fields))
    if isinstance(value, FrozenMap | dict):
        return (type(value), tuple((_shape(k), _shape(v)) for k, v in value.items()))
    if isinstance(value, tuple | list) or type(value).__name__ == "FrozenList":
        return (type(value), tuple(_shape(x) for x in value))
    return (type(value), value)


@functools.cache
def _seeds() -> list[tuple[Any, type[Any], str]]:
    """Valid payloads and data documents of both built-in types, with their classes."""
    pro = kelompok.PROFESSIONAL
    group = pro.create(name="Apoteker", profession="pharmacist")
    group.fire("identify_needs", needs=["training"])
    founders = [{"id": f"f{i}", "name": f"F {i}", "profession": "pharmacist"} for i in range(3)]
    group.fire("form_core_group", founders=founders)
    charter = {"vision": "v", "mission": "m", "goals": ["g"], "steps": ["s"]}
    group.fire("adopt_charter", **charter)
    group.fire("open_recruitment")
    member = {"id": "m0", "name": "M", "profession": "pharmacist"}
    admit = {"member": member, "scores": {"competence": 4, "dedication": 3}}
    group.fire("admit", **admit)
    document = group.to_dict()
    return [
        (document["data"], pro.data, "document"),
        (document["founding"], pro.founding, "document"),
        (admit, pro.event("admit").payload, "payload"),
        ({"founders": founders}, pro.event("form_core_group").payload, "payload"),
        (charter, pro.event("adopt_charter").payload, "payload"),
        ({"name": "Apoteker", "profession": "pharmacist"}, pro.founding, "create"),
    ]


_ODD = st.sampled_from(
    [
        None,
        True,
        0,
        3,
        2**63,
        1.5,
        "",
        " ",
        "x",
        "\ud800",
        "ü",
        Sneaky("x"),
        Number(4),
        [],
        ["x"],
        [1],
        {},
        {"x": 1},
        ("x",),
        dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
        dt.date(2026, 1, 1),
    ]
)


@st.composite
def _mutated(draw: st.DrawFn, value: Any) -> Any:
    """*value* with one part replaced, dropped or added (or as it is)."""
    if isinstance(value, dict) and value and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(value)))
        choice = draw(st.sampled_from(["recurse", "replace", "drop", "add", "sneaky key"]))
        out = dict(value)
        if choice == "recurse":
            out[key] = draw(_mutated(value[key]))
        elif choice == "replace":
            out[key] = draw(_ODD)
        elif choice == "drop":
            del out[key]
        elif choice == "add":
            out["extra"] = draw(_ODD)
        else:
            out[Sneaky(key)] = out.pop(key)
        return out
    if isinstance(value, list) and value and draw(st.booleans()):
        i = draw(st.integers(0, len(value) - 1))
        out = list(value)
        out[i] = draw(st.one_of(_mutated(value[i]), _ODD))
        return out
    if draw(st.integers(0, 3)) == 0:
        return draw(_ODD)
    return value


@st.composite
def _cases(draw: st.DrawFn) -> tuple[Any, type[Any], str]:
    value, cls, code = draw(st.sampled_from(_seeds()))
    return draw(_mutated(value)), cls, code


@settings(max_examples=400, deadline=None)
@given(_cases())
def test_fast_path_gives_what_the_converter_gives(case: tuple[Any, type[Any], str]) -> None:
    value, cls, code = case
    fast, fast_reasons = structure_or_reasons(value, cls, code=code)
    slow, slow_reasons = _slow(value, cls, code)
    assert _shape(fast) == _shape(slow)
    assert [(r.code, str(r), r.field) for r in fast_reasons] == [
        (r.code, str(r), r.field) for r in slow_reasons
    ]


def test_the_valid_seeds_take_the_compiled_path() -> None:
    for value, cls, code in _seeds():
        conv = document_converter if code == "document" else converter
        compiled: dict[type[Any], Any] = {}
        fast = compile_class(conv, cls, compiled)
        assert fast is not None
        assert _shape(fast(value)) == _shape(conv.structure(value, cls))


@attrs.frozen
class _KeywordOnly:
    name: str = attrs.field(kw_only=True)


@attrs.frozen
class _NotInInit:
    name: str
    size: int = attrs.field(init=False, default=0)


def test_classes_whose_init_is_not_positional_keep_the_converter_path() -> None:
    for cls in (_KeywordOnly, _NotInInit):
        assert compile_class(converter, cls, {}) is None
        value, reasons = structure_or_reasons({"name": "x"}, cls, code="payload")
        assert not reasons
        assert value.name == "x"
