"""A history record read in one pass (``_codec/history._written``) is the one the checks read.

``_written`` accepts the usual record, as ``to_dict`` writes it, and leaves
everything else to ``_record``. Whatever it accepts, ``_record`` must accept too and
read as the same record (payload, time and its text included); and the checked copy
of a JSON tree must refuse exactly what the plain check refuses.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kelompok
from kelompok._codec.history import _record, _written
from kelompok._codec.loader import Loader
from kelompok._data.json import NotJSON, copy_json
from test_fast_structure import Number, Sneaky


@functools.cache
def _records() -> list[dict[str, Any]]:
    group = kelompok.PROFESSIONAL.create(name="Apoteker", profession="pharmacist")
    group.fire("identify_needs", needs=["training", "ülke"], actor="ani")
    founders = [{"id": f"f{i}", "name": f"F {i}", "profession": "pharmacist"} for i in range(3)]
    group.fire("form_core_group", founders=founders)
    group.fire("adopt_charter", vision="v", mission="m", goals=["g"], steps=["s"])
    records: list[dict[str, Any]] = group.to_dict()["history"]
    return records


_ODD = st.sampled_from(
    [
        None,
        True,
        0,
        2**63,
        -(2**63) - 1,
        2**63 - 1,
        1.5,
        float("nan"),
        "",
        "x",
        "\ud800",
        "ü",
        Sneaky("x"),
        Number(4),
        [],
        {},
        ("x",),
        "awareness",
        "needs_identified",
        "core_formed",
        "identify_needs",
        "2026-01-31T08:00:00+00:00",
        "2026-01-31T08:00:00.000000+00:00",
        "2026-01-31T08:00:00.123000+00:00",
        "2026-02-31T08:00:00+00:00",
        "2026-01-31T08:00:00Z",
        "2026-01-31T09:00:00+01:00",
    ]
)


@st.composite
def _record_cases(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    i = draw(st.integers(0, len(_records()) - 1))
    record = dict(_records()[i])
    for key in draw(st.lists(st.sampled_from(sorted(record)), max_size=2)):
        if key == "payload" and draw(st.booleans()):
            record[key] = {"needs": [draw(_ODD)], draw(st.sampled_from(["a", "ü"])): draw(_ODD)}
        else:
            record[key] = draw(_ODD)
    stage = draw(st.sampled_from([record["source"], "awareness", "core_formed"]))
    return record, stage


def _fields(record: Any) -> Any:
    return (
        record.event,
        record.source,
        record.dest,
        record.at,
        type(record.at),
        record.at_text(),
        record._payload,
        record.actor,
        record.label,
    )


@settings(max_examples=500, deadline=None)
@given(_record_cases())
def test_a_record_read_in_one_pass_is_the_checked_one(case: tuple[dict[str, Any], str]) -> None:
    record, stage = case
    engine = kelompok.PROFESSIONAL._engine
    quick = _written(engine, record, stage)
    ld = Loader()
    checked = _record(ld, kelompok.PROFESSIONAL, 0, record, stage)
    if quick is not None:
        assert checked is not None
        assert not ld.problems
        assert _fields(quick) == _fields(checked)


def _plain_scalar(value: Any) -> bool:
    if type(value) is str:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if type(value) is int:
        return -(2**63) <= value < 2**63
    if type(value) is float:
        return math.isfinite(value)
    return value is None or type(value) is bool


class _NotStrict(Exception):
    """What the plain check raises."""


def _plain_check(value: Any, depth: int) -> None:
    """Strict JSON, tested the obvious way (what copy_json(check=True) must agree with)."""
    if type(value) is dict:
        if depth <= 0 or any(type(k) is not str or not _plain_scalar(k) for k in value):
            raise _NotStrict
        for v in value.values():
            _plain_check(v, depth - 1)
    elif type(value) is list:
        if depth <= 0:
            raise _NotStrict
        for v in value:
            _plain_check(v, depth - 1)
    elif not _plain_scalar(value):
        raise _NotStrict


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


_TREES = st.recursive(
    _ODD,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "ü", "\ud800"]) | _ODD.filter(_hashable), inner)
    ),
    max_leaves=12,
)


@settings(max_examples=500, deadline=None)
@given(_TREES, st.integers(1, 4))
def test_the_checked_copy_refuses_what_is_not_strict_json(tree: Any, depth: int) -> None:
    try:
        _plain_check(tree, depth)
    except _NotStrict:
        with pytest.raises(NotJSON):
            copy_json(tree, check=True, depth=depth)
    else:
        copied = copy_json(tree, check=True, depth=depth)
        assert copied == tree


def test_the_records_to_dict_writes_are_read_in_one_pass() -> None:
    engine = kelompok.PROFESSIONAL._engine
    for record in _records():
        quick = _written(engine, record, record["source"])
        assert quick is not None
        assert _fields(quick) == _fields(
            _record(Loader(), kelompok.PROFESSIONAL, 0, record, record["source"])
        )
